/**
 * Autoship through the real pieces: the router (roles, validation), the official Stripe SDK pointed
 * at the local stub (test/stripe-server.ts + test/stripe-subscriptions.ts), the signed webhook
 * receiver of issue 7 (one event path: main/services/payments/apply.ts), an embedded PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { sql } from 'drizzle-orm';
import { testApp, type TestApp } from '../../../test/app';
import { applyEnv, startStripeStub, stubEnv, type StripeStub, type StubEvent } from '../../../test/stripe-server';
import { insertMembers, insertPeriods, memberCode } from '../../../test/network';
import { SMALL_NETWORK, volumesOf } from '../../../test/small-network';
import { createWebhookServer } from '../../http/webhooks';
import { nextChargeInstant, chargeDayOf } from './schedule';
import { readSubscription } from './stripe';
import { seedDemoAutoships } from '../seed/autoship';

const SECRET = 'whsec_test_autoship_secret';
const stripe = new Stripe('sk_test_local_stub');
const NOW = new Date('2026-10-20T18:00:00Z');
let t: TestApp;
let stub: StripeStub;
let receiver: ReturnType<typeof createWebhookServer>;
let url: string;
let periods: Map<string, number>;
let products: { a: number; b: number };
let restoreEnv = () => {};
const sec = (iso: string) => Math.floor(Date.parse(iso) / 1000);

beforeAll(async () => {
  stub = await startStripeStub();
  stub.clock = () => Math.floor(NOW.getTime() / 1000);
  restoreEnv = applyEnv(stubEnv(stub, { NNP_STRIPE_TIMEOUT_MS: '2000', NNP_STRIPE_MAX_RETRIES: '0' }));
  t = await testApp({ now: () => NOW });
  await insertMembers(t.database.sql, SMALL_NETWORK);
  periods = await insertPeriods(t.database.sql, ['2026-08', '2026-09', '2026-10']);
  const [a] = await t.database.sql<
    { id: number }[]
  >`insert into products (sku, name, kind, pv) values ('AS-OMEGA', 'Omega 3 de prueba', 'product', '293') returning id`;
  const [b] = await t.database.sql<
    { id: number }[]
  >`insert into products (sku, name, kind, pv) values ('AS-SUERO', 'Suero de prueba', 'product', '350') returning id`;
  products = { a: a!.id, b: b!.id };
  await t.database
    .sql`insert into product_prices (product_id, country, price, vn) values (${a!.id}, 'MX', '349.00', '300.00'), (${b!.id}, 'MX', '449.00', '380.00'), (${a!.id}, 'US', '20.99', '18.00')`;
  receiver = createWebhookServer({ services: { ...t.services, log: () => {} }, secret: SECRET, toleranceSeconds: 300 });
  url = (await receiver.listen(0)).url;
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await t?.close();
  await stub?.close();
  restoreEnv();
});

/** An autoship of `memberId` here and at the stub (same Stripe id): omega ×2 + suero ×1 = MXN 1,147.00. */
async function autoship(memberId: number, opts: { status?: 'active' | 'paused' | 'past_due' | 'canceled'; day?: number } = {}) {
  const day = opts.day ?? 15;
  const next = nextChargeInstant(day, NOW);
  const sub = stub.createSubscription({
    currency: 'mxn',
    periodEnd: Math.floor(next.getTime() / 1000),
    status: opts.status === 'past_due' ? 'past_due' : opts.status === 'canceled' ? 'canceled' : 'active',
    paused: opts.status === 'paused',
    metadata: { member_id: String(memberId) },
    items: [
      { sku: 'AS-OMEGA', quantity: 2, unitAmount: 34900 },
      { sku: 'AS-SUERO', quantity: 1, unitAmount: 44900 },
    ],
  });
  const [row] = await t.database.sql<{ id: string }[]>`
    insert into autoship_subscriptions (member_id, stripe_subscription_id, stripe_customer_id, status, charge_day, next_charge_at, currency, amount)
    values (${memberId}, ${sub.id}, ${sub.customer}, ${opts.status ?? 'active'}, ${day}, ${opts.status === 'paused' || opts.status === 'canceled' ? null : next.toISOString()}, 'MXN', '1147.00') returning id`;
  const id = Number(row!.id);
  await t.database
    .sql`insert into autoship_items (subscription_id, product_id, sku, quantity) values (${id}, ${products.a}, 'AS-OMEGA', 2), (${id}, ${products.b}, 'AS-SUERO', 1)`;
  return { id, sub };
}

