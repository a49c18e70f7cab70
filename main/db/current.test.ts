import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { testApp, type TestApp } from '../../test/app';
import { currentDefinitions, currentFolder, normaliseSql } from './current';

/** What drizzle/current/ holds, file name → text. */
function folderFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(currentFolder)) {
    if (name.endsWith('.sql')) files.set(name, readFileSync(path.join(currentFolder, name), 'utf8'));
  }
  return files;
}

/** The functions whose file differs from the database (whitespace aside), lacks, or outlived. */
function compare(database: Map<string, string>, folder: Map<string, string>) {
  const fn = (file: string) => file.replace(/\.sql$/, '');
  return {
    differing: [...database].filter(([f, text]) => folder.has(f) && normaliseSql(folder.get(f)!) !== normaliseSql(text)).map(([f]) => fn(f)),
    missing: [...database.keys()].filter((f) => !folder.has(f)).map(fn),
    stale: [...folder.keys()].filter((f) => !database.has(f)).map(fn),
  };
}

const none = { differing: [], missing: [], stale: [] };

describe('drizzle/current/: the SQL functions and triggers in force', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('equal the migrated database, one file per function (run `npm run db:current` after a migration)', async () => {
    const database = await currentDefinitions(t.database.sql);
    // The functions the ledger and member search stand on are among them, with their triggers.
    expect([...database.keys()]).toEqual(
      expect.arrayContaining(['ledger_post.sql', 'ledger_check_balanced.sql', 'ledger_mismatches.sql', 'nnp_member_search_update.sql']),
    );
    expect(database.get('nnp_member_search_update.sql')).toContain('CREATE TRIGGER members_search_update');
    expect(compare(database, folderFiles()), 'drizzle/current/ is out of date: run `npm run db:current`').toEqual(none);
  });

  it('names the function whose definition changed, and a function or file that is new or gone', async () => {
    const sql = t.database.sql;
    const before = await currentDefinitions(sql);
    await sql`create or replace function nnp_unaccent(text) returns text language sql immutable as $$ select lower($1) $$`;
    await sql`create function nnp_current_probe() returns int language sql as $$ select 1 $$`;
    await sql`drop function ledger_mismatches`;
    const database = await currentDefinitions(sql);
    expect(compare(database, before)).toEqual({ differing: ['nnp_unaccent'], missing: ['nnp_current_probe'], stale: ['ledger_mismatches'] });
  });
});
