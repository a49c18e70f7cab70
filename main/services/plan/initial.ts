import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { PLAN_V1, validatePlan } from '../../domain/plan';

/** The period from which the first plan version is in force: before any period the app keeps. */
export const INITIAL_PLAN_PERIOD = '2020-01';
export const INITIAL_PLAN_NAME = 'Plan de compensación v1';
/** Company-fixed rates of the plan's examples (MXN per unit), in force from 2020-01-01. */
export const INITIAL_EXCHANGE_RATES: ReadonlyArray<readonly [currency: string, rateToMxn: string]> = [
  ['MXN', '1'],
  ['USD', '18.50'],
  ['COP', '0.0046'],
  ['DOP', '0.31'],
];
export const INITIAL_RATES_FROM = '2020-01-01T00:00:00Z';

/**
 * Initial data every installation needs, run after the migrations (main/app/index.ts openDatabase, and
 * the test template): PLAN_V1 as the first published plan version when no version is published
 * yet, and the plan's exchange rates when the rates table is empty. Idempotent, safe for two
 * instances starting at once (advisory lock).
 */
export async function ensureInitialPlan(db: Db): Promise<{ planInserted: boolean; ratesInserted: boolean }> {
  const figures = validatePlan(PLAN_V1);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7261005)`);
    const [published] = await tx.execute<{ n: number }>(sql`select count(*)::int as n from plan_versions where status = 'published'`);
    let planInserted = false;
    if ((published?.n ?? 0) === 0) {
      await tx.execute(sql`
        insert into plan_versions (name, effective_from_period, status, figures, published_at)
        values (${INITIAL_PLAN_NAME}, ${INITIAL_PLAN_PERIOD}, 'published', ${JSON.stringify(figures)}::jsonb, now())`);
      planInserted = true;
    }
    const [rates] = await tx.execute<{ n: number }>(sql`select count(*)::int as n from exchange_rates`);
    let ratesInserted = false;
    if ((rates?.n ?? 0) === 0) {
      for (const [currency, rate] of INITIAL_EXCHANGE_RATES) {
        await tx.execute(
          sql`insert into exchange_rates (currency, rate_to_mxn, effective_from) values (${currency}, ${rate}, ${INITIAL_RATES_FROM}::timestamptz)`,
        );
      }
      ratesInserted = true;
    }
    return { planInserted, ratesInserted };
  });
}
