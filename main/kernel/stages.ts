/**
 * Milliseconds per stage of a long job (the close's write, the volumes recompute), for its result
 * and the bench's notes: `lap(name)` records the time since the previous lap (or the start).
 */
export function stageTimes() {
  const ms: Record<string, number> = {};
  let t = performance.now();
  return {
    ms,
    lap(name: string) {
      const now = performance.now();
      ms[name] = Math.round(now - t);
      t = now;
    },
  };
}
