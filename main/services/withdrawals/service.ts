/**
 * The withdrawal workflow (the plan's "Wallet and withdrawals"):
 *   request  → the gross amount is held (pending ledger transaction wallet → withdrawal holds)
 *   pending  → approved → processing → paid     (hold posted, then settled: holds → clearing + fee income)
 *   pending  → rejected                          (hold voided: released)
 *   processing → failed                          (hold voided, reason kept)
 * Every function runs inside the caller's transaction (ctx.tx of a mutator) and writes its audit
 * rows there. A withdrawal's row is locked (FOR UPDATE) before any decision, so two staff deciding
 * at once are serialised and the second one sees the first one's result.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { payoutBatches, withdrawalPayoutAttempts, withdrawals } from '../../db/schema';
import type { MutationContext } from '../../kernel/context';
import { AppError } from '../../../shared/errors';
import type { WithdrawalRow } from '../../../shared/contract/withdrawals';
import { Decimal, isCurrency, parseMoney, type Currency } from '../../domain/money';
import { flagsOfMask, quoteWithdrawal, type WithdrawalStatus } from '../../domain/withdrawals';
import { currentPlan } from '../plan/current';
import { mapLedgerError, memberBalance, verifyWallet, walletFromEntries } from '../ledger/ledger';
import { needsSecondApproval } from './settings';
import { destinationInForce, snapshotOf } from './destinations';
import { ROW_COLUMNS, toRow, type RawRow } from './queue';
import type { StripeSettings, TransferOutcome, TransferRequest } from './stripe';

type W = typeof withdrawals.$inferSelect;

export interface MemberInfo {
  id: number;
  code: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  country: string;
  currency: Currency;
  status: string;
  enrolledAt: Date;
  stripeAccountId: string | null;
  payoutDestinationChangedAt: Date | null;
}

export async function loadMember(db: DbOrTx, memberId: number): Promise<MemberInfo> {
  const rows = await db.execute<Record<string, unknown>>(sql`
    select m.id, m.code, m.first_name, m.last_name, m.email, m.phone, m.country, c.currency, m.status, m.enrolled_at, m.stripe_account_id, m.payout_destination_changed_at
      from members m join countries c on c.code = m.country where m.id = ${memberId}`);
  const r = rows[0];
  if (!r) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId });
  const d = (v: unknown) => (v == null ? null : v instanceof Date ? v : new Date(String(v)));
  return {
    id: Number(r.id),
    code: String(r.code),
    firstName: String(r.first_name),
    lastName: String(r.last_name),
    email: (r.email as string | null) ?? null,
    phone: (r.phone as string | null) ?? null,
    country: String(r.country).trim(),
    currency: String(r.currency).trim() as Currency,
    status: String(r.status),
    enrolledAt: d(r.enrolled_at)!,
    stripeAccountId: (r.stripe_account_id as string | null) ?? null,
    payoutDestinationChangedAt: d(r.payout_destination_changed_at),
  };
}

export async function withdrawalRow(db: DbOrTx, id: number): Promise<WithdrawalRow> {
  const rows = await db.execute<RawRow>(sql`select ${ROW_COLUMNS} from withdrawals w join members m on m.id = w.member_id where w.id = ${id}`);
  if (!rows[0]) throw AppError.of('NOT_FOUND', 'withdrawal.notFound', {}, { id });
  return toRow(rows[0]);
}

async function lock(ctx: MutationContext, id: number): Promise<W> {
  const [w] = await ctx.tx.select().from(withdrawals).where(eq(withdrawals.id, id)).for('update');
  if (!w) throw AppError.of('NOT_FOUND', 'withdrawal.notFound', {}, { id });
  return w;
}

function notIn(w: W, expected: WithdrawalStatus[], action: string): AppError {
  if (w.status === 'pending' && w.firstApprovedBy) {
    return AppError.of('CONFLICT', 'withdrawal.awaitingSecond', { id: w.id }, { id: w.id, status: w.status, awaitingSecondApproval: true, expected, action });
  }
  return AppError.of('CONFLICT', 'withdrawal.wrongState', { id: w.id, status: w.status }, { id: w.id, status: w.status, expected, action });
}

/** What the audit keeps of a withdrawal. */
const snapshot = (w: W) => ({
  status: w.status,
  amount: w.amount,
  fee: w.fee,
  net: w.net,
  currency: w.currency,
  memberId: w.memberId,
  payoutMethod: w.payoutMethod,
  stripeTransferId: w.stripeTransferId,
  bankBatchId: w.bankBatchId,
  approvalsRequired: w.approvalsRequired,
  firstApprovedBy: w.firstApprovedBy,
  approvedBy: w.approvedBy,
  payoutDestinationId: w.payoutDestinationId,
});