const row = async (id: number) =>
  (
    await t.database.sql<
      {
        status: string;
        charge_day: number;
        next_charge_at: Date | null;
        failed_attempts: number;
        last_failure_reason: string | null;
        paused_at: Date | null;
        canceled_at: Date | null;
      }[]
    >`
  select status, charge_day, next_charge_at, failed_attempts, last_failure_reason, paused_at, canceled_at from autoship_subscriptions where id = ${id}`
  )[0]!;
const audits = async (id: number) => t.database.sql<{ action: string; reason: string; staff_username: string; after: Record<string, unknown> }[]>`
  select action, reason, staff_username, after from audit_log where entity = 'autoship' and entity_id = ${String(id)} order by id`;
const auditCount = async () => Number((await t.database.sql`select count(*)::int as n from audit_log`)[0]!.n);
const stripeWrites = (subId: string) => stub.requests.filter((r) => r.path === `/v1/subscriptions/${subId}` && r.method !== 'GET');
const act = (
  name: 'autoship.pause' | 'autoship.resume' | 'autoship.cancel',
  id: number,
  role: 'admin' | 'support' | 'finance' = 'support',
  requestId = randomUUID(),
  reason = 'El socio lo pidió por teléfono',
) => t.call(name, { id, reason, requestId }, t.tokens[role]);

async function deliver(e: StubEvent) {
  const payload = JSON.stringify(e);
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
  const res = await fetch(url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', 'stripe-signature': header } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('charge days', () => {
  it('the next charge is the first such day after today, at noon Mexico City', () => {
    expect(nextChargeInstant(5, NOW).toISOString()).toBe('2026-11-05T18:00:00.000Z');
    expect(nextChargeInstant(28, NOW).toISOString()).toBe('2026-10-28T18:00:00.000Z');
    expect(nextChargeInstant(20, NOW).toISOString()).toBe('2026-11-20T18:00:00.000Z'); // today is the 20th: next month
    expect(nextChargeInstant(1, new Date('2026-12-31T23:00:00Z')).toISOString()).toBe('2027-01-01T18:00:00.000Z'); // 31 Dec 17:00 in Mexico
    expect(nextChargeInstant(1, new Date('2027-01-01T03:00:00Z')).toISOString()).toBe('2027-01-01T18:00:00.000Z'); // 1 Jan 03:00Z is still 31 Dec (21:00) in Mexico
    expect(nextChargeInstant(1, new Date('2027-01-01T20:00:00Z')).toISOString()).toBe('2027-02-01T18:00:00.000Z'); // 1 Jan in Mexico: next month
    expect(() => nextChargeInstant(29, NOW)).toThrow(RangeError);
    expect(chargeDayOf(new Date('2026-11-05T18:00:00Z'))).toBe(5);
    expect(chargeDayOf(new Date('2026-11-30T18:00:00Z'))).toBeNull();
  });

  it('reads a Stripe subscription of either API shape', () => {
    expect(
      readSubscription({ status: 'active', pause_collection: null, items: { data: [{ current_period_end: sec('2026-11-05T18:00:00Z') }] } }),
    ).toMatchObject({ status: 'active', chargeDay: 5, nextChargeAt: new Date('2026-11-05T18:00:00Z') });
    expect(readSubscription({ status: 'active', pause_collection: { behavior: 'void' }, current_period_end: sec('2026-11-05T18:00:00Z') })).toMatchObject({
      status: 'paused',
      nextChargeAt: null,
    });
    expect(readSubscription({ status: 'unpaid' }).status).toBe('past_due');
    expect(readSubscription({ status: 'canceled', canceled_at: 1 }).status).toBe('canceled');
  });
});

