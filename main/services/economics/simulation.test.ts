/**
 * A draft plan tried on a real period: with the plan in force it reproduces the real close of the
 * period line for line; with changed figures it shows the differences; it writes no line and
 * touches no wallet; one at a time per admin; an inconsistent draft is refused with its paths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { insertMembers, insertPeriods } from '../../../test/network';
import { SMALL_NETWORK, SMALL_ORDERS, insertOrders } from '../../../test/small-network';
import { waitForRun } from '../periods/close';
import { periodByKey } from '../periods/lookup';
import { LINE_TYPE_BY_CODE } from '../../domain/engine';
import { Decimal } from '../../domain/money';
import { computeSimulation, salesOfLoaded } from './simulation';
import { salesFigures } from './payout';
import { periodRates } from '../commissions/run';
import { versionInForce } from '../plan/versions';

let t: TestApp;
let draftId: number;
const now = new Date('2026-12-02T18:00:00Z');

async function waitSimulation(id: number) {
  for (let i = 0; i < 300; i++) {
    const s = await t.must('plan.simulation', { id }, t.tokens.finance);
    if (s.status !== 'queued' && s.status !== 'running') return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('simulation did not end');
}
const counts = async () =>
  (
    await t.database.sql<{ lines: number; entries: number; programs: number }[]>`
  select (select count(*)::int from commission_lines) as lines, (select count(*)::int from ledger_entries) as entries, (select count(*)::int from member_programs) as programs`
  )[0]!;

beforeAll(async () => {
  t = await testApp({ now: () => now });
  await insertMembers(t.database.sql, [
    ...SMALL_NETWORK,
    { id: 10, sponsorId: 6, firstName: 'Julia', lastName: 'Mora', country: 'CO' },
    { id: 11, sponsorId: 5, firstName: 'Kevin', lastName: 'Hill', country: 'US' },
  ]);
  const periods = await insertPeriods(t.database.sql, ['2026-09', '2026-10', '2026-11']);
  await insertOrders(t.database.sql, periods, [
    ...SMALL_ORDERS,
    { memberId: 10, periodKey: '2026-11', pv: '1465', vn: '250000', currency: 'COP', country: 'CO' },
    { memberId: 11, periodKey: '2026-11', pv: '300', vn: '80', currency: 'USD', country: 'US' },
  ]);
  const r = await t.must('periods.recompute', { key: '2026-11' }, t.tokens.admin);
  await waitForRun(r.id);
  const run = await t.must('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
  await waitForRun(run.id);
  draftId = (await t.must('plan.createDraft', { name: 'Borrador de prueba', effectiveFromPeriod: '2027-01' }, t.tokens.admin)).id;
}, 180_000);
afterAll(async () => {
  await t.close();
});

describe('a draft plan tried on a real period', () => {
  it('with the plan in force, the engine reproduces the real close line for line (totals and per member)', async () => {
    const period = (await periodByKey(t.database.db, '2026-11'))!;
    const draft = await t.must('plan.get', { id: draftId }, t.tokens.admin);
    const before = await counts();
    const { loaded, base, sim, summary } = await computeSimulation(t.database.db, period, draft.figures);
    const { members, orders } = loaded.input;
    const engineLines = (r: typeof base) => {
      const out: string[] = [];
      for (let i = 0; i < r.lines.length; i++) {
        const type = r.lines.type[i]!;
        const src = type <= 2 ? orders[r.lines.source[i]!]!.id.replace(/~k$/, '') : members[r.lines.source[i]!]!.id;
        out.push(
          `${LINE_TYPE_BY_CODE[type]}|${members[r.lines.beneficiary[i]!]!.id}|${src}|${r.lines.level[i]}|${new Decimal(r.lines.amountCents[i]!).div(100).toFixed(2)}`,
        );
      }
      return out.sort();
    };
    const posted = (
      await t.database.sql<{ l: string }[]>`
      select concat_ws('|', type, beneficiary_id, source_id, level, amount) as l from commission_lines l join periods p on p.id = l.period_id
      where p.key = '2026-11' and l.kind = 'line' and l.status = 'posted'`
    )
      .map((r) => r.l)
      .sort();
    expect(posted.length).toBeGreaterThan(10);
    expect(engineLines(base)).toEqual(posted);
    expect(engineLines(sim)).toEqual(posted);
    // Per member and per bonus and currency, as the period totals show them.
    const perMember = await t.database.sql<{ id: string; amount: string }[]>`
      select beneficiary_id::text as id, sum(amount)::text as amount from commission_lines l join periods p on p.id = l.period_id
      where p.key = '2026-11' and l.status = 'posted' group by 1`;
    const mine = new Map<string, Decimal>();
    for (let i = 0; i < base.lines.length; i++) {
      const id = members[base.lines.beneficiary[i]!]!.id;
      mine.set(id, (mine.get(id) ?? new Decimal(0)).plus(new Decimal(base.lines.amountCents[i]!).div(100)));
    }
    expect(Object.fromEntries([...mine].map(([k, v]) => [k, v.toFixed(2)]))).toEqual(
      Object.fromEntries(perMember.map((r) => [r.id, new Decimal(r.amount).toFixed(2)])),
    );
    const [totals] = await t.must('commissions.periodTotals', { periodKey: '2026-11' }, t.tokens.admin);
    expect(summary.base.byType).toEqual(totals!.byType);
    expect(summary.base.byCurrency).toEqual(totals!.byCurrency);
    expect(summary.base.membersPaid).toBe(totals!.beneficiaries);
    const payout = (await t.must('economics.payout', { periodKey: '2026-11' }, t.tokens.admin))!;
    expect(summary.base.ratio).toBe(payout.ratio);
    expect([summary.draft, summary.ranks, summary.top, summary.why]).toEqual([summary.base, { changed: 0, up: 0, down: 0 }, [], null]);
    expect(await counts()).toEqual(before);
  });

  it('a changed draft, in the background: totals beside the plan in force, ranks that change, the members whose pay changes most and why; nothing written', async () => {
    const draft = await t.must('plan.get', { id: draftId }, t.tokens.admin);
    const figures = structuredClone(draft.figures) as { ranks: { rank: number; pvg: string }[]; uninivel: { levels: { level: number; rate: string }[] } };
    // Emprendedor from 4,000 PVG instead of 21,000 (member 2, PVG 4,835, rises), and Uninivel level 1 at 7 % instead of 5 %.
    figures.ranks = figures.ranks.map((r) => (r.rank === 2 ? { ...r, pvg: '4000' } : r));
    figures.uninivel.levels = figures.uninivel.levels.map((l) => (l.level === 1 ? { ...l, rate: '0.07' } : l));
    await t.must('plan.updateDraft', { id: draftId, figures, reason: 'probar umbral de Emprendedor' }, t.tokens.admin);
    const before = await counts();
    const started = await t.must('plan.simulate', { versionId: draftId, periodKey: '2026-11' }, t.tokens.admin);
    expect(['queued', 'running', 'done']).toContain(started.status);
    const s = await waitSimulation(started.id);
    expect(s.status).toBe('done');
    const r = s.result!;
    expect(r.ranks.changed).toBeGreaterThan(0);
    expect(r.ranks.up).toBe(r.ranks.changed);
    expect(r.top.length).toBeGreaterThan(0);
    expect(r.top.length).toBeLessThanOrEqual(50);
    const m2 = r.top.find((x) => x.memberId === 2)!;
    expect(m2).toMatchObject({ code: expect.any(String), name: 'Beatriz Gómez', rankBefore: 1, rankAfter: 2 });
    expect(new Decimal(m2.after).minus(m2.before).toFixed(2)).toBe(m2.difference);
    expect(new Decimal(m2.difference).gt(0)).toBe(true);
    expect(new Decimal(r.draft.commissionsMxn).gt(r.base.commissionsMxn)).toBe(true);
    expect(r.why).toBeTruthy();
    expect(r.why!.memberId).toBe(r.top[0]!.memberId);
    expect(r.why!.byType.length).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
    const list = await t.must('plan.simulations', { versionId: draftId }, t.tokens.finance);
    expect(list[0]).toMatchObject({ id: started.id, status: 'done', periodKey: '2026-11', versionName: 'Borrador de prueba' });
  });

  it('the open period too', async () => {
    const started = await t.must('plan.simulate', { versionId: draftId, periodKey: '2026-12' }, t.tokens.admin);
    const s = await waitSimulation(started.id);
    expect(s.status).toBe('done');
    expect(s.result!.periodKey).toBe('2026-12');
  });

  it("the open period's VN from the orders it loaded equals the SQL sums (salesFigures): each order at the rate, rounded half-up to the cent", async () => {
    // Rates with decimals that round: 0.05 USD × 17.3450 = 0.86725 → 0.87; 0.01 COP × 0.004321 → 0.00.
    await t.database.sql`insert into exchange_rates (currency, rate_to_mxn, effective_from) values
      ('USD', '17.3450', '2026-11-30T00:00:00Z'), ('COP', '0.004321', '2026-11-30T00:00:00Z'), ('DOP', '0.3150', '2026-11-30T00:00:00Z')`;
    const periods = new Map((await t.database.sql<{ key: string; id: number }[]>`select key, id from periods`).map((p) => [p.key, Number(p.id)]));
    await insertOrders(t.database.sql, periods, [
      { memberId: 2, periodKey: '2026-12', pv: '100', vn: '1234.56' },
      { memberId: 3, periodKey: '2026-12', pv: '1670', vn: '0', kitPv: '1670' },
      { memberId: 4, periodKey: '2026-12', pv: '1770', vn: '99.99', kitPv: '1670' },
      { memberId: 11, periodKey: '2026-12', pv: '10', vn: '0.05', currency: 'USD', country: 'US' },
      { memberId: 11, periodKey: '2026-12', pv: '10', vn: '80.15', currency: 'USD', country: 'US' },
      { memberId: 10, periodKey: '2026-12', pv: '10', vn: '0.01', currency: 'COP', country: 'CO' },
      { memberId: 10, periodKey: '2026-12', pv: '10', vn: '250001.99', currency: 'COP', country: 'CO' },
      { memberId: 5, periodKey: '2026-12', pv: '10', vn: '5', status: 'pending' },
    ]);
    const period = (await periodByKey(t.database.db, '2026-12'))!;
    const rates = await periodRates(t.database.db, period);
    expect(rates.USD).toBe('17.345000');
    const { loaded } = await computeSimulation(t.database.db, period, (await versionInForce(t.database.db, period.key)).figures);
    const fromLoad = salesOfLoaded(loaded, rates);
    expect(fromLoad).not.toBeNull();
    const fromSql = await salesFigures(t.database.db, period);
    expect(fromLoad).toEqual(fromSql);
    // The hand sums: MXN 1234.56 + 99.99 (the kit half of the mixed order carries no VN), three orders.
    expect(fromSql.find((x) => x.currency === 'MXN')).toMatchObject({ vn: '1334.55', vnMxn: '1334.55', orders: 3 });
    // 0.05 × 17.345 = 0.86725 → 0.87; 80.15 × 17.345 = 1390.20175 → 1390.20.
    expect(fromSql.find((x) => x.currency === 'USD')).toMatchObject({ vn: '80.20', vnMxn: '1391.07', orders: 2 });
    // 0.01 × 0.004321 → 0.00; 250001.99 × 0.004321 = 1080.258598… → 1080.26.
    expect(fromSql.find((x) => x.currency === 'COP')).toMatchObject({ vn: '250002.00', vnMxn: '1080.26', orders: 2 });
  });

  it('one at a time per admin (CONFLICT); cancelled when queued; finance reads but may not run; a published version or an inconsistent draft is refused', async () => {
    const [admin] = await t.database.sql<{ id: string }[]>`select id from staff where username = 'admin'`;
    const [period] = await t.database.sql<{ id: number }[]>`select id from periods where key = '2026-11'`;
    const [busy] = await t.database.sql<
      { id: number }[]
    >`insert into plan_simulations (plan_version_id, period_id, staff_id, status, heartbeat_at) values (${draftId}, ${period!.id}, ${admin!.id}, 'queued', now()) returning id`;
    const second = await t.call('plan.simulate', { versionId: draftId, periodKey: '2026-11' }, t.tokens.admin);
    expect(!second.ok && second.error.code).toBe('CONFLICT');
    const cancelled = await t.must('plan.cancelSimulation', { id: busy!.id }, t.tokens.admin);
    expect(cancelled.status).toBe('cancelled');
    const again = await t.call('plan.cancelSimulation', { id: busy!.id }, t.tokens.admin);
    expect(!again.ok && again.error.code).toBe('CONFLICT');
    const fin = await t.call('plan.simulate', { versionId: draftId, periodKey: '2026-11' }, t.tokens.finance);
    expect(!fin.ok && fin.error.code).toBe('FORBIDDEN');
    const [published] = await t.database.sql<{ id: number }[]>`select id from plan_versions where status = 'published' limit 1`;
    const pub = await t.call('plan.simulate', { versionId: published!.id, periodKey: '2026-11' }, t.tokens.admin);
    expect(!pub.ok && pub.error.code).toBe('CONFLICT');
    await t.database.sql`update plan_versions set figures = figures - 'uninivel' || jsonb_build_object('ranks', '[]'::jsonb) where id = ${draftId}`;
    const bad = await t.call('plan.simulate', { versionId: draftId, periodKey: '2026-11' }, t.tokens.admin);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('VALIDATION');
      const paths = (bad.error.details as { issues: { path: string }[] }).issues.map((i) => i.path);
      expect(paths).toContain('uninivel');
    }
  });
});
