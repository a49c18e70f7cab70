import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

/**
 * Starts the app in browser mode on a brand-new data folder, exactly as `npm start -- --browser`
 * does for a user, with a known admin password and a small demo network.
 *
 * Optional, off unless asked (a spec that needs them starts its own instance with them):
 * - NNP_STRIPE_STUB=1: a local Stripe API stand-in (test/stripe-server.ts) runs in this process and
 *   the app's Stripe SDK is pointed at it (NNP_STRIPE_API_HOST/PORT/PROTOCOL); nothing leaves the machine.
 * - NNP_E2E_PAYMENTS=1 (with NNP_STRIPE_STUB=1): e2e/fixtures/payments.ts enters a pending order and its
 *   PaymentIntent, succeeded at the stub (an event for "sync payments"); ids written to NNP_E2E_PAYMENTS_OUT.
 * - NNP_E2E_AUTOSHIP=1 (with NNP_STRIPE_STUB=1): e2e/fixtures/autoship.ts registers the demo seed's autoships
 *   in the local Stripe stand-in (same ids); the journey's member written to NNP_E2E_AUTOSHIP_OUT.
 * - NNP_E2E_FIXTURES=1: before the app starts, e2e/fixtures.ts seeds the demo network and adds
 *   each area's journey data through the real services and procedures (e.g. wallet money).
 * - NNP_E2E_DATA_DIR: the data folder to use (default: a new one), so a spec can read the embedded
 *   cluster's credentials.json and point a second instance at the same database (e2e/live.spec.ts).
 */
const dir = process.env.NNP_E2E_DATA_DIR || mkdtempSync(path.join(os.tmpdir(), 'nnp-e2e-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NNP_DATA_DIR: dir,
  NNP_EXPORT_DIR: path.join(dir, 'exports'),
  NNP_ADMIN_PASSWORD: process.env.NNP_E2E_ADMIN_PASSWORD ?? 'admin-e2e-password',
  NNP_SEED_MEMBERS: process.env.NNP_SEED_MEMBERS ?? '400',
};

let closeStub: (() => Promise<void>) | null = null;
let stub: import('../test/stripe-server').StripeStub | null = null;
if (process.env.NNP_STRIPE_STUB === '1') {
  const { startStripeStub, stubEnv } = await import('../test/stripe-server');
  stub = await startStripeStub();
  Object.assign(env, stubEnv(stub));
  closeStub = stub.close;
  console.error(`[e2e] Stripe local en ${stub.url}`);
}
if (process.env.NNP_E2E_FIXTURES === '1') {
  const r = spawnSync('npx', ['tsx', 'e2e/fixtures.ts'], { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (process.env.NNP_E2E_PAYMENTS === '1' && stub) {
  const { paymentsStubFixture } = await import('./fixtures/payments');
  await paymentsStubFixture(stub, env, (m) => console.error(`[e2e payments] ${m}`));
}
if (process.env.NNP_E2E_AUTOSHIP === '1' && stub) {
  const { autoshipStubFixture } = await import('./fixtures/autoship');
  await autoshipStubFixture(stub, env, (m) => console.error(`[e2e autoship] ${m}`));
}

const child = spawn('npx', ['tsx', 'main/cli/start.ts', '--browser', ...process.argv.slice(2)], { stdio: 'inherit', env });
const stop = () => child.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code) => {
  void (closeStub?.() ?? Promise.resolve()).finally(() => process.exit(code ?? 0));
});
