/**
 * Applying a Stripe event to our orders: the ONE code path shared by the webhook receiver
 * (main/http/webhooks.ts) and the desktop reconciliation ("sync payments", ./sync.ts).
 *
 * Each event is stored by its Stripe id and applied exactly once, in one transaction through
 * mutator() (audited; actor 'stripe-webhook' for the receiver, the staff member for a sync):
 *  - payment_intent.succeeded: a succeeded PaymentIntent whose amount (minor units) and currency
 *    match the order confirms it (confirmOrder, method 'stripe', payment_confirmed_at = the event's
 *    instant, so a late event lands in the right period); a mismatch is flagged for review.
 *  - payment_intent.payment_failed: the failure is recorded (the order stays pending: a customer
 *    may retry the same PaymentIntent).
 *  - charge.refunded (full): refundOrder (which reverses the order's commissions); a refund arriving before its success is stored
 *    (refund_waiting) and applied right after the success, in the success's transaction.
 *  - anything else: stored, outcome 'ignored'.
 */
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { sql } from 'drizzle-orm';
import type { AppServices, CallContext, MutationContext } from '../../kernel/context';
import { mutator } from '../../kernel/wrappers';
import type { Tx } from '../../db/client';
import { rows } from '../../db/rows';
import { Decimal } from '../../domain/money';
import { AppError } from '../../../shared/errors';
import { confirmOrder, refundOrder } from '../orders/confirm';
import { AUTOSHIP_EVENTS, dispatchAutoship, type AutoshipOutcome } from '../autoship/events';
import { safeMessage } from '../../kernel/redact';

export type EventSource = 'webhook' | 'sync';
export interface Actor {
  id: string | null;
  username: string;
}
export const WEBHOOK_ACTOR: Actor = { id: null, username: 'stripe-webhook' };

export type Outcome =
  | 'confirmed'
  | 'confirmed_then_refunded'
  | 'already_confirmed'
  | 'mismatch'
  | 'mismatch_refunded'
  | 'failure_recorded'
  | 'failure_after_success'
  | 'refunded'
  | 'refund_deferred'
  | 'already_refunded'
  | 'partial_refund'
  | 'unmatched'
  | 'ignored'
  | AutoshipOutcome;

export interface ApplyResult {
  eventId: string;
  /** Already applied before (a redelivery or a re-run sync): nothing changed. */
  duplicate: boolean;
  outcome: Outcome | 'error';
  orderId: number | null;
  error?: string;
}

/** Currencies Stripe counts without decimals (amounts in whole units). None of the plan's four is one. */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

/** An order total (decimal string) in Stripe's minor units, as an integer digit string; null if not representable. */
export function toMinorUnits(total: string, currency: string): string | null {
  const d = new Decimal(total).times(ZERO_DECIMAL.has(currency.toLowerCase()) ? 1 : 100);
  return d.isInteger() && d.gte(0) ? d.toFixed(0) : null;
}

/** Stripe's integer amount as a digit string (never a decimal computation on a JS number). */
function amountText(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  return null;
}

const instantOf = (created: number) => new Date(created * 1000).toISOString();

interface OrderRow {
  id: number;
  status: string;
  total: string;
  currency: string;
  stripe_payment_intent_id: string | null;
}
interface PaymentRow {
  payment_intent_id: string;
  order_id: number | null;
  state: string;
  refund_event_id: string | null;
}

async function findOrder(tx: Tx, piId: string | null, metadataOrderId: unknown): Promise<OrderRow | null> {
  if (piId) {
    const [o] = await rows<OrderRow>(
      tx,
      sql`select id, status, total::text as total, currency, stripe_payment_intent_id from orders where stripe_payment_intent_id = ${piId}`,
    );
    if (o) return { ...o, id: Number(o.id) };
  }
  const raw = typeof metadataOrderId === 'string' ? metadataOrderId.trim() : '';
  if (/^\d{1,15}$/.test(raw)) {
    const [o] = await rows<OrderRow>(
      tx,
      sql`select id, status, total::text as total, currency, stripe_payment_intent_id from orders where id = ${Number(raw)}`,
    );
    if (o) return { ...o, id: Number(o.id) };
  }
  return null;
}

