/**
 * The wallet ledger's service API, for every area that moves money (commissions, clawbacks,
 * withdrawals, wallet payments, adjustments). See README.md beside this file.
 *
 *   await postTransfer(ctx.tx, {
 *     idempotencyKey: `commission:${lineId}`, kind: 'commission', currency: 'MXN', periodId,
 *     entries: [{ account: { company: 'commission_expense' }, amount: '-125.00' },
 *               { account: { member: 42 }, amount: '125.00' }],
 *     reference: { commissionLineId: lineId },
 *   });
 *
 * Amounts are signed decimal strings (+ raises an account's balance, − lowers it) and must sum to
 * zero; the database checks it again at commit. One SQL call does the whole posting.
 */
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type postgres from 'postgres';
import { clientOf, type DbOrTx } from '../../db/client';
import { ledgerAccounts, ledgerEntries } from '../../db/schema';
import { AppError } from '../../../shared/errors';
import { Decimal, isCurrency, isDecimalString, type Currency } from '../../domain/money';

export const COMPANY_ACCOUNT_KINDS = [
  'commission_expense',
  'withdrawal_holds',
  'withdrawal_clearing',
  'fee_income',
  'payouts_clearing',
  'adjustments',
] as const;
export type CompanyAccountKind = (typeof COMPANY_ACCOUNT_KINDS)[number];
export type AccountKind = 'member_wallet' | CompanyAccountKind;

/**
 * Company accounts are split in this many slots (rows) per currency: a posting touches the slot
 * picked by its idempotency key, so 16 clients do not queue on one row lock. Their balance is the
 * sum of the slots. Changing the number only spreads new postings differently.
 */
export const COMPANY_SLOTS = 16;

export type AccountRef = { member: number } | { company: CompanyAccountKind } | { accountId: number };

export interface TransferEntry {
  account: AccountRef;
  /** Signed decimal string, at most 2 decimals, never zero. */
  amount: string;
}

/** Kinds of posting (free text checked by the database: lower case, dots and underscores). */
export type TransferKind = 'commission' | 'clawback' | 'withdrawal.hold' | 'withdrawal.settle' | 'wallet.payment' | 'adjustment' | (string & {});

export interface Transfer {
  idempotencyKey: string;
  kind: TransferKind;
  currency: Currency;
  entries: TransferEntry[];
  reference?: Record<string, unknown> | null;
  /** The commission period the posting belongs to (commission and clawback postings). */
  periodId?: number | null;
  memo?: string | null;
  /** Two-phase: hold the amounts (pending) until postPending / voidPending. */
  pending?: boolean;
  /** Only for clawbacks: the posting may take a member wallet below zero. */
  allowNegative?: boolean;
  at?: Date;
}

export interface PostResult {
  transactionId: number;
  /** True when the same key was posted before with the same body: nothing was written again. */
  replayed: boolean;
  status: 'pending' | 'posted' | 'voided';
}

const KIND_RE = /^[a-z][a-z_.]{0,40}$/;

