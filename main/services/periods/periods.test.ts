import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, testApp, type TestApp } from '../../../test/app';
import { loadSmallNetwork, pendingOrder, volumesOf } from '../../../test/small-network';
import { confirmOrder } from '../orders/confirm';
import { waitForRun, type CloseStep } from './close';
import { closeSteps } from '../../app/composition';

let t: TestApp;
let periods: Map<string, number>;
const now = new Date('2026-12-02T18:00:00Z');
/** The app's clock (AppServices.now) as this file sets it: the close guard's boundary is tested on it. */
let clock = now;
// The application's close; a test puts its own step in (right before 'finish') and takes it out again.
const steps: CloseStep[] = [...closeSteps];
const putStep = (step: CloseStep) => steps.splice(steps.length - 1, 0, step);
const takeStep = (name: string) =>
  steps.splice(
    steps.findIndex((s) => s.name === name),
    1,
  );
beforeAll(async () => {
  t = await testApp({ now: () => clock, closeSteps: steps });
  ({ periods } = await loadSmallNetwork(t.database.sql));
  // Member 3 was Visionario in October (paid-as 1), as the volumes of that closed period say.
  await t.database
    .sql`insert into member_volumes (period_id, member_id, pv, vn, pvg, paid_as_rank) values (${periods.get('2026-10')!}, 3, 5000, 4000, 5000, 1), (${periods.get('2026-10')!}, 1, 0, 0, 5000, 0)`;
  await t.database.sql`insert into period_stats (period_id, orders_paid, pv) values (${periods.get('2026-10')!}, 1, 5000)`;
  const r = await t.must('periods.recompute', { key: '2026-11' }, t.tokens.admin);
  await waitForRun(r.id);
});
afterAll(async () => {
  await t.close();
});

/** Moves the app's clock forward a month: the sessions of the earlier day expired, sign in again. */
const travelTo = async (at: Date) => {
  clock = at;
  for (const role of ['admin', 'finance', 'support'] as const) {
    t.tokens[role] = (await t.must('auth.login', { username: t.usernames[role], password: TEST_PASSWORD }, null)).token;
  }
};
const close = async (key: string) => {
  const run = await t.must('periods.close', { key, confirmKey: key }, t.tokens.admin);
  await waitForRun(run.id);
  return t.must('periods.run', { runId: run.id }, t.tokens.admin);
};
const career = async () =>
  Object.fromEntries(
    (await t.database.sql<{ id: string; career_rank: number }[]>`select id, career_rank from members order by id`).map((r) => [Number(r.id), r.career_rank]),
  );

describe('the open period and its figures', () => {
  it('periods.current shows the open period with live figures and rank distribution', async () => {
    const c = await t.must('periods.current', {}, t.tokens.support);
    expect(c.period).toMatchObject({ key: '2026-11', status: 'open' });
    expect(c.period!.figures).toMatchObject({ membersTotal: 9, membersActive: 7, membersAdvancing: 4, ordersPaid: 8, pv: '27765.00', vnMxn: '16975.50' });
    expect(c.period!.figures!.ranks.slice(0, 3)).toEqual([
      { rank: 0, members: 3 },
      { rank: 1, members: 5 },
      { rank: 2, members: 1 },
    ]);
    expect(c.previous?.key).toBe('2026-10');
    expect(c.ended).toBe(true);
    expect(c.lastRun).toMatchObject({ kind: 'recompute', status: 'succeeded', progress: 1000 });
  });

  it('lists the members advancing: paid-as rank above the career rank', async () => {
    const a = await t.must('periods.advancing', { key: '2026-11' }, t.tokens.finance);
    expect(a.total).toBe(4);
    expect(a.rows.map((r) => [r.memberId, r.fromRank, r.toRank]).sort()).toEqual([
      [2, 0, 1],
      [7, 0, 1],
      [8, 0, 1],
      [9, 0, 1],
    ]);
  });

  it('the preview is read-only and tells what the close will do', async () => {
    const audits = await t.database.sql`select count(*)::int as n from audit_log`;
    const p = await t.must('periods.previewClose', { key: '2026-11' }, t.tokens.admin);
    expect(p).toMatchObject({ canClose: true, ended: true, careerPromotions: 4, next: { key: '2026-12', exists: false } });
    // Up: 2, 4, 6, 7, 8, 9 (from Sin rango); down: 3 (Visionario in October).
    expect([p.paidAsUp, p.paidAsDown]).toEqual([6, 1]);
    // Other areas may plug steps in (the commission run): the built-in ones frame them.
    const names = p.steps.map((s) => s.name);
    expect(names.slice(0, 2)).toEqual(['volumes', 'ranks']);
    expect(names.at(-1)).toBe('finish');
    expect((await t.database.sql`select count(*)::int as n from audit_log`)[0]!.n).toBe(audits[0]!.n);
    const r = await t.call('periods.previewClose', { key: '2026-11' }, t.tokens.finance);
    expect(!r.ok && r.error.code).toBe('FORBIDDEN');
  });
});