describe('staff actions', () => {
  it('support pauses an autoship: Stripe pause_collection with an idempotency key, status paused, audited with the reason', async () => {
    const { id, sub } = await autoship(7);
    const requestId = randomUUID();
    const r = await act('autoship.pause', id, 'support', requestId, 'Vacaciones del socio');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data).toMatchObject({ duplicate: false, subscription: { id, status: 'paused', nextChargeAt: null } });
    expect(stub.subscriptions.get(sub.id)!.pause_collection).toEqual({ behavior: 'void', resumes_at: null });
    const writes = stripeWrites(sub.id);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.idempotencyKey).toBe(`autoship:${sub.id}:pause:${requestId}`);
    expect(writes[0]!.body).toMatchObject({ pause_collection: { behavior: 'void' } });
    expect((await row(id)).paused_at).not.toBeNull();
    const a = await audits(id);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({
      action: 'autoship.pause',
      reason: 'Vacaciones del socio',
      staff_username: 'soporte',
      after: { action: 'pause', status: 'paused', requestId },
    });
  });

  it('a retried request acts once: the same request id answers duplicate without calling Stripe again; a double submit is replayed by Stripe', async () => {
    const { id, sub } = await autoship(8);
    const requestId = randomUUID();
    const first = await act('autoship.pause', id, 'support', requestId);
    const again = await act('autoship.pause', id, 'support', requestId);
    expect(first.ok && again.ok).toBe(true);
    if (again.ok) expect(again.data).toMatchObject({ duplicate: true, subscription: { status: 'paused' } });
    expect(stripeWrites(sub.id)).toHaveLength(1);
    expect(await audits(id)).toHaveLength(1);
    // Two submits at once: both reach Stripe with the same key, the second is Stripe's replay; one request row, one change.
    const requestId2 = randomUUID();
    const both = await Promise.all([act('autoship.resume', id, 'admin', requestId2), act('autoship.resume', id, 'admin', requestId2)]);
    expect(both.every((x) => x.ok)).toBe(true);
    const resumes = stripeWrites(sub.id).filter((w) => w.idempotencyKey === `autoship:${sub.id}:resume:${requestId2}`);
    expect(resumes.length).toBeGreaterThanOrEqual(1);
    expect(resumes.filter((w) => !w.replayed)).toHaveLength(1);
    expect((await t.database.sql`select 1 from autoship_requests where request_id = ${requestId2}`).length).toBe(1);
    expect((await row(id)).status).toBe('active');
    // A request id reused for another action is refused.
    const misuse = await act('autoship.cancel', id, 'support', requestId);
    expect(!misuse.ok && misuse.error.code).toBe('CONFLICT');
    expect((await row(id)).status).toBe('active');
  });

  it('resume clears pause_collection; resuming an active one is CONFLICT and nothing is sent', async () => {
    const { id, sub } = await autoship(9, { status: 'paused', day: 10 });
    const r = await act('autoship.resume', id);
    expect(r.ok && r.data.subscription).toMatchObject({ status: 'active', nextChargeAt: '2026-11-10T18:00:00.000Z' });
    expect(stub.subscriptions.get(sub.id)!.pause_collection).toBeNull();
    expect(stripeWrites(sub.id)[0]!.body).toMatchObject({ pause_collection: '' });
    const before = stripeWrites(sub.id).length;
    const again = await act('autoship.resume', id);
    expect(!again.ok && again.error.code).toBe('CONFLICT');
    expect(stripeWrites(sub.id)).toHaveLength(before);
  });

  it('change the charge day: trial_end at the new day (noon Mexico City) without prorations; bad days are VALIDATION and change nothing', async () => {
    const { id, sub } = await autoship(4, { day: 15 });
    const audit0 = await auditCount();
    for (const day of [0, 29, 'x', 2.5, -1, null]) {
      const bad = await t.call('autoship.changeDay', { id, day, reason: 'Cambio de quincena', requestId: randomUUID() }, t.tokens.support);
      expect(!bad.ok && bad.error.code, `day ${String(day)}`).toBe('VALIDATION');
    }
    const same = await t.call('autoship.changeDay', { id, day: 15, reason: 'Mismo día', requestId: randomUUID() }, t.tokens.support);
    expect(!same.ok && same.error.code).toBe('CONFLICT');
    expect(stripeWrites(sub.id)).toHaveLength(0);
    expect(await auditCount()).toBe(audit0);
    expect((await row(id)).charge_day).toBe(15);

    const r = await t.call('autoship.changeDay', { id, day: 5, reason: 'Le pagan el día 1', requestId: randomUUID() }, t.tokens.support);
    expect(r.ok && r.data.subscription).toMatchObject({ chargeDay: 5, nextChargeAt: '2026-11-05T18:00:00.000Z', status: 'active' });
    expect(stripeWrites(sub.id)[0]!.body).toMatchObject({ trial_end: String(sec('2026-11-05T18:00:00Z')), proration_behavior: 'none' });
    expect((await row(id)).charge_day).toBe(5);
  });

  it('cancel: canceled at Stripe and here; cancelling again, pausing or changing a canceled one is CONFLICT', async () => {
    const { id, sub } = await autoship(6);
    const r = await act('autoship.cancel', id, 'admin');
    expect(r.ok && r.data.subscription).toMatchObject({ status: 'canceled', nextChargeAt: null });
    expect(stub.subscriptions.get(sub.id)!.status).toBe('canceled');
    expect(stub.requests.find((q) => q.method === 'DELETE' && q.path === `/v1/subscriptions/${sub.id}`)?.idempotencyKey).toMatch(/^autoship:sub_\w+:cancel:/);
    const audit0 = await auditCount();
    for (const x of [
      await act('autoship.cancel', id),
      await act('autoship.pause', id),
      await t.call('autoship.changeDay', { id, day: 3, reason: 'No debe', requestId: randomUUID() }, t.tokens.support),
    ]) {
      expect(!x.ok && x.error.code).toBe('CONFLICT');
    }
    expect(await auditCount()).toBe(audit0);
  });

  it('unknown subscription → NOT_FOUND; missing reason or request id → VALIDATION; nothing written', async () => {
    const audit0 = await auditCount();
    const n0 = stub.requests.length;
    const missing = await act('autoship.pause', 987654);
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
    const { id } = await autoship(2);
    expect((await t.call('autoship.pause', { id, reason: '', requestId: randomUUID() }, t.tokens.support)).ok).toBe(false);
    const noReason = await t.call('autoship.pause', { id, requestId: randomUUID() }, t.tokens.support);
    expect(!noReason.ok && noReason.error.code).toBe('VALIDATION');
    const badId = await t.call('autoship.pause', { id, reason: 'Motivo válido', requestId: 'x' }, t.tokens.support);
    expect(!badId.ok && badId.error.code).toBe('VALIDATION');
    const mforMember = await t.call('autoship.forMember', { memberId: 987654 }, t.tokens.support);
    expect(!mforMember.ok && mforMember.error.code).toBe('NOT_FOUND');
    expect(await auditCount()).toBe(audit0);
    expect(stub.requests.length).toBe(n0);
    expect((await row(id)).status).toBe('active');
  });

  it('finance reads but may not act (FORBIDDEN, nothing sent)', async () => {
    const { id, sub } = await autoship(3);
    for (const name of ['autoship.pause', 'autoship.resume', 'autoship.cancel'] as const) {
      const r = await act(name, id, 'finance');
      expect(!r.ok && r.error.code, name).toBe('FORBIDDEN');
    }
    const d = await t.call('autoship.changeDay', { id, day: 3, reason: 'Finanzas no', requestId: randomUUID() }, t.tokens.finance);
    expect(!d.ok && d.error.code).toBe('FORBIDDEN');
    expect(stripeWrites(sub.id)).toHaveLength(0);
    const list = await t.call('autoship.list', {}, t.tokens.finance);
    expect(list.ok).toBe(true);
    expect((await t.call('autoship.forMember', { memberId: 3 }, t.tokens.finance)).ok).toBe(true);
  });

  it('Stripe refusing (4xx) is CONFLICT, Stripe down (5xx) is a retryable error; the row is unchanged and a retry of the same request then works', async () => {
    const { id, sub } = await autoship(5);
    stub.script('subscriptions.update', { kind: 'decline', code: 'resource_missing', message: 'No such subscription' });
    const declined = await act('autoship.pause', id);
    expect(!declined.ok && declined.error.code).toBe('CONFLICT');
    expect((await row(id)).status).toBe('active');
    const requestId = randomUUID();
    stub.script('subscriptions.update', { kind: 'error', status: 500 });
    const down = await act('autoship.pause', id, 'support', requestId);
    expect(!down.ok && down.error.code).toBe('INTERNAL');
    expect(!down.ok && (down.error.details as { retryable?: boolean }).retryable).toBe(true);
    expect((await row(id)).status).toBe('active');
    expect(stub.subscriptions.get(sub.id)!.pause_collection).toBeNull();
    const retry = await act('autoship.pause', id, 'support', requestId);
    expect(retry.ok && retry.data).toMatchObject({ duplicate: false, subscription: { status: 'paused' } });
  });
});

