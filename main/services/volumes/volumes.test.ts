import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { testApp, type TestApp } from '../../../test/app';
import { PLAN_V1 } from '../../domain/plan';
import { paidAsRank } from '../../domain/ranks';
import { periodByKey } from '../periods/lookup';
import { recomputePeriod } from './recompute';
import { rankCaseCentsSql, rankCaseSql } from './rank-sql';
import { confirmOrder, refundOrder } from '../orders/confirm';
import { loadSmallNetwork, pendingOrder, SMALL_EXPECTED, statsOf, volumesOf } from '../../../test/small-network';
import { connect } from '../../db/client';

let t: TestApp;
let periods: Map<string, number>;
beforeAll(async () => {
  t = await testApp();
  ({ periods } = await loadSmallNetwork(t.database.sql));
});
afterAll(async () => { await t.close(); });

const recompute = async (key: string, opts: { forcePaths?: boolean } = {}) => {
  const p = (await periodByKey(t.database.db, key))!;
  return t.database.db.transaction((tx) => recomputePeriod(tx, p, PLAN_V1, opts));
};

describe('full recomputation (set-based roll-up)', () => {
  it('matches the hand-checked network: PV, VN, PVG and paid-as ranks', async () => {
    const r = await recompute('2026-11');
    expect(r.method).toBe('prefix');
    expect(r.write).toBe('insert');
    expect(await volumesOf(t.database.sql, periods.get('2026-11')!)).toEqual(SMALL_EXPECTED);
    // Members 1 and 3 have no PV but PVG; every member of this network has PVG > 0, so 9 rows.
    expect(r.rows).toBe(9);
  });

  it('keeps the cached figures of the period: PV, VN in MXN (USD at 18.50), active, ranks, advancing', async () => {
    const s = await statsOf(t.database.sql, periods.get('2026-11')!);
    expect(s).toEqual({
      members_active: 7, members_advancing: 4, orders_paid: 8, pv: '27765.00', vn_mxn: '16975.50',
      ranks: [[1, 5], [2, 1]],
    });
  });

  it('the fallback roll-up (PV added to every ancestor of the path) gives the same figures', async () => {
    const r = await recompute('2026-11', { forcePaths: true });
    expect(r.method).toBe('paths');
    expect(r.write).toBe('merge');
    expect(await volumesOf(t.database.sql, periods.get('2026-11')!)).toEqual(SMALL_EXPECTED);
  });

  it('a wrong cached downline size is detected and the roll-up falls back to the paths', async () => {
    await t.database.sql`update members set downline_size = 1 where id = 6`;
    try {
      const r = await recompute('2026-11');
      expect(r.method).toBe('paths');
      expect(await volumesOf(t.database.sql, periods.get('2026-11')!)).toEqual(SMALL_EXPECTED);
    } finally {
      await t.database.sql`update members set downline_size = 2 where id = 6`;
    }
  });

  it('volumes are per period: October has only its own order, and a re-run writes nothing new', async () => {
    await recompute('2026-10');
    const oct = await volumesOf(t.database.sql, periods.get('2026-10')!);
    expect(oct).toEqual({
      1: { pv: '0.00', vn: '0.00', pvg: '5000.00', rank: 0 },
      3: { pv: '5000.00', vn: '4000.00', pvg: '5000.00', rank: 1 },
    });
    const again = await recompute('2026-11');
    expect(again.write).toBe('merge');
    expect(await volumesOf(t.database.sql, periods.get('2026-11')!)).toEqual(SMALL_EXPECTED);
  });
});

describe('a pooled connection that already used a temporary table', () => {
  // PostgreSQL sizes a session's temporary buffers at its first temporary table and refuses another
  // temp_buffers afterwards: a recompute (or the close's volumes step) on such a connection failed.
  it('recomputes on it, with the same figures', async () => {
    const one = connect(t.database.url, { max: 1 });
    try {
      await one.sql.begin(async (tx) => {
        await tx`create temp table before_recompute (a int) on commit drop`;
        await tx`insert into before_recompute select generate_series(1, 1000)`;
      });
      const p = (await periodByKey(one.db, '2026-11'))!;
      const r = await one.db.transaction((tx) => recomputePeriod(tx, p, PLAN_V1));
      expect(r.rows).toBe(9);
      // And again on the same session (its buffers now sized by the first run or by the temp table).
      await one.db.transaction((tx) => recomputePeriod(tx, p, PLAN_V1));
      expect(await volumesOf(one.sql, periods.get('2026-11')!)).toEqual(SMALL_EXPECTED);
    } finally {
      await one.close();
    }
  });
});

