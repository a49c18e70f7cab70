import { and, desc, eq, lte } from 'drizzle-orm';
import { planVersions } from '../../db/schema';
import type { DbOrTx } from '../../db/client';
import { PLAN_V1, validatePlan, type PlanFigures } from '../../domain/plan';
import { periodOf } from '../../domain/period';

/**
 * The plan figures in force at `at` (default now): the published plan version with the latest
 * effective_from_period that is not after the period containing `at`; PLAN_V1 when none is
 * published yet. Plan figures are data: callers never use PLAN_V1 directly.
 */
export async function currentPlan(db: DbOrTx, at: Date = new Date()): Promise<PlanFigures> {
  const [row] = await db
    .select({ figures: planVersions.figures })
    .from(planVersions)
    .where(and(eq(planVersions.status, 'published'), lte(planVersions.effectiveFromPeriod, periodOf(at))))
    .orderBy(desc(planVersions.effectiveFromPeriod))
    .limit(1);
  return row ? validatePlan(row.figures) : PLAN_V1;
}
