/**
 * Staff actions on an autoship: pause, resume, cancel, change the charge day.
 *
 * Order of work, and why: (1) read and check — an unknown subscription is NOT_FOUND, an action
 * that does not fit its state is CONFLICT, and nothing is sent to Stripe; (2) the Stripe call,
 * OUTSIDE any database transaction (no row lock or connection held across the network), with an
 * idempotency key of (subscription, action, request id); (3) one transaction (mutator: audited)
 * that writes what Stripe answered and the request.
 *
 * Compensation: if (3) never happens (a crash, a lost connection after Stripe acted), Stripe and
 * this database disagree only until either the same request is retried — Stripe replays its first
 * answer for the same key, so nothing acts twice, and (3) runs — or Stripe's
 * customer.subscription.updated/deleted webhook arrives and sets the same state (./events.ts).
 * A request id seen before answers what it did (duplicate: true) without calling Stripe.
 */
import { sql } from 'drizzle-orm';
import type { CallContext, MutationContext } from '../../kernel/context';
import { mutator, type Handler } from '../../kernel/wrappers';
import type { Tx } from '../../db/client';
import { rows } from '../../db/rows';
import { AppError, type MessageKey, type MessageParams } from '../../../shared/errors';
import type { AutoshipRow } from '../../../shared/contract/autoship';
import { autoshipStripeSettingsFor } from '../system/stripe-keys';
import { callStripe, readSubscription, type AutoshipAction, type SubscriptionState, idempotencyKey } from './stripe';
import { nextChargeInstant } from './schedule';
import { subscriptionRow } from './queries';

export interface ActionInput {
  id: number;
  reason: string;
  requestId: string;
  day?: number;
}
export interface ActionResult {
  subscription: AutoshipRow;
  duplicate: boolean;
}

interface Current {
  id: number;
  stripe_subscription_id: string;
  status: AutoshipRow['status'];
  charge_day: number;
  next_charge_at: string | null;
}

async function current(db: CallContext['db'] | Tx, id: number, lock = false): Promise<Current> {
  const [s] = await rows<Current>(
    db,
    lock
      ? sql`select id, stripe_subscription_id, status, charge_day, next_charge_at from autoship_subscriptions where id = ${id} for update`
      : sql`select id, stripe_subscription_id, status, charge_day, next_charge_at from autoship_subscriptions where id = ${id}`,
  );
  if (!s) throw AppError.of('NOT_FOUND', 'autoship.notFound', {}, { id });
  return { ...s, id: Number(s.id) };
}

/** Refuses an action that does not fit the subscription's state (before anything is sent to Stripe). */
export function checkAction(s: Pick<Current, 'status' | 'charge_day'>, action: AutoshipAction, day?: number): void {
  const refuse = (key: MessageKey, params: MessageParams = {}) => {
    throw AppError.of('CONFLICT', key, params, { status: s.status, action });
  };
  if (s.status === 'canceled') refuse('autoship.canceled');
  if (action === 'pause' && s.status === 'paused') refuse('autoship.alreadyPaused');
  if (action === 'resume' && s.status !== 'paused') refuse('autoship.notPaused', { status: s.status });
  if (action === 'change_day' && day === Number(s.charge_day)) refuse('autoship.sameDay', { day });
}

async function requestSeen(db: CallContext['db'] | Tx, requestId: string) {
  const [r] = await db.execute<{ subscription_id: string; action: string }>(
    sql`select subscription_id, action from autoship_requests where request_id = ${requestId}`,
  );
  return r ? { subscriptionId: Number(r.subscription_id), action: r.action } : null;
}

function checkSameRequest(seen: { subscriptionId: number; action: string }, id: number, action: AutoshipAction) {
  if (seen.subscriptionId !== id || seen.action !== action) {
    throw AppError.of('CONFLICT', 'autoship.requestReused', {}, { requestId: true });
  }
}

