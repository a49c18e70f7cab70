import diff from 'microdiff';

export interface PlanChange {
  /** Where in the figures: "uninivel.levels.3.rate". */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before: unknown;
  after: unknown;
}

/** Every leaf that differs between two versions' figures, in document order. */
export function diffPlanFigures(before: unknown, after: unknown): PlanChange[] {
  return diff(before as Record<string, unknown>, after as Record<string, unknown>).map((d) => ({
    path: d.path.map(String).join('.'),
    kind: d.type === 'CREATE' ? 'added' : d.type === 'REMOVE' ? 'removed' : 'changed',
    before: d.type === 'CREATE' ? null : d.oldValue,
    after: d.type === 'REMOVE' ? null : d.value,
  }));
}