describe('secrets per role (issue 16 item 5)', () => {
  const used = (since: number) => stub.requests.slice(since).map((r) => r.apiKey);
  it('support acts with the restricted key only; the transfer key is never used in a support session; without the restricted key support cannot act', async () => {
    const { id, sub } = await autoship(9);
    const since = stub.requests.length;
    expect(await t.must('system.capabilities', {}, t.tokens.support)).toEqual({ stripe: true });
    expect((await act('autoship.pause', id, 'support')).ok).toBe(true);
    expect((await act('autoship.resume', id, 'support')).ok).toBe(true);
    // Everything money-moving a support session might try is refused before Stripe is reached.
    for (const [name, input] of [
      ['withdrawals.payout', { id: 1 }],
      ['payments.syncStep', { first: true }],
    ] as const) {
      const r = await t.call(name, input, t.tokens.support);
      expect(!r.ok && r.error.code, name).toBe('FORBIDDEN');
    }
    expect(stripeWrites(sub.id).map((r) => r.apiKey)).toEqual(['rk_test_local_stub', 'rk_test_local_stub']);
    expect(used(since).every((k) => k === 'rk_test_local_stub')).toBe(true);

    // A support desktop without the restricted key: the actions are unavailable (and say so); Stripe is not called.
    const restore = applyEnv({ NNP_STRIPE_RESTRICTED_KEY: '' });
    try {
      const before = stub.requests.length;
      expect(await t.must('system.capabilities', {}, t.tokens.support)).toEqual({ stripe: false });
      const r = await act('autoship.pause', id, 'support');
      expect(!r.ok && r.error).toMatchObject({ code: 'CONFLICT', key: 'stripe.notConfigured' });
      expect(stub.requests.length).toBe(before);
      expect((await row(id)).status).toBe('active');
      // An admin desktop holding the secret key still acts (no restricted key: the secret one).
      expect(await t.must('system.capabilities', {}, t.tokens.admin)).toEqual({ stripe: true });
      expect((await act('autoship.pause', id, 'admin')).ok).toBe(true);
      expect(stub.requests.slice(before).map((q) => q.apiKey)).toEqual(['sk_test_local_stub']);
    } finally {
      restore();
    }
  });
});

