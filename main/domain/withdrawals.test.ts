import { describe, expect, it } from 'vitest';
import { PLAN_V1 } from './plan';
import { assessRisk, canMove, flagsOfMask, quoteWithdrawal, RISK_BIT } from './withdrawals';

describe('withdrawal quote (plan figures)', () => {
  it('fee 2% rounded half-up to the cent, at least the minimum fee, taken from the amount', () => {
    const q = (c: 'MXN' | 'USD' | 'COP' | 'DOP', a: string) => quoteWithdrawal(PLAN_V1, c, a);
    expect(q('MXN', '500')).toEqual({ ok: true, quote: expect.objectContaining({ amount: '500.00', fee: '20.00', net: '480.00' }) });
    expect(q('MXN', '1000.25')).toEqual({ ok: true, quote: expect.objectContaining({ fee: '20.01', net: '980.24' }) }); // 20.005 → 20.01
    expect(q('MXN', '1000.24')).toEqual({ ok: true, quote: expect.objectContaining({ fee: '20.00' }) }); // 20.0048 → 20.00
    expect(q('USD', '25')).toEqual({ ok: true, quote: expect.objectContaining({ fee: '1.00', net: '24.00' }) });
    expect(q('USD', '100.75')).toEqual({ ok: true, quote: expect.objectContaining({ fee: '2.02' }) }); // 2.015 → 2.02
    expect(q('COP', '100000')).toEqual({ ok: true, quote: expect.objectContaining({ fee: '4000.00' }) });
    expect(q('DOP', '1500')).toEqual({ ok: true, quote: expect.objectContaining({ fee: '60.00' }) });
    expect(q('MXN', '499.99')).toEqual({ ok: false, problem: { code: 'below_minimum', minimum: '500.00' } });
    expect(q('COP', '99999.99')).toEqual({ ok: false, problem: { code: 'below_minimum', minimum: '100000.00' } });
  });

  it('state machine', () => {
    expect(canMove('pending', 'approved')).toBe(true);
    expect(canMove('pending', 'paid')).toBe(false);
    expect(canMove('approved', 'rejected')).toBe(false);
    expect(canMove('processing', 'failed')).toBe(true);
    expect(canMove('paid', 'failed')).toBe(false);
  });
});

describe('risk flags', () => {
  const at = new Date('2026-06-15T12:00:00Z');
  const base = {
    at,
    amount: '1000.00',
    requestsInWindow: 1,
    payoutDestinationChangedAt: null,
    enrolledAt: new Date('2024-01-01T00:00:00Z'),
    commissionByPeriod: Array.from({ length: 6 }, (_, i) => ({ period: `2026-0${i + 1}`, amount: '500.00' })),
  };
  it('nothing to flag', () => expect(assessRisk(base)).toEqual({ mask: 0, flags: [], details: {} }));
  it('each flag and its bit', () => {
    expect(assessRisk({ ...base, requestsInWindow: 4 }).flags).toEqual(['frequent']);
    expect(assessRisk({ ...base, requestsInWindow: 3 }).flags).toEqual([]);
    expect(assessRisk({ ...base, amount: '1500.01' }).flags).toEqual(['large']);
    expect(assessRisk({ ...base, amount: '1500.00' }).flags).toEqual([]);
    expect(assessRisk({ ...base, commissionByPeriod: [] }).flags).toEqual(['no_history']);
    expect(assessRisk({ ...base, payoutDestinationChangedAt: new Date(at.getTime() - 71 * 3600_000) }).flags).toEqual(['destination_changed']);
    expect(assessRisk({ ...base, payoutDestinationChangedAt: new Date(at.getTime() - 72 * 3600_000) }).flags).toEqual([]);
    expect(assessRisk({ ...base, enrolledAt: new Date(at.getTime() - 29 * 86_400_000) }).flags).toEqual(['new_member']);
    const all = assessRisk({ ...base, requestsInWindow: 9, amount: '99999', payoutDestinationChangedAt: at, enrolledAt: at });
    expect(all.mask).toBe(RISK_BIT.frequent | RISK_BIT.large | RISK_BIT.destination_changed | RISK_BIT.new_member);
    expect(flagsOfMask(all.mask)).toEqual(all.flags);
  });
  it('fewer than 2 periods with commission: "no history" with its figures, never a $0.00 threshold', () => {
    const six = (amounts: string[]) => amounts.map((amount, i) => ({ period: `2026-0${i + 1}`, amount }));
    const none = assessRisk({ ...base, amount: '1.00', commissionByPeriod: six(['0.00', '0.00', '0.00', '0.00', '0.00', '0.00']) });
    expect(none.flags).toEqual(['no_history']);
    expect(none.details.no_history).toEqual({ periodsWithCommission: 0, periods: 6, required: 2, total: '0.00', amount: '1.00' });
    expect(none.details.large).toBeUndefined();
    const one = assessRisk({ ...base, amount: '10.00', commissionByPeriod: six(['0.00', '0.00', '700.50', '0.00', '0.00', '0.00']) });
    expect(one.flags).toEqual(['no_history']);
    expect(one.details.no_history).toMatchObject({ periodsWithCommission: 1, total: '700.50' });
    // Two periods with commission: the average rule applies again (over the six periods).
    const two = six(['0.00', '0.00', '600.00', '0.00', '600.00', '0.00']);
    expect(assessRisk({ ...base, amount: '600.00', commissionByPeriod: two }).flags).toEqual([]);
    const large = assessRisk({ ...base, amount: '600.01', commissionByPeriod: two });
    expect(large.flags).toEqual(['large']);
    expect(large.details.large).toEqual({ average: '200.00', threshold: '600.00', periods: 6, multiplier: '3', amount: '600.01' });
    const all = assessRisk({ ...base, requestsInWindow: 9, amount: '99999', payoutDestinationChangedAt: at, enrolledAt: at, commissionByPeriod: [] });
    expect(all.mask).toBe(RISK_BIT.frequent | RISK_BIT.no_history | RISK_BIT.destination_changed | RISK_BIT.new_member);
    expect(flagsOfMask(all.mask)).toEqual(all.flags);
  });
});