describe('the close guard: a period closes only once it has ended', () => {
  // November 2026 in Mexico Central time is [2026-11-01T06:00Z, 2026-12-01T06:00Z).
  const END = new Date('2026-12-01T06:00:00.000Z');
  const untouched = async () => ({
    periods: await t.database.sql`select key, status, closed_at from periods order by key`,
    runs: (await t.database.sql`select count(*)::int as n from period_runs where kind = 'close'`)[0]!.n,
    audit: (await t.database.sql`select count(*)::int as n from audit_log where action = 'periods.close'`)[0]!.n,
  });

  it('one millisecond before the end: CONFLICT with the instant it becomes possible, nothing written', async () => {
    clock = new Date(END.getTime() - 1);
    try {
      const before = await untouched();
      const r = await t.call('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('CONFLICT');
      expect(r.error.details).toMatchObject({ rule: 'PERIOD_NOT_ENDED', period: '2026-11', closableFrom: END.toISOString() });
      expect(r.error.message).toBe(
        'El periodo 2026-11 aún no termina: solo se cierra un periodo ya terminado. Se podrá cerrar a partir del 1 de diciembre de 2026, 00:00 (hora del centro de México).',
      );
      expect(await untouched()).toEqual(before);
      // The preview is always allowed, and says the same.
      const p = await t.must('periods.previewClose', { key: '2026-11' }, t.tokens.admin);
      expect(p).toMatchObject({ canClose: false, ended: false, notStarted: false, closableFrom: END.toISOString() });
      expect(p.warnings[0]).toEqual({ code: 'NOT_ENDED', message: r.error.message });
      const en = await t.must('periods.previewClose', { key: '2026-11', lang: 'en' }, t.tokens.admin);
      expect(en.warnings[0]!.message).toBe(
        'The period 2026-11 has not ended: only an ended period can be closed. It can be closed from December 1, 2026, 00:00 (Mexico Central time).',
      );
    } finally {
      clock = now;
    }
  });

  it('a period that has not started (a future period) is refused', async () => {
    clock = new Date('2026-10-20T18:00:00Z');
    try {
      const before = await untouched();
      const r = await t.call('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
      expect(!r.ok && r.error.code).toBe('CONFLICT');
      expect(!r.ok && r.error.details).toMatchObject({ rule: 'PERIOD_NOT_STARTED', closableFrom: END.toISOString() });
      expect(!r.ok && r.error.message).toMatch(/^El periodo 2026-11 aún no empieza: un periodo futuro no se puede cerrar\./);
      expect(await untouched()).toEqual(before);
      const p = await t.must('periods.previewClose', { key: '2026-11' }, t.tokens.admin);
      expect(p).toMatchObject({ canClose: false, notStarted: true });
      expect(p.warnings[0]!.code).toBe('NOT_STARTED');
    } finally {
      clock = now;
    }
  });
});

describe('closing a period', () => {
  it('needs the period key typed again, and the admin role', async () => {
    const wrong = await t.call('periods.close', { key: '2026-11', confirmKey: '2026-12' }, t.tokens.admin);
    expect(!wrong.ok && wrong.error.code).toBe('VALIDATION');
    const finance = await t.call('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.finance);
    expect(!finance.ok && finance.error.code).toBe('FORBIDDEN');
    expect((await t.must('periods.current', {}, t.tokens.admin)).period?.status).toBe('open');
  });

  it('freezes volumes and ranks, writes the rank history, raises career ranks (never lowers them), opens the next period', async () => {
    const seen: Record<string, unknown>[] = [];
    putStep({
      name: 'probe',
      label: { es: 'Sonda', en: 'Probe' },
      run: async (c) => {
        const [h] = await c.tx.execute<{ n: number }>(
          /* sql */ (await import('drizzle-orm')).sql`select count(*)::int as n from rank_history where period_id = ${c.period.id} and kind = 'career'`,
        );
        seen.push({ period: c.period.key, previous: c.previous?.key, careerRows: (h as { n: number }).n, volumes: c.results.volumes !== undefined });
        await c.progress(0.5);
        return { ok: true };
      },
    });
    try {
      // At the period's end instant exactly: allowed (the boundary of the close guard).
      clock = new Date('2026-12-01T06:00:00.000Z');
      const run = await close('2026-11').finally(() => {
        clock = now;
      });
      expect(run).toMatchObject({ status: 'succeeded', progress: 1000, stepsDone: run.steps.length, error: null });
      const names = run.steps.map((s) => s.name);
      expect(names.slice(0, 2)).toEqual(['volumes', 'ranks']);
      expect(names.slice(-2)).toEqual(['probe', 'finish']);
      expect(run.result).toMatchObject({ ranks: { paidAsChanges: 7, careerPromotions: 4 }, probe: { ok: true }, nextPeriod: '2026-12' });
      expect(seen).toEqual([{ period: '2026-11', previous: '2026-10', careerRows: 4, volumes: true }]);
    } finally {
      takeStep('probe');
    }
    const list = await t.must('periods.list', {}, t.tokens.finance);
    expect(list.map((p) => [p.key, p.status])).toEqual([
      ['2026-12', 'open'],
      ['2026-11', 'closed'],
      ['2026-10', 'closed'],
      ['2026-09', 'closed'],
    ]);
    expect(list[1]).toMatchObject({ closedBy: 'admin', closedAt: '2026-12-01T06:00:00.000Z' });
    // Career: 2, 7, 8, 9 become Visionario; 4 stays 1; 6 keeps 3 though paid as 2 this month.
    expect(await career()).toEqual({ 1: 0, 2: 1, 3: 0, 4: 1, 5: 0, 6: 3, 7: 1, 8: 1, 9: 1 });
    const history = await t.database.sql<{ member_id: string; kind: string; old_rank: number; new_rank: number }[]>`
      select member_id, kind, old_rank, new_rank from rank_history where period_id = ${periods.get('2026-11')!} order by kind, member_id`;
    expect(history.map((h) => [h.kind, Number(h.member_id), h.old_rank, h.new_rank])).toEqual([
      ['paid_as', 2, 0, 1],
      ['paid_as', 3, 1, 0],
      ['paid_as', 4, 0, 1],
      ['paid_as', 6, 0, 2],
      ['paid_as', 7, 0, 1],
      ['paid_as', 8, 0, 1],
      ['paid_as', 9, 0, 1],
      ['career', 2, 0, 1],
      ['career', 7, 0, 1],
      ['career', 8, 0, 1],
      ['career', 9, 0, 1],
    ]);
    const adv = await t.must('periods.advancing', { key: '2026-11' }, t.tokens.admin);
    expect(adv.total).toBe(4);
    const audit = await t.database.sql`select entity_id, before, after from audit_log where action = 'periods.close'`;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity_id: '2026-11', before: { status: 'open' }, after: { status: 'closing', nextPeriod: '2026-12' } });
  });

  it('a closed period is read-only everywhere: PERIOD_CLOSED, and closing it again is a CONFLICT', async () => {
    const again = await t.call('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
    expect(!again.ok && again.error.code).toBe('CONFLICT');
    const recompute = await t.call('periods.recompute', { key: '2026-11' }, t.tokens.admin);
    expect(!recompute.ok && recompute.error.code).toBe('PERIOD_CLOSED');
    const draft = await t.call('plan.createDraft', { name: 'Plan de noviembre', effectiveFromPeriod: '2026-11' }, t.tokens.admin);
    expect(!draft.ok && draft.error.code).toBe('PERIOD_CLOSED');
    // A payment dated in November now counts in December; November's volumes stay as closed.
    const frozen = await volumesOf(t.database.sql, periods.get('2026-11')!);
    const id = await pendingOrder(t.database.sql, 5, '4000', '200', { currency: 'USD', country: 'US' });
    const r = await t.database.db.transaction((tx) => confirmOrder(tx, id, { confirmedAt: '2026-11-29T12:00:00Z', method: 'wallet' }));
    expect(r).toMatchObject({ periodKey: '2026-12', late: true });
    expect(await volumesOf(t.database.sql, periods.get('2026-11')!)).toEqual(frozen);
  });

  it('two admins closing at once: one wins, the other gets CONFLICT', async () => {
    await travelTo(new Date('2027-01-02T18:00:00Z')); // December has ended
    const [a, b] = await Promise.all([
      t.call('periods.close', { key: '2026-12', confirmKey: '2026-12' }, t.tokens.admin),
      t.call('periods.close', { key: '2026-12', confirmKey: '2026-12' }, t.tokens.admin),
    ]);
    const oks = [a, b].filter((r) => r.ok);
    const errors = [a, b].filter((r) => !r.ok).map((r) => (!r.ok ? r.error.code : null));
    expect(oks).toHaveLength(1);
    expect(errors).toEqual(['CONFLICT']);
    await waitForRun((oks[0] as { ok: true; data: { id: number } }).data.id);
    const list = await t.must('periods.list', {}, t.tokens.admin);
    expect(list.slice(0, 2).map((p) => [p.key, p.status])).toEqual([
      ['2027-01', 'open'],
      ['2026-12', 'closed'],
    ]);
    // Member 5 paid 4000 PV in December (a late November payment): Visionario, a career promotion.
    expect((await career())[5]).toBe(1);
  });

  it('a failing step rolls the whole close back: the period stays closing, nothing half-written; starting again finishes it', async () => {
    const id = await pendingOrder(t.database.sql, 3, '30000', '100');
    await t.database.db.transaction((tx) => confirmOrder(tx, id, { confirmedAt: '2027-01-10T12:00:00Z', method: 'stripe' }));
    await travelTo(new Date('2027-02-02T18:00:00Z')); // January has ended
    putStep({
      name: 'boom',
      label: { es: 'Falla', en: 'Fails' },
      run: async () => {
        throw new Error('comisiones no disponibles');
      },
    });
    let failed;
    try {
      failed = await close('2027-01');
    } finally {
      takeStep('boom');
    }
    expect(failed).toMatchObject({ status: 'failed', error: 'comisiones no disponibles' });
    const jan = (await t.database.sql<{ id: number; status: string }[]>`select id, status from periods where key = '2027-01'`)[0]!;
    expect(jan.status).toBe('closing');
    expect((await t.database.sql`select count(*)::int as n from rank_history where period_id = ${jan.id}`)[0]!.n).toBe(0);
    expect((await career())[3]).toBe(0);
    // Meanwhile the next period is open and takes payments.
    expect((await t.must('periods.current', {}, t.tokens.admin)).period?.key).toBe('2027-02');
    const preview = await t.must('periods.previewClose', { key: '2027-01' }, t.tokens.admin);
    expect(preview.warnings.map((w) => w.code)).toContain('RESUME');

    const ok = await close('2027-01');
    expect(ok.status).toBe('succeeded');
    // Member 3 skipped ranks in one month: Sin rango → Creativo (PV 30000, PVG 30000 ≥ 21000 → Emprendedor).
    const h = await t.database.sql<
      { kind: string; old_rank: number; new_rank: number }[]
    >`select kind, old_rank, new_rank from rank_history where period_id = ${jan.id} and member_id = 3 order by kind`;
    expect(h.map((x) => [x.kind, x.old_rank, x.new_rank])).toEqual([
      ['paid_as', 0, 2],
      ['career', 0, 2],
    ]);
    expect((await career())[3]).toBe(2);
  });
});

describe('the dashboard', () => {
  it('answers from the cached figures: members, PV/VN against the previous period, ranks, withdrawals, 12 periods', async () => {
    const d = await t.must('dashboard.summary', {}, t.tokens.admin);
    expect(d.period?.key).toBe('2027-02');
    expect(d.previousKey).toBe('2027-01');
    expect(d.members).toMatchObject({ total: 9, active: 0, new: 0, activePrevious: 1 });
    expect(d.volumes).toMatchObject({ pv: '0.00', pvPrevious: '30000.00' });
    expect(d.history.map((h) => h.key)).toEqual(['2026-09', '2026-10', '2026-11', '2026-12', '2027-01', '2027-02']);
    expect(d.history.find((h) => h.key === '2026-11')).toMatchObject({ pv: '27765.00', vnMxn: '16975.50', membersActive: 7 });
    expect(d.withdrawals).toMatchObject({ pendingCount: 0, byCurrency: [], pendingMxn: '0.00' });
    const support = await t.must('dashboard.summary', {}, t.tokens.support);
    expect(support.withdrawals).toBeNull();
  });
});
