import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
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
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { countries, currencies, members, staff } from './core';
import { ledgerTransactions } from './ledger';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const money = (name: string) => numeric(name, { precision: 18, scale: 2 });

export const withdrawalStatus = pgEnum('withdrawal_status', ['pending', 'approved', 'processing', 'paid', 'rejected', 'failed']);
export const payoutMethod = pgEnum('payout_method', ['stripe', 'bank_file']);

/**
 * A member's withdrawal request. The gross amount is held in the ledger (a pending transaction)
 * from the request until it is paid (posted and settled) or rejected / failed (voided).
 * Each decision keeps who, when and why; every change is also in the audit log.
 */
export const withdrawals = pgTable(
  'withdrawals',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' })
      .notNull()
      .references(() => members.id),
    /** The member's country at the request (a queue filter that needs no join). */
    country: char('country', { length: 2 })
      .notNull()
      .references(() => countries.code),
    currency: char('currency', { length: 3 })
      .notNull()
      .references(() => currencies.code),
    /** Gross amount requested and held; fee taken from it; net is what the member receives. */
    amount: money('amount').notNull(),
    fee: money('fee').notNull(),
    net: money('net').notNull(),
    status: withdrawalStatus('status').notNull().default('pending'),
    /** 'member_app' (arrived from the member app) or 'staff' (entered here on the member's behalf). */
    source: text('source').notNull(),
    requestedAt: ts('requested_at').notNull().defaultNow(),
    requestedBy: uuid('requested_by').references(() => staff.id),
    requestNote: text('request_note'),
    /** Risk flags at request time as bits (see main/domain/withdrawals.ts), details in risk_details. */
    riskMask: smallint('risk_mask').notNull().default(0),
    riskDetails: jsonb('risk_details'),
    holdTransactionId: bigint('hold_transaction_id', { mode: 'number' })
      .notNull()
      .references(() => ledgerTransactions.id),
    settleTransactionId: bigint('settle_transaction_id', { mode: 'number' }).references(() => ledgerTransactions.id),
    /**
     * Four eyes: above the second-approval threshold (app_settings) a withdrawal needs two approvals
     * by two different people. The first approval stays here and the row stays `pending`
     * ("awaiting second approval"); the final approval is approved_by / approved_at. 1 or 2, decided
     * at the first approval from the threshold then in force.
     */
    approvalsRequired: smallint('approvals_required').notNull().default(1),
    firstApprovedBy: uuid('first_approved_by').references(() => staff.id),
    firstApprovedAt: ts('first_approved_at'),
    firstApprovalNote: text('first_approval_note'),
    approvedBy: uuid('approved_by').references(() => staff.id),
    approvedAt: ts('approved_at'),
    approvalNote: text('approval_note'),
    /** The member's destination in force at the (final) approval, and a copy of it: what the bank file pays. */
    payoutDestinationId: bigint('payout_destination_id', { mode: 'number' }).references((): AnyPgColumn => payoutDestinations.id),
    payoutDestination: jsonb('payout_destination'),
    rejectedBy: uuid('rejected_by').references(() => staff.id),
    rejectedAt: ts('rejected_at'),
    rejectionReason: text('rejection_reason'),
    payoutMethod: payoutMethod('payout_method'),
    processingBy: uuid('processing_by').references(() => staff.id),
    processingAt: ts('processing_at'),
    payoutAttempts: integer('payout_attempts').notNull().default(0),
    lastPayoutError: text('last_payout_error'),
    stripeDestination: text('stripe_destination'),
    stripeTransferId: text('stripe_transfer_id'),
    bankBatchId: uuid('bank_batch_id'),
    paidBy: uuid('paid_by').references(() => staff.id),
    paidAt: ts('paid_at'),
    payoutReference: text('payout_reference'),
    failedBy: uuid('failed_by').references(() => staff.id),
    failedAt: ts('failed_at'),
    failureReason: text('failure_reason'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // The queue's covering indexes (status or date order, INCLUDE the filtered and summed columns, so
    // that the page and the totals are index-only scans) are created in drizzle/*_withdrawals_queue_indexes.sql
    // drizzle/0074_withdrawals_queue_country_idx.sql and drizzle/0076_withdrawals_queue_flagged_idx.sql:
    // drizzle's index builder has no INCLUDE.
    index('withdrawals_member_idx').on(t.memberId, t.requestedAt.desc()),
    index('withdrawals_batch_idx')
      .on(t.bankBatchId)
      .where(sql`${t.bankBatchId} is not null`),
    uniqueIndex('withdrawals_stripe_transfer_key')
      .on(t.stripeTransferId)
      .where(sql`${t.stripeTransferId} is not null`),
    uniqueIndex('withdrawals_hold_key').on(t.holdTransactionId),
    check('withdrawals_amounts', sql`${t.amount} > 0 and ${t.fee} >= 0 and ${t.net} > 0 and ${t.net} = ${t.amount} - ${t.fee}`),
    check('withdrawals_source', sql`${t.source} in ('member_app', 'staff')`),
    // The contract's sizes for what a person types, held for every writer (a SQL client too).
    check(
      'withdrawals_text_sizes',
      sql`length(${t.requestNote}) <= 500 and length(${t.firstApprovalNote}) <= 500 and length(${t.approvalNote}) <= 500 and length(${t.rejectionReason}) <= 500 and length(${t.payoutReference}) <= 200`,
    ),
    check('withdrawals_rejected_has_reason', sql`${t.status} <> 'rejected' or (${t.rejectionReason} is not null and ${t.rejectedAt} is not null)`),
    check('withdrawals_failed_has_reason', sql`${t.status} <> 'failed' or (${t.failureReason} is not null and ${t.failedAt} is not null)`),
    check('withdrawals_approved_has_decision', sql`${t.status} not in ('approved', 'processing', 'paid') or ${t.approvedAt} is not null`),
    check(
      'withdrawals_processing_has_method',
      sql`${t.status} not in ('processing', 'paid') or (${t.payoutMethod} is not null and ${t.processingAt} is not null)`,
    ),
    // Four eyes, also in the database: whoever entered a withdrawal never approves it, and the two approvals are two people.
    check(
      'withdrawals_requester_not_approver',
      sql`${t.requestedBy} is null or (${t.requestedBy} is distinct from ${t.approvedBy} and ${t.requestedBy} is distinct from ${t.firstApprovedBy})`,
    ),
    check('withdrawals_two_approvers', sql`${t.firstApprovedBy} is null or ${t.firstApprovedBy} is distinct from ${t.approvedBy}`),
    check('withdrawals_approvals_required', sql`${t.approvalsRequired} in (1, 2) and (${t.approvalsRequired} = 2 or ${t.firstApprovedBy} is null)`),
    check('withdrawals_paid_settled', sql`${t.status} <> 'paid' or (${t.paidAt} is not null and ${t.settleTransactionId} is not null)`),
  ],
);

