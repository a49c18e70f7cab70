/**
 * npm run bench -- --members N [--only GROUP[,GROUP…]] [--out FILE] [--seed S] [--rebuild]
 *
 * The benchmarks described in docs/performance.md. A dedicated embedded
 * PostgreSQL cluster lives in bench/data/ (gitignored), tuned for a bench and NOT for durability
 * (fsync off: a crash of the machine can corrupt it; it is rebuilt with --rebuild). The generated
 * network is kept in a database per (N, seed), `bench_<N>_s<seed>`, so a re-run skips generation.
 * Every metric listed in main/cli/bench/metrics/index.ts whose name starts with one of the --only
 * groups runs; the table goes to stdout and the figures to FILE (default bench/results/latest.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../db/paths';
import { startCluster } from '../db/embedded';
import { applyMigrations, clusterUrl, connect, ensureDatabase } from '../db/client';
import { cliArgs, runMain } from './args';
import { resetDemoData } from './seed';
import { metrics } from './bench/metrics';
import type { BenchContext, Metric, MetricResult } from './bench/types';
import { seededRandom } from './bench/timing';

const log = (m: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);

/** Bench-only server settings: memory for a 1,000,000-member network; durability traded for speed. */
export const BENCH_SETTINGS: Record<string, string> = {
  shared_buffers: '2GB',
  effective_cache_size: '8GB',
  work_mem: '256MB',
  maintenance_work_mem: '1GB',
  max_wal_size: '8GB',
  checkpoint_timeout: '30min',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  random_page_cost: '1.1',
  max_connections: '100',
  jit: 'off',
};

/** How long the bench waits at most for autovacuum before a metric. */
const SETTLE_MAX_MS = 180_000;
/** A server younger than this may not have launched its prewarm worker yet. */
const PREWARM_START_S = 10;

/**
 * Waits until no autovacuum worker (nor the start's prewarm) runs in the bench cluster (at most
 * SETTLE_MAX_MS); answers the wait in ms. After the close (5.4 million commission lines) or the seed (a new database of a
 * million members), autovacuum works for minutes on the same two cores: a metric measured then
 * measures both (the ui group after the seed: load average 3.7, dashboard p95 3.2 s).
 */
async function settle(sql: ReturnType<typeof connect>['sql']): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    // Also the start's prewarm (main/db/embedded.ts), reading back what the last run held in memory.
    // Its worker is launched a moment after the server accepts connections: in the first seconds
    // of a server "no worker" does not yet mean "prewarmed" (the same window made a test flaky).
    const [r] = await sql<{ n: number; young: boolean }[]>`
      select count(*)::int as n, now() - pg_postmaster_start_time() < ${`${PREWARM_START_S} seconds`}::interval as young
      from pg_stat_activity where backend_type in ('autovacuum worker', 'autoprewarm worker')`;
    if ((!r?.n && !r?.young) || performance.now() - t0 > SETTLE_MAX_MS) return Math.round(performance.now() - t0);
    await sleep(1000);
  }
}

function positiveInt(name: string, raw: string | undefined, min: number): number {
  const v = Number(raw);
  if (!raw || !Number.isInteger(v) || v < min) {
    console.error(`--${name} debe ser un entero >= ${min} (recibido: ${raw ?? 'nada'})`);
    process.exit(2);
  }
  return v;
}

export interface BenchReport {
  members: number;
  orders: number;
  machine: string;
  at: string;
  load_avg_start?: string;
  load_avg_end?: string;
  metrics: Record<
    string,
    MetricResult & { load_avg?: string; waited_for_autovacuum_ms?: number } & { budget_p95_ms?: number; budget_ms?: number; budget_per_s?: number }
  >;
}

const fmt = (v: number | undefined, unit = '') =>
  v === undefined || Number.isNaN(v) ? '—' : `${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}${unit}`;

/** The metric's own figure is missing (no p95, ms or per_s, or not a number): the run failed. */
export function missingFigure(r: MetricResult): boolean {
  const figure = r.per_s ?? r.p95_ms ?? r.ms;
  return r.failed !== undefined || figure === undefined || !Number.isFinite(figure);
}

const budgetText = (m: Metric) =>
  m.budget.per_s
    ? `≥ ${fmt(m.budget.per_s, '/s')}`
    : m.budget.ms
      ? `≤ ${fmt(m.budget.ms, ' ms')}`
      : m.budget.p95_ms
        ? `p95 ≤ ${fmt(m.budget.p95_ms, ' ms')}`
        : '—';

