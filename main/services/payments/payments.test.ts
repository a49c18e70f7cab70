/**
 * Stripe payments, end to end through the real pieces: the official `stripe` SDK (signatures from
 * its test-header helper; API calls served by the local stub of test/stripe-server.ts), the webhook
 * receiver over HTTP, the real router for the sync, and an embedded PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { testApp, type TestApp } from '../../../test/app';
import { applyEnv, startStripeStub, stubEnv, type StripeStub, type StubEvent } from '../../../test/stripe-server';
import { insertMembers, insertPeriods } from '../../../test/network';
import { pendingOrder, SMALL_NETWORK, volumesOf } from '../../../test/small-network';
import { createWebhookServer } from '../../http/webhooks';
import { toMinorUnits } from './apply';

const SECRET = 'whsec_test_payments_secret';
const stripe = new Stripe('sk_test_local_stub');
let t: TestApp;
let stub: StripeStub;
let receiver: ReturnType<typeof createWebhookServer>;
let url: string;
let periods: Map<string, number>;
let restoreEnv = () => {};
const sec = (iso: string) => Math.floor(Date.parse(iso) / 1000);

beforeAll(async () => {
  stub = await startStripeStub();
  restoreEnv = applyEnv(stubEnv(stub, { NNP_STRIPE_TIMEOUT_MS: '2000', NNP_STRIPE_MAX_RETRIES: '0' }));
  t = await testApp({ now: () => new Date('2026-10-20T18:00:00Z') });
  await insertMembers(t.database.sql, SMALL_NETWORK);
  periods = await insertPeriods(t.database.sql, ['2026-08', '2026-09', '2026-10']); // Aug, Sep closed; Oct open
  receiver = createWebhookServer({ services: { ...t.services, log: () => {} }, secret: SECRET, toleranceSeconds: 300 });
  url = (await receiver.listen(0)).url;
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await t?.close();
  await stub?.close();
  restoreEnv();
});

/** A pending order of `total` (MXN unless given) linked to a new stub PaymentIntent of `amount` minor units. */
async function orderWithIntent(memberId: number, total: string, opts: { amount?: number; currency?: string; link?: 'column' | 'metadata' } = {}) {
  const orderId = await pendingOrder(t.database.sql, memberId, '100', total);
  const pi = stub.createPaymentIntent({
    amount: opts.amount ?? Number(toMinorUnits(total, 'MXN')),
    currency: opts.currency ?? 'mxn',
    metadata: { order_id: String(orderId) },
  });
  if ((opts.link ?? 'column') === 'column') await t.database.sql`update orders set stripe_payment_intent_id = ${pi.id} where id = ${orderId}`;
  return { orderId, pi };
}

