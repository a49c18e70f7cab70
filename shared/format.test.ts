import { describe, expect, it } from 'vitest';
import { formatPoints, formatRate } from './format';

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
