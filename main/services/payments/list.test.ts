import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { FIXTURE_NOW, loadFixture } from '../../../test/network-fixture';

/** The payments screen's list (issue 20): a tab per order state, and a search by order or member. */
let t: TestApp;
let ids: Record<string, number> = {};
beforeAll(async () => {
  t = await testApp({ now: () => FIXTURE_NOW });
  await loadFixture(t.database.sql);
  // Member 2 (José Pérez García): one order in each state; member 4 (Ana Ruiz): one paid order.
  const rows = await t.database.sql<{ id: string; status: string; member_id: string }[]>`
    insert into orders (member_id, country, currency, status, total, pv, vn, created_at, payment_confirmed_at, payment_method)
    select mid, 'MX', 'MXN', s::order_status, '1996.00', '1670.00', '0', '2026-11-03T12:00:00Z', case when s = 'paid' then '2026-11-03T12:00:00Z'::timestamptz end, 'stripe'
    from (values (2, 'paid'), (2, 'failed'), (2, 'cancelled'), (2, 'pending'), (4, 'paid'), (4, 'failed')) v(mid, s)
    returning id, status, member_id`;
  ids = Object.fromEntries(rows.map((r) => [`${r.member_id}:${r.status}`, Number(r.id)]));
});
afterAll(async () => {
  await t?.close();
});

const list = (input: Record<string, unknown>) => t.must('payments.list', input, t.tokens.finance);
const orderIds = (r: { rows: { orderId: number }[] }) => r.rows.map((x) => x.orderId).sort((a, b) => a - b);

describe('payments.list', () => {
  it('the failed tab is exactly the orders whose status is failed; cancelled has its own tab; the counts agree', async () => {
    const failed = await list({ filter: 'failed' });
    expect(orderIds(failed)).toEqual([ids['2:failed']!, ids['4:failed']!].sort((a, b) => a - b));
    expect(failed.rows.every((r) => r.status === 'failed')).toBe(true);
    const all = await list({ filter: 'all' });
    expect(
      all.rows
        .filter((r) => r.status === 'failed')
        .map((r) => r.orderId)
        .sort((a, b) => a - b),
    ).toEqual(orderIds(failed));
    expect(all.counts.failed).toBe(2);
    const cancelled = await list({ filter: 'cancelled' });
    expect(orderIds(cancelled)).toEqual([ids['2:cancelled']!]);
    expect(all.counts.cancelled).toBe(1);
  });

  it("finds an order by its number, and a member's orders by code, code digits or name", async () => {
    expect(orderIds(await list({ q: String(ids['4:paid']) }))).toContain(ids['4:paid']);
    expect(orderIds(await list({ q: `#${ids['4:paid']}` }))).toEqual([ids['4:paid']]);
    const ana = [ids['4:paid']!, ids['4:failed']!].sort((a, b) => a - b);
    for (const q of ['NN0000004', 'nn4', 'ruiz', 'Ana Ruiz']) expect(orderIds(await list({ q })), q).toEqual(ana);
    // Digits are an order number or a member code: "4" finds Ana's orders (and order 4 if there is one).
    expect(orderIds(await list({ q: '4' }))).toEqual(expect.arrayContaining(ana));
    expect(orderIds(await list({ q: 'perez', filter: 'failed' }))).toEqual([ids['2:failed']]);
    expect((await list({ q: 'nadie-se-llama-asi' })).total).toBe(0);
  });
});
