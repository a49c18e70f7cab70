import './vitest-context';
import { inject } from 'vitest';
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { clusterUrl, connect, ensureDatabase, type Database } from '../main/db/client';

/**
 * A fresh database for one test file: a copy of the migrated template, dropped afterwards. The app
 * reaches it as its owner login (nnp_owner, no superuser), as on an installation; `superuser`
 * connects as the cluster's superuser instead (the bench's bulk seed, which switches triggers off).
 */
export async function freshDatabase(opts: { max?: number; superuser?: boolean } = {}): Promise<Database & { loginTag: string; drop: () => Promise<void> }> {
  const cluster = inject('pgCluster');
  const hex = randomBytes(5).toString('hex');
  const name = `nnp_t_${hex}`;
  const owner = inject('pgOwner');
  await ensureDatabase(clusterUrl(cluster, 'postgres'), name, inject('pgTemplate'), owner.user);
  const database = connect(clusterUrl(opts.superuser ? cluster : { ...cluster, ...owner }, name), { max: opts.max });
  // Staff logins are server-wide roles: each copy tags its own (nnp_t<hex>_finanzas), so test files
  // running at once never share, re-role or disable one another's logins.
  const loginTag = `t${hex}_`;
  // The tests drive the clock (travel, fixed instants): this copy takes the app's instants for a
  // staff login's money steps too (drizzle/0068); main/db/boundary.test.ts turns it off to prove the default.
  await database.sql`update db_instance set login_tag = ${loginTag}, app_clock_trusted = true`;
  return {
    ...database,
    loginTag,
    drop: async () => {
      await database.close();
      const admin = postgres(clusterUrl(cluster, 'postgres'), { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      for (const r of await admin<{ rolname: string }[]>`select rolname from pg_roles where starts_with(rolname, ${`nnp_${loginTag}`})`) {
        await admin.unsafe(`drop role if exists "${r.rolname}"`).catch(() => {});
      }
      await admin.end();
    },
  };
}

/** The indexes of some tables as the catalogue describes them (definition, comment, validity), by name. */
export function indexesOf(sql: postgres.ISql, tables: readonly string[]) {
  return sql<{ name: string; def: string; comment: string | null; valid: boolean }[]>`
    select c.relname as name, pg_get_indexdef(i.indexrelid) as def, obj_description(i.indexrelid, 'pg_class') as comment, i.indisvalid as valid
      from pg_index i join pg_class c on c.oid = i.indexrelid
     where i.indrelid = any(array(select to_regclass(t) from unnest(${[...tables]}::text[]) t))
     order by 1`;
}
