import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PLAN_V1, type Rank } from '../../domain/plan';
import { careerRankAfter, paidAsRank, rankChanges } from '../../domain/ranks';
import { Decimal } from '../../domain/money';
import { periodBounds, periodOf } from '../../domain/period';

describe('rank rules as the volumes engine applies them (PLAN_V1 figures)', () => {
  it.each(PLAN_V1.ranks.map((r) => [r.rank, r.pv, r.pvg] as const))(
    'rank %i: reached exactly at PV %s and PVG %s, not one cent below either',
    (rank, pv, pvg) => {
      expect(paidAsRank(pv, pvg, PLAN_V1)).toBe(rank);
      expect(paidAsRank(new Decimal(pv).minus('0.01'), pvg, PLAN_V1)).toBe(0);
      expect(paidAsRank(pv, new Decimal(pvg).minus('0.01'), PLAN_V1)).toBe(rank - 1);
    },
  );

  it('PVG alone is not enough: without the personal PV every member is Sin rango', () => {
    expect(paidAsRank('1464.99', '10000000', PLAN_V1)).toBe(0);
  });

  it('ranks can be skipped in one period (Sin rango → Embajador Inspirador)', () => {
    expect(paidAsRank('1465', '650000', PLAN_V1)).toBe(6);
    expect(rankChanges('m1', '2026-11', { careerRank: 0, previousPaidAsRank: 0 }, 6)).toEqual([
      { member: 'm1', period: '2026-11', kind: 'career', from: 0, to: 6 },
      { member: 'm1', period: '2026-11', kind: 'paidAs', from: 0, to: 6 },
    ]);
  });

  it('the career rank is the highest paid-as rank ever: over any sequence of months it never goes down', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 36 }), (months) => {
        let career: Rank = 0;
        let best = 0;
        for (const m of months) {
          const next = careerRankAfter(career, m as Rank);
          expect(next).toBeGreaterThanOrEqual(career);
          career = next;
          best = Math.max(best, m);
        }
        expect(career).toBe(best);
      }),
    );
  });

  it('a paid-as rank below the career rank records a paid-as change only', () => {
    expect(rankChanges('m', '2026-12', { careerRank: 3, previousPaidAsRank: 3 }, 1)).toEqual([
      { member: 'm', period: '2026-12', kind: 'paidAs', from: 3, to: 1 },
    ]);
  });
});

describe('boundary instants of the periods orders are assigned to', () => {
  it.each([
    ['2026-11-01T05:59:59.999Z', '2026-10'],
    ['2026-11-01T06:00:00.000Z', '2026-11'],
    ['2026-12-01T05:59:59.999Z', '2026-11'],
    ['2026-12-01T06:00:00.000Z', '2026-12'],
    ['2027-01-01T05:59:59.999Z', '2026-12'],
    ['2027-01-01T06:00:00.000Z', '2027-01'],
  ])('%s is in %s', (instant, key) => {
    expect(periodOf(instant)).toBe(key);
    const b = periodBounds(key);
    expect(new Date(instant).getTime()).toBeGreaterThanOrEqual(b.startsAt.getTime());
    expect(new Date(instant).getTime()).toBeLessThan(b.endsAt.getTime());
  });
});
