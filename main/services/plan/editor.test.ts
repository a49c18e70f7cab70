import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { diffPlanFigures } from '../../domain/plan-diff';
import { PLAN_V1 } from '../../domain/plan';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

describe('plan version diff (pure)', () => {
  it('names each changed figure by its path', () => {
    const next = structuredClone(PLAN_V1);
    next.ranks[1]!.pvg = '1500';
    expect(diffPlanFigures(PLAN_V1, next)).toEqual([
      { path: `ranks[rank=${PLAN_V1.ranks[1]!.rank}].pvg`, kind: 'changed', before: PLAN_V1.ranks[1]!.pvg, after: '1500' },
    ]);
    expect(diffPlanFigures(PLAN_V1, structuredClone(PLAN_V1))).toEqual([]);
  });
});

describe('plan drafts: edit every figure, publish, compare', () => {
  async function newDraft(period: string) {
    const cur = await t.must('plan.current', {}, t.tokens.admin);
    const d = await t.must('plan.createDraft', { name: `Plan ${period}`, effectiveFromPeriod: period }, t.tokens.admin);
    return { cur, d };
  }

  it('refuses a draft missing a level rate, with a negative rate or thresholds not increasing; nothing changes', async () => {
    const { d } = await newDraft('2099-01');
    const figures = d.figures as typeof PLAN_V1;
    const missingLevel = structuredClone(figures) as any;
    missingLevel.uninivel.levels.pop();
    const negative = structuredClone(figures) as any;
    negative.directo.rate = '-0.25';
    const notIncreasing = structuredClone(figures) as any;
    notIncreasing.ranks[3].pvg = '1000';
    for (const bad of [missingLevel, negative, notIncreasing]) {
      const r = await t.call('plan.updateDraft', { id: d.id, figures: bad, reason: 'prueba' }, t.tokens.admin);
      expect(!r.ok && r.error.code).toBe('VALIDATION');
      expect(!r.ok && (r.error.details as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
    }
    const after = await t.must('plan.diff', { fromId: d.id, toId: d.id }, t.tokens.admin);
    expect(after.changes).toEqual([]);
  });

  it('edits a draft, publishes it and shows the diff against the version in force', async () => {
    const { cur, d } = await newDraft('2099-02');
    const figures = structuredClone(d.figures) as typeof PLAN_V1;
    figures.directo.rate = '0.26';
    const edited = await t.must('plan.updateDraft', { id: d.id, figures, reason: 'Bono Directo al 26 %' }, t.tokens.admin);
    expect((edited.figures as typeof PLAN_V1).directo.rate).toBe('0.26');
    await t.must('plan.publish', { id: d.id, reason: 'aprobado por dirección' }, t.tokens.admin);
    const again = await t.call('plan.updateDraft', { id: d.id, figures, reason: 'otra vez' }, t.tokens.admin);
    expect(!again.ok && again.error.code).toBe('CONFLICT');
    const diff = await t.must('plan.diff', { fromId: cur.version.id, toId: d.id }, t.tokens.finance);
    expect(diff.changes).toEqual([{ path: 'directo.rate', kind: 'changed', before: '0.25', after: '0.26' }]);
    const audit = await t.must('audit.list', { action: 'plan.updateDraft' }, t.tokens.admin);
    expect(audit.rows[0]!.reason).toBe('Bono Directo al 26 %');
  });

  it('support may not edit or compare plans', async () => {
    const r = await t.call('plan.diff', { fromId: 1, toId: 1 }, t.tokens.support);
    expect(!r.ok && r.error.code).toBe('FORBIDDEN');
  });
});
