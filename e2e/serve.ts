import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';

/**
 * Starts the app in browser mode on a brand-new data folder, exactly as `npm start -- --browser`
 * does for a user, with a known admin password and a small demo network.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'nnp-e2e-'));
const child = spawn('npx', ['tsx', 'main/cli/start.ts', '--browser', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NNP_DATA_DIR: dir, NNP_ADMIN_PASSWORD: process.env.NNP_E2E_ADMIN_PASSWORD ?? 'admin-e2e-password', NNP_SEED_MEMBERS: process.env.NNP_SEED_MEMBERS ?? "400" },
});
const stop = () => child.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code) => process.exit(code ?? 0));