// ---------------------------------------------------------------------------------------------
// Request

export interface RequestInput {
  memberId: number;
  amount: string;
  currency: string;
  note?: string;
  requestKey?: string;
  source: 'staff' | 'member_app';
}

export async function requestWithdrawal(ctx: MutationContext, input: RequestInput): Promise<WithdrawalRow> {
  const now = ctx.now();
  let amount: Decimal;
  try {
    amount = parseMoney(input.amount, { nonNegative: true });
  } catch {
    throw AppError.fields([{ path: 'amount', rule: 'money' }], 'withdrawal.amountFormat');
  }
  if (amount.lte(0)) throw AppError.fields([{ path: 'amount', rule: 'moneyPositive' }], 'withdrawal.amountPositive');
  if (!isCurrency(input.currency)) throw AppError.fields([{ path: 'currency', rule: 'oneOf' }]);
  const member = await loadMember(ctx.tx, input.memberId);
  if (input.currency !== member.currency) {
    throw AppError.of('VALIDATION', 'withdrawal.currency', { currency: member.currency }, { walletCurrency: member.currency, currency: input.currency });
  }
  const plan = await currentPlan(ctx.tx, now);
  const q = quoteWithdrawal(plan, member.currency, amount);
  if (!q.ok) {
    const p = q.problem;
    if (p.code === 'below_minimum') throw AppError.of('VALIDATION', 'withdrawal.belowMinimum', { minimum: p.minimum, currency: member.currency }, p);
    if (p.code === 'no_rule') throw AppError.of('VALIDATION', 'withdrawal.noRule', { currency: member.currency }, p);
    throw AppError.of('VALIDATION', 'withdrawal.feeTooBig', { fee: p.fee }, p);
  }
  // Fee, hold, risk flags and the row: one database step (drizzle/0066), in this person's own name;
  // the checks above only word the refusals a person can act on.
  const requestKey = input.requestKey ?? randomUUID();
  let made: { withdrawal_id: string; replayed: boolean } | undefined;
  try {
    [made] = await ctx.tx.execute<{ withdrawal_id: string; replayed: boolean }>(sql`
      select * from nnp_withdrawal_request(${member.id}, ${q.quote.amount}::numeric, ${member.currency}, ${input.note ?? null}, ${requestKey},
        ${now.toISOString()}::timestamptz, ${ctx.staff?.id ?? null}::uuid, ${input.source})`);
  } catch (e) {
    throw mapLedgerError(e);
  }
  const id = Number(made!.withdrawal_id);
  if (made!.replayed) {
    await ctx.audit({ entity: 'withdrawal', entityId: id, after: { replayed: true, requestKey: input.requestKey ?? null } });
    return withdrawalRow(ctx.tx, id);
  }
  const [w] = await ctx.tx.select().from(withdrawals).where(eq(withdrawals.id, id));
  await ctx.audit({
    entity: 'withdrawal',
    entityId: id,
    reason: input.note || null,
    after: {
      ...snapshot(w!),
      riskFlags: flagsOfMask(w!.riskMask),
      holdTransactionId: w!.holdTransactionId,
      source: input.source,
      onBehalfOfMember: input.source === 'staff',
    },
  });
  return withdrawalRow(ctx.tx, id);
}

// ---------------------------------------------------------------------------------------------
// Decisions

/** Why this person cannot approve this withdrawal (four eyes), or null. */
export type NeedsSomeoneElse = 'entered_by_you' | 'first_approval_by_you';

