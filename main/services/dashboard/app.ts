/**
 * The dashboard: one procedure, a handful of small queries over cached aggregates (period_stats,
 * period_rank_counts, the pending withdrawals from the queue's kept totals). Nothing here scans
 * members, orders or member_volumes, so it answers in milliseconds at a million members.
 */
import { latestLedgerCheck } from '../ledger/check';
import { desc, sql } from 'drizzle-orm';
import { periods } from '../../db/schema';
import { reader } from '../../kernel/wrappers';
import type { CallContext } from '../../kernel/context';
import type { OutputOf, ParsedInputOf } from '../../../shared/contract';
import { Decimal } from '../../domain/money';
import { openPeriod, previousPeriodRow, type PeriodRow } from '../periods/lookup';
import { figuresOf } from '../periods/views';

type Summary = OutputOf<'dashboard.summary'>;

/** Pending withdrawals by currency (withdrawal_totals, drizzle/0080: admin and finance read it), and their MXN equivalent at the rates in force now. */
export async function pendingWithdrawals(ctx: Pick<CallContext, 'db' | 'now'>): Promise<NonNullable<Summary['withdrawals']>> {
  const rows = await ctx.db.execute<{ currency: string; n: number; amount: string; mxn: string | null }>(sql`
    with w as (select currency, sum(n)::int as n, sum(amount) as amount from withdrawal_totals where status = 'pending' group by currency having sum(n) <> 0),
    r as (select distinct on (currency) currency, rate_to_mxn from exchange_rates where effective_from <= ${ctx.now().toISOString()}::timestamptz order by currency, effective_from desc)
    select w.currency, w.n, w.amount::numeric(18,2)::text as amount,
      round(w.amount * coalesce(r.rate_to_mxn, case when w.currency = 'MXN' then 1 end), 2)::text as mxn
    from w left join r on r.currency = w.currency order by w.currency`);
  let mxn = new Decimal(0);
  for (const r of rows) if (r.mxn) mxn = mxn.plus(r.mxn);
  return {
    pendingCount: rows.reduce((a, r) => a + r.n, 0),
    byCurrency: rows.map((r) => ({ currency: r.currency as 'MXN', count: r.n, amount: r.amount })),
    pendingMxn: mxn.toFixed(2),
  };
}

export async function dashboardSummary(ctx: Pick<CallContext, 'db' | 'now' | 'staff'>): Promise<Summary> {
  const t0 = performance.now();
  const [open, recent] = await Promise.all([
    openPeriod(ctx.db),
    ctx.db.select().from(periods).orderBy(desc(periods.startsAt)).limit(12) as Promise<PeriodRow[]>,
  ]);
  const current = open ?? recent[0] ?? null;
  const previous = current ? await previousPeriodRow(ctx.db, current) : null;
  const wanted = new Map<number, PeriodRow>();
  for (const p of [...recent, current, previous]) if (p) wanted.set(p.id, p);
  const seesMoney = ctx.staff?.role === 'admin' || ctx.staff?.role === 'finance';
  const [figures, withdrawals, ledgerCheck] = await Promise.all([
    figuresOf(ctx.db, [...wanted.values()]),
    seesMoney ? pendingWithdrawals(ctx) : Promise.resolve(null),
    seesMoney ? latestLedgerCheck(ctx.db) : Promise.resolve(null),
  ]);
  const f = current ? figures.get(current.id) : undefined;
  const fp = previous ? figures.get(previous.id) : undefined;
  const history = [...recent].reverse().map((p) => {
    const x = figures.get(p.id);
    return { key: p.key, status: p.status, pv: x?.pv ?? '0', vnMxn: x?.vnMxn ?? '0', membersActive: x?.membersActive ?? 0, membersNew: x?.membersNew ?? 0 };
  });
  return {
    period: current ? { key: current.key, status: current.status, startsAt: current.startsAt.toISOString(), endsAt: current.endsAt.toISOString() } : null,
    previousKey: previous?.key ?? null,
    members: {
      total: f?.membersTotal ?? 0,
      active: f?.membersActive ?? 0,
      new: f?.membersNew ?? 0,
      activePrevious: fp?.membersActive ?? null,
      newPrevious: fp?.membersNew ?? null,
    },
    volumes: {
      pv: f?.pv ?? '0',
      vnMxn: f?.vnMxn ?? '0',
      ordersPaid: f?.ordersPaid ?? 0,
      pvPrevious: fp?.pv ?? null,
      vnMxnPrevious: fp?.vnMxn ?? null,
      ordersPaidPrevious: fp?.ordersPaid ?? null,
    },
    ranks: f?.ranks ?? Array.from({ length: 9 }, (_, rank) => ({ rank, members: 0 })),
    advancing: f?.membersAdvancing ?? 0,
    withdrawals,
    ledgerCheck,
    history,
    ms: Math.round((performance.now() - t0) * 100) / 100,
  };
}

export const dashboardHandlers = {
  'dashboard.summary': reader((_: ParsedInputOf<'dashboard.summary'>, ctx: CallContext) => dashboardSummary(ctx)),
};
