import { z } from 'zod';
import { mutation, query } from './define';
import { DecimalString, MoneyString } from '../money';
import { PeriodKeyInput, RankNumber } from './members';
import { PeriodStatusSchema } from './periods';

/** A ratio as a decimal fraction string with 6 decimals ("0.342118" = 34.2118 %), null without VN. */
export const RatioString = DecimalString.nullable();

const PlanRef = z.object({ id: z.number().int(), name: z.string(), effectiveFromPeriod: z.string() }).nullable();

export const PeriodPayout = z.object({
  periodKey: z.string(),
  status: PeriodStatusSchema,
  /** lines: a closed period's posted lines; preview: the open period's latest preview (+ its clawbacks); none: no preview yet. */
  source: z.enum(['lines', 'preview', 'none']),
  previewAt: z.string().nullable(),
  plan: PlanRef,
  commissionsMxn: MoneyString,
  vnMxn: MoneyString,
  ratio: RatioString,
  byBonus: z.array(z.object({ type: z.string(), commissionsMxn: MoneyString, ratio: RatioString, byCurrency: z.record(z.string(), MoneyString) })),
  byCountry: z.array(
    z.object({ country: z.string(), currency: z.string(), commissionsMxn: MoneyString, commissions: MoneyString, vnMxn: MoneyString, ratio: RatioString }),
  ),
  lines: z.number().int(),
  orders: z.number().int(),
});

export const DisclosureRow = z.object({
  rank: RankNumber,
  members: z.number().int(),
  shareOfMembers: RatioString,
  earners: z.number().int(),
  shareEarning: RatioString,
  nonEarners: z.number().int(),
  totalMxn: MoneyString,
  meanMxn: MoneyString.nullable(),
  medianMxn: MoneyString.nullable(),
  p10Mxn: MoneyString.nullable(),
  p90Mxn: MoneyString.nullable(),
  highestMxn: MoneyString.nullable(),
});

export const economicsContract = {
  /** Payout ratio of one period (default: the open one): commissions paid ÷ VN of paid orders, in MXN. */
  'economics.payout': query({
    summary: 'Razón de pago de un periodo: comisiones pagadas ÷ VN de pedidos pagados (MXN), total, por bono y por país',
    roles: ['admin', 'finance'],
    input: z.object({ periodKey: PeriodKeyInput.optional() }).strict().default({}),
    output: PeriodPayout.nullable(),
  }),
  /** The last 12 periods' overall payout ratio, oldest first (the dashboard's chart). */
  'economics.payoutHistory': query({
    summary: 'Razón de pago de los últimos 12 periodos',
    roles: ['admin', 'finance'],
    input: z.object({}).strict().default({}),
    output: z.array(
      z.object({
        periodKey: z.string(),
        status: PeriodStatusSchema,
        source: z.enum(['lines', 'preview', 'none']),
        ratio: RatioString,
        commissionsMxn: MoneyString.nullable(),
        vnMxn: MoneyString,
        plan: z.string().nullable(),
      }),
    ),
  }),
  /**
   * Income disclosure over a year or a range of at most 24 periods (only its closed periods count):
   * per highest paid-as rank in the range, members, shares, mean, median, 10th / 90th percentile
   * (linear interpolation, type 7) and highest earnings in MXN. No closed period, or more than 24 → VALIDATION.
   */
  'reports.disclosure': query({
    summary: 'Declaración de ingresos de los socios por rango pagado, sobre periodos cerrados',
    roles: ['admin', 'finance'],
    input: z
      .object({
        year: z.number().int().min(2000).max(2100).optional(),
        from: PeriodKeyInput.optional(),
        to: PeriodKeyInput.optional(),
      })
      .strict(),
    output: z.object({
      from: z.string(),
      to: z.string(),
      periods: z.array(z.string()),
      members: z.number().int(),
      earners: z.number().int(),
      nonEarners: z.number().int(),
      totalMxn: MoneyString,
      meanMxn: MoneyString.nullable(),
      rows: z.array(DisclosureRow),
      builtPeriods: z.number().int(),
      ms: z.number().int(),
    }),
  }),
};

const SideSummary = z.object({
  byType: z.record(z.string(), z.record(z.string(), MoneyString)),
  byCurrency: z.record(z.string(), MoneyString),
  lines: z.number().int(),
  membersPaid: z.number().int(),
  commissionsMxn: MoneyString,
  vnMxn: MoneyString,
  ratio: RatioString,
});

export const SimulationResult = z.object({
  periodKey: z.string(),
  inForce: z.object({ id: z.number().int(), name: z.string() }),
  base: SideSummary,
  draft: SideSummary,
  ranks: z.object({ changed: z.number().int(), up: z.number().int(), down: z.number().int() }),
  top: z.array(
    z.object({
      memberId: z.number().int(),
      code: z.string(),
      name: z.string(),
      currency: z.string(),
      before: MoneyString,
      after: MoneyString,
      difference: MoneyString,
      differenceMxn: MoneyString,
      rankBefore: RankNumber,
      rankAfter: RankNumber,
    }),
  ),
  why: z
    .object({
      memberId: z.number().int(),
      code: z.string(),
      name: z.string(),
      currency: z.string(),
      pv: z.string(),
      pvg: z.string(),
      rankBefore: RankNumber,
      rankAfter: RankNumber,
      byType: z.array(z.object({ type: z.string(), before: MoneyString, after: MoneyString })),
    })
    .nullable(),
  ms: z.number().int(),
});

export const SimulationView = z.object({
  id: z.number().int(),
  versionId: z.number().int(),
  versionName: z.string(),
  periodKey: z.string(),
  periodStatus: PeriodStatusSchema,
  status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  stage: z.string().nullable(),
  /** Thousandths. */
  progress: z.number().int(),
  staffName: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  result: SimulationResult.nullable(),
});

export const simulationContract = {
  /**
   * Runs the engine with a draft's figures over the open period or a closed one, beside the plan in
   * force, in the background: read-only (no lines, no wallets). One at a time per admin (CONFLICT);
   * an inconsistent draft is refused with the paths at fault (VALIDATION).
   */
  'plan.simulate': mutation({
    summary: 'Prueba un borrador del plan sobre un periodo real (solo lectura, en segundo plano)',
    roles: ['admin'],
    input: z.object({ versionId: z.number().int().positive(), periodKey: PeriodKeyInput }).strict(),
    output: SimulationView,
  }),
  'plan.simulation': query({
    summary: 'Una prueba de borrador: estado, avance y resultado',
    roles: ['admin', 'finance'],
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: SimulationView,
  }),
  'plan.simulations': query({
    summary: 'Pruebas de borradores recientes (sin su resultado)',
    roles: ['admin', 'finance'],
    input: z.object({ versionId: z.number().int().positive().optional() }).strict().default({}),
    output: z.array(SimulationView.omit({ result: true })),
  }),
  'plan.cancelSimulation': mutation({
    summary: 'Cancela una prueba de borrador en cola o en curso',
    roles: ['admin'],
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: SimulationView,
  }),
};