async function paymentRow(tx: Tx, piId: string): Promise<PaymentRow | null> {
  const [p] = await rows<PaymentRow>(
    tx,
    sql`select payment_intent_id, order_id, state, refund_event_id from stripe_payments where payment_intent_id = ${piId} for update`,
  );
  return p ? { ...p, order_id: p.order_id == null ? null : Number(p.order_id) } : null;
}

interface PaymentPatch {
  orderId?: number | null;
  state?: string;
  amountMinor?: string | null;
  currency?: string | null;
  chargeId?: string | null;
  failureCode?: string | null;
  failureMessage?: string | null;
  reviewReason?: string | null;
  succeededAt?: string | null;
  failedAt?: string | null;
  refundEventId?: string | null;
  refundedAt?: string | null;
}

/** Insert or update the PaymentIntent's row: only the fields given change (coalesce keeps the rest). */
async function upsertPayment(tx: Tx, piId: string, eventId: string, p: PaymentPatch): Promise<void> {
  const v = (x: string | number | null | undefined) => (x === undefined ? null : x);
  const has = (k: keyof PaymentPatch) => (k in p ? 1 : 0);
  await tx.execute(sql`
    insert into stripe_payments (payment_intent_id, order_id, state, amount_minor, currency, charge_id, failure_code, failure_message,
      review_reason, succeeded_at, failed_at, refund_event_id, refunded_at, last_event_id, updated_at)
    values (${piId}, ${v(p.orderId)}, ${p.state ?? 'unmatched'}, ${v(p.amountMinor)}::bigint, ${v(p.currency)}, ${v(p.chargeId)}, ${v(p.failureCode)},
      ${v(p.failureMessage)}, ${v(p.reviewReason)}, ${v(p.succeededAt)}::timestamptz, ${v(p.failedAt)}::timestamptz, ${v(p.refundEventId)},
      ${v(p.refundedAt)}::timestamptz, ${eventId}, now())
    on conflict (payment_intent_id) do update set
      order_id = coalesce(excluded.order_id, stripe_payments.order_id),
      state = case when ${has('state')} = 1 then excluded.state else stripe_payments.state end,
      amount_minor = coalesce(excluded.amount_minor, stripe_payments.amount_minor),
      currency = coalesce(excluded.currency, stripe_payments.currency),
      charge_id = coalesce(excluded.charge_id, stripe_payments.charge_id),
      failure_code = case when ${has('failureCode')} = 1 then excluded.failure_code else stripe_payments.failure_code end,
      failure_message = case when ${has('failureMessage')} = 1 then excluded.failure_message else stripe_payments.failure_message end,
      review_reason = case when ${has('reviewReason')} = 1 then excluded.review_reason else stripe_payments.review_reason end,
      succeeded_at = coalesce(excluded.succeeded_at, stripe_payments.succeeded_at),
      failed_at = coalesce(excluded.failed_at, stripe_payments.failed_at),
      refund_event_id = coalesce(excluded.refund_event_id, stripe_payments.refund_event_id),
      refunded_at = coalesce(excluded.refunded_at, stripe_payments.refunded_at),
      last_event_id = excluded.last_event_id, updated_at = now()`);
}

/**
 * Refund side effects of an order: PV/VN out of an open period, and its commission lines reversed
 * (refundOrder calls issue 6's reverseOrderCommissions: voided in an open period, clawback lines in
 * the open period for a closed one; idempotent).
 */
async function refundPaidOrder(tx: Tx, orderId: number, refundedAt: string) {
  return refundOrder(tx, orderId, { refundedAt });
}

interface Applied {
  outcome: Outcome;
  orderId: number | null;
  piId: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string;
}

