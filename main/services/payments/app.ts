import { sql } from 'drizzle-orm';
import { reader, type Handler, viaEngine } from '../../kernel/wrappers';
import type { CallContext } from '../../kernel/context';
import type { OutputOf, ParsedInputOf } from '../../../shared/contract';
import { transferStripeSettings } from '../system/stripe-keys';
import { syncStep } from './sync';
import { codeFromDigits } from '../members/search';

const iso = (v: string | Date | null) => (v == null ? null : new Date(v).toISOString());

/**
 * Which rows a filter selects: order states on orders (the failed tab is the orders whose status is
 * failed, the same rows "all" badges Fallido), Stripe-side states on stripe_payments.
 */
function filterSql(filter: ParsedInputOf<'payments.list'>['filter']) {
  switch (filter) {
    case 'pending':
    case 'paid':
    case 'refunded':
    case 'failed':
    case 'cancelled':
      return sql`o.status::text = ${filter}`;
    case 'mismatch':
    case 'refund_waiting':
    case 'partial_refund':
      return sql`sp.state = ${filter}`;
    default:
      return sql`true`;
  }
}

/**
 * A search typed by staff: digits ("1494", "#1494") are an order number or a member code without its
 * prefix and zeros; "NN1494" a member code; anything else part of a member's name (the trigram
 * index of member_search, folded as the member search folds it).
 */
export function searchSql(raw: string | undefined) {
  const q = (raw ?? '').trim();
  if (!q) return sql`true`;
  const digits = /^#?\s*(\d{1,18})$/.exec(q);
  const code = codeFromDigits(q.replace(/^#/, ''));
  if (digits) {
    const n = digits[1]!;
    const byCode = code ? sql` or m.code = ${code}` : sql``;
    return n.length <= 15 ? sql`(o.id = ${n}::bigint${byCode})` : sql`false`;
  }
  if (code) return sql`m.code = ${code}`;
  return sql`o.member_id in (select s.member_id from member_search s where s.search_text like '%' || nnp_search_norm(${q}) || '%')`;
}

async function list(input: ParsedInputOf<'payments.list'>, ctx: CallContext): Promise<OutputOf<'payments.list'>> {
  const where = sql`${filterSql(input.filter)} and ${searchSql(input.q)}`;
  const offset = (input.page - 1) * input.pageSize;
  const rows = await ctx.db.execute<{
    id: string;
    member_id: string;
    code: string;
    name: string;
    total: string;
    currency: string;
    status: string;
    payment_method: string | null;
    created_at: string;
    payment_confirmed_at: string | null;
    period_key: string | null;
    refunded_at: string | null;
    pi: string | null;
    state: string | null;
    charge_id: string | null;
    failure: string | null;
    review_reason: string | null;
  }>(sql`
    select o.id, o.member_id, m.code, m.first_name || ' ' || m.last_name as name, o.total::text as total, o.currency, o.status,
      o.payment_method, o.created_at, o.payment_confirmed_at, p.key as period_key, o.refunded_at,
      coalesce(o.stripe_payment_intent_id, sp.payment_intent_id) as pi, sp.state, sp.charge_id,
      nullif(concat_ws(' · ', sp.failure_code, sp.failure_message), '') as failure, sp.review_reason
    from orders o
    join members m on m.id = o.member_id
    left join periods p on p.id = o.period_id
    left join lateral (select * from stripe_payments s where s.order_id = o.id order by s.updated_at desc limit 1) sp on true
    where ${where}
    order by o.id desc limit ${input.pageSize} offset ${offset}`);
  const [t] = await ctx.db.execute<{ n: number }>(sql`
    select count(*)::int as n from orders o
    join members m on m.id = o.member_id
    left join lateral (select * from stripe_payments s where s.order_id = o.id order by s.updated_at desc limit 1) sp on true
    where ${where}`);
  const countRows = await ctx.db.execute<{ k: string; n: number }>(sql`
    select o.status::text as k, count(*)::int as n from orders o where o.status in ('pending','paid','refunded','failed','cancelled') group by o.status
    union all select 'all', count(*)::int from orders
    union all select state, count(distinct order_id)::int from stripe_payments where state in ('mismatch','refund_waiting','partial_refund') group by state`);
  return {
    rows: rows.map((r) => ({
      orderId: Number(r.id),
      memberId: Number(r.member_id),
      memberCode: r.code,
      memberName: r.name,
      total: r.total,
      currency: r.currency.trim(),
      status: r.status,
      method: r.payment_method,
      createdAt: iso(r.created_at)!,
      paidAt: iso(r.payment_confirmed_at),
      periodKey: r.period_key,
      refundedAt: iso(r.refunded_at),
      paymentIntentId: r.pi,
      paymentState: r.state,
      chargeId: r.charge_id,
      failure: r.failure,
      review: r.review_reason,
    })),
    total: t?.n ?? 0,
    page: input.page,
    pageSize: input.pageSize,
    counts: Object.fromEntries(countRows.map((c) => [c.k, c.n])),
  };
}

async function events(input: ParsedInputOf<'payments.events'>, ctx: CallContext): Promise<OutputOf<'payments.events'>> {
  const rows = await ctx.db.execute<{
    id: string;
    type: string;
    created: string;
    source: string;
    received_at: string;
    processed_at: string | null;
    outcome: string | null;
    order_id: string | null;
    payment_intent_id: string | null;
    error: string | null;
  }>(sql`
    select id, type, created, source, received_at, processed_at, outcome, order_id, payment_intent_id, error
    from stripe_events order by created desc, id desc limit ${input.limit}`);
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    created: iso(r.created)!,
    source: r.source,
    receivedAt: iso(r.received_at)!,
    processedAt: iso(r.processed_at),
    outcome: r.outcome,
    orderId: r.order_id == null ? null : Number(r.order_id),
    paymentIntentId: r.payment_intent_id,
    error: r.error,
  }));
}

