/**
 * Full recomputation of a period's volumes and paid-as ranks. recomputePeriod runs it in the app's
 * memory (recompute-memory.ts) by default; this file also keeps the SQL way — the tests' oracle,
 * and the fallback for figures beyond exact doubles — set-based: a handful of statements over
 * whole tables, never a query per member.
 *
 *   PV(m)  = Σ PV of m's paid orders of the period (kits included)
 *   VN(m)  = Σ VN of m's paid orders (kits carry VN 0)
 *   PVG(m) = PV(m) + Σ PV(d) over m's whole downline
 *
 * The PVG roll-up uses the genealogy's path order: sorted by member_paths.path (COLLATE "C"), every
 * member's downline is the contiguous run of rows after it, downline_size rows long. One window
 * pass gives the running sum of PV in path order, and PVG(m) = running(m + downline_size) −
 * running(m − 1), read by a second window over the same order (`lead` with a per-row offset):
 * one sort and two scans — O(N log N) whatever the depth of the tree. The result is then verified against sponsor ids alone (PVG(m) = PV(m) +
 * Σ PVG(children), for every member: by induction, every PVG is right); if any member fails — a
 * wrong cached downline_size, say — the roll-up is redone the slower obviously-correct way (each
 * PV added to every ancestor id of its path). Members without PV, VN or PVG get no row.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { rows } from '../../db/rows';
import type { PlanFigures } from '../../domain/plan';
import { rankCaseCentsSql } from './rank-sql';
import { isDecimalString } from '../../domain/money';
import type { PeriodRow } from '../periods/lookup';
import { BeyondExactDoubles } from '../../domain/volume-rollup';
import { recomputeInMemory } from './recompute-memory';

export interface RecomputeResult {
  periodId: number;
  /** member_volumes rows of the period after the run. */
  rows: number;
  active: number;
  ordersPaid: number;
  pv: string;
  vnMxn: string;
  ranks: Record<number, number>;
  advancing: number;
  /**
   * 'memory' (recompute-memory.ts: the roll-up in the app, by sponsor ids), or the SQL way:
   * 'prefix' (path-order running sums) or 'paths' (its fallback: PV added to every ancestor).
   */
  method: 'memory' | 'prefix' | 'paths';
  /** How member_volumes was written: 'insert' (period had no rows) or 'merge' (only changed rows). */
  write: 'insert' | 'merge';
  ms: number;
  /** Milliseconds per stage (the in-memory way). */
  stages?: Record<string, number>;
}

export interface RecomputeOptions {
  /** Reported between the stages (0..1). */
  onProgress?: (fraction: number, stage: string) => Promise<void> | void;
  /** The SQL way instead of the in-memory one (the tests' oracle; the bench's comparison). */
  way?: 'memory' | 'sql';
  /** Test hook: the SQL way's fallback roll-up. */
  forcePaths?: boolean;
}

type Exec = <T = Record<string, unknown>>(q: ReturnType<typeof sql>) => Promise<T[]>;
const exec =
  (tx: DbOrTx): Exec =>
  <T>(q: ReturnType<typeof sql>) =>
    rows<T>(tx, q);

/** MXN per unit of each currency in force at an instant (the company-fixed rates). */
export async function ratesAt(tx: DbOrTx, at: Date): Promise<Map<string, string>> {
  const rows = await tx.execute<{ currency: string; rate: string }>(sql`
    select distinct on (currency) currency, rate_to_mxn::text as rate from exchange_rates
    where effective_from <= ${at.toISOString()}::timestamptz order by currency, effective_from desc`);
  const out = new Map(rows.map((r) => [r.currency.trim(), r.rate]));
  if (!out.has('MXN')) out.set('MXN', '1');
  return out;
}

/**
 * The paid orders of a period, aggregated per member: PV (and PV in hundredths, an integer), VN,
 * and VN in MXN — each order's VN converted at the rate in force at the period's start, rounded
 * per order (the rates are a handful of validated literals in a CASE, not a join per order).
 */
