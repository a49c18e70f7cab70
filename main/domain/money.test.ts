import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  centsConverter,
  convert,
  currencyOfCountry,
  Decimal,
  ExchangeRateError,
  formatDecimal,
  formatMoney,
  InvalidDecimalError,
  parseDecimal,
  parseMoney,
  roundMoney,
} from './money';

const RATES = { MXN: '1', USD: '18.50', COP: '0.0046', DOP: '0.31' };

describe('roundMoney', () => {
  it('rounds half-up to 2 decimals, ties away from zero', () => {
    expect(roundMoney('0.005').toFixed(2)).toBe('0.01');
    expect(roundMoney('0.004999999999').toFixed(2)).toBe('0.00');
    expect(roundMoney('2.675').toFixed(2)).toBe('2.68');
    expect(roundMoney('1.445').toFixed(2)).toBe('1.45');
    expect(roundMoney('-0.005').toFixed(2)).toBe('-0.01');
    expect(formatMoney('160054.347826086956521739')).toBe('160054.35');
  });
});

describe('parseDecimal', () => {
  it('accepts plain decimals', () => {
    expect(parseDecimal('0').toFixed()).toBe('0');
    expect(parseDecimal('1465').toFixed()).toBe('1465');
    expect(parseDecimal('0.0046').toFixed()).toBe('0.0046');
    expect(parseDecimal('-12.5').toFixed()).toBe('-12.5');
  });
  it.each(['', ' 1', '1 ', '+1', '1e5', 'NaN', 'Infinity', '1.', '.5', '1,5', '0x10', '--1'])('rejects %j', (s) => {
    expect(() => parseDecimal(s)).toThrow(InvalidDecimalError);
  });
  it('rejects over-precise money and negatives when asked', () => {
    expect(parseMoney('10.25').toFixed(2)).toBe('10.25');
    expect(() => parseMoney('10.255')).toThrow(/more than 2 decimals/);
    expect(() => parseMoney('-1', { nonNegative: true })).toThrow(/negative/);
  });
  it('never goes through a JS number (no binary rounding)', () => {
    expect(parseDecimal('0.1').plus('0.2').toFixed()).toBe('0.3');
    expect(parseDecimal('12345678901234567890.12').toFixed(2)).toBe('12345678901234567890.12');
  });
});

describe('currencies and conversion', () => {
  it('maps countries to currencies', () => {
    expect(currencyOfCountry('MX')).toBe('MXN');
    expect(currencyOfCountry('US')).toBe('USD');
    expect(currencyOfCountry('CO')).toBe('COP');
    expect(currencyOfCountry('DO')).toBe('DOP');
  });
  it('converts with rate(from) / rate(to) in full precision', () => {
    expect(convert('100', 'USD', 'MXN', RATES).toFixed()).toBe('1850');
    expect(convert('501', 'MXN', 'USD', RATES).toFixed(30)).toBe('27.081081081081081081081081081081');
    expect(convert('2375', 'DOP', 'COP', RATES).toFixed(6)).toBe('160054.347826');
    expect(convert('7', 'COP', 'COP', RATES).toFixed()).toBe('7');
  });
  it('refuses a missing or non-positive rate', () => {
    expect(() => convert('1', 'USD', 'MXN', { MXN: '1' })).toThrow(ExchangeRateError);
    expect(() => convert('1', 'USD', 'MXN', { USD: '0' })).toThrow(/must be > 0/);
    expect(() => convert('1', 'USD', 'MXN', { USD: '-2' })).toThrow(/must be > 0/);
  });
  it('formats decimals without trailing zeros or exponents', () => {
    expect(formatDecimal('12.50')).toBe('12.5');
    expect(formatDecimal(new Decimal('0.00000001'))).toBe('0.00000001');
    expect(formatDecimal('0.00')).toBe('0');
  });
});

describe('centsConverter', () => {
  it("is PostgreSQL's round(vn × rate, 2) on whole cents, past 2^53 too", () => {
    const rates = fc.oneof(
      fc.constantFrom('1', '18.50', '0.0046', '0.000213', '20', '17.123456789'),
      fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 9_999_999 })).map(([i, f]) => `${i}.${f}`),
    );
    fc.assert(
      fc.property(rates, fc.oneof(fc.integer({ min: 0, max: 100_000_000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), (rate, cents) => {
        const want = new Decimal(cents).div(100).times(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).times(100);
        // Results past 2^53 are not exact as doubles: the caller checks its sums are.
        if (want.lte(Number.MAX_SAFE_INTEGER)) expect(String(centsConverter(rate)!(cents))).toBe(want.toFixed(0));
      }),
      { numRuns: 3_000, seed: 9 },
    );
    expect(centsConverter('-1')).toBeNull();
    expect(centsConverter('1e3')).toBeNull();
  });
});
