/**
 * npx tsx main/cli/bench/wallet-standalone.ts [--members N] [--durable] [--only ledger|withdrawals] [--out FILE]
 *
 * Runs the wallet metrics (main/cli/bench/metrics/wallet.ts) against a THROW-AWAY embedded
 * PostgreSQL cluster in a temporary folder (deleted afterwards), on N generated members (default
 * 20,000; only what the wallet needs: code, name, country, path, enrolment). Same server settings
 * as `npm run bench` (fsync off, synchronous_commit off) unless --durable, which keeps PostgreSQL's
 * defaults (fsync and synchronous commit on) to show the cost of durable commits.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster } from '../../db/embedded';
import { applyMigrations, clusterUrl, connect, ensureDatabase } from '../../db/client';
import { cliArgs } from '../args';
import { walletMetrics } from './metrics/wallet';
import { seededRandom } from './timing';
import type { BenchContext, MetricResult } from './types';

const log = (m: string) => console.error(`[bench-wallet ${new Date().toISOString().slice(11, 19)}] ${m}`);

const FAST: Record<string, string> = {
  shared_buffers: '1GB',
  work_mem: '64MB',
  maintenance_work_mem: '512MB',
  max_wal_size: '4GB',
  checkpoint_timeout: '30min',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  random_page_cost: '1.1',
  max_connections: '100',
  jit: 'off',
};
const DURABLE: Record<string, string> = {
  shared_buffers: '1GB',
  work_mem: '64MB',
  max_wal_size: '4GB',
  max_connections: '100',
  jit: 'off',
  random_page_cost: '1.1',
};

async function main() {
  const { values } = cliArgs({
    members: { type: 'string', default: '20000' },
    durable: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  });
  const members = Number(values.members);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnp-bench-wallet-'));
  const cluster = await startCluster({ baseDir: dir, settings: values.durable ? DURABLE : FAST });
  try {
    await ensureDatabase(clusterUrl(cluster, 'postgres'), 'wallet_bench');
    const url = clusterUrl(cluster, 'wallet_bench');
    await applyMigrations(url);
    const database = connect(url, { max: 24 });
    try {
      log(`generando ${members} miembros…`);
      await database.sql.unsafe(`
        insert into members (id, code, first_name, last_name, email, country, enrolled_at)
        select g, 'M' || lpad(g::text, 7, '0'), 'Nombre' || g, 'Apellido' || g, 'm' || g || '@example.test',
               (array['MX','MX','MX','MX','MX','US','US','CO','CO','DO'])[1 + (g % 10)],
               now() - ((g % 900) || ' days')::interval
          from generate_series(1, ${members}) g`);
      await database.sql.unsafe(`insert into member_paths (member_id, path, depth) select g, g || '/', 0 from generate_series(1, ${members}) g`);
      await database.sql`select setval(pg_get_serial_sequence('members', 'id'), ${members})`;
      await database.sql`vacuum analyze members`;
      const ctx: BenchContext = { sql: database.sql, db: database.db, members, seed: 1, random: seededRandom(4242), log };
      const report: Record<string, MetricResult> = {};
      for (const m of walletMetrics.filter((x) => !values.only || x.name.startsWith(values.only))) {
        log(`${m.name}…`);
        const r = await m.run(ctx);
        report[m.name] = r;
        log(`${m.name}: ${JSON.stringify(r)}`);
      }
      const cpus = os.cpus();
      const out = {
        members,
        durable: values.durable,
        machine: `${cpus.length} cores, ${cpus[0]?.model.trim()}`,
        at: new Date().toISOString(),
        metrics: report,
      };
      console.log(JSON.stringify(out, null, 2));
      if (values.out) {
        mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
        writeFileSync(path.resolve(values.out), `${JSON.stringify(out, null, 2)}\n`);
      }
    } finally {
      await database.close();
    }
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
