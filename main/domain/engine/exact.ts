/**
 * Exact arithmetic for the fast engine without a Decimal per step.
 *
 * Amounts are integers of a fixed scale held in JavaScript numbers only while they are safe
 * integers (|x| ≤ 2^53 − 1, where every operation below is exact); a line amount is
 * round_half_up(base × P / Q) with P/Q the exact reduced rational of rate × fx(from) / fx(to),
 * computed with BigInt once per (rate, currency pair) and applied with exact integer steps in
 * doubles (falling back to BigInt when a product would leave the exact range). The result equals
 * full-precision decimal arithmetic rounded half-up once.
 */

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Products and divisors stay ≤ 2^52 so that every intermediate of roundDivHalfUp is exact. */
const EXACT_LIMIT = 2 ** 52;

const POW10: number[] = [];
for (let i = 0, p = 1; i <= 22; i++, p *= 10) POW10.push(p);

/**
 * Parses a non-negative plain decimal string ("123", "123.45") into an integer scaled by
 * 10^scale. Returns NaN for anything else: a sign, exponent, spaces, more than `scale` decimals,
 * or a value beyond the safe integer range.
 */
export function parseScaled(s: string, scale: number): number {
  if (typeof s !== 'string') return Number.NaN;
  const n = s.length;
  if (n === 0) return Number.NaN;
  let v = 0;
  let dec = -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      if (dec >= 0) dec++;
    } else if (c === 46 && dec < 0 && i > 0 && i < n - 1) {
      dec = 0;
    } else {
      return Number.NaN;
    }
  }
  if (dec < 0) dec = 0;
  if (dec > scale || v > MAX_SAFE) return Number.NaN;
  const r = v * (POW10[scale - dec] as number);
  return r <= MAX_SAFE ? r : Number.NaN;
}

/** Number of digits after the point of a plain decimal string (0 when none). */
export function decimalsOf(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

/** "0.0046" -> [46n, 10000n] (not reduced). The string must be a valid plain decimal. */
export function ratioOfDecimal(s: string): [bigint, bigint] {
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const i = body.indexOf('.');
  const digits = i < 0 ? body : body.slice(0, i) + body.slice(i + 1);
  const dec = i < 0 ? 0 : body.length - i - 1;
  const num = BigInt(digits);
  return [neg ? -num : num, 10n ** BigInt(dec)];
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** round_half_up(n / q) for bigint n (any sign) and q > 0; ties go away from zero. */
export function roundDivHalfUpBig(n: bigint, q: bigint): bigint {
  if (n < 0n) return -roundDivHalfUpBig(-n, q);
  return (2n * n + q) / (2n * q);
}

/** round_half_up(n / q) for safe integers 0 ≤ n ≤ 2^52, 0 < q ≤ 2^52 (exact). */
export function roundDivHalfUp(n: number, q: number): number {
  let t = Math.floor(n / q);
  let r = n - t * q;
  if (r < 0) {
    t -= 1;
    r += q;
  } else if (r >= q) {
    t += 1;
    r -= q;
  }
  return 2 * r >= q ? t + 1 : t;
}

export class VolumeOverflowError extends Error {
  override readonly name = 'VolumeOverflowError';
}

/**
 * An exact non-negative rational factor P/Q = Π numerators / Π denominators (decimal strings).
 * apply(base) = round_half_up(base × P / Q) for a non-negative integer base.
 */
export class Factor {
  readonly p: bigint;
  readonly q: bigint;
  private readonly pn: number;
  private readonly qn: number;
  /** Largest base for which the Number path is exact. */
  private readonly maxBase: number;

  constructor(numerators: readonly string[], denominators: readonly string[]) {
    let p = 1n;
    let q = 1n;
    for (const s of numerators) {
      const [a, b] = ratioOfDecimal(s);
      p *= a;
      q *= b;
    }
    for (const s of denominators) {
      const [a, b] = ratioOfDecimal(s);
      p *= b;
      q *= a;
    }
    if (q <= 0n || p < 0n) throw new RangeError('factor must be a non-negative rational with a positive denominator');
    const g = gcd(p, q);
    if (g > 1n) {
      p /= g;
      q /= g;
    }
    this.p = p;
    this.q = q;
    const numberable = p <= BigInt(EXACT_LIMIT) && q <= BigInt(EXACT_LIMIT);
    this.pn = numberable ? Number(p) : Number.NaN;
    this.qn = numberable ? Number(q) : Number.NaN;
    this.maxBase = numberable ? (this.pn === 0 ? MAX_SAFE : Math.floor(EXACT_LIMIT / this.pn)) : -1;
  }

  get isZero(): boolean {
    return this.p === 0n;
  }

  /** round_half_up(base × P / Q) as a safe integer; throws VolumeOverflowError beyond the safe range. */
  apply(base: number): number {
    if (base <= this.maxBase) return roundDivHalfUp(base * this.pn, this.qn);
    const r = roundDivHalfUpBig(BigInt(base) * this.p, this.q);
    if (r > BigInt(MAX_SAFE)) throw new VolumeOverflowError(`amount too large: ${r}`);
    return Number(r);
  }
}

/** Integer cents -> "1234.50" (exactly 2 decimals). */
export function formatCents(c: number): string {
  if (c < 0) return '-' + formatCents(-c);
  if (c < 10) return '0.0' + c;
  if (c < 100) return '0.' + c;
  const s = String(c);
  return s.slice(0, s.length - 2) + '.' + s.slice(s.length - 2);
}

/** Integer scaled by 10^scale -> plain decimal without trailing zeros ("1465", "12.5"). */
export function formatScaled(v: number, scale: number): string {
  if (v < 0) return '-' + formatScaled(-v, scale);
  if (scale === 0) return String(v);
  const unit = POW10[scale] as number;
  const intPart = Math.floor(v / unit);
  let frac = v - intPart * unit;
  if (frac === 0) return String(intPart);
  let digits = scale;
  while (frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  return String(intPart) + '.' + String(frac).padStart(digits, '0');
}