/**
 * The queue's totals, kept by the database (drizzle/0080): every statement that writes withdrawals
 * appends one row per (status, country, currency, risk flags) it changed, with the change in count
 * and sums; the totals of a set are the sums of its rows. Writers only append, so no two requests
 * or approvals ever wait on (or deadlock over) a shared total; every 200 rows a writer folds the
 * table back to one row per group. Filled and folded by SECURITY DEFINER triggers only: no staff
 * group writes it. Answers the queue's count and totals when its filters are these columns alone
 * (every row summed was 27–55 ms at 100,000 withdrawals).
 */
export const withdrawalTotals = pgTable('withdrawal_totals', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  status: withdrawalStatus('status').notNull(),
  country: char('country', { length: 2 }).notNull(),
  currency: char('currency', { length: 3 }).notNull(),
  riskMask: smallint('risk_mask').notNull(),
  n: integer('n').notNull(),
  amount: numeric('amount').notNull(),
  fee: numeric('fee').notNull(),
  net: numeric('net').notNull(),
});

/** Every payout attempt and its outcome (a Stripe call, or a bank file line). */
export const withdrawalPayoutAttempts = pgTable(
  'withdrawal_payout_attempts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    withdrawalId: bigint('withdrawal_id', { mode: 'number' })
      .notNull()
      .references(() => withdrawals.id),
    method: payoutMethod('method').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    startedBy: uuid('started_by').references(() => staff.id),
    startedAt: ts('started_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
    /** paid | declined | unknown (timeout, 5xx: retry with the same key) | batched */
    outcome: text('outcome'),
    stripeTransferId: text('stripe_transfer_id'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
  },
  (t) => [index('withdrawal_payout_attempts_withdrawal_idx').on(t.withdrawalId, t.id)],
);

/** A bank-transfer batch file handed to finance. */
export const payoutBatches = pgTable('payout_batches', {
  id: uuid('id').primaryKey().defaultRandom(),
  createdBy: uuid('created_by').references(() => staff.id),
  createdAt: ts('created_at').notNull().defaultNow(),
  count: integer('count').notNull(),
  totals: jsonb('totals').notNull(),
  fileName: text('file_name').notNull(),
});

export const accountType = pgEnum('payout_account_type', ['checking', 'savings']);

/**
 * Where a member is paid by bank, one destination in force per (member, country); a change
 * supersedes the row in force (kept, never edited) and stamps members.payout_destination_changed_at
 * (the 72-hour risk flag). Checked by main/domain/payout-destination.ts. For Mexico account_number
 * is the CLABE and bank_code its first three digits.
 */
export const payoutDestinations = pgTable(
  'payout_destinations',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' })
      .notNull()
      .references(() => members.id),
    country: char('country', { length: 2 })
      .notNull()
      .references(() => countries.code),
    holderName: text('holder_name').notNull(),
    taxId: text('tax_id').notNull(),
    bankCode: text('bank_code'),
    bankName: text('bank_name'),
    accountType: accountType('account_type'),
    routingNumber: text('routing_number'),
    accountNumber: text('account_number').notNull(),
    createdBy: uuid('created_by').references(() => staff.id),
    createdAt: ts('created_at').notNull().defaultNow(),
    supersededAt: ts('superseded_at'),
    supersededBy: uuid('superseded_by').references(() => staff.id),
  },
  (t) => [
    uniqueIndex('payout_destinations_in_force_key')
      .on(t.memberId, t.country)
      .where(sql`${t.supersededAt} is null`),
    index('payout_destinations_member_idx').on(t.memberId, t.createdAt.desc()),
    check('payout_destinations_holder', sql`length(trim(${t.holderName})) > 0`),
    check('payout_destinations_mx_clabe', sql`${t.country} <> 'MX' or ${t.accountNumber} ~ '^[0-9]{18}$'`),
    check('payout_destinations_us_routing', sql`${t.country} <> 'US' or ${t.routingNumber} ~ '^[0-9]{9}$'`),
  ],
);