async function deliver(e: StubEvent, opts: { secret?: string; timestamp?: number; signature?: string | null } = {}) {
  const payload = JSON.stringify(e);
  const header =
    opts.signature !== undefined
      ? opts.signature
      : stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? SECRET, timestamp: opts.timestamp });
  const res = await fetch(url, {
    method: 'POST',
    body: payload,
    headers: { 'content-type': 'application/json', ...(header == null ? {} : { 'stripe-signature': header }) },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const order = async (id: number) =>
  (
    await t.database.sql<
      {
        status: string;
        period_key: string | null;
        payment_confirmed_at: string | null;
        payment_method: string | null;
        stripe_payment_intent_id: string | null;
        refunded_at: string | null;
      }[]
    >`
  select o.status, p.key as period_key, to_char(o.payment_confirmed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as payment_confirmed_at, o.payment_method, o.stripe_payment_intent_id, to_char(o.refunded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as refunded_at
  from orders o left join periods p on p.id = o.period_id where o.id = ${id}`
  )[0]!;
const payment = async (pi: string) =>
  (
    await t.database.sql<{ state: string; review_reason: string | null; failure_code: string | null; refund_event_id: string | null }[]>`
  select state, review_reason, failure_code, refund_event_id from stripe_payments where payment_intent_id = ${pi}`
  )[0];
const eventRow = async (id: string) =>
  (
    await t.database.sql<
      { outcome: string | null; processed_at: Date | null; source: string }[]
    >`select outcome, processed_at, source from stripe_events where id = ${id}`
  )[0];
const countEvents = async () => (await t.database.sql<{ n: number }[]>`select count(*)::int as n from stripe_events`)[0]!.n;
const oct = () => periods.get('2026-10')!;
const lines = (orderId: number) => t.database.sql<{ type: string; kind: string; status: string; beneficiary_id: string; amount: string; period_key: string }[]>`
  select l.type::text, l.kind::text, l.status::text, l.beneficiary_id::text, l.amount::text, p.key as period_key
  from commission_lines l join periods p on p.id = l.period_id where l.source_kind = 'order' and l.source_id = ${orderId} order by l.id`;
/** Volumes without all-zero rows (a row created then taken back to zero is the same state). */
const nonZero = async (periodId: number) =>
  Object.fromEntries(
    Object.entries(await volumesOf(t.database.sql, periodId)).filter(
      ([, v]) => !(Number(v.pv) === 0 && Number(v.vn) === 0 && Number(v.pvg) === 0 && v.rank === 0),
    ),
  );

describe('amount conversion', () => {
  it('order totals become Stripe minor units exactly (no floats)', () => {
    expect(toMinorUnits('1996.00', 'MXN')).toBe('199600');
    expect(toMinorUnits('0.29', 'USD')).toBe('29'); // 0.29 * 100 is 28.999999999999996 in floating point
    expect(toMinorUnits('1.005', 'USD')).toBeNull();
    expect(toMinorUnits('479000', 'COP')).toBe('47900000');
    expect(toMinorUnits('1500', 'JPY')).toBe('1500');
    expect(toMinorUnits('99999999999999.99', 'DOP')).toBe('9999999999999999');
  });
});

describe('webhook receiver: signatures', () => {
  it('a missing or bad signature answers 400 and stores nothing', async () => {
    const { pi } = await orderWithIntent(7, '500.00');
    const e = stub.succeed(pi.id, sec('2026-10-10T12:00:00Z'));
    const before = await countEvents();
    expect((await deliver(e, { signature: null })).status).toBe(400);
    expect((await deliver(e, { secret: 'whsec_someone_else' })).status).toBe(400);
    expect((await deliver(e, { signature: 't=123,v1=deadbeef' })).status).toBe(400);
    // A valid signature of a different body (the raw body is what is signed).
    const other = stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify({ ...e, id: 'evt_other' }), secret: SECRET });
    expect((await deliver(e, { signature: other })).status).toBe(400);
    expect(await countEvents()).toBe(before);
    expect(await eventRow(e.id)).toBeUndefined();
  });

  it('a replay signed longer ago than the tolerance is refused; inside it, accepted', async () => {
    const { orderId, pi } = await orderWithIntent(7, '600.00');
    const e = stub.succeed(pi.id, sec('2026-10-10T12:00:00Z'));
    const old = await deliver(e, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(old.status).toBe(400);
    expect(await eventRow(e.id)).toBeUndefined();
    expect((await order(orderId)).status).toBe('pending');
    expect((await deliver(e, { timestamp: Math.floor(Date.now() / 1000) - 250 })).status).toBe(200);
    expect((await order(orderId)).status).toBe('paid');
  });

  it('a signature dated more than the tolerance in the future is refused; a little ahead (clock skew), accepted', async () => {
    const { orderId, pi } = await orderWithIntent(7, '610.00');
    const e = stub.succeed(pi.id, sec('2026-10-10T12:00:00Z'));
    const ahead = await deliver(e, { timestamp: Math.floor(Date.now() / 1000) + 301 });
    expect(ahead.status).toBe(400);
    expect(await eventRow(e.id)).toBeUndefined();
    expect((await order(orderId)).status).toBe('pending');
    expect((await deliver(e, { timestamp: Math.floor(Date.now() / 1000) + 60 })).status).toBe(200);
    expect((await order(orderId)).status).toBe('paid');
  });

  it('a correctly signed event of the wrong shape is acknowledged (2xx) and recorded as ignored, never applied', async () => {
    // A known type whose object is not what the type promises: stored, 'ignored' with the reason.
    const wrongKind = stub.addEvent('payment_intent.succeeded', { id: 'ch_not_a_pi', object: 'charge' });
    const r1 = await deliver(wrongKind);
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({ outcome: 'ignored' });
    expect(await eventRow(wrongKind.id)).toMatchObject({ outcome: 'ignored' });
    const [row] = await t.database.sql<{ error: string }[]>`select error from stripe_events where id = ${wrongKind.id}`;
    expect(row!.error).toContain('payment_intent');
    // Not an event at all (no evt_ id, no data.object): stored under a digest of the body, 200, and a redelivery changes nothing.
    const before = await countEvents();
    const junk = { id: 'nope', type: 'payment_intent.succeeded', created: 'yesterday' } as unknown as StubEvent;
    const r2 = await deliver(junk);
    expect(r2.status).toBe(200);
    expect((await deliver(junk)).status).toBe(200);
    expect(await countEvents()).toBe(before + 1);
    const [m] = await t.database.sql<
      { outcome: string; processed: boolean }[]
    >`select outcome, processed_at is not null as processed from stripe_events where id like 'malformed_%'`;
    expect(m).toEqual({ outcome: 'ignored', processed: true });
  });
});

describe('webhook receiver: applying events', () => {
  it('payment_intent.succeeded confirms the order at the event instant, audited as stripe-webhook', async () => {
    const { orderId, pi } = await orderWithIntent(4, '1000.00', { link: 'metadata' });
    const v0 = (await volumesOf(t.database.sql, oct()))[4]?.pv ?? '0.00';
    const e = stub.succeed(pi.id, sec('2026-10-12T15:30:00Z'));
    const r = await deliver(e);
    expect(r).toMatchObject({ status: 200, body: { received: true, duplicate: false, outcome: 'confirmed' } });
    const o = await order(orderId);
    expect(o).toMatchObject({ status: 'paid', period_key: '2026-10', payment_method: 'stripe', stripe_payment_intent_id: pi.id });
    expect(o.payment_confirmed_at).toBe('2026-10-12T15:30:00Z');
    expect(Number((await volumesOf(t.database.sql, oct()))[4]!.pv) - Number(v0)).toBe(100);
    expect(await payment(pi.id)).toMatchObject({ state: 'succeeded' });
    const [a] = await t.database.sql<{ staff_username: string; action: string; entity: string }[]>`
      select staff_username, action, entity from audit_log where entity_id = ${String(orderId)} and action like 'stripe.%'`;
    expect(a).toEqual({ staff_username: 'stripe-webhook', action: 'stripe.payment_intent.succeeded', entity: 'order' });
  });

  it('the same event delivered 10 times (5 at once) ends in one state', async () => {
    const { orderId, pi } = await orderWithIntent(8, '700.00');
    const volBefore = await volumesOf(t.database.sql, oct());
    const e = stub.succeed(pi.id, sec('2026-10-13T10:00:00Z'));
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => deliver(e)));
    const serial = [];
    for (let i = 0; i < 5; i++) serial.push(await deliver(e));
    const all = [...concurrent, ...serial];
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect(all.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect((await t.database.sql`select 1 from stripe_events where id = ${e.id}`).length).toBe(1);
    expect((await order(orderId)).status).toBe('paid');
    const volAfter = await volumesOf(t.database.sql, oct());
    expect(Number(volAfter[8]!.pv) - Number(volBefore[8]?.pv ?? 0)).toBe(100);
    expect(Number(volAfter[1]!.pvg) - Number(volBefore[1]!.pvg)).toBe(100);
    const audits = await t.database
      .sql`select 1 from audit_log where entity = 'order' and entity_id = ${String(orderId)} and action = 'stripe.payment_intent.succeeded'`;
    expect(audits.length).toBe(1);
  });

  it('payment_intent.payment_failed records the failure; the order stays pending and a later success confirms it', async () => {
    const { orderId, pi } = await orderWithIntent(9, '300.00');
    const f = stub.fail(pi.id, sec('2026-10-14T10:00:00Z'));
    expect((await deliver(f)).body).toMatchObject({ outcome: 'failure_recorded' });
    expect((await order(orderId)).status).toBe('pending');
    expect(await payment(pi.id)).toMatchObject({ state: 'failed', failure_code: 'insufficient_funds' });
    const s = stub.succeed(pi.id, sec('2026-10-14T10:05:00Z'));
    expect((await deliver(s)).body).toMatchObject({ outcome: 'confirmed' });
    // The failure delivered again late does not undo the success.
    const f2 = stub.addEvent(
      'payment_intent.payment_failed',
      { ...stub.paymentIntents.get(pi.id)!, status: 'requires_payment_method', last_payment_error: { type: 'card_error', code: 'card_declined' } },
      sec('2026-10-14T10:01:00Z'),
    );
    expect((await deliver(f2)).body).toMatchObject({ outcome: 'failure_after_success' });
    expect(await payment(pi.id)).toMatchObject({ state: 'succeeded' });
    expect((await order(orderId)).status).toBe('paid');
  });

  it('an amount or currency mismatch is flagged for review, not confirmed', async () => {
    const a = await orderWithIntent(2, '1996.00', { amount: 199500 });
    expect((await deliver(stub.succeed(a.pi.id, sec('2026-10-15T10:00:00Z')))).body).toMatchObject({ outcome: 'mismatch' });
    expect((await order(a.orderId)).status).toBe('pending');
    expect((await payment(a.pi.id))!.review_reason).toMatch(/199500/);
    const c = await orderWithIntent(2, '120.00', { currency: 'usd' });
    expect((await deliver(stub.succeed(c.pi.id, sec('2026-10-15T10:00:00Z')))).body).toMatchObject({ outcome: 'mismatch' });
    expect((await order(c.orderId)).status).toBe('pending');
    expect((await payment(c.pi.id))!.review_reason).toMatch(/USD/);
    const list = await t.must('payments.list', { filter: 'mismatch' }, t.tokens.finance);
    expect(list.rows.map((r) => r.orderId).sort()).toEqual([a.orderId, c.orderId].sort());
    // An admin may then record a manual payment with a reason (audited).
    const m = await t.must(
      'orders.recordPayment',
      { orderId: a.orderId, paidAt: '2026-10-16T12:00:00Z', reference: 'Transferencia SPEI revisada' },
      t.tokens.admin,
    );
    expect(m.alreadyConfirmed).toBe(false);
    expect(await order(a.orderId)).toMatchObject({ status: 'paid', payment_method: 'manual' });
  });

  it('charge.refunded refunds a paid order in an open period: its PV leaves the period', async () => {
    const { orderId, pi } = await orderWithIntent(6, '800.00');
    const before = (await volumesOf(t.database.sql, oct()))[6]?.pv ?? '0.00';
    await deliver(stub.succeed(pi.id, sec('2026-10-16T10:00:00Z')));
    expect(Number((await volumesOf(t.database.sql, oct()))[6]!.pv)).toBe(Number(before) + 100);
    // Bono Directo (25% of the VN) to the buyer's sponsor (3), posted at the confirmation (issue 6).
    expect(await lines(orderId)).toEqual([{ type: 'directo', kind: 'line', status: 'posted', beneficiary_id: '3', amount: '200.00', period_key: '2026-10' }]);
    const r = stub.refund(pi.id, sec('2026-10-17T10:00:00Z'));
    expect((await deliver(r)).body).toMatchObject({ outcome: 'refunded' });
    const o = await order(orderId);
    expect(o.status).toBe('refunded');
    expect(o.refunded_at).toBe('2026-10-17T10:00:00Z');
    expect((await volumesOf(t.database.sql, oct()))[6]!.pv).toBe(before);
    expect((await lines(orderId)).map((l) => l.status)).toEqual(['voided']); // open period: voided
    expect((await deliver(r)).body).toMatchObject({ duplicate: true });
  });

  it('refund delivered before its success: stored, then applied right after the success (one consistent end)', async () => {
    const { orderId, pi } = await orderWithIntent(5, '400.00');
    const before = await nonZero(oct());
    const s = stub.succeed(pi.id, sec('2026-10-18T10:00:00Z'));
    const r = stub.refund(pi.id, sec('2026-10-18T11:00:00Z'));
    expect((await deliver(r)).body).toMatchObject({ outcome: 'refund_deferred' });
    expect((await order(orderId)).status).toBe('pending');
    expect(await payment(pi.id)).toMatchObject({ state: 'refund_waiting', refund_event_id: r.id });
    expect((await deliver(s)).body).toMatchObject({ outcome: 'confirmed_then_refunded' });
    const o = await order(orderId);
    expect(o.status).toBe('refunded');
    expect(o.refunded_at).toBe('2026-10-18T11:00:00Z');
    expect(await payment(pi.id)).toMatchObject({ state: 'refunded' });
    expect(await nonZero(oct())).toEqual(before);
    // Both again, in either order: nothing changes.
    expect((await deliver(r)).body).toMatchObject({ duplicate: true });
    expect((await deliver(s)).body).toMatchObject({ duplicate: true });
    expect(await nonZero(oct())).toEqual(before);
  });

  it('a late event (paid in closed September, delivered now) counts in the open period; an on-time one in its own', async () => {
    const late = await orderWithIntent(3, '250.00');
    expect((await deliver(stub.succeed(late.pi.id, sec('2026-09-29T12:00:00Z')))).body).toMatchObject({ outcome: 'confirmed' });
    const o = await order(late.orderId);
    expect(o.period_key).toBe('2026-10');
    expect(o.payment_confirmed_at).toBe('2026-09-29T12:00:00Z');
    // 1 October 05:59:59 UTC is still 30 September in Mexico Central time: also late → October.
    const edge = await orderWithIntent(3, '251.00');
    await deliver(stub.succeed(edge.pi.id, sec('2026-10-01T06:00:00Z')));
    expect((await order(edge.orderId)).period_key).toBe('2026-10');
  });

  it('a refund of an order paid in a closed period: the order is refunded, the closed period is not edited', async () => {
    const { orderId, pi } = await orderWithIntent(7, '900.00');
    // Paid in September while it was open: written as such (period_id September).
    await t.database
      .sql`update orders set status = 'paid', payment_confirmed_at = '2026-09-10T12:00:00Z', period_id = ${periods.get('2026-09')!}, payment_method = 'stripe' where id = ${orderId}`;
    const sepBefore = await volumesOf(t.database.sql, periods.get('2026-09')!);
    const octBefore = await volumesOf(t.database.sql, oct());
    stub.succeed(pi.id, sec('2026-09-10T12:00:00Z'));
    const r = stub.refund(pi.id, sec('2026-10-19T10:00:00Z'));
    expect((await deliver(r)).body).toMatchObject({ outcome: 'refunded' });
    expect((await order(orderId)).status).toBe('refunded');
    expect(await volumesOf(t.database.sql, periods.get('2026-09')!)).toEqual(sepBefore);
    expect(await volumesOf(t.database.sql, oct())).toEqual(octBefore);
  });

  it('other event types are stored and ignored; an event for no order is stored as unmatched', async () => {
    const e = stub.addEvent('customer.created', { id: 'cus_1', object: 'customer' });
    expect((await deliver(e)).body).toMatchObject({ outcome: 'ignored' });
    expect(await eventRow(e.id)).toMatchObject({ outcome: 'ignored', source: 'webhook' });
    const pi = stub.createPaymentIntent({ amount: 1000, currency: 'mxn' });
    expect((await deliver(stub.succeed(pi.id, sec('2026-10-19T12:00:00Z')))).body).toMatchObject({ outcome: 'unmatched' });
  });
});

