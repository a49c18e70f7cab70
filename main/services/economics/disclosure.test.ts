/**
 * The income disclosure report over a hand-made network: ranks and lines written straight into two
 * closed periods, every figure below computed by hand (type-7 percentiles, see percentile.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { insertMembers, insertPeriods } from '../../../test/network';
import { SMALL_NETWORK } from '../../../test/small-network';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: () => new Date('2026-11-20T18:00:00Z') });
  await insertMembers(t.database.sql, [...SMALL_NETWORK, { id: 10, sponsorId: 6, firstName: 'Julia', lastName: 'Mora', country: 'CO' }]);
  const periods = await insertPeriods(t.database.sql, ['2026-09', '2026-10', '2026-11']);
  const p09 = periods.get('2026-09')!;
  const p10 = periods.get('2026-10')!;
  // Paid-as ranks (member_volumes): the highest in the range counts.
  const ranks: [number, number, number][] = [
    [p09, 2, 1],
    [p10, 2, 1],
    [p09, 4, 1],
    [p09, 5, 2],
    [p10, 5, 1],
    [p10, 6, 2],
    [p09, 7, 1],
    [p10, 8, 1],
  ];
  for (const [period, member, rank] of ranks) {
    await t.database.sql`insert into member_volumes (period_id, member_id, pv, vn, pvg, paid_as_rank) values (${period}, ${member}, 1465, 0, 1465, ${rank})`;
  }
  // Lines: [period, beneficiary, kind, amount, currency, fx_to].
  const lines: [number, number, 'line' | 'clawback', string, string, string][] = [
    [p09, 2, 'line', '60.00', 'MXN', '1'],
    [p10, 2, 'line', '40.00', 'MXN', '1'],
    [p09, 5, 'line', '10.00', 'USD', '17.5'],
    [p10, 5, 'clawback', '-2.00', 'USD', '17.5'],
    [p09, 8, 'line', '300.00', 'MXN', '1'],
    [p09, 6, 'line', '400.00', 'MXN', '1'],
    [p10, 6, 'line', '600.00', 'MXN', '1'],
    [p09, 3, 'line', '50.00', 'MXN', '1'],
    [p10, 9, 'clawback', '-20.00', 'MXN', '1'],
    [p10, 10, 'line', '10000.00', 'COP', '0.0045'],
  ];
  let source = 1000;
  for (const [period, member, kind, amount, currency, fx] of lines) {
    await t.database
      .sql`insert into commission_lines (period_id, type, kind, beneficiary_id, source_kind, source_id, level, base, base_currency, amount, currency, fx_from, fx_to)
      values (${period}, 'directo', ${kind}, ${member}, 'order', ${source++}, 1, 100, 'MXN', ${amount}, ${currency}, 1, ${fx})`;
  }
  // A voided line never counts.
  await t.database
    .sql`insert into commission_lines (period_id, type, beneficiary_id, source_kind, source_id, level, base, base_currency, amount, currency, fx_from, fx_to, status)
    values (${p10}, 'directo', 8, 'order', 1, 1, 100, 'MXN', 999, 'MXN', 1, 1, 'voided')`;
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe('reports.disclosure', () => {
  it('per highest paid-as rank: members, shares, mean, median, 10th/90th percentile and highest, by hand', async () => {
    const r = await t.must('reports.disclosure', { from: '2026-09', to: '2026-10' }, t.tokens.finance);
    expect(r.periods).toEqual(['2026-09', '2026-10']);
    expect([r.members, r.earners, r.nonEarners, r.totalMxn, r.meanMxn]).toEqual([10, 6, 4, '1615.00', '161.50']);
    const byRank = Object.fromEntries(r.rows.map((x) => [x.rank, x]));
    // Rank 0: members 1 (no row: nothing), 3 (50), 9 (−20, a clawback), 10 (10,000 COP = 45): −20, 0, 45, 50.
    expect(byRank[0]).toEqual({
      rank: 0,
      members: 4,
      shareOfMembers: '0.400000',
      earners: 2,
      shareEarning: '0.500000',
      nonEarners: 2,
      totalMxn: '75.00',
      meanMxn: '18.75',
      medianMxn: '22.50',
      p10Mxn: '-14.00',
      p90Mxn: '48.50',
      highestMxn: '50.00',
    });
    // Rank 1: members 2 (100), 4 (0), 7 (0), 8 (300): 0, 0, 100, 300.
    expect(byRank[1]).toEqual({
      rank: 1,
      members: 4,
      shareOfMembers: '0.400000',
      earners: 2,
      shareEarning: '0.500000',
      nonEarners: 2,
      totalMxn: '400.00',
      meanMxn: '100.00',
      medianMxn: '50.00',
      p10Mxn: '0.00',
      p90Mxn: '240.00',
      highestMxn: '300.00',
    });
    // Rank 2: members 5 (175 − 35 = 140; rank 2 in September, 1 in October) and 6 (1,000).
    expect(byRank[2]).toEqual({
      rank: 2,
      members: 2,
      shareOfMembers: '0.200000',
      earners: 2,
      shareEarning: '1.000000',
      nonEarners: 0,
      totalMxn: '1140.00',
      meanMxn: '570.00',
      medianMxn: '570.00',
      p10Mxn: '226.00',
      p90Mxn: '914.00',
      highestMxn: '1000.00',
    });
    expect(byRank[5]).toMatchObject({ members: 0, shareOfMembers: '0.000000', meanMxn: null, medianMxn: null, highestMxn: null });
    expect(r.builtPeriods).toBe(2);
    // Built once: the next report reads the kept rows.
    const again = await t.must('reports.disclosure', { from: '2026-09', to: '2026-10' }, t.tokens.admin);
    expect(again.builtPeriods).toBe(0);
    expect(again.rows).toEqual(r.rows);
  });

  it('one period, or a year: only its closed periods count', async () => {
    const oct = await t.must('reports.disclosure', { from: '2026-10', to: '2026-10' }, t.tokens.admin);
    expect(oct.rows.find((x) => x.rank === 2)).toMatchObject({ members: 1, totalMxn: '600.00' });
    const year = await t.must('reports.disclosure', { year: 2026 }, t.tokens.admin);
    expect(year.periods).toEqual(['2026-09', '2026-10']);
    expect(year.totalMxn).toBe('1615.00');
  });

  it('refuses a range without a closed period, longer than 24 periods, reversed, or both a year and a range; support may not read it', async () => {
    for (const input of [
      { from: '2026-11', to: '2026-11' },
      { from: '2024-01', to: '2026-01' },
      { from: '2026-10', to: '2026-09' },
      { year: 2026, from: '2026-01' },
      {},
    ]) {
      const r = await t.call('reports.disclosure', input, t.tokens.admin);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('VALIDATION');
    }
    const s = await t.call('reports.disclosure', { year: 2026 }, t.tokens.support);
    expect(!s.ok && s.error.code).toBe('FORBIDDEN');
  });
});
