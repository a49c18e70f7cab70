import { describe, expect, it } from 'vitest';
import { PLAN_V1 } from './plan';
import { careerRankAfter, paidAsRank, rankChanges, ranksReachedFirstTime, uninivelDepthOf } from './ranks';

describe('paid-as rank', () => {
  it('needs both PV and PVG, at the thresholds exactly', () => {
    expect(paidAsRank('1465', '1465', PLAN_V1)).toBe(1);
    expect(paidAsRank('1464', '100000', PLAN_V1)).toBe(0);
    expect(paidAsRank('1465', '20999', PLAN_V1)).toBe(1);
    expect(paidAsRank('1465', '21000', PLAN_V1)).toBe(2);
    expect(paidAsRank('1465', '57999.99', PLAN_V1)).toBe(2);
    expect(paidAsRank('1465', '58000', PLAN_V1)).toBe(3);
    expect(paidAsRank('1465', '120000', PLAN_V1)).toBe(4);
    expect(paidAsRank('1465', '300000', PLAN_V1)).toBe(5);
    expect(paidAsRank('1465', '650000', PLAN_V1)).toBe(6);
    expect(paidAsRank('1465', '1300000', PLAN_V1)).toBe(7);
    expect(paidAsRank('1465', '2900000', PLAN_V1)).toBe(8);
    expect(paidAsRank('0', '0', PLAN_V1)).toBe(0);
  });
  it('may skip ranks in one period', () => {
    expect(paidAsRank('5000', '700000', PLAN_V1)).toBe(6);
    expect(ranksReachedFirstTime(1, 6)).toEqual([2, 3, 4, 5, 6]);
  });
  it('keeps the career rank (it never goes down)', () => {
    expect(careerRankAfter(4, 0)).toBe(4);
    expect(careerRankAfter(4, 6)).toBe(6);
    expect(ranksReachedFirstTime(4, 2)).toEqual([]);
  });
  it('opens uninivel levels by rank', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((r) => uninivelDepthOf(r as 0, PLAN_V1))).toEqual([0, 3, 4, 5, 6, 9, 9, 9, 9]);
  });
  it('records rank changes', () => {
    expect(rankChanges('M1', '2026-11', { careerRank: 2, previousPaidAsRank: 2 }, 4)).toEqual([
      { member: 'M1', period: '2026-11', kind: 'career', from: 2, to: 4 },
      { member: 'M1', period: '2026-11', kind: 'paidAs', from: 2, to: 4 },
    ]);
    expect(rankChanges('M1', '2026-11', { careerRank: 4, previousPaidAsRank: 3 }, 1)).toEqual([
      { member: 'M1', period: '2026-11', kind: 'paidAs', from: 3, to: 1 },
    ]);
    expect(rankChanges('M1', '2026-11', { careerRank: 4, previousPaidAsRank: 1 }, 1)).toEqual([]);
  });
});
