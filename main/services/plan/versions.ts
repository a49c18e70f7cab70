/**
 * Plan versions: the compensation plan's figures as versioned data (plan_versions). The version in
 * force for a period is the published one with the latest effective_from_period not after it
 * (the same rule as currentPlan in ./current.ts, which the engines call). Drafts are edited,
 * validated with validatePlan (main/domain/plan.ts) and published; a published version is never
 * edited, and none may take effect in a period that is closing or closed.
 */
import { and, desc, eq, lte, sql } from 'drizzle-orm';
import { planVersions } from '../../db/schema';
import type { DbOrTx } from '../../db/client';
import { checkPlan, type PlanFigures } from '../../domain/plan';
import { comparePeriods } from '../../domain/period';
import { AppError } from '../../../shared/errors';
import type { PlanVersionView } from '../../../shared/contract/plan';
import { openPeriod, periodByKey } from '../periods/lookup';

type VersionRow = typeof planVersions.$inferSelect;

const creator = sql<string | null>`(select username from staff s where s.id = ${planVersions.createdBy})`;
const publisher = sql<string | null>`(select username from staff s where s.id = ${planVersions.publishedBy})`;

export function versionView(row: VersionRow & { createdByName?: string | null; publishedByName?: string | null }): PlanVersionView {
  const figures = row.figures as PlanFigures;
  return {
    id: row.id,
    name: row.name,
    effectiveFromPeriod: row.effectiveFromPeriod,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdByName ?? null,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    publishedBy: row.publishedByName ?? null,
    ranks: [...(figures.ranks ?? [])].sort((a, b) => a.rank - b.rank).map((r) => ({ rank: r.rank, pv: r.pv, pvg: r.pvg, uninivelDepth: r.uninivelDepth })),
    figures,
  };
}

async function withNames(db: DbOrTx, where: ReturnType<typeof eq> | undefined, opts: { limit?: number; order?: 'effective' | 'created' } = {}) {
  const q = db
    .select({ v: planVersions, createdByName: creator, publishedByName: publisher })
    .from(planVersions)
    .where(where)
    .orderBy(opts.order === 'created' ? desc(planVersions.createdAt) : desc(planVersions.effectiveFromPeriod), desc(planVersions.id));
  const rows = opts.limit ? await q.limit(opts.limit) : await q;
  return rows.map((r) => ({ ...r.v, createdByName: r.createdByName, publishedByName: r.publishedByName }));
}

/** The published version in force for a period key. */
export async function versionInForce(db: DbOrTx, periodKey: string) {
  const [row] = await withNames(db, and(eq(planVersions.status, 'published'), lte(planVersions.effectiveFromPeriod, periodKey)), { limit: 1 });
  if (!row) throw AppError.of('NOT_FOUND', 'plan.noneInForce', { period: periodKey }, { periodKey });
  return row;
}

export async function listVersions(db: DbOrTx) {
  return withNames(db, undefined, { order: 'created' });
}

export async function versionById(db: DbOrTx, id: number, lock = false) {
  const q = db.select().from(planVersions).where(eq(planVersions.id, id));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw AppError.of('NOT_FOUND', 'plan.notFound', {}, { id });
  return row;
}

/** A draft may only take effect from the open period or a later one. */
async function assertEffectivePeriodWritable(db: DbOrTx, key: string) {
  const p = await periodByKey(db, key, 'share');
  if (p && p.status !== 'open') {
    throw new AppError('PERIOD_CLOSED', `El periodo ${key} está ${p.status === 'closed' ? 'cerrado' : 'en cierre'}: un plan no puede entrar en vigor en él.`, {
      period: key,
    });
  }
  const open = await openPeriod(db);
  if (open && comparePeriods(key, open.key) < 0) {
    throw new AppError('PERIOD_CLOSED', `El periodo ${key} ya pasó (el abierto es ${open.key}): un plan no puede entrar en vigor en él.`, {
      period: key,
      open: open.key,
    });
  }
}

function planIssues(figures: unknown): never | PlanFigures {
  const r = checkPlan(figures);
  if (!r.ok) throw new AppError('VALIDATION', 'Las cifras del plan no son coherentes.', { issues: r.issues });
  return r.plan;
}

export async function createDraft(tx: DbOrTx, input: { name: string; effectiveFromPeriod: string; fromVersionId?: number }, staffId: string | null) {
  await assertEffectivePeriodWritable(tx, input.effectiveFromPeriod);
  const source = input.fromVersionId
    ? await versionById(tx, input.fromVersionId)
    : await versionInForce(tx, (await openPeriod(tx))?.key ?? input.effectiveFromPeriod);
  const [row] = await tx
    .insert(planVersions)
    .values({
      name: input.name,
      effectiveFromPeriod: input.effectiveFromPeriod,
      status: 'draft',
      figures: source.figures,
      createdBy: staffId,
    })
    .returning();
  return row!;
}

export async function updateDraftRanks(tx: DbOrTx, id: number, ranks: { rank: number; pv: string; pvg: string }[]) {
  const before = await versionById(tx, id, true);
  if (before.status !== 'draft') throw AppError.of('CONFLICT', 'plan.published', {}, { id });
  const seen = new Set<number>();
  for (const r of ranks) {
    if (seen.has(r.rank))
      throw new AppError('VALIDATION', `El rango ${r.rank} aparece dos veces.`, { issues: [{ path: 'ranks', message: `rango ${r.rank} repetido` }] });
    seen.add(r.rank);
  }
  const figures = structuredClone(before.figures) as PlanFigures;
  const next = {
    ...figures,
    ranks: figures.ranks.map((r) => {
      const change = ranks.find((c) => c.rank === r.rank);
      return change ? { ...r, pv: change.pv, pvg: change.pvg } : r;
    }),
  };
  const valid = planIssues(next);
  const [after] = await tx.update(planVersions).set({ figures: valid }).where(eq(planVersions.id, id)).returning();
  return { before, after: after! };
}

export async function publishDraft(tx: DbOrTx, id: number, staffId: string | null, now: Date) {
  const before = await versionById(tx, id, true);
  if (before.status !== 'draft') throw new AppError('CONFLICT', 'La versión ya está publicada.', { id });
  planIssues(before.figures);
  await assertEffectivePeriodWritable(tx, before.effectiveFromPeriod);
  const [clash] = await tx
    .select({ id: planVersions.id })
    .from(planVersions)
    .where(and(eq(planVersions.status, 'published'), eq(planVersions.effectiveFromPeriod, before.effectiveFromPeriod)));
  if (clash) throw AppError.of('CONFLICT', 'plan.clash', { period: before.effectiveFromPeriod }, { id: clash.id });
  const [after] = await tx.update(planVersions).set({ status: 'published', publishedAt: now, publishedBy: staffId }).where(eq(planVersions.id, id)).returning();
  return { before, after: after! };
}

export async function viewById(db: DbOrTx, id: number): Promise<PlanVersionView> {
  const [row] = await withNames(db, eq(planVersions.id, id), { limit: 1 });
  if (!row) throw AppError.of('NOT_FOUND', 'plan.notFound', {}, { id });
  return versionView(row);
}