async function onSucceeded(tx: Tx, event: Stripe.Event): Promise<Applied> {
  const pi = event.data.object as Stripe.PaymentIntent;
  const at = instantOf(event.created);
  const order = await findOrder(tx, pi.id, pi.metadata?.order_id);
  const existing = await paymentRow(tx, pi.id);
  const chargeId = typeof pi.latest_charge === 'string' ? pi.latest_charge : (pi.latest_charge?.id ?? null);
  const got = amountText(pi.amount_received ?? pi.amount);
  const base = { amountMinor: got, currency: pi.currency?.toUpperCase() ?? null, chargeId, succeededAt: at };
  if (!order) {
    await upsertPayment(tx, pi.id, event.id, {
      ...base,
      state: existing?.state === 'refund_waiting' ? 'refunded' : 'unmatched',
      reviewReason: 'Ningún pedido enlazado (stripe_payment_intent_id ni metadata.order_id).',
    });
    return { outcome: 'unmatched', orderId: null, piId: pi.id };
  }
  // Locks the order (the same lock confirmOrder takes) so concurrent events of one order serialise.
  const [locked] = await tx.execute<{ status: string }>(sql`select status from orders where id = ${order.id} for update`);
  order.status = locked!.status;
  if (order.status === 'paid' || order.status === 'refunded') {
    if (order.stripe_payment_intent_id === pi.id) {
      await upsertPayment(tx, pi.id, event.id, { ...base, orderId: order.id });
      return { outcome: order.status === 'paid' ? 'already_confirmed' : 'already_refunded', orderId: order.id, piId: pi.id };
    }
  }
  const expected = toMinorUnits(order.total, order.currency);
  const problems: string[] = [];
  if (pi.status !== 'succeeded') problems.push(`estado del PaymentIntent ${pi.status}`);
  if (order.stripe_payment_intent_id && order.stripe_payment_intent_id !== pi.id)
    problems.push(`el pedido está enlazado a otro PaymentIntent (${order.stripe_payment_intent_id})`);
  if (order.status !== 'pending') problems.push(`el pedido está ${order.status}`);
  if (expected == null || got == null || expected !== got)
    problems.push(`importe ${got ?? '?'} (centavos) ≠ total del pedido ${order.total} ${order.currency} (${expected ?? '?'} centavos)`);
  if ((pi.currency ?? '').toLowerCase() !== order.currency.toLowerCase()) problems.push(`moneda ${(pi.currency ?? '?').toUpperCase()} ≠ ${order.currency}`);
  if (problems.length > 0) {
    const refunded = existing?.state === 'refund_waiting';
    const reviewReason = problems.join('; ');
    await upsertPayment(tx, pi.id, event.id, { ...base, orderId: order.id, state: refunded ? 'refunded' : 'mismatch', reviewReason });
    return { outcome: refunded ? 'mismatch_refunded' : 'mismatch', orderId: order.id, piId: pi.id, reason: reviewReason, after: { review: reviewReason } };
  }
  const r = await confirmOrder(tx, order.id, { confirmedAt: at, method: 'stripe', stripePaymentIntentId: pi.id });
  const after: Record<string, unknown> = {
    status: 'paid',
    method: 'stripe',
    paidAt: at,
    period: r.periodKey,
    late: r.late,
    waiting: r.periodId == null,
    paymentIntent: pi.id,
  };
  if (existing?.state === 'refund_waiting' && existing.refund_event_id) {
    // The refund came first (out-of-order delivery): apply it now, at its own instant.
    const [ref] = await tx.execute<{ created: string | Date }>(sql`select created from stripe_events where id = ${existing.refund_event_id}`);
    const refundedAt = new Date(ref?.created ?? at).toISOString();
    const rr = await refundPaidOrder(tx, order.id, refundedAt);
    await upsertPayment(tx, pi.id, event.id, {
      ...base,
      orderId: order.id,
      state: 'refunded',
      refundedAt,
      reviewReason: null,
      failureCode: null,
      failureMessage: null,
    });
    return {
      outcome: 'confirmed_then_refunded',
      orderId: order.id,
      piId: pi.id,
      before: { status: 'pending' },
      after: { ...after, status: 'refunded', refundedAt, refundPeriodClosed: rr.periodClosed },
    };
  }
  await upsertPayment(tx, pi.id, event.id, { ...base, orderId: order.id, state: 'succeeded', reviewReason: null, failureCode: null, failureMessage: null });
  return { outcome: 'confirmed', orderId: order.id, piId: pi.id, before: { status: 'pending' }, after };
}

