import { describe, expect, it } from 'vitest';
import { checkPlan, PLAN_V1, PlanValidationError, rankName, validatePlan, type PlanFigures } from './plan';

const clone = (): PlanFigures => structuredClone(PLAN_V1) as PlanFigures;

function issuesOf(p: unknown): string[] {
  const r = checkPlan(p);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('PLAN_V1', () => {
  it('is complete and consistent', () => {
    expect(validatePlan(PLAN_V1)).toEqual(PLAN_V1);
  });
  it("holds the figures of the plan's first version", () => {
    expect(PLAN_V1.ranks.map((r) => r.pvg)).toEqual(['1465', '21000', '58000', '120000', '300000', '650000', '1300000', '2900000']);
    expect(PLAN_V1.uninivel.levels.map((l) => l.rate)).toEqual(['0.05', '0.08', '0.10', '0.10', '0.05', '0.04', '0.04', '0.03', '0.03']);
    expect(PLAN_V1.uninivel.infinite.map((x) => [x.rank, x.rate])).toEqual([
      [5, '0.005'],
      [6, '0.01'],
      [7, '0.015'],
      [8, '0.02'],
    ]);
    expect(PLAN_V1.kits.map((k) => [k.sku, k.pv])).toEqual([
      ['FULL-SUPPLEMENT', '1670'],
      ['FULL-SKIN', '2180'],
      ['FULL-PROTECT', '4860'],
    ]);
    expect(PLAN_V1.alcance.find((a) => a.rank === 8)?.amounts).toEqual({ MXN: '40000', USD: '2222', COP: '8800000' });
    expect(PLAN_V1.withdrawals.byCurrency.find((w) => w.currency === 'DOP')).toEqual({ currency: 'DOP', minimum: '1500', minimumFee: '60' });
  });
  it('names ranks in es-MX', () => {
    expect(rankName(0)).toBe('Sin rango');
    expect(rankName(5)).toBe('Embajador Transformador');
    expect(rankName(8)).toBe('Embajador Solidario');
  });
});

describe('validatePlan refuses incomplete or inconsistent plans', () => {
  it('a missing uninivel level', () => {
    const p = clone();
    p.uninivel.levels = p.uninivel.levels.filter((l) => l.level !== 4);
    expect(issuesOf(p)).toContain('uninivel.levels: level 4 is missing (levels must be 1..8)');
  });
  it('a negative rate', () => {
    const p = clone();
    p.uninivel.levels[2]!.rate = '-0.10';
    expect(issuesOf(p)).toContain('uninivel.levels.2.rate: rate must be a non-negative decimal string');
  });
  it('a rate above 100 %', () => {
    const p = clone();
    p.directo.rate = '1.5';
    expect(issuesOf(p)).toContain('directo.rate: rate must be between 0 and 1');
  });
  it('PVG thresholds that do not increase', () => {
    const p = clone();
    p.ranks[3]!.pvg = '58000';
    expect(issuesOf(p)).toContain("ranks.3.pvg: PVG threshold of rank 4 (58000) must be greater than rank 3's (58000)");
  });
  it('a missing rank', () => {
    const p = clone();
    p.ranks = p.ranks.filter((r) => r.rank !== 6);
    expect(issuesOf(p)).toContain('ranks: rank 6 (Embajador Inspirador) is missing');
  });
  it('an amount with more than 2 decimals, a malformed number', () => {
    const p = clone();
    p.alcance[0]!.amounts.MXN = '1500.001';
    p.cashback.minPv = '2,930';
    const issues = issuesOf(p);
    expect(issues).toContain('alcance.0.amounts.MXN: amount must be a non-negative decimal string with at most 2 decimals');
    expect(issues).toContain('cashback.minPv: points must be a non-negative decimal string with at most 2 decimals');
  });
  it('travel points for an unknown kit, a currency without withdrawal figures', () => {
    const p = clone();
    p.travel.kitPoints[0]!.sku = 'FULL-NOTHING';
    p.withdrawals.byCurrency = p.withdrawals.byCurrency.filter((w) => w.currency !== 'COP');
    const issues = issuesOf(p);
    expect(issues).toContain('travel.kitPoints.0.sku: unknown kit SKU FULL-NOTHING');
    expect(issues).toContain('withdrawals.byCurrency: withdrawal minimum and fee for COP are missing');
  });
  it('Unilevel Infinito for a rank that does not open every level', () => {
    const p = clone();
    p.uninivel.infinite.push({ rank: 4, rate: '0.001' });
    expect(issuesOf(p)).toContain('uninivel.infinite.4.rank: rank 4 earns Unilevel Infinito but does not open all 9 uninivel levels');
  });
  it('unknown fields and missing sections', () => {
    const p = clone() as unknown as Record<string, unknown>;
    delete p.matching;
    p.bonus = 1;
    const issues = issuesOf(p);
    expect(issues.some((i) => i.startsWith('matching:'))).toBe(true);
    expect(issues.some((i) => /bonus/.test(i))).toBe(true);
  });
  it('throws a PlanValidationError listing the problems', () => {
    const p = clone();
    p.ranks[1]!.pv = '1000';
    try {
      validatePlan(p);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PlanValidationError);
      expect((e as PlanValidationError).issues[0]?.path).toBe('ranks.1.pv');
      expect((e as Error).message).toMatch(/PV threshold of rank 2 \(1000\) must not be lower than rank 1's \(1465\)/);
    }
  });
});
