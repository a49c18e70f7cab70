/**
 * Every case of test/fixtures/engine-cases through the engine:case CLI (a fresh database on the
 * test cluster, confirmOrder, the real close, the result read back from the database), compared
 * with its expected file — lines in any order. Bad input cases exit 1 with a message on stderr.
 */
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clusterUrl } from '../../db/client';
import '../../../test/vitest-context';

const dir = path.resolve('test/fixtures/engine-cases');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
  .sort();

function runCli(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, NNP_ENGINE_CASE_PG: clusterUrl(inject('pgCluster'), 'postgres') };
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'main/cli/engine-case.ts', file], { env, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const sortKey = (x: unknown) => JSON.stringify(x);
const canon = (o: { volumes: unknown[]; lines: unknown[]; programs: unknown[] }) => ({
  volumes: o.volumes.map(sortKey).sort(),
  lines: o.lines.map(sortKey).sort(),
  programs: o.programs.map(sortKey).sort(),
});

describe('engine cases through npm run engine:case', () => {
  it('every case matches its expected file', { timeout: 900_000 }, async () => {
    const results = await Promise.all(cases.map(async (f) => ({ f, r: await runCli(path.join(dir, f)) })));
    for (const { f, r } of results) {
      expect(r.stderr, f).toBe('');
      expect(r.code, f).toBe(0);
      const expected = JSON.parse(readFileSync(path.join(dir, f.replace(/\.json$/, '.expected.json')), 'utf8'));
      expect(canon(JSON.parse(r.stdout)), f).toEqual(canon(expected));
    }
  });

  it('unknown sponsor, cycle, unknown SKU: message on stderr, exit 1, nothing on stdout', { timeout: 300_000 }, async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnp-case-'));
    const base = { period: '2026-11', exchangeRates: { MXN: '1', USD: '18.50' }, history: [] as unknown[] };
    const m = (id: string, sponsor: string | null) => ({ id, sponsor, country: 'MX', enrolledAt: '2026-01-01T00:00:00Z', careerRank: 0 });
    const bad = {
      sponsor: { ...base, members: [m('A', null), m('B', 'Z')], orders: [] },
      cycle: { ...base, members: [m('A', null), m('B', 'C'), m('C', 'B')], orders: [] },
      sku: {
        ...base,
        members: [m('A', null), m('B', 'A')],
        orders: [{ id: 'O1', member: 'B', kind: 'kit', sku: 'NOPE', pv: '100', vn: '0', currency: 'MXN', paidAt: '2026-11-05T12:00:00Z' }],
      },
    };
    const out = await Promise.all(
      Object.entries(bad).map(async ([k, v]) => {
        const f = path.join(tmp, `${k}.json`);
        writeFileSync(f, JSON.stringify(v));
        return { k, r: await runCli(f) };
      }),
    );
    for (const { k, r } of out) {
      expect(r.code, k).toBe(1);
      expect(r.stdout, k).toBe('');
      expect(r.stderr, k).toMatch(k === 'sponsor' ? /unknown sponsor/ : k === 'cycle' ? /cycle/ : /unknown kit SKU/);
    }
  });
});
