import { sql, type SQL } from 'drizzle-orm';
import { isDecimalString } from '../../domain/money';
import type { PlanFigures } from '../../domain/plan';

/**
 * The paid-as rank of main/domain/ranks.ts (paidAsRank) as SQL expressions over a PV and a PVG
 * expression: the highest rank whose PV and PVG thresholds both hold, else 0 — a CASE whose WHENs
 * are the plan's ranks from the highest down, so the first that holds is the highest. Three forms
 * (strings, Drizzle fragments, integer hundredths) of that one CASE, all built by `rankCase` from
 * the plan version in force (validated decimal strings, inlined as literals so the planner sees
 * constants). paidAsRank stays the oracle: volumes.test.ts compares every form with it on
 * generated plans and points.
 */
function rankCase<T>(plan: PlanFigures, when: (r: { rank: number; pv: string; pvg: string }) => T, build: (whens: T[]) => T, zero: T, maxDecimals?: number): T {
  const ranks = [...plan.ranks].filter((r) => r.rank > 0).sort((a, b) => b.rank - a.rank);
  for (const r of ranks) {
    if (!isDecimalString(r.pv, { nonNegative: true, maxDecimals }) || !isDecimalString(r.pvg, { nonNegative: true, maxDecimals })) {
      throw new Error(`threshold is not a decimal${maxDecimals === undefined ? '' : ` with at most ${maxDecimals} decimals`}: ${r.pv} / ${r.pvg}`);
    }
  }
  return ranks.length === 0 ? zero : build(ranks.map((r) => when({ rank: Number(r.rank), pv: r.pv, pvg: r.pvg })));
}

/** Over SQL text expressions (numeric). */
export function rankCaseSql(plan: PlanFigures, pv: string, pvg: string): string {
  return rankCase(
    plan,
    (r) => `when ${pv} >= ${r.pv}::numeric and ${pvg} >= ${r.pvg}::numeric then ${r.rank}`,
    (w) => `(case ${w.join(' ')} else 0 end)::smallint`,
    '0::smallint',
  );
}

/** The same expression over SQL fragments (parameters, sub-expressions). */
export function rankCaseFragment(plan: PlanFigures, pv: SQL, pvg: SQL): SQL {
  return rankCase(
    plan,
    (r) => sql`when ${pv} >= ${sql.raw(`${r.pv}::numeric`)} and ${pvg} >= ${sql.raw(`${r.pvg}::numeric`)} then ${sql.raw(String(r.rank))}`,
    (w) => sql`(case ${sql.join(w, sql` `)} else 0 end)::smallint`,
    sql`0::smallint`,
  );
}

/** The same rule over points in integer hundredths (bigint expressions): thresholds × 100 as integer literals. */
export function rankCaseCentsSql(plan: PlanFigures, pvCents: string, pvgCents: string): string {
  const cents = (s: string) => {
    const [int = '0', frac = ''] = s.split('.');
    return `${BigInt(int) * 100n + BigInt((frac + '00').slice(0, 2))}`;
  };
  return rankCase(
    plan,
    (r) => `when ${pvCents} >= ${cents(r.pv)} and ${pvgCents} >= ${cents(r.pvg)} then ${r.rank}`,
    (w) => `(case ${w.join(' ')} else 0 end)::smallint`,
    '0::smallint',
    2,
  );
}