export const ownVolumesSql = (period: Pick<PeriodRow, 'id'>, rates: Map<string, string>) => {
  const whens = [...rates]
    .filter(([c, r]) => /^[A-Z]{3}$/.test(c) && isDecimalString(r, { nonNegative: true }))
    .map(([c, r]) => `when '${c}' then ${r}::numeric`)
    .join(' ');
  const rate = sql.raw(whens ? `(case o.currency ${whens} end)` : 'null::numeric');
  return sql`
  select o.member_id, sum(o.pv) as pv, (sum(o.pv) * 100)::bigint as pv_c, sum(o.vn) as vn,
    sum(round(o.vn * ${rate}, 2)) as vn_mxn, count(*)::int as orders
  from orders o
  where o.period_id = ${period.id} and o.status = 'paid'
  group by o.member_id`;
};

/**
 * Asks for `size` of temporary buffers for the rest of the transaction if the session may still
 * change it (no temporary table used yet, or the same size already): a DO block whose exception
 * handler is a subtransaction, so a refusal leaves the transaction usable.
 */
export function tempBuffersSql(size: string): string {
  if (!/^\d+(kB|MB|GB)$/.test(size)) throw new Error(`temp_buffers: ${size}`);
  return `do $tb$ begin perform set_config('temp_buffers', '${size}', true);
    exception when invalid_parameter_value then null; end $tb$`;
}

/**
 * Recomputes member_volumes, period_stats and period_rank_counts of one period inside `tx`.
 * Takes the period_stats row lock first, so incremental updates of the same period wait for it
 * (and see its result). The caller checks that the period may be written. In memory
 * (recompute-memory.ts) unless asked otherwise, or unless its figures would not be exact there.
 */
export async function recomputePeriod(tx: DbOrTx, period: PeriodRow, plan: PlanFigures, opts: RecomputeOptions = {}): Promise<RecomputeResult> {
  const t0 = performance.now();
  const q = exec(tx);
  const progress = async (f: number, stage: string) => {
    await opts.onProgress?.(f, stage);
  };
  await q(sql`insert into period_stats (period_id) values (${period.id}) on conflict do nothing`);
  await q(sql`select period_id from period_stats where period_id = ${period.id} for update`);
  if (opts.way !== 'sql' && !opts.forcePaths) {
    try {
      const r = await recomputeInMemory(tx, period, plan, progress);
      return { ...r, ms: performance.now() - t0 };
    } catch (e) {
      // Thrown before anything is written (the totals are checked first).
      if (!(e instanceof BeyondExactDoubles)) throw e;
    }
  }
  const r = await recomputeInSql(tx, period, plan, opts, progress);
  return { ...r, ms: performance.now() - t0 };
}

