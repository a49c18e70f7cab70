/**
 * Gathers the facts behind the risk flags (main/domain/withdrawals.ts).
 *
 * Average monthly commission: what reached the member's wallet, read from the ledger (clawbacks
 * netted), not what commission_lines computed: for each of the last `averagePeriods` periods before
 * the one containing the request (and ending after the member's enrolment), the sum of the member
 * wallet's entries of kind `commission` or `clawback` whose period_id is that period — or, for a
 * posting without a period, whose posting instant falls inside the period. Periods are Mexico-Central months
 * (main/domain/period.ts); the periods table is only used to map ids to keys.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { periodBounds, periodOf, previousPeriod } from '../../domain/period';
import { Decimal } from '../../domain/money';
import { assessRisk, DEFAULT_RISK_RULES, type RiskAssessment, type RiskFacts, type RiskRules } from '../../domain/withdrawals';

export async function commissionByPeriod(
  db: DbOrTx,
  memberId: number,
  at: Date,
  enrolledAt: Date,
  periods: number,
): Promise<{ period: string; amount: string }[]> {
  const keys: string[] = [];
  let k = periodOf(at) as string;
  for (let i = 0; i < periods; i++) {
    k = previousPeriod(k);
    const b = periodBounds(k);
    if (b.endsAt.getTime() <= enrolledAt.getTime()) break;
    keys.push(k);
  }
  if (keys.length === 0) return [];
  const starts = keys.map((key) => periodBounds(key).startsAt.toISOString());
  const ends = keys.map((key) => periodBounds(key).endsAt.toISOString());
  const rows = await db.execute<{ key: string; amount: string }>(sql`
    with k as (
      select * from unnest(${`{${keys.join(',')}}`}::text[], ${`{${starts.join(',')}}`}::timestamptz[], ${`{${ends.join(',')}}`}::timestamptz[]) as k(key, s, e)
    ), w as (
      select a.id from ledger_accounts a where a.kind = 'member_wallet' and a.member_id = ${memberId}
    )
    select k.key, coalesce(sum(e.amount), 0)::text as amount
      from k
      left join periods p on p.key = k.key
      left join ledger_entries e on e.account_id in (select id from w) and e.kind in ('commission', 'clawback')
            and (e.period_id = p.id or (e.period_id is null and e.created_at >= k.s and e.created_at < k.e))
     group by k.key order by k.key desc`);
  return rows.map((r) => ({ period: r.key, amount: new Decimal(r.amount).toFixed(2) }));
}

export interface MemberRiskInfo {
  id: number;
  enrolledAt: Date;
  payoutDestinationChangedAt: Date | null;
}

/** The flags of a request of `amount` at `at` (the request itself counted among the window's requests). */
export async function assessRequest(
  db: DbOrTx,
  member: MemberRiskInfo,
  amount: string,
  at: Date,
  opts: { includeSelf: boolean; excludeId?: number },
  rules: RiskRules = DEFAULT_RISK_RULES,
): Promise<RiskAssessment> {
  const since = new Date(at.getTime() - rules.requestWindowDays * 86_400_000);
  const [c] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from withdrawals
     where member_id = ${member.id} and requested_at > ${since.toISOString()}::timestamptz and requested_at <= ${at.toISOString()}::timestamptz
       and (${opts.excludeId ?? null}::bigint is null or id <> ${opts.excludeId ?? null}::bigint)`);
  const facts: RiskFacts = {
    at,
    amount,
    requestsInWindow: Number(c?.n ?? 0) + (opts.includeSelf ? 1 : 0),
    commissionByPeriod: await commissionByPeriod(db, member.id, at, member.enrolledAt, rules.averagePeriods),
    payoutDestinationChangedAt: member.payoutDestinationChangedAt,
    enrolledAt: member.enrolledAt,
  };
  return assessRisk(facts, rules);
}
