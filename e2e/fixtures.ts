/**
 * e2e journey data, run by e2e/serve.ts when NNP_E2E_FIXTURES=1, before the app starts, on the
 * same data folder: the demo network is seeded as on a first start, then each area adds what its
 * journey needs through the real services and procedures (never a test-only procedure).
 * Each area adds one line to `fixtures`.
 */
import { appConfig, createAppRouter, createServices, ensureFirstAdmin, openDatabase, seedIfEmpty } from '../main/app';
import { withdrawalFixtures } from './fixtures/withdrawals';
import type { FixtureContext } from './fixtures/types';

const log = (m: string) => console.error(`[e2e fixtures] ${m}`);

const fixtures: { name: string; run: (ctx: FixtureContext) => Promise<void> }[] = [{ name: 'withdrawals', run: withdrawalFixtures }];

async function main() {
  const database = await openDatabase({ log });
  try {
    await ensureFirstAdmin(database);
    await seedIfEmpty(database, log);
    const services = createServices(database, appConfig(database.mode), () => {});
    const router = createAppRouter(services);
    const login = await router.call('auth.login', { username: 'admin', password: process.env.NNP_ADMIN_PASSWORD }, { transport: 'http', token: null });
    if (!login.ok) throw new Error(`admin login failed: ${login.error.message}`);
    const token = (login.data as { token: string }).token;
    const call = async <T = unknown>(name: string, input: unknown): Promise<T> => {
      const r = await router.call(name, input, { transport: 'http', token });
      if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
      return r.data as T;
    };
    for (const f of fixtures) {
      log(`${f.name}…`);
      await f.run({ database, call, log });
    }
    await router.stop();
  } finally {
    await database.shutdown();
  }
}

main().catch((e) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
