import type postgres from 'postgres';
import type { Db } from '../../db/client';

/**
 * One benchmark metric of `npm run bench` (see docs/performance.md). Each area adds its metrics in
 * main/cli/bench/metrics/<group>.ts and lists them in main/cli/bench/metrics/index.ts.
 */
export interface BenchContext {
  sql: postgres.Sql;
  db: Db;
  /** Size of the generated network. */
  members: number;
  seed: number;
  /** Deterministic random numbers for picking sample members. */
  random: () => number;
  log: (m: string) => void;
}

export interface MetricResult {
  p50_ms?: number;
  p95_ms?: number;
  /** Whole-run metrics: one run's duration. */
  ms?: number;
  /** Throughput metrics. */
  per_s?: number;
  baseline_p95_ms?: number;
  baseline_ms?: number;
  baseline_per_s?: number;
  /** ledger.postings: the same mix one transfer per transaction (per_s is in batches). */
  single_per_s?: number;
  samples?: number;
  notes?: string;
  /** Set when the metric could not be measured (an error, a missing figure): the run fails. */
  failed?: string;
}

export interface Metric {
  /** e.g. "genealogy.children" as named in docs/performance.md. */
  name: string;
  budget: { p95_ms?: number; ms?: number; per_s?: number };
  run(ctx: BenchContext): Promise<MetricResult>;
  /** Called once after the last metric of the run (shared resources: a browser, an app process). */
  after?: () => Promise<void>;
}
