import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { PLAN_V1 } from '../../domain/plan';
import { loadSmallNetwork, volumesOf } from '../../../test/small-network';
import { waitForRun } from '../periods/close';
import { ensureInitialPlan, INITIAL_PLAN_PERIOD } from './initial';

let t: TestApp;
let periods: Map<string, number>;
beforeAll(async () => {
  t = await testApp({ now: () => new Date('2026-11-20T18:00:00Z') });
  ({ periods } = await loadSmallNetwork(t.database.sql));
});
afterAll(async () => {
  await t.close();
});

describe('the plan as versioned data', () => {
  it("PLAN_V1 is the first published version, with the plan's exchange rates; ensuring it again adds nothing", async () => {
    expect(await ensureInitialPlan(t.database.db)).toEqual({ planInserted: false, ratesInserted: false });
    const c = await t.must('plan.current', {}, t.tokens.support);
    expect(c.periodKey).toBe('2026-11');
    expect(c.version).toMatchObject({ status: 'published', effectiveFromPeriod: INITIAL_PLAN_PERIOD });
    expect(c.version.ranks).toEqual(PLAN_V1.ranks);
    const rates = await t.database.sql<{ currency: string; rate: string }[]>`select currency, rate_to_mxn::text as rate from exchange_rates order by currency`;
    expect(rates.map((r) => [r.currency, r.rate])).toEqual([
      ['COP', '0.004600'],
      ['DOP', '0.310000'],
      ['MXN', '1.000000'],
      ['USD', '18.500000'],
    ]);
  });

  it('an admin edits the rank thresholds of a draft; inconsistent or malformed figures are refused', async () => {
    const draft = await t.must('plan.createDraft', { name: 'Plan 2026-11 (umbral de Visionario)', effectiveFromPeriod: '2026-11' }, t.tokens.admin);
    expect(draft.status).toBe('draft');
    const inconsistent = await t.call(
      'plan.updateDraftRanks',
      { id: draft.id, ranks: [{ rank: 2, pv: '1465', pvg: '1000' }], reason: 'prueba' },
      t.tokens.admin,
    );
    expect(!inconsistent.ok && inconsistent.error.code).toBe('VALIDATION');
    expect(!inconsistent.ok && JSON.stringify(inconsistent.error.details)).toContain('ranks.1.pvg');
    for (const pv of ['-1', 'mil', '1e3', '1.234']) {
      const r = await t.call('plan.updateDraftRanks', { id: draft.id, ranks: [{ rank: 1, pv, pvg: '1465' }], reason: 'prueba' }, t.tokens.admin);
      expect(!r.ok && r.error.code, pv).toBe('VALIDATION');
    }
    const finance = await t.call('plan.updateDraftRanks', { id: draft.id, ranks: [{ rank: 1, pv: '200', pvg: '200' }], reason: 'prueba' }, t.tokens.finance);
    expect(!finance.ok && finance.error.code).toBe('FORBIDDEN');
    const edited = await t.must(
      'plan.updateDraftRanks',
      { id: draft.id, ranks: [{ rank: 1, pv: '200', pvg: '200' }], reason: 'Campaña de arranque' },
      t.tokens.admin,
    );
    expect(edited.ranks[0]).toEqual({ rank: 1, pv: '200', pvg: '200', uninivelDepth: 3 });
    const audit = await t.database.sql`select before, after, reason from audit_log where action = 'plan.updateDraftRanks'`;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.reason).toBe('Campaña de arranque');
  });

  it('publishing puts the figures in force: the recomputation ranks with them; a published version is never edited', async () => {
    const [draft] = await t.database.sql<{ id: number }[]>`select id from plan_versions where status = 'draft'`;
    const published = await t.must('plan.publish', { id: draft!.id, reason: 'Aprobado por dirección' }, t.tokens.admin);
    expect(published).toMatchObject({ status: 'published', publishedBy: 'admin' });
    expect((await t.must('plan.current', { periodKey: '2026-11' }, t.tokens.admin)).version.id).toBe(draft!.id);
    expect((await t.must('plan.current', { periodKey: '2026-10' }, t.tokens.admin)).version.effectiveFromPeriod).toBe(INITIAL_PLAN_PERIOD);
    const run = await t.must('periods.recompute', { key: '2026-11' }, t.tokens.admin);
    await waitForRun(run.id);
    // Member 5 (PV 200, PVG 200) is Visionario under the new thresholds.
    expect((await volumesOf(t.database.sql, periods.get('2026-11')!))[5]!.rank).toBe(1);
    const edit = await t.call('plan.updateDraftRanks', { id: draft!.id, ranks: [{ rank: 1, pv: '100', pvg: '100' }], reason: 'otra' }, t.tokens.admin);
    expect(!edit.ok && edit.error.code).toBe('CONFLICT');
    const again = await t.call('plan.publish', { id: draft!.id, reason: 'otra vez' }, t.tokens.admin);
    expect(!again.ok && again.error.code).toBe('CONFLICT');
    const list = await t.must('plan.versions', {}, t.tokens.finance);
    expect(list.map((v) => v.status)).toEqual(['published', 'published']);
  });

  it('a plan cannot take effect in a closed period', async () => {
    const r = await t.call('plan.createDraft', { name: 'Plan retroactivo', effectiveFromPeriod: '2026-10' }, t.tokens.admin);
    expect(!r.ok && r.error.code).toBe('PERIOD_CLOSED');
  });
});
