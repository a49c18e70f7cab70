/**
 * Cashback in real time (the plan's programme 7): issued at the confirmation that takes the member's
 * PV in the period to 2,930, used by the member's next confirmed order in that period, expired by
 * the close when unused; members who reached it without a confirmation (orders recorded paid
 * directly) get it recorded issued + expired by the close, as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { insertOrders, loadSmallNetwork, pendingOrder } from '../../../test/small-network';
import { waitForRun } from '../periods/close';
import { confirmOrder } from '../orders/confirm';

let t: TestApp;
const now = new Date('2026-12-02T18:00:00Z');
let periods: Map<string, number>;
const o: Record<string, number> = {};

async function confirm(id: number, at: string) {
  return t.database.db.transaction((tx) => confirmOrder(tx, id, { confirmedAt: at, method: 'manual' }));
}
async function entitlements() {
  return t.database.sql<
    { member: string; period: string; status: string; issued: string; used_order: string | null; used: string | null; expired: string | null; rate: string }[]
  >`
    select c.member_id as member, p.key as period, c.status::text as status, to_char(c.issued_at at time zone 'UTC', 'MM-DD HH24:MI') as issued,
      c.used_order_id as used_order, to_char(c.used_at at time zone 'UTC', 'MM-DD HH24:MI') as used, c.expired_at::text as expired, c.discount_rate::text as rate
    from cashback_entitlements c join periods p on p.id = c.period_id order by c.member_id, p.key`;
}

beforeAll(async () => {
  t = await testApp({ now: () => now });
  ({ periods } = await loadSmallNetwork(t.database.sql, { orders: false }));
  o.a1 = await pendingOrder(t.database.sql, 7, '1500', '1000');
  o.a2 = await pendingOrder(t.database.sql, 7, '1430', '1000');
  o.a3 = await pendingOrder(t.database.sql, 7, '100', '100');
  o.a4 = await pendingOrder(t.database.sql, 7, '100', '100');
  o.b1 = await pendingOrder(t.database.sql, 8, '2930', '2930');
  o.c1 = await pendingOrder(t.database.sql, 9, '2929', '2929');
  // Member 2 reaches 3,000 PV with orders recorded paid without a confirmation.
  await insertOrders(t.database.sql, periods, [{ memberId: 2, periodKey: '2026-11', pv: '3000', vn: '3000' }]);
});
afterAll(async () => {
  await t.close();
});

describe('cashback entitlements', () => {
  it('issued by the order that reaches 2,930 PV (not before), one per member and period', async () => {
    await confirm(o.a1!, '2026-11-05T12:00:00Z'); // 7: 1,500 PV
    expect(await entitlements()).toEqual([]);
    await confirm(o.a2!, '2026-11-06T12:00:00Z'); // 7: 2,930 PV — exactly the threshold
    await confirm(o.b1!, '2026-11-07T12:00:00Z'); // 8: 2,930 PV in one order
    await confirm(o.c1!, '2026-11-07T13:00:00Z'); // 9: 2,929 PV: none
    expect(await entitlements()).toEqual([
      { member: '7', period: '2026-11', status: 'issued', issued: '11-06 12:00', used_order: null, used: null, expired: null, rate: '0.7000' },
      { member: '8', period: '2026-11', status: 'issued', issued: '11-07 12:00', used_order: null, used: null, expired: null, rate: '0.7000' },
    ]);
  });

  it("used by the member's next confirmed order; a replayed confirmation and later orders change nothing", async () => {
    await confirm(o.a3!, '2026-11-08T12:00:00Z');
    await confirm(o.a2!, '2026-11-09T12:00:00Z'); // replay of the order that issued it
    await confirm(o.a4!, '2026-11-10T12:00:00Z');
    const [e7] = (await entitlements()).filter((e) => e.member === '7');
    expect(e7).toEqual({
      member: '7',
      period: '2026-11',
      status: 'used',
      issued: '11-06 12:00',
      used_order: String(o.a3),
      used: '11-08 12:00',
      expired: null,
      rate: '0.7000',
    });
  });

  it("the close expires the unused one at the period's end, keeps the used one, and records the ones reached without a confirmation", async () => {
    const run = await t.must('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
    await waitForRun(run.id);
    const [r] = await t.database.sql<
      { status: string; result: { commissions: { programs: { cashback: number } } } }[]
    >`select status, result from period_runs where id = ${run.id}`;
    expect(r!.status).toBe('succeeded');
    expect(r!.result.commissions.programs.cashback).toBe(2); // 8 expired + 2 recorded
    const end = '2026-12-01 06:00:00+00';
    expect((await entitlements()).map((e) => `${e.member} ${e.status} ${e.used_order ?? '-'} ${e.expired ?? '-'}`)).toEqual([
      `2 expired - ${end}`,
      `7 used ${o.a3} -`,
      `8 expired - ${end}`,
    ]);
  });

  it('a new period starts without: the PV counts again from 0', async () => {
    const d1 = await pendingOrder(t.database.sql, 7, '2000', '100');
    await confirm(d1, '2026-12-02T12:00:00Z');
    expect((await entitlements()).filter((e) => e.period === '2026-12')).toEqual([]);
    const d2 = await pendingOrder(t.database.sql, 7, '930', '100');
    await confirm(d2, '2026-12-02T13:00:00Z');
    expect((await entitlements()).filter((e) => e.period === '2026-12').map((e) => `${e.member} ${e.status}`)).toEqual(['7 issued']);
  });
});
