import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { loadSmallNetwork } from '../../../test/small-network';
import { waitForRun } from '../periods/close';
import { Decimal } from '../../domain/money';
import { readFileSync } from 'node:fs';

let t: TestApp;
let orderIds: number[];
const now = new Date('2026-12-02T18:00:00Z');
beforeAll(async () => {
  t = await testApp({ now: () => now });
  ({ orderIds } = await loadSmallNetwork(t.database.sql));
  const r = await t.must('periods.recompute', { key: '2026-11' }, t.tokens.admin);
  await waitForRun(r.id);
});
afterAll(async () => {
  await t.close();
});

describe('commission procedures', () => {
  let previewed: Awaited<ReturnType<typeof t.must<'commissions.preview'>>>;

  it('previews the open period without writing; support may not preview', async () => {
    previewed = await t.must('commissions.preview', {}, t.tokens.finance);
    expect(previewed.periodKey).toBe('2026-11');
    expect(previewed.lines).toBeGreaterThan(0);
    expect(previewed.beneficiaries).toBeGreaterThan(0);
    expect(previewed.top.length).toBeGreaterThan(0);
    expect(previewed.top.length).toBeLessThanOrEqual(10);
    expect(Object.keys(previewed.byCurrency)).toContain('MXN');
    // Sum of types = currency totals.
    const mxn = Object.values(previewed.byType).reduce((s, v) => s.plus(v.MXN ?? '0'), new Decimal(0));
    expect(mxn.toFixed(2)).toBe(previewed.byCurrency.MXN);
    expect(previewed.previous).toMatchObject({ periodKey: '2026-10', byCurrency: {} });
    expect(previewed.differenceByCurrency.MXN).toBe(previewed.byCurrency.MXN);
    const [none] = await t.database.sql<{ n: string }[]>`select count(*) as n from commission_lines`;
    expect(Number(none!.n)).toBe(0);
    const support = await t.call('commissions.preview', {}, t.tokens.support);
    expect(support.ok).toBe(false);
    if (!support.ok) expect(support.error.code).toBe('FORBIDDEN');
  });

  it('after the close, posted totals match the preview; lines and why read back', async () => {
    const run = await t.must('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
    await waitForRun(run.id);
    // The run's load and engine were read ahead on the close's snapshot (runCloseSteps).
    const [row] = await t.database.sql<{ ms: Record<string, number> }[]>`select result->'commissions'->'ms' as ms from period_runs where id = ${run.id}`;
    expect(row!.ms.prefetched).toBe(1);
    const totals = await t.must('commissions.periodTotals', {}, t.tokens.support);
    const nov = totals.find((x) => x.periodKey === '2026-11')!;
    expect(nov).toBeTruthy();
    expect(nov.status).toBe('closed');
    expect(nov.byCurrency).toEqual(previewed.byCurrency);
    expect(nov.byType).toEqual(previewed.byType);
    expect(nov.beneficiaries).toBe(previewed.beneficiaries);
    expect(nov.lines).toBe(previewed.lines);

    const top = previewed.top[0]!;
    const page = await t.must('commissions.memberLines', { memberId: top.memberId, periodKey: '2026-11', pageSize: 500 }, t.tokens.support);
    expect(page.total).toBeGreaterThan(0);
    const sum = page.rows.reduce((s, l) => s.plus(l.amount), new Decimal(0));
    expect(sum.toFixed(2)).toBe(top.amount);
    expect(page.rows.every((l) => l.beneficiaryId === top.memberId && l.periodKey === '2026-11')).toBe(true);
    // A member-sourced line names its source by code; an order-sourced one has none.
    for (const l of page.rows) expect(l.sourceCode).toBe(l.sourceKind === 'member' ? `NN${String(l.sourceId).padStart(7, '0')}` : null);
    const p1 = await t.must('commissions.memberLines', { memberId: top.memberId, pageSize: 1 }, t.tokens.support);
    expect(p1.rows).toHaveLength(1);
    expect(p1.total).toBe(page.total);

    // Member 8's order (20000 PV): sponsor line 6 → 3 → 1.
    const w = await t.must('commissions.why', { orderId: orderIds[4]! }, t.tokens.support);
    expect(w.buyer.id).toBe(8);
    expect(w.periodKey).toBe('2026-11');
    expect(w.uplines.map((u) => [u.level, u.memberId])).toEqual([
      [1, 6],
      [2, 3],
      [3, 1],
    ]);
    for (const u of w.uplines) expect(u.opensThisLevel).toBe(u.opensLevels >= u.level);
    // Business words: codes and names, the period's PV/PVG of each upline (decimal strings), lines by beneficiary code.
    expect(w.uplines.map((u) => u.code)).toEqual(['NN0000006', 'NN0000003', 'NN0000001']);
    const [v6] = await t.database.sql<
      { pv: string; pvg: string }[]
    >`select v.pv::text as pv, v.pvg::text as pvg from member_volumes v join periods p on p.id = v.period_id where v.member_id = 6 and p.key = '2026-11'`;
    expect(w.uplines[0]).toMatchObject({ pv: new Decimal(v6!.pv).toFixed(2), pvg: new Decimal(v6!.pvg).toFixed(2) });
    expect(new Decimal(w.uplines[0]!.pvg).gte(20000)).toBe(true);
    const codes = new Map((await t.database.sql<{ id: string; code: string }[]>`select id::text, code from members`).map((m) => [Number(m.id), m.code]));
    for (const l of w.lines) expect(l.beneficiaryCode).toBe(codes.get(l.beneficiaryId));
    expect(w.lines.every((l) => l.beneficiaryName.trim().length > 0)).toBe(true);
    const [cnt] = await t.database.sql<
      { n: string }[]
    >`select count(*) as n from commission_lines where source_kind = 'order' and source_id = ${orderIds[4]!} and status = 'posted'`;
    expect(w.lines).toHaveLength(Number(cnt!.n));
    expect(w.lines.length).toBeGreaterThan(0);
    const missing = await t.call('commissions.why', { orderId: 999999 }, t.tokens.support);
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
  });

  it("a whole period's lines as a CSV file written by the main process: the same rows as the screen's pages, audited; support may not", async () => {
    const out = await t.must('commissions.exportPeriodLines', { periodKey: '2026-11' }, t.tokens.finance);
    expect(out.fileName).toBe('comisiones-2026-11.csv');
    const text = readFileSync(out.path, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.slice(1).split('\r\n').slice(0, -1);
    expect(lines[0]).toBe(
      'id,period,type,kind,beneficiary_id,beneficiary_code,country,source_kind,source_id,level,base,base_currency,rate,amount,currency,fx_from_mxn,fx_to_mxn,created_at',
    );
    // Every page of commissions.periodLines, as the screen's CSV wrote it (no value here needs quoting).
    const expected: string[] = [];
    let after: number | undefined;
    let upTo: number | undefined;
    for (;;) {
      const page = await t.must(
        'commissions.periodLines',
        { periodKey: '2026-11', limit: 7, ...(after !== undefined ? { after, upTo } : {}) },
        t.tokens.finance,
      );
      if (page.upTo !== null) upTo = page.upTo;
      for (const l of page.rows) {
        expected.push(
          [
            l.id,
            l.periodKey,
            l.type,
            l.kind,
            l.beneficiaryId,
            l.beneficiaryCode,
            l.country,
            l.sourceKind,
            l.sourceId,
            l.level,
            l.base,
            l.baseCurrency,
            l.rate ?? '',
            l.amount,
            l.currency,
            l.fxFrom,
            l.fxTo,
            l.createdAt,
          ].join(','),
        );
      }
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    expect(expected.length).toBeGreaterThan(10);
    expect(lines.slice(1)).toEqual(expected);
    expect(out.rows).toBe(expected.length);
    expect(out.bytes).toBe(Buffer.byteLength(text));
    // A second export does not overwrite the first; a filter keeps only its lines.
    const again = await t.must('commissions.exportPeriodLines', { periodKey: '2026-11', type: 'uninivel' }, t.tokens.admin);
    expect(again.fileName).toBe('comisiones-2026-11-uninivel.csv');
    const uni = readFileSync(again.path, 'utf8').slice(1).split('\r\n').slice(1, -1);
    expect(uni).toEqual(expected.filter((l) => l.split(',')[2] === 'uninivel'));
    const third = await t.must('commissions.exportPeriodLines', { periodKey: '2026-11' }, t.tokens.finance);
    expect(third.fileName).toBe('comisiones-2026-11 (2).csv');
    const [audit] = await t.database.sql<{ n: number }[]>`select count(*)::int as n from audit_log where entity = 'commission_export'`;
    expect(audit!.n).toBe(3);
    // Every pooled connection still answers after the exports (a paused COPY stream can leave one busy for good).
    const answers = Promise.all(Array.from({ length: 25 }, (_, i) => t.database.sql<{ i: number }[]>`select ${i}::int as i, pg_sleep(0.05)`));
    const outcome = await Promise.race([answers.then(() => 'answered'), new Promise((r) => setTimeout(() => r('a connection hangs'), 10_000))]);
    expect(outcome).toBe('answered');
    const support = await t.call('commissions.exportPeriodLines', { periodKey: '2026-11' }, t.tokens.support);
    expect(!support.ok && support.error.code).toBe('FORBIDDEN');
    const missing = await t.call('commissions.exportPeriodLines', { periodKey: '2030-01' }, t.tokens.finance);
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
    // A folder that cannot be written: a clear error, no audit row.
    const folder = t.services.config.exportsDir;
    t.services.config.exportsDir = '/dev/null/exports';
    const refused = await t.call('commissions.exportPeriodLines', { periodKey: '2026-11' }, t.tokens.finance);
    t.services.config.exportsDir = folder;
    expect(!refused.ok && refused.error.message).toMatch(/^No se pudo guardar el archivo en \/dev\/null\/exports/);
    const [audited] = await t.database.sql<{ n: number }[]>`select count(*)::int as n from audit_log where entity = 'commission_export'`;
    expect(audited!.n).toBe(3);
  });
});
