/**
 * Ranks: paid-as rank from a period's PV and PVG, career rank, rank changes.
 * Every member requalifies every month; the career rank is the highest paid-as rank ever.
 */
import { Decimal } from './money';
import { MAX_RANK, type PlanFigures, type Rank } from './plan';

/**
 * The paid-as rank for a period: the highest rank whose PV and PVG requirements both hold,
 * else 0 (Sin rango). A member may skip ranks in one period.
 */
export function paidAsRank(pv: Decimal | string, pvg: Decimal | string, plan: PlanFigures): Rank {
  const p = new Decimal(pv);
  const g = new Decimal(pvg);
  let best: Rank = 0;
  for (const r of plan.ranks) {
    if (r.rank > best && p.gte(r.pv) && g.gte(r.pvg)) best = r.rank as Rank;
  }
  return best;
}

/** The career rank after a period: it never goes down. */
export function careerRankAfter(careerBefore: Rank, paidAs: Rank): Rank {
  return (paidAs > careerBefore ? paidAs : careerBefore) as Rank;
}

/** The ranks reached for the first time in a period (careerBefore+1 .. paidAs), ascending. */
export function ranksReachedFirstTime(careerBefore: Rank, paidAs: Rank): Rank[] {
  const out: Rank[] = [];
  for (let r = careerBefore + 1; r <= paidAs && r <= MAX_RANK; r++) out.push(r as Rank);
  return out;
}

/** Uninivel levels 1..depth are paid to a rank (0 for Sin rango). */
export function uninivelDepthOf(rank: Rank, plan: PlanFigures): number {
  if (rank === 0) return 0;
  return plan.ranks.find((r) => r.rank === rank)?.uninivelDepth ?? 0;
}

export type RankChangeKind = 'career' | 'paidAs';

/** A recorded rank change (member, period, old, new) for the history screens. */
export interface RankChange {
  readonly member: string;
  readonly period: string;
  readonly kind: RankChangeKind;
  readonly from: Rank;
  readonly to: Rank;
}

/** The rank changes of a member in a period: career promotion, and paid-as rank vs the previous period. */
export function rankChanges(member: string, period: string, before: { careerRank: Rank; previousPaidAsRank: Rank }, paidAs: Rank): RankChange[] {
  const out: RankChange[] = [];
  const career = careerRankAfter(before.careerRank, paidAs);
  if (career !== before.careerRank) out.push({ member, period, kind: 'career', from: before.careerRank, to: career });
  if (paidAs !== before.previousPaidAsRank) {
    out.push({ member, period, kind: 'paidAs', from: before.previousPaidAsRank, to: paidAs });
  }
  return out;
}
