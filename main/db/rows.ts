import type { SQL } from 'drizzle-orm';
import type postgres from 'postgres';
import type { DbOrTx } from './client';

/**
 * The rows of a hand-written query, with the row type declared once at the call:
 * `const [r] = await rows<{ n: number }>(db, sql\`select count(*)::int as n …\`)`.
 * Drizzle's own `execute<T>` does the same for type aliases and literal types; this one also takes
 * interfaces (which lack the index signature `execute` requires). The type is declared, not
 * checked at run time: cast in SQL (`::int`, `::text`) so that what comes back is what it says.
 */
export async function rows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  // The one place the driver's untyped RowList becomes T[] (see above).
  return (await db.execute(query)) as unknown as T[];
}

/** How many rows an INSERT / UPDATE / DELETE without RETURNING touched. */
export async function affected(db: DbOrTx, query: SQL): Promise<number> {
  return Number((await db.execute(query)).count);
}

/**
 * Rows read as arrays (postgres.js `.values()`, no per-row object: the engine's whole-table reads),
 * with the tuple type declared once at the call: `await tuples<[string, number]>(c.unsafe(…))`.
 * The driver types such a row as an array of any column's type; as with rows<T>, the SQL casts
 * each column so that it is what T says. The query stays lazy: it runs when awaited.
 */
export function tuples<T extends readonly unknown[]>(query: postgres.PendingQuery<postgres.Row[]>): Promise<T[]> {
  // The one place a RowList of arrays becomes T[] (see above).
  return query.values() as unknown as Promise<T[]>;
}

/**
 * tuples() a row at a time: `fn` gets each row as it is parsed and the driver keeps none. For
 * reads of millions of rows turned into other objects: a row that dies at once costs the garbage
 * collector nothing, one kept in a result array until the last arrives is copied and promoted
 * (loading a 1M-member period spent half its time in the young generation's collections).
 * Resolves with the number of rows.
 */
export async function eachTuple<T extends readonly unknown[]>(query: postgres.PendingQuery<postgres.Row[]>, fn: (row: T) => void): Promise<number> {
  let n = 0;
  // The one place a streamed row becomes T (see tuples).
  await query.values().forEach((row) => {
    n++;
    fn(row as unknown as T);
  });
  return n;
}

interface DrizzleInternals {
  dialect?: { sqlToQuery?: (q: SQL) => { sql: string; params: unknown[] } };
  session?: {
    prepareQuery?: (q: { sql: string; params: unknown[] }, fields: undefined, name: string, arrayMode: boolean) => { execute: () => Promise<unknown> };
  };
}

/**
 * Runs a statement as a named prepared statement of its connection (postgres.js caches it by its
 * text), so the hot paths — every payment confirmation — are parsed and planned once per
 * connection instead of on every call (`db.execute` sends unnamed statements: a multi-CTE upsert
 * spent more time in the planner than in the executor). Falls back to `execute` if the driver's
 * internals ever change shape.
 */
export async function executePrepared<T>(db: DbOrTx, q: SQL): Promise<T[]> {
  // The driver's internals are not in its public types: read them through this narrow shape (checked below).
  const d = db as unknown as DrizzleInternals;
  if (d.dialect?.sqlToQuery && d.session?.prepareQuery) {
    const built = d.dialect.sqlToQuery(q);
    return (await d.session.prepareQuery(built, undefined, 'nnp_hot', false).execute()) as T[];
  }
  return rows<T>(db, q);
}
