/**
 * Stripe's autoship events, applied through the ONE event path of payments
 * (../payments/apply.ts: stored by event id, applied once, in one audited transaction). These
 * functions run inside that transaction.
 *
 * - invoice.paid: the subscription's items become an order for the member (catalogue prices of its
 *   country, PV/VN from the catalogue: orders/create.ts) and it is confirmed through confirmOrder
 *   (method 'stripe', paid at the invoice's paid instant: that decides the period), exactly like a
 *   paid PaymentIntent — if the amount paid (minor units, exact) and the currency match the order's
 *   total; otherwise the order stays pending and the charge is held for review (the payments rule).
 *   Once per invoice: a second event for an invoice already turned into an order changes nothing
 *   (unique index on autoship_charges.invoice_id for paid/review).
 * - invoice.payment_failed: one more failed attempt, the reason and instant, status past_due (unless
 *   paused/canceled): what support sees on the member's profile.
 * - customer.subscription.updated / deleted: status, next charge and charge day follow Stripe, unless
 *   the event is older than what the row already reflects (out-of-order delivery).
 * - customer.subscription.created (or updated) of a subscription we do not have yet — the member app
 *   created it — with metadata.member_id and items whose price (or item) metadata.sku names catalogue
 *   products: our row and items are created from it; otherwise 'unmatched' with the reason.
 */
import type Stripe from 'stripe';
import { inArray, sql } from 'drizzle-orm';
import { products } from '../../db/schema';
import type { Tx } from '../../db/client';
import { rows } from '../../db/rows';
import { AppError } from '../../../shared/errors';
import { Decimal } from '../../domain/money';
import { createOrder } from '../orders/create';
import { confirmOrder } from '../orders/confirm';
import { readSubscription } from './stripe';

export type AutoshipOutcome = 'confirmed' | 'already_confirmed' | 'mismatch' | 'failure_recorded' | 'subscription_updated' | 'stale' | 'unmatched';
export interface AutoshipApplied {
  outcome: AutoshipOutcome;
  orderId: number | null;
  piId: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string;
}

export const AUTOSHIP_EVENTS = new Set([
  'invoice.paid',
  'invoice.payment_failed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
]);

type InvoiceLike = Partial<Stripe.Invoice> & {
  subscription?: string | { id: string } | null;
  payment_intent?: string | { id: string } | null;
  parent?: { subscription_details?: { subscription?: string | { id: string } } | null } | null;
  lines?: { data?: { period?: { start?: number; end?: number } }[] };
  /** API versions from 2025-03-31 name the PaymentIntent here (when Stripe includes it) instead of `payment_intent`. */
  payments?: { data?: { payment?: { payment_intent?: string | { id: string } | null } }[] };
};

const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : (v?.id ?? null));
const instantOf = (s: number) => new Date(s * 1000);
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

function minor(total: string, currency: string): string | null {
  const d = new Decimal(total).times(ZERO_DECIMAL.has(currency.toLowerCase()) ? 1 : 100);
  return d.isInteger() && d.gte(0) ? d.toFixed(0) : null;
}
function digits(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  return null;
}

export const subscriptionOfInvoice = (inv: InvoiceLike) => idOf(inv.parent?.subscription_details?.subscription) ?? idOf(inv.subscription);

interface SubRow {
  id: number;
  member_id: number;
  status: string;
  currency: string;
  stripe_updated_at: string | null;
}

async function lockSubscription(tx: Tx, stripeId: string | null): Promise<SubRow | null> {
  if (!stripeId) return null;
  const [s] = await rows<SubRow>(
    tx,
    sql`
    select id, member_id, status, currency, stripe_updated_at from autoship_subscriptions where stripe_subscription_id = ${stripeId} for update`,
  );
  return s ? { ...s, id: Number(s.id), member_id: Number(s.member_id) } : null;
}

async function recordCharge(
  tx: Tx,
  c: {
    eventId: string;
    subscriptionId: number;
    invoiceId: string;
    outcome: 'paid' | 'failed' | 'review';
    attempt: number | null;
    amountMinor: string | null;
    currency: string | null;
    reason: string | null;
    orderId: number | null;
    periodStart: Date | null;
    periodEnd: Date | null;
    at: Date;
  },
) {
  await tx.execute(sql`
    insert into autoship_charges (event_id, subscription_id, invoice_id, outcome, attempt, amount_minor, currency, reason, order_id, period_start, period_end, at)
    values (${c.eventId}, ${c.subscriptionId}, ${c.invoiceId}, ${c.outcome}, ${c.attempt}, ${c.amountMinor}::bigint, ${c.currency}, ${c.reason}, ${c.orderId},
      ${c.periodStart?.toISOString() ?? null}::timestamptz, ${c.periodEnd?.toISOString() ?? null}::timestamptz, ${c.at.toISOString()}::timestamptz)`);
}

