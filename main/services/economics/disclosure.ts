/**
 * The income disclosure report (what members really earn) over a range of closed periods: per
 * paid-as rank — the member's highest paid-as rank in the range — how many members, their share of
 * all members (every member enrolled before the range's end), the share who earned anything, mean,
 * median, 10th / 90th percentile (main/domain/economics/percentile.ts: type 7) and highest
 * earnings in MXN, and who earned nothing.
 *
 * Earnings of a member in a closed period = its posted lines in that period, clawbacks netted, at
 * each line's stored rate to MXN, rounded half-up to the cent: member_period_earnings, written once
 * per closed period (a closed period's lines never change) with its paid-as rank, only for members
 * with a rank or a non-zero amount — everyone else earned nothing without a rank, and is counted
 * from the members table. The report reads those narrow rows: one aggregate per member, one sort.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
// q: the rows of a hand-written query, typed at the call (main/db/rows.ts).
import { rows as q } from '../../db/rows';
import { Decimal } from '../../domain/money';
import { comparePeriods, parsePeriodKey } from '../../domain/period';
import { MAX_RANK } from '../../domain/plan';
import { interpolate, percentilePositions } from '../../domain/economics/percentile';
import { ratioOf } from '../../domain/economics/payout';
import { AppError } from '../../../shared/errors';
import type { PeriodRow } from '../periods/lookup';

export const MAX_DISCLOSURE_PERIODS = 24;
/** Integer cents (a bigint or its sum) as the MXN decimal string "1234.50". */
const mxn = (cents: SQL) => sql`(${cents}::numeric / 100)::numeric(20, 2)::text`;
const PERCENTILES = { p10: '0.1', median: '0.5', p90: '0.9' } as const;

/**
 * Writes a closed period's member_period_earnings once, through nnp_build_period_earnings
 * (drizzle/0051): the staff logins that read the report may not write the table themselves.
 */
export async function ensureEarnings(db: DbOrTx, period: Pick<PeriodRow, 'id' | 'key' | 'status'>): Promise<{ built: boolean; rows: number; ms: number }> {
  if (period.status !== 'closed') throw new Error(`period ${period.key} is not closed`);
  const [done] = await q<{ rows: number }>(db, sql`select rows from period_earnings_built where period_id = ${period.id}`);
  if (done) return { built: false, rows: done.rows, ms: 0 };
  const [r] = await q<{ o_built: boolean; o_rows: number; o_ms: number }>(db, sql`select o_built, o_rows, o_ms from nnp_build_period_earnings(${period.id})`);
  return { built: r!.o_built, rows: Number(r!.o_rows), ms: Number(r!.o_ms) };
}

function monthsBetween(from: string, to: string): number {
  const a = parsePeriodKey(from);
  const b = parsePeriodKey(to);
  return (b.year - a.year) * 12 + (b.month - a.month) + 1;
}

/** The closed periods of a range; a typed VALIDATION error for a range the report does not serve. */
export async function disclosurePeriods(db: DbOrTx, range: { from?: string; to?: string; year?: number }) {
  let { from, to } = range;
  if (range.year !== undefined) {
    if (from || to) throw AppError.of('VALIDATION', 'economics.yearAndRange');
    from = `${range.year}-01`;
    to = `${range.year}-12`;
  }
  if (!from || !to) throw AppError.of('VALIDATION', 'economics.rangeMissing');
  if (comparePeriods(from, to) > 0) throw AppError.of('VALIDATION', 'economics.rangeOrder', { from, to }, { from, to });
  const months = monthsBetween(from, to);
  if (months > MAX_DISCLOSURE_PERIODS) {
    throw AppError.of('VALIDATION', 'economics.rangeTooLong', { periods: months, max: MAX_DISCLOSURE_PERIODS }, { from, to, periods: months });
  }
  const list = await q<{ id: number; key: string; ends_at: Date | string }>(
    db,
    sql`
    select id, key, ends_at from periods where key >= ${from} and key <= ${to} and status = 'closed' order by key`,
  );
  if (list.length === 0) throw AppError.of('VALIDATION', 'economics.noClosedPeriod', { from, to }, { from, to });
  return { from, to, periods: list.map((p) => ({ id: Number(p.id), key: p.key, status: 'closed' as const, endsAt: new Date(p.ends_at) })) };
}

