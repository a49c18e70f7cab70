import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { insertMembers, insertPeriods } from '../../../test/network';
import { waitForRun } from '../periods/close';
import { loadSmallNetwork, pendingOrder, SMALL_NETWORK, statsOf, volumesOf } from '../../../test/small-network';
import { confirmOrder } from './confirm';

const orderRow = async (t: TestApp, id: number) => {
  const [o] = await t.database.sql<{ status: string; period_id: number | null; payment_confirmed_at: string | null; key: string | null }[]>`
    select o.status, o.period_id, o.payment_confirmed_at, p.key from orders o left join periods p on p.id = o.period_id where o.id = ${id}`;
  return o!;
};

describe('period assignment at the boundaries (October open, November not opened yet)', () => {
  let t: TestApp;
  let periods: Map<string, number>;
  beforeAll(async () => {
    t = await testApp({ now: () => new Date('2026-11-03T18:00:00Z') });
    await insertMembers(t.database.sql, SMALL_NETWORK);
    periods = await insertPeriods(t.database.sql, ['2026-09', '2026-10']);
  });
  afterAll(async () => {
    await t.close();
  });
  const confirm = (id: number, at: string) => t.database.db.transaction((tx) => confirmOrder(tx, id, { confirmedAt: at, method: 'stripe' }));

  it('2026-11-01T05:59:59.999Z is still October (Mexico time 23:59:59.999 on 31 October)', async () => {
    const id = await pendingOrder(t.database.sql, 7, '1500', '1000');
    const r = await confirm(id, '2026-11-01T05:59:59.999Z');
    expect(r).toMatchObject({ periodKey: '2026-10', late: false, alreadyConfirmed: false });
    expect((await orderRow(t, id)).key).toBe('2026-10');
    expect((await volumesOf(t.database.sql, periods.get('2026-10')!))[7]).toEqual({ pv: '1500.00', vn: '1000.00', pvg: '1500.00', rank: 1 });
  });

  it('2026-11-01T06:00:00Z is November: it waits (period_id null) until November opens', async () => {
    const id = await pendingOrder(t.database.sql, 8, '2000', '1500');
    const r = await confirm(id, '2026-11-01T06:00:00Z');
    expect(r).toMatchObject({ periodKey: '2026-11', periodId: null, late: false });
    expect(await orderRow(t, id)).toMatchObject({ status: 'paid', period_id: null });
  });

  it('created_at never decides: created on 31 October, paid on 1 November (Mexico time) is November', async () => {
    const id = await pendingOrder(t.database.sql, 9, '300', '200', { createdAt: '2026-11-01T05:59:59Z' });
    const r = await confirm(id, '2026-11-01T06:01:00Z');
    expect(r.periodKey).toBe('2026-11');
  });

  it('a payment dated inside a closed period (September) counts in the open period (October)', async () => {
    const id = await pendingOrder(t.database.sql, 2, '1465', '1200');
    const r = await confirm(id, '2026-09-20T12:00:00Z');
    expect(r).toMatchObject({ periodKey: '2026-10', late: true });
    expect((await orderRow(t, id)).key).toBe('2026-10');
  });

  it('a replayed confirmation changes nothing; a cancelled order cannot be confirmed', async () => {
    const id = await pendingOrder(t.database.sql, 2, '10', '10');
    await confirm(id, '2026-10-20T12:00:00Z');
    const before = await statsOf(t.database.sql, periods.get('2026-10')!);
    const again = await confirm(id, '2026-10-21T12:00:00Z');
    expect(again.alreadyConfirmed).toBe(true);
    expect(await statsOf(t.database.sql, periods.get('2026-10')!)).toEqual(before);
    const cancelled = await pendingOrder(t.database.sql, 2, '10', '10');
    await t.database.sql`update orders set status = 'cancelled' where id = ${cancelled}`;
    await expect(confirm(cancelled, '2026-10-21T12:00:00Z')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(confirm(999_999, '2026-10-21T12:00:00Z')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(confirm(id, '2026-10-21 12:00')).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('closing October opens November, which takes the orders waiting for it; a payment dated in October then goes to November', async () => {
    const run = await t.must('periods.close', { key: '2026-10', confirmKey: '2026-10' }, t.tokens.admin);
    await waitForRun(run.id);
    expect((await t.must('periods.run', { runId: run.id }, t.tokens.admin)).status).toBe('succeeded');
    const nov = (await t.database.sql<{ id: number; status: string }[]>`select id, status from periods where key = '2026-11'`)[0]!;
    expect(nov.status).toBe('open');
    const vol = await volumesOf(t.database.sql, nov.id);
    expect(vol[8]).toEqual({ pv: '2000.00', vn: '1500.00', pvg: '2000.00', rank: 1 });
    expect(vol[9]?.pv).toBe('300.00');
    expect(vol[1]?.pvg).toBe('2300.00');

    const late = await pendingOrder(t.database.sql, 4, '100', '80');
    const r = await confirm(late, '2026-10-15T12:00:00Z');
    expect(r).toMatchObject({ periodKey: '2026-11', late: true });
    // October (closed) is untouched: member 4 still has only the PVG of 7's order.
    expect((await volumesOf(t.database.sql, periods.get('2026-10')!))[4]).toEqual({ pv: '0.00', vn: '0.00', pvg: '1500.00', rank: 0 });
  });

  it('while a period is closing, confirmations dated in it go to the open period', async () => {
    await t.database.sql`update periods set status = 'closing' where key = '2026-11'`;
    await t.database.sql`insert into periods (key, starts_at, ends_at, status) values ('2026-12', '2026-12-01T06:00:00Z', '2027-01-01T06:00:00Z', 'open')`;
    const id = await pendingOrder(t.database.sql, 4, '100', '80');
    const r = await confirm(id, '2026-11-20T12:00:00Z');
    expect(r).toMatchObject({ periodKey: '2026-12', late: true });
  });
});

describe('orders procedures', () => {
  let t: TestApp;
  let periods: Map<string, number>;
  let productId: number;
  beforeAll(async () => {
    t = await testApp({ now: () => new Date('2026-11-20T18:00:00Z') });
    ({ periods } = await loadSmallNetwork(t.database.sql));
    const [p] = await t.database.sql<
      { id: number }[]
    >`insert into products (sku, name, kind, pv) values ('SUP-T', 'Suplemento de prueba', 'product', '300') returning id`;
    productId = p!.id;
    await t.database
      .sql`insert into product_prices (product_id, country, price, vn) values (${productId}, 'MX', '349.00', '300.00'), (${productId}, 'US', '20.00', '17.00')`;
    await t.must('periods.recompute', { key: '2026-11' }, t.tokens.admin).then((r) => waitForRun(r.id));
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses negative, non-numeric or JS-number prices and bad quantities with VALIDATION, writing nothing', async () => {
    const before = (await t.database.sql<{ n: number }[]>`select count(*)::int as n from orders`)[0]!.n;
    for (const line of [
      { productId, quantity: 1, unitPrice: '-1.00' },
      { productId, quantity: 1, unitPrice: 'abc' },
      { productId, quantity: 1, unitPrice: '1e3' },
      { productId, quantity: 1, unitPrice: 12 },
      { productId, quantity: 1, unitPrice: '1.005' },
      { productId, quantity: 0 },
      { productId, quantity: -2 },
      { productId: 'x', quantity: 1 },
    ]) {
      const r = await t.call('orders.create', { memberId: 7, lines: [line] }, t.tokens.admin);
      expect(!r.ok && r.error.code, JSON.stringify(line)).toBe('VALIDATION');
    }
    const after = (await t.database.sql<{ n: number }[]>`select count(*)::int as n from orders`)[0]!.n;
    expect(after).toBe(before);
  });

  it('enters an order from the catalogue (a discounted price scales VN, never PV), records a manual payment, then refunds it', async () => {
    const nov = periods.get('2026-11')!;
    const before = await volumesOf(t.database.sql, nov);
    const created = await t.must(
      'orders.create',
      {
        memberId: 7,
        lines: [
          { productId, quantity: 2 },
          { productId, quantity: 1, unitPrice: '104.70' },
        ],
      },
      t.tokens.admin,
    );
    expect(created).toMatchObject({ total: '802.70', pv: '900.00', vn: '690.00', currency: 'MXN' });
    const paid = await t.must('orders.recordPayment', { orderId: created.orderId, paidAt: '2026-11-20T17:00:00Z', reference: 'Depósito 4471' }, t.tokens.admin);
    expect(paid).toMatchObject({ periodKey: '2026-11', late: false, waiting: false, alreadyConfirmed: false });
    const after = await volumesOf(t.database.sql, nov);
    expect(after[7]).toEqual({ pv: '2400.00', vn: '1690.00', pvg: '2400.00', rank: 1 });
    expect(after[1]!.pvg).toBe('28665.00');
    const audit = await t.database.sql`select action, entity_id, reason from audit_log where action in ('orders.create', 'orders.recordPayment') order by id`;
    expect(audit.map((a) => [a.action, a.reason])).toEqual([
      ['orders.create', null],
      ['orders.recordPayment', 'Depósito 4471'],
    ]);

    const refund = await t.must('orders.refund', { orderId: created.orderId, reason: 'Devolución solicitada' }, t.tokens.admin);
    expect(refund).toMatchObject({ periodKey: '2026-11', periodClosed: false });
    expect(await volumesOf(t.database.sql, nov)).toEqual(before);
    const again = await t.call('orders.refund', { orderId: created.orderId, reason: 'otra vez' }, t.tokens.admin);
    expect(!again.ok && again.error.code).toBe('CONFLICT');
  });

  it('a refund of an order of a closed period leaves that period as it was closed', async () => {
    const oct = periods.get('2026-10')!;
    const [o] = await t.database.sql<{ id: string }[]>`select id from orders where period_id = ${oct} and status = 'paid' limit 1`;
    await t.database.sql`insert into member_volumes (period_id, member_id, pv, vn, pvg) values (${oct}, 3, 5000, 4000, 5000)`;
    const before = await volumesOf(t.database.sql, oct);
    const r = await t.must('orders.refund', { orderId: Number(o!.id), reason: 'Producto dañado' }, t.tokens.admin);
    expect(r).toMatchObject({ periodKey: '2026-10', periodClosed: true });
    expect(await volumesOf(t.database.sql, oct)).toEqual(before);
  });

  it('only admins enter orders and record payments', async () => {
    for (const role of ['finance', 'support'] as const) {
      const r = await t.call('orders.recordPayment', { orderId: 1, paidAt: '2026-11-20T17:00:00Z', reference: 'x-123' }, t.tokens[role]);
      expect(!r.ok && r.error.code).toBe('FORBIDDEN');
    }
  });
});
