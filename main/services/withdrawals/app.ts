import { mutator, reader, type Handler } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { OutputOf, ParsedInputOf } from '../../../shared/contract';
import { listWithdrawals } from './queue';
import { withdrawalDetail } from './detail';
import { bankFileCsv, exportQueue } from './csv';
import {
  approveMany,
  approveWithdrawal,
  createBankBatch,
  markBankFailed,
  markBankPaid,
  quote,
  recordStripeOutcome,
  rejectWithdrawal,
  requestWithdrawal,
  startStripePayout,
  type StartResult,
} from './service';
import { createTransfer, type StripeSettings, type TransferOutcome } from './stripe';
import { transferStripeSettings } from '../system/stripe-keys';
import { moneyControlSettings, setSecondApprovalThreshold } from './settings';
import { listDestinations, setDestination } from './destinations';

async function settingsOf(_input: ParsedInputOf<'withdrawals.settings'>, ctx: CallContext) {
  return moneyControlSettings(ctx.db, ctx.now());
}

async function setSettings(input: ParsedInputOf<'withdrawals.setSettings'>, ctx: MutationContext) {
  return setSecondApprovalThreshold(ctx, input.secondApprovalThresholdMxn, input.reason);
}

async function destinationsOf(input: ParsedInputOf<'payoutDestinations.list'>, ctx: CallContext) {
  return listDestinations(ctx.db, input.memberId, ctx.staff?.role);
}

async function setDestinationOf(input: ParsedInputOf<'payoutDestinations.set'>, ctx: MutationContext) {
  const { memberId, reason, ...d } = input;
  return setDestination(ctx, memberId, d, reason);
}

async function list(input: ParsedInputOf<'withdrawals.list'>, ctx: CallContext) {
  return listWithdrawals(ctx.db, input);
}

async function get(input: ParsedInputOf<'withdrawals.get'>, ctx: CallContext) {
  return withdrawalDetail(ctx.db, input.id, ctx.now());
}

async function exportCsv(input: ParsedInputOf<'withdrawals.export'>, ctx: CallContext) {
  return exportQueue(ctx.db, input, ctx.now());
}

async function quoteOf(input: ParsedInputOf<'withdrawals.quote'>, ctx: CallContext) {
  return quote(ctx.db, input.memberId, input.amount, ctx.now());
}

async function request(input: ParsedInputOf<'withdrawals.request'>, ctx: MutationContext) {
  return requestWithdrawal(ctx, { ...input, source: 'staff' });
}

async function approve(input: ParsedInputOf<'withdrawals.approve'>, ctx: MutationContext) {
  return approveWithdrawal(ctx, input.id, input.note);
}

async function approveSelection(input: ParsedInputOf<'withdrawals.approveMany'>, ctx: MutationContext) {
  return approveMany(ctx, input.ids, input.note);
}

async function reject(input: ParsedInputOf<'withdrawals.reject'>, ctx: MutationContext) {
  return rejectWithdrawal(ctx, input.id, input.reason);
}

async function bankFile(input: ParsedInputOf<'withdrawals.bankFile'>, ctx: MutationContext) {
  const { batch, totals, rows } = await createBankBatch(ctx, input.ids);
  return { batchId: batch.id, fileName: batch.fileName, csv: await bankFileCsv(ctx.tx, batch.id), count: rows.length, totals };
}

async function markPaid(input: ParsedInputOf<'withdrawals.markPaid'>, ctx: MutationContext) {
  return markBankPaid(ctx, input.id, input.reference);
}

async function markFailed(input: ParsedInputOf<'withdrawals.markFailed'>, ctx: MutationContext) {
  return markBankFailed(ctx, input.id, input.reason);
}

const startPayout = mutator(async (input: { id: number; settings: StripeSettings | null }, ctx: MutationContext): Promise<StartResult> =>
  startStripePayout(ctx, input.id, input.settings),
);
const recordOutcome = mutator(async (input: { id: number; attemptId: number; outcome: TransferOutcome }, ctx: MutationContext) =>
  recordStripeOutcome(ctx, input.id, input.attemptId, input.outcome),
);

/**
 * A Stripe payout is two audited transactions around the call to Stripe, never a transaction held
 * open across the network: (1) approved → processing with an attempt row (the row lock makes a
 * second payer get CONFLICT), (2) the call with the withdrawal's idempotency key, (3) the outcome
 * recorded: paid (hold settled), declined (failed, hold released) or unknown (still processing;
 * the same procedure retries with the same key, and Stripe answers the same transfer).
 */
const payout: Handler<ParsedInputOf<'withdrawals.payout'>, OutputOf<'withdrawals.payout'>> = Object.assign(
  async (input: ParsedInputOf<'withdrawals.payout'>, ctx: CallContext): Promise<OutputOf<'withdrawals.payout'>> => {
    // The key this person's login may read, once: for the checks before the call and for the call.
    const settings = await transferStripeSettings(ctx.db, ctx.staff?.role ?? null);
    const started = await startPayout({ id: input.id, settings }, ctx);
    if ('done' in started) return started.done;
    const outcome = await createTransfer(settings!, started.call);
    return recordOutcome({ id: input.id, attemptId: started.call.attemptId, outcome }, ctx);
  },
  { kind: 'mutation' as const },
);

// Issue 16: every withdrawal step — request, approvals, rejection, each payout step — and payout
// accounts run on the person's own login; the database makes or checks each of them again
// (drizzle/0046, 0049, 0050, 0064, 0065, 0066).
export const withdrawalsHandlers = {
  'withdrawals.list': reader(list),
  'withdrawals.get': reader(get),
  'withdrawals.export': reader(exportCsv),
  'withdrawals.quote': reader(quoteOf),
  'withdrawals.request': mutator(request),
  'withdrawals.approve': mutator(approve),
  'withdrawals.approveMany': mutator(approveSelection),
  'withdrawals.reject': mutator(reject),
  'withdrawals.payout': payout,
  'withdrawals.bankFile': mutator(bankFile),
  'withdrawals.markPaid': mutator(markPaid),
  'withdrawals.markFailed': mutator(markFailed),
  'withdrawals.settings': reader(settingsOf),
  'withdrawals.setSettings': mutator(setSettings),
  'payoutDestinations.list': reader(destinationsOf),
  'payoutDestinations.set': mutator(setDestinationOf),
};
