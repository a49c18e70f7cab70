/**
 * Incremental volumes: one order confirmed (or refunded) changes its member's PV/VN and the PVG of
 * every ancestor — ancestors are read from member_paths.path, never walked with a query per level —
 * in one upsert over (member, ancestors), paid-as ranks re-evaluated in the same statement, and
 * the period's cached aggregates (period_stats, period_rank_counts) adjusted by the differences.
 *
 * Concurrency: the period_stats row is locked first, so the updates of one period are applied one
 * after the other (each sees the previous one's result) and a full recomputation excludes them.
 * Rows are upserted in ascending member id order, so two transactions never wait on each other in
 * opposite orders.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import type { PlanFigures } from '../../domain/plan';
import { Decimal } from '../../domain/money';
import { rankCaseFragment, rankCaseSql } from './rank-sql';
import { executePrepared } from '../../db/rows';

export interface VolumeDelta {
  periodId: number;
  /** The member whose own PV/VN change; null for a pure PVG change (a subtree moved). */
  memberId: number | null;
  /** Ancestor ids (root first): their PVG, and the member's own, change by pvgDelta. */
  ancestorIds: number[];
  /** Signed decimal strings. */
  pv: string;
  vn: string;
  pvgDelta: string;
  /** Changes to period_stats: orders counted (+1 / −1 / 0) and the VN in MXN. */
  orders: number;
  vnMxn: string;
}

export interface RankChangeRow {
  memberId: number;
  oldRank: number;
  newRank: number;
}

/** Ancestor ids of a member from its path ("1/5/42/" → [1, 5] for member 42). */
export function ancestorsFromPath(path: string): number[] {
  const parts = path.split('/').filter(Boolean).map(Number);
  parts.pop();
  return parts;
}

