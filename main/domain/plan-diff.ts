import diff from 'microdiff';

export interface PlanChange {
  /** Where in the figures, readable: "ranks[rank=2].pvg", "uninivel.levels[level=3].rate". */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before: unknown;
  after: unknown;
}

/** Array items are named by their key field rather than their position, so a path reads as the plan does. */
const KEY_FIELDS = ['rank', 'level', 'sku', 'currency', 'country'];

function readablePath(path: (string | number)[], docs: unknown[]): string {
  let out = '';
  let nodes = docs;
  for (const seg of path) {
    if (typeof seg === 'number') {
      const item = nodes.map((n) => (Array.isArray(n) ? n[seg] : undefined)).find((x) => x && typeof x === 'object') as Record<string, unknown> | undefined;
      const key = item && KEY_FIELDS.find((k) => k in item);
      out += key ? `[${key}=${String(item[key])}]` : `[${seg}]`;
    } else {
      out += out ? `.${seg}` : seg;
    }
    nodes = nodes.map((n) => (n && typeof n === 'object' ? (n as Record<string | number, unknown>)[seg] : undefined));
  }
  return out;
}

/** Every leaf that differs between two versions' figures, in document order. */
export function diffPlanFigures(before: unknown, after: unknown): PlanChange[] {
  return diff(before as Record<string, unknown>, after as Record<string, unknown>).map((d) => ({
    path: readablePath(d.path, [before, after]),
    kind: d.type === 'CREATE' ? 'added' : d.type === 'REMOVE' ? 'removed' : 'changed',
    before: d.type === 'CREATE' ? null : d.oldValue,
    after: d.type === 'REMOVE' ? null : d.value,
  }));
}
