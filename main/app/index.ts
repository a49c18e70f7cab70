import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../db/paths';
import { sql as dsql } from 'drizzle-orm';
import { startCluster, defaultBaseDir, embeddedMemorySettings, type ClusterInfo } from '../db/embedded';
import { applyMigrations, clusterUrl, connect, ensureDatabase, type Database } from '../db/client';
import { staff } from '../db/schema';
import { internalMutationContext, type AppConfig, type AppServices } from '../kernel/context';
import type { CloseSteps } from '../services/periods/close';
import { createRouter, type Router } from '../ipc/router';
import { startEngine, type EngineService } from '../ipc/engine';
import { composeHandlers, closeSteps } from './composition';
import { hashPassword, randomPassword } from '../services/auth/password';
import { ensureInitialPlan } from '../services/plan/initial';
import { ensurePeriodAggregates } from '../services/volumes/backfill';
import { redactExtra } from '../kernel/redact';
import { syncStaffLogin } from '../services/staff/logins';
import { staffConnections, urlAs } from '../db/staff-connections';
import { relayChangeFeed } from '../db/changes';
import { ensureOwnerRole, handOverToOwner, OWNER_ROLE } from '../db/owner';

export { projectRoot };

export function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export interface OpenDatabaseOptions {
  /** External PostgreSQL; default: process.env.DATABASE_URL, else the embedded cluster. */
  databaseUrl?: string;
  /** Folder of the embedded cluster; default NNP_DATA_DIR or the user's app-data folder. */
  dataDir?: string;
  databaseName?: string;
  settings?: Record<string, string>;
  log?: (m: string) => void;
  poolSize?: number;
}

export interface OpenedDatabase extends Database {
  mode: 'embedded' | 'external';
  cluster: ClusterInfo | null;
  shutdown: () => Promise<void>;
}

/** Starts (or reaches) PostgreSQL, creates the database if needed and applies drizzle/ migrations. */
export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const log = opts.log ?? (() => {});
  const external = opts.databaseUrl ?? process.env.DATABASE_URL;
  let url: string;
  let cluster: ClusterInfo | null = null;
  if (external) {
    url = external;
  } else {
    const baseDir = opts.dataDir ?? defaultBaseDir();
    log(`datos en ${baseDir}`);
    cluster = await startCluster({
      baseDir,
      settings: { ...embeddedMemorySettings(os.totalmem()), ...opts.settings },
      log: (m) => process.env.NNP_DEBUG && log(m),
    });
    const name = opts.databaseName ?? 'nnprotect';
    // The superuser only bootstraps: the database and everything in it belong to nnp_owner, and the
    // app (migrations included) connects as that login, which is no superuser (main/db/owner.ts).
    await ensureOwnerRole(clusterUrl(cluster, 'postgres'), cluster.ownerPassword);
    await ensureDatabase(clusterUrl(cluster, 'postgres'), name, undefined, OWNER_ROLE);
    const handed = await handOverToOwner(clusterUrl(cluster, name));
    if (handed > 0) log(`${handed} objetos de la base de datos pasaron al rol propietario ${OWNER_ROLE}`);
    url = clusterUrl({ ...cluster, user: OWNER_ROLE, password: cluster.ownerPassword }, name);
  }
  await applyMigrations(url);
  const database = connect(url, { max: opts.poolSize });
  // Initial data after the migrations: the first plan version and the exchange rates; then the
  // cached volumes of periods that have orders but no figures yet (a database seeded outside the app).
  await ensureInitialPlan(database.db);
  await ensurePeriodAggregates(database.db, log);
  return {
    ...database,
    mode: external ? 'external' : 'embedded',
    cluster,
    shutdown: async () => {
      await database.close();
      await cluster?.stop();
    },
  };
}

/**
 * On an empty database the first admin is created: password from NNP_ADMIN_PASSWORD, otherwise a
 * random one that is returned (and printed once by the caller). Answers null when staff exist.
 */
