import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { affected } from '../../db/rows';
import { AppError } from '../../../shared/errors';
import { Decimal } from '../../domain/money';
import { applyVolumeDelta } from '../volumes/incremental';
import { currentPlan } from '../plan/current';

export interface MoveResult {
  memberId: number;
  oldSponsorId: number | null;
  newSponsorId: number;
  movedMembers: number;
  oldPath: string;
  newPath: string;
  oldDepth: number;
  newDepth: number;
  /** Ancestors that lost the subtree, and those that gained it (common ancestors in neither). */
  lostAncestors: number[];
  gainedAncestors: number[];
}

/** Serialises genealogy corrections with each other (two moves can never interleave into a cycle). */
const MOVE_LOCK = 7261003;

type Locked = { id: string; sponsor_id: string | null; path: string; depth: number; downline_size: number };

/**
 * Moves a member with its whole downline under another sponsor. Set-based: one UPDATE rewrites
 * the path and depth of the whole subtree in member_paths (one range of the path index; members
 * itself only gets the member's new sponsor_id), one UPDATE each adjusts
 * downline_size of the ancestors that lost and of those that gained the subtree (common ancestors
 * are untouched). Must run inside a transaction; checks for a cycle under a lock.
 */
export async function moveSubtree(tx: DbOrTx, memberId: number, newSponsorId: number): Promise<MoveResult> {
  await tx.execute(sql`select pg_advisory_xact_lock(${MOVE_LOCK})`);
  const rows = await tx.execute<Locked>(sql`
    select m.id, m.sponsor_id, p.path, p.depth, m.downline_size from members m join member_paths p on p.member_id = m.id
    where m.id in (${memberId}, ${newSponsorId}) order by m.id for update`);
  const m = rows.find((r) => Number(r.id) === memberId);
  const s = rows.find((r) => Number(r.id) === newSponsorId);
  if (!m) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId });
  if (!s) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId: newSponsorId });
  if (memberId === newSponsorId || s.path.startsWith(m.path)) {
    throw AppError.of(
      'CONFLICT',
      'genealogy.cycle',
      {},
      {
        memberId,
        newSponsorId,
      },
    );
  }
  if (m.sponsor_id != null && Number(m.sponsor_id) === newSponsorId) {
    throw AppError.of('CONFLICT', 'genealogy.sameSponsor', {}, { memberId, newSponsorId });
  }

  const oldPath = m.path;
  const newPath = `${s.path}${memberId}/`;
  const delta = s.depth + 1 - m.depth;
  const upper = `${oldPath.slice(0, -1)}0`;
  // The narrow member_paths rows only (two indexes); the wide members rows are left alone.
  const count = await affected(
    tx,
    sql`
    update member_paths set
      path = ${newPath} || substr(path, ${oldPath.length + 1}),
      depth = depth + ${delta}
    where path >= ${oldPath} and path < ${upper}`,
  );
  await tx.execute(sql`update members set sponsor_id = ${newSponsorId} where id = ${memberId}`);

  const oldAncestors = oldPath.split('/').filter(Boolean).slice(0, -1).map(Number);
  const newAncestors = s.path.split('/').filter(Boolean).map(Number);
  const lost = oldAncestors.filter((id) => !newAncestors.includes(id));
  const gained = newAncestors.filter((id) => !oldAncestors.includes(id));
  if (lost.length) await tx.execute(sql`update members set downline_size = downline_size - ${count} where id = any(${`{${lost.join(',')}}`}::bigint[])`);
  if (gained.length) await tx.execute(sql`update members set downline_size = downline_size + ${count} where id = any(${`{${gained.join(',')}}`}::bigint[])`);

  return {
    memberId,
    oldSponsorId: m.sponsor_id == null ? null : Number(m.sponsor_id),
    newSponsorId,
    movedMembers: count,
    oldPath,
    newPath,
    oldDepth: m.depth,
    newDepth: m.depth + delta,
    lostAncestors: lost,
    gainedAncestors: gained,
  };
}

/**
 * The whole correction in an open period: the tree (moveSubtree), then the period's cached PVG —
 * the subtree's PVG leaves the ancestors that lost it and reaches those that gained it, ranks
 * re-evaluated — through the volumes engine's incremental update (applyVolumeDelta).
 */
export async function moveInPeriod(tx: DbOrTx, memberId: number, newSponsorId: number, period: { id: number; startsAt: Date }) {
  // The period's aggregates row is the lock every volume change of the period takes first (order
  // confirmations, refunds, recompute): taken before the tree changes, the subtree's PVG read below
  // cannot miss an order counted between the read and the delta.
  await tx.execute(sql`insert into period_stats (period_id) values (${period.id}) on conflict do nothing`);
  await tx.execute(sql`select 1 from period_stats where period_id = ${period.id} for update`);
  const r = await moveSubtree(tx, memberId, newSponsorId);
  const [v] = await tx.execute<{ pvg: string }>(sql`
    select pvg::text as pvg from member_volumes where period_id = ${period.id} and member_id = ${memberId}`);
  const pvg = v?.pvg ?? '0';
  let rankChanges = 0;
  if (!new Decimal(pvg).isZero()) {
    const plan = await currentPlan(tx, period.startsAt);
    const delta = (ancestorIds: number[], pvgDelta: string) =>
      applyVolumeDelta(tx, { periodId: period.id, memberId: null, ancestorIds, pv: '0', vn: '0', pvgDelta, orders: 0, vnMxn: '0' }, plan);
    try {
      if (r.lostAncestors.length) rankChanges += (await delta(r.lostAncestors, new Decimal(pvg).negated().toFixed())).length;
      if (r.gainedAncestors.length) rankChanges += (await delta(r.gainedAncestors, pvg)).length;
    } catch (e) {
      if (e instanceof Error && /missing rows/.test(e.message)) {
        throw AppError.of('CONFLICT', 'genealogy.volumesIncomplete');
      }
      throw e;
    }
  }
  return { ...r, subtreePvg: pvg, rankChanges };
}