/** The payments screen shows Stripe-paid orders and the ones held for review by their PaymentIntent (or invoice). */
async function recordPayment(
  tx: Tx,
  key: string,
  eventId: string,
  p: { orderId: number; state: 'succeeded' | 'mismatch'; amountMinor: string | null; currency: string | null; at: Date; review: string | null },
) {
  await tx.execute(sql`
    insert into stripe_payments (payment_intent_id, order_id, state, amount_minor, currency, review_reason, succeeded_at, last_event_id, updated_at)
    values (${key}, ${p.orderId}, ${p.state}, ${p.amountMinor}::bigint, ${p.currency}, ${p.review}, ${p.at.toISOString()}::timestamptz, ${eventId}, now())
    on conflict (payment_intent_id) do update set order_id = excluded.order_id, state = excluded.state, amount_minor = excluded.amount_minor,
      currency = excluded.currency, review_reason = excluded.review_reason, succeeded_at = excluded.succeeded_at, last_event_id = excluded.last_event_id, updated_at = now()`);
}

export async function onInvoicePaid(tx: Tx, event: Stripe.Event): Promise<AutoshipApplied> {
  const inv = event.data.object as InvoiceLike;
  const sub = await lockSubscription(tx, subscriptionOfInvoice(inv));
  const piId = idOf(inv.payment_intent) ?? idOf(inv.payments?.data?.[0]?.payment?.payment_intent);
  if (!sub || !inv.id) return { outcome: 'unmatched', orderId: null, piId, reason: `Factura ${inv.id ?? '?'} sin autoenvío conocido` };
  const [done] = await tx.execute<{ order_id: string | null; outcome: string }>(
    sql`select order_id, outcome from autoship_charges where invoice_id = ${inv.id} and outcome in ('paid','review')`,
  );
  if (done) return { outcome: 'already_confirmed', orderId: done.order_id == null ? null : Number(done.order_id), piId };

  const paidAt = instantOf(inv.status_transitions?.paid_at ?? event.created);
  const period = inv.lines?.data?.[0]?.period;
  const periodStart = period?.start ? instantOf(period.start) : null;
  const periodEnd = period?.end ? instantOf(period.end) : null;
  const got = digits(inv.amount_paid);
  const currency = (inv.currency ?? '').toUpperCase() || null;
  const items = await tx.execute<{ product_id: number; quantity: number }>(
    sql`select product_id, quantity from autoship_items where subscription_id = ${sub.id} order by product_id`,
  );
  const charge = {
    eventId: event.id,
    subscriptionId: sub.id,
    invoiceId: inv.id,
    attempt: inv.attempt_count ?? null,
    amountMinor: got,
    currency,
    periodStart,
    periodEnd,
    at: paidAt,
  };

  let order: { id: number; total: string; currency: string } | null = null;
  const problems: string[] = [];
  try {
    if (items.length === 0) throw new AppError('VALIDATION', 'el autoenvío no tiene productos');
    const o = await createOrder(
      tx,
      { memberId: sub.member_id, lines: items.map((i) => ({ productId: Number(i.product_id), quantity: Number(i.quantity) })) },
      paidAt,
    );
    order = { id: Number(o.id), total: String(o.total), currency: o.currency };
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    problems.push(`no se pudo armar el pedido: ${e.message}`);
  }
  if (order) {
    const expected = minor(order.total, order.currency);
    if (expected == null || got == null || expected !== got)
      problems.push(`importe pagado ${got ?? '?'} (centavos) ≠ total del pedido ${order.total} ${order.currency} (${expected ?? '?'} centavos)`);
    if (currency !== order.currency.trim()) problems.push(`moneda ${currency ?? '?'} ≠ ${order.currency}`);
  }
  const payKey = piId ?? `invoice:${inv.id}`;
  if (problems.length > 0) {
    const reason = problems.join('; ');
    await recordCharge(tx, { ...charge, outcome: 'review', reason, orderId: order?.id ?? null });
    if (order) await recordPayment(tx, payKey, event.id, { orderId: order.id, state: 'mismatch', amountMinor: got, currency, at: paidAt, review: reason });
    return { outcome: 'mismatch', orderId: order?.id ?? null, piId, reason, after: { autoship: sub.id, invoice: inv.id, review: reason } };
  }
  const r = await confirmOrder(tx, order!.id, { confirmedAt: paidAt.toISOString(), method: 'stripe', stripePaymentIntentId: piId });
  await recordCharge(tx, { ...charge, outcome: 'paid', reason: null, orderId: order!.id });
  await recordPayment(tx, payKey, event.id, { orderId: order!.id, state: 'succeeded', amountMinor: got, currency, at: paidAt, review: null });
  await tx.execute(sql`
    update autoship_subscriptions set
      failed_attempts = 0,
      status = case when status = 'past_due' then 'active' else status end,
      next_charge_at = case when status in ('active','past_due') and ${periodEnd?.toISOString() ?? null}::timestamptz is not null
        then greatest(next_charge_at, ${periodEnd?.toISOString() ?? null}::timestamptz) else next_charge_at end,
      updated_at = now()
    where id = ${sub.id}`);
  return {
    outcome: 'confirmed',
    orderId: order!.id,
    piId,
    before: { status: 'pending' },
    after: {
      status: 'paid',
      method: 'stripe',
      autoship: sub.id,
      invoice: inv.id,
      paidAt: paidAt.toISOString(),
      period: r.periodKey,
      late: r.late,
      total: order!.total,
      currency: order!.currency,
    },
  };
}

