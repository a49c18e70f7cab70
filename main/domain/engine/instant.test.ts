import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CURRENCY_OF_COUNTRY } from '../money';
import { PLAN_V1 } from '../plan';
import { caseToEngineInput, parseEngineCase } from './case-format';
import { computePeriod } from './engine';
import { instantLines, type UplineMember } from './instant';

const DIR = fileURLToPath(new URL('../../../test/fixtures/engine-cases/', import.meta.url));

describe('instant lines of one order', () => {
  it('hand figures: directo converted, rapido three levels', () => {
    const up: UplineMember[] = [
      { id: 'S', currency: 'USD' },
      { id: 'T', currency: 'MXN' },
      { id: 'U', currency: 'COP' },
      { id: 'V', currency: 'MXN' },
    ];
    const rates = { MXN: '1', USD: '18.50', COP: '0.0046' };
    expect(instantLines({ id: 'O', kind: 'product', vn: '1000.00', currency: 'MXN' }, up, PLAN_V1, rates).map((l) => `${l.beneficiary} ${l.amount}`)).toEqual([
      'S 13.51',
    ]);
    expect(
      instantLines({ id: 'K', kind: 'kit', sku: 'FULL-SUPPLEMENT', vn: '0', currency: 'MXN' }, up, PLAN_V1, rates).map(
        (l) => `${l.beneficiary} L${l.level} ${l.amount} ${l.currency}`,
      ),
    ).toEqual(['S L1 27.08 USD', 'T L2 167.00 MXN', 'U L3 18152.17 COP']);
  });
  it("equals the period engine's directo and rapido lines on an engine case", () => {
    const input = caseToEngineInput(parseEngineCase(JSON.parse(readFileSync(`${DIR}random-101-00.json`, 'utf8'))));
    const out = computePeriod(input);
    const byId = new Map(input.members.map((m) => [m.id, m]));
    const upline = (id: string): UplineMember[] => {
      const line: UplineMember[] = [];
      for (let s = byId.get(id)!.sponsorId; s !== null && line.length < 3; s = byId.get(s)!.sponsorId) {
        line.push({ id: s, currency: CURRENCY_OF_COUNTRY[byId.get(s)!.country] });
      }
      return line;
    };
    const ids = new Set(out.lines.filter((l) => l.type === 'directo' || l.type === 'rapido').map((l) => l.source));
    const fromEngine = out.lines.filter((l) => l.type === 'directo' || l.type === 'rapido');
    const fromInstant = input.orders.filter((o) => ids.has(o.id)).flatMap((o) => instantLines(o, upline(o.member), input.plan, input.rates));
    const key = (l: { type: string; beneficiary: string; source: string; level: number }) => `${l.type}|${l.beneficiary}|${l.source}|${l.level}`;
    const sort = <T extends { type: string; beneficiary: string; source: string; level: number }>(a: T[]) => [...a].sort((x, y) => (key(x) < key(y) ? -1 : 1));
    expect(fromInstant.length).toBeGreaterThan(1000);
    expect(sort(fromInstant)).toEqual(sort(fromEngine));
  });
});
