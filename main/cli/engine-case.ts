/**
 * npm run --silent engine:case -- FILE.json
 *
 * Loads an engine case (main/domain/engine/case-format.ts) into a fresh empty database, confirms its orders,
 * runs the real period close and prints the result JSON read back from the database — nothing else
 * on stdout. Bad input (unknown sponsor, cycle, unknown SKU, malformed file): a message on stderr,
 * exit code 1.
 *
 * Database: a throw-away database created from a migrated template on a cached embedded cluster
 * (NNP_ENGINE_CASE_DIR, default <tmp>/nnp-engine-case; attached to when already running), or on the
 * cluster given by NNP_ENGINE_CASE_PG (a postgres:// URL of a server, e.g. the test cluster).
 */
import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { ZodError } from 'zod';
import { applyMigrations, clusterUrl, connect, ensureDatabase } from '../db/client';
import { startCluster } from '../db/embedded';
import { migrationsFolder } from '../db/paths';
import { ensureInitialPlan } from '../services/plan/initial';
import { runCase } from '../services/commissions/case-runner';
import { closeSteps } from '../app/composition';
import { serializeCaseOutputJson } from '../services/commissions/case-output';
import { EngineInputError } from '../domain/engine';
import { AppError } from '../../shared/errors';

const debug = process.env.NNP_ENGINE_CASE_DEBUG ? (m: string) => process.stderr.write(`${m}\n`) : () => {};

async function serverUrl(): Promise<{ admin: (db: string) => string; stop: () => Promise<void> }> {
  const given = process.env.NNP_ENGINE_CASE_PG;
  if (given) {
    const u = new URL(given);
    return {
      admin: (db) => {
        const x = new URL(u);
        x.pathname = `/${db}`;
        return x.toString();
      },
      stop: async () => {},
    };
  }
  const dir = process.env.NNP_ENGINE_CASE_DIR ?? path.join(os.tmpdir(), 'nnp-engine-case');
  const cluster = await startCluster({ baseDir: dir, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }, log: debug });
  return { admin: (db) => clusterUrl(cluster, db), stop: async () => {} };
}

function migrationsHash(): string {
  const journal = readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8');
  return createHash('sha256').update(journal).digest('hex').slice(0, 10);
}

async function templateDb(admin: (db: string) => string): Promise<string> {
  const name = `nnp_case_tpl_${migrationsHash()}`;
  const sql = postgres(admin('postgres'), { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(7261099)`;
    const [ready] = await sql`select 1 from pg_database where datname = ${name} and datistemplate`;
    if (!ready) {
      await sql.unsafe(`drop database if exists "${name}"`);
      await ensureDatabase(admin('postgres'), name);
      await applyMigrations(admin(name));
      const d = connect(admin(name), { max: 1 });
      await ensureInitialPlan(d.db);
      await d.close();
      await sql.unsafe(`alter database "${name}" is_template true`);
    }
    await sql`select pg_advisory_unlock(7261099)`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  return name;
}

async function main(): Promise<number> {
  const file = process.argv.slice(2).find((a) => a !== '--');
  if (!file) {
    process.stderr.write('usage: npm run --silent engine:case -- FILE.json\n');
    return 1;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    process.stderr.write(`engine:case: cannot read ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  const server = await serverUrl();
  const template = await templateDb(server.admin);
  const name = `nnp_case_${randomBytes(5).toString('hex')}`;
  for (let i = 0; ; i++) {
    try {
      await ensureDatabase(server.admin('postgres'), name, template);
      break;
    } catch (e) {
      if (i > 50) throw e; // the template is briefly in use by another run's CREATE DATABASE
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const database = connect(server.admin(name), { max: 4 });
  try {
    const out = await runCase(database, closeSteps, json, debug);
    process.stdout.write(serializeCaseOutputJson(out));
    return 0;
  } catch (e) {
    if (e instanceof ZodError) {
      process.stderr.write(`engine:case: invalid case file: ${e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    } else if (e instanceof EngineInputError || e instanceof AppError) {
      process.stderr.write(`engine:case: ${e.message}\n`);
    } else {
      process.stderr.write(`engine:case: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    }
    return 1;
  } finally {
    await database.close();
    const sql = postgres(server.admin('postgres'), { max: 1, onnotice: () => {} });
    await sql.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await sql.end({ timeout: 5 });
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`engine:case: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
