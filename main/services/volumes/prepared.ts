import type { SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { rows } from '../../db/rows';

interface DrizzleInternals {
  dialect?: { sqlToQuery?: (q: SQL) => { sql: string; params: unknown[] } };
  session?: { prepareQuery?: (q: { sql: string; params: unknown[] }, fields: undefined, name: string, arrayMode: boolean) => { execute: () => Promise<unknown> } };
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
