/** Reading autoships: the list screen and a member's profile tab. */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { rows } from '../../db/rows';
import type { CallContext } from '../../kernel/context';
import type { OutputOf, ParsedInputOf } from '../../../shared/contract';
import type { AutoshipRow } from '../../../shared/contract/autoship';
import { AppError } from '../../../shared/errors';
import { searchMembers } from '../members/search';

const iso = (v: string | Date | null) => (v == null ? null : new Date(v).toISOString());

interface RawRow {
  id: string;
  member_id: string;
  code: string;
  name: string;
  stripe_subscription_id: string;
  stripe_customer_id: string;
  status: AutoshipRow['status'];
  charge_day: number;
  next_charge_at: string | null;
  currency: string;
  amount: string;
  failed_attempts: number;
  last_failure_reason: string | null;
  last_failure_at: string | null;
  paused_at: string | null;
  canceled_at: string | null;
  updated_at: string;
  items: number;
}

const SELECT = sql`
  select s.id, s.member_id, m.code, m.first_name || ' ' || m.last_name as name, s.stripe_subscription_id, s.stripe_customer_id, s.status, s.charge_day,
    s.next_charge_at, s.currency, s.amount::text as amount, s.failed_attempts, s.last_failure_reason, s.last_failure_at, s.paused_at, s.canceled_at, s.updated_at,
    (select count(*)::int from autoship_items i where i.subscription_id = s.id) as items
  from autoship_subscriptions s join members m on m.id = s.member_id`;

export function toRow(r: RawRow): AutoshipRow {
  return {
    id: Number(r.id),
    memberId: Number(r.member_id),
    memberCode: r.code,
    memberName: r.name,
    stripeSubscriptionId: r.stripe_subscription_id,
    stripeCustomerId: r.stripe_customer_id,
    status: r.status,
    chargeDay: Number(r.charge_day),
    nextChargeAt: iso(r.next_charge_at),
    currency: r.currency.trim(),
    amount: r.amount,
    failedAttempts: Number(r.failed_attempts),
    lastFailureReason: r.last_failure_reason,
    lastFailureAt: iso(r.last_failure_at),
    pausedAt: iso(r.paused_at),
    canceledAt: iso(r.canceled_at),
    updatedAt: iso(r.updated_at)!,
    items: Number(r.items),
  };
}

export async function subscriptionRow(db: DbOrTx, id: number): Promise<AutoshipRow> {
  const [r] = await rows<RawRow>(db, sql`${SELECT} where s.id = ${id}`);
  if (!r) throw AppError.of('NOT_FOUND', 'autoship.notFound', {}, { id });
  return toRow(r);
}

export async function listAutoships(input: ParsedInputOf<'autoship.list'>, ctx: CallContext): Promise<OutputOf<'autoship.list'>> {
  const where: SQL[] = [];
  if (input.member) {
    // The member lookup of the members screen (code, name, e-mail, phone; indexed), then its autoships.
    const hits = await searchMembers(ctx.sql, { q: input.member, page: 1, pageSize: 500 });
    const ids = hits.rows.map((h) => h.id);
    if (ids.length === 0) return { rows: [], total: 0, page: input.page, pageSize: input.pageSize, counts: {} };
    where.push(
      sql`s.member_id in (${sql.join(
        ids.map((i) => sql`${i}`),
        sql`, `,
      )})`,
    );
  }
  if (input.chargeDay != null) where.push(sql`s.charge_day = ${input.chargeDay}`);
  const base = where.length ? sql.join(where, sql` and `) : sql`true`;
  const status = input.status === 'all' ? sql`true` : sql`s.status = ${input.status}`;
  const offset = (input.page - 1) * input.pageSize;
  const found = await rows<RawRow>(
    ctx.db,
    sql`${SELECT} where ${base} and ${status}
    order by s.next_charge_at asc nulls last, s.id limit ${input.pageSize} offset ${offset}`,
  );
  const counts = await ctx.db.execute<{ k: string; n: number }>(
    sql`select s.status as k, count(*)::int as n from autoship_subscriptions s where ${base} group by s.status`,
  );
  const c: Record<string, number> = Object.fromEntries(counts.map((x) => [x.k, x.n]));
  c.all = counts.reduce((a, x) => a + x.n, 0);
  return { rows: found.map(toRow), total: input.status === 'all' ? c.all : (c[input.status] ?? 0), page: input.page, pageSize: input.pageSize, counts: c };
}

export async function memberAutoships(input: ParsedInputOf<'autoship.forMember'>, ctx: CallContext): Promise<OutputOf<'autoship.forMember'>> {
  const [m] = await ctx.db.execute<{ id: string; country: string }>(sql`select id, country from members where id = ${input.memberId}`);
  if (!m) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId: input.memberId });
  const subs = await rows<RawRow>(
    ctx.db,
    sql`${SELECT} where s.member_id = ${input.memberId}
    order by (s.status = 'canceled'), s.id desc`,
  );
  if (subs.length === 0) return [];
  const ids = sql.join(
    subs.map((s) => sql`${Number(s.id)}`),
    sql`, `,
  );
  const items = await ctx.db.execute<{
    subscription_id: string;
    product_id: number;
    sku: string;
    name: string;
    quantity: number;
    price: string | null;
    pv: string;
  }>(sql`
    select i.subscription_id, i.product_id, i.sku, p.name, i.quantity, pp.price::text as price, p.pv::text as pv
    from autoship_items i join products p on p.id = i.product_id
    left join product_prices pp on pp.product_id = i.product_id and pp.country = ${m.country}
    where i.subscription_id in (${ids}) order by i.sku`);
  const charges = await ctx.db.execute<{
    subscription_id: string;
    event_id: string;
    invoice_id: string;
    outcome: 'paid' | 'failed' | 'review';
    attempt: number | null;
    amount_minor: string | null;
    currency: string | null;
    reason: string | null;
    order_id: string | null;
    at: string;
  }>(sql`
    select c.* from (
      select c.*, row_number() over (partition by c.subscription_id order by c.at desc, c.event_id) as k from autoship_charges c where c.subscription_id in (${ids})
    ) c where c.k <= 24 order by c.at desc, c.event_id`);
  return subs.map((s) => ({
    ...toRow(s),
    itemCount: Number(s.items),
    items: items
      .filter((i) => String(i.subscription_id) === String(s.id))
      .map((i) => ({ productId: i.product_id, sku: i.sku, name: i.name, quantity: i.quantity, unitPrice: i.price, pv: i.pv })),
    charges: charges
      .filter((c) => String(c.subscription_id) === String(s.id))
      .map((c) => ({
        eventId: c.event_id,
        invoiceId: c.invoice_id,
        outcome: c.outcome,
        attempt: c.attempt,
        amount: c.amount_minor == null ? null : minorToDecimal(String(c.amount_minor)),
        currency: c.currency?.trim() ?? null,
        reason: c.reason,
        orderId: c.order_id == null ? null : Number(c.order_id),
        at: iso(c.at)!,
      })),
  }));
}

/** Stripe minor units (digits) → a 2-decimal string, without a JS number (every plan currency has 2 decimals). */
export function minorToDecimal(minor: string): string {
  const neg = minor.startsWith('-');
  const d = (neg ? minor.slice(1) : minor).padStart(3, '0');
  return `${neg ? '-' : ''}${d.slice(0, -2).replace(/^0+(?=\d)/, '')}.${d.slice(-2)}`;
}