describe('lists', () => {
  it('filters by status, member and charge day, with counts', async () => {
    const all = await t.must('autoship.list', {}, t.tokens.support);
    expect(all.total).toBeGreaterThanOrEqual(8);
    expect(all.counts.all).toBe(all.total);
    const paused = await t.must('autoship.list', { status: 'paused' }, t.tokens.support);
    expect(paused.rows.length).toBeGreaterThan(0);
    expect(paused.rows.every((r) => r.status === 'paused')).toBe(true);
    const byMember = await t.must('autoship.list', { member: memberCode(4) }, t.tokens.support);
    expect(byMember.rows.map((r) => r.memberId)).toEqual([4]);
    const byName = await t.must('autoship.list', { member: 'fernanda rios' }, t.tokens.support);
    expect(byName.rows.map((r) => r.memberId)).toEqual([6]);
    const day5 = await t.must('autoship.list', { chargeDay: 5 }, t.tokens.support);
    expect(day5.rows.map((r) => r.memberId)).toEqual([4]);
    const bad = await t.call('autoship.list', { chargeDay: 31 }, t.tokens.support);
    expect(!bad.ok && bad.error.code).toBe('VALIDATION');
    const mine = await t.must('autoship.forMember', { memberId: 4 }, t.tokens.support);
    expect(mine[0]!.items.map((i) => [i.sku, i.quantity, i.unitPrice])).toEqual([
      ['AS-OMEGA', 2, '349.00'],
      ['AS-SUERO', 1, '449.00'],
    ]);
  });
});