export interface DisclosureRow {
  rank: number;
  members: number;
  shareOfMembers: string | null;
  earners: number;
  shareEarning: string | null;
  nonEarners: number;
  totalMxn: string;
  meanMxn: string | null;
  medianMxn: string | null;
  p10Mxn: string | null;
  p90Mxn: string | null;
  highestMxn: string | null;
}

export async function disclosureReport(db: DbOrTx, range: { from?: string; to?: string; year?: number }) {
  const t0 = performance.now();
  const { from, to, periods } = await disclosurePeriods(db, range);
  let built = 0;
  for (const p of periods) if ((await ensureEarnings(db, p)).built) built++;
  const end = periods.at(-1)!.endsAt.toISOString();
  // Every member enrolled by the range's end (a scan of the members table): asked first, on its own
  // connection when db is a pool, so it runs while the per-member sums are built.
  const allMembers = q<{ n: number }>(db, sql`select count(*)::int as n from members where enrolled_at < ${end}::timestamptz`);
  allMembers.catch(() => {});
  const out = await db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '256MB'`);
    // The per-member sum over every row of the range is the report's main cost. Each period's rows
    // come in member order from the primary key (period_id, member_id), so the periods are merged in
    // member order and summed as they stream (Merge Append → GroupAggregate), over integer cents
    // (earned_cents, kept by the database) rather than numerics: at 1M members × 12 periods 1.8 s,
    // where a hash aggregate over a million groups took 4–5 s (cache misses) and a parallel sort
    // no less. The planner prefers the hash, so it is told not to, for this statement only.
    await tx.execute(sql`set local enable_hashagg = off`);
    await tx.execute(sql`set local enable_sort = off`);
    await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
    const perPeriod = sql.join(
      periods.map((p) => sql`(select member_id, paid_as_rank, earned_cents from member_period_earnings where period_id = ${p.id} order by member_id)`),
      sql` union all `,
    );
    await tx.execute(sql`create temp table disc on commit drop as
      select member_id, max(paid_as_rank)::int as rank, sum(earned_cents)::bigint as cents
      from (${perPeriod}) e group by member_id`);
    await tx.execute(sql`reset enable_hashagg`);
    await tx.execute(sql`reset enable_sort`);
    await tx.execute(sql`reset max_parallel_workers_per_gather`);
    const groups = await q<{ rank: number; n: number; earners: number; neg: number; zero: number; total: string; max: string | null }>(
      tx,
      sql`
      select rank, count(*)::int as n, count(*) filter (where cents > 0)::int as earners, count(*) filter (where cents < 0)::int as neg,
        count(*) filter (where cents = 0)::int as zero, ${mxn(sql`sum(cents)`)} as total, ${mxn(sql`max(cents)`)} as max
      from disc group by rank`,
    );
    const [all] = await allMembers;
    const members = Math.max(
      all?.n ?? 0,
      groups.reduce((a, g) => a + g.n, 0),
    );
    const byRank = new Map(groups.map((g) => [g.rank, g]));
    // Members without a row: no paid-as rank in the range and nothing earned (rank 0, zeros).
    const implicit = members - groups.reduce((a, g) => a + g.n, 0);
    type Want = { rank: number; pos: number };
    const wanted: Want[] = [];
    const plan = new Map<number, { n: number; neg: number; zeros: number; implicit: number; at: Record<string, { lo: number; hi: number; frac: Decimal }> }>();
    for (let rank = 0; rank <= MAX_RANK; rank++) {
      const g = byRank.get(rank);
      const imp = rank === 0 ? implicit : 0;
      const n = (g?.n ?? 0) + imp;
      if (n === 0) continue;
      const at: Record<string, { lo: number; hi: number; frac: Decimal }> = {};
      for (const [name, p] of Object.entries(PERCENTILES)) at[name] = percentilePositions(n, p);
      const e = { n, neg: g?.neg ?? 0, zeros: (g?.zero ?? 0) + imp, implicit: imp, at };
      plan.set(rank, e);
      // Position k of the group's sorted values (negatives, zeros with the implicit ones, positives)
      // → a position of its explicit rows, or a zero.
      for (const x of Object.values(at))
        for (const k of [x.lo, x.hi]) {
          if (k >= e.neg && k < e.neg + e.zeros) continue;
          wanted.push({ rank, pos: k < e.neg ? k : k - imp });
        }
    }
    const values = new Map<string, string>();
    if (wanted.length) {
      // The k-th smallest explicit value of a rank (0-based) through percentile_disc, which sorts each
      // rank's cents as plain bigints (a datum sort: 0.5 s for a million, where a row_number() window
      // over (rank, cents) took 1.4 s). percentile_disc(f) returns the ⌈f·n⌉-th value; f = (k + ½)/n
      // lands on k + 1 whatever the float's last bit.
      const byGroup = new Map<number, number[]>();
      for (const w of wanted) byGroup.set(w.rank, [...(byGroup.get(w.rank) ?? []), w.pos]);
      const fractions = sql.join(
        [...byGroup].map(([rank, pos]) => {
          const n = byRank.get(rank)!.n;
          return sql.raw(`when ${rank} then array[${pos.map((k) => String((k + 0.5) / n)).join(',')}]::float8[]`);
        }),
        sql` `,
      );
      const rows = await q<{ rank: number; cents: string[] }>(
        tx,
        sql`
        select rank, percentile_disc(case rank ${fractions} end) within group (order by cents)::text[] as cents
        from disc where rank = any(${sql.raw(`array[${[...byGroup.keys()].join(',')}]::int[]`)}) group by rank`,
      );
      for (const r of rows) {
        const pos = byGroup.get(r.rank)!;
        pos.forEach((k, i) => values.set(`${r.rank}:${k}`, new Decimal(r.cents[i]!).div(100).toFixed(2)));
      }
    }
    const valueAt = (rank: number, k: number) => {
      const e = plan.get(rank)!;
      if (k >= e.neg && k < e.neg + e.zeros) return '0';
      const v = values.get(`${rank}:${k < e.neg ? k : k - e.implicit}`);
      if (v === undefined) throw new Error(`disclosure: value ${rank}:${k} missing`);
      return v;
    };
    const rows: DisclosureRow[] = [];
    let earners = 0;
    let total = new Decimal(0);
    for (let rank = 0; rank <= MAX_RANK; rank++) {
      const g = byRank.get(rank);
      const e = plan.get(rank);
      const n = e?.n ?? 0;
      const sum = new Decimal(g?.total ?? '0');
      earners += g?.earners ?? 0;
      total = total.plus(sum);
      const pct = (name: keyof typeof PERCENTILES) => {
        const x = e!.at[name]!;
        return interpolate(valueAt(rank, x.lo), valueAt(rank, x.hi), x.frac);
      };
      const highest = g?.max == null ? (n ? '0.00' : null) : Decimal.max(g.max, e!.implicit > 0 ? 0 : g.max).toFixed(2);
      rows.push({
        rank,
        members: n,
        shareOfMembers: ratioOf(String(n), String(members)),
        earners: g?.earners ?? 0,
        shareEarning: n ? ratioOf(String(g?.earners ?? 0), String(n)) : null,
        nonEarners: n - (g?.earners ?? 0),
        totalMxn: sum.toFixed(2),
        meanMxn: n ? sum.div(n).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2) : null,
        medianMxn: n ? pct('median') : null,
        p10Mxn: n ? pct('p10') : null,
        p90Mxn: n ? pct('p90') : null,
        highestMxn: highest,
      });
    }
    return {
      from,
      to,
      periods: periods.map((p) => p.key),
      members,
      earners,
      nonEarners: members - earners,
      totalMxn: total.toFixed(2),
      meanMxn: members ? total.div(members).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2) : null,
      rows,
    };
  });
  return { ...out, builtPeriods: built, ms: Math.round(performance.now() - t0) };
}
