import { z } from 'zod';
import { mutation, query } from './define';
import { PlanVersionView } from './plan';

const VersionMeta = z.object({ id: z.number().int(), name: z.string(), effectiveFromPeriod: z.string(), status: z.enum(['draft', 'published']) });

/** The whole-document side of plan versions: edit every figure of a draft, compare two versions. */
export const planEditorContract = {
  'plan.get': query({
    roles: ['admin', 'finance'],
    summary: 'One plan version with all its figures.',
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: PlanVersionView,
  }),
  'plan.updateDraft': mutation({
    roles: ['admin'],
    summary: 'Replaces the figures of a draft; an incomplete or inconsistent plan is refused with the paths at fault.',
    input: z.object({ id: z.number().int().positive(), figures: z.record(z.string(), z.unknown()), reason: z.string().trim().min(3).max(500) }).strict(),
    output: PlanVersionView,
  }),
  'plan.diff': query({
    roles: ['admin', 'finance'],
    summary: 'What changes from one plan version to another, figure by figure.',
    input: z.object({ fromId: z.number().int().positive(), toId: z.number().int().positive() }).strict(),
    output: z.object({
      from: VersionMeta,
      to: VersionMeta,
      changes: z.array(z.object({ path: z.string(), kind: z.enum(['added', 'removed', 'changed']), before: z.unknown(), after: z.unknown() })),
    }),
  }),
};
