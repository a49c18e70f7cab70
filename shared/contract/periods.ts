import { z } from 'zod';
import { ALL_STAFF, mutation, pageOf, PageInput, query } from './define';
import { DecimalString, Instant, MoneyString } from '../money';
import { MemberId, PeriodKeyInput, RankNumber } from './members';

export const PeriodStatusSchema = z.enum(['open', 'closing', 'closed']);

/** Members by paid-as rank, 0 (Sin rango) to 8. */
export const RankDistribution = z.array(z.object({ rank: RankNumber, members: z.number().int() }));

/** A period's cached figures (period_stats): never a scan of members or orders. */
export const PeriodFigures = z.object({
  membersTotal: z.number().int(),
  membersNew: z.number().int(),
  membersActive: z.number().int(),
  /** Open period: paid-as rank above the career rank (they advance at the close). Closed: career promotions. */
  membersAdvancing: z.number().int(),
  ordersPaid: z.number().int(),
  pv: DecimalString,
  /** VN converted to MXN at the rates in force at the period's start. */
  vnMxn: MoneyString,
  ranks: RankDistribution,
  updatedAt: Instant.nullable(),
});
export type PeriodFigures = z.infer<typeof PeriodFigures>;

export const PeriodSummary = z.object({
  id: z.number().int(),
  key: z.string(),
  status: PeriodStatusSchema,
  startsAt: Instant,
  endsAt: Instant,
  openedAt: Instant,
  closedAt: Instant.nullable(),
  closedBy: z.string().nullable(),
  figures: PeriodFigures.nullable(),
});
export type PeriodSummary = z.infer<typeof PeriodSummary>;

export const RunStep = z.object({ name: z.string(), label: z.string() });

export const PeriodRun = z.object({
  id: z.number().int(),
  periodKey: z.string(),
  kind: z.enum(['close', 'recompute']),
  status: z.enum(['running', 'succeeded', 'failed']),
  steps: z.array(RunStep),
  stepsDone: z.number().int(),
  currentStep: z.string().nullable(),
  /** Thousandths, 0..1000. */
  progress: z.number().int().min(0).max(1000),
  startedAt: Instant,
  startedBy: z.string().nullable(),
  heartbeatAt: Instant,
  finishedAt: Instant.nullable(),
  error: z.string().nullable(),
  /** A running run without a heartbeat for a while: its process may have stopped (the close can be started again). */
  stale: z.boolean(),
  result: z.record(z.string(), z.unknown()).nullable(),
});
export type PeriodRun = z.infer<typeof PeriodRun>;

export const AdvancingMember = z.object({
  memberId: MemberId,
  code: z.string(),
  name: z.string(),
  fromRank: RankNumber,
  toRank: RankNumber,
  pv: DecimalString,
  pvg: DecimalString,
});

export const ClosePreview = z.object({
  period: PeriodSummary,
  /** The period's calendar month has ended (a close before the end sends later payments to the next period). */
  ended: z.boolean(),
  canClose: z.boolean(),
  /** The first instant the period may be closed (its end): the server refuses a close before it. */
  closableFrom: Instant,
  /** The period has not started yet (a future period): never closable before it ends. */
  notStarted: z.boolean(),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  steps: z.array(RunStep),
  next: z.object({ key: z.string(), startsAt: Instant, endsAt: Instant, exists: z.boolean() }),
  /** Orders created in the period still waiting for payment: if paid later they count in the open period then. */
  pendingOrders: z.number().int(),
  /** Orders paid after the period's end, waiting for the next period to open. */
  waitingOrders: z.number().int(),
  /** Paid-as rank against the previous period. */
  paidAsUp: z.number().int(),
  paidAsDown: z.number().int(),
  careerPromotions: z.number().int(),
  previousRanks: RankDistribution.nullable(),
});

const LANG = { lang: z.enum(['es', 'en']).default('es') };

export const periodsContract = {
  'periods.list': query({
    roles: ['admin', 'finance'],
    summary: 'Every period, newest first, with its state and cached figures.',
    input: z.object({}).strict().default({}),
    output: z.array(PeriodSummary),
  }),
  'periods.current': query({
    roles: ALL_STAFF,
    summary: 'The open period with its live figures, the previous period, and the latest run (close or recomputation) of either.',
    input: z
      .object({ ...LANG })
      .strict()
      .default({ lang: 'es' }),
    output: z.object({
      period: PeriodSummary.nullable(),
      previous: PeriodSummary.nullable(),
      /** A period in the middle of its close, if any. */
      closing: PeriodSummary.nullable(),
      lastRun: PeriodRun.nullable(),
      /** The open period's calendar month has ended: it is time to close it. */
      ended: z.boolean(),
    }),
  }),
  'periods.get': query({
    roles: ['admin', 'finance'],
    summary: 'One period with its figures and its latest run.',
    input: z.object({ key: PeriodKeyInput, ...LANG }).strict(),
    output: z.object({ period: PeriodSummary, lastRun: PeriodRun.nullable() }),
  }),
  'periods.advancing': query({
    roles: ['admin', 'finance'],
    summary: 'Members advancing in a period: open, paid-as rank above the career rank; closed, the career promotions written at the close.',
    input: PageInput.extend({ key: PeriodKeyInput }).strict(),
    output: pageOf(AdvancingMember),
  }),
  'periods.previewClose': query({
    roles: ['admin'],
    summary: 'What closing the period would do, read-only: figures, rank changes, steps, warnings.',
    input: z.object({ key: PeriodKeyInput, ...LANG }).strict(),
    output: ClosePreview,
  }),
  'periods.close': mutation({
    roles: ['admin'],
    summary: 'Starts closing an open period (or restarts an interrupted close): it goes to closing, the next opens, the steps run in the background.',
    input: z.object({ key: PeriodKeyInput, confirmKey: PeriodKeyInput, ...LANG }).strict(),
    output: PeriodRun,
  }),
  'periods.recompute': mutation({
    roles: ['admin'],
    summary: 'Recomputes the volumes, paid-as ranks and cached figures of the open period from its orders (background run).',
    input: z.object({ key: PeriodKeyInput, ...LANG }).strict(),
    output: PeriodRun,
  }),
  'periods.run': query({
    roles: ['admin', 'finance'],
    summary: 'The progress record of a run (polled by the close wizard).',
    input: z.object({ runId: z.number().int().positive(), ...LANG }).strict(),
    output: PeriodRun,
  }),
};
