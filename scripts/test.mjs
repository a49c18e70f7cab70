// `npm test`: the unit + integration suite (Vitest, embedded PostgreSQL), then the e2e journeys
// (Playwright in Debian's Chromium against browser mode). Ends with one "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

const out = path.resolve('test-results');
mkdirSync(out, { recursive: true });
const only = process.argv[2]; // "unit" or "e2e" to run one half

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

let passed = 0, failed = 0, skipped = 0, codes = [];

if (only !== 'e2e') {
  const file = path.join(out, 'vitest.json');
  codes.push(run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`]));
  if (existsSync(file)) {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    passed += j.numPassedTests; failed += j.numFailedTests; skipped += j.numPendingTests + j.numTodoTests;
    if (j.numTotalTestSuites > 0 && j.numFailedTestSuites > 0 && j.numFailedTests === 0) failed += j.numFailedTestSuites;
  } else failed += 1;
}

if (only !== 'unit') {
  const file = path.join(out, 'playwright.json');
  codes.push(run('npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: file }));
  if (existsSync(file)) {
    const s = JSON.parse(readFileSync(file, 'utf8')).stats;
    passed += s.expected; failed += s.unexpected + s.flaky; skipped += s.skipped;
  } else failed += 1;
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(codes.some((c) => c !== 0) || failed > 0 ? 1 : 0);