export async function onInvoiceFailed(tx: Tx, event: Stripe.Event): Promise<AutoshipApplied> {
  const inv = event.data.object as InvoiceLike & { last_finalization_error?: { message?: string } | null };
  const sub = await lockSubscription(tx, subscriptionOfInvoice(inv));
  const piId = idOf(inv.payment_intent);
  if (!sub || !inv.id) return { outcome: 'unmatched', orderId: null, piId, reason: `Factura ${inv.id ?? '?'} sin autoenvío conocido` };
  const at = instantOf(event.created);
  const attempt = inv.attempt_count ?? null;
  const retry = inv.next_payment_attempt
    ? ` Stripe reintenta el ${new Date(inv.next_payment_attempt * 1000).toISOString().slice(0, 10)}.`
    : ' Stripe no volverá a intentar.';
  const reason = `${inv.last_finalization_error?.message ?? 'El banco rechazó el cobro'}${attempt ? ` (intento ${attempt})` : ''}.${retry}`;
  await recordCharge(tx, {
    eventId: event.id,
    subscriptionId: sub.id,
    invoiceId: inv.id,
    outcome: 'failed',
    attempt,
    amountMinor: digits(inv.amount_due),
    currency: (inv.currency ?? '').toUpperCase() || null,
    reason,
    orderId: null,
    periodStart: null,
    periodEnd: null,
    at,
  });
  await tx.execute(sql`
    update autoship_subscriptions set failed_attempts = failed_attempts + 1, last_failure_reason = ${reason}, last_failure_at = ${at.toISOString()}::timestamptz,
      status = case when status in ('active','past_due') then 'past_due' else status end, updated_at = now()
    where id = ${sub.id}`);
  return {
    outcome: 'failure_recorded',
    orderId: null,
    piId,
    reason,
    before: { status: sub.status },
    after: { autoship: sub.id, invoice: inv.id, attempt, failure: reason },
  };
}

type SubscriptionItemLike = {
  quantity?: number;
  metadata?: Record<string, string>;
  price?: { unit_amount?: number | null; metadata?: Record<string, string> };
};

/**
 * A subscription the member app created at Stripe (metadata.member_id, each item's price or item
 * metadata.sku naming a catalogue product): our row and items, so it shows here. Null when it does
 * not name a member and products we know.
 */
