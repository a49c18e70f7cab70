/**
 * commissions.preview — the open period's commission preview as an admin asks for it
 * (`commissions.preview` through the real router): the period's data loaded, the engine run over
 * it, the totals and the top beneficiaries answered, its row stored in commission_previews. `ms`
 * is the first run; the notes give a second (warm) one and the handler's own figure. Baseline: the
 * close's naive way (a query per sponsor level and order, no writes) over a sample of members,
 * extrapolated to the period's orders.
 */
import type { Metric, MetricResult } from '../types';
import { round, timeOnce } from '../timing';
import { benchRouter } from '../app';
import { naiveBaseline } from './commissions';
import { benchPeriod } from './volumes';

export const commissionsPreview: Metric = {
  name: 'commissions.preview',
  budget: { ms: 20_000 },
  async run(ctx): Promise<MetricResult> {
    const period = await benchPeriod(ctx);
    const [{ n: orderCount } = { n: 0 }] = await ctx.sql<{ n: number }[]>`
      select count(*)::int as n from orders where period_id = ${period.id} and status = 'paid'`;
    const app = await benchRouter(ctx);
    type Out = { lines: number; beneficiaries: number; ms: number };
    let first: Out | undefined;
    let second: Out | undefined;
    const ms = await timeOnce(async () => {
      first = await app.call<Out>('commissions.preview', {});
    });
    const warmMs = await timeOnce(async () => {
      second = await app.call<Out>('commissions.preview', {});
    });
    const baseline = await naiveBaseline(ctx, period.id, orderCount, { members: Math.min(2_000, Number(process.env.NNP_BENCH_CLOSE_BASELINE ?? 2_000)) });
    return {
      ms: round(ms),
      baseline_ms: baseline.extrapolatedMs,
      samples: 1,
      notes:
        `period ${period.key}: ${first?.lines} lines for ${first?.beneficiaries} beneficiaries (handler ${first?.ms} ms); ` +
        `second run ${Math.round(warmMs)} ms (handler ${second?.ms} ms); baseline: ${baseline.orders} orders of ${baseline.members} members ` +
        `in ${Math.round(baseline.ms)} ms (${round(baseline.ms / Math.max(1, baseline.orders))} ms/order) × ${orderCount} orders`,
    };
  },
};
