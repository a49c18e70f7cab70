import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  char,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { periods } from './core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const money = (name: string) => numeric(name, { precision: 18, scale: 2 });

/**
 * The wallet is a double-entry ledger (main/services/ledger/README.md):
 * - ledger_accounts: one wallet per member (its currency) and, per currency, the company accounts;
 *   company accounts are split in `slot`s so that concurrent postings do not queue on one row lock;
 * - ledger_transactions: one posting, unique by idempotency key; `pending` (a hold, two-phase) →
 *   `posted` or `voided`;
 * - ledger_entries: insert-only; a signed amount per account (+ raises the account's balance,
 *   − lowers it). The entries of a transaction sum to zero per currency: checked by a deferred
 *   constraint trigger at commit (drizzle/*_ledger_functions.sql), not only by code.
 */
export const ledgerAccountKind = pgEnum('ledger_account_kind', [
  'member_wallet',
  'commission_expense',
  'withdrawal_holds',
  'withdrawal_clearing',
  'fee_income',
  'payouts_clearing',
  'adjustments',
]);

export const ledgerTxStatus = pgEnum('ledger_tx_status', ['pending', 'posted', 'voided']);

export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    kind: ledgerAccountKind('kind').notNull(),
    /** No foreign key (drizzle/0033): checked once per statement by a trigger, same SQLSTATE and constraint name. */
    memberId: bigint('member_id', { mode: 'number' }),
    /** No foreign key (drizzle/0033): checked once per statement by a trigger, same SQLSTATE and constraint name. */
    currency: char('currency', { length: 3 }).notNull(),
    /** Company accounts are spread over slots 0..N-1 (their balance is the sum); a wallet has slot 0. */
    slot: smallint('slot').notNull().default(0),
    /** Cached: Σ entries of posted transactions. */
    balance: money('balance').notNull().default('0'),
    /** Cached: Σ positive entries of pending transactions. */
    pendingIn: money('pending_in').notNull().default('0'),
    /** Cached: −Σ negative entries of pending transactions (held: not available). */
    pendingOut: money('pending_out').notNull().default('0'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    unique('ledger_accounts_id_currency_key').on(t.id, t.currency),
    uniqueIndex('ledger_accounts_wallet_key')
      .on(t.memberId, t.currency)
      .where(sql`${t.kind} = 'member_wallet'`),
    uniqueIndex('ledger_accounts_company_key')
      .on(t.kind, t.currency, t.slot)
      .where(sql`${t.memberId} is null`),
    check('ledger_accounts_owner', sql`(${t.kind} = 'member_wallet') = (${t.memberId} is not null)`),
    check('ledger_accounts_wallet_slot', sql`${t.kind} <> 'member_wallet' or ${t.slot} = 0`),
    check('ledger_accounts_pending_nonneg', sql`${t.pendingIn} >= 0 and ${t.pendingOut} >= 0`),
  ],
);

export const ledgerTransactions = pgTable(
  'ledger_transactions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    /** Unique: a re-post with the same key answers the first transaction (same body) or CONFLICT. */
    idempotencyKey: text('idempotency_key').notNull(),
    /** sha-256 of the canonical body, to tell a replay from a different posting under the same key. */
    bodyHash: text('body_hash').notNull(),
    /** What the posting is: commission, clawback, withdrawal.hold, withdrawal.settle, adjustment, ... */
    kind: text('kind').notNull(),
    /** No foreign key to currencies: every posting would share-lock that one row (the entries' key to their account checks the currency). */
    currency: char('currency', { length: 3 }).notNull(),
    status: ledgerTxStatus('status').notNull(),
    /** Clawbacks only: the posting may take a member wallet below zero. */
    allowNegative: boolean('allow_negative').notNull().default(false),
    /** What it is about: { withdrawalId }, { orderId }, { commissionLineId }, ... */
    reference: jsonb('reference'),
    periodId: integer('period_id').references(() => periods.id),
    memo: text('memo'),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** When a pending transaction was posted or voided. */
    resolvedAt: ts('resolved_at'),
    /** The PostgreSQL login that posted it (session_user, the database's default, not the app's word). */
    dbLogin: text('db_login')
      .notNull()
      .default(sql`session_user`),
  },
  (t) => [
    uniqueIndex('ledger_transactions_idempotency_key').on(t.idempotencyKey),
    check('ledger_transactions_kind_format', sql`${t.kind} ~ '^[a-z][a-z_.]{0,40}$'`),
    check(
      'ledger_transactions_resolved',
      sql`(${t.status} = 'pending' and ${t.resolvedAt} is null) or (${t.status} = 'voided' and ${t.resolvedAt} is not null) or ${t.status} = 'posted'`,
    ),
  ],
);

export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    /** References ledger_transactions.id and, with currency, ledger_accounts (id, currency): enforced
     *  by statement-level triggers (drizzle/0033), not per-row foreign keys. */
    transactionId: bigint('transaction_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    /** Signed: + raises the account's balance, − lowers it. Never zero. */
    amount: money('amount').notNull(),
    /** Copied from the transaction (immutable there too) so per-account history needs no join. */
    kind: text('kind').notNull(),
    periodId: integer('period_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('ledger_entries_account_idx').on(t.accountId, t.id.desc()),
    // (transaction_id, id): the balance check runs in full only for the last entry of a transaction.
    index('ledger_entries_transaction_id_idx').on(t.transactionId, t.id),
    check('ledger_entries_nonzero', sql`${t.amount} <> 0`),
  ],
);

/**
 * Each run of ledger_mismatches() (after every period close and once a day): how many accounts'
 * cached balances disagree with their entries, and the first few. The dashboard shows the latest
 * to admin and finance when it is not zero.
 */
export const ledgerChecks = pgTable(
  'ledger_checks',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    checkedAt: ts('checked_at').notNull().defaultNow(),
    /** 'close' | 'daily' | 'manual' */
    trigger: text('trigger').notNull(),
    mismatches: integer('mismatches').notNull(),
    sample: jsonb('sample').notNull(),
  },
  (t) => [index('ledger_checks_at_idx').on(t.checkedAt.desc())],
);

/**
 * A wallet's checked past (drizzle/0079): its entries up to `through_entry` sum to `balance` posted,
 * and none of them belongs to a pending transaction, so the check before a debit
 * (ledger_verify_wallet) sums only the entries after it. Written only by that function (the
 * owner's); ledger_mismatches() still recomputes every account from all of its entries.
 */
export const ledgerWalletCheckpoints = pgTable('ledger_wallet_checkpoints', {
  accountId: bigint('account_id', { mode: 'number' })
    .primaryKey()
    .references(() => ledgerAccounts.id, { onDelete: 'cascade' }),
  throughEntry: bigint('through_entry', { mode: 'number' }).notNull(),
  balance: money('balance').notNull(),
  checkedAt: ts('checked_at').notNull().defaultNow(),
});