function fourEyes(w: W, staffId: string | null): NeedsSomeoneElse | null {
  if (staffId && w.requestedBy === staffId) return 'entered_by_you';
  if (staffId && w.firstApprovedBy === staffId) return 'first_approval_by_you';
  return null;
}

const FOUR_EYES_KEY = {
  entered_by_you: 'withdrawal.enteredByYou',
  first_approval_by_you: 'withdrawal.firstApprovalByYou',
} as const;

/**
 * One approval of a locked pending row by the current staff member. Below the threshold (or the
 * second approval) it approves: status approved and the destination in force is copied onto the
 * withdrawal. Above the threshold the first approval only records itself; the row stays pending,
 * "awaiting second approval", until another person approves.
 */
async function approveRow(ctx: MutationContext, w: W, note: string | undefined): Promise<{ stage: 'first' | 'final'; after: W }> {
  const now = ctx.now();
  const staffId = ctx.staff?.id ?? null;
  if (!w.firstApprovedBy) {
    const need = await needsSecondApproval(ctx.tx, w.currency as Currency, w.amount, now);
    if (need.required === 2) {
      const [after] = await ctx.tx
        .update(withdrawals)
        .set({
          approvalsRequired: 2,
          firstApprovedBy: staffId,
          firstApprovedAt: now,
          firstApprovalNote: note || null,
          updatedAt: now,
        })
        .where(eq(withdrawals.id, w.id))
        .returning();
      await ctx.audit({
        action: 'withdrawals.firstApproval',
        entity: 'withdrawal',
        entityId: w.id,
        before: snapshot(w),
        reason: note || null,
        after: { ...snapshot(after!), awaitingSecondApproval: true, amountMxn: need.amountMxn, thresholdMxn: need.thresholdMxn },
      });
      return { stage: 'first', after: after! };
    }
  }
  // The money approved is the hold on a wallet whose cache must still agree with its entries.
  await verifyWallet(ctx.tx, w.memberId, w.currency);
  const dest = await destinationInForce(ctx.tx, w.memberId, w.country);
  const [after] = await ctx.tx
    .update(withdrawals)
    .set({
      status: 'approved',
      approvedBy: staffId,
      approvedAt: now,
      approvalNote: note || null,
      updatedAt: now,
      payoutDestinationId: dest?.id ?? null,
      payoutDestination: dest ? snapshotOf(dest) : null,
    })
    .where(eq(withdrawals.id, w.id))
    .returning();
  await ctx.audit({ entity: 'withdrawal', entityId: w.id, before: snapshot(w), after: snapshot(after!), reason: note || null });
  return { stage: 'final', after: after! };
}

export async function approveWithdrawal(ctx: MutationContext, id: number, note?: string): Promise<WithdrawalRow> {
  const w = await lock(ctx, id);
  if (w.status !== 'pending') throw notIn(w, ['pending'], 'aprobar');
  const refusal = fourEyes(w, ctx.staff?.id ?? null);
  if (refusal) throw AppError.of('FORBIDDEN', FOUR_EYES_KEY[refusal], { id }, { id, rule: refusal });
  await approveRow(ctx, w, note);
  return withdrawalRow(ctx.tx, id);
}

/**
 * A selection approved row by row under the same rules: rows this person cannot approve (entered
 * them, or gave their first approval) are left for someone else and named in the answer; rows
 * above the threshold get their first approval. A selection with a row no longer pending changes
 * nothing (CONFLICT), as does one where no row could be approved by this person (FORBIDDEN).
 */