export async function ensureFirstAdmin(database: Database): Promise<{ username: string; password: string; generated: boolean } | null> {
  return database.db.transaction(async (tx) => {
    // Serialise two instances starting at once on the same empty database.
    await tx.execute(dsql`select pg_advisory_xact_lock(7261001)`);
    const [row] = await tx.select({ n: dsql<number>`count(*)::int` }).from(staff);
    if ((row?.n ?? 0) > 0) return null;
    const fromEnv = process.env.NNP_ADMIN_PASSWORD;
    const password = fromEnv && fromEnv.length > 0 ? fromEnv : randomPassword();
    await tx.insert(staff).values({
      username: 'admin',
      displayName: 'Administrador',
      role: 'admin',
      passwordHash: await hashPassword(password),
      // A printed random password must be replaced; one chosen through the environment need not be.
      mustChangePassword: !fromEnv,
    });
    // Its PostgreSQL login (nnp_admin_user, group nnp_admin), created by the owner at first install.
    await syncStaffLogin(tx, { username: 'admin', role: 'admin', active: true, password });
    return { username: 'admin', password, generated: !fromEnv };
  });
}

export function appConfig(mode: 'embedded' | 'external'): AppConfig {
  return {
    version: appVersion(),
    database: mode,
    sessionIdleMinutes: Number(process.env.NNP_SESSION_IDLE_MINUTES ?? 60),
    sessionMaxHours: Number(process.env.NNP_SESSION_MAX_HOURS ?? 12),
    exportsDir: process.env.NNP_EXPORT_DIR ?? path.join(os.homedir(), 'Downloads'),
  };
}

export function createServices(database: Database, config: AppConfig, log: AppServices['log'] = defaultLog): AppServices {
  // Every log line's extra goes through redactExtra: an error never brings its query's parameters along.
  return {
    db: database.db,
    sql: database.sql,
    config,
    now: () => new Date(),
    log: (m, extra) => log(m, extra === undefined ? undefined : redactExtra(extra)),
    connections: database.url ? staffConnections(database.url) : undefined,
  };
}

/**
 * The services of a staff desktop that holds no owner credentials: `serverUrl` is the server's
 * address (NNP_SERVER_URL; any login or password in it is dropped — the desktop never keeps one).
 * Sign-in and every call's session check are PostgreSQL's on the person's own login
 * (main/services/auth/server-sign-in.ts), every procedure runs on that login, and the engine's
 * procedures are asked of the server's engine service. There is no owner pool: `db` and `sql`
 * refuse any use, so nothing on such a desktop can reach for one by mistake.
 */
export function createServerServices(
  serverUrl: string,
  config: AppConfig,
  log: AppServices['log'] = defaultLog,
  loginTag = process.env.NNP_LOGIN_TAG ?? '',
): AppServices {
  const address = new URL(serverUrl);
  address.username = '';
  address.password = '';
  const refuse = (what: PropertyKey) => {
    throw new Error(`a staff desktop holds no owner connection (${String(what)})`);
  };
  const none = new Proxy(() => {}, { get: (_t, p) => (p === 'then' ? undefined : refuse(p)), apply: () => refuse('query') }) as unknown;
  return {
    db: none as Database['db'],
    sql: none as Database['sql'],
    config,
    now: () => new Date(),
    log: (m, extra) => log(m, extra === undefined ? undefined : redactExtra(extra)),
    connections: staffConnections(address.toString()),
    serverSignIn: { loginTag, sessions: new Map() },
  };
}

/** The server a staff desktop is pointed at (NNP_SERVER_URL), unless this process holds the owner's DATABASE_URL. */
export function staffServerUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  return env.DATABASE_URL ? null : env.NNP_SERVER_URL || null;
}

/**
 * A staff desktop's services, router and live-changes feed (browser mode and Electron alike): the
 * feed listens with the newest signed-in login, since the desktop has none of its own.
 */
export function startStaffDesktop(serverUrl: string, config: AppConfig, log: (m: string) => void) {
  const services = createServerServices(serverUrl, config);
  const router = createAppRouter(services);
  const changes = relayChangeFeed({ log });
  services.serverSignIn!.onSignIn = (login, password) => changes.listenAs(urlAs(serverUrl, login, password));
  return { services, router, changes };
}

function defaultLog(msg: string, extra?: unknown) {
  if (extra !== undefined) console.error(`[nnprotect] ${msg}`, JSON.stringify(redactExtra(extra)));
  else console.error(`[nnprotect] ${msg}`);
}

export interface AppRouter extends Router {
  /** The engine service this process runs (null: none here, e.g. a bench's bare services). */
  engine: EngineService | null;
  /** Stops this process's engine service (before its database closes). */
  stop(): Promise<void>;
}