/** The SQL way: a handful of statements over whole tables (see the top of this file). */
async function recomputeInSql(
  tx: DbOrTx,
  period: PeriodRow,
  plan: PlanFigures,
  opts: RecomputeOptions,
  progress: (f: number, stage: string) => Promise<void>,
): Promise<Omit<RecomputeResult, 'ms'>> {
  const q = exec(tx);
  await q(sql`set local work_mem = '256MB'`);
  // The work tables below hold a million rows: temporary tables live in the session's local
  // buffers (8 MB by default, then the disk). The session's first temporary table fixes their size
  // and PostgreSQL then REFUSES another temp_buffers (22023) — a pooled connection that already
  // used a temporary table (the close's ledger and programme steps do) would fail the whole
  // transaction. So it is asked for in a subtransaction and, when refused, the session keeps the
  // size it has (slower at a million members, never wrong).
  await q(sql.raw(tempBuffersSql('768MB')));
  await q(sql`drop table if exists vol_own, vol_all`);

  // Numeric sums in a hash aggregate of ~1M groups are slow and spill; grouping in member order is 2× faster.
  await q(sql`set local enable_hashagg = off`);
  await q(sql`create temp table vol_own on commit drop as ${ownVolumesSql(period, await ratesAt(tx, period.startsAt))}`);
  await q(sql`set local enable_hashagg = on`);
  await q(sql`analyze vol_own`);
  await progress(0.2, 'own');

  // Points are rolled up in hundredths, exact integers: as int4 per member (when every member's PV
  // fits) the running sums are int8 — several times faster than numeric over a million rows.
  // They become numeric(…,2) again when written.
  const [mx] = await q<{ max: string | null }>(sql`select max(pv_c)::text as max from vol_own`);
  const pvC = sql.raw(BigInt(mx?.max ?? '0') < 2_000_000_000n ? 'o.pv_c::int4' : 'o.pv_c::numeric');
  let method: RecomputeResult['method'] = 'prefix';
  if (!opts.forcePaths) {
    // member_paths is read in path order (its path index; the table is written in that order, so
    // this is close to a sequential read) and members and vol_own are hashed: the joined rows come
    // out in path order and the sort the windows need finds them sorted (PostgreSQL's sort checks
    // for presorted input). A plain join hashed member_paths and sorted a million paths: ~1 s more
    // at 1,000,000 members (docs/performance.md). Only speed depends on this; the order is the sort's.
    await q(sql`
      create temp table vol_all on commit drop as
      select x.id as member_id, x.sponsor_id, x.career_rank, x.pv_c, x.vn,
        lead(x.cs, x.downline_size) over (order by x.path) - x.cs + x.pv_c as pvg_c
      from (
        select m.id, p.path, m.sponsor_id, m.downline_size, m.career_rank, coalesce(o.pv_c, 0) as pv_c, coalesce(o.vn, 0) as vn,
          sum(coalesce(${pvC}, 0)) over (order by p.path rows unbounded preceding) as cs
        from (select member_id, path from member_paths order by path) p
          join members m on m.id = p.member_id left join vol_own o on o.member_id = p.member_id
      ) x`);
    // Verify the result, not its inputs: PVG(m) = PV(m) + Σ PVG(children) for every member, by
    // sponsor ids alone. By induction over the tree this proves every PVG; any wrong cached
    // downline size (or path order) fails it, and the roll-up is redone the other way.
    const [bad] = await q<{ n: number }>(sql`
      select count(*)::int as n from vol_all v
      left join (select sponsor_id, sum(pvg_c) as s from vol_all where sponsor_id is not null group by sponsor_id) k on k.sponsor_id = v.member_id
      where v.pvg_c is distinct from v.pv_c + coalesce(k.s, 0)`);
    if ((bad?.n ?? 0) > 0) {
      method = 'paths';
      await q(sql`drop table vol_all`);
    }
  } else method = 'paths';
  if (method === 'paths') {
    await q(sql`
      create temp table vol_all on commit drop as
      with up as (
        select unnest(string_to_array(rtrim(p.path, '/'), '/'))::bigint as id, o.pv_c
        from vol_own o join member_paths p on p.member_id = o.member_id where o.pv_c <> 0
      ), g as (select id, sum(pv_c) as pvg_c from up group by id)
      select coalesce(g.id, o.member_id) as member_id, m.sponsor_id, m.career_rank, coalesce(o.pv_c, 0) as pv_c, coalesce(o.vn, 0) as vn, coalesce(g.pvg_c, 0) as pvg_c
      from g full join vol_own o on o.member_id = g.id join members m on m.id = coalesce(g.id, o.member_id)`);
  }
  await progress(0.55, 'rollup');

  // The rows the period keeps (members with PV, VN or PVG) with their paid-as rank: a CTE each
  // statement below reads from vol_all (cheaper than another million-row work table).
  const rank = sql.raw(rankCaseCentsSql(plan, 'pv_c', 'pvg_c'));
  const kept = sql`n as (
    select member_id, career_rank, pv_c, (pv_c::numeric / 100)::numeric(16,2) as pv, vn, (pvg_c::numeric / 100)::numeric(18,2) as pvg, ${rank} as rank
    from vol_all where pvg_c > 0 or pv_c > 0 or vn > 0)`;

  // Write only what differs (a close after a month of incremental updates writes almost nothing);
  // new rows go in member order, which keeps both indexes' insertions local.
  const [existing] = await q<{ any: boolean }>(sql`select exists (select 1 from member_volumes where period_id = ${period.id}) as any`);
  const write: RecomputeResult['write'] = existing?.any ? 'merge' : 'insert';
  if (write === 'insert') {
    await q(sql`
      insert into member_volumes (period_id, member_id, pv, vn, pvg, paid_as_rank, updated_at)
      with ${kept}
      select ${period.id}, member_id, pv, vn, pvg, rank, now() from n order by member_id`);
  } else {
    await q(sql`
      insert into member_volumes as mv (period_id, member_id, pv, vn, pvg, paid_as_rank, updated_at)
      with ${kept}
      select ${period.id}, n.member_id, n.pv, n.vn, n.pvg, n.rank, now()
      from n left join member_volumes o on o.period_id = ${period.id} and o.member_id = n.member_id
      where o.member_id is null or (o.pv, o.vn, o.pvg, o.paid_as_rank) is distinct from (n.pv, n.vn, n.pvg, n.rank)
      order by n.member_id
      on conflict (period_id, member_id) do update set pv = excluded.pv, vn = excluded.vn, pvg = excluded.pvg,
        paid_as_rank = excluded.paid_as_rank, updated_at = excluded.updated_at`);
    await q(sql`
      delete from member_volumes mv where mv.period_id = ${period.id}
        and not exists (select 1 from vol_all v where v.member_id = mv.member_id and (v.pvg_c > 0 or v.pv_c > 0 or v.vn > 0))`);
  }
  await progress(0.85, 'write');

  const stats = await rebuildStatsFrom(tx, period, kept);
  await progress(1, 'stats');
  return { ...stats, periodId: period.id, method, write };
}

