/**
 * npm run seed -- --members N --periods K --seed S [--database-url URL] [--reset] [--now ISO-8601]
 *
 * Fills a database with the deterministic demo network (main/services/seed/generate.ts).
 * Database: --database-url, else DATABASE_URL, else the embedded cluster in NNP_DATA_DIR (or the
 * user's app-data folder), database `nnprotect`, migrated first. A database that already has
 * members is refused unless --reset is given, which empties members, orders, order lines and
 * periods (and the ledger, and, cascading, every table that references them).
 */
import path from 'node:path';
import type postgres from 'postgres';
import { applyMigrations, clusterUrl, connect, ensureDatabase, type Database } from '../db/client';
import { referenceEdgesSql } from '../db/references';
import { defaultBaseDir, startCluster, type ClusterInfo } from '../db/embedded';
import { ensureInitialPlan } from '../services/plan/initial';
import { seedDemoNetwork } from '../services/seed/generate';
import { cliArgs, runMain } from './args';

const log = (m: string) => console.error(`[seed] ${m}`);

/**
 * Server settings for a bulk load, used only when this command starts the embedded server itself
 * (a server that is already running is attached as it is): rows COPYed into a table emptied in the
 * same transaction skip the WAL (wal_level = minimal; the order lines, or every table when the
 * seed runs in one transaction), no checkpoint in the middle of the load, and the indexes being
 * filled stay in shared memory; the WAL of the load does not stay on disk afterwards. The next
 * normal start of the app uses its own settings again.
 */
export const BULK_LOAD_SETTINGS: Record<string, string> = {
  wal_level: 'minimal',
  max_wal_senders: '0',
  max_wal_size: '8GB',
  checkpoint_timeout: '30min',
  // WAL written by the load is deleted at the final checkpoint instead of kept (renamed) for reuse.
  wal_recycle: 'off',
  shared_buffers: '1GB',
};

function positiveInt(name: string, raw: string | undefined, min: number): number {
  const v = Number(raw);
  if (!raw || !Number.isInteger(v) || v < min) {
    console.error(`--${name} debe ser un entero >= ${min} (recibido: ${raw ?? 'nada'})`);
    process.exit(2);
  }
  return v;
}

/**
 * The database to seed: --database-url, else DATABASE_URL, else the embedded cluster (started with
 * the bulk-load settings when this command starts it), database `nnprotect`; migrated, with the
 * initial plan and exchange rates. Unlike the app's openDatabase() it computes no period figures
 * for data already there (the app fills them for the seeded periods on its next start).
 */
async function openForSeed(databaseUrl: string | undefined): Promise<Database & { shutdown: () => Promise<void> }> {
  const external = databaseUrl ?? process.env.DATABASE_URL;
  let cluster: ClusterInfo | null = null;
  let url: string;
  if (external) {
    url = external;
  } else {
    const baseDir = defaultBaseDir();
    log(`datos en ${baseDir}`);
    cluster = await startCluster({ baseDir, settings: BULK_LOAD_SETTINGS, log: (m) => void (process.env.NNP_DEBUG && log(m)) });
    await ensureDatabase(clusterUrl(cluster, 'postgres'), 'nnprotect');
    url = clusterUrl(cluster, 'nnprotect');
  }
  await applyMigrations(url);
  const database = connect(url, { max: 4 });
  await ensureInitialPlan(database.db);
  return {
    ...database,
    shutdown: async () => {
      await database.close();
      await cluster?.stop();
    },
  };
}

/**
 * Empties what the seed fills: members, orders, order lines and periods, restarting their ids,
 * the ledger (named: it references members by triggers, not foreign keys) and through cascade
 * every table that references them (volumes, rank history, withdrawals, ...).
 * Staff, audit, plan versions, products and exchange rates stay.
 */
export async function resetDemoData(sql: postgres.Sql, logLine: (m: string) => void = log): Promise<void> {
  const dependents = await sql.unsafe<{ name: string }[]>(`
    with recursive refs(table_oid) as (
      select c.oid from pg_class c join pg_namespace ns on ns.oid = c.relnamespace
      where ns.nspname = current_schema() and c.relname in ('members', 'orders', 'order_lines', 'periods')
      union
      select e.conrelid from (${referenceEdgesSql}) e join refs r on e.confrelid = r.table_oid
    )
    select c.relname as name from refs r join pg_class c on c.oid = r.table_oid order by 1`);
  logLine(`--reset: vaciando ${dependents.map((d) => d.name).join(', ')}`);
  // The ledger references members by triggers, not foreign keys (main/db/references.ts): CASCADE
  // does not reach it, so its tables are named (the triggers refuse to leave wallets orphaned).
  await sql`truncate members, orders, order_lines, periods, ledger_accounts, ledger_transactions, ledger_entries restart identity cascade`;
}

async function main() {
  const { values } = cliArgs({
    members: { type: 'string', default: '10000' },
    periods: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    'database-url': { type: 'string' },
    reset: { type: 'boolean', default: false },
    now: { type: 'string' },
  });
  const members = positiveInt('members', values.members, 1);
  const periods = positiveInt('periods', values.periods, 1);
  const seed = positiveInt('seed', values.seed, 0);
  let now: Date | undefined;
  if (values.now) {
    now = new Date(values.now);
    if (Number.isNaN(now.getTime())) {
      console.error(`--now no es una fecha ISO-8601 válida: ${values.now}`);
      process.exit(2);
    }
  }

  const t0 = performance.now();
  const database = await openForSeed(values['database-url']);
  try {
    const [row] = await database.sql<{ n: string }[]>`select count(*) as n from members`;
    const existing = Number(row?.n ?? 0);
    if (values.reset) {
      await resetDemoData(database.sql);
    } else if (existing > 0) {
      console.error(`La base de datos ya tiene ${existing} miembros: no se genera nada. Use --reset para vaciarla antes.`);
      process.exitCode = 1;
      return;
    }
    log(`generando ${members} miembros, ${periods} periodos, semilla ${seed}…`);
    const r = await seedDemoNetwork(database.sql, { members, periods, seed, now, log });
    console.log(
      `Red de demostración: ${r.members} miembros, ${r.orders} pedidos, periodos ${r.periods.join(', ')}; ` +
        `generación ${(r.ms / 1000).toFixed(1)} s, total ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    log('las cifras de los periodos (volúmenes, rangos) las calcula la aplicación al abrir esta base de datos');
  } finally {
    await database.shutdown();
  }
}

if (path.resolve(process.argv[1] ?? '') === path.resolve(new URL(import.meta.url).pathname)) {
  runMain(main, (e) => log(e instanceof Error ? e.message : String(e)));
}