async function onFailed(tx: Tx, event: Stripe.Event): Promise<Applied> {
  const pi = event.data.object as Stripe.PaymentIntent;
  const order = await findOrder(tx, pi.id, pi.metadata?.order_id);
  const existing = await paymentRow(tx, pi.id);
  const err = pi.last_payment_error;
  const failure = { failureCode: err?.decline_code ?? err?.code ?? null, failureMessage: err?.message ?? null, failedAt: instantOf(event.created) };
  if (existing && ['succeeded', 'refunded', 'refund_waiting', 'partial_refund'].includes(existing.state)) {
    // An older failure delivered after the success (a retry that then succeeded): kept as history only.
    await upsertPayment(tx, pi.id, event.id, { ...failure });
    return { outcome: 'failure_after_success', orderId: order?.id ?? null, piId: pi.id };
  }
  await upsertPayment(tx, pi.id, event.id, {
    ...failure,
    orderId: order?.id ?? null,
    state: order ? 'failed' : 'unmatched',
    amountMinor: amountText(pi.amount),
    currency: pi.currency?.toUpperCase() ?? null,
  });
  return { outcome: order ? 'failure_recorded' : 'unmatched', orderId: order?.id ?? null, piId: pi.id, after: { payment: 'failed', ...failure } };
}

async function onRefunded(tx: Tx, event: Stripe.Event): Promise<Applied> {
  const ch = event.data.object as Stripe.Charge;
  const piId = typeof ch.payment_intent === 'string' ? ch.payment_intent : (ch.payment_intent?.id ?? null);
  const key = piId ?? `charge:${ch.id}`;
  const existing = await paymentRow(tx, key);
  const order =
    (await findOrder(tx, piId, ch.metadata?.order_id)) ?? (existing?.order_id != null ? await findOrder(tx, null, String(existing.order_id)) : null);
  const at = instantOf(event.created);
  const full = ch.refunded === true || (amountText(ch.amount_refunded) != null && amountText(ch.amount_refunded) === amountText(ch.amount));
  if (!full) {
    await upsertPayment(tx, key, event.id, {
      orderId: order?.id ?? null,
      chargeId: ch.id,
      state: 'partial_refund',
      reviewReason: `reembolso parcial: ${amountText(ch.amount_refunded)} de ${amountText(ch.amount)} centavos`,
    });
    return { outcome: 'partial_refund', orderId: order?.id ?? null, piId };
  }
  if (!order) {
    await upsertPayment(tx, key, event.id, { chargeId: ch.id, state: 'refund_waiting', refundEventId: event.id });
    return { outcome: 'refund_deferred', orderId: null, piId };
  }
  const [locked] = await tx.execute<{ status: string; stripe_payment_intent_id: string | null }>(
    sql`select status, stripe_payment_intent_id from orders where id = ${order.id} for update`,
  );
  if (locked!.status === 'refunded') {
    await upsertPayment(tx, key, event.id, { orderId: order.id, chargeId: ch.id, state: 'refunded' });
    return { outcome: 'already_refunded', orderId: order.id, piId };
  }
  if (locked!.status === 'paid' && (piId == null || locked!.stripe_payment_intent_id === piId)) {
    const rr = await refundPaidOrder(tx, order.id, at);
    await upsertPayment(tx, key, event.id, { orderId: order.id, chargeId: ch.id, state: 'refunded', refundedAt: at, refundEventId: event.id });
    return {
      outcome: 'refunded',
      orderId: order.id,
      piId,
      before: { status: 'paid' },
      after: { status: 'refunded', refundedAt: at, period: rr.periodKey, periodClosed: rr.periodClosed },
    };
  }
  if (existing?.state === 'mismatch') {
    // The money of a payment never accepted went back: nothing to undo on the order.
    await upsertPayment(tx, key, event.id, { orderId: order.id, chargeId: ch.id, state: 'refunded', refundedAt: at, refundEventId: event.id });
    return { outcome: 'mismatch_refunded', orderId: order.id, piId };
  }
  // Its success has not arrived yet (or was paid another way): kept, applied when the success arrives.
  await upsertPayment(tx, key, event.id, { orderId: order.id, chargeId: ch.id, state: 'refund_waiting', refundEventId: event.id });
  return { outcome: 'refund_deferred', orderId: order.id, piId, after: { refundWaiting: event.id } };
}