/** Applies one volume change to a period; answers the members whose paid-as rank changed. */
export async function applyVolumeDelta(
  tx: DbOrTx,
  d: VolumeDelta,
  plan: PlanFigures,
  /** statsLocked: the caller already holds the period_stats row lock. prelude: a data-modifying CTE run in the same statement (the order's own update). */
  opts: { statsLocked?: boolean; prelude?: SQL } = {},
): Promise<RankChangeRow[]> {
  const pv = new Decimal(d.pv);
  const vn = new Decimal(d.vn);
  const pvg = new Decimal(d.pvgDelta);
  if (pv.isZero() && vn.isZero() && pvg.isZero() && d.orders === 0) return [];

  // Lock the period's aggregates first (unless the caller did, in one of its own statements): the
  // statement below then takes its snapshot after every earlier update of the period committed.
  if (!opts.statsLocked) await lockPeriodStats(tx, d.periodId);

  const ids = [...new Set([...d.ancestorIds, ...(d.memberId == null ? [] : [d.memberId])])].sort((a, b) => a - b);
  const self = d.memberId ?? -1;
  const idArray = `{${ids.join(',')}}`;
  const newRank = sql.raw(rankCaseSql(plan, 'x.pv', 'x.pvg'));
  const selfPv = sql`(case when mv.member_id = ${self} then ${d.pv}::numeric else 0 end)`;
  const selfVn = sql`(case when mv.member_id = ${self} then ${d.vn}::numeric else 0 end)`;
  const conflictRank = sql.raw(rankCaseSql(plan, '(mv.pv + excluded.pv)', '(mv.pvg + excluded.pvg)'));
  const rankOfNew = rankCaseFragment(plan, sql`(mv.pv + ${selfPv})`, sql`(mv.pvg + ${d.pvgDelta}::numeric)`);
  const negative = pv.isNegative() || vn.isNegative() || pvg.isNegative();
  // The rows that exist are updated in place (an upsert's speculative insertion and tuple lock cost
  // a quarter more: 162 rows of a member at depth 161, 3.9 vs 3.0 ms). CHECK constraints are
  // evaluated on the row an INSERT proposes, before ON CONFLICT turns it into an update: so only an
  // addition inserts the missing rows (members without volumes yet); a subtraction (refund, a
  // subtree moving away) must find every row. ON CONFLICT stays for a row inserted meanwhile.
  const updated = sql`
      update member_volumes mv set pv = mv.pv + ${selfPv}, vn = mv.vn + ${selfVn}, pvg = mv.pvg + ${d.pvgDelta}::numeric,
        paid_as_rank = ${rankOfNew}, updated_at = now()
      where mv.period_id = ${d.periodId} and mv.member_id = any(${idArray}::bigint[])
      returning mv.member_id, mv.pv, mv.paid_as_rank`;
  const change = negative
    ? sql`upd as (${updated}), up as (select * from upd)`
    : sql`upd as (${updated}),
    ins as (
      insert into member_volumes as mv (period_id, member_id, pv, vn, pvg, paid_as_rank, updated_at)
      select ${d.periodId}, x.id, x.pv, x.vn, x.pvg, ${newRank}, now()
      from (
        select u.id,
          case when u.id = ${self} then ${d.pv}::numeric else 0 end as pv,
          case when u.id = ${self} then ${d.vn}::numeric else 0 end as vn,
          ${d.pvgDelta}::numeric as pvg
        from unnest(${idArray}::bigint[]) as u(id)
        where not exists (select 1 from old where old.member_id = u.id)
        order by u.id
      ) x
      on conflict (period_id, member_id) do update set
        pv = mv.pv + excluded.pv, vn = mv.vn + excluded.vn, pvg = mv.pvg + excluded.pvg,
        paid_as_rank = ${conflictRank}, updated_at = now()
      returning mv.member_id, mv.pv, mv.paid_as_rank
    ),
    up as (select * from upd union all select * from ins)`;
  // One statement: the volumes' change, the rank changes it causes, and the period's aggregates
  // (PV, VN, orders, members active, members advancing, members by rank) adjusted by differences.
  const prelude = opts.prelude ? sql`${opts.prelude}, ` : sql``;
  const [r] = (await executePrepared(
    tx,
    sql`
    with ${prelude}old as (
      select member_id, pv, paid_as_rank from member_volumes where period_id = ${d.periodId} and member_id = any(${idArray}::bigint[])
    ), ${change},
    ch as (
      select up.member_id, coalesce(old.paid_as_rank, 0)::int as old_rank, up.paid_as_rank::int as new_rank,
        coalesce(old.pv, 0) as old_pv, up.pv as new_pv
      from up left join old on old.member_id = up.member_id
    ),
    deltas as (
      select x.r, sum(x.n)::int as n from (
        select old_rank as r, -1 as n from ch where old_rank <> new_rank and old_rank > 0
        union all select new_rank, 1 from ch where old_rank <> new_rank and new_rank > 0
      ) x group by x.r having sum(x.n) <> 0
    ),
    s as (
      update period_stats set pv = pv + ${d.pv}::numeric, vn_mxn = vn_mxn + ${d.vnMxn}::numeric, orders_paid = orders_paid + ${d.orders},
        members_active = members_active + coalesce((
          select sum((new_pv > 0)::int - (old_pv > 0)::int) from ch where member_id = ${self}), 0),
        -- Members are read only for the rows whose rank changed (a few), not for every ancestor.
        members_advancing = members_advancing + coalesce((
          select sum((ch.new_rank > m.career_rank)::int - (ch.old_rank > m.career_rank)::int)
          from ch join members m on m.id = ch.member_id where ch.old_rank <> ch.new_rank), 0),
        updated_at = now()
      where period_id = ${d.periodId} returning period_id
    ),
    rc_up as (
      update period_rank_counts c set members = c.members + deltas.n from deltas where c.period_id = ${d.periodId} and c.rank = deltas.r returning c.rank
    ),
    rc_ins as (
      insert into period_rank_counts (period_id, rank, members)
      select ${d.periodId}, deltas.r, deltas.n from deltas
      where not exists (select 1 from period_rank_counts c where c.period_id = ${d.periodId} and c.rank = deltas.r)
      returning rank
    )
    select (select count(*) from up)::int as touched, (select count(*) from s)::int as stats,
      coalesce((select json_agg(json_build_array(member_id, old_rank, new_rank)) from ch where old_rank <> new_rank), '[]'::json) as changes`,
  )) as { touched: number; stats: number; changes: [number | string, number, number][] | string }[];
  if (negative && (r?.touched ?? 0) !== ids.length) {
    throw new Error(`volumes of period ${d.periodId} are missing rows for ${ids.length - (r?.touched ?? 0)} members: recompute the period`);
  }
  if (!r?.stats) throw new Error(`period ${d.periodId} has no cached aggregates row`);
  const list = typeof r.changes === 'string' ? (JSON.parse(r.changes) as [number, number, number][]) : r.changes;
  return list.map(([memberId, oldRank, newRank]) => ({ memberId: Number(memberId), oldRank, newRank }));
}

/** Locks the period's cached aggregates row (creating it when missing). */
export async function lockPeriodStats(tx: DbOrTx, periodId: number): Promise<void> {
  const rows = await tx.execute(sql`select 1 as ok from period_stats where period_id = ${periodId} for update`);
  if (rows.length) return;
  await tx.execute(sql`insert into period_stats (period_id) values (${periodId}) on conflict do nothing`);
  await tx.execute(sql`select 1 from period_stats where period_id = ${periodId} for update`);
}
