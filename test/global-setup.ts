import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { startCluster, type ClusterInfo } from '../main/db/embedded';
import { applyMigrations, clusterUrl, connect, ensureDatabase } from '../main/db/client';
import { ensureInitialPlan } from '../main/services/plan/initial';
import { ensureOwnerRole, OWNER_ROLE } from '../main/db/owner';

let cluster: ClusterInfo | undefined;
let dir: string | undefined;
let external: { url: string; template: string } | undefined;

/**
 * One throw-away PostgreSQL cluster per test run; a template database holds the migrated schema.
 * NNP_TEST_DATABASE_URL (a superuser, or a role with CREATEDB and CREATEROLE, on any database of a
 * standalone server, e.g. Debian's `postgresql` in .ci/run) runs the same tests against that server
 * instead: the template gets a name of its own and is dropped afterwards; the server keeps running.
 */
export async function setup(project: TestProject) {
  const given = process.env.NNP_TEST_DATABASE_URL;
  let server: { host: string; port: number; user: string; password: string };
  let template = 'nnp_template';
  if (given) {
    const u = new URL(given);
    server = { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
    template = `nnp_template_${randomBytes(4).toString('hex')}`;
    external = { url: clusterUrl(server, decodeURIComponent(u.pathname.slice(1)) || 'postgres'), template };
  } else {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nnp-test-'));
    cluster = await startCluster({
      baseDir: dir,
      // Durability is pointless for a throw-away cluster; speed is not.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
    });
    server = cluster;
  }
  if (external) {
    const probe = postgres(external.url, { max: 1, onnotice: () => {} });
    const [v] = await probe`select current_setting('server_version') as v`.finally(() => probe.end());
    console.log(`[tests] PostgreSQL ${v!.v} at ${server.host}:${server.port} (NNP_TEST_DATABASE_URL), template ${template}`);
  }
  // As on an installation (main/app/index.ts): the superuser bootstraps the owner login, which owns
  // the template (so every copy) and applies the migrations.
  const ownerPassword = cluster?.ownerPassword ?? randomBytes(18).toString('base64url');
  await ensureOwnerRole(clusterUrl(server, 'postgres'), ownerPassword);
  await ensureDatabase(clusterUrl(server, 'postgres'), template, undefined, OWNER_ROLE);
  const owner = { ...server, user: OWNER_ROLE, password: ownerPassword };
  await applyMigrations(clusterUrl(owner, template));
  // Initial data (first plan version, exchange rates), as main/app/index.ts does after migrating.
  const seeded = connect(clusterUrl(owner, template), { max: 1 });
  await ensureInitialPlan(seeded.db);
  await seeded.close();
  project.provide('pgCluster', { host: server.host, port: server.port, user: server.user, password: server.password });
  project.provide('pgTemplate', template);
  project.provide('pgOwner', { user: OWNER_ROLE, password: ownerPassword });
}

export async function teardown() {
  if (external) {
    const admin = postgres(external.url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists "${external.template}" with (force)`).finally(() => admin.end());
  }
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
