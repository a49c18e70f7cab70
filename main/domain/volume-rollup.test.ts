import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from './money';
import { PLAN_V1, type PlanFigures } from './plan';
import { paidAsRank } from './ranks';
import { BeyondExactDoubles, centsText, memberPositions, paidAsRankCents, rankThresholdsCents, rollUp, SponsorMissing } from './volume-rollup';

/** A network as parallel arrays: member k's sponsor is an earlier member (or none), ids shuffled and maybe sparse. */
const network = fc
  .record({
    size: fc.integer({ min: 1, max: 300 }),
    sparse: fc.boolean(),
    seed: fc.integer(),
  })
  .chain(({ size, sparse }) =>
    fc.record({
      ids: fc.shuffledSubarray(
        Array.from({ length: sparse ? size * 50 : size }, (_, i) => i + 1),
        { minLength: size, maxLength: size },
      ),
      parentOf: fc.array(fc.nat(), { minLength: size, maxLength: size }),
      roots: fc.array(fc.boolean(), { minLength: size, maxLength: size }),
      pv: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000_000 })), { minLength: size, maxLength: size }),
      order: fc.shuffledSubarray(
        Array.from({ length: size }, (_, i) => i),
        { minLength: size, maxLength: size },
      ),
    }),
  );

describe('rollUp (PVG by sponsor ids)', () => {
  it('equals PV added to every ancestor, for any tree shape, id order and density', () => {
    fc.assert(
      fc.property(network, ({ ids, parentOf, roots, pv, order }) => {
        const n = ids.length;
        // Member k (in creation order) is recruited by an earlier one; rows are given in `order`.
        const sponsorOfK = parentOf.map((p, k) => (k === 0 || roots[k] ? null : p % k));
        const rowOfK = new Array<number>(n);
        order.forEach((k, row) => (rowOfK[k] = row));
        const idOfK = (k: number) => ids[k]!;
        const idsRow = new Float64Array(n);
        const sponsorsRow = new Float64Array(n);
        for (let k = 0; k < n; k++) {
          idsRow[rowOfK[k]!] = idOfK(k);
          sponsorsRow[rowOfK[k]!] = sponsorOfK[k] === null ? NaN : idOfK(sponsorOfK[k]!);
        }
        const pvRow = new Float64Array(n);
        for (let k = 0; k < n; k++) pvRow[rowOfK[k]!] = pv[k]!;
        const at = memberPositions(idsRow);
        const pvg = rollUp(idsRow, sponsorsRow, pvRow, at);
        // Naive: walk each member's upline, adding its PV to every ancestor.
        const want = new Array<number>(n).fill(0);
        for (let k = 0; k < n; k++) {
          for (let a: number | null = k; a !== null; a = sponsorOfK[a]!) want[a]! += pv[k]!;
        }
        for (let k = 0; k < n; k++) {
          const i = at(idOfK(k));
          expect(i).toBe(rowOfK[k]);
          expect(pvg[i]).toBe(want[k]);
        }
        expect(at(0)).toBe(-1);
        expect(at(Math.max(...ids) + 1)).toBe(-1);
      }),
      { numRuns: 300, seed: 17 },
    );
  });

  it('refuses a sponsor that is not a member and a sponsor cycle', () => {
    const f = (xs: number[]) => Float64Array.from(xs);
    expect(() => rollUp(f([1, 2]), f([NaN, 3]), f([0, 0]))).toThrow(SponsorMissing);
    expect(() => rollUp(f([1, 2, 3]), f([NaN, 3, 2]), f([0, 0, 0]))).toThrow(/2 members are on a sponsor cycle/);
    expect(() => rollUp(f([1, 2]), f([NaN, 1]), f([0]))).toThrow(RangeError);
  });

  it('hands figures beyond exact doubles back (the caller takes the SQL way)', () => {
    const f = (xs: number[]) => Float64Array.from(xs);
    expect(() => rollUp(f([1, 2]), f([NaN, 1]), f([2 ** 52, 2 ** 52]))).toThrow(BeyondExactDoubles);
    expect(() => rollUp(f([1]), f([NaN]), f([1.5]))).toThrow(BeyondExactDoubles);
  });
});

describe('paid-as rank over hundredths is paidAsRank', () => {
  const check = (plan: PlanFigures, pairs: [number, number][]) => {
    const t = rankThresholdsCents(plan);
    for (const [pv, pvg] of pairs) {
      expect(paidAsRankCents(pv, pvg, t), `${pv} ${pvg}`).toBe(paidAsRank(centsText(pv), centsText(pvg), plan));
    }
  };
  const edges = (plan: PlanFigures): [number, number][] => {
    const around = (v: string) => [-1, 0, 1].map((d) => new Decimal(v).times(100).ceil().toNumber() + d).filter((x) => x >= 0);
    const pvs = [0, ...plan.ranks.flatMap((r) => around(r.pv))];
    const pvgs = [0, 9_999_999_999, ...plan.ranks.flatMap((r) => around(r.pvg))];
    return pvs.flatMap((a) => pvgs.map((b): [number, number] => [a, b]));
  };

  it('on every threshold of PLAN_V1, one hundredth either side, and random points', () => {
    check(PLAN_V1, edges(PLAN_V1));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400_000_000 }), fc.integer({ min: 0, max: 400_000_000 }), (a, b) => {
        check(PLAN_V1, [[a, Math.max(a, b)]]);
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it('on generated plans, thresholds with three decimals included', () => {
    const threshold = fc.oneof(
      fc.integer({ min: 0, max: 5_000_000 }).map((c) => (c / 100).toFixed(2)),
      fc.integer({ min: 0, max: 50_000_000 }).map((m) => (m / 1000).toFixed(3)),
    );
    for (const figures of fc.sample(fc.array(fc.tuple(threshold, threshold), { minLength: 8, maxLength: 8 }), { numRuns: 40, seed: 15 })) {
      const plan: PlanFigures = { ...PLAN_V1, ranks: PLAN_V1.ranks.map((r, i) => ({ ...r, pv: figures[i]![0], pvg: figures[i]![1] })) };
      check(plan, edges(plan));
    }
  });
});

describe('centsText', () => {
  it('is the decimal of the hundredths, two decimals, either sign', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (c) => {
        expect(centsText(c)).toBe(new Decimal(c).dividedBy(100).toFixed(2));
      }),
      { numRuns: 2_000, seed: 5 },
    );
    expect([centsText(0), centsText(5), centsText(-5), centsText(100)]).toEqual(['0.00', '0.05', '-0.05', '1.00']);
  });
});