describe('paid-as rank in SQL is the domain rule', () => {
  it('agrees with paidAsRank on every threshold, one cent below and above, and random pairs', async () => {
    const values = new Set<string>(['0', '0.01', '1464.99', '1465', '1465.01', '99999999']);
    for (const r of PLAN_V1.ranks) for (const d of ['-0.01', '0', '0.01']) values.add((Number(r.pvg) + Number(d)).toFixed(2));
    const pairs: [string, string][] = [];
    for (const pv of ['0', '1464.99', '1465', '5000']) for (const pvg of values) pairs.push([pv, pvg]);
    fc.assert(fc.property(fc.integer({ min: 0, max: 400_000_000 }), fc.integer({ min: 0, max: 400_000_000 }), (a, b) => {
      pairs.push([(a / 100).toFixed(2), (Math.max(a, b) / 100).toFixed(2)]);
    }), { numRuns: 200 });
    const expr = rankCaseSql(PLAN_V1, 'x.pv', 'x.pvg');
    const rows = (await t.database.db.execute(sql.raw(`
      select x.i, ${expr} as rank from unnest(array[${pairs.map(([a]) => `'${a}'`).join(',')}]::numeric[], array[${pairs.map(([, b]) => `'${b}'`).join(',')}]::numeric[])
        with ordinality as x(pv, pvg, i) order by x.i`))) as unknown as { i: string; rank: number }[];
    rows.forEach((row, k) => expect(row.rank, `${pairs[k]}`).toBe(paidAsRank(pairs[k]![0], pairs[k]![1], PLAN_V1)));
    // The recomputation's form, over integer hundredths.
    const cents = rankCaseCentsSql(PLAN_V1, '(x.pv * 100)::bigint', '(x.pvg * 100)::bigint');
    const rows2 = (await t.database.db.execute(sql.raw(`
      select x.i, ${cents} as rank from unnest(array[${pairs.map(([a]) => `'${a}'`).join(',')}]::numeric[], array[${pairs.map(([, b]) => `'${b}'`).join(',')}]::numeric[])
        with ordinality as x(pv, pvg, i) order by x.i`))) as unknown as { i: string; rank: number }[];
    rows2.forEach((row, k) => expect(row.rank, `${pairs[k]}`).toBe(paidAsRank(pairs[k]![0], pairs[k]![1], PLAN_V1)));
  });
});

describe('incremental updates equal the full recomputation', () => {
  it('a random sequence of confirmations and refunds leaves exactly what a recomputation computes', async () => {
    const nov = periods.get('2026-11')!;
    await recompute('2026-11');
    const rng = fc.sample(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 2000 }), fc.boolean()), { numRuns: 40, seed: 42 });
    const confirmed: number[] = [];
    for (const [i, [member, pvCents, vn, refund]] of rng.entries()) {
      const pv = (pvCents / 10).toFixed(2);
      const id = await pendingOrder(t.database.sql, member, pv, String(vn), member === 5 ? { currency: 'USD', country: 'US' } : {});
      await t.database.db.transaction((tx) => confirmOrder(tx, id, { confirmedAt: `2026-11-${String(5 + (i % 20)).padStart(2, '0')}T15:00:00Z`, method: 'stripe' }));
      confirmed.push(id);
      if (refund && confirmed.length > 1) {
        const victim = confirmed.splice(i % confirmed.length, 1)[0]!;
        await t.database.db.transaction((tx) => refundOrder(tx, victim, { refundedAt: '2026-11-28T12:00:00Z' }));
      }
    }
    const incrementalVolumes = await volumesOf(t.database.sql, nov);
    const incrementalStats = await statsOf(t.database.sql, nov);
    await recompute('2026-11');
    const full = await volumesOf(t.database.sql, nov);
    // The recomputation drops rows that went back to zero; the incremental path keeps them at zero.
    const nonZero = Object.fromEntries(Object.entries(incrementalVolumes).filter(([, v]) => v.pv !== '0.00' || v.pvg !== '0.00' || v.vn !== '0.00'));
    expect(nonZero).toEqual(full);
    expect(await statsOf(t.database.sql, nov)).toEqual(incrementalStats);
  });
});
