/**
 * plan.simulation — a draft plan (the plan in force with Uninivel level 1 at 7 %) run over the open
 *   period by computeSimulation (main/services/economics/simulation.ts): the period loaded once, the
 *   engine twice (plan in force, draft), the comparison. Read-only; `ms` is one run.
 * reports.disclosure — the income disclosure over 12 closed periods, cold: the first report after
 *   the bench's server started (its shared buffers empty; the OS page cache may still hold the
 *   files). The bench network's closed periods carry no commission lines, so 12 synthetic closed
 *   periods (2000-01 … 2000-12, kept between runs) get member_period_earnings rows the way a close
 *   leaves them: 40 % of the members with a paid-as rank each period (skewed to the low ranks), a
 *   third of those with earnings. Notes: warm runs, and the one-off build of one period's rows from
 *   lines (ensureEarnings) is not part of it.
 */
import type { BenchContext, Metric, MetricResult } from '../types';
import { round, timeOnce } from '../timing';
import { benchPeriod } from './volumes';
import { computeSimulation } from '../../../services/economics/simulation';
import { disclosureReport } from '../../../services/economics/disclosure';
import { versionInForce } from '../../../services/plan/versions';

export const planSimulation: Metric = {
  name: 'plan.simulation',
  budget: { ms: 20_000 },
  async run(ctx): Promise<MetricResult> {
    const period = await benchPeriod(ctx);
    const figures = structuredClone((await versionInForce(ctx.db, period.key)).figures) as { uninivel: { levels: { level: number; rate: string }[] } };
    figures.uninivel.levels = figures.uninivel.levels.map((l) => (l.level === 1 ? { ...l, rate: '0.07' } : l));
    let summary: Awaited<ReturnType<typeof computeSimulation>>['summary'] | null = null;
    const stages: Record<string, number> = {};
    let last = performance.now();
    const ms = await timeOnce(async () => {
      ({ summary } = await computeSimulation(ctx.db, period, figures, {
        progress: async (_f, stage) => {
          const n = performance.now();
          stages[stage] = Math.round(n - last);
          last = n;
        },
      }));
    });
    const s = summary!;
    return {
      ms: round(ms),
      notes:
        `period ${period.key}: ${s.base.lines} lines in force, ${s.draft.lines} with the draft; ratio ${s.base.ratio} → ${s.draft.ratio}; ` +
        `${s.ranks.changed} rank changes; ${s.top.length} top changes; ms before each stage ${JSON.stringify(stages)}`,
    };
  },
};

const SYNTHETIC = Array.from({ length: 12 }, (_, i) => `2000-${String(i + 1).padStart(2, '0')}`);

/**
 * A closed period has its figures (period_stats). Without them the app — the ui group starts it on
 * this database — computes them on start, and the synthetic periods have no plan in force to do it with.
 */
export async function syntheticPeriodFigures(ctx: Pick<BenchContext, 'sql'>) {
  await ctx.sql`insert into period_stats (period_id, members_total, max_member_id, members_active)
    select p.id, (select count(*) from members), (select coalesce(max(id), 0) from members),
      (select count(*) from member_period_earnings e where e.period_id = p.id)
    from periods p where p.key like '2000-%' on conflict (period_id) do nothing`;
}

export const reportsDisclosure: Metric = {
  name: 'reports.disclosure',
  budget: { ms: 5_000 },
  async run(ctx): Promise<MetricResult> {
    const [have] = await ctx.sql<
      { n: number }[]
    >`select count(*)::int as n from period_earnings_built b join periods p on p.id = b.period_id where p.key like '2000-%'`;
    if ((have?.n ?? 0) < 12) {
      ctx.log('reports.disclosure: 12 periodos cerrados sintéticos (2000-01 … 2000-12)…');
      await ctx.sql.begin(async (tx) => {
        for (const [i, key] of SYNTHETIC.entries()) {
          const start = new Date(Date.UTC(2000, i, 1, 6));
          const end = new Date(Date.UTC(2000, i + 1, 1, 6));
          const [p] = await tx<{ id: number }[]>`insert into periods (key, starts_at, ends_at, status, opened_at, closed_at)
            values (${key}, ${start.toISOString()}, ${end.toISOString()}, 'closed', ${start.toISOString()}, ${end.toISOString()}) on conflict (key) do update set status = 'closed' returning id`;
          await tx`delete from member_period_earnings where period_id = ${p!.id}`;
          // hashes of (member, period) as the random source: the same rows on every machine.
          const r = await tx`insert into member_period_earnings (period_id, member_id, paid_as_rank, earned_mxn)
            select ${p!.id}, id, rank, case when h2 < 0.33 then round((h3 * h3 * 40000 * (rank + 1))::numeric, 2) else 0 end from (
              select id, h1, h2, h3, least(8, floor(-ln(1 - h1 / 0.4 * 0.999) * 1.3)::int + 1) as rank from (
                select id, (hashint8(id * 31 + ${i}) & 1048575) / 1048576.0 as h1, (hashint8(id * 37 + ${i}) & 1048575) / 1048576.0 as h2,
                  (hashint8(id * 41 + ${i}) & 1048575) / 1048576.0 as h3 from members) x where h1 < 0.4) y`;
          await tx`insert into period_earnings_built (period_id, rows, ms) values (${p!.id}, ${r.count}, 0) on conflict (period_id) do update set rows = excluded.rows`;
        }
      });
      await ctx.sql`analyze member_period_earnings`;
    }
    await syntheticPeriodFigures(ctx);
    let out: Awaited<ReturnType<typeof disclosureReport>> | null = null;
    const cold = await timeOnce(async () => {
      out = await disclosureReport(ctx.db, { from: '2000-01', to: '2000-12' });
    });
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) warm.push(round(await timeOnce(() => disclosureReport(ctx.db, { from: '2000-01', to: '2000-12' }))));
    const [rows] = await ctx.sql<
      { n: number }[]
    >`select count(*)::int as n from member_period_earnings e join periods p on p.id = e.period_id where p.key like '2000-%'`;
    const o = out!;
    return {
      ms: round(cold),
      notes: `12 closed periods, ${rows?.n ?? 0} member_period_earnings rows, ${o.members} members, ${o.earners} earners; warm runs ms ${JSON.stringify(warm)}`,
    };
  },
};

export const economicsMetrics: Metric[] = [planSimulation, reportsDisclosure];
