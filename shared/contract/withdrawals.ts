import { z } from 'zod';
import { ALL_STAFF, mutation, PageInput, pageOf, query } from './define';
import { CountryCode, CurrencyCode, Instant, MoneyString, PositiveMoneyString } from '../money';
import { MemberId, WalletEntry, WalletSummary } from './wallet';
import { rule } from '../error-messages';

export const WITHDRAWAL_STATUSES = ['pending', 'approved', 'processing', 'paid', 'rejected', 'failed'] as const;
export const WithdrawalStatusSchema = z.enum(WITHDRAWAL_STATUSES);
export const RISK_FLAG_CODES = ['frequent', 'large', 'no_history', 'destination_changed', 'new_member'] as const;
export const RiskFlagSchema = z.enum(RISK_FLAG_CODES);
export const PayoutMethodSchema = z.enum(['stripe', 'bank_file']);

const FINANCE = ['admin', 'finance'] as const;
export const WithdrawalId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** Why a decision was taken: kept with the withdrawal and in the audit log. */
const Reason = z.string().trim().min(3, 'Escriba el motivo (al menos 3 caracteres)').max(500);
const Note = z.string().trim().max(500);
/** A non-negative amount for a range filter. */
const AmountBound = MoneyString.refine((s) => !s.startsWith('-'), rule('moneyNonNegative'));

export const WithdrawalFilters = z.object({
  status: WithdrawalStatusSchema.optional(),
  country: CountryCode.optional(),
  currency: CurrencyCode.optional(),
  /** Range on the amount in the withdrawal's own currency. */
  minAmount: AmountBound.optional(),
  maxAmount: AmountBound.optional(),
  /** Requested at or after `from`, before `to`. */
  from: Instant.optional(),
  to: Instant.optional(),
  /** any: at least one flag; none: no flag; or one flag. */
  risk: z.union([z.enum(['any', 'none']), RiskFlagSchema]).optional(),
  memberId: MemberId.optional(),
});
export const QueueSort = z.enum(['requestedAt', 'amount', 'member', 'status']);

export const WithdrawalRow = z.object({
  id: z.number().int(),
  memberId: z.number().int(),
  memberCode: z.string(),
  memberName: z.string(),
  country: CountryCode,
  currency: CurrencyCode,
  amount: MoneyString,
  fee: MoneyString,
  net: MoneyString,
  status: WithdrawalStatusSchema,
  source: z.enum(['member_app', 'staff']),
  requestedAt: Instant,
  riskFlags: z.array(RiskFlagSchema),
  payoutMethod: PayoutMethodSchema.nullable(),
  lastPayoutError: z.string().nullable(),
  updatedAt: Instant,
  /** 2 when the amount was above the second-approval threshold at the first approval. */
  approvalsRequired: z.number().int(),
  /** Pending with one approval given: another person must approve before payout. */
  awaitingSecondApproval: z.boolean(),
});
export type WithdrawalRow = z.infer<typeof WithdrawalRow>;

export const CurrencyTotal = z.object({ currency: CurrencyCode, count: z.number().int(), amount: MoneyString, fee: MoneyString, net: MoneyString });

export const Decision = z.object({
  action: z.enum(['requested', 'first_approved', 'approved', 'rejected', 'processing', 'paid', 'failed']),
  by: z.string().nullable(),
  at: Instant,
  note: z.string().nullable(),
});

export const ACCOUNT_TYPES = ['checking', 'savings'] as const;
/** A bank account a member is paid to (numbers masked to the last 4 for support). */
export const PayoutDestination = z.object({
  id: z.number().int(),
  country: CountryCode,
  holderName: z.string(),
  taxId: z.string(),
  bankCode: z.string().nullable(),
  bankName: z.string().nullable(),
  accountType: z.enum(ACCOUNT_TYPES).nullable(),
  routingNumber: z.string().nullable(),
  accountNumber: z.string(),
});
export const PayoutDestinationView = PayoutDestination.extend({
  masked: z.boolean(),
  createdAt: Instant,
  createdBy: z.string().nullable(),
  supersededAt: Instant.nullable(),
});
const Field = (max: number) => z.string().trim().max(max);
export const DestinationInput = z
  .object({
    memberId: MemberId,
    country: CountryCode,
    holderName: Field(200),
    taxId: Field(40),
    clabe: Field(40).optional(),
    routingNumber: Field(20).optional(),
    accountNumber: Field(40).optional(),
    bankName: Field(120).optional(),
    accountType: z.enum(ACCOUNT_TYPES).optional(),
    reason: Note.optional(),
  })
  .strict();

