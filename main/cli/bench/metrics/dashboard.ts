/**
 * dashboard.load (issue 5): the dashboard's whole query set (dashboardSummary, as an admin sees it:
 * members, PV/VN of the open and the previous period, rank distribution, pending withdrawals, the
 * last 12 periods), answered from the cached aggregates. Baseline: the same figures the naive way,
 * by scanning members, orders and member_volumes on every load.
 */
import type { Metric, MetricResult } from '../types';
import { sample } from '../timing';
import { dashboardSummary } from '../../../services/dashboard/app';
import { ensurePeriodAggregates } from '../../../services/volumes/backfill';
import { benchPeriod } from './volumes';

const SAMPLES = 60;

export const dashboardLoad: Metric = {
  name: 'dashboard.load',
  budget: { p95_ms: 50 },
  async run(ctx): Promise<MetricResult> {
    const period = await benchPeriod(ctx);
    const filled = await ensurePeriodAggregates(ctx.db, ctx.log);
    if (filled.length) ctx.log(`dashboard.load: cifras en caché calculadas para ${filled.join(', ')}`);
    const staff = { id: '00000000-0000-0000-0000-000000000000', username: 'bench', displayName: 'Bench', role: 'admin' as const, mustChangePassword: false };
    const now = () => new Date();
    const r = await sample(
      Array.from({ length: SAMPLES }, (_, i) => i),
      () => dashboardSummary({ db: ctx.db, now, staff }),
      5,
    );
    const [prev] = await ctx.sql<{ id: number }[]>`select id from periods where ends_at = ${period.startsAt.toISOString()}::timestamptz`;
    const naive = await sample(
      [0, 1, 2, 3, 4],
      () =>
        Promise.all([
          ctx.sql`select count(*) as total, count(*) filter (where enrolled_at >= ${period.startsAt.toISOString()}::timestamptz) as new from members`,
          ctx.sql`select period_id, count(distinct member_id) as active, sum(pv) as pv, sum(vn) as vn, count(*) as orders from orders
              where status = 'paid' and period_id in (${period.id}, ${prev?.id ?? -1}) group by period_id`,
          ctx.sql`select paid_as_rank, count(*) from member_volumes where period_id = ${period.id} group by paid_as_rank`,
          ctx.sql`select currency, count(*), sum(amount) from withdrawals where status = 'pending' group by currency`,
          ctx.sql`select p.key, sum(o.pv) as pv, sum(o.vn) as vn, count(distinct o.member_id) as active from periods p
              left join orders o on o.period_id = p.id and o.status = 'paid' group by p.key order by p.key desc limit 12`,
        ]),
      1,
    );
    return {
      p50_ms: r.p50_ms,
      p95_ms: r.p95_ms,
      samples: r.samples,
      baseline_p95_ms: naive.p95_ms,
      notes: `dashboardSummary as admin (period ${period.key}); baseline = the same figures by full scans of members, orders and member_volumes (${naive.samples} runs)`,
    };
  },
};

export const dashboardMetrics: Metric[] = [dashboardLoad];
