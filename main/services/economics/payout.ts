/**
 * The payout ratio of a period (main/domain/economics/payout.ts defines it): a closed period's from
 * its posted lines and its orders (summed once and kept in period_payouts: a closed period's lines
 * never change — corrections are clawbacks in the open period), the open period's from its latest
 * preview (the engine's totals at the period's rates) plus the clawbacks already posted in it,
 * against the VN of its paid orders now.
 */
import { desc, sql } from 'drizzle-orm';
import { periods } from '../../db/schema';
import { figuresOf } from '../periods/views';
import type { DbOrTx } from '../../db/client';
// q: the rows of a hand-written query, typed at the call (main/db/rows.ts).
import { rows as q } from '../../db/rows';
import { payoutRatio, figuresFromTotals, type PayoutCommission, type PayoutFigures, type PayoutSales } from '../../domain/economics/payout';
import { ratesAt } from '../volumes/recompute';
import type { PeriodRow } from '../periods/lookup';
import { versionInForce } from '../plan/versions';

/** Posted lines of a period per bonus and currency (`kind`: only clawbacks, or all). */
export async function linesFigures(db: DbOrTx, periodId: number, onlyClawbacks = false): Promise<PayoutCommission[]> {
  const rows = await q<{ type: string; currency: string; amount: string; mxn: string; lines: number }>(
    db,
    sql`
    select type::text as type, trim(currency) as currency, sum(amount)::text as amount, sum(amount * fx_to)::text as mxn, count(*)::int as lines
    from commission_lines where period_id = ${periodId} and status = 'posted' ${onlyClawbacks ? sql`and kind = 'clawback'` : sql``}
    group by type, currency order by type, currency`,
  );
  return rows.map((r) => ({ type: r.type, currency: r.currency, amount: r.amount, amountMxn: r.mxn, lines: Number(r.lines) }));
}

/**
 * VN of a period's paid orders per buyer country, each order converted at the rate in force at the
 * period's start and rounded to the cent (as period_stats counts it). For a closed period, an
 * order refunded after the close still counts: the close counted it and its refund was clawed
 * back in the open period (so the two sides stay in the same period).
 */
export async function salesFigures(db: DbOrTx, period: PeriodRow): Promise<PayoutSales[]> {
  const rates = await ratesAt(db, period.startsAt);
  const whens = [...rates]
    .filter(([c, r]) => /^[A-Z]{3}$/.test(c) && /^\d+(\.\d+)?$/.test(r))
    .map(([c, r]) => `when '${c}' then ${r}::numeric`)
    .join(' ');
  const rate = sql.raw(whens ? `(case trim(o.currency) ${whens} end)` : 'null::numeric');
  const counted =
    period.status === 'closed' && period.closedAt
      ? sql`(o.status = 'paid' or (o.status = 'refunded' and o.refunded_at >= ${period.closedAt.toISOString()}::timestamptz))`
      : sql`o.status = 'paid'`;
  const rows = await q<{ country: string; currency: string; vn: string; vn_mxn: string | null; orders: number }>(
    db,
    sql`
    select trim(m.country) as country, trim(o.currency) as currency, sum(o.vn)::text as vn, sum(round(o.vn * ${rate}, 2))::text as vn_mxn, count(*)::int as orders
    from orders o join members m on m.id = o.member_id
    where o.period_id = ${period.id} and ${counted}
    group by m.country, o.currency order by 1, 2`,
  );
  return rows.map((r) => ({ country: r.country, currency: r.currency, vn: r.vn, vnMxn: r.vn_mxn ?? '0', orders: Number(r.orders) }));
}

/** A closed period's figures: kept in period_payouts, summed from its lines and orders the first time. */
export async function closedFigures(db: DbOrTx, period: PeriodRow): Promise<PayoutFigures> {
  const [kept] = await q<{ figures: PayoutFigures }>(db, sql`select figures from period_payouts where period_id = ${period.id}`);
  if (kept) return kept.figures;
  // Summed and kept by the database (drizzle/0052: the same sums as linesFigures and salesFigures):
  // the staff logins that read the report may not write the cache themselves.
  const [made] = await q<{ figures: PayoutFigures }>(db, sql`select nnp_keep_period_payouts(${period.id}) as figures`);
  return made!.figures;
}

type PreviewTotals = { byType?: Record<string, Record<string, string>>; rates?: Record<string, string> };

/** The open (or closing) period's figures: its latest preview, the clawbacks posted in it, its VN now. */
export async function previewFigures(db: DbOrTx, period: PeriodRow, withSales = true): Promise<{ figures: PayoutFigures; previewAt: string } | null> {
  const [p] = await q<{ at: Date | string; totals: PreviewTotals }>(
    db,
    sql`
    select at, totals from commission_previews where period_id = ${period.id} order by id desc limit 1`,
  );
  if (!p?.totals?.byType) return null;
  const rates = p.totals.rates ?? Object.fromEntries(await ratesAt(db, period.startsAt));
  const clawbacks = await linesFigures(db, period.id, true);
  return {
    figures: figuresFromTotals(p.totals.byType, rates, clawbacks, withSales ? await salesFigures(db, period) : []),
    previewAt: new Date(p.at).toISOString(),
  };
}

export async function periodPayout(db: DbOrTx, period: PeriodRow) {
  const version = await versionInForce(db, period.key).catch(() => null);
  const plan = version ? { id: version.id, name: version.name, effectiveFromPeriod: version.effectiveFromPeriod } : null;
  const base = { periodKey: period.key, status: period.status, plan };
  if (period.status === 'closed') return { ...base, source: 'lines' as const, previewAt: null, ...payoutRatio(await closedFigures(db, period)) };
  const pv = await previewFigures(db, period);
  if (!pv)
    return { ...base, source: 'none' as const, previewAt: null, ...payoutRatio({ commissions: [], sales: await salesFigures(db, period) }), ratio: null };
  return { ...base, source: 'preview' as const, previewAt: pv.previewAt, ...payoutRatio(pv.figures) };
}
export type PeriodPayout = Awaited<ReturnType<typeof periodPayout>>;

/**
 * The last `n` periods' overall ratio, oldest first (the dashboard's chart). A closed period's from
 * period_payouts; the open one's VN from period_stats (the cached figure the dashboard shows), so
 * this reads no orders but a closed period's the first time.
 */
export async function payoutHistory(db: DbOrTx, n = 12) {
  const list = ((await db.select().from(periods).orderBy(desc(periods.startsAt)).limit(n)) as PeriodRow[]).reverse();
  const stats = await figuresOf(
    db,
    list.filter((p) => p.status !== 'closed'),
  );
  const out = [];
  for (const period of list) {
    const version = await versionInForce(db, period.key).catch(() => null);
    let figures: PayoutFigures | null;
    let source: 'lines' | 'preview' | 'none' = 'lines';
    if (period.status === 'closed') figures = await closedFigures(db, period);
    else {
      const pv = await previewFigures(db, period, false);
      source = pv ? 'preview' : 'none';
      const vnMxn = stats.get(period.id)?.vnMxn ?? '0';
      figures = pv ? { commissions: pv.figures.commissions, sales: [{ country: '', currency: 'MXN', vn: vnMxn, vnMxn, orders: 0 }] } : null;
    }
    const r = figures ? payoutRatio(figures) : null;
    out.push({
      periodKey: period.key,
      status: period.status,
      source,
      ratio: r?.ratio ?? null,
      commissionsMxn: r?.commissionsMxn ?? null,
      vnMxn: r?.vnMxn ?? stats.get(period.id)?.vnMxn ?? '0',
      plan: version?.name ?? null,
    });
  }
  return out;
}
