import { describe, expect, it } from 'vitest';
import { figuresFromTotals, payoutRatio, type PayoutFigures } from './payout';
import { percentile } from './percentile';

/**
 * A hand-made period: lines in MXN, USD (17.50) and COP (0.0045), two clawbacks of refunded orders
 * of a closed period (negative), and paid orders of three countries. Every figure computed by hand.
 */
const period: PayoutFigures = {
  commissions: [
    { type: 'directo', currency: 'MXN', amount: '250.00', amountMxn: '250.00', lines: 2 },
    { type: 'directo', currency: 'USD', amount: '10.00', amountMxn: '175.000000', lines: 1 },
    { type: 'uninivel', currency: 'MXN', amount: '100.50', amountMxn: '100.50', lines: 3 },
    { type: 'uninivel', currency: 'COP', amount: '20000.00', amountMxn: '90.00000000', lines: 1 },
    { type: 'rapido', currency: 'MXN', amount: '-83.50', amountMxn: '-83.50', lines: 1 },
    { type: 'uninivel', currency: 'USD', amount: '-1.25', amountMxn: '-21.8750000', lines: 1 },
  ],
  sales: [
    { country: 'MX', currency: 'MXN', vn: '1000.00', vnMxn: '1000.00', orders: 3 },
    { country: 'US', currency: 'USD', vn: '40.00', vnMxn: '700.00', orders: 1 },
    { country: 'CO', currency: 'COP', vn: '100000.00', vnMxn: '450.00', orders: 2 },
  ],
};

describe('payout ratio (hand-made period: lines, refunds, three currencies)', () => {
  const r = payoutRatio(period);
  it('overall: 510.125 MXN paid (clawbacks netted) ÷ 2,150 MXN of VN', () => {
    expect(r.commissionsMxn).toBe('510.13');
    expect(r.vnMxn).toBe('2150.00');
    expect(r.ratio).toBe('0.237267'); // 510.125 / 2150 = 0.2372674…
    expect([r.lines, r.orders]).toEqual([9, 6]);
  });
  it('per bonus, over all VN', () => {
    expect(r.byBonus).toEqual([
      { type: 'directo', commissionsMxn: '425.00', ratio: '0.197674', byCurrency: { MXN: '250.00', USD: '10.00' } },
      { type: 'rapido', commissionsMxn: '-83.50', ratio: '-0.038837', byCurrency: { MXN: '-83.50' } },
      { type: 'uninivel', commissionsMxn: '168.63', ratio: '0.078430', byCurrency: { MXN: '100.50', COP: '20000.00', USD: '-1.25' } },
    ]);
  });
  it("per country: its members' commissions ÷ its members' VN", () => {
    expect(r.byCountry).toEqual([
      { country: 'CO', currency: 'COP', commissionsMxn: '90.00', commissions: '20000.00', vnMxn: '450.00', ratio: '0.200000' },
      { country: 'MX', currency: 'MXN', commissionsMxn: '267.00', commissions: '267.00', vnMxn: '1000.00', ratio: '0.267000' },
      { country: 'US', currency: 'USD', commissionsMxn: '153.13', commissions: '8.75', vnMxn: '700.00', ratio: '0.218750' },
    ]);
  });
  it('no VN: no ratio', () => {
    expect(payoutRatio({ commissions: period.commissions, sales: [] }).ratio).toBeNull();
  });
  it("a preview's totals converted at the period's rates, plus the clawbacks posted", () => {
    const f = figuresFromTotals(
      { directo: { MXN: '250.00', USD: '10.00' }, uninivel: { COP: '20000.00', MXN: '100.50' } },
      { MXN: '1', USD: '17.50', COP: '0.0045' },
      [
        { type: 'rapido', currency: 'MXN', amount: '-83.50', amountMxn: '-83.50', lines: 1 },
        { type: 'uninivel', currency: 'USD', amount: '-1.25', amountMxn: '-21.875', lines: 1 },
      ],
      period.sales,
    );
    const p = payoutRatio(f);
    expect([p.commissionsMxn, p.ratio]).toEqual(['510.13', '0.237267']);
    expect(() => figuresFromTotals({ directo: { DOP: '1.00' } }, { MXN: '1' }, [], [])).toThrow(/DOP/);
  });
});

describe('percentiles (type 7: linear interpolation between closest ranks)', () => {
  it('by hand', () => {
    const xs = ['0', '0', '100', '300'];
    expect(percentile(xs, '0.5')).toBe('50.00'); // h = 1.5: 0 + 0.5 × 100
    expect(percentile(xs, '0.1')).toBe('0.00'); // h = 0.3
    expect(percentile(xs, '0.9')).toBe('240.00'); // h = 2.7: 100 + 0.7 × 200
    expect(percentile(['140', '1000'], '0.1')).toBe('226.00');
    expect(percentile(['5'], '0.9')).toBe('5.00');
    expect(percentile(['1.01', '1.02'], '0.5')).toBe('1.02'); // 1.015 half-up
    expect(percentile(['-20', '0', '45', '50'], '0.1')).toBe('-14.00');
  });
});
