/**
 * Demo autoships for a new installation's demo network (called by the first-run seed after the
 * members and orders): a dozen members, deterministic, with one or two catalogue products each,
 * mostly active, some paused, one with failed charges, one canceled — so the Autoship screens
 * are not empty. Stripe ids are `sub_demo<member>` / `cus_demo<member>`: a real Stripe account
 * does not know them (e2e registers them in the local Stripe stand-in: e2e/fixtures/autoship.ts).
 * Idempotent: does nothing when any autoship exists. One statement per table: fast.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { Decimal } from '../../domain/money';
import { nextChargeInstant } from '../autoship/schedule';

export interface DemoAutoship {
  memberId: number;
  stripeSubscriptionId: string;
  status: string;
  chargeDay: number;
}

export async function seedDemoAutoships(db: DbOrTx, now: Date, count = 12): Promise<DemoAutoship[]> {
  const [any] = await db.execute(sql`select 1 as x from autoship_subscriptions limit 1`);
  if (any) return [];
  const members = await db.execute<{ id: string; country: string; currency: string }>(sql`
    select m.id, m.country, c.currency from members m join countries c on c.code = m.country
    where m.status = 'active' and m.sponsor_id is not null order by (m.country <> 'MX'), m.id % 7, m.id limit ${count}`);
  const catalogue = await db.execute<{ id: number; sku: string; country: string; price: string }>(sql`
    select p.id, p.sku, pp.country, pp.price::text as price from products p join product_prices pp on pp.product_id = p.id
    where p.kind = 'product' and p.active order by p.id`);
  const subs: {
    memberId: number;
    sid: string;
    cid: string;
    status: string;
    day: number;
    next: string | null;
    currency: string;
    amount: string;
    failed: number;
    reason: string | null;
    failedAt: string | null;
    pausedAt: string | null;
    canceledAt: string | null;
  }[] = [];
  const items: { i: number; productId: number; sku: string; qty: number }[] = [];
  const hour = 3_600_000;
  members.forEach((m, i) => {
    const mine = catalogue.filter((p) => p.country === m.country);
    if (mine.length === 0) return;
    const picks = [mine[(i * 5) % mine.length]!, ...(i % 3 === 0 ? [mine[(i * 5 + 3) % mine.length]!] : [])];
    const lines = picks.filter((p, k) => picks.findIndex((q) => q.id === p.id) === k).map((p, k) => ({ p, qty: 1 + ((i + k) % 2) }));
    const amount = lines.reduce((a, l) => a.plus(new Decimal(l.p.price).times(l.qty)), new Decimal(0)).toFixed(2);
    const status = i === 4 ? 'past_due' : i === 9 ? 'canceled' : i % 6 === 3 ? 'paused' : 'active';
    const day = 1 + ((Number(m.id) * 7) % 28);
    subs.push({
      memberId: Number(m.id),
      sid: `sub_demo${m.id}`,
      cid: `cus_demo${m.id}`,
      status,
      day,
      next: status === 'active' || status === 'past_due' ? nextChargeInstant(day, now).toISOString() : null,
      currency: m.currency,
      amount,
      failed: status === 'past_due' ? 2 : 0,
      reason: status === 'past_due' ? 'El banco rechazó el cobro: fondos insuficientes (intento 2). Stripe reintenta en 3 días.' : null,
      failedAt: status === 'past_due' ? new Date(now.getTime() - 20 * hour).toISOString() : null,
      pausedAt: status === 'paused' ? new Date(now.getTime() - 24 * 7 * hour).toISOString() : null,
      canceledAt: status === 'canceled' ? new Date(now.getTime() - 24 * 30 * hour).toISOString() : null,
    });
    for (const l of lines) items.push({ i: subs.length - 1, productId: l.p.id, sku: l.p.sku, qty: l.qty });
  });
  if (subs.length === 0) return [];
  const ids = await db.execute<{ id: string; stripe_subscription_id: string }>(sql`
    insert into autoship_subscriptions (member_id, stripe_subscription_id, stripe_customer_id, status, charge_day, next_charge_at, currency, amount,
      failed_attempts, last_failure_reason, last_failure_at, paused_at, canceled_at)
    select * from jsonb_to_recordset(${JSON.stringify(subs)}::jsonb) as x(
      "memberId" bigint, sid text, cid text, status text, day smallint, next timestamptz, currency text, amount numeric, failed int, reason text,
      "failedAt" timestamptz, "pausedAt" timestamptz, "canceledAt" timestamptz)
    returning id, stripe_subscription_id`);
  const idOf = new Map(ids.map((r) => [r.stripe_subscription_id, Number(r.id)]));
  const rows = items.map((it) => ({ s: idOf.get(subs[it.i]!.sid)!, p: it.productId, sku: it.sku, q: it.qty }));
  await db.execute(sql`
    insert into autoship_items (subscription_id, product_id, sku, quantity)
    select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(s bigint, p int, sku text, q int)`);
  // The failed attempts of the past-due one, as Stripe's invoice.payment_failed events would have left them.
  const failures = subs
    .filter((s) => s.status === 'past_due')
    .flatMap((s) =>
      [1, 2].map((attempt) => ({
        e: `evt_demo${s.memberId}f${attempt}`,
        s: idOf.get(s.sid)!,
        inv: `in_demo${s.memberId}`,
        attempt,
        minor: new Decimal(s.amount).times(100).toFixed(0),
        cur: s.currency,
        reason: attempt === 2 ? s.reason : 'El banco rechazó el cobro: fondos insuficientes (intento 1). Stripe reintenta en 3 días.',
        at: new Date(new Date(s.failedAt!).getTime() - (2 - attempt) * 72 * hour).toISOString(),
      })),
    );
  if (failures.length > 0) {
    await db.execute(sql`
      insert into autoship_charges (event_id, subscription_id, invoice_id, outcome, attempt, amount_minor, currency, reason, at)
      select e, s, inv, 'failed', attempt, minor, cur, reason, at from jsonb_to_recordset(${JSON.stringify(failures)}::jsonb)
        as x(e text, s bigint, inv text, attempt int, minor bigint, cur text, reason text, at timestamptz)`);
  }
  return subs.map((s) => ({ memberId: s.memberId, stripeSubscriptionId: s.sid, status: s.status, chargeDay: s.day }));
}