/** The company slot a posting touches: picked by its idempotency key (postTransfer). */
function keySlot(key: string): number {
  return fnv1a(key) % COMPANY_SLOTS;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** JSON with sorted keys, so that equal bodies hash equally. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

interface ResolvedEntry {
  ref: string;
  id: number | null;
  slot: number;
  amount: string;
}

function resolveEntries(t: Transfer): ResolvedEntry[] {
  const slot = keySlot(t.idempotencyKey);
  return t.entries.map((e) => {
    const a = e.account;
    const amount = normaliseAmount(e.amount);
    if ('member' in a) {
      if (!Number.isSafeInteger(a.member) || a.member <= 0) throw invalid('Socio inválido en el asiento.');
      return { ref: 'member', id: a.member, slot: 0, amount };
    }
    if ('accountId' in a) {
      if (!Number.isSafeInteger(a.accountId) || a.accountId <= 0) throw invalid('Cuenta inválida en el asiento.');
      return { ref: 'account', id: a.accountId, slot: 0, amount };
    }
    if (!(COMPANY_ACCOUNT_KINDS as readonly string[]).includes(a.company)) throw invalid(`Cuenta de la empresa desconocida: ${String(a.company)}`);
    return { ref: a.company, id: null, slot, amount };
  });
}

/** An entry on a company account (slotted), not a member wallet or an account by id. */
function isCompany(e: ResolvedEntry): boolean {
  return e.ref !== 'member' && e.ref !== 'account';
}

function invalid(message: string, details?: unknown) {
  return new AppError('VALIDATION', message, details);
}

function normaliseAmount(raw: unknown): string {
  if (typeof raw !== 'string' || !isDecimalString(raw, { maxDecimals: 2 })) {
    throw invalid('Importe inválido: use un decimal con a lo más 2 decimales.', { amount: raw });
  }
  const d = new Decimal(raw);
  if (d.isZero()) throw invalid('Un asiento no puede ser de importe cero.', { amount: raw });
  if (d.abs().gte('1e16')) throw invalid('Importe fuera de rango.', { amount: raw });
  return d.toFixed(2);
}

/** Checks a transfer before it reaches the database (which checks it again). */
export function checkTransfer(t: Transfer): ResolvedEntry[] {
  if (typeof t.idempotencyKey !== 'string' || t.idempotencyKey.length < 1 || t.idempotencyKey.length > 200) {
    throw invalid('Falta la clave de idempotencia del asiento (1 a 200 caracteres).');
  }
  if (!KIND_RE.test(t.kind)) throw invalid(`Tipo de asiento inválido: ${t.kind}`);
  if (!isCurrency(t.currency)) throw invalid(`Moneda inválida: ${String(t.currency)}`);
  if (!Array.isArray(t.entries) || t.entries.length < 2) throw invalid('Un asiento necesita al menos dos movimientos.');
  if (t.allowNegative && t.kind !== 'clawback') throw invalid('Solo una reversa (clawback) puede dejar un monedero en negativo.');
  const entries = resolveEntries(t);
  const sum = entries.reduce((s, e) => s.plus(e.amount), new Decimal(0));
  if (!sum.isZero()) throw invalid('Los movimientos del asiento no suman cero.', { sum: sum.toFixed(2) });
  return entries;
}

/** `slotless`: company entries hashed without their slot (a batch picks one slot for all of its transfers). */
function bodyHash(t: Transfer, entries: ResolvedEntry[], slotless = false): string {
  const body = canonical({
    kind: t.kind,
    currency: t.currency,
    pending: !!t.pending,
    allowNegative: !!t.allowNegative,
    reference: t.reference ?? null,
    periodId: t.periodId ?? null,
    memo: t.memo ?? null,
    entries: entries.map((e) => [e.ref, e.id, slotless && isCompany(e) ? null : e.slot, e.amount]),
  });
  return createHash('sha256').update(body).digest('hex');
}

/** Turns the ledger's SQLSTATEs into typed errors; anything else goes on to mapDbError. */
export function mapLedgerError(e: unknown): unknown {
  const err = pgError(e);
  switch (err?.code) {
    case 'NP001':
      return AppError.of('CONFLICT', 'ledger.idempotency', {}, { transactionId: Number(err.detail) });
    case 'NP002':
      return AppError.of('INSUFFICIENT_FUNDS', 'ledger.insufficient', {}, { accountId: Number(err.detail) });
    case 'NP003':
      return AppError.of('CONFLICT', 'ledger.holdDone', {}, { status: err.detail });
    case '23503':
      return AppError.of('VALIDATION', 'ledger.missingAccount', {}, { constraint: err.constraint_name });
    case 'NP004':
      return AppError.of('VALIDATION', 'ledger.wrongCurrency', { currency: err.detail ?? null }, { walletCurrency: err.detail });
    // A wallet whose cached figures differ from its entries (drizzle/0043): nothing is taken from it.
    case 'NP005':
      return AppError.of('CONFLICT', 'ledger.drift', {}, { accountId: Number(err.detail), rule: 'balance_differs_from_entries' });
    default:
      return err ?? e;
  }
}

/** The PostgreSQL error behind a Drizzle query error (drizzle wraps it in `cause`). */
export function pgError(e: unknown): { code?: string; detail?: string; message?: string; constraint_name?: string } {
  let cur = e as { code?: string; cause?: unknown } | undefined;
  for (let i = 0; i < 4 && cur; i++) {
    if (typeof cur.code === 'string') return cur as never;
    cur = cur.cause as typeof cur;
  }
  return (e ?? {}) as never;
}

/**
 * Posts one transfer inside the caller's transaction. The accounts' rows are locked in id order
 * until the caller commits. Same key and body again → the first result (replayed: true); same
 * key, other body → CONFLICT. A member wallet debited below its available balance →
 * INSUFFICIENT_FUNDS (unless allowNegative, clawbacks only).
 */
export async function postTransfer(tx: DbOrTx, t: Transfer): Promise<PostResult> {
  const entries = checkTransfer(t);
  const hash = bodyHash(t, entries);
  const at = (t.at ?? new Date()).toISOString();
  const args = [
    t.idempotencyKey,
    hash,
    t.kind,
    t.currency,
    t.pending ? 'pending' : 'posted',
    !!t.allowNegative,
    t.reference == null ? null : JSON.stringify(t.reference),
    t.periodId ?? null,
    t.memo ?? null,
    JSON.stringify(entries),
    at,
  ];
  try {
    const rows = await run<{ transaction_id: string | number; replayed: boolean; status: PostResult['status'] }>(tx, POST_SQL, args);
    const r = rows[0]!;
    return { transactionId: Number(r.transaction_id), replayed: r.replayed, status: r.status };
  } catch (e) {
    throw mapLedgerError(e);
  }
}

const POST_SQL = `select * from ledger_post($1, $2, $3, $4::char(3), $5::ledger_tx_status, $6::boolean, $7::jsonb, $8::integer, $9::text, $10::jsonb, $11::timestamptz)`;

/** The most transfers one postTransfers call takes (a batch is one statement per step in the database). */
export const MAX_BATCH = 1000;

/**
 * Posts several transfers in one SQL call inside the caller's transaction, all or none (a batch,
 * as TigerBeetle's): each transfer by postTransfer's rules, in the order given — a wallet may be
 * debited by a later transfer with what an earlier one credited. Results come in the same order.
 * A refused transfer (INSUFFICIENT_FUNDS, CONFLICT, VALIDATION) refuses the batch; its error's
 * details name the transfer's index when the database says which. Keys must differ within a batch.
 * Replays are per transfer: a key already posted with the same body answers its first result
 * (however the retry is batched, and for a key posted before by postTransfer). The company
 * accounts' share of the batch goes to one slot, picked by the first transfer's key.
 */
export async function postTransfers(tx: DbOrTx, transfers: Transfer[]): Promise<PostResult[]> {
  if (!Array.isArray(transfers) || transfers.length === 0) return [];
  if (transfers.length > MAX_BATCH) throw invalid(`Un lote admite a lo más ${MAX_BATCH} asientos.`, { count: transfers.length });
  const keys = new Set<string>();
  const now = new Date();
  const checked = transfers.map((t, i) => {
    let own: ResolvedEntry[];
    try {
      own = checkTransfer(t);
    } catch (e) {
      throw e instanceof AppError
        ? new AppError(e.code, e.message, { ...(e.details as object | undefined), transfer: i }, e.key ? { key: e.key, params: e.params } : undefined)
        : e;
    }
    if (keys.has(t.idempotencyKey)) throw invalid('Una clave de idempotencia se repite en el lote.', { transfer: i });
    keys.add(t.idempotencyKey);
    return { t, own };
  });
  // One company slot for the whole batch (each transfer's own would lock every slot in every batch,
  // and concurrent batches would queue on them); hence the slotless body hash, so that a retry
  // batched differently replays. A key posted before by postTransfer replays by its own hash.
  const slot = keySlot(transfers[0]!.idempotencyKey);
  const body = checked.map(({ t, own }) => {
    const entries = own.map((e) => (isCompany(e) ? { ...e, slot } : e));
    return {
      key: t.idempotencyKey,
      hash: bodyHash(t, entries, true),
      key_slot_hash: bodyHash(t, own),
      kind: t.kind,
      currency: t.currency,
      status: t.pending ? 'pending' : 'posted',
      allow_negative: !!t.allowNegative,
      reference: t.reference ?? null,
      period_id: t.periodId ?? null,
      memo: t.memo ?? null,
      entries,
      at: t.at ? t.at.toISOString() : null,
    };
  });
  try {
    const rows = await run<{ ord: number; transaction_id: string | number; replayed: boolean; status: PostResult['status'] }>(tx, POST_MANY_SQL, [
      JSON.stringify(body),
      now.toISOString(),
    ]);
    return rows.map((r) => ({ transactionId: Number(r.transaction_id), replayed: r.replayed, status: r.status }));
  } catch (e) {
    throw mapLedgerError(e);
  }
}

const POST_MANY_SQL = `select * from ledger_post_many($1::jsonb, $2::timestamptz)`;

/**
 * Runs one of the ledger's fixed statements as a PREPARED statement on the connection of `db`
 * (the postgres.js client under Drizzle's database or transaction): parsed and planned once per
 * connection instead of on every posting.
 */
async function run<T>(db: DbOrTx, text: string, args: unknown[]): Promise<T[]> {
  return await clientOf(db).unsafe<T[]>(text, args as postgres.ParameterOrJSON<never>[], { prepare: true });
}

/** Two-phase: the held amounts of a pending transaction become balance. False when it already was posted. */
export async function postPending(tx: DbOrTx, transactionId: number, at: Date = new Date()): Promise<boolean> {
  return resolvePending(tx, transactionId, 'post', at);
}

/** Two-phase: releases a pending transaction's hold. False when it already was voided. */
export async function voidPending(tx: DbOrTx, transactionId: number, at: Date = new Date()): Promise<boolean> {
  return resolvePending(tx, transactionId, 'void', at);
}

async function resolvePending(tx: DbOrTx, transactionId: number, action: 'post' | 'void', at: Date): Promise<boolean> {
  try {
    const rows = await run<{ changed: boolean }>(tx, 'select ledger_resolve($1::bigint, $2::text, $3::timestamptz) as changed', [
      transactionId,
      action,
      at.toISOString(),
    ]);
    return rows[0]!.changed;
  } catch (e) {
    throw mapLedgerError(e);
  }
}

/** The member's wallet account (created on first use in the currency of the member's country). */
export async function memberWallet(tx: DbOrTx, memberId: number): Promise<{ accountId: number; currency: Currency }> {
  const rows = await tx.execute<{ id: string | number; currency: string }>(sql`
    select ledger_account_id('member', c.currency, m.id, 0) as id, c.currency
      from members m join countries c on c.code = m.country where m.id = ${memberId}`);
  const r = rows[0];
  if (!r) throw AppError.of('NOT_FOUND', 'member.notFound');
  return { accountId: Number(r.id), currency: r.currency as Currency };
}

export interface WalletBalance {
  memberId: number;
  accountId: number | null;
  currency: Currency;
  /** Posted balance (may be negative after a clawback). */
  balance: string;
  /** Held by pending transactions (withdrawal requests not yet paid). */
  held: string;
  /** balance − held: what a new withdrawal may take. */
  available: string;
  /** Credits pending (rare: a pending credit to the wallet). */
  incoming: string;
}

/**
 * Refuses (CONFLICT ledger.drift) when the member's wallet in `currency` has cached figures other
 * than the sums of its entries (drizzle/0043's ledger_verify_wallet); no wallet yet is fine. The
 * row is locked first, so nothing moves between the check and the caller's commit.
 */
export async function verifyWallet(tx: DbOrTx, memberId: number, currency: string): Promise<void> {
  try {
    // Through nnp_verify_member_wallet (0046): an approver's own login may run the check, not lock the row itself.
    await tx.execute(sql`select nnp_verify_member_wallet(${memberId}, ${currency})`);
  } catch (e) {
    throw mapLedgerError(e);
  }
}

/**
 * A wallet's balance and held amount as its entries say (what ledger_verify_wallet compares the
 * cache with), for reads that must not show a drifted cache as money (the withdrawal quote).
 */
export async function walletFromEntries(db: DbOrTx, accountId: number): Promise<{ balance: string; held: string }> {
  const [r] = await db.execute<{ balance: string; held: string }>(sql`
    with per_tx as (
      select t.status, sum(e.amount) as delta from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
       where e.account_id = ${accountId} group by e.transaction_id, t.status)
    select coalesce(sum(delta) filter (where status = 'posted'), 0)::text as balance,
           coalesce(sum(greatest(-delta, 0)) filter (where status = 'pending'), 0)::text as held
      from per_tx`);
  return { balance: new Decimal(r!.balance).toFixed(2), held: new Decimal(r!.held).toFixed(2) };
}

/** The member's balance from the cached account row (no wallet yet → zero in the member's currency). */
export async function memberBalance(db: DbOrTx, memberId: number): Promise<WalletBalance> {
  const rows = await db.execute<{
    currency: string;
    id: string | number | null;
    balance: string | null;
    pending_in: string | null;
    pending_out: string | null;
  }>(sql`
    select c.currency, a.id, a.balance, a.pending_in, a.pending_out
      from members m join countries c on c.code = m.country
      left join ledger_accounts a on a.kind = 'member_wallet' and a.member_id = m.id and a.currency = c.currency
     where m.id = ${memberId}`);
  const r = rows[0];
  if (!r) throw AppError.of('NOT_FOUND', 'member.notFound');
  const balance = new Decimal(r.balance ?? '0');
  const held = new Decimal(r.pending_out ?? '0');
  return {
    memberId,
    accountId: r.id == null ? null : Number(r.id),
    currency: r.currency as Currency,
    balance: balance.toFixed(2),
    held: held.toFixed(2),
    available: balance.minus(held).toFixed(2),
    incoming: new Decimal(r.pending_in ?? '0').toFixed(2),
  };
}

/** A company account's balance: the sum of its slots. */
export async function companyBalance(
  db: DbOrTx,
  kind: CompanyAccountKind,
  currency: Currency,
): Promise<{ balance: string; pendingIn: string; pendingOut: string }> {
  const [r] = await db
    .select({
      balance: sql<string>`coalesce(sum(${ledgerAccounts.balance}), 0)::text`,
      pendingIn: sql<string>`coalesce(sum(${ledgerAccounts.pendingIn}), 0)::text`,
      pendingOut: sql<string>`coalesce(sum(${ledgerAccounts.pendingOut}), 0)::text`,
    })
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.kind, kind), eq(ledgerAccounts.currency, currency), sql`${ledgerAccounts.memberId} is null`));
  return { balance: new Decimal(r!.balance).toFixed(2), pendingIn: new Decimal(r!.pendingIn).toFixed(2), pendingOut: new Decimal(r!.pendingOut).toFixed(2) };
}

