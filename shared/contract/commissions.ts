import { z } from 'zod';
import { ALL_STAFF, PageInput, pageOf, query } from './define';
import { Instant, MoneyString } from '../money';
import { MemberId, PeriodKeyInput, RankNumber } from './members';

export const CommissionType = z.enum(['directo', 'rapido', 'uninivel', 'alcance', 'matching', 'automovil']);

/** totals[type][currency] = amount (decimal string). */
export const TotalsByType = z.record(z.string(), z.record(z.string(), MoneyString));
/** amount per currency. */
export const TotalsByCurrency = z.record(z.string(), MoneyString);

export const PeriodCommissionTotals = z.object({
  periodKey: z.string(),
  status: z.enum(['open', 'closing', 'closed']),
  byType: TotalsByType,
  byCurrency: TotalsByCurrency,
  lines: z.number().int(),
  beneficiaries: z.number().int(),
});

export const CommissionLine = z.object({
  id: z.number().int(),
  periodKey: z.string(),
  type: CommissionType,
  kind: z.enum(['line', 'clawback']),
  beneficiaryId: z.number().int(),
  sourceKind: z.enum(['order', 'member']),
  sourceId: z.number().int(),
  level: z.number().int(),
  base: MoneyString,
  baseCurrency: z.string(),
  rate: z.string().nullable(),
  amount: MoneyString,
  currency: z.string(),
  createdAt: Instant,
});
export type CommissionLine = z.infer<typeof CommissionLine>;

export const commissionsContract = {
  /** Posted commission totals per period (from commission_lines), newest first. */
  'commissions.periodTotals': query({
    summary: 'Totales de comisiones publicadas por periodo, tipo y moneda',
    roles: ALL_STAFF,
    input: z.object({ periodKey: PeriodKeyInput.optional() }).strict().default({}),
    output: z.array(PeriodCommissionTotals),
  }),
  /** A member's posted lines (as beneficiary), paged, optionally of one period. */
  'commissions.memberLines': query({
    summary: 'Líneas de comisión de un socio, paginadas',
    roles: ALL_STAFF,
    input: PageInput.extend({ memberId: MemberId, periodKey: PeriodKeyInput.optional() }).strict(),
    output: pageOf(CommissionLine),
  }),
  /** Read-only engine run over the open period's current data: nothing is written. */
  'commissions.preview': query({
    summary: 'Vista previa (sin escribir) de las comisiones del periodo abierto',
    roles: ['admin', 'finance'],
    input: z.object({}).strict().default({}),
    output: z.object({
      periodKey: z.string(),
      computedAt: Instant,
      byType: TotalsByType,
      byCurrency: TotalsByCurrency,
      lines: z.number().int(),
      beneficiaries: z.number().int(),
      top: z.array(z.object({ memberId: z.number().int(), code: z.string(), name: z.string(), currency: z.string(), amount: MoneyString })),
      previous: z.object({ periodKey: z.string(), byType: TotalsByType, byCurrency: TotalsByCurrency, beneficiaries: z.number().int() }).nullable(),
      /** Preview minus the previous period's posted totals, per currency. */
      differenceByCurrency: TotalsByCurrency,
      ms: z.number().int(),
    }),
  }),
  /** Why an order paid what it paid: the buyer's sponsor line upward and the lines paid on it. */
  'commissions.why': query({
    summary: 'Por qué un pedido pagó lo que pagó: línea de patrocinio y líneas pagadas',
    roles: ALL_STAFF,
    input: z.object({ orderId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }).strict(),
    output: z.object({
      orderId: z.number().int(),
      buyer: z.object({ id: z.number().int(), code: z.string(), name: z.string() }),
      periodKey: z.string().nullable(),
      status: z.string(),
      pv: z.string(),
      vn: MoneyString,
      currency: z.string(),
      uplines: z.array(z.object({
        level: z.number().int(),
        memberId: z.number().int(),
        code: z.string(),
        name: z.string(),
        paidAsRank: RankNumber,
        /** Uninivel levels this paid-as rank opens in the plan in force. */
        opensLevels: z.number().int(),
        opensThisLevel: z.boolean(),
      })),
      lines: z.array(CommissionLine),
    }),
  }),
};