async function adoptSubscription(tx: Tx, obj: Stripe.Subscription, eventAt: Date): Promise<{ id: number; reason?: undefined } | { id: null; reason: string }> {
  const memberId = /^\d{1,15}$/.test(obj.metadata?.member_id ?? '') ? Number(obj.metadata!.member_id) : null;
  if (memberId == null) return { id: null, reason: `Suscripción ${obj.id} sin metadata.member_id` };
  const [m] = await tx.execute(sql`select id from members where id = ${memberId}`);
  if (!m) return { id: null, reason: `Suscripción ${obj.id}: el socio ${memberId} no existe` };
  const items = ((obj.items?.data ?? []) as SubscriptionItemLike[]).map((i) => ({
    sku: i.price?.metadata?.sku ?? i.metadata?.sku ?? '',
    quantity: Number(i.quantity ?? 1),
    unit: digits(i.price?.unit_amount),
  }));
  const skus = [...new Set(items.map((i) => i.sku))];
  const known = skus.length === 0 ? [] : await tx.select({ id: products.id, sku: products.sku }).from(products).where(inArray(products.sku, skus));
  const missing = skus.filter((k) => !known.some((p) => p.sku === k));
  if (items.length === 0 || missing.length > 0 || items.some((i) => i.unit == null || !Number.isInteger(i.quantity) || i.quantity < 1)) {
    return { id: null, reason: `Suscripción ${obj.id}: productos desconocidos o sin precio (${missing.join(', ') || 'sin artículos'})` };
  }
  const st = readSubscription(obj);
  const minorTotal = items.reduce((a, i) => a.plus(new Decimal(i.unit!).times(i.quantity)), new Decimal(0));
  const amount = ZERO_DECIMAL.has((obj.currency ?? '').toLowerCase()) ? minorTotal.toFixed(2) : minorTotal.div(100).toFixed(2);
  const [row] = await tx.execute<{ id: string }>(sql`
    insert into autoship_subscriptions (member_id, stripe_subscription_id, stripe_customer_id, status, charge_day, next_charge_at, currency, amount,
      paused_at, canceled_at, stripe_updated_at)
    values (${memberId}, ${obj.id}, ${idOf(obj.customer as string | { id: string }) ?? ''}, ${st.status}, ${Math.min(st.chargeDay ?? 28, 28)},
      ${st.nextChargeAt?.toISOString() ?? null}::timestamptz, ${(obj.currency ?? '').toUpperCase()}, ${amount},
      ${st.status === 'paused' ? eventAt.toISOString() : null}::timestamptz, ${st.canceledAt?.toISOString() ?? null}::timestamptz, ${eventAt.toISOString()}::timestamptz)
    on conflict (stripe_subscription_id) do nothing returning id`);
  if (!row) return { id: null, reason: `Suscripción ${obj.id} ya registrada` };
  const id = Number(row.id);
  const lines = items.map((i) => ({ p: known.find((k) => k.sku === i.sku)!.id, sku: i.sku, q: i.quantity }));
  await tx.execute(sql`
    insert into autoship_items (subscription_id, product_id, sku, quantity)
    select ${id}, p, sku, sum(q) from jsonb_to_recordset(${JSON.stringify(lines)}::jsonb) as x(p int, sku text, q int) group by p, sku`);
  return { id };
}

export async function onSubscriptionChanged(tx: Tx, event: Stripe.Event): Promise<AutoshipApplied> {
  const obj = event.data.object as Stripe.Subscription;
  const sub = await lockSubscription(tx, obj.id);
  if (!sub) {
    if (event.type === 'customer.subscription.deleted') return { outcome: 'unmatched', orderId: null, piId: null, reason: `Suscripción ${obj.id} desconocida` };
    const adopted = await adoptSubscription(tx, obj, instantOf(event.created));
    if (adopted.id == null) return { outcome: 'unmatched', orderId: null, piId: null, reason: adopted.reason };
    return { outcome: 'subscription_updated', orderId: null, piId: null, after: { autoship: adopted.id, created: true, member: obj.metadata?.member_id } };
  }
  const eventAt = instantOf(event.created);
  if (sub.stripe_updated_at && new Date(sub.stripe_updated_at).getTime() > eventAt.getTime()) {
    return { outcome: 'stale', orderId: null, piId: null, reason: `Evento anterior al estado guardado de ${obj.id}` };
  }
  const st = readSubscription(obj);
  if (event.type === 'customer.subscription.deleted') {
    st.status = 'canceled';
    st.nextChargeAt = null;
  }
  // A past_due we recorded from a failed invoice stays until Stripe says otherwise (its status is the truth).
  await tx.execute(sql`
    update autoship_subscriptions set
      status = ${st.status},
      next_charge_at = ${st.nextChargeAt?.toISOString() ?? null}::timestamptz,
      charge_day = coalesce(${st.chargeDay}::smallint, charge_day),
      paused_at = case when ${st.status} = 'paused' then coalesce(paused_at, ${eventAt.toISOString()}::timestamptz) else null end,
      canceled_at = case when ${st.status} = 'canceled' then coalesce(canceled_at, ${(st.canceledAt ?? eventAt).toISOString()}::timestamptz) else null end,
      failed_attempts = case when ${st.status} = 'active' then 0 else failed_attempts end,
      stripe_updated_at = ${eventAt.toISOString()}::timestamptz, updated_at = now()
    where id = ${sub.id}`);
  return {
    outcome: 'subscription_updated',
    orderId: null,
    piId: null,
    before: { status: sub.status },
    after: { autoship: sub.id, status: st.status, nextChargeAt: st.nextChargeAt?.toISOString() ?? null, chargeDay: st.chargeDay },
  };
}

export function dispatchAutoship(tx: Tx, event: Stripe.Event): Promise<AutoshipApplied> {
  switch (event.type) {
    case 'invoice.paid':
      return onInvoicePaid(tx, event);
    case 'invoice.payment_failed':
      return onInvoiceFailed(tx, event);
    default:
      return onSubscriptionChanged(tx, event);
  }
}