/**
 * The router over the composed handlers (main/app/composition.ts); a test may compose the close's
 * steps itself. A process holding the owner's credentials with staff connections also runs the
 * engine service over the same handlers (main/ipc/engine.ts): on standby while another process on
 * the same database is the working one. `engine: false` leaves it to another process.
 */
export function createAppRouter(services: AppServices, close: CloseSteps = closeSteps, opts: { engine?: boolean } = {}): AppRouter {
  const handlers = composeHandlers(close);
  // A staff desktop without owner credentials asks the server's engine; it runs none itself.
  const engine = services.connections && !services.serverSignIn && opts.engine !== false ? startEngine(services, handlers) : null;
  return Object.assign(createRouter(services, handlers), { engine, stop: async () => engine?.stop() });
}

/** A demo network on the very first run, so a new installation has something to look at. */
export async function seedIfEmpty(database: Database, log: (m: string) => void) {
  const [row] = await database.db.execute<{ n: number }>(dsql`select count(*)::int as n from members`);
  if ((row?.n ?? 0) > 0) return;
  const members = Number(process.env.NNP_SEED_MEMBERS ?? 2000);
  if (!(members > 0)) return;
  log(`primera ejecución: generando una red de demostración de ${members} socios…`);
  const now = new Date();
  const { seedDemoNetwork } = await import('../services/seed/generate');
  // Four months ending with this one: the two oldest are closed below by the real close, last month
  // stays open (it has ended: an admin can close it), this month's payments wait for it.
  const r = await seedDemoNetwork(database.sql, { members, periods: 4, seed: 1, log, now, periodsAs: 'history' });
  log(`red de demostración lista: ${r.members} socios, ${r.orders} pedidos (${Math.round(r.ms)} ms)`);
  await closeSeededHistory(
    createServices(database, appConfig('embedded'), (m, e) => log(`${m}${e ? ` ${String(e)}` : ''}`)),
    r.periods,
    now,
    log,
  );
  await ensurePeriodAggregates(database.db, log);
  const { seedDemoAutoships } = await import('../services/seed/autoship');
  const autoships = await seedDemoAutoships(database.db, now);
  log(`autoenvíos de demostración: ${autoships.length}`);
  const { seedDemoPayoutDestinations } = await import('../services/seed/payout-destinations');
  log(`cuentas de pago de demostración: ${await seedDemoPayoutDestinations(database.db, new Date())}`);
}

const DAY_MS = 86_400_000;

/**
 * Closes the periods of a demo seeded with `periodsAs: 'history'` with the REAL close (the same
 * startPeriodRun + executeRun and steps as periods.close: volumes, ranks, commission lines posted to
 * the wallets, loyalty, cashback, travel), oldest first, until last month is the open period. Each
 * close runs on its own clock, two days after its period's end (as a company would close), never
 * after `now`: the demo's history, not a clock anyone can set in the running app. No audit row
 * (no one closed them: the period_runs rows record the runs). The 1M-member bench seed keeps
 * `periodsAs: 'current'` (rows only): see docs/notes/issue-14-a.md.
 */
export async function closeSeededHistory(services: AppServices, keys: string[], now: Date, log: (m: string) => void): Promise<void> {
  const { executeRun, startPeriodRun } = await import('../services/periods/close');
  const { periodBounds } = await import('../domain/period');
  for (const key of keys.slice(0, -2)) {
    const t0 = performance.now();
    const at = new Date(Math.min(periodBounds(key).endsAt.getTime() + 2 * DAY_MS + 3 * 3_600_000, now.getTime()));
    const app: AppServices = { ...services, now: () => at };
    const runId = await app.db.transaction(async (tx) => {
      const ctx = internalMutationContext(app, tx, 'seed.closeHistory');
      return (await startPeriodRun(ctx, closeSteps, 'close', key)).run.id;
    });
    await executeRun(app, closeSteps, runId);
    const [run] = await app.db.execute<{ status: string; error: string | null }>(dsql`select status, error from period_runs where id = ${runId}`);
    if (run?.status !== 'succeeded') throw new Error(`el cierre de demostración del periodo ${key} falló: ${run?.error ?? run?.status}`);
    log(`periodo de demostración ${key} cerrado con el cierre real (${Math.round(performance.now() - t0)} ms)`);
  }
}
