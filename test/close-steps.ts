/**
 * The close's steps as the application composes them (main/app/composition.ts), with a test's own step
 * put in: right after `after` when given, else right before 'finish'.
 */
import { closeSteps } from '../main/app/composition';
import type { CloseStep, CloseSteps } from '../main/services/periods/close';

export function withStep(step: CloseStep, at: { after?: string } = {}, steps: CloseSteps = closeSteps): CloseStep[] {
  const list = steps.filter((s) => s.name !== step.name);
  const i = at.after ? list.findIndex((s) => s.name === at.after) + 1 : list.length - 1;
  if (i <= 0 || i > list.length - 1) return [...list.slice(0, -1), step, list.at(-1)!];
  return [...list.slice(0, i), step, ...list.slice(i)];
}
