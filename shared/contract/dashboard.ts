import { z } from 'zod';
import { ALL_STAFF, query } from './define';
import { CurrencyCode, DecimalString, Instant, MoneyString } from '../money';
import { PeriodStatusSchema, RankDistribution } from './periods';

export const DashboardPoint = z.object({
  key: z.string(),
  status: PeriodStatusSchema,
  pv: DecimalString,
  vnMxn: MoneyString,
  membersActive: z.number().int(),
  membersNew: z.number().int(),
});

export const dashboardContract = {
  'dashboard.summary': query({
    roles: ALL_STAFF,
    summary:
      'The first screen: members, PV/VN of the open period against the previous one, rank distribution, pending withdrawals, the last 12 periods. Cached aggregates only.',
    input: z.object({}).strict().default({}),
    output: z.object({
      period: z.object({ key: z.string(), status: PeriodStatusSchema, startsAt: z.string(), endsAt: z.string() }).nullable(),
      previousKey: z.string().nullable(),
      members: z.object({
        total: z.number().int(),
        active: z.number().int(),
        new: z.number().int(),
        activePrevious: z.number().int().nullable(),
        newPrevious: z.number().int().nullable(),
      }),
      volumes: z.object({
        pv: DecimalString,
        vnMxn: MoneyString,
        ordersPaid: z.number().int(),
        pvPrevious: DecimalString.nullable(),
        vnMxnPrevious: MoneyString.nullable(),
        ordersPaidPrevious: z.number().int().nullable(),
      }),
      ranks: RankDistribution,
      advancing: z.number().int(),
      /** Null for roles that do not see money queues (support), or when the withdrawals table is absent. */
      withdrawals: z
        .object({
          pendingCount: z.number().int(),
          byCurrency: z.array(z.object({ currency: CurrencyCode, count: z.number().int(), amount: MoneyString })),
          pendingMxn: MoneyString,
        })
        .nullable(),
      /** The latest run of ledger_mismatches() (after each close, daily); null for support or before the first run. */
      ledgerCheck: z.object({ at: Instant, trigger: z.string(), mismatches: z.number().int() }).nullable(),
      history: z.array(DashboardPoint),
      ms: z.number(),
    }),
  }),
};
