import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { closeSeededHistory } from '../../app';
import { waitForRun } from '../periods/close';
import { seedDemoNetwork } from './generate';

/**
 * The demo of a first run (seedIfEmpty): earlier periods closed by the REAL close, last month open
 * (it has ended: an admin can close it), this month's payments waiting for it.
 */
const now = new Date('2026-12-04T18:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: () => now });
  const r = await seedDemoNetwork(t.database.sql, { members: 300, periods: 4, seed: 1, now, periodsAs: 'history' });
  expect(r.periods).toEqual(['2026-09', '2026-10', '2026-11', '2026-12']);
  await closeSeededHistory(t.services, r.periods, now, () => {});
}, 120_000);
afterAll(async () => {
  await t.close();
});

const one = async <T>(q: Promise<T[]>) => (await q)[0]!;

describe('the demo network after a first run', () => {
  it('September and October were closed by the real close; November is open; December has no row yet', async () => {
    const list = await t.must('periods.list', {}, t.tokens.admin);
    expect(list.map((p) => [p.key, p.status])).toEqual([
      ['2026-11', 'open'],
      ['2026-10', 'closed'],
      ['2026-09', 'closed'],
    ]);
    // Closed two days after their end, never on the day of the seed.
    expect(list[1]!.closedAt).toBe('2026-11-03T09:00:00.000Z');
    const runs = await t.database.sql<
      { key: string; status: string }[]
    >`select p.key, r.status::text as status from period_runs r join periods p on p.id = r.period_id where r.kind = 'close' order by p.key`;
    expect(runs).toEqual([
      { key: '2026-09', status: 'succeeded' },
      { key: '2026-10', status: 'succeeded' },
    ]);
  });

  it('every screen has true data: commission lines posted to wallets, rank promotions, loyalty points', async () => {
    for (const key of ['2026-09', '2026-10']) {
      const l = await one(
        t.database.sql<
          { n: number }[]
        >`select count(*)::int as n from commission_lines l join periods p on p.id = l.period_id where p.key = ${key} and l.status = 'posted'`,
      );
      expect(l.n).toBeGreaterThan(0);
    }
    const wallets = await one(t.database.sql<{ n: number }[]>`select count(*)::int as n from ledger_accounts where kind = 'member_wallet' and balance > 0`);
    expect(wallets.n).toBeGreaterThan(10);
    const promotions = await one(t.database.sql<{ n: number }[]>`select count(*)::int as n from rank_history where kind = 'career'`);
    expect(promotions.n).toBeGreaterThan(0);
    const loyalty = await one(t.database.sql<{ n: number }[]>`select count(*)::int as n from member_programs where loyalty_points > 0`);
    expect(loyalty.n).toBeGreaterThan(0);
    // The books balance.
    const unbalanced = await one(
      t.database.sql<{ n: number }[]>`select count(*)::int as n from (select transaction_id from ledger_entries group by 1 having sum(amount) <> 0) x`,
    );
    expect(unbalanced.n).toBe(0);
  });

  it("closing November (it has ended) opens December with this month's waiting payments; December cannot close yet", async () => {
    const waiting = await one(
      t.database.sql<
        { n: number }[]
      >`select count(*)::int as n from orders where period_id is null and status = 'paid' and payment_confirmed_at >= '2026-12-01T06:00:00Z'`,
    );
    expect(waiting.n).toBeGreaterThan(0);
    const preview = await t.must('periods.previewClose', { key: '2026-11' }, t.tokens.admin);
    expect(preview).toMatchObject({ canClose: true, ended: true, waitingOrders: waiting.n });
    const run = await t.must('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
    await waitForRun(run.id);
    expect((await t.must('periods.run', { runId: run.id }, t.tokens.admin)).status).toBe('succeeded');
    const c = await t.must('periods.current', {}, t.tokens.admin);
    expect(c.period).toMatchObject({ key: '2026-12', status: 'open' });
    expect(c.period!.figures!.ordersPaid).toBe(waiting.n);
    const still = await one(t.database.sql<{ n: number }[]>`select count(*)::int as n from orders where period_id is null and status = 'paid'`);
    expect(still.n).toBe(0);
    const dec = await t.call('periods.close', { key: '2026-12', confirmKey: '2026-12' }, t.tokens.admin);
    expect(!dec.ok && dec.error.code).toBe('CONFLICT');
  });
});
