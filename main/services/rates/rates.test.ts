import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { testApp, type TestApp } from '../../../test/app';
import { rateInForce, ratesInForce } from './rates';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await t.database.db.execute(sql`delete from exchange_rates`);
});
afterAll(async () => {
  await t.close();
});

describe('exchange rates', () => {
  it('refuses 0, negative, non-numeric and 7-decimal rates, changing nothing', async () => {
    for (const rateToMxn of ['0', '0.000000', '-18.5', 'abc', '18.1234567', '']) {
      const r = await t.call('rates.add', { currency: 'USD', rateToMxn, effectiveFrom: '2026-12-01T06:00:00Z' }, t.tokens.admin);
      expect(!r.ok && r.error.code, rateToMxn).toBe('VALIDATION');
    }
    const mxn = await t.call('rates.add', { currency: 'MXN', rateToMxn: '2', effectiveFrom: '2026-12-01T06:00:00Z' }, t.tokens.admin);
    expect(!mxn.ok && mxn.error.code).toBe('VALIDATION');
    expect(await t.must('rates.list', {}, t.tokens.admin)).toEqual([]);
  });

  it('keeps history and answers the rate in force at an instant', async () => {
    await t.must('rates.add', { currency: 'USD', rateToMxn: '18.50', effectiveFrom: '2026-01-01T06:00:00Z' }, t.tokens.admin);
    await t.must('rates.add', { currency: 'USD', rateToMxn: '19.123456', effectiveFrom: '2026-12-01T06:00:00Z' }, t.tokens.admin);
    expect(await rateInForce(t.database.db, 'USD', new Date('2026-11-30T12:00:00Z'))).toBe('18.500000');
    expect(await rateInForce(t.database.db, 'USD', new Date('2026-12-01T06:00:00Z'))).toBe('19.123456');
    expect(await rateInForce(t.database.db, 'USD', new Date('2025-12-31T00:00:00Z'))).toBeNull();
    const dup = await t.call('rates.add', { currency: 'USD', rateToMxn: '20', effectiveFrom: '2026-12-01T06:00:00Z' }, t.tokens.admin);
    expect(!dup.ok && dup.error.code).toBe('CONFLICT');
    const audit = await t.must('audit.list', { action: 'rates.add' }, t.tokens.admin);
    expect(audit.total).toBe(2);
  });

  it('refuses to compute with a currency that has no rate', async () => {
    await expect(ratesInForce(t.database.db, new Date('2026-11-15T00:00:00Z'))).rejects.toThrow(/COP, DOP/);
  });

  it('only admins add rates; everyone reads them', async () => {
    const r = await t.call('rates.add', { currency: 'COP', rateToMxn: '0.0046', effectiveFrom: '2026-01-01T06:00:00Z' }, t.tokens.finance);
    expect(!r.ok && r.error.code).toBe('FORBIDDEN');
    expect((await t.must('rates.list', {}, t.tokens.support)).length).toBe(2);
  });
});
