import { sql as dsql } from 'drizzle-orm';
import { mutator, reader, viaEngine } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { genealogyMoves } from '../../db/schema';
import * as q from './queries';
import { moveInPeriod } from './move';
import { openPeriod } from '../periods/lookup';

async function node(input: ParsedInputOf<'genealogy.node'>, ctx: CallContext) {
  const period = await q.resolvePeriod(ctx.sql, input.periodKey);
  const memberId = input.memberId ?? (await q.rootMember(ctx.sql));
  const m = await q.memberCore(ctx.sql, memberId);
  const [n, ups, recruits, periods] = await Promise.all([
    q.node(ctx.sql, memberId, period),
    q.upline(ctx.sql, m.path),
    q.directRecruits(ctx.sql, memberId),
    q.listPeriods(ctx.sql),
  ]);
  return { node: n, upline: ups, directRecruits: recruits, period, periods: periods.map(({ id, key, status }) => ({ id, key, status })) };
}

async function children(input: ParsedInputOf<'genealogy.children'>, ctx: CallContext) {
  const period = await q.resolvePeriod(ctx.sql, input.periodKey);
  await q.memberCore(ctx.sql, input.memberId);
  const r = await q.children(ctx.sql, input.memberId, period, input);
  return { ...r, page: input.page, pageSize: input.pageSize, period };
}

async function levels(input: ParsedInputOf<'genealogy.levels'>, ctx: CallContext) {
  const period = await q.resolvePeriod(ctx.sql, input.periodKey);
  const m = await q.memberCore(ctx.sql, input.memberId);
  const rows = await q.levels(ctx.sql, m, period);
  let totalMembers = 0;
  let totalActive = 0;
  // PV totals are summed in SQL numeric, never in JS numbers.
  const [sum] = await ctx.sql<{ pv: string }[]>`select coalesce(sum(x::numeric), 0)::text as pv from unnest(${rows.map((r) => r.pv)}::text[]) x`;
  for (const r of rows) {
    totalMembers += r.members;
    totalActive += r.active;
  }
  return { levels: rows, totalMembers, totalActive, totalPv: sum?.pv ?? '0', period };
}

async function legs(input: ParsedInputOf<'genealogy.legs'>, ctx: CallContext) {
  const period = await q.resolvePeriod(ctx.sql, input.periodKey);
  const m = await q.memberCore(ctx.sql, input.memberId);
  const [agg, recruits] = await Promise.all([
    q.legs(ctx.sql, m, period),
    // Every direct recruit (a leg of one member still counts); the (sponsor_id, id) index.
    q.children(ctx.sql, m.id, period, { sort: 'pvg', page: 1, pageSize: 100_000 }),
  ]);
  const out = recruits.rows.map((r) => {
    const l = agg.byLeg.get(r.id);
    return {
      recruit: r,
      pvg: l?.pv ?? '0',
      members: l?.members ?? 1,
      active: l?.active ?? 0,
      ranks: l?.ranks ?? [],
    };
  });
  return { legs: out, totalPvg: agg.totalPv, period };
}

async function exportPage(input: ParsedInputOf<'genealogy.exportPage'>, ctx: CallContext) {
  const period = await q.resolvePeriod(ctx.sql, input.periodKey);
  const m = await q.memberCore(ctx.sql, input.memberId);
  return { ...(await q.exportPage(ctx.sql, m, period, input.cursor, input.limit)), period };
}

async function move(input: ParsedInputOf<'genealogy.move'>, ctx: MutationContext) {
  // The move changes the tree of the period being worked on: the open period (which, once its
  // month has ended, stays open until it is closed), and never while a close is running. FOR SHARE
  // keeps the period from changing status until commit.
  const now = ctx.now();
  const open = await openPeriod(ctx.tx, 'share');
  if (!open || open.startsAt.getTime() > now.getTime()) {
    throw new AppError('PERIOD_CLOSED', 'No hay un periodo abierto en curso: la genealogía no se puede corregir.', { period: open?.key ?? null });
  }
  const period = { id: open.id, key: open.key, status: open.status as 'open', starts_at: open.startsAt.toISOString() };
  const [closing] = await ctx.tx.execute<{ key: string }>(dsql`select key from periods where status = 'closing' limit 1`);
  if (closing) throw AppError.of('PERIOD_CLOSED', 'period.closing', { period: closing.key }, { period: closing.key });

  const r = await moveInPeriod(ctx.tx, input.memberId, input.newSponsorId, { id: period.id, startsAt: new Date(period.starts_at) });
  await ctx.tx.insert(genealogyMoves).values({
    memberId: r.memberId,
    oldSponsorId: r.oldSponsorId,
    newSponsorId: r.newSponsorId,
    periodId: period.id,
    movedMembers: r.movedMembers,
    oldPath: r.oldPath,
    newPath: r.newPath,
    reason: input.reason,
    staffId: ctx.staff?.id ?? null,
    at: now,
  });
  await ctx.audit({
    entity: 'member',
    entityId: r.memberId,
    reason: input.reason,
    before: { sponsorId: r.oldSponsorId, path: r.oldPath, depth: r.oldDepth },
    after: {
      sponsorId: r.newSponsorId,
      path: r.newPath,
      depth: r.newDepth,
      movedMembers: r.movedMembers,
      period: period.key,
      subtreePvg: r.subtreePvg,
      rankChanges: r.rankChanges,
    },
  });
  return {
    memberId: r.memberId,
    oldSponsorId: r.oldSponsorId,
    newSponsorId: r.newSponsorId,
    movedMembers: r.movedMembers,
    oldPath: r.oldPath,
    newPath: r.newPath,
    subtreePvg: r.subtreePvg,
    period: { id: period.id, key: period.key, status: period.status },
  };
}

export const genealogyHandlers = {
  'genealogy.node': reader(node),
  'genealogy.children': reader(children),
  'genealogy.levels': reader(levels),
  'genealogy.legs': reader(legs),
  'genealogy.exportPage': reader(exportPage),
  'genealogy.move': viaEngine("a move rewrites the volumes the close pays on, under the open period's lock", mutator(move)),
};
