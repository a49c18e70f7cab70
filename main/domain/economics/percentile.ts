/**
 * Percentiles of the income disclosure report: linear interpolation between closest ranks
 * (Hyndman & Fan type 7 — Excel's PERCENTILE.INC, NumPy's default): over the N values sorted
 * ascending x[0..N-1], h = (N − 1)·p, P(p) = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]); the median is
 * P(0.5) (the mean of the two middle values when N is even). Exact decimals, the result rounded
 * half-up to the cent.
 */
import { Decimal } from '../money';

/** 0-based positions whose values P(p) needs over N values (one or two). */
export function percentilePositions(n: number, p: string): { lo: number; hi: number; frac: Decimal } {
  if (n < 1) throw new Error('percentile of no values');
  const h = new Decimal(n - 1).times(p);
  const lo = h.floor().toNumber();
  return { lo, hi: Math.min(lo + 1, n - 1), frac: h.minus(lo) };
}

export function interpolate(lo: Decimal | string, hi: Decimal | string, frac: Decimal): string {
  const a = new Decimal(lo);
  return a
    .plus(frac.times(new Decimal(hi).minus(a)))
    .toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
    .toFixed(2);
}

/** P(p) of a whole list (the reference the report's SQL-backed version is tested against). */
export function percentile(values: readonly (Decimal | string)[], p: string): string {
  const xs = values.map((v) => new Decimal(v)).sort((a, b) => a.comparedTo(b));
  const { lo, hi, frac } = percentilePositions(xs.length, p);
  return interpolate(xs[lo]!, xs[hi]!, frac);
}