export async function approveMany(ctx: MutationContext, ids: number[], note?: string) {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  // Locked in id order: two batches over overlapping selections cannot deadlock.
  const rows = await ctx.tx.select().from(withdrawals).where(inArray(withdrawals.id, unique)).orderBy(asc(withdrawals.id)).for('update');
  const missing = unique.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length) throw AppError.of('NOT_FOUND', 'withdrawal.someMissing', { ids: missing.join(', ') }, { missing });
  const notPending = rows.filter((r) => r.status !== 'pending');
  if (notPending.length) {
    throw AppError.of(
      'CONFLICT',
      'withdrawal.onlyPending',
      { list: notPending.map((r) => r.id).join(', ') },
      { notPending: notPending.map((r) => ({ id: r.id, status: r.status })) },
    );
  }
  const codes = new Map(
    (
      await ctx.tx.execute<{ id: string; code: string }>(sql`
    select w.id, m.code from withdrawals w join members m on m.id = w.member_id where w.id = any(${`{${unique.join(',')}}`}::bigint[])`)
    ).map((r) => [Number(r.id), r.code]),
  );
  const staffId = ctx.staff?.id ?? null;
  const needsSomeoneElse: { id: number; memberCode: string; rule: NeedsSomeoneElse }[] = [];
  const approved: W[] = [];
  const firstApprovals: { id: number; memberCode: string }[] = [];
  for (const r of rows) {
    const refusal = fourEyes(r, staffId);
    if (refusal) {
      needsSomeoneElse.push({ id: r.id, memberCode: codes.get(r.id) ?? '', rule: refusal });
      continue;
    }
    const { stage, after } = await approveRow(ctx, r, note);
    if (stage === 'final') approved.push(after);
    else firstApprovals.push({ id: r.id, memberCode: codes.get(r.id) ?? '' });
  }
  if (approved.length === 0 && firstApprovals.length === 0) {
    throw AppError.of(
      'FORBIDDEN',
      'withdrawal.noneForYou',
      { list: needsSomeoneElse.map((x) => `${x.id} (${x.memberCode})`).join(', ') },
      { needsSomeoneElse },
    );
  }
  return { count: approved.length, totals: totalsOfRows(approved), firstApprovals, needsSomeoneElse };
}

export function totalsOfRows(rows: Pick<W, 'currency' | 'amount' | 'fee' | 'net'>[]) {
  const m = new Map<string, { count: number; amount: Decimal; fee: Decimal; net: Decimal }>();
  for (const r of rows) {
    const t = m.get(r.currency) ?? { count: 0, amount: new Decimal(0), fee: new Decimal(0), net: new Decimal(0) };
    t.count++;
    t.amount = t.amount.plus(r.amount);
    t.fee = t.fee.plus(r.fee);
    t.net = t.net.plus(r.net);
    m.set(r.currency, t);
  }
  return [...m.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, t]) => ({
      currency: currency as Currency,
      count: t.count,
      amount: t.amount.toFixed(2),
      fee: t.fee.toFixed(2),
      net: t.net.toFixed(2),
    }));
}

export async function rejectWithdrawal(ctx: MutationContext, id: number, reason: string): Promise<WithdrawalRow> {
  const w = await lock(ctx, id);
  if (w.status !== 'pending') throw notIn(w, ['pending'], 'rechazar');
  return releaseHold(ctx, w, sql`nnp_withdrawal_reject`, reason);
}

/**
 * Ends a withdrawal whose hold goes back to the wallet (a rejection, a bounced bank transfer): the
 * hold's void and the status change are made together by the database function (drizzle/0049,
 * 0050) — the person's login may release a hold only that way — then audited here.
 */
async function releaseHold(ctx: MutationContext, w: W, fn: SQL, reason: string): Promise<WithdrawalRow> {
  await inDatabase(ctx, sql`select ${fn}(${w.id}, ${reason}, ${ctx.now().toISOString()}::timestamptz, ${ctx.staff?.id ?? null}::uuid) as v`);
  const [after] = await ctx.tx.select().from(withdrawals).where(eq(withdrawals.id, w.id));
  await ctx.audit({ entity: 'withdrawal', entityId: w.id, before: snapshot(w), after: { ...snapshot(after!), holdReleased: true }, reason });
  return withdrawalRow(ctx.tx, w.id);
}

