import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { embeddedMemorySettings, startCluster } from './embedded';
import { clusterUrl } from './client';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nnp-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function query(c: Parameters<typeof clusterUrl>[0], text: string) {
  const sql = postgres(clusterUrl(c, 'postgres'), { max: 1, onnotice: () => {} });
  try {
    return await sql.unsafe(text);
  } finally {
    await sql.end();
  }
}

describe('the embedded PostgreSQL', () => {
  it('initialises once, keeps its data across restarts, attaches to a running server, and recovers a stale lock', async () => {
    const first = await startCluster({ baseDir: dir, settings: { fsync: 'off' } });
    await query(first, "create table kept (v text); insert into kept values ('hola')");

    // A second instance of the app on the same folder attaches instead of starting a rival server.
    const second = await startCluster({ baseDir: dir });
    expect(second.port).toBe(first.port);
    expect((await query(second, 'select v from kept'))[0]!.v).toBe('hola');
    await second.stop(); // attached: must not stop the server
    expect((await query(first, 'select 1 as one'))[0]!.one).toBe(1);

    await first.stop();
    const again = await startCluster({ baseDir: dir, settings: { fsync: 'off' } });
    expect((await query(again, 'select v from kept'))[0]!.v).toBe('hola');
    await again.stop();

    // A crash leaves postmaster.pid behind, naming a process that no longer exists.
    const pidFile = path.join(dir, 'pgdata', 'postmaster.pid');
    expect(existsSync(pidFile)).toBe(false);
    writeFileSync(pidFile, `999999\n${path.join(dir, 'pgdata')}\n0\n${again.port}\n/tmp\n127.0.0.1\n0 0\nready\n`);
    const recovered = await startCluster({ baseDir: dir, settings: { fsync: 'off' } });
    expect((await query(recovered, 'select v from kept'))[0]!.v).toBe('hola');
    expect(Number(readFileSync(pidFile, 'utf8').split('\n')[0])).not.toBe(999999);
    await recovered.stop();
  }, 120_000);
});

describe('the embedded PostgreSQL after a restart', () => {
  const warmDir = mkdtempSync(path.join(os.tmpdir(), 'nnp-prewarm-'));
  afterAll(() => rmSync(warmDir, { recursive: true, force: true }));

  it('reads back in the background the blocks it held in memory before (autoprewarm)', async () => {
    const first = await startCluster({ baseDir: warmDir, settings: { fsync: 'off' } });
    expect((await query(first, 'show shared_preload_libraries'))[0]!.shared_preload_libraries).toBe('pg_prewarm');
    // About 9 MB: under a quarter of the default shared buffers, so a scan keeps its pages there.
    await query(first, 'create table lookup as select g as id, md5(g::text) as name from generate_series(1, 150000) g; select count(*) from lookup');
    await first.stop();
    expect(existsSync(path.join(warmDir, 'pgdata', 'autoprewarm.blocks'))).toBe(true);

    const again = await startCluster({ baseDir: warmDir, settings: { fsync: 'off' } });
    try {
      // Nothing reads the table after the start; the prewarm leader starts a worker per database a
      // moment later, which loads it. Wait for that outcome (the table's pages back in shared
      // buffers, at most 30 s), not for a worker: polling for "no worker running" could end before
      // the first worker had started (CI, 2026-12-07: 638 of 1,280 pages).
      await query(again, 'create extension if not exists pg_buffercache');
      const inBuffers = async () =>
        (
          await query(
            again,
            `select count(*)::int as n, (pg_relation_size('lookup') / 8192)::int as pages from pg_buffercache
              where relfilenode = pg_relation_filenode('lookup') and reldatabase = (select oid from pg_database where datname = current_database())`,
          )
        )[0]!;
      const deadline = Date.now() + 30_000;
      let held = await inBuffers();
      while (held.n < held.pages && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        held = await inBuffers();
      }
      expect(held.pages).toBeGreaterThan(1000);
      expect(held.n).toBeGreaterThanOrEqual(held.pages);
    } finally {
      await again.stop();
    }
  }, 120_000);
});

describe("the app's embedded server memory", () => {
  const GB = 1024 ** 3;
  it('takes an eighth of the machine for shared buffers, between 128 MB and 2 GB, and tells the planner about half', () => {
    expect(embeddedMemorySettings(0.5 * GB)).toEqual({ shared_buffers: '128MB', effective_cache_size: '512MB' });
    expect(embeddedMemorySettings(8 * GB)).toEqual({ shared_buffers: '1024MB', effective_cache_size: '4096MB' });
    expect(embeddedMemorySettings(24 * GB)).toEqual({ shared_buffers: '2048MB', effective_cache_size: '12288MB' });
  });
});
