import { and, desc, eq, lte } from 'drizzle-orm';
import { planVersions } from '../../db/schema';
import type { DbOrTx } from '../../db/client';
import { PLAN_V1, validatePlan, type PlanFigures } from '../../domain/plan';
import { periodOf } from '../../domain/period';

/** Published versions never change: validated figures kept by (id, published at), safe across databases. */
const validated = new Map<string, PlanFigures>();

/**
 * The plan figures in force at `at` (default now): the published plan version with the latest
 * effective_from_period that is not after the period containing `at`; PLAN_V1 when none is
 * published yet. Plan figures are data: callers never use PLAN_V1 directly.
 */
export async function currentPlan(db: DbOrTx, at: Date = new Date()): Promise<PlanFigures> {
  const [row] = await db
    .select({ id: planVersions.id, publishedAt: planVersions.publishedAt, figures: planVersions.figures })
    .from(planVersions)
    .where(and(eq(planVersions.status, 'published'), lte(planVersions.effectiveFromPeriod, periodOf(at))))
    .orderBy(desc(planVersions.effectiveFromPeriod))
    .limit(1);
  if (!row) return PLAN_V1;
  const key = `${row.id}@${row.publishedAt?.toISOString() ?? ''}`;
  let figures = validated.get(key);
  if (!figures) {
    figures = validatePlan(row.figures);
    validated.set(key, figures);
  }
  return figures;
}