/** Runs one of the database's withdrawal steps (drizzle/0049, 0050, 0064, 0068) and returns its value as text. */
async function inDatabase(ctx: MutationContext, call: SQL): Promise<string> {
  try {
    const [r] = await ctx.tx.execute<{ v: string | number | null }>(call);
    return String(r!.v);
  } catch (e) {
    throw mapLedgerError(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Stripe payouts: start (→ processing, attempt row), call Stripe outside any transaction, record.

export const payoutKey = (id: number) => `withdrawal-${id}`;

export type StartResult =
  | { call: TransferRequest & { attemptId: number } }
  | { done: { id: number; status: WithdrawalStatus; outcome: 'paid' | 'declined' | 'unknown'; message: string | null; stripeTransferId: string | null } };

export async function startStripePayout(ctx: MutationContext, id: number, settings: StripeSettings | null): Promise<StartResult> {
  const w = await lock(ctx, id);
  const now = ctx.now();
  if (w.status === 'pending') throw notIn(w, ['approved'], 'pagar');
  if (!settings) throw AppError.of('VALIDATION', 'withdrawal.noStripe');
  if (w.status === 'approved') {
    const member = await loadMember(ctx.tx, w.memberId);
    if (!member.stripeAccountId) {
      throw AppError.of('VALIDATION', 'withdrawal.noConnectedAccount', { code: member.code }, { memberId: member.id });
    }
  } else if (w.status === 'processing' && w.payoutMethod === 'stripe') {
    const [last] = await ctx.tx
      .select()
      .from(withdrawalPayoutAttempts)
      .where(eq(withdrawalPayoutAttempts.withdrawalId, id))
      .orderBy(sql`${withdrawalPayoutAttempts.id} desc`)
      .limit(1);
    // An attempt still in flight (no outcome, younger than the SDK can keep it) must not be doubled.
    const inFlightMs = settings.timeoutMs * (settings.maxNetworkRetries + 1) + 15_000;
    if (last && last.outcome === null && now.getTime() - last.startedAt.getTime() < inFlightMs) {
      throw AppError.of('CONFLICT', 'withdrawal.payoutRunning', { id }, { id, status: w.status, attemptId: last.id });
    }
  } else if (w.status === 'paid') {
    throw AppError.of('CONFLICT', 'withdrawal.alreadyPaid', { id }, { id, status: w.status, stripeTransferId: w.stripeTransferId });
  } else {
    throw notIn(w, ['approved'], 'pagar');
  }
  const key = payoutKey(id);
  // The attempt row and processing are the database's step (0064), in this person's own name.
  const attemptId = Number(
    await inDatabase(ctx, sql`select nnp_withdrawal_stripe_start(${id}, ${now.toISOString()}::timestamptz, ${ctx.staff?.id ?? null}::uuid) as v`),
  );
  const [after] = await ctx.tx.select().from(withdrawals).where(eq(withdrawals.id, id));
  await ctx.audit({
    entity: 'withdrawal',
    entityId: id,
    before: snapshot(w),
    after: { ...snapshot(after!), attempt: attemptId, idempotencyKey: key },
    reason: w.status === 'processing' ? 'reintento de pago (misma clave de idempotencia)' : null,
  });
  return {
    call: {
      attemptId,
      withdrawalId: id,
      memberId: w.memberId,
      idempotencyKey: key,
      // The account the database recorded for this payout (the member's, read by the database).
      destination: after!.stripeDestination!,
      currency: w.currency,
      net: w.net,
      retry: w.status === 'processing',
    },
  };
}

export async function recordStripeOutcome(ctx: MutationContext, id: number, attemptId: number, o: TransferOutcome) {
  const w = await lock(ctx, id);
  const now = ctx.now();
  const [attempt] = await ctx.tx
    .select({ id: withdrawalPayoutAttempts.id })
    .from(withdrawalPayoutAttempts)
    .where(and(eq(withdrawalPayoutAttempts.id, attemptId), eq(withdrawalPayoutAttempts.withdrawalId, id)));
  if (!attempt) throw AppError.of('NOT_FOUND', 'withdrawal.attemptNotFound', {}, { id, attemptId });
  // Attempt row, hold and settlement or void, and the status: one database step (0064).
  const paid = o.outcome === 'paid';
  await inDatabase(
    ctx,
    sql`select nnp_withdrawal_stripe_outcome(${id}, ${attemptId}, ${o.outcome}, ${paid ? o.transferId : null}, ${paid ? null : o.code},
      ${paid ? null : o.message}, ${now.toISOString()}::timestamptz, ${ctx.staff?.id ?? null}::uuid) as v`,
  );
  const [after] = (await ctx.tx.select().from(withdrawals).where(eq(withdrawals.id, id))) as [W];
  // A late answer for a withdrawal already paid (another attempt recorded it) changes nothing.
  await ctx.audit({
    action: 'withdrawals.payoutOutcome',
    entity: 'withdrawal',
    entityId: id,
    before: snapshot(w),
    after: {
      ...snapshot(after),
      attempt: attemptId,
      outcome: o.outcome,
      ...(o.outcome === 'paid' ? { transferId: o.transferId } : { code: o.code, message: o.message }),
    },
    reason: o.outcome === 'paid' ? null : o.message,
  });
  return {
    id,
    status: after.status,
    outcome: w.status === 'paid' && after.status === 'paid' ? ('paid' as const) : o.outcome,
    message: o.outcome === 'paid' ? null : o.message,
    stripeTransferId: after.stripeTransferId,
  };
}

// ---------------------------------------------------------------------------------------------
// Bank-transfer batches

export async function createBankBatch(ctx: MutationContext, ids: number[]) {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  const rows = await ctx.tx.select().from(withdrawals).where(inArray(withdrawals.id, unique)).orderBy(asc(withdrawals.id)).for('update');
  const missing = unique.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length) throw AppError.of('NOT_FOUND', 'withdrawal.someMissing', { ids: missing.join(', ') }, { missing });
  const wrong = rows.filter((r) => r.status !== 'approved');
  if (wrong.length) {
    const awaiting = wrong.filter((r) => r.status === 'pending' && r.firstApprovedBy);
    if (awaiting.length) {
      throw AppError.of(
        'CONFLICT',
        'withdrawal.awaitingSecondMany',
        { list: awaiting.map((r) => r.id).join(', ') },
        { notApproved: wrong.map((r) => ({ id: r.id, status: r.status, awaitingSecondApproval: r.status === 'pending' && !!r.firstApprovedBy })) },
      );
    }
    throw AppError.of(
      'CONFLICT',
      'withdrawal.onlyApproved',
      { list: wrong.map((r) => r.id).join(', ') },
      { notApproved: wrong.map((r) => ({ id: r.id, status: r.status })) },
    );
  }
  // The bank pays the destination copied at approval; a row without one cannot be paid by bank.
  const noDestination = rows.filter((r) => !r.payoutDestination);
  if (noDestination.length) {
    const codes = await ctx.tx.execute<{ id: string; code: string }>(sql`
      select w.id, m.code from withdrawals w join members m on m.id = w.member_id where w.id = any(${`{${noDestination.map((r) => r.id).join(',')}}`}::bigint[]) order by w.id`);
    throw AppError.of(
      'CONFLICT',
      'withdrawal.noDestination',
      { list: codes.map((c) => `${c.code} (folio ${c.id})`).join(', ') },
      { noDestination: codes.map((c) => ({ id: Number(c.id), memberCode: c.code })) },
    );
  }
  const now = ctx.now();
  const totals = totalsOfRows(rows);
  // Batch, attempt rows and processing: the database's step (0064), in this person's own name.
  const batchId = await inDatabase(
    ctx,
    sql`select nnp_withdrawal_bank_batch(${`{${unique.join(',')}}`}::bigint[], ${now.toISOString()}::timestamptz, ${ctx.staff?.id ?? null}::uuid) as v`,
  );
  const [batch] = await ctx.tx.select().from(payoutBatches).where(eq(payoutBatches.id, batchId));
  for (const r of rows) {
    await ctx.audit({
      entity: 'withdrawal',
      entityId: r.id,
      before: snapshot(r),
      after: { ...snapshot(r), status: 'processing', payoutMethod: 'bank_file', bankBatchId: batch!.id },
    });
  }
  await ctx.audit({ entity: 'payout_batch', entityId: batch!.id, after: { count: rows.length, totals, fileName: batch!.fileName } });
  return { batch: batch!, rows, totals };
}

export async function markBankPaid(ctx: MutationContext, id: number, reference: string): Promise<WithdrawalRow> {
  const w = await lock(ctx, id);
  if (w.status !== 'processing' || w.payoutMethod !== 'bank_file') {
    if (w.status === 'processing') throw AppError.of('CONFLICT', 'withdrawal.stripeOwned', { id }, { id, payoutMethod: w.payoutMethod });
    throw notIn(w, ['processing'], 'marcar como pagado');
  }
  if (ctx.staff && w.approvedBy === ctx.staff.id && !w.firstApprovedBy) {
    throw AppError.of('FORBIDDEN', 'withdrawal.soleApproverMarksPaid', { id }, { id, rule: 'sole_approver_marks_paid' });
  }
  const now = ctx.now();
  // Hold posted, settlement and paid: the database's step (0064), in this person's own name.
  await inDatabase(ctx, sql`select nnp_withdrawal_bank_paid(${id}, ${reference}, ${now.toISOString()}::timestamptz, ${ctx.staff?.id ?? null}::uuid) as v`);
  const [after] = await ctx.tx.select().from(withdrawals).where(eq(withdrawals.id, id));
  await ctx.audit({ entity: 'withdrawal', entityId: id, before: snapshot(w), after: { ...snapshot(after!), payoutReference: reference }, reason: reference });
  return withdrawalRow(ctx.tx, id);
}

export async function markBankFailed(ctx: MutationContext, id: number, reason: string): Promise<WithdrawalRow> {
  const w = await lock(ctx, id);
  if (w.status !== 'processing' || w.payoutMethod !== 'bank_file') {
    if (w.status === 'processing') throw AppError.of('CONFLICT', 'withdrawal.stripeOwned', { id }, { id, payoutMethod: w.payoutMethod });
    throw notIn(w, ['processing'], 'marcar como fallido');
  }
  return releaseHold(ctx, w, sql`nnp_withdrawal_bank_failed`, reason);
}

// ---------------------------------------------------------------------------------------------
// Quote (read only)

export async function quote(db: DbOrTx, memberId: number, amount: string, now: Date) {
  const member = await loadMember(db, memberId);
  const plan = await currentPlan(db, now);
  const bal = await memberBalance(db, memberId);
  // The cache is shown only when the entries agree with it; otherwise what the entries allow, and no.
  const truth = bal.accountId == null ? null : await walletFromEntries(db, bal.accountId);
  const drifted = truth != null && (truth.balance !== bal.balance || truth.held !== bal.held);
  if (drifted) bal.available = new Decimal(truth.balance).minus(truth.held).toFixed(2);
  const q = quoteWithdrawal(plan, member.currency, amount);
  const rule = plan.withdrawals.byCurrency.find((r) => r.currency === member.currency);
  const minimum = new Decimal(rule?.minimum ?? '0').toFixed(2);
  if (!q.ok) {
    const problem = q.problem.code === 'below_minimum' ? `El mínimo de retiro es ${q.problem.minimum} ${member.currency}.` : q.problem.code;
    const problemAmount = q.problem.code === 'below_minimum' ? q.problem.minimum : q.problem.code === 'fee_exceeds_amount' ? q.problem.fee : null;
    return {
      currency: member.currency,
      minimum,
      fee: '0.00',
      net: '0.00',
      available: bal.available,
      ok: false,
      problem,
      problemCode: q.problem.code,
      problemAmount,
    };
  }
  const short = new Decimal(bal.available).lt(q.quote.amount);
  if (drifted) {
    return {
      currency: member.currency,
      minimum,
      fee: q.quote.fee,
      net: q.quote.net,
      available: bal.available,
      ok: false,
      problem: 'El saldo guardado de este monedero no coincide con la suma de sus movimientos: no se puede retirar hasta que finanzas lo revise.',
      problemCode: 'drifted' as const,
      problemAmount: null,
    };
  }
  return {
    currency: member.currency,
    minimum,
    fee: q.quote.fee,
    net: q.quote.net,
    available: bal.available,
    ok: !short,
    problem: short ? `Saldo disponible insuficiente (${bal.available} ${member.currency}).` : null,
    problemCode: short ? ('insufficient' as const) : null,
    problemAmount: short ? bal.available : null,
  };
}
