/**
 * The owner role (issue 16): the app's tables, functions and types belong to `nnp_owner`, a login
 * that is not a superuser — it may create and manage the staff login roles (CREATEROLE) and end
 * their connections (pg_signal_backend), but cannot switch triggers off for a session
 * (`session_replication_role`) or act beyond the database it owns. Its credentials are used by the
 * migrations, the first install, the engine service and the webhook receiver, never by a staff
 * desktop. On the embedded cluster its password is generated once and kept beside the cluster's
 * (credentials.json, mode 600); the cluster's superuser only bootstraps it (here).
 */
import postgres from 'postgres';

export const OWNER_ROLE = 'nnp_owner';

/**
 * As a superuser: creates the owner login (or sets its password and powers), lets it end staff
 * connections, and on PostgreSQL 16+ gives it ADMIN OPTION on the groups and staff logins a
 * superuser created before it existed (a CREATEROLE role manages only roles it has ADMIN on there).
 */
export async function ensureOwnerRole(adminUrl: string, password: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await sql`select 1 from pg_roles where rolname = ${OWNER_ROLE}`;
    // The password travels as a literal of a utility statement (no parameters there): quote it.
    const pw = `'${password.replace(/'/g, "''")}'`;
    await sql.unsafe(`${exists ? 'alter' : 'create'} role ${OWNER_ROLE} with login createrole nosuperuser nocreatedb nobypassrls password ${pw}`);
    await sql.unsafe(`grant pg_signal_backend to ${OWNER_ROLE}`);
    const [v] = await sql<{ n: number }[]>`select current_setting('server_version_num')::int as n`;
    if (v!.n >= 160000) {
      const roles = await sql<{ rolname: string }[]>`
        select r.rolname from pg_roles r
         where starts_with(r.rolname, 'nnp_') and r.rolname <> ${OWNER_ROLE} and not r.rolsuper
           and not exists (select 1 from pg_auth_members m where m.roleid = r.oid and m.member = ${OWNER_ROLE}::regrole and m.admin_option)`;
      for (const r of roles) {
        await sql.unsafe(`grant "${r.rolname.replace(/"/g, '""')}" to ${OWNER_ROLE} with admin option, inherit false, set false`);
      }
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * As a superuser, on the app's database: the database and every object of the app in it (schemas
 * public and drizzle; not the extensions' own objects) become the owner's. Only what another role
 * owns is changed: a database made by the owner from the start is left as it is. An installation
 * from before the owner role existed is handed over on its next start.
 */
export async function handOverToOwner(adminDbUrl: string): Promise<number> {
  const sql = postgres(adminDbUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(HAND_OVER);
    const [r] = await sql<{ n: number }[]>`select pg_temp.nnp_hand_over(${OWNER_ROLE}) as n`;
    return r!.n;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// A temporary function (pg_temp: gone with the session), so the hand-over leaves nothing behind.
const HAND_OVER = `
create function pg_temp.nnp_hand_over(p_owner text) returns integer language plpgsql as $$
declare
  r record;
  n integer := 0;
  own oid := p_owner::regrole;
begin
  if (select datdba from pg_database where datname = current_database()) <> own then
    execute format('alter database %I owner to %I', current_database(), p_owner);
    n := n + 1;
  end if;
  for r in select nspname from pg_namespace where nspname = 'drizzle' and nspowner <> own loop
    execute format('alter schema %I owner to %I', r.nspname, p_owner);
    n := n + 1;
  end loop;
  -- Tables (partitions too), views: the sequences of their columns and their indexes follow them.
  for r in select c.oid::regclass as name, c.relkind from pg_class c join pg_namespace s on s.oid = c.relnamespace
            where s.nspname in ('public', 'drizzle') and c.relkind in ('r', 'p', 'v', 'm', 'f') and c.relowner <> own
              and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
            order by c.relispartition, c.oid loop
    execute format('alter %s %s owner to %I',
      case r.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' else 'table' end, r.name, p_owner);
    n := n + 1;
  end loop;
  for r in select c.oid::regclass as name from pg_class c join pg_namespace s on s.oid = c.relnamespace
            where s.nspname in ('public', 'drizzle') and c.relkind = 'S' and c.relowner <> own
              and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('e', 'a', 'i')) loop
    execute format('alter sequence %s owner to %I', r.name, p_owner);
    n := n + 1;
  end loop;
  for r in select p.oid::regprocedure as name from pg_proc p join pg_namespace s on s.oid = p.pronamespace
            where s.nspname = 'public' and p.proowner <> own
              and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e') loop
    execute format('alter routine %s owner to %I', r.name, p_owner);
    n := n + 1;
  end loop;
  for r in select t.oid::regtype as name from pg_type t join pg_namespace s on s.oid = t.typnamespace
            where s.nspname = 'public' and t.typtype in ('e', 'd') and t.typowner <> own
              and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e') loop
    execute format('alter type %s owner to %I', r.name, p_owner);
    n := n + 1;
  end loop;
  return n;
end $$`;
