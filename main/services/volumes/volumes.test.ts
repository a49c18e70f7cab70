import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { testApp, type TestApp } from '../../../test/app';
import { PLAN_V1, type PlanFigures } from '../../domain/plan';
import { Decimal } from '../../domain/money';
import { paidAsRank } from '../../domain/ranks';
import { periodByKey } from '../periods/lookup';
import { recomputePeriod } from './recompute';
import { rankCaseCentsSql, rankCaseFragment, rankCaseSql } from './rank-sql';
import { confirmOrder, refundOrder } from '../orders/confirm';
import { loadSmallNetwork, pendingOrder, SMALL_EXPECTED, statsOf, volumesOf } from '../../../test/small-network';
import { connect } from '../../db/client';

let t: TestApp;
let periods: Map<string, number>;
beforeAll(async () => {
  t = await testApp();
  ({ periods } = await loadSmallNetwork(t.database.sql));
});
afterAll(async () => {
  await t.close();
});

const recompute = async (key: string, opts: { forcePaths?: boolean; way?: 'memory' | 'sql' } = {}) => {
  const p = (await periodByKey(t.database.db, key))!;
  return t.database.db.transaction((tx) => recomputePeriod(tx, p, PLAN_V1, opts));
};

describe('full recomputation (set-based roll-up)', () => {
  it('matches the hand-checked network: PV, VN, PVG and paid-as ranks', async () => {
    const r = await recompute('2026-11');
    expect(r.method).toBe('memory');
    expect(r.write).toBe('insert');
    expect(await volumesOf(t.database.sql, periods.get('2026-11')!)).toEqual(SMALL_EXPECTED);
    // Members 1 and 3 have no PV but PVG; every member of this network has PVG > 0, so 9 rows.
    expect(r.rows).toBe(9);
  });

  it('keeps the cached figures of the period: PV, VN in MXN (USD at 18.50), active, ranks, advancing', async () => {
    const s = await statsOf(t.database.sql, periods.get('2026-11')!);
    expect(s).toEqual({
      members_active: 7,
      members_advancing: 4,
      orders_paid: 8,
      pv: '27765.00',
      vn_mxn: '16975.50',
      ranks: [
        [1, 5],
        [2, 1],
      ],
    });
  });

  it('the SQL way (running sums in path order) gives the same figures', async () => {
    const r = await recompute('2026-11', { way: 'sql' });
    expect(r.method).toBe('prefix');
    expect(r.write).toBe('merge');
    expect(await volumesOf(t.database.sql, periods.get('2026-11')!)).toEqual(SMALL_EXPECTED);
  });

  it('the fallback roll-up (PV added to every ancestor of the path) gives the same figures', async () => {
    const r = await recompute('2026-11', { forcePaths: true });
    expect(r.method).toBe('paths');
    expect(r.write).toBe('merge');
    expect(await volumesOf(t.database.sql, periods.get('2026-11')!)).toEqual(SMALL_EXPECTED);
  });

  it('a wrong cached downline size: the SQL way detects it and falls back to the paths; the in-memory way never reads it', async () => {
    await t.database.sql`update members set downline_size = 1 where id = 6`;
    try {
      const r = await recompute('2026-11', { way: 'sql' });
      expect(r.method).toBe('paths');
      expect(await volumesOf(t.database.sql, periods.get('2026-11')!)).toEqual(SMALL_EXPECTED);
      expect((await recompute('2026-11')).method).toBe('memory');
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
  /** The three SQL forms of rank-sql.ts evaluated by PostgreSQL for each (pv, pvg) pair, in order. */
  async function sqlRanks(plan: PlanFigures, pairs: [string, string][]) {
    const pvs = sql.raw(`array[${pairs.map(([a]) => `'${a}'`).join(',')}]::numeric[]`);
    const pvgs = sql.raw(`array[${pairs.map(([, b]) => `'${b}'`).join(',')}]::numeric[]`);
    return t.database.db.execute<{ text: number; fragment: number; cents: number }>(sql`
      select ${sql.raw(rankCaseSql(plan, 'x.pv', 'x.pvg'))} as text,
             ${rankCaseFragment(plan, sql`x.pv`, sql`x.pvg`)} as fragment,
             ${sql.raw(rankCaseCentsSql(plan, '(x.pv * 100)::bigint', '(x.pvg * 100)::bigint'))} as cents
        from unnest(${pvs}, ${pvgs}) with ordinality as x(pv, pvg, i) order by x.i`);
  }
  async function expectSameAsDomain(plan: PlanFigures, pairs: [string, string][]) {
    const rows = await sqlRanks(plan, pairs);
    expect(rows.length).toBe(pairs.length);
    rows.forEach((row, k) => {
      const want = paidAsRank(pairs[k]![0], pairs[k]![1], plan);
      expect({ text: row.text, fragment: row.fragment, cents: row.cents }, `${pairs[k]} ${JSON.stringify(plan.ranks.map((r) => [r.pv, r.pvg]))}`).toEqual({
        text: want,
        fragment: want,
        cents: want,
      });
    });
  }
  /** Each threshold of the plan, one cent below and above, crossed with each other. */
  function edgePairs(plan: PlanFigures): [string, string][] {
    const around = (v: string) =>
      ['-0.01', '0', '0.01']
        .map((d) => new Decimal(v).plus(d))
        .filter((x) => x.gte(0))
        .map((x) => x.toFixed(2));
    const pvs = new Set(['0', ...plan.ranks.flatMap((r) => around(r.pv))]);
    const pvgs = new Set(['0', '99999999', ...plan.ranks.flatMap((r) => around(r.pvg))]);
    return [...pvs].flatMap((pv) => [...pvgs].map((pvg): [string, string] => [pv, pvg]));
  }

  it('agrees with paidAsRank on every threshold of PLAN_V1, one cent below and above, and random pairs', async () => {
    const pairs = edgePairs(PLAN_V1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400_000_000 }), fc.integer({ min: 0, max: 400_000_000 }), (a, b) => {
        pairs.push([(a / 100).toFixed(2), (Math.max(a, b) / 100).toFixed(2)]);
      }),
      { numRuns: 200 },
    );
    await expectSameAsDomain(PLAN_V1, pairs);
  });

  it('agrees with paidAsRank on generated plans (thresholds in any order, equal, zero) at their edges', async () => {
    const cents = fc.integer({ min: 0, max: 5_000_000 }).map((c) => (c / 100).toFixed(2));
    const plans = fc.sample(fc.array(fc.tuple(cents, cents), { minLength: 8, maxLength: 8 }), { numRuns: 25, seed: 15 });
    for (const figures of plans) {
      const plan: PlanFigures = { ...PLAN_V1, ranks: PLAN_V1.ranks.map((r, i) => ({ ...r, pv: figures[i]![0], pvg: figures[i]![1] })) };
      await expectSameAsDomain(plan, edgePairs(plan));
    }
  });
});

describe('incremental updates equal the full recomputation', () => {
  it('a random sequence of confirmations and refunds leaves exactly what a recomputation computes', async () => {
    const nov = periods.get('2026-11')!;
    await recompute('2026-11');
    const rng = fc.sample(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 2000 }), fc.boolean()), {
      numRuns: 40,
      seed: 42,
    });
    const confirmed: number[] = [];
    for (const [i, [member, pvCents, vn, refund]] of rng.entries()) {
      const pv = (pvCents / 10).toFixed(2);
      const id = await pendingOrder(t.database.sql, member, pv, String(vn), member === 5 ? { currency: 'USD', country: 'US' } : {});
      await t.database.db.transaction((tx) =>
        confirmOrder(tx, id, { confirmedAt: `2026-11-${String(5 + (i % 20)).padStart(2, '0')}T15:00:00Z`, method: 'stripe' }),
      );
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
