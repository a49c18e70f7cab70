import { eq } from 'drizzle-orm';
import { planVersions } from '../../db/schema';
import { mutator, reader } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { checkPlan } from '../../domain/plan';
import { diffPlanFigures } from '../../domain/plan-diff';
import { versionById, viewById } from './versions';

const meta = (v: { id: number; name: string; effectiveFromPeriod: string; status: 'draft' | 'published' }) => ({
  id: v.id,
  name: v.name,
  effectiveFromPeriod: v.effectiveFromPeriod,
  status: v.status,
});

async function updateDraft(input: ParsedInputOf<'plan.updateDraft'>, ctx: MutationContext) {
  const before = await versionById(ctx.tx, input.id, true);
  if (before.status !== 'draft') throw AppError.of('CONFLICT', 'plan.published', {}, { id: input.id });
  const checked = checkPlan(input.figures);
  if (!checked.ok) throw new AppError('VALIDATION', 'Las cifras del plan no son coherentes.', { issues: checked.issues });
  const changes = diffPlanFigures(before.figures, checked.plan);
  await ctx.tx.update(planVersions).set({ figures: checked.plan }).where(eq(planVersions.id, input.id));
  await ctx.audit({
    entity: 'plan_version',
    entityId: input.id,
    reason: input.reason,
    before: { changes: changes.map((c) => ({ path: c.path, value: c.before })) },
    after: { changes: changes.map((c) => ({ path: c.path, value: c.after })) },
  });
  return viewById(ctx.tx, input.id);
}

async function planDiff(input: ParsedInputOf<'plan.diff'>, ctx: CallContext) {
  const [from, to] = await Promise.all([versionById(ctx.db, input.fromId), versionById(ctx.db, input.toId)]);
  return { from: meta(from), to: meta(to), changes: diffPlanFigures(from.figures, to.figures) };
}

export const planEditorHandlers = {
  'plan.get': reader((input: ParsedInputOf<'plan.get'>, ctx: CallContext) => viewById(ctx.db, input.id)),
  'plan.updateDraft': mutator(updateDraft),
  'plan.diff': reader(planDiff),
};
