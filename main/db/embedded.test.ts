import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { startCluster } from './embedded';
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
