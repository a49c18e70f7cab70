/**
 * Issue 16: the tables and functions belong to nnp_owner, a login that is no superuser, and the app
 * connects as it (every test app does, as an installation does). It manages staff logins but cannot
 * switch the database's guards off for a session; an installation from before the owner role is
 * handed over on its next start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import postgres from 'postgres';
import { freshDatabase } from '../../test/db';
import { clusterUrl } from './client';
import { ensureOwnerRole, handOverToOwner, OWNER_ROLE } from './owner';

type Db = Awaited<ReturnType<typeof freshDatabase>>;
let db: Db;

/** Objects of the app's schemas not owned by nnp_owner (the extensions' own objects aside). */
async function notOwned(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ what: string }[]>`
    select 'database ' || datname as what from pg_database where datname = current_database() and datdba <> ${OWNER_ROLE}::regrole
    union all
    select c.relkind::text || ' ' || c.oid::regclass::text from pg_class c join pg_namespace s on s.oid = c.relnamespace
     where s.nspname in ('public', 'drizzle') and c.relkind in ('r', 'p', 'v', 'm', 'S', 'i', 'I') and c.relowner <> ${OWNER_ROLE}::regrole
       and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
    union all
    select 'function ' || p.oid::regprocedure::text from pg_proc p join pg_namespace s on s.oid = p.pronamespace
     where s.nspname = 'public' and p.proowner <> ${OWNER_ROLE}::regrole
       and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
    union all
    select 'type ' || t.oid::regtype::text from pg_type t join pg_namespace s on s.oid = t.typnamespace
     where s.nspname = 'public' and t.typtype = 'e' and t.typowner <> ${OWNER_ROLE}::regrole
    order by 1`;
  return rows.map((r) => r.what);
}

beforeAll(async () => {
  db = await freshDatabase();
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

describe('the owner role', () => {
  it('the app connects as nnp_owner: no superuser, no BYPASSRLS, no CREATEDB; it manages logins and owns every object of the app', async () => {
    const [me] = await db.sql`
      select session_user as u, r.rolsuper, r.rolbypassrls, r.rolcreatedb, r.rolcreaterole, pg_has_role(session_user, 'pg_signal_backend', 'MEMBER') as signals
        from pg_roles r where r.rolname = session_user`;
    expect(me).toEqual({ u: OWNER_ROLE, rolsuper: false, rolbypassrls: false, rolcreatedb: false, rolcreaterole: true, signals: true });
    expect(await notOwned(db.sql)).toEqual([]);
  });

  it('cannot switch the guards off for a session, nor the foreign keys’ triggers; only the owner may touch its own triggers', async () => {
    const refusal = async (statement: string) =>
      db.sql
        .begin((tx) => tx.unsafe(statement))
        .then(
          () => null,
          (e: { code?: string }) => e.code,
        );
    expect(await refusal(`set session_replication_role = replica`)).toBe('42501');
    // A foreign key's own triggers are the system's: only a superuser switches them off.
    const [fk] = await db.sql<{ t: string }[]>`select conrelid::regclass::text as t from pg_constraint where contype = 'f' order by 1 limit 1`;
    expect(await refusal(`alter table ${fk!.t} disable trigger all`)).toBe('42501');
    // ALTER SYSTEM runs outside a transaction block.
    expect(
      await db.sql.unsafe(`alter system set fsync = off`).then(
        () => null,
        (e: { code?: string }) => e.code,
      ),
    ).toBe('42501');
    expect(await refusal(`create role nnp_owner_friend superuser`)).toBe('42501');
    expect(await refusal(`alter role ${OWNER_ROLE} superuser`)).toBe('42501');
  });

  it('an installation from before the owner role is handed over on its next start, once', async () => {
    const cluster = inject('pgCluster');
    const superuser = postgres(clusterUrl(cluster, db.url.split('/').pop()!.split('?')[0]!), { max: 1, onnotice: () => {} });
    try {
      // As the app left it before: the database, tables, sequences, functions and types of the superuser.
      await superuser.unsafe(`
        do $$ declare r record; begin
          execute format('alter database %I owner to %I', current_database(), current_user);
          alter schema drizzle owner to current_user;
          for r in select c.oid::regclass as n from pg_class c join pg_namespace s on s.oid = c.relnamespace
                    where s.nspname in ('public', 'drizzle') and c.relkind in ('r', 'p') loop
            execute format('alter table %s owner to %I', r.n, current_user);
          end loop;
          for r in select p.oid::regprocedure as n from pg_proc p join pg_namespace s on s.oid = p.pronamespace
                    where s.nspname = 'public' and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e') loop
            execute format('alter routine %s owner to %I', r.n, current_user);
          end loop;
          alter type staff_role owner to current_user;
        end $$`);
      const before = await notOwned(superuser);
      expect(before).toContain('database ' + (await superuser`select current_database() as d`)[0]!.d);
      expect(before).toContain('r ledger_entries');
      expect(before).toContain('function nnp_engine_request(text,jsonb)');
      expect(before).toContain('type staff_role');
      const handed = await handOverToOwner(clusterUrl(cluster, (await superuser`select current_database() as d`)[0]!.d as string));
      expect(handed).toBeGreaterThan(100);
      expect(await notOwned(superuser)).toEqual([]);
      expect(await handOverToOwner(clusterUrl(cluster, (await superuser`select current_database() as d`)[0]!.d as string))).toBe(0);
      // The role itself: bootstrapping again keeps it as it is (same password, same powers).
      await ensureOwnerRole(clusterUrl(cluster, 'postgres'), inject('pgOwner').password);
      const again = postgres(clusterUrl({ ...cluster, ...inject('pgOwner') }, (await superuser`select current_database() as d`)[0]!.d as string), { max: 1 });
      try {
        expect((await again`select session_user as u`)[0]!.u).toBe(OWNER_ROLE);
      } finally {
        await again.end();
      }
    } finally {
      await superuser.end();
    }
  });
});
