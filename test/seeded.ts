/**
 * A seeded random source for generated test cases (pure-rand's xoroshiro128+): the same cases on
 * every run, so a disagreement found once is found again.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

export function seeded(seed: number) {
  const rng = xoroshiro128plus(seed);
  /** 0 … n − 1. */
  const int = (n: number) => uniformInt(rng, 0, n - 1);
  return {
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!,
    /** n decimal digits (leading zeros allowed). */
    digits: (n: number) => Array.from({ length: n }, () => String(int(10))).join(''),
    /** True with probability p (to a millionth). */
    chance: (p: number) => int(1_000_000) < p * 1_000_000,
  };
}