async function syncStatus(_: unknown, ctx: CallContext): Promise<OutputOf<'payments.syncStatus'>> {
  const [s] = await ctx.db.execute<{
    last_event_id: string | null;
    last_event_created: string | null;
    last_sync_at: string | null;
    unprocessed: number;
    events: number;
  }>(sql`
    select (select last_event_id from stripe_sync_state where id = 'stripe') as last_event_id,
      (select last_event_created from stripe_sync_state where id = 'stripe') as last_event_created,
      (select last_sync_at from stripe_sync_state where id = 'stripe') as last_sync_at,
      (select count(*)::int from stripe_events where processed_at is null) as unprocessed,
      (select count(*)::int from stripe_events) as events`);
  return {
    configured: (await transferStripeSettings(ctx.db, ctx.staff?.role ?? null)) != null,
    lastEventId: s?.last_event_id ?? null,
    lastEventAt: iso(s?.last_event_created ?? null),
    lastSyncAt: iso(s?.last_sync_at ?? null),
    unprocessed: s?.unprocessed ?? 0,
    events: s?.events ?? 0,
  };
}

/**
 * A sync step calls Stripe, so it is not one transaction: each event is applied in its own audited
 * transaction (applyStripeEvent → mutator) and the cursor is saved in another (audited).
 */
const sync: Handler<ParsedInputOf<'payments.syncStep'>, OutputOf<'payments.syncStep'>> = Object.assign(
  (input: ParsedInputOf<'payments.syncStep'>, ctx: CallContext) => syncStep(ctx, input),
  { kind: 'mutation' as const },
);

export const paymentsHandlers = {
  'payments.list': reader(list),
  'payments.events': reader(events),
  'payments.syncStatus': reader(syncStatus),
  'payments.syncStep': viaEngine("Stripe payments post to the ledger (ledger_post is the owner's)", sync),
};