/** p50 / p95 / baseline / ratio / budget / verdict of one metric, whatever its kind. */
export function tableRow(m: Metric, r: MetricResult) {
  if (missingFigure(r)) return [m.name, 'FAILED', '', '', '', budgetText(m), 'FAILED'];
  if (r.per_s !== undefined) {
    const ratio = r.baseline_per_s ? r.per_s / r.baseline_per_s : undefined;
    const ok = m.budget.per_s === undefined ? undefined : r.per_s >= m.budget.per_s;
    return [m.name, fmt(r.per_s, '/s'), '', fmt(r.baseline_per_s, '/s'), fmt(ratio, '×'), m.budget.per_s ? `≥ ${fmt(m.budget.per_s, '/s')}` : '—', ok];
  }
  if (r.ms !== undefined && r.p95_ms === undefined) {
    const ratio = r.baseline_ms ? r.baseline_ms / r.ms : undefined;
    const ok = m.budget.ms === undefined ? undefined : r.ms <= m.budget.ms;
    return [m.name, fmt(r.ms, ' ms'), '', fmt(r.baseline_ms, ' ms'), fmt(ratio, '×'), m.budget.ms ? `≤ ${fmt(m.budget.ms, ' ms')}` : '—', ok];
  }
  const ratio = r.baseline_p95_ms && r.p95_ms ? r.baseline_p95_ms / r.p95_ms : undefined;
  const ok = m.budget.p95_ms === undefined || r.p95_ms === undefined ? undefined : r.p95_ms <= m.budget.p95_ms;
  return [
    m.name,
    fmt(r.p50_ms, ' ms'),
    fmt(r.p95_ms, ' ms'),
    fmt(r.baseline_p95_ms, ' ms'),
    fmt(ratio, '×'),
    m.budget.p95_ms ? `p95 ≤ ${fmt(m.budget.p95_ms, ' ms')}` : '—',
    ok,
  ];
}

