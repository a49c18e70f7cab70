/**
 * The export's COPY stream (export.ts copyToFile): the file gets every line with CRLF and a BOM,
 * and the pooled connection that streamed it answers the next query — a COPY readable paused by
 * backpressure could leave it busy for good (porsager/postgres#499, #917).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/db';
import type { Database } from '../../db/client';
import { copyToFile } from './export';

let db: Database;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db.close();
});

describe('copyToFile', () => {
  it('writes every line (BOM, CRLF) and leaves every pooled connection answering', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nnp-copy-'));
    for (let k = 0; k < 3; k++) {
      const file = path.join(dir, `x${k}.csv`);
      const lines = await copyToFile(
        db.sql,
        `copy (select g, repeat('x', 40) as pad from generate_series(1, 300000) g) to stdout with (format csv, header true)`,
        file,
      );
      expect(lines).toBe(300_001);
      const text = readFileSync(file, 'latin1');
      expect(text.slice(0, 3)).toBe('\xEF\xBB\xBF');
      expect(text.slice(3, 12)).toBe('g,pad\r\n1,');
      expect(text.endsWith(`300000,${'x'.repeat(40)}\r\n`)).toBe(true);
    }
    const answers = Promise.all(Array.from({ length: 30 }, (_, i) => db.sql`select ${i}::int as i, pg_sleep(0.05)`));
    const outcome = await Promise.race([answers.then(() => 'answered'), new Promise((r) => setTimeout(() => r('a connection hangs'), 10_000))]);
    expect(outcome).toBe('answered');
  }, 60_000);
});