export const MoneyControlSettings = z.object({
  secondApprovalThresholdMxn: MoneyString,
  updatedBy: z.string().nullable(),
  updatedAt: Instant.nullable(),
  equivalents: z.array(z.object({ currency: CurrencyCode, amount: MoneyString.nullable(), rate: z.string().nullable() })),
});

export const PayoutAttempt = z.object({
  id: z.number().int(),
  method: PayoutMethodSchema,
  idempotencyKey: z.string(),
  startedBy: z.string().nullable(),
  startedAt: Instant,
  finishedAt: Instant.nullable(),
  outcome: z.string().nullable(),
  stripeTransferId: z.string().nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
});

export const RiskFinding = z.object({
  flag: RiskFlagSchema,
  /** Facts behind the flag (count, average, threshold, dates), as strings or numbers. */
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  /** Raised at the request; `now` when it also holds today (destination / frequency move on). */
  atRequest: z.boolean(),
  now: z.boolean(),
});

export const WithdrawalDetail = z.object({
  withdrawal: WithdrawalRow.extend({
    stripeDestination: z.string().nullable(),
    stripeTransferId: z.string().nullable(),
    bankBatchId: z.string().nullable(),
    payoutReference: z.string().nullable(),
    payoutAttempts: z.number().int(),
    rejectionReason: z.string().nullable(),
    failureReason: z.string().nullable(),
    /** The destination copied at approval: what the bank file pays. */
    destination: PayoutDestination.nullable(),
  }),
  member: z.object({
    id: z.number().int(),
    code: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    country: CountryCode,
    status: z.string(),
    enrolledAt: Instant,
    stripeAccountId: z.string().nullable(),
    payoutDestinationChangedAt: Instant.nullable(),
    /** The member's destination in force now for the withdrawal's country. */
    destination: PayoutDestination.nullable(),
  }),
  wallet: WalletSummary,
  risk: z.array(RiskFinding),
  decisions: z.array(Decision),
  attempts: z.array(PayoutAttempt),
  previous: z.array(WithdrawalRow),
  history: z.array(WalletEntry),
});

export const PayoutResult = z.object({
  id: z.number().int(),
  status: WithdrawalStatusSchema,
  /** paid / declined (failed, hold released) / unknown (still processing: retry with the same key) */
  outcome: z.enum(['paid', 'declined', 'unknown']),
  message: z.string().nullable(),
  stripeTransferId: z.string().nullable(),
});