/** period_stats and period_rank_counts from the temp tables of a recomputation. */
async function rebuildStatsFrom(tx: DbOrTx, period: PeriodRow, kept: ReturnType<typeof sql>) {
  const q = exec(tx);
  const [own] = await q<{ orders: number; pv: string; vn_mxn: string }>(sql`
    select coalesce(sum(orders), 0)::int as orders, coalesce(sum(pv), 0)::numeric(18,2)::text as pv, coalesce(sum(vn_mxn), 0)::numeric(20,2)::text as vn_mxn from vol_own`);
  // Rows, members active and advancing, by paid-as rank: one pass.
  const byRank = await q<{ rank: number; n: number; active: number; advancing: number }>(sql`
    with ${kept}
    select rank::int as rank, count(*)::int as n, count(*) filter (where pv_c > 0)::int as active,
      count(*) filter (where rank > career_rank)::int as advancing
    from n group by rank`);
  const v = byRank.reduce((a, r) => ({ rows: a.rows + r.n, active: a.active + r.active, advancing: a.advancing + r.advancing }), {
    rows: 0,
    active: 0,
    advancing: 0,
  });
  const rankRows = byRank.filter((r) => r.rank > 0);
  const [m] = await q<{ total: number; fresh: number; max_id: string | null }>(sql`
    select count(*) filter (where enrolled_at < ${period.endsAt.toISOString()}::timestamptz)::int as total,
      count(*) filter (where enrolled_at >= ${period.startsAt.toISOString()}::timestamptz and enrolled_at < ${period.endsAt.toISOString()}::timestamptz)::int as fresh,
      max(id)::text as max_id
    from members`);
  const ranks: Record<number, number> = {};
  for (const r of rankRows) ranks[r.rank] = r.n;
  const figures = {
    rows: v.rows,
    active: v.active,
    advancing: v.advancing,
    ordersPaid: own?.orders ?? 0,
    pv: own?.pv ?? '0',
    vnMxn: own?.vn_mxn ?? '0',
    ranks,
  };
  await writePeriodFigures(tx, period, figures, { total: m?.total ?? 0, fresh: m?.fresh ?? 0, maxId: Number(m?.max_id ?? 0) });
  return figures;
}

export type PeriodFigures = Pick<RecomputeResult, 'rows' | 'active' | 'advancing' | 'ordersPaid' | 'pv' | 'vnMxn' | 'ranks'>;

/** period_stats and period_rank_counts of a recomputation (both ways). */
export async function writePeriodFigures(
  tx: DbOrTx,
  period: PeriodRow,
  f: PeriodFigures,
  members: { total: number; fresh: number; maxId: number },
): Promise<void> {
  const q = exec(tx);
  await q(sql`
    update period_stats set members_total = ${members.total}, members_new = ${members.fresh}, max_member_id = ${members.maxId},
      members_active = ${f.active}, members_advancing = ${f.advancing}, orders_paid = ${f.ordersPaid},
      pv = ${f.pv}::numeric, vn_mxn = ${f.vnMxn}::numeric, rebuilt_at = now(), updated_at = now()
    where period_id = ${period.id}`);
  await q(sql`delete from period_rank_counts where period_id = ${period.id}`);
  const rankRows = Object.entries(f.ranks)
    .map(([r, n]) => ({ rank: Number(r), n }))
    .filter((r) => r.rank > 0 && r.n > 0)
    .sort((a, b) => a.rank - b.rank);
  if (rankRows.length) {
    await q(sql`insert into period_rank_counts (period_id, rank, members)
      select ${period.id}, r, n from unnest(${`{${rankRows.map((r) => r.rank).join(',')}}`}::smallint[], ${`{${rankRows.map((r) => r.n).join(',')}}`}::int[]) as u(r, n)`);
  }
}
