/**
 * What the period screens and the dashboard read: cached aggregates (period_stats,
 * period_rank_counts), adjusted for members enrolled since the last rebuild by a primary-key range
 * (members with id > max_member_id), never a scan of members, orders or member_volumes.
 */
import { desc, eq, inArray, sql } from 'drizzle-orm';
import { periodRankCounts, periodRuns, periodStats, staff } from '../../db/schema';
import type { DbOrTx } from '../../db/client';
import type { PeriodFigures, PeriodRun, PeriodSummary } from '../../../shared/contract/periods';
import { MAX_RANK } from '../../domain/plan';
import type { CloseSteps, RunRow } from './close';
import type { PeriodRow } from './lookup';

/** A running run without a heartbeat for this long is shown as possibly interrupted. */
export const STALE_RUN_MS = 60_000;

type StatsRow = typeof periodStats.$inferSelect;

/** Figures of several periods at once (three small queries whatever the number of members). */
export async function figuresOf(db: DbOrTx, list: PeriodRow[]): Promise<Map<number, PeriodFigures>> {
  const out = new Map<number, PeriodFigures>();
  if (list.length === 0) return out;
  const ids = list.map((p) => p.id);
  const [stats, counts] = await Promise.all([
    db.select().from(periodStats).where(inArray(periodStats.periodId, ids)),
    db.select().from(periodRankCounts).where(inArray(periodRankCounts.periodId, ids)),
  ]);
  const byId = new Map<number, StatsRow>(stats.map((s) => [s.periodId, s]));
  // Members enrolled after the last rebuild of an open (or closing) period: one primary-key range
  // each, usually empty or tiny. A closed period's figures were rebuilt at its close.
  const late = new Map<number, { total: number; fresh: number }>();
  await Promise.all(
    list
      .filter((p) => p.status !== 'closed' && byId.has(p.id))
      .map(async (p) => {
        const s = byId.get(p.id)!;
        const [r] = await db.execute<{ total: number; fresh: number }>(sql`
      select count(*) filter (where enrolled_at < ${p.endsAt.toISOString()}::timestamptz)::int as total,
        count(*) filter (where enrolled_at >= ${p.startsAt.toISOString()}::timestamptz and enrolled_at < ${p.endsAt.toISOString()}::timestamptz)::int as fresh
      from members where id > ${s.maxMemberId}`);
        late.set(p.id, r ?? { total: 0, fresh: 0 });
      }),
  );
  for (const p of list) {
    const s = byId.get(p.id);
    if (!s) continue;
    const total = s.membersTotal + (late.get(p.id)?.total ?? 0);
    const fresh = s.membersNew + (late.get(p.id)?.fresh ?? 0);
    const ranks = new Array<number>(MAX_RANK + 1).fill(0);
    for (const c of counts) if (c.periodId === p.id && c.rank >= 1 && c.rank <= MAX_RANK) ranks[c.rank] = c.members;
    ranks[0] = Math.max(0, total - ranks.slice(1).reduce((a, b) => a + b, 0));
    out.set(p.id, {
      membersTotal: total,
      membersNew: fresh,
      membersActive: s.membersActive,
      membersAdvancing: s.membersAdvancing,
      ordersPaid: s.ordersPaid,
      pv: s.pv,
      vnMxn: s.vnMxn,
      ranks: ranks.map((members, rank) => ({ rank, members })),
      updatedAt: s.updatedAt.toISOString(),
    });
  }
  return out;
}

export async function summaries(db: DbOrTx, list: PeriodRow[]): Promise<PeriodSummary[]> {
  const figures = await figuresOf(db, list);
  const closers = [...new Set(list.map((p) => p.closedBy).filter((x): x is string => !!x))];
  const names = closers.length ? await db.select({ id: staff.id, username: staff.username }).from(staff).where(inArray(staff.id, closers)) : [];
  return list.map((p) => ({
    id: p.id,
    key: p.key,
    status: p.status,
    startsAt: p.startsAt.toISOString(),
    endsAt: p.endsAt.toISOString(),
    openedAt: p.openedAt.toISOString(),
    closedAt: p.closedAt?.toISOString() ?? null,
    closedBy: names.find((n) => n.id === p.closedBy)?.username ?? null,
    figures: figures.get(p.id) ?? null,
  }));
}

export async function summaryOf(db: DbOrTx, p: PeriodRow | null): Promise<PeriodSummary | null> {
  if (!p) return null;
  return (await summaries(db, [p]))[0] ?? null;
}

const RECOMPUTE_LABEL = { es: 'Volúmenes y rangos pagados (recálculo completo)', en: 'Volumes and paid-as ranks (full recomputation)' };

export async function runView(db: DbOrTx, close: CloseSteps, run: RunRow, periodKey: string, lang: 'es' | 'en', _now?: Date): Promise<PeriodRun> {
  const labels = new Map(close.map((s) => [s.name, s.label[lang]]));
  const [who] = run.startedBy ? await db.select({ username: staff.username }).from(staff).where(eq(staff.id, run.startedBy)) : [];
  return {
    id: run.id,
    periodKey,
    kind: run.kind === 'recompute' ? 'recompute' : 'close',
    status: run.status,
    steps: run.steps.map((name) => ({ name, label: name === 'volumes' && run.kind === 'recompute' ? RECOMPUTE_LABEL[lang] : (labels.get(name) ?? name) })),
    stepsDone: run.stepsDone,
    currentStep: run.currentStep,
    progress: run.progress,
    startedAt: run.startedAt.toISOString(),
    startedBy: who?.username ?? null,
    heartbeatAt: run.heartbeatAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.error,
    stale: run.status === 'running' && Date.now() - run.heartbeatAt.getTime() > STALE_RUN_MS,
    result: (run.result as Record<string, unknown> | null) ?? null,
  };
}

export async function lastRunOf(db: DbOrTx, periodIds: number[]): Promise<RunRow | null> {
  if (periodIds.length === 0) return null;
  const [row] = await db
    .select()
    .from(periodRuns)
    .where(inArray(periodRuns.periodId, periodIds))
    .orderBy(desc(periodRuns.startedAt), desc(periodRuns.id))
    .limit(1);
  return row ?? null;
}
