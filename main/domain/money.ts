/**
 * Money: exact decimals, currencies, countries and conversions.
 *
 * Money never goes through a JavaScript `number`: amounts are `Decimal` values (decimal.js) or
 * decimal strings. Rounding is defined once, here: half-up (away from zero on a tie) to 2 decimals.
 */
import DecimalJs from 'decimal.js';

/** decimal.js configured for money: 40 significant digits, half-up rounding, no exponent notation in toString for normal magnitudes. */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Decimal = InstanceType<typeof Decimal>;

export const CURRENCIES = ['MXN', 'USD', 'COP', 'DOP'] as const;
export type Currency = (typeof CURRENCIES)[number];

export const COUNTRIES = ['MX', 'US', 'CO', 'DO'] as const;
export type Country = (typeof COUNTRIES)[number];

/** The company's base currency: exchange rates are expressed in MXN per one unit of a currency. */
export const BASE_CURRENCY: Currency = 'MXN';

export const CURRENCY_OF_COUNTRY: Readonly<Record<Country, Currency>> = Object.freeze({
  MX: 'MXN',
  US: 'USD',
  CO: 'COP',
  DO: 'DOP',
});

export function currencyOfCountry(country: Country): Currency {
  return CURRENCY_OF_COUNTRY[country];
}

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && (CURRENCIES as readonly string[]).includes(value);
}

export function isCountry(value: unknown): value is Country {
  return typeof value === 'string' && (COUNTRIES as readonly string[]).includes(value);
}

/** Exchange rates: MXN per one unit of each currency (MXN itself is 1). */
export type ExchangeRates = Readonly<Partial<Record<Currency, string>>>;

/** Thrown when a string is not an acceptable decimal. */
export class InvalidDecimalError extends Error {
  override readonly name = 'InvalidDecimalError';
  constructor(
    readonly input: unknown,
    readonly reason: string,
  ) {
    super(`invalid decimal ${JSON.stringify(input)}: ${reason}`);
  }
}

/** Thrown when a conversion needs a rate that is missing or not strictly positive. */
export class ExchangeRateError extends Error {
  override readonly name = 'ExchangeRateError';
  constructor(
    readonly currency: string,
    readonly reason: 'missing' | 'not-positive' | 'invalid',
  ) {
    super(
      reason === 'missing'
        ? `missing exchange rate for ${currency}`
        : reason === 'not-positive'
          ? `exchange rate for ${currency} must be > 0`
          : `exchange rate for ${currency} is not a valid decimal`,
    );
  }
}

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;

export interface ParseDecimalOptions {
  /** Maximum number of digits after the point (default: unlimited). */
  maxDecimals?: number;
  /** Refuse negative values (default: false). */
  nonNegative?: boolean;
}

/**
 * Parses a plain decimal string strictly: optional '-', digits, optional '.digits'. No exponent,
 * no spaces, no '+', no NaN/Infinity, no more than `maxDecimals` digits after the point.
 */
export function parseDecimal(input: string, options: ParseDecimalOptions = {}): Decimal {
  checkDecimalString(input, options);
  return new Decimal(input);
}

/** Validates a decimal string (see parseDecimal) without building a Decimal. */
export function checkDecimalString(input: string, options: ParseDecimalOptions = {}): void {
  if (typeof input !== 'string') throw new InvalidDecimalError(input, 'not a string');
  const m = DECIMAL_RE.exec(input);
  if (!m) throw new InvalidDecimalError(input, 'expected digits with an optional decimal point');
  const decimals = m[3]?.length ?? 0;
  if (options.maxDecimals !== undefined && decimals > options.maxDecimals) {
    throw new InvalidDecimalError(input, `more than ${options.maxDecimals} decimals`);
  }
  if (options.nonNegative && m[1] === '-' && !/^0*(\.0*)?$/.test(input.slice(1))) {
    throw new InvalidDecimalError(input, 'must not be negative');
  }
}

/** Parses a money amount: at most 2 decimals. */
export function parseMoney(input: string, options: { nonNegative?: boolean } = {}): Decimal {
  return parseDecimal(input, { maxDecimals: 2, ...options });
}

export function isDecimalString(input: unknown, options: ParseDecimalOptions = {}): input is string {
  try {
    checkDecimalString(input as string, options);
    return true;
  } catch {
    return false;
  }
}

/** Rounds half-up (ties away from zero) to 2 decimals. */
export function roundMoney(d: Decimal | string): Decimal {
  return new Decimal(d).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** A money amount as a string with exactly 2 decimals (rounds half-up first). */
export function formatMoney(d: Decimal | string): string {
  return roundMoney(d).toFixed(2);
}

/** A decimal in plain notation with no trailing zeros ("1465", "12.5"). */
export function formatDecimal(d: Decimal | string): string {
  const v = new Decimal(d);
  return v.isZero() ? '0' : v.toFixed();
}

/** The rate of `currency` in MXN per unit; throws ExchangeRateError when missing or ≤ 0. */
export function rateOf(currency: Currency, rates: ExchangeRates): Decimal {
  const raw = rates[currency];
  if (raw === undefined || raw === null) {
    if (currency === BASE_CURRENCY) return new Decimal(1);
    throw new ExchangeRateError(currency, 'missing');
  }
  let r: Decimal;
  try {
    r = parseDecimal(String(raw));
  } catch {
    throw new ExchangeRateError(currency, 'invalid');
  }
  if (r.lte(0)) throw new ExchangeRateError(currency, 'not-positive');
  return r;
}

/**
 * Converts `amount` from one currency to another in full precision (no rounding):
 * amount × rate(from) / rate(to), rates in MXN per unit.
 */
export function convert(amount: Decimal | string, from: Currency, to: Currency, rates: ExchangeRates): Decimal {
  const a = new Decimal(amount);
  if (from === to) return a;
  return a.times(rateOf(from, rates)).div(rateOf(to, rates));
}

/**
 * Converting whole cents at a rate, rounded half-up to the cent, in integer arithmetic: "17.25" is
 * 1725 / 100, so cents × 1725 / 100 rounded — in doubles while that stays below 2^53, else BigInt.
 * What PostgreSQL's round(vn * rate, 2) gives for a non-negative amount. null for a rate that is not
 * a plain non-negative decimal (the SQL reads only those).
 */
export function centsConverter(rate: string): ((cents: number) => number) | null {
  if (!/^\d+(\.\d+)?$/.test(rate)) return null;
  const [int, frac = ''] = rate.split('.');
  const p = 10 ** frac.length;
  const r = Number(int! + frac);
  const bigR = BigInt(int! + frac);
  const bigP = BigInt(p);
  return (cents) => {
    const x = cents * r;
    if (p === 1 && Number.isSafeInteger(x)) return x;
    if (Number.isSafeInteger(x) && Number.isSafeInteger(x + p)) {
      const y = x + p / 2;
      return (y - (y % p)) / p;
    }
    return Number((BigInt(cents) * bigR + bigP / 2n) / bigP);
  };
}