describe('sync payments (reconciliation through the same code path)', () => {
  it('pages through the events after the cursor, applies them, and a re-run changes nothing', async () => {
    // What the receiver has seen so far: the sync must reach the end and skip all of it.
    const seenByWebhook = await countEvents();
    const a = await orderWithIntent(4, '150.00');
    const b = await orderWithIntent(9, '160.00');
    const c = await orderWithIntent(8, '170.00');
    stub.succeed(a.pi.id, sec('2026-10-19T13:00:00Z'));
    stub.fail(b.pi.id, sec('2026-10-19T13:01:00Z'));
    const cr = stub.refund(a.pi.id, sec('2026-10-19T13:02:00Z'));
    void cr;
    stub.succeed(b.pi.id, sec('2026-10-19T13:03:00Z'));
    stub.succeed(c.pi.id, sec('2026-10-19T13:04:00Z'));
    const steps = [];
    let first = true;
    for (let i = 0; i < 200; i++) {
      const s = await t.must('payments.syncStep', { first, pageSize: 3 }, t.tokens.finance);
      first = false;
      steps.push(s);
      if (s.done) break;
    }
    expect(steps.at(-1)!.done).toBe(true);
    expect(steps.length).toBeGreaterThan(2); // several pages
    expect(steps.reduce((n, s) => n + s.errors, 0)).toBe(0);
    expect(steps.reduce((n, s) => n + s.checked, 0)).toBe(stub.events.length);
    expect(steps.reduce((n, s) => n + s.duplicates, 0)).toBeGreaterThanOrEqual(seenByWebhook - 1);
    expect((await order(a.orderId)).status).toBe('refunded');
    expect((await order(b.orderId)).status).toBe('paid');
    expect((await order(c.orderId)).status).toBe('paid');
    const syncSeen = await t.database.sql<{ source: string }[]>`select source from stripe_events where payment_intent_id = ${c.pi.id}`;
    expect(syncSeen).toEqual([{ source: 'sync' }]);

    // Re-run: nothing new.
    const snapshot = await t.database.sql`select id, status, payment_confirmed_at, period_id, refunded_at from orders order by id`;
    const vol = await volumesOf(t.database.sql, oct());
    const again = await t.must('payments.syncStep', { first: true, pageSize: 100 }, t.tokens.admin);
    expect(again).toMatchObject({ checked: 0, applied: 0, done: true, errors: 0 });
    expect(await t.database.sql`select id, status, payment_confirmed_at, period_id, refunded_at from orders order by id`).toEqual(snapshot);
    expect(await volumesOf(t.database.sql, oct())).toEqual(vol);

    // A new event after the cursor: exactly it is applied.
    const d = await orderWithIntent(2, '180.00');
    stub.succeed(d.pi.id, sec('2026-10-19T14:00:00Z'));
    const next = await t.must('payments.syncStep', { first: true, pageSize: 100 }, t.tokens.admin);
    expect(next).toMatchObject({ checked: 1, applied: 1, duplicates: 0, done: true });
    expect((await order(d.orderId)).status).toBe('paid');
    const status = await t.must('payments.syncStatus', {}, t.tokens.finance);
    expect(status).toMatchObject({ configured: true, unprocessed: 0, lastEventId: stub.events.at(-1)!.id });
    const [audit] = await t.database.sql<
      { staff_username: string }[]
    >`select staff_username from audit_log where entity_id = ${String(d.orderId)} and action = 'stripe.payment_intent.succeeded'`;
    expect(audit!.staff_username).toBe('admin');
  });

  it('support may not sync nor list payments', async () => {
    const r = await t.call('payments.syncStep', { first: true }, t.tokens.support);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('FORBIDDEN');
  });
});

