/** Timing helpers shared by the bench metrics. */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

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

/**
 * CPU time (user + system) of a local process in ms from /proc (clock ticks of 10 ms); null where it
 * cannot be read (a remote server's backend, no /proc).
 */
export function processCpuMs(pid: number): number | null {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields 14 and 15 (utime, stime), counted after "pid (comm) ": indexes 11 and 12.
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

export interface MachineCpu {
  /** Every process's CPU time (user, nice, system, irq, softirq), ms. */
  busyMs: number;
  /** Time the hypervisor ran something else while this machine wanted a core, ms. */
  stealMs: number;
}

/** The whole machine's CPU time so far, from /proc/stat (null where there is none). */
export function machineCpu(): MachineCpu | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    return { busyMs: (user! + nice! + system! + irq! + softirq!) * 10, stealMs: (steal ?? 0) * 10 };
  } catch {
    return null;
  }
}

/**
 * What a stretch of wall time cost the machine, and the floor it sets: busy CPU over the cores is
 * the shortest the same work could take on this machine if nothing waited (on a quiet machine the
 * busy time is the work measured: PostgreSQL's backends and workers, this process, the app).
 */
export function cpuFloorNote(before: MachineCpu | null, after: MachineCpu | null, wallMs: number): string {
  if (!before || !after) return 'machine CPU not measured';
  const busy = after.busyMs - before.busyMs;
  const steal = after.stealMs - before.stealMs;
  const cores = cpus().length;
  return (
    `machine CPU ${(busy / 1000).toFixed(1)} s busy${steal > 0 ? ` (+${(steal / 1000).toFixed(1)} s stolen by the host)` : ''} in ${(wallMs / 1000).toFixed(1)} s on ${cores} cores ` +
    `(${Math.round((busy / (wallMs * cores)) * 100)} % of the machine): CPU-bound floor ≈ ${(busy / cores / 1000).toFixed(1)} s`
  );
}
