/** Timing helpers shared by the bench metrics. */

/** Nearest-rank percentile of an unsorted list of durations (ms). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export const round = (ms: number) => Math.round(ms * 100) / 100;

export async function timeOnce(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * Runs `fn` over every input after `warmup` untimed runs (taken from the same inputs), answers the
 * p50 and p95 in ms. Inputs are run in order: put the root and the big cases among them.
 */
export async function sample<T>(inputs: T[], fn: (input: T) => Promise<unknown>, warmup = 5) {
  for (let i = 0; i < Math.min(warmup, inputs.length); i++) await fn(inputs[i]!);
  const times: number[] = [];
  for (const input of inputs) times.push(await timeOnce(() => fn(input)));
  return { p50_ms: round(percentile(times, 50)), p95_ms: round(percentile(times, 95)), max_ms: round(Math.max(...times)), samples: times.length, times };
}

/** The `n` slowest samples as a metric's notes name them: `"input" 12.3 ms, …` (inputs[i] took times[i]). */
export function slowestOf<T>(times: number[], inputs: T[], n: number): string {
  return times
    .map((ms, i) => ({ ms, input: inputs[i] }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n)
    .map((x) => `${JSON.stringify(x.input)} ${round(x.ms)} ms`)
    .join(', ');
}

/** Fisher-Yates with the given random source. */
export function shuffle<T>(list: T[], random: () => number): T[] {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Deterministic random numbers (mulberry32) for choosing sample members. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}
