import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startCluster } from './embedded';
import { packagedBinaries, reachableByOthers } from './embedded-private';

const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root)
  console.warn('embedded-private.test.ts: SKIPPED — only root runs the server as the unprivileged postgres user; run as root to test the mode-700 start.');

// Issue 20: as root, the project in a mode-700 folder (mktemp -d, root's home) made initdb fail
// with `spawn …/initdb EACCES`, because the server runs as `postgres`, who can't enter the folder.
describe.skipIf(!root)('embedded PostgreSQL started as root from a mode-700 folder', () => {
  const dirs: string[] = [];
  const tmp = (prefix: string) => {
    const d = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('runs a readable copy of the binaries (cached by version) and answers queries', async () => {
    const pkg = packagedBinaries();
    // The "project": binaries inside a folder only root can enter, as node_modules would be.
    const project = tmp('nnp-private-');
    expect(statSync(project).mode & 0o777).toBe(0o700);
    const nativeDir = path.join(project, 'node_modules', 'native');
    cpSync(pkg.dir, nativeDir, { recursive: true, verbatimSymlinks: true });
    expect(reachableByOthers(path.join(nativeDir, 'bin', 'initdb'))).toBe(false);
    // The precondition of the crash: the postgres user really cannot run them from there.
    const probe = spawnSync(path.join(nativeDir, 'bin', 'initdb'), ['--version'], {
      uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
      gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
    });
    expect((probe.error as NodeJS.ErrnoException | undefined)?.code).toBe('EACCES');

    const cache = tmp('nnp-pgcache-');
    chmodSync(cache, 0o755);
    const base = tmp('nnp-private-data-');
    const cluster = await startCluster({
      baseDir: base,
      binaries: { dir: nativeDir, version: pkg.version },
      binaryCache: cache,
      settings: { fsync: 'off' },
    });
    try {
      const copy = path.join(cache, `postgres-${pkg.version}-${os.platform()}-${os.arch()}`);
      expect(existsSync(path.join(copy, 'bin', 'postgres'))).toBe(true);
      expect(reachableByOthers(path.join(copy, 'bin', 'initdb'))).toBe(true);
      const sql = postgres({ host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password, database: 'postgres', max: 1 });
      const [row] = await sql<{ v: string }[]>`select current_setting('server_version_num') as v`;
      await sql.end();
      expect(Number(row!.v)).toBeGreaterThan(150000);
    } finally {
      await cluster.stop();
    }
    // A second start finds the initialised cluster and the cached copy.
    const again = await startCluster({ baseDir: base, binaries: { dir: nativeDir, version: pkg.version }, binaryCache: cache });
    await again.stop();
  }, 120_000);
});
