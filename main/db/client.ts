import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { migrationsFolder } from './paths';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
/** Inside db.transaction(): the same query API, bound to one connection. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/**
 * The postgres.js client under a Drizzle database or transaction (COPY, rows as arrays, prepared
 * fixed statements). Inside a transaction it is that transaction's connection.
 */
export function clientOf(db: DbOrTx): postgres.Sql {
  const c = (db as unknown as { session?: { client?: postgres.Sql } }).session?.client;
  if (!c) throw new Error('no postgres.js client under this database handle');
  return c;
}

export interface Database {
  db: Db;
  sql: postgres.Sql;
  url: string;
  close: () => Promise<void>;
}

export { migrationsFolder };

export function connect(url: string, opts: { max?: number; idleTimeout?: number } = {}): Database {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    ...(opts.idleTimeout ? { idle_timeout: opts.idleTimeout } : {}),
    onnotice: () => {},
    // numeric and bigint stay strings/values as PostgreSQL sent them: money never becomes a JS number.
    types: {},
    connection: { TimeZone: 'UTC', application_name: 'nnprotect-backoffice' },
  });
  const db = drizzle(sql, { schema });
  return { db, sql, url, close: () => sql.end({ timeout: 5 }) };
}

export async function applyMigrations(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export function clusterUrl(c: { host: string; port: number; user: string; password: string }, database: string) {
  return `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${database}`;
}

/** Creates `name` on the cluster if it does not exist yet (optionally as a copy of a template, owned by `owner`). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string, owner?: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const quoted = (x: string) => `"${x.replace(/"/g, '')}"`;
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) {
      await sql.unsafe(`create database ${quoted(name)}${template ? ` template ${quoted(template)}` : ''}${owner ? ` owner ${quoted(owner)}` : ''}`);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
