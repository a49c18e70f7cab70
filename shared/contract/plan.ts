import { z } from 'zod';
import { ALL_STAFF, mutation, query } from './define';
import { Instant } from '../money';
import { PeriodKeyInput, RankNumber } from './members';
import { rule } from '../error-messages';

/** Points thresholds: non-negative decimals with at most 2 decimals, as strings. */
export const PointsInput = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,2})?$/, rule('points'));

export const PlanRankRow = z.object({ rank: RankNumber, pv: z.string(), pvg: z.string(), uninivelDepth: z.number().int() });

export const PlanVersionView = z.object({
  id: z.number().int(),
  name: z.string(),
  effectiveFromPeriod: z.string(),
  status: z.enum(['draft', 'published']),
  createdAt: Instant,
  createdBy: z.string().nullable(),
  publishedAt: Instant.nullable(),
  publishedBy: z.string().nullable(),
  ranks: z.array(PlanRankRow),
  /** The whole figures object (PlanFiguresSchema). */
  figures: z.record(z.string(), z.unknown()),
});
export type PlanVersionView = z.infer<typeof PlanVersionView>;

export const planContract = {
  'plan.current': query({
    roles: ALL_STAFF,
    summary: 'The plan version in force for a period (default: the open period).',
    input: z.object({ periodKey: PeriodKeyInput.optional() }).strict().default({}),
    output: z.object({ periodKey: z.string(), version: PlanVersionView }),
  }),
  'plan.versions': query({
    roles: ['admin', 'finance'],
    summary: 'Every plan version (published and drafts), newest first.',
    input: z.object({}).strict().default({}),
    output: z.array(PlanVersionView.omit({ figures: true })),
  }),
  'plan.createDraft': mutation({
    roles: ['admin'],
    summary: 'A draft copied from the version in force (or another version), effective from a future period.',
    input: z
      .object({ name: z.string().trim().min(3).max(120), effectiveFromPeriod: PeriodKeyInput, fromVersionId: z.number().int().positive().optional() })
      .strict(),
    output: PlanVersionView,
  }),
  'plan.updateDraftRanks': mutation({
    roles: ['admin'],
    summary: 'Edits the rank thresholds (PV, PVG) of a draft; inconsistent figures are refused.',
    input: z
      .object({
        id: z.number().int().positive(),
        ranks: z
          .array(z.object({ rank: z.number().int().min(1).max(8), pv: PointsInput, pvg: PointsInput }).strict())
          .min(1)
          .max(8),
        reason: z.string().trim().min(3).max(500),
      })
      .strict(),
    output: PlanVersionView,
  }),
  'plan.publish': mutation({
    roles: ['admin'],
    summary: 'Publishes a draft: from its period on, the engine reads its figures. Never for a closed period.',
    input: z.object({ id: z.number().int().positive(), reason: z.string().trim().min(3).max(500) }).strict(),
    output: PlanVersionView,
  }),
};
