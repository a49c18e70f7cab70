/**
 * Every engine case in test/fixtures/engine-cases/ through the case-format adapter, with BOTH the
 * fast engine and the reference calculator, compared with NAME.expected.json (exact strings;
 * lines compared as a set).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { referencePeriodEngine } from '../reference/reference';
import { caseToEngineInput, parseEngineCase, serializeCaseOutput, toCaseOutput, type CaseOutput } from './case-format';
import { computePeriod } from './engine';

const DIR = fileURLToPath(new URL('../../../test/fixtures/engine-cases/', import.meta.url));
const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

const key = (l: CaseOutput['lines'][number]) => `${l.type}|${l.beneficiary}|${l.source}|${l.level}`;
const sortedLines = (o: CaseOutput) => [...o.lines].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

describe('engine cases', () => {
  it('exist', () => {
    expect(names.length).toBeGreaterThan(0);
  });
  for (const name of names) {
    const input = caseToEngineInput(parseEngineCase(JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8'))));
    const expected = JSON.parse(readFileSync(`${DIR}${name}.expected.json`, 'utf8')) as CaseOutput;
    for (const [engineName, engine] of [
      ['fast engine', computePeriod],
      ['reference', referencePeriodEngine],
    ] as const) {
      it(`${name}: ${engineName}`, { timeout: 120_000 }, () => {
        const out = toCaseOutput(engine(input));
        expect(out.volumes).toEqual(expected.volumes);
        expect(out.programs).toEqual(expected.programs);
        expect(new Set(out.lines.map(key)).size).toBe(out.lines.length); // natural key unique
        expect(sortedLines(out)).toEqual(sortedLines(expected));
      });
    }
  }
});

describe('case format', () => {
  const base = {
    period: '2026-11',
    exchangeRates: { MXN: '1', USD: '18.50' },
    members: [
      { id: 'M1', sponsor: null, country: 'MX', enrolledAt: '2024-03-02T17:00:00Z', careerRank: 4, travelPoints: 12 },
      { id: 'M2', sponsor: 'M1', country: 'US', enrolledAt: '2024-03-02T17:00:00Z', careerRank: 0 },
    ],
    orders: [{ id: 'O1', member: 'M2', kind: 'product', pv: '293', vn: '16.00', currency: 'USD', paidAt: '2026-11-03T18:00:00Z' }],
  };
  it('fills the documented defaults (history, car, loyalty, travel, campaign)', () => {
    const c = parseEngineCase(base);
    expect(c.history).toEqual([]);
    expect(c.members[1]).toMatchObject({ carDownPaymentPaid: false, loyaltyPoints: 0, travelPoints: '0' });
    expect(c.members[0]!.travelPoints).toBe('12');
    expect(caseToEngineInput(c).travelCampaign).toBeNull();
  });
  it('prints exactly the documented output shape', () => {
    const out = JSON.parse(serializeCaseOutput(computePeriod(caseToEngineInput(parseEngineCase(base)))));
    expect(Object.keys(out)).toEqual(['volumes', 'lines', 'programs']);
    expect(out.volumes[1]).toEqual({ member: 'M2', pv: '293', vn: '16.00', pvg: '293', paidAsRank: 0, careerRank: 0 });
    expect(out.lines).toEqual([{ type: 'directo', beneficiary: 'M1', source: 'O1', level: 1, amount: '74.00', currency: 'MXN' }]);
    expect(out.programs[0]).toEqual({ member: 'M1', cashback: false, loyaltyPoints: 0, loyaltyGift: false, travelPoints: '12' });
  });
  it('rejects malformed cases with a path', () => {
    expect(() => parseEngineCase({ ...base, period: '2026-13' })).toThrow(/period/);
    expect(() => parseEngineCase({ ...base, members: [{ ...base.members[0], country: 'XX' }] })).toThrow(/country/);
    expect(() => parseEngineCase({ ...base, orders: [{ ...base.orders[0], paidAt: '2026-11-03 18:00' }] })).toThrow(/paidAt/);
    expect(() => parseEngineCase({ ...base, exchangeRates: { USD: '1e3' } })).toThrow(/exchange rate/);
  });
});