async function dispatch(tx: Tx, event: Stripe.Event): Promise<Applied> {
  switch (event.type) {
    case 'payment_intent.succeeded':
      return onSucceeded(tx, event);
    case 'payment_intent.payment_failed':
      return onFailed(tx, event);
    case 'charge.refunded':
      return onRefunded(tx, event);
    // Autoship (Stripe Subscriptions): invoice.paid → a confirmed order; payment_failed, subscription changes (../autoship/events.ts).
    default:
      return AUTOSHIP_EVENTS.has(event.type) ? dispatchAutoship(tx, event) : { outcome: 'ignored', orderId: null, piId: null };
  }
}

/** The kind of object each event type we act on carries (Stripe's `data.object.object`). */
const OBJECT_OF: Record<string, string> = {
  'payment_intent.succeeded': 'payment_intent',
  'payment_intent.payment_failed': 'payment_intent',
  'charge.refunded': 'charge',
  'invoice.paid': 'invoice',
  'invoice.payment_failed': 'invoice',
  'customer.subscription.created': 'subscription',
  'customer.subscription.updated': 'subscription',
  'customer.subscription.deleted': 'subscription',
};

/**
 * Why a (signed) event of a type we act on cannot be applied as it is: its object is not the kind
 * the type promises, or has no id. Such an event is stored and acknowledged as 'ignored' with this
 * reason (answering an error would make Stripe redeliver it for days, and it would never apply).
 */
export function objectShapeProblem(event: Stripe.Event): string | null {
  const kind = OBJECT_OF[event.type];
  if (!kind) return null;
  const o: { object?: unknown; id?: unknown } = event.data.object;
  if (o.object !== kind) return `se esperaba un objeto ${kind} y llegó ${typeof o.object === 'string' ? o.object : 'otra cosa'}`;
  if (typeof o.id !== 'string' || o.id.length === 0 || o.id.length > 255) return `el objeto ${kind} no trae id`;
  return null;
}

/** Why a body is not a Stripe event we could store by its id, or null. */
export function eventShapeProblem(event: unknown): string | null {
  const e = event as Partial<Stripe.Event> | null;
  if (!e || typeof e !== 'object') return 'no es un objeto';
  if (typeof e.id !== 'string' || !/^evt_\w{1,250}$/.test(e.id)) return 'id de evento inválido';
  if (typeof e.type !== 'string' || e.type.length === 0 || e.type.length > 200) return 'tipo inválido';
  // Stripe's `created` is seconds since 1970; one outside 2000–2199 is not a real event.
  if (!Number.isSafeInteger(e.created) || e.created! < 946_684_800 || e.created! >= 7_258_118_400) return 'fecha (created) inválida';
  if (!e.data || typeof e.data.object !== 'object' || e.data.object == null) return 'sin data.object';
  return null;
}

function checkEventShape(event: unknown): asserts event is Stripe.Event {
  const problem = eventShapeProblem(event);
  if (problem) throw new AppError('VALIDATION', `Evento de Stripe con forma inválida: ${problem}.`, { problem });
}

interface ApplyInput {
  event: Stripe.Event;
  source: EventSource;
  actor: Actor;
}