describe('refund after its period closed (runs last: closes October)', () => {
  it('the order is refunded, October stays as closed, its Directo is clawed back in the open period (November)', async () => {
    const { orderId, pi } = await orderWithIntent(9, '1200.00');
    await deliver(stub.succeed(pi.id, sec('2026-10-20T09:00:00Z')));
    expect(await lines(orderId)).toEqual([{ type: 'directo', kind: 'line', status: 'posted', beneficiary_id: '6', amount: '300.00', period_key: '2026-10' }]);
    await t.database.sql`update periods set status = 'closed', closed_at = now() where key = '2026-10'`;
    await insertPeriodsAfter('2026-11');
    const octBefore = await volumesOf(t.database.sql, oct());
    expect((await deliver(stub.refund(pi.id, sec('2026-11-05T10:00:00Z')))).body).toMatchObject({ outcome: 'refunded' });
    expect((await order(orderId)).status).toBe('refunded');
    expect(await volumesOf(t.database.sql, oct())).toEqual(octBefore);
    expect(await lines(orderId)).toEqual([
      { type: 'directo', kind: 'line', status: 'posted', beneficiary_id: '6', amount: '300.00', period_key: '2026-10' },
      { type: 'directo', kind: 'clawback', status: 'posted', beneficiary_id: '6', amount: '-300.00', period_key: '2026-11' },
    ]);
  });
});

async function insertPeriodsAfter(key: string) {
  const { periodBounds } = await import('../../domain/period');
  const b = periodBounds(key);
  await t.database.sql`insert into periods (key, starts_at, ends_at, status) values (${key}, ${b.startsAt.toISOString()}, ${b.endsAt.toISOString()}, 'open')`;
}
