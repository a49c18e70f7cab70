import { sql, type SQL } from 'drizzle-orm';
import { isDecimalString } from '../../domain/money';
import type { PlanFigures } from '../../domain/plan';

/**
 * The paid-as rank of main/domain/ranks.ts (paidAsRank) as a SQL expression over a PV and a PVG
 * expression: the highest rank whose PV and PVG thresholds both hold, else 0. Thresholds come from
 * the plan version in force (validated decimal strings, so they are inlined as numeric literals and
 * the planner sees constants). paidAsRank stays the oracle: the tests compare both.
 */
export function rankCaseSql(plan: PlanFigures, pv: string, pvg: string): string {
  const ranks = [...plan.ranks].filter((r) => r.rank > 0).sort((a, b) => b.rank - a.rank);
  const lit = (s: string) => {
    if (!isDecimalString(s, { nonNegative: true })) throw new Error(`threshold is not a decimal: ${s}`);
    return `${s}::numeric`;
  };
  if (ranks.length === 0) return '0::smallint';
  return `(case ${ranks.map((r) => `when ${pv} >= ${lit(r.pv)} and ${pvg} >= ${lit(r.pvg)} then ${Number(r.rank)}`).join(' ')} else 0 end)::smallint`;
}

/** The same expression over SQL fragments (parameters, sub-expressions). */
export function rankCaseFragment(plan: PlanFigures, pv: SQL, pvg: SQL): SQL {
  const ranks = [...plan.ranks].filter((r) => r.rank > 0).sort((a, b) => b.rank - a.rank);
  for (const r of ranks) {
    if (!isDecimalString(r.pv, { nonNegative: true }) || !isDecimalString(r.pvg, { nonNegative: true })) throw new Error(`threshold is not a decimal: ${r.pv} / ${r.pvg}`);
  }
  if (ranks.length === 0) return sql`0::smallint`;
  const whens = ranks.map((r) => sql`when ${pv} >= ${sql.raw(`${r.pv}::numeric`)} and ${pvg} >= ${sql.raw(`${r.pvg}::numeric`)} then ${sql.raw(String(Number(r.rank)))}`);
  return sql`(case ${sql.join(whens, sql` `)} else 0 end)::smallint`;
}

/** The same rule over points in integer hundredths (bigint expressions): thresholds × 100 as integer literals. */
export function rankCaseCentsSql(plan: PlanFigures, pvCents: string, pvgCents: string): string {
  const ranks = [...plan.ranks].filter((r) => r.rank > 0).sort((a, b) => b.rank - a.rank);
  const cents = (s: string) => {
    if (!isDecimalString(s, { nonNegative: true, maxDecimals: 2 })) throw new Error(`threshold is not a decimal with at most 2 decimals: ${s}`);
    const [int = '0', frac = ''] = s.split('.');
    return `${BigInt(int) * 100n + BigInt((frac + '00').slice(0, 2))}`;
  };
  if (ranks.length === 0) return '0::smallint';
  return `(case ${ranks.map((r) => `when ${pvCents} >= ${cents(r.pv)} and ${pvgCents} >= ${cents(r.pvg)} then ${Number(r.rank)}`).join(' ')} else 0 end)::smallint`;
}