export interface Mismatch {
  accountId: number;
  balance: string;
  expectedBalance: string;
  pendingIn: string;
  expectedPendingIn: string;
  pendingOut: string;
  expectedPendingOut: string;
}

/** Recomputes every balance from the entries: the accounts whose cached figures differ (empty = exact). */
export async function ledgerMismatches(db: DbOrTx): Promise<Mismatch[]> {
  // The function's columns (drizzle/current): bigint and numeric arrive as text.
  const rows = await db.execute<{
    account_id: string;
    balance: string;
    expected_balance: string;
    pending_in: string;
    expected_pending_in: string;
    pending_out: string;
    expected_pending_out: string;
  }>(sql`select * from ledger_mismatches()`);
  return rows.map((r) => ({
    accountId: Number(r.account_id),
    balance: r.balance,
    expectedBalance: r.expected_balance,
    pendingIn: r.pending_in,
    expectedPendingIn: r.expected_pending_in,
    pendingOut: r.pending_out,
    expectedPendingOut: r.expected_pending_out,
  }));
}

/** Transactions whose entries do not sum to zero per currency (empty = the ledger balances). */
export async function unbalancedTransactions(db: DbOrTx): Promise<{ transactionId: number; currency: string; sum: string }[]> {
  const e = ledgerEntries;
  const rows = await db
    .select({ transactionId: e.transactionId, currency: e.currency, total: sql<string>`sum(${e.amount})::text` })
    .from(e)
    .groupBy(e.transactionId, e.currency)
    .having(sql`sum(${e.amount}) <> 0`);
  return rows.map((r) => ({ transactionId: Number(r.transactionId), currency: r.currency, sum: r.total }));
}
