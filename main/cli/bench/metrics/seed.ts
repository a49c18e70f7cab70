/**
 * seed.generate — `npm run seed -- --members N` from an empty database: a new database of the bench
 * cluster, migrated (not timed), then the seed command run as a person runs it (its own process,
 * `--database-url` at that database) and timed from spawn to exit; the database is dropped
 * afterwards. The notes give the generator's own figure (without process start and migration
 * check). Baseline (naive): members inserted one statement at a time (each with its path row, in
 * a transaction rolled back), timed on a sample and extrapolated to N.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import postgres from 'postgres';
import type { Metric, MetricResult } from '../types';
import { cpuFloorNote, machineCpu, round, timeOnce } from '../timing';
import { applyMigrations, ensureDatabase } from '../../../db/client';
import { projectRoot } from '../../../db/paths';

const NAIVE_SAMPLE = 2_000;

class Rollback extends Error {}

function urlOf(sql: postgres.Sql, database: string): string {
  const o = sql.options as unknown as { host: string[]; port: number[]; user: string; pass: string | null | (() => string) };
  const pass = typeof o.pass === 'function' ? o.pass() : (o.pass ?? '');
  return `postgres://${encodeURIComponent(o.user)}:${encodeURIComponent(pass)}@${o.host[0]}:${o.port[0]}/${database}`;
}

export const seedGenerate: Metric = {
  name: 'seed.generate',
  budget: { ms: 60_000 },
  async run(ctx): Promise<MetricResult> {
    const name = `bench_seedgen_${ctx.members}`;
    const admin = postgres(urlOf(ctx.sql, 'postgres'), { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await ensureDatabase(urlOf(ctx.sql, 'postgres'), name);
      const url = urlOf(ctx.sql, name);
      await applyMigrations(url);
      let output = '';
      const m0 = machineCpu();
      const ms = await timeOnce(
        () =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(
              process.execPath,
              [
                path.join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
                path.join(projectRoot, 'main', 'cli', 'seed.ts'),
                '--members',
                String(ctx.members),
                '--seed',
                String(ctx.seed),
                '--database-url',
                url,
              ],
              { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
            );
            child.stdout.on('data', (d: Buffer) => {
              output += d.toString();
            });
            child.stderr.on('data', (d: Buffer) => {
              output += d.toString();
            });
            child.on('error', reject);
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run seed salió con ${code}: ${output.slice(-2000)}`))));
          }),
      );
      const machine = cpuFloorNote(m0, machineCpu(), ms);
      const check = postgres(url, { max: 1, onnotice: () => {} });
      let made = 0;
      let naiveMs = 0;
      try {
        const [r] = await check<{ n: number }[]>`select count(*)::int as n from members`;
        made = r?.n ?? 0;
        // Naive: one INSERT per member and one per path row, as a loop over an ORM would.
        await check
          .begin(async (tx) => {
            const [root] = await tx<{ id: string }[]>`select id::text from members order by id limit 1`;
            naiveMs = await timeOnce(async () => {
              for (let i = 0; i < NAIVE_SAMPLE; i++) {
                const [m] = await tx<{ id: string }[]>`
                insert into members (code, first_name, last_name, email, country, sponsor_id, enrolled_at)
                values (${`NV${i}`}, 'Naive', 'Bench', ${`naive${i}@bench.invalid`}, 'MX', ${root!.id}, now()) returning id::text`;
                await tx`insert into member_paths (member_id, path, depth) values (${m!.id}, ${`/${root!.id}/${m!.id}/`}, 1) on conflict (member_id) do nothing`;
              }
            });
            throw new Rollback();
          })
          .catch((e) => {
            if (!(e instanceof Rollback)) throw e;
          });
      } finally {
        await check.end({ timeout: 5 });
      }
      if (made !== ctx.members) throw new Error(`la semilla dejó ${made} miembros, no ${ctx.members}`);
      const summary = output.split('\n').find((l) => l.startsWith('Red de demostración')) ?? '';
      return {
        ms: round(ms),
        baseline_ms: round((naiveMs / NAIVE_SAMPLE) * ctx.members),
        samples: 1,
        notes: `${summary.trim()}; ${machine}; baseline: ${NAIVE_SAMPLE} members inserted one statement at a time in ${Math.round(naiveMs)} ms (members only, no orders), × ${ctx.members}`,
      };
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.end({ timeout: 5 });
    }
  },
};