/** Writes Stripe's answer on our row (the fields Stripe decides), in the caller's transaction. */
export async function writeState(tx: Tx, id: number, st: SubscriptionState, stripeAt: Date): Promise<void> {
  await tx.execute(sql`
    update autoship_subscriptions set
      status = ${st.status},
      next_charge_at = ${st.nextChargeAt?.toISOString() ?? null}::timestamptz,
      charge_day = coalesce(${st.chargeDay}::smallint, charge_day),
      paused_at = case when ${st.status} = 'paused' then coalesce(paused_at, ${stripeAt.toISOString()}::timestamptz) else null end,
      canceled_at = case when ${st.status} = 'canceled' then coalesce(canceled_at, ${st.canceledAt?.toISOString() ?? stripeAt.toISOString()}::timestamptz) else null end,
      failed_attempts = case when ${st.status} = 'active' and status = 'past_due' then 0 else failed_attempts end,
      stripe_updated_at = greatest(stripe_updated_at, ${stripeAt.toISOString()}::timestamptz),
      updated_at = now()
    where id = ${id}`);
}

interface Apply {
  input: ActionInput;
  action: AutoshipAction;
  state: SubscriptionState;
  before: Current;
}

const applyInTx = mutator(async ({ input, action, state, before }: Apply, ctx: MutationContext): Promise<ActionResult> => {
  const tx = ctx.tx;
  await current(tx, input.id, true);
  const inserted = await tx.execute(sql`
    insert into autoship_requests (request_id, subscription_id, action, idempotency_key, status, charge_day, next_charge_at, staff_id)
    values (${input.requestId}, ${input.id}, ${action}, ${idempotencyKey(before.stripe_subscription_id, action, input.requestId)}, ${state.status},
      ${state.chargeDay}, ${state.nextChargeAt?.toISOString() ?? null}::timestamptz, ${ctx.staff?.id ?? null})
    on conflict (request_id) do nothing returning request_id`);
  const duplicate = inserted.length === 0;
  if (duplicate) {
    // The same request finished concurrently (a double submit): what it did stands.
    const seen = await requestSeen(tx, input.requestId);
    checkSameRequest(seen!, input.id, action);
  } else {
    // Stripe's clock, not the app's (ctx.now may be pinned): compared with events' `created` (seconds).
    await writeState(tx, input.id, state, new Date(Math.floor(Date.now() / 1000) * 1000));
  }
  const after = await subscriptionRow(tx, input.id);
  await ctx.audit({
    entity: 'autoship',
    entityId: input.id,
    reason: input.reason,
    before: {
      status: before.status,
      chargeDay: Number(before.charge_day),
      nextChargeAt: before.next_charge_at == null ? null : new Date(before.next_charge_at).toISOString(),
    },
    after: {
      action,
      status: after.status,
      chargeDay: after.chargeDay,
      nextChargeAt: after.nextChargeAt,
      stripeSubscription: after.stripeSubscriptionId,
      requestId: input.requestId,
      duplicate,
    },
  });
  return { subscription: after, duplicate };
});

export async function runAction(ctx: CallContext, input: ActionInput, action: AutoshipAction): Promise<ActionResult> {
  const before = await current(ctx.db, input.id);
  const seen = await requestSeen(ctx.db, input.requestId);
  if (seen) {
    checkSameRequest(seen, input.id, action);
    return { subscription: await subscriptionRow(ctx.db, input.id), duplicate: true };
  }
  checkAction(before, action, input.day);
  const next = action === 'change_day' ? nextChargeInstant(input.day!, ctx.now()) : undefined;
  const answer = await callStripe(
    await autoshipStripeSettingsFor(ctx.db, ctx.staff?.role ?? null),
    action,
    before.stripe_subscription_id,
    input.requestId,
    next,
  );
  const state = readSubscription(answer);
  if (action === 'change_day' && state.chargeDay == null) state.chargeDay = input.day!;
  return applyInTx({ input, action, state, before }, ctx);
}

/** A handler that talks to Stripe before its own audited transaction (like payments.syncStep). */
export const actionHandler = <I extends ActionInput>(action: AutoshipAction): Handler<I, ActionResult> =>
  Object.assign((input: I, ctx: CallContext) => runAction(ctx, input, action), { kind: 'mutation' as const });
