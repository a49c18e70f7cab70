import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { validatePlan, type PlanFigures } from '../../domain/plan';
import { AppError } from '../../../shared/errors';

/** Published versions never change: their validated figures are kept here by id. */
const byId = new Map<number, PlanFigures>();

/**
 * The plan version in force for a period key, for the hot paths (every payment confirmation): one
 * indexed lookup of the version id; the figures are parsed and validated once per published version.
 * Same rule as currentPlan (./current.ts): the published version with the latest
 * effective_from_period not after the period.
 */
export async function planInForce(db: DbOrTx, periodKey: string): Promise<{ id: number; figures: PlanFigures }> {
  const [row] = await db.execute<{ id: number }>(sql`
    select id from plan_versions where status = 'published' and effective_from_period <= ${periodKey}
    order by effective_from_period desc limit 1`);
  if (!row) throw new AppError('NOT_FOUND', `No hay una versión del plan publicada vigente en ${periodKey}.`, { periodKey });
  const cached = byId.get(row.id);
  if (cached) return { id: row.id, figures: cached };
  const [v] = await db.execute<{ figures: unknown }>(sql`select figures from plan_versions where id = ${row.id} and status = 'published'`);
  const figures = validatePlan(v!.figures);
  byId.set(row.id, figures);
  return { id: row.id, figures };
}

/** The figures of a published version by id (cached: published versions never change). */
export async function publishedFigures(db: DbOrTx, id: number): Promise<PlanFigures> {
  const cached = byId.get(id);
  if (cached) return cached;
  const [v] = await db.execute<{ figures: unknown }>(sql`select figures from plan_versions where id = ${id} and status = 'published'`);
  if (!v) throw new AppError('NOT_FOUND', `La versión del plan ${id} no está publicada.`, { id });
  const figures = validatePlan(v.figures);
  byId.set(id, figures);
  return figures;
}
