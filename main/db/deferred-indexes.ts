/**
 * Loading an empty table without maintaining its secondary indexes row by row: inside the loading
 * transaction they are dropped, and rebuilt by sorting once the rows are in. For the seed's 4.4
 * million orders with their five indexes this is 45 s of COPY (random inserts into the Stripe id
 * and member btrees) against 17 s of COPY plus 17 s of index builds (docs/performance.md).
 *
 * Kept: the primary key and any unique index a foreign key depends on (dropping those would need
 * dropping the foreign keys too). Everything happens in the caller's transaction, so a failed load
 * rolls the indexes back with the rows. DROP INDEX locks the table against every reader until the
 * commit: only for a table nobody else uses yet (the caller checks it is empty).
 */
import type postgres from 'postgres';

type Conn = postgres.ISql;

/** Memory for each rebuild's sort (a bulk load's transaction only; the default is 64 MB). */
const BUILD_MEMORY = '512MB';

interface Deferred {
  name: string;
  /** The statement that builds it again (CREATE INDEX … or ALTER TABLE … ADD CONSTRAINT …). */
  create: string;
  drop: string;
  /** COMMENT ON INDEX … restoring its comment, or null. */
  comment: string | null;
}

/**
 * When the table is empty (checked under an exclusive lock held to the commit), drops its secondary
 * indexes in the current transaction and answers the function that rebuilds them, with their
 * comments; a table with rows (or not owned by the current role) keeps them (the function then does nothing). `table` is a table of
 * the current schema, never user input.
 */
export async function deferIndexesOfEmptyTable(c: Conn, table: string): Promise<() => Promise<void>> {
  const [owner] = await c<{ ok: boolean }[]>`select pg_has_role(relowner, 'USAGE') as ok from pg_class where oid = to_regclass(${table})`;
  // Only the table's owner may drop its indexes; anyone else loads with them.
  if (!owner?.ok) return async () => {};
  await c`lock table ${c(table)} in access exclusive mode`;
  const [held] = await c<{ x: boolean }[]>`select exists (select 1 from ${c(table)}) as x`;
  if (held?.x) return async () => {};
  const rows = await c<Deferred[]>`
    select ic.relname as name,
           case when con.oid is null then pg_get_indexdef(i.indexrelid)
                else format('alter table %s add constraint %I %s', i.indrelid::regclass, con.conname, pg_get_constraintdef(con.oid)) end as create,
           case when con.oid is null then format('drop index %s', i.indexrelid::regclass)
                else format('alter table %s drop constraint %I', i.indrelid::regclass, con.conname) end as drop,
           (select format('comment on index %s is %L', i.indexrelid::regclass, d) from obj_description(i.indexrelid, 'pg_class') d where d is not null) as comment
      from pg_index i
      join pg_class ic on ic.oid = i.indexrelid
      left join pg_constraint con on con.conindid = i.indexrelid and con.contype in ('u', 'x')
     where i.indrelid = to_regclass(${table})
       and not i.indisprimary
       and not exists (select 1 from pg_constraint fk where fk.contype = 'f' and fk.conindid = i.indexrelid)
     order by ic.relname`;
  for (const r of rows) await c.unsafe(r.drop);
  return async () => {
    // Sorted in memory rather than in temporary files where the server's setting is smaller.
    await c`
      select set_config('maintenance_work_mem', ${BUILD_MEMORY}, true)
       where pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(${BUILD_MEMORY})`;
    for (const r of rows) {
      await c.unsafe(r.create);
      if (r.comment !== null) await c.unsafe(r.comment);
    }
  };
}