export const withdrawalsContract = {
  'withdrawals.list': query({
    roles: FINANCE,
    summary: 'The withdrawal queue: filtered, sorted, paged, with the totals of the filtered set per currency.',
    input: PageInput.extend(WithdrawalFilters.shape)
      .extend({ sort: QueueSort.default('requestedAt'), dir: z.enum(['asc', 'desc']).default('desc') })
      .strict(),
    output: pageOf(WithdrawalRow).extend({ totals: z.array(CurrencyTotal) }),
  }),
  'withdrawals.get': query({
    roles: FINANCE,
    summary: 'One withdrawal with its member, wallet, ledger history, risk flags, decisions, payout attempts and previous withdrawals.',
    input: z.object({ id: WithdrawalId }).strict(),
    output: WithdrawalDetail,
  }),
  'withdrawals.export': query({
    roles: FINANCE,
    summary: 'The filtered queue as CSV (UTF-8), at most 50,000 rows.',
    input: WithdrawalFilters.extend({ sort: QueueSort.default('requestedAt'), dir: z.enum(['asc', 'desc']).default('desc') }).strict(),
    output: z.object({ fileName: z.string(), csv: z.string(), rows: z.number().int(), truncated: z.boolean() }),
  }),
  'withdrawals.quote': query({
    roles: FINANCE,
    summary: 'Minimum, fee and net of a withdrawal amount for a member (plan in force), and the available balance.',
    input: z.object({ memberId: MemberId, amount: PositiveMoneyString }).strict(),
    output: z.object({
      currency: CurrencyCode,
      minimum: MoneyString,
      fee: MoneyString,
      net: MoneyString,
      available: MoneyString,
      ok: z.boolean(),
      problem: z.string().nullable(),
      /** Why not, for the screen to word in its language: the amount is the minimum, the fee or the available balance. */
      problemCode: z.enum(['below_minimum', 'fee_exceeds_amount', 'no_rule', 'insufficient', 'drifted']).nullable(),
      problemAmount: MoneyString.nullable(),
    }),
  }),
  'withdrawals.request': mutation({
    roles: FINANCE,
    summary: "Enters a withdrawal request on a member's behalf: the amount moves to a hold.",
    input: z
      .object({
        memberId: MemberId,
        amount: PositiveMoneyString,
        currency: CurrencyCode,
        note: Note.optional(),
        /** One key per request form: a double submit answers the first request. */
        requestKey: z.string().uuid().optional(),
      })
      .strict(),
    output: WithdrawalRow,
  }),
  'withdrawals.approve': mutation({
    roles: FINANCE,
    summary: 'Approves a pending withdrawal (never by whoever entered it); above the threshold the first approval waits for a second person.',
    input: z.object({ id: WithdrawalId, note: Note.optional() }).strict(),
    output: WithdrawalRow,
  }),
  'withdrawals.approveMany': mutation({
    roles: FINANCE,
    summary: 'Approves a selection of pending withdrawals row by row under the four-eyes rules; names the rows that need someone else.',
    input: z.object({ ids: z.array(WithdrawalId).min(1).max(500), note: Note.optional() }).strict(),
    output: z.object({
      count: z.number().int(),
      totals: z.array(CurrencyTotal),
      /** Above the threshold: first approval given, a second person must approve. */
      firstApprovals: z.array(z.object({ id: z.number().int(), memberCode: z.string() })),
      /** Left as they were: this person entered them, or already gave their first approval. */
      needsSomeoneElse: z.array(z.object({ id: z.number().int(), memberCode: z.string(), rule: z.enum(['entered_by_you', 'first_approval_by_you']) })),
    }),
  }),
  'withdrawals.reject': mutation({
    roles: FINANCE,
    summary: 'Rejects a pending withdrawal with a reason; the hold is released.',
    input: z.object({ id: WithdrawalId, reason: Reason }).strict(),
    output: WithdrawalRow,
  }),
  'withdrawals.payout': mutation({
    roles: FINANCE,
    summary: 'Pays an approved withdrawal by Stripe Connect transfer (or retries one whose outcome is unknown, same idempotency key).',
    input: z.object({ id: WithdrawalId }).strict(),
    output: PayoutResult,
  }),
  'withdrawals.bankFile': mutation({
    roles: FINANCE,
    summary: 'Puts approved withdrawals in a bank-transfer batch (processing) and answers the CSV file.',
    input: z.object({ ids: z.array(WithdrawalId).min(1).max(2000) }).strict(),
    output: z.object({ batchId: z.string().uuid(), fileName: z.string(), csv: z.string(), count: z.number().int(), totals: z.array(CurrencyTotal) }),
  }),
  'withdrawals.markPaid': mutation({
    roles: FINANCE,
    summary: 'Records that the bank paid a withdrawal of a batch: the hold is settled.',
    input: z.object({ id: WithdrawalId, reference: z.string().trim().min(1).max(200) }).strict(),
    output: WithdrawalRow,
  }),
  'withdrawals.markFailed': mutation({
    roles: FINANCE,
    summary: 'Records that the bank did not pay a withdrawal of a batch, with the reason: the hold is released.',
    input: z.object({ id: WithdrawalId, reason: Reason }).strict(),
    output: WithdrawalRow,
  }),
  'withdrawals.settings': query({
    roles: FINANCE,
    summary: 'The money controls: the amount above which a withdrawal needs two approvers (MXN, and its equivalents at the rates in force).',
    input: z.object({}).strict().default({}),
    output: MoneyControlSettings,
  }),
  'withdrawals.setSettings': mutation({
    roles: ['admin'],
    summary: 'Sets the second-approval threshold (MXN); audited with before and after.',
    input: z
      .object({
        secondApprovalThresholdMxn: PositiveMoneyString,
        reason: Note.optional(),
      })
      .strict(),
    output: MoneyControlSettings,
  }),
  'payoutDestinations.list': query({
    roles: ALL_STAFF,
    summary: "A member's payout destinations (in force and replaced); support sees the numbers masked to the last 4.",
    input: z.object({ memberId: MemberId }).strict(),
    output: z.object({ inForce: z.array(PayoutDestinationView), history: z.array(PayoutDestinationView), changedAt: Instant.nullable(), masked: z.boolean() }),
  }),
  'payoutDestinations.set': mutation({
    roles: FINANCE,
    summary: "Enters or changes a member's payout destination for a country (CLABE + RFC, ABA routing + account, or bank + type + account); audited.",
    input: DestinationInput,
    output: PayoutDestinationView,
  }),
};