describe('Stripe invoice events', () => {
  const ordersOf = (memberId: number) => t.database.sql<
    {
      id: string;
      status: string;
      total: string;
      period_key: string | null;
      payment_method: string | null;
      confirmed: string | null;
      stripe_payment_intent_id: string | null;
    }[]
  >`
    select o.id, o.status, o.total::text, p.key as period_key, o.payment_method, to_char(o.payment_confirmed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as confirmed, o.stripe_payment_intent_id
    from orders o left join periods p on p.id = o.period_id where o.member_id = ${memberId} order by o.id`;

  it("invoice.paid creates ONE confirmed order for the period with the subscription's items (event delivered twice, and another event of the same invoice)", async () => {
    const { id, sub } = await autoship(9, { day: 15 });
    const oct = periods.get('2026-10')!;
    const pv0 = Number((await volumesOf(t.database.sql, oct))[9]?.pv ?? 0);
    const before = (await ordersOf(9)).length;
    const e = stub.payInvoice(sub.id, sec('2026-10-15T18:00:05Z'));
    const r1 = await deliver(e);
    expect(r1).toMatchObject({ status: 200, body: { duplicate: false, outcome: 'confirmed' } });
    const r2 = await deliver(e);
    expect(r2.body).toMatchObject({ duplicate: true });
    const again = stub.addEvent('invoice.paid', e.data.object as object, sec('2026-10-15T18:10:00Z'));
    expect((await deliver(again)).body).toMatchObject({ duplicate: false, outcome: 'already_confirmed' });
    const orders = await ordersOf(9);
    expect(orders.length).toBe(before + 1);
    const o = orders.at(-1)!;
    expect(o).toMatchObject({ status: 'paid', total: '1147.00', period_key: '2026-10', payment_method: 'stripe', confirmed: '2026-10-15T18:00:05Z' });
    expect(o.stripe_payment_intent_id).toMatch(/^pi_/);
    const lines = await t.database.sql<
      { product_id: number; quantity: number; unit_price: string }[]
    >`select product_id, quantity, unit_price::text from order_lines where order_id = ${o.id} order by product_id`;
    expect(lines).toEqual([
      { product_id: products.a, quantity: 2, unit_price: '349.00' },
      { product_id: products.b, quantity: 1, unit_price: '449.00' },
    ]);
    expect(Number((await volumesOf(t.database.sql, oct))[9]!.pv) - pv0).toBe(293 * 2 + 350);
    const [charge] = await t.database.sql<
      { outcome: string; order_id: string }[]
    >`select outcome, order_id from autoship_charges where subscription_id = ${id}`;
    expect(charge).toMatchObject({ outcome: 'paid', order_id: o.id });
    expect(new Date((await row(id)).next_charge_at!).toISOString()).toBe('2026-12-15T18:00:00.000Z');
    // The payments screen sees it as a Stripe payment.
    const list = await t.must('payments.list', { filter: 'paid' }, t.tokens.finance);
    expect(list.rows.find((x) => x.orderId === Number(o.id))).toMatchObject({ paymentState: 'succeeded', method: 'stripe' });
  });

  it('invoice.payment_failed counts failed attempts (past_due, reason shown to support); a later payment resets them', async () => {
    const { id, sub } = await autoship(8, { day: 28 });
    const f1 = await deliver(stub.failInvoice(sub.id, sec('2026-10-28T18:00:00Z'), 'Fondos insuficientes'));
    expect(f1.body).toMatchObject({ outcome: 'failure_recorded' });
    await deliver(stub.failInvoice(sub.id, sec('2026-10-29T18:00:00Z'), 'Fondos insuficientes'));
    const r = await row(id);
    expect(r).toMatchObject({ status: 'past_due', failed_attempts: 2 });
    expect(r.last_failure_reason).toMatch(/Fondos insuficientes \(intento 2\)\. Stripe reintenta el 2026-11-01/);
    const [mine] = await t.must('autoship.forMember', { memberId: 8 }, t.tokens.support).then((x) => x.filter((s) => s.id === id));
    expect(mine).toMatchObject({ status: 'past_due', failedAttempts: 2 });
    expect(mine!.charges.map((c) => [c.outcome, c.attempt, c.amount])).toEqual([
      ['failed', 2, '1147.00'],
      ['failed', 1, '1147.00'],
    ]);
    const list = await t.must('autoship.list', { status: 'past_due' }, t.tokens.support);
    expect(list.rows.map((x) => x.id)).toContain(id);
    const paid = await deliver(stub.payInvoice(sub.id, sec('2026-10-30T18:00:00Z')));
    expect(paid.body).toMatchObject({ outcome: 'confirmed' });
    expect(await row(id)).toMatchObject({ status: 'active', failed_attempts: 0 });
  });

  it('an invoice whose amount differs from the catalogue total is held for review: the order stays pending', async () => {
    const { id, sub } = await autoship(2);
    stub.subscriptions.get(sub.id)!.items.data[0]!.price.unit_amount = 30000; // Stripe still charges an old price
    const r = await deliver(stub.payInvoice(sub.id, sec('2026-10-16T18:00:00Z')));
    expect(r.body).toMatchObject({ outcome: 'mismatch' });
    const [c] = await t.database.sql<
      { outcome: string; reason: string; order_id: string }[]
    >`select outcome, reason, order_id from autoship_charges where subscription_id = ${id}`;
    expect(c!.outcome).toBe('review');
    expect(c!.reason).toMatch(/104900.*1147\.00 MXN \(114700/);
    expect((await t.database.sql<{ status: string }[]>`select status from orders where id = ${c!.order_id}`)[0]!.status).toBe('pending');
    const review = await t.must('payments.list', { filter: 'mismatch' }, t.tokens.finance);
    expect(review.rows.map((x) => x.orderId)).toContain(Number(c!.order_id));
  });

  it('"sync payments" (no webhook delivered) applies an autoship invoice through the same path: one confirmed order', async () => {
    const { id, sub } = await autoship(5, { day: 18 });
    // Member 5 is in the US: its autoship's order is priced in USD; Stripe charges the same.
    await t.database.sql`update autoship_subscriptions set currency = 'USD', amount = '41.98' where id = ${id}`;
    await t.database.sql`delete from autoship_items where subscription_id = ${id} and product_id = ${products.b}`;
    const s = stub.subscriptions.get(sub.id)!;
    s.currency = 'usd';
    s.items.data = [{ ...s.items.data[0]!, price: { ...s.items.data[0]!.price, currency: 'usd', unit_amount: 2099 } }];
    stub.payInvoice(sub.id, sec('2026-10-18T18:00:00Z'));
    for (let first = true, n = 0; n < 50; first = false, n++) {
      const step = await t.must('payments.syncStep', { first, pageSize: 100 }, t.tokens.finance);
      if (step.done) break;
    }
    const [c] = await t.database.sql<{ outcome: string; order_id: string }[]>`select outcome, order_id from autoship_charges where subscription_id = ${id}`;
    expect(c?.outcome).toBe('paid');
    const [o] = await t.database.sql<
      { status: string; total: string; currency: string }[]
    >`select status, total::text, currency from orders where id = ${c!.order_id}`;
    expect(o).toEqual({ status: 'paid', total: '41.98', currency: 'USD' });
    const again = await t.must('payments.syncStep', { first: false, pageSize: 100 }, t.tokens.finance);
    expect(again.applied).toBe(0);
    expect((await t.database.sql`select 1 from autoship_charges where subscription_id = ${id}`).length).toBe(1);
  });

  it('customer.subscription.created by the member app (metadata.member_id, items by sku) adds the autoship here; unknown products are unmatched', async () => {
    const sub = stub.createSubscription({
      currency: 'mxn',
      periodEnd: sec('2026-11-09T18:00:00Z'),
      metadata: { member_id: '3' },
      items: [
        { sku: 'AS-OMEGA', quantity: 1, unitAmount: 34900 },
        { sku: 'AS-SUERO', quantity: 2, unitAmount: 44900 },
      ],
    });
    const r = await deliver(stub.addEvent('customer.subscription.created', sub, Math.floor(Date.now() / 1000)));
    expect(r.body).toMatchObject({ outcome: 'subscription_updated' });
    const [mine] = (await t.must('autoship.forMember', { memberId: 3 }, t.tokens.support)).filter((x) => x.stripeSubscriptionId === sub.id);
    expect(mine).toMatchObject({ status: 'active', chargeDay: 9, nextChargeAt: '2026-11-09T18:00:00.000Z', amount: '1247.00', currency: 'MXN' });
    expect(mine!.items.map((i) => [i.sku, i.quantity])).toEqual([
      ['AS-OMEGA', 1],
      ['AS-SUERO', 2],
    ]);
    const odd = stub.createSubscription({ currency: 'mxn', metadata: { member_id: '3' }, items: [{ sku: 'NO-EXISTE', quantity: 1, unitAmount: 100 }] });
    expect((await deliver(stub.addEvent('customer.subscription.created', odd))).body).toMatchObject({ outcome: 'unmatched' });
    const nobody = stub.createSubscription({ currency: 'mxn', items: [{ sku: 'AS-OMEGA', quantity: 1, unitAmount: 34900 }] });
    expect((await deliver(stub.addEvent('customer.subscription.created', nobody))).body).toMatchObject({ outcome: 'unmatched' });
    expect((await t.database.sql`select 1 from autoship_subscriptions where stripe_subscription_id in (${odd.id}, ${nobody.id})`).length).toBe(0);
  });

  it('customer.subscription.updated/deleted keep the status in step; an older event does not undo a newer state', async () => {
    const { id, sub } = await autoship(7, { day: 12 });
    const s = stub.subscriptions.get(sub.id)!;
    const paused = stub.addEvent(
      'customer.subscription.updated',
      { ...s, pause_collection: { behavior: 'void', resumes_at: null } },
      Math.floor(Date.now() / 1000),
    );
    expect((await deliver(paused)).body).toMatchObject({ outcome: 'subscription_updated' });
    expect((await row(id)).status).toBe('paused');
    const older = stub.addEvent('customer.subscription.updated', { ...s, pause_collection: null }, Math.floor(Date.now() / 1000) - 3600);
    expect((await deliver(older)).body).toMatchObject({ outcome: 'stale' });
    expect((await row(id)).status).toBe('paused');
    const deleted = stub.addEvent(
      'customer.subscription.deleted',
      { ...s, status: 'canceled', canceled_at: Math.floor(Date.now() / 1000) },
      Math.floor(Date.now() / 1000) + 1,
    );
    expect((await deliver(deleted)).body).toMatchObject({ outcome: 'subscription_updated' });
    expect(await row(id)).toMatchObject({ status: 'canceled', next_charge_at: null });
    const unknown = stub.addEvent('invoice.paid', { id: 'in_unknown', object: 'invoice', subscription: 'sub_nobody', amount_paid: 100, currency: 'mxn' });
    expect((await deliver(unknown)).body).toMatchObject({ outcome: 'unmatched' });
  });
});

describe('demo seed', () => {
  it('seeds autoships for the demo network once, with items, amounts from the catalogue and mixed statuses', async () => {
    const rollback = new Error('rollback');
    await expect(
      t.database.db.transaction(async (tx) => {
        await tx.execute(sql`delete from autoship_charges`);
        await tx.execute(sql`delete from autoship_requests`);
        await tx.execute(sql`delete from autoship_items`);
        await tx.execute(sql`delete from autoship_subscriptions`);
        const made = await seedDemoAutoships(tx, NOW, 12);
        expect(made.length).toBe(8); // SMALL_NETWORK: the 8 members with a sponsor
        expect(new Set(made.map((m) => m.status))).toEqual(new Set(['active', 'past_due', 'paused']));
        expect(made.every((m) => m.chargeDay >= 1 && m.chargeDay <= 28 && /^sub_demo\d+$/.test(m.stripeSubscriptionId))).toBe(true);
        const failed = await tx.execute<{ failed_attempts: number; charges: number }>(sql`
        select s.failed_attempts, count(c.*)::int as charges from autoship_subscriptions s join autoship_charges c on c.subscription_id = s.id and c.outcome = 'failed'
        where s.status = 'past_due' group by s.id`);
        expect(failed).toEqual([{ failed_attempts: 2, charges: 2 }]);
        expect(await seedDemoAutoships(tx, NOW, 12)).toEqual([]); // once: nothing added the second time
        const rows = await tx.execute<{ amount: string; expected: string; items: number }>(sql`
        select s.amount::text as amount, sum(pp.price * i.quantity)::text as expected, count(i.*)::int as items
        from autoship_subscriptions s join members m on m.id = s.member_id join autoship_items i on i.subscription_id = s.id
        join product_prices pp on pp.product_id = i.product_id and pp.country = m.country group by s.id`);
        expect(rows.every((r) => r.amount === r.expected && r.items >= 1)).toBe(true);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
  });
});
