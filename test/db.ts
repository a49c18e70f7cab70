import './vitest-context';
import { inject } from 'vitest';
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { clusterUrl, connect, ensureDatabase, type Database } from '../main/db/client';

/** A fresh database for one test file: a copy of the migrated template, dropped afterwards. */
export async function freshDatabase(opts: { max?: number } = {}): Promise<Database & { drop: () => Promise<void> }> {
  const cluster = inject('pgCluster');
  const name = `nnp_t_${randomBytes(5).toString('hex')}`;
  await ensureDatabase(clusterUrl(cluster, 'postgres'), name, inject('pgTemplate'));
  const database = connect(clusterUrl(cluster, name), opts);
  return {
    ...database,
    drop: async () => {
      await database.close();
      const admin = postgres(clusterUrl(cluster, 'postgres'), { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
