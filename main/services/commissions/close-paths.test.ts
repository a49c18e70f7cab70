/**
 * The close's two ways of writing the commission run (step.ts): the usual one — load, engine and
 * the lines' table prepared ahead on the close's snapshot, the table attached by the close — and
 * the whole run inside the close's transaction (nothing read ahead). Same lines, same money; a
 * table a dead close left loaded is dropped, never attached twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { loadSmallNetwork } from '../../../test/small-network';
import { waitForRun } from '../periods/close';
import { commissionsStep } from './step';
import { withStep } from '../../../test/close-steps';
import { stagedPartition } from './run';

const now = new Date('2026-12-02T18:00:00Z');

async function closeNovember(t: TestApp) {
  const r = await t.must('periods.recompute', { key: '2026-11' }, t.tokens.admin);
  await waitForRun(r.id);
  const preview = await t.must('commissions.preview', {}, t.tokens.finance);
  const run = await t.must('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
  await waitForRun(run.id);
  const [row] = await t.database.sql<{ status: string; ms: Record<string, number> | null; period: string }[]>`
    select r.status, r.result->'commissions'->'ms' as ms, p.status as period from period_runs r join periods p on p.id = r.period_id where r.id = ${run.id}`;
  const lines = await t.database.sql<{ line: string }[]>`
    select concat_ws('|', type, beneficiary_id, source_kind, source_id, level, base, base_currency, rate, amount, currency, fx_from, fx_to, ledger_key, status, phase) as line
    from commission_lines order by 1`;
  const wallets = await t.database.sql<
    { w: string }[]
  >`select member_id || ':' || currency || ':' || balance as w from ledger_accounts where kind = 'member_wallet' order by 1`;
  const leftovers = await t.database.sql`select 1 from pg_class where relname like 'commission_lines_%_load'`;
  return { preview, run: row!, lines: lines.map((l) => l.line), wallets: wallets.map((w) => w.w), leftovers: leftovers.length };
}

describe('commission close: read ahead or all in the transaction, the same result', () => {
  let ahead: Awaited<ReturnType<typeof closeNovember>>;
  let inTx: Awaited<ReturnType<typeof closeNovember>>;
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  beforeAll(async () => {
    // 1. The usual way, with a table a dead close left behind (loaded, never attached).
    const a = await testApp({ now: () => now });
    apps.push(a);
    await loadSmallNetwork(a.database.sql);
    const [p] = await a.database.sql<{ id: number }[]>`select id from periods where key = '2026-11'`;
    await a.database.sql.unsafe(`create table ${stagedPartition(p!.id)} (like commission_lines including defaults)`);
    await a.database.sql
      .unsafe(`insert into ${stagedPartition(p!.id)} (period_id, phase, type, beneficiary_id, source_kind, source_id, level, base, base_currency, amount, currency, fx_from, fx_to)
      values (${p!.id}, 1, 'directo', 1, 'order', 1, 1, 100, 'MXN', 999, 'MXN', 1, 1)`);
    ahead = await closeNovember(a);
    // 2. The step without its read-ahead: everything in the close's transaction.
    const b = await testApp({ now: () => now, closeSteps: withStep({ ...commissionsStep, prefetch: undefined }, { after: 'ranks' }) });
    apps.push(b);
    await loadSmallNetwork(b.database.sql);
    inTx = await closeNovember(b);
  }, 300_000);

  it('both close the period; the first read ahead, the second did not', () => {
    expect([ahead.run.status, ahead.run.period, ahead.run.ms?.prefetched]).toEqual(['succeeded', 'closed', 1]);
    expect([inTx.run.status, inTx.run.period, inTx.run.ms?.prefetched]).toEqual(['succeeded', 'closed', 0]);
  });

  it('write the same lines and pay the same wallets, as previewed; the leftover table is gone, never attached', () => {
    expect(ahead.lines.length).toBe(ahead.preview.lines);
    expect(ahead.lines).toEqual(inTx.lines);
    expect(ahead.wallets.length).toBeGreaterThan(0);
    expect(ahead.wallets).toEqual(inTx.wallets);
    expect(ahead.lines.some((l) => l.includes('|999.00|'))).toBe(false);
    expect([ahead.leftovers, inTx.leftovers]).toEqual([0, 0]);
  });
});
