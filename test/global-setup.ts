import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster, type ClusterInfo } from '../main/db/embedded';
import { applyMigrations, clusterUrl, connect, ensureDatabase } from '../main/db/client';
import { ensureInitialPlan } from '../main/services/plan/initial';


let cluster: ClusterInfo | undefined;
let dir: string | undefined;

/** One throw-away PostgreSQL cluster per test run; a template database holds the migrated schema. */
export async function setup(project: TestProject) {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nnp-test-'));
  cluster = await startCluster({
    baseDir: dir,
    // Durability is pointless for a throw-away cluster; speed is not.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
  });
  const template = 'nnp_template';
  await ensureDatabase(clusterUrl(cluster, 'postgres'), template);
  await applyMigrations(clusterUrl(cluster, template));
  // Initial data (first plan version, exchange rates), as main/app/index.ts does after migrating.
  const seeded = connect(clusterUrl(cluster, template), { max: 1 });
  await ensureInitialPlan(seeded.db);
  await seeded.close();
  project.provide('pgCluster', { host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password });
  project.provide('pgTemplate', template);
}

export async function teardown() {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
