/**
 * Incremental volumes: one order confirmed (or refunded) changes its member's PV/VN and the PVG of
 * every ancestor — ancestors are read from members.path, never walked with a query per level —
 * in one upsert over (member, ancestors), paid-as ranks re-evaluated in the same statement, and
 * the period's cached aggregates (period_stats, period_rank_counts) adjusted by the differences.
 *
 * Concurrency: the period_stats row is locked first, so the updates of one period are applied one
 * after the other (each sees the previous one's result) and a full recomputation excludes them.
 * Rows are upserted in ascending member id order, so two transactions never wait on each other in
 * opposite orders.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import type { PlanFigures } from '../../domain/plan';
import { Decimal } from '../../domain/money';
import { rankCaseFragment, rankCaseSql } from './rank-sql';

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

type Row = { member_id: string | number; old_rank: number; new_rank: number; old_pv: string; new_pv: string; career_rank: number };

/** Applies one volume change to a period; answers the members whose paid-as rank changed. */
export async function applyVolumeDelta(tx: DbOrTx, d: VolumeDelta, plan: PlanFigures): Promise<RankChangeRow[]> {
  const pv = new Decimal(d.pv);
  const vn = new Decimal(d.vn);
  const pvg = new Decimal(d.pvgDelta);
  if (pv.isZero() && vn.isZero() && pvg.isZero() && d.orders === 0) return [];

  // Lock the period's aggregates first: the statement below then sees every earlier update.
  await tx.execute(sql`insert into period_stats (period_id) values (${d.periodId}) on conflict do nothing`);
  await tx.execute(sql`select 1 from period_stats where period_id = ${d.periodId} for update`);

  const ids = [...new Set([...d.ancestorIds, ...(d.memberId == null ? [] : [d.memberId])])].sort((a, b) => a - b);
  const self = d.memberId ?? -1;
  const idArray = `{${ids.join(',')}}`;
  const newRank = sql.raw(rankCaseSql(plan, 'x.pv', 'x.pvg'));
  const selfPv = sql`(case when mv.member_id = ${self} then ${d.pv}::numeric else 0 end)`;
  const selfVn = sql`(case when mv.member_id = ${self} then ${d.vn}::numeric else 0 end)`;
  const conflictRank = sql.raw(rankCaseSql(plan, '(mv.pv + excluded.pv)', '(mv.pvg + excluded.pvg)'));
  const rankOfNew = rankCaseFragment(plan, sql`(mv.pv + ${selfPv})`, sql`(mv.pvg + ${d.pvgDelta}::numeric)`);
  const negative = pv.isNegative() || vn.isNegative() || pvg.isNegative();
  // CHECK constraints are evaluated on the row an INSERT proposes, before ON CONFLICT turns it into
  // an update: a subtraction (refund, a subtree moving away) is therefore a plain UPDATE of rows
  // that must exist; an addition is an upsert (new rows appear for members without volumes yet).
  const change = negative
    ? sql`
      update member_volumes mv set pv = mv.pv + ${selfPv}, vn = mv.vn + ${selfVn}, pvg = mv.pvg + ${d.pvgDelta}::numeric,
        paid_as_rank = ${rankOfNew}, updated_at = now()
      where mv.period_id = ${d.periodId} and mv.member_id = any(${idArray}::bigint[])
      returning mv.member_id, mv.pv, mv.paid_as_rank`
    : sql`
      insert into member_volumes as mv (period_id, member_id, pv, vn, pvg, paid_as_rank, updated_at)
      select ${d.periodId}, x.id, x.pv, x.vn, x.pvg, ${newRank}, now()
      from (
        select u.id,
          case when u.id = ${self} then ${d.pv}::numeric else 0 end as pv,
          case when u.id = ${self} then ${d.vn}::numeric else 0 end as vn,
          ${d.pvgDelta}::numeric as pvg
        from unnest(${idArray}::bigint[]) as u(id) order by u.id
      ) x
      on conflict (period_id, member_id) do update set
        pv = mv.pv + excluded.pv, vn = mv.vn + excluded.vn, pvg = mv.pvg + excluded.pvg,
        paid_as_rank = ${conflictRank}, updated_at = now()
      returning mv.member_id, mv.pv, mv.paid_as_rank`;
  const rows = (await tx.execute(sql`
    with old as (
      select member_id, pv, paid_as_rank from member_volumes where period_id = ${d.periodId} and member_id = any(${idArray}::bigint[])
    ), up as (${change})
    select up.member_id, coalesce(old.paid_as_rank, 0)::int as old_rank, up.paid_as_rank::int as new_rank,
      coalesce(old.pv, 0)::text as old_pv, up.pv::text as new_pv, m.career_rank::int as career_rank
    from up left join old on old.member_id = up.member_id join members m on m.id = up.member_id`)) as unknown as Row[];
  if (negative && rows.length !== ids.length) {
    throw new Error(`volumes of period ${d.periodId} are missing rows for ${ids.length - rows.length} members: recompute the period`);
  }

  let active = 0;
  let advancing = 0;
  const rankDelta = new Map<number, number>();
  const changes: RankChangeRow[] = [];
  for (const r of rows) {
    const id = Number(r.member_id);
    if (id === self) {
      const was = new Decimal(r.old_pv).gt(0);
      const is = new Decimal(r.new_pv).gt(0);
      active += (is ? 1 : 0) - (was ? 1 : 0);
    }
    if (r.old_rank !== r.new_rank) {
      changes.push({ memberId: id, oldRank: r.old_rank, newRank: r.new_rank });
      if (r.old_rank > 0) rankDelta.set(r.old_rank, (rankDelta.get(r.old_rank) ?? 0) - 1);
      if (r.new_rank > 0) rankDelta.set(r.new_rank, (rankDelta.get(r.new_rank) ?? 0) + 1);
      advancing += (r.new_rank > r.career_rank ? 1 : 0) - (r.old_rank > r.career_rank ? 1 : 0);
    }
  }
  const deltas = [...rankDelta].filter(([, n]) => n !== 0);
  await tx.execute(sql`
    with s as (
      update period_stats set pv = pv + ${d.pv}::numeric, vn_mxn = vn_mxn + ${d.vnMxn}::numeric, orders_paid = orders_paid + ${d.orders},
        members_active = members_active + ${active}, members_advancing = members_advancing + ${advancing}, updated_at = now()
      where period_id = ${d.periodId} returning period_id
    )
    , d as (select r, n from unnest(${`{${deltas.map(([r]) => r).join(',')}}`}::smallint[], ${`{${deltas.map(([, n]) => n).join(',')}}`}::int[]) as u(r, n))
    , upd as (
      update period_rank_counts c set members = c.members + d.n from d where c.period_id = ${d.periodId} and c.rank = d.r returning c.rank
    )
    insert into period_rank_counts (period_id, rank, members)
    select ${d.periodId}, d.r, d.n from d where d.r not in (select rank from upd)`);
  return changes;
}