export function printTable(rows: (string | boolean | undefined)[][]) {
  const header = ['metric', 'p50 (or value)', 'p95', 'baseline', 'ratio', 'budget', 'within budget?'];
  const cells = [header, ...rows.map((r) => r.map((c) => (c === true ? 'yes' : c === false ? 'NO' : c === undefined ? '—' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(cells[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

async function main() {
  const { values } = cliArgs({
    members: { type: 'string', default: '100000' },
    only: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    rebuild: { type: 'boolean', default: false },
  });
  const members = positiveInt('members', values.members, 10);
  const seed = positiveInt('seed', values.seed, 0);
  const groups = values.only
    ? values.only
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean)
    : null;
  const selected = metrics.filter((m) => !groups || groups.some((g) => m.name === g || m.name.startsWith(`${g}.`)));
  if (selected.length === 0) {
    console.error(`Ninguna métrica coincide con --only ${values.only}. Hay: ${metrics.map((m) => m.name).join(', ') || 'ninguna'}`);
    process.exit(2);
  }
  const out = path.resolve(values.out ?? path.join(projectRoot, 'bench', 'results', 'latest.json'));

  const cluster = await startCluster({
    baseDir: path.join(projectRoot, 'bench', 'data'),
    settings: BENCH_SETTINGS,
    log: (m) => process.env.NNP_DEBUG && log(m),
  });
  const dbName = `bench_${members}_s${seed}`;
  try {
    await ensureDatabase(clusterUrl(cluster, 'postgres'), dbName);
    const url = clusterUrl(cluster, dbName);
    log(`base de datos ${dbName} en ${cluster.dataDir}: migraciones…`);
    await applyMigrations(url);
    const database = connect(url, { max: 24 });
    try {
      const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from members`;
      if (values.rebuild || (row?.n ?? 0) !== members) {
        if ((row?.n ?? 0) > 0) await resetDemoData(database.sql, log);
        const { seedDemoNetwork } = await import('../services/seed/generate');
        log(`generando la red: ${members} miembros, 3 periodos, semilla ${seed}…`);
        const r = await seedDemoNetwork(database.sql, { members, periods: 3, seed, log });
        log(`red generada en ${(r.ms / 1000).toFixed(1)} s: ${r.orders} pedidos`);
        log('vacuum analyze…');
        await database.sql`vacuum analyze`;
      } else {
        log(`red reutilizada (${members} miembros)`);
      }
      // Tables a new migration filled (or created) have no statistics yet: the planner needs them.
      // Named with their schema (drizzle's own table is drizzle.__drizzle_migrations), quoted by format %I.
      const stale = await database.sql<{ name: string }[]>`
        select format('%I.%I', schemaname, relname) as name from pg_stat_user_tables
        where last_analyze is null and last_autoanalyze is null and n_live_tup + n_mod_since_analyze > 0`;
      for (const { name } of stale) {
        log(`analyze ${name}`);
        await database.sql.unsafe(`analyze ${name}`);
      }
      // A migration that rewrote a big table leaves dead rows (and index entries) behind: clean them
      // now rather than measure the bloat until autovacuum comes by.
      const bloated = await database.sql<{ name: string }[]>`
        select format('%I.%I', schemaname, relname) as name from pg_stat_user_tables where n_dead_tup > 10000 and n_dead_tup > n_live_tup / 10`;
      for (const { name } of bloated) {
        log(`vacuum analyze ${name}`);
        await database.sql.unsafe(`vacuum analyze ${name}`);
      }
      const [o] = await database.sql<{ n: number }[]>`
        select count(*)::int as n from orders where period_id = (select id from periods order by (status = 'open') desc, starts_at desc limit 1)`;
      const [v] = await database.sql<{ v: string }[]>`select current_setting('server_version') as v`;
      const cpus = os.cpus();
      const report: BenchReport = {
        members,
        orders: o?.n ?? 0,
        machine: `${cpus.length} cores, ${cpus[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ${os.platform()} ${os.release()}, PostgreSQL ${v?.v} (embedded, bench settings)`,
        at: new Date().toISOString(),
        metrics: {},
      };
      const ctx: BenchContext = { sql: database.sql, db: database.db, members, seed, random: seededRandom(seed * 7919 + members), log };
      const rows: (string | boolean | undefined)[][] = [];
      const failed: string[] = [];
      report.load_avg_start = os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ');
      log(`load average ${report.load_avg_start} (${os.cpus().length} cores)`);
      for (const m of selected) {
        const settled = await settle(database.sql);
        log(`${m.name}…${settled >= 1000 ? ` (after ${(settled / 1000).toFixed(0)} s waiting for autovacuum or the prewarm)` : ''}`);
        const t0 = performance.now();
        let r: MetricResult;
        try {
          r = await m.run(ctx);
        } catch (e) {
          log(`${m.name} falló: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
          r = { failed: `${e instanceof Error ? e.message : String(e)}${cause}` };
        }
        if (missingFigure(r) && r.failed === undefined) r = { ...r, failed: 'no figure measured' };
        if (r.failed !== undefined) failed.push(m.name);
        const load = os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ');
        log(`${m.name}: ${JSON.stringify(r)} (${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${load})`);
        report.metrics[m.name] = {
          ...r,
          load_avg: load,
          ...(settled >= 1000 ? { waited_for_autovacuum_ms: settled } : {}),
          ...(m.budget.p95_ms !== undefined ? { budget_p95_ms: m.budget.p95_ms } : {}),
          ...(m.budget.ms !== undefined ? { budget_ms: m.budget.ms } : {}),
          ...(m.budget.per_s !== undefined ? { budget_per_s: m.budget.per_s } : {}),
        };
        rows.push(tableRow(m, r));
      }
      for (const after of new Set(selected.map((m) => m.after).filter((a) => a !== undefined))) await after().catch((e) => log(`after: ${String(e)}`));
      console.log(`\n${members.toLocaleString('en-US')} members, ${report.orders.toLocaleString('en-US')} orders in the current period; ${report.machine}\n`);
      printTable(rows);
      report.load_avg_end = os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ');
      console.log(`\nload average (1, 5, 15 min): ${report.load_avg_start} at the start, ${report.load_avg_end} at the end`);
      for (const name of failed) console.log(`FAILED ${name}: ${report.metrics[name]?.failed}`);
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
      log(`JSON: ${out}`);
      // A metric that failed (an error, a missing figure) fails the run.
      if (failed.length) process.exitCode = 1;
    } finally {
      await database.close();
    }
  } finally {
    await cluster.stop();
  }
}

if (path.resolve(process.argv[1] ?? '') === path.resolve(new URL(import.meta.url).pathname)) {
  runMain(main, (e) => log(e instanceof Error ? (e.stack ?? e.message) : String(e)));
}
