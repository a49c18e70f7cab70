import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, indexesOf } from '../../test/db';
import { deferIndexesOfEmptyTable } from './deferred-indexes';

type TestDb = Awaited<ReturnType<typeof freshDatabase>>;

describe('deferIndexesOfEmptyTable', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDatabase({ max: 2 });
    await db.sql.unsafe(`
      create table deferred_t (id bigint primary key, code text unique, note text unique, amount int);
      create index deferred_t_amount_idx on deferred_t (amount) where amount > 0;
      comment on index deferred_t_amount_idx is 'pagos ''positivos''';
      create table deferred_ref (code text references deferred_t (code));`);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('drops the secondary indexes of an empty table and builds them again as they were, comments included', async () => {
    const before = await indexesOf(db.sql, ['deferred_t']);
    await db.sql.begin(async (tx) => {
      const rebuild = await deferIndexesOfEmptyTable(tx, 'deferred_t');
      // Kept: the primary key, and the unique index the foreign key of deferred_ref depends on.
      expect((await indexesOf(tx, ['deferred_t'])).map((i) => i.name)).toEqual(['deferred_t_code_key', 'deferred_t_pkey']);
      await tx`insert into deferred_t select g, 'c' || g, 'n' || g, g % 7 from generate_series(1, 5000) g`;
      await rebuild();
      expect(await indexesOf(tx, ['deferred_t'])).toEqual(before);
      // The rebuilt unique constraint is a constraint again, and enforced.
      await expect(tx.savepoint((sp) => sp`insert into deferred_t values (9999, 'x', 'n1', 1)`)).rejects.toThrow(/deferred_t_note_key/);
    });
    expect(await indexesOf(db.sql, ['deferred_t'])).toEqual(before);
    await db.sql`delete from deferred_t`;
    expect(before.find((i) => i.name === 'deferred_t_amount_idx')?.comment).toBe("pagos 'positivos'");
  });

  it('keeps the indexes of a table that has rows', async () => {
    await db.sql`insert into deferred_t values (1, 'a', 'b', 1)`;
    try {
      const before = await indexesOf(db.sql, ['deferred_t']);
      await db.sql.begin(async (tx) => {
        const rebuild = await deferIndexesOfEmptyTable(tx, 'deferred_t');
        expect(await indexesOf(tx, ['deferred_t'])).toEqual(before);
        await rebuild();
        expect(await indexesOf(tx, ['deferred_t'])).toEqual(before);
      });
    } finally {
      await db.sql`delete from deferred_t`;
    }
  });

  it('a load that fails gives the indexes back with the rollback', async () => {
    const before = await indexesOf(db.sql, ['deferred_t']);
    await expect(
      db.sql.begin(async (tx) => {
        await deferIndexesOfEmptyTable(tx, 'deferred_t');
        await tx`insert into deferred_t values (1, 'a', 'b', 1), (1, 'c', 'd', 2)`;
      }),
    ).rejects.toThrow(/deferred_t_pkey/);
    expect(await indexesOf(db.sql, ['deferred_t'])).toEqual(before);
  });
});
