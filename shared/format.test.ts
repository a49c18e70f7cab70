import { describe, expect, it } from 'vitest';
import { amountProblem, formatPeriodLastDay, formatPoints, formatRate, periodProgress } from './format';

describe('formatRate: a stored fraction as a percentage, exactly', () => {
  it.each([
    ['0.1', '10 %', '10%'],
    ['0.100000', '10 %', '10%'],
    ['0.035', '3.5 %', '3.5%'],
    ['0.005', '0.5 %', '0.5%'],
    ['1', '100 %', '100%'],
    ['0', '0 %', '0%'],
    ['0.123456', '12.3456 %', '12.3456%'],
    ['-0.05', '-5 %', '-5%'],
  ])('%s → %s / %s', (rate, es, en) => {
    expect(formatRate(rate, 'es-MX')).toBe(es);
    expect(formatRate(rate, 'en')).toBe(en);
  });
  it('no rate → a dash', () => {
    expect(formatRate(null)).toBe('—');
  });
  it('points are grouped', () => {
    expect(formatPoints('1229.00')).toBe('1,229');
  });
});

describe('amountProblem: why a typed amount is refused (issue 20)', () => {
  it('names each case; a good amount has none', () => {
    expect(amountProblem('-100')).toBe('negative');
    expect(amountProblem('0')).toBe('zero');
    expect(amountProblem('0.00')).toBe('zero');
    expect(amountProblem('0', { allowZero: true })).toBeNull();
    expect(amountProblem('abc')).toBe('format');
    expect(amountProblem('12,5')).toBe('comma');
    expect(amountProblem('1,500.00')).toBe('format');
    expect(amountProblem('12.555')).toBe('format');
    expect(amountProblem('  ')).toBe('empty');
    for (const ok of ['1500', '12.5', '12.50', '0.01']) expect(amountProblem(ok), ok).toBeNull();
  });
});

describe('formatPeriodLastDay', () => {
  it('shows the last day inside the period, in Mexico-Central time', () => {
    // December 2026 is [2026-12-01T06:00Z, 2027-01-01T06:00Z).
    expect(formatPeriodLastDay('2027-01-01T06:00:00.000Z')).toBe('31/12/2026');
    expect(formatPeriodLastDay('2027-01-01T06:00:00.000Z', 'en')).toBe('12/31/2026');
    expect(formatPeriodLastDay(null)).toBe('—');
  });
});

describe('periodProgress', () => {
  it('says which day of a running period it is, and nothing once the month is over', () => {
    const dec = ['2026-12-01T06:00:00.000Z', '2027-01-01T06:00:00.000Z'] as const;
    expect(periodProgress(dec[0], dec[1], Date.parse('2026-12-05T08:00:00Z'))).toEqual({ day: 5, days: 31 });
    expect(periodProgress(dec[0], dec[1], Date.parse('2027-01-01T06:00:00Z'))).toBeNull();
    expect(periodProgress(dec[0], dec[1], Date.parse('2026-11-30T06:00:00Z'))).toBeNull();
  });
});
