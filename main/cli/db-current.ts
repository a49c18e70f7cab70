/**
 * npm run db:current [-- --database-url URL]
 *
 * Rewrites drizzle/current/ (one file per SQL function, with the triggers that run it) from a
 * database with every migration applied: run it after writing a migration that adds, changes or
 * drops a function or a trigger, and commit the files with the migration. Without --database-url
 * (or DATABASE_URL) it starts a throw-away embedded cluster, migrates it and removes it afterwards.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { applyMigrations, clusterUrl, ensureDatabase } from '../db/client';
import { currentDefinitions, currentFolder } from '../db/current';
import { startCluster, type ClusterInfo } from '../db/embedded';
import { cliArgs } from './args';

const log = (m: string) => console.error(`[db:current] ${m}`);

async function main() {
  const { values } = cliArgs({ 'database-url': { type: 'string' } });
  let url = values['database-url'] ?? process.env.DATABASE_URL;
  let cluster: ClusterInfo | null = null;
  let dir: string | null = null;
  try {
    if (!url) {
      dir = mkdtempSync(path.join(os.tmpdir(), 'nnp-db-current-'));
      cluster = await startCluster({ baseDir: dir, settings: { fsync: 'off', synchronous_commit: 'off' } });
      await ensureDatabase(clusterUrl(cluster, 'postgres'), 'nnp_current');
      url = clusterUrl(cluster, 'nnp_current');
    }
    await applyMigrations(url);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    let files: Map<string, string>;
    try {
      files = await currentDefinitions(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
    mkdirSync(currentFolder, { recursive: true });
    let changed = 0;
    for (const old of readdirSync(currentFolder)) {
      if (old.endsWith('.sql') && !files.has(old)) {
        rmSync(path.join(currentFolder, old));
        log(`removed ${old}`);
        changed++;
      }
    }
    for (const [name, text] of files) {
      const file = path.join(currentFolder, name);
      let before: string | null = null;
      try {
        before = readFileSync(file, 'utf8');
      } catch {
        /* a new function */
      }
      if (before !== text) {
        writeFileSync(file, text);
        log(`${before === null ? 'wrote' : 'updated'} ${name}`);
        changed++;
      }
    }
    log(`${files.size} files in ${path.relative(process.cwd(), currentFolder) || currentFolder}, ${changed} changed`);
  } finally {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