const applyInTx = mutator(async ({ event, source, actor }: ApplyInput, ctx: MutationContext): Promise<ApplyResult> => {
  const tx = ctx.tx;
  await tx.execute(sql`
    insert into stripe_events (id, type, created, payload, source)
    values (${event.id}, ${event.type}, ${instantOf(event.created)}::timestamptz, ${JSON.stringify(event)}::jsonb, ${source})
    on conflict (id) do nothing`);
  const [row] = await tx.execute<{ processed_at: string | null; outcome: string | null; order_id: number | null }>(
    sql`select processed_at, outcome, order_id from stripe_events where id = ${event.id} for update`,
  );
  if (row?.processed_at) {
    // Lost a race with another delivery of the same event: nothing changes, the attempt is noted.
    await ctx.audit({
      actor,
      entity: 'stripe_event',
      entityId: event.id,
      after: { duplicate: true, outcome: row.outcome },
      reason: `Stripe ${event.type} repetido (${source})`,
    });
    return { eventId: event.id, duplicate: true, outcome: row.outcome as Outcome, orderId: row.order_id == null ? null : Number(row.order_id) };
  }
  const malformed = objectShapeProblem(event);
  const a: Applied = malformed
    ? { outcome: 'ignored', orderId: null, piId: null, reason: `Stripe ${event.type} ${event.id} sin efecto: ${malformed}` }
    : await dispatch(tx, event);
  await tx.execute(sql`
    update stripe_events set processed_at = now(), outcome = ${a.outcome}, order_id = ${a.orderId}, payment_intent_id = ${a.piId}, error = ${malformed}
    where id = ${event.id}`);
  await ctx.audit({
    actor,
    action: `stripe.${event.type}`,
    entity: a.orderId != null ? 'order' : 'stripe_event',
    entityId: a.orderId ?? event.id,
    before: a.before ?? null,
    after: { event: event.id, source, outcome: a.outcome, ...((a.after as object) ?? {}) },
    reason: a.reason ?? `Stripe ${event.type} ${event.id}`,
  });
  return { eventId: event.id, duplicate: false, outcome: a.outcome, orderId: a.orderId };
});

/**
 * A signed body that is not a Stripe event at all (no evt_ id, type, created or data.object): kept
 * under a digest of the body, processed and 'ignored', so it is on record and Stripe gets its 2xx
 * (it would otherwise redeliver a body that can never apply). A second delivery changes nothing.
 */
export const recordMalformedEvent = mutator(async ({ body, reason, actor }: { body: Buffer; reason: string; actor: Actor }, ctx: MutationContext) => {
  const id = `malformed_${createHash('sha256').update(body).digest('hex').slice(0, 40)}`;
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    payload = { raw: body.toString('utf8').slice(0, 10_000) };
  }
  const type = (payload as { type?: unknown } | null)?.type;
  const inserted = await ctx.tx.execute(sql`
    insert into stripe_events (id, type, created, payload, source, processed_at, outcome, error)
    values (${id}, ${typeof type === 'string' ? type.slice(0, 200) : '(sin tipo)'}, now(), ${JSON.stringify(payload ?? null)}::jsonb, 'webhook', now(), 'ignored', ${reason})
    on conflict (id) do nothing returning id`);
  await ctx.audit({
    actor,
    entity: 'stripe_event',
    entityId: id,
    after: { outcome: 'ignored', duplicate: (inserted as unknown[]).length === 0 },
    reason: `Evento firmado con forma inválida: ${reason}`,
  });
  return { eventId: id };
});

/** A call context for work with no IPC session (the webhook receiver, a sync step's inner transactions). */
export function systemContext(services: AppServices, procedure: string, base?: CallContext): CallContext {
  return base ? { ...base, procedure } : { ...services, procedure, transport: 'http', staff: null, sessionId: null, token: null };
}

/**
 * Stores and applies one event exactly once. A redelivery of an applied event changes nothing
 * (fast path: no transaction). An application that fails is rolled back; the event is then kept
 * with its error and processed_at null, so the next delivery or sync retries it.
 */
export async function applyStripeEvent(ctx: CallContext, event: unknown, source: EventSource, actor: Actor): Promise<ApplyResult> {
  checkEventShape(event);
  const [seen] = await ctx.db.execute<{ processed_at: string | null; outcome: string | null; order_id: number | null }>(
    sql`select processed_at, outcome, order_id from stripe_events where id = ${event.id}`,
  );
  if (seen?.processed_at)
    return { eventId: event.id, duplicate: true, outcome: seen.outcome as Outcome, orderId: seen.order_id == null ? null : Number(seen.order_id) };
  try {
    return await applyInTx({ event, source, actor }, systemContext(ctx, 'payments.applyEvent', ctx));
  } catch (e) {
    const message = safeMessage(e);
    await ctx.db.execute(sql`
      insert into stripe_events (id, type, created, payload, source, error)
      values (${event.id}, ${event.type}, ${instantOf(event.created)}::timestamptz, ${JSON.stringify(event)}::jsonb, ${source}, ${message})
      on conflict (id) do update set error = excluded.error where stripe_events.processed_at is null`);
    return { eventId: event.id, duplicate: false, outcome: 'error', orderId: null, error: message };
  }
}
