/**
 * The shared COPY helpers against a real database: a row the server refuses fails copyIn (it used
 * to leave the writer waiting forever) and leaves the connection usable; a good COPY lands whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/db';
import type { Database } from './client';
import { copyIn, copyOut } from './copy';

let db: Database;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db.close();
});

const within = <T>(p: Promise<T>, ms = 10_000) =>
  Promise.race([
    p.then(
      (v) => ({ ok: true as const, v }),
      (e: Error) => ({ ok: false as const, e }),
    ),
    new Promise<{ ok: null }>((r) => setTimeout(() => r({ ok: null }), ms)),
  ]);

describe('copyIn / copyOut', () => {
  it("a refused row rejects the COPY with the server's error, nothing is written, the connection goes on", async () => {
    await db.sql`create table copy_probe (x int check (x > 0))`;
    const bad = await db.sql
      .begin(async (c) => within(copyIn(c, 'copy copy_probe from stdin', ['1\n2\n', Buffer.from('-3\n4\n')])))
      .catch((e: Error) => ({ ok: false as const, e }));
    expect(bad.ok).toBe(false);
    expect(bad.ok === false && bad.e.message).toMatch(/copy_probe_x_check/);
    expect((await db.sql`select count(*)::int as n from copy_probe`)[0]!.n).toBe(0);
    await db.sql.begin((c) =>
      copyIn(
        c,
        'copy copy_probe from stdin',
        (function* () {
          for (let i = 1; i <= 50_000; i++) yield `${i}\n`;
        })(),
      ),
    );
    expect((await db.sql`select count(*)::int as n, sum(x)::text as s from copy_probe`)[0]).toEqual({ n: 50_000, s: String((50_000 * 50_001) / 2) });
    let bytes = 0;
    await copyOut(db.sql, 'copy copy_probe to stdout', (chunk) => {
      bytes += chunk.length;
    });
    expect(bytes).toBe(Array.from({ length: 50_000 }, (_, i) => `${i + 1}\n`).join('').length);
  }, 60_000);
});
