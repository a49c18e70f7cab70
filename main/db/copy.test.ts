/**
 * The shared COPY helpers against a real database: a row the server refuses fails copyIn (it used
 * to leave the writer waiting forever) and leaves the connection usable; a good COPY lands whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/db';
import type { Database } from './client';
import { copyIn, copyOut, copyOutNumbers, packedCode, selectNumbers, type NumberSelect } from './copy';

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

describe('copyOut then another statement on the same connection', () => {
  // postgres.js pauses its socket when the stream's buffer fills before anyone reads it (the rows
  // arrive before `readable()` resolves); if the COPY's last message came in that paused state,
  // nothing resumed the socket and the connection's next statement never answered.
  it('answers, for outputs of every size read in a transaction, many times over', async () => {
    const result = await within(
      db.sql.begin(async (c) => {
        let rows = 0;
        for (let round = 0; round < 20; round++) {
          // Sizes from a few rows to several socket reads; 1,500 rows (~25 kB) once hung.
          const n = [1_500, 10, 800, 200_000, 600][round % 5]!;
          rows += await copyOutNumbers(
            c,
            `copy (select g, g * 2, null, 123456789012 + g, 987654321 from generate_series(1, ${n}) g) to stdout`,
            ['int', 'int', 'int', 'int', 'int'],
            (v) => {
              if (v[1] !== v[0]! * 2 || !Number.isNaN(v[2]!) || v[3] !== 123456789012 + v[0]!) throw new Error('wrong row');
            },
          );
          const [r] = await c`select ${round}::int as round`;
          expect(r!.round).toBe(round);
        }
        return rows;
      }),
      60_000,
    );
    expect(result).toEqual({ ok: true, v: 4 * (1_500 + 10 + 800 + 200_000 + 600) });
  }, 90_000);

  it('reads integers, hundredths and short codes, NULLs, and refuses anything else', async () => {
    const got: number[][] = [];
    await copyOutNumbers(
      db.sql,
      `copy (values (-5, null::int, 12.5::numeric, 'MXN'::char(3)), (0, 9007199254740991, -0.07, 'USD'), (7, 1, 3, null)) to stdout`,
      ['int', 'int', 'cents', 'code'],
      (v) => got.push([...v]),
    );
    expect(got).toEqual([
      [-5, NaN, 1250, packedCode('MXN')],
      [0, 9007199254740991, -7, packedCode('USD')],
      [7, 1, 300, NaN],
    ]);
    const refused = (statement: string, columns: Parameters<typeof copyOutNumbers>[2]) => copyOutNumbers(db.sql, statement, columns, () => {});
    await expect(refused(`copy (select 1.5) to stdout`, ['int'])).rejects.toThrow(/unexpected byte/);
    await expect(refused(`copy (select 1.005) to stdout`, ['cents'])).rejects.toThrow(/two decimals/);
    await expect(refused(`copy (select 9007199254740993) to stdout`, ['int'])).rejects.toThrow(/2\^53/);
    await expect(refused(`copy (select 90071992547409.93) to stdout`, ['cents'])).rejects.toThrow(/2\^53/);
    await expect(refused(`copy (select 1, 2) to stdout`, ['int'])).rejects.toThrow(/too many/);
    await expect(refused(`copy (select 'ABCDEFG') to stdout`, ['code'])).rejects.toThrow(/not a short code/);
    await expect(refused(`copy (select E'a\\tb') to stdout`, ['code'])).rejects.toThrow(/not a short code/);
    // The connection pool still answers after refused reads.
    expect((await db.sql`select 1 as one`)[0]!.one).toBe(1);
  });
});

describe('selectNumbers', () => {
  const int = (sql: string): NumberSelect => ({ sql, kind: 'int' });
  const cents = (sql: string): NumberSelect => ({ sql, kind: 'cents' });
  const code = (sql: string): NumberSelect => ({ sql, kind: 'code' });

  it('reads what copyOutNumbers reads, NULLs included, and nothing from an empty set', async () => {
    const from = `(values (-5, null::int, 12.5::numeric, 'MXN'), (0, 9007199254740991, -0.07, 'USD'), (7, 1, 3, null)) t(a, b, c, d)`;
    const got: number[][] = [];
    const n = await selectNumbers(db.sql, [int('a'), int('b'), cents('c'), code('d')], from).read((v) => got.push([...v]));
    expect(n).toBe(3);
    const copied: number[][] = [];
    await copyOutNumbers(db.sql, `copy (select a, b, c, d from ${from}) to stdout`, ['int', 'int', 'cents', 'code'], (v) => copied.push([...v]));
    expect(got).toEqual(copied);
    expect(got[0]).toEqual([-5, NaN, 1250, packedCode('MXN')]);
    expect(await selectNumbers(db.sql, [int('g')], 'generate_series(1, 0) g').read(() => {})).toBe(0);
  });

  it('pipelines reads on one connection: each gets its own rows, in any order of parsing', async () => {
    const sums = await db.sql.begin(async (c) => {
      const a = selectNumbers(c, [int('g'), int('g * 3')], 'generate_series(1, 300000) g');
      const b = selectNumbers(c, [int('g')], 'generate_series(1, 1000) g');
      let sa = 0;
      let sb = 0;
      // The second answer parsed first, then the first: the answers wait, whole, on the client.
      await b.read((v) => (sb += v[0]!));
      await a.read((v) => {
        if (v[1] !== v[0]! * 3) throw new Error('wrong row');
        sa += v[0]!;
      });
      const [after] = await c`select 41 + 1 as x`;
      return { sa, sb, x: after!.x as number };
    });
    expect(sums).toEqual({ sa: (300000 * 300001) / 2, sb: (1000 * 1001) / 2, x: 42 });
  });

  it('refuses what is not a number of its kind, a backslash in a code, and a field holding a tab', async () => {
    const refused = (columns: NumberSelect[], from: string) => selectNumbers(db.sql, columns, from).read(() => {});
    await expect(refused([int('x')], `(select 1.5 as x) t`)).rejects.toThrow(/unexpected byte/);
    await expect(refused([cents('x')], `(select 1.005 as x) t`)).rejects.toThrow(/two decimals/);
    await expect(refused([int('x')], `(select 9007199254740993 as x) t`)).rejects.toThrow(/2\^53/);
    // A code spelled like COPY's NULL is not read as NULL.
    await expect(refused([code('x')], `(select '\\N' as x) t`)).rejects.toThrow(/unexpected escape/);
    await expect(refused([code('x')], `(select E'a\\tb' as x) t`)).rejects.toThrow(/too many columns/);
    await expect(refused([int('x')], `(select 'no' as x) t`)).rejects.toThrow(/unexpected byte/);
    expect((await db.sql`select 1 as one`)[0]!.one).toBe(1);
  });
});
