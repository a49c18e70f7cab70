import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase } from './db';
import { appConfig, createAppRouter, createServices, ensureFirstAdmin } from '../main/app';
import type { ProcedureName, InputOf, OutputOf, Role } from '../shared/contract';
import type { RpcResult } from '../shared/errors';
import { hashPassword } from '../main/services/auth/password';
import { staff } from '../main/db/schema';
import { syncStaffLogin } from '../main/services/staff/logins';
import type { CloseSteps } from '../main/services/periods/close';

export const TEST_PASSWORD = 'correcto-caballo-bateria';

/**
 * A fresh database with the real router over it, plus one logged-in session per role.
 * Calls go through the same router the HTTP bridge and Electron use.
 */
export async function testApp(opts: { now?: () => Date; closeSteps?: CloseSteps } = {}) {
  const database = await freshDatabase();
  const services = createServices(
    database,
    { ...appConfig('embedded'), exportsDir: mkdtempSync(path.join(os.tmpdir(), 'nnp-exports-')) },
    // NNP_TEST_LOG=1 prints the app's log lines (e.g. a read the database refused): for finding why a test failed.
    process.env.NNP_TEST_LOG ? (m, extra) => console.error(`[app] ${m}`, extra ?? '') : () => {},
  );
  if (opts.now) services.now = opts.now;
  const router = createAppRouter(services, opts.closeSteps);
  process.env.NNP_ADMIN_PASSWORD = TEST_PASSWORD;
  await ensureFirstAdmin(database);
  const hash = await hashPassword(TEST_PASSWORD);
  await database.db.insert(staff).values([
    { username: 'finanzas', displayName: 'Fernanda Finanzas', role: 'finance', passwordHash: hash },
    { username: 'soporte', displayName: 'Sofía Soporte', role: 'support', passwordHash: hash },
  ]);
  // Their PostgreSQL logins too (nnp_finanzas, nnp_soporte): the tokens per role are real logins.
  await syncStaffLogin(database.db, { username: 'finanzas', role: 'finance', active: true, password: TEST_PASSWORD });
  await syncStaffLogin(database.db, { username: 'soporte', role: 'support', active: true, password: TEST_PASSWORD });

  async function call<K extends ProcedureName>(name: K, input: InputOf<K> | unknown, token: string | null = null): Promise<RpcResult<OutputOf<K>>> {
    return (await router.call(name, input, { transport: 'http', token })) as RpcResult<OutputOf<K>>;
  }
  /** Like call, but throws unless ok: for test set-up steps. */
  async function must<K extends ProcedureName>(name: K, input: InputOf<K> | unknown, token: string | null): Promise<OutputOf<K>> {
    const r = await call(name, input, token);
    if (!r.ok) throw new Error(`${name} failed: ${r.error.code} ${r.error.message} ${JSON.stringify(r.error.details ?? '')}`);
    return r.data;
  }
  const usernames: Record<Role, string> = { admin: 'admin', finance: 'finanzas', support: 'soporte' };
  const tokens = {} as Record<Role, string>;
  for (const role of ['admin', 'finance', 'support'] as Role[]) {
    tokens[role] = (await must('auth.login', { username: usernames[role], password: TEST_PASSWORD }, null)).token;
  }
  /** A login role's name in this database (its tag added): login('nnp_finanzas') → nnp_t…_finanzas. */
  const login = (untagged: string) => untagged.replace(/^nnp_/, `nnp_${database.loginTag}`);
  return {
    database,
    services,
    router,
    call,
    must,
    tokens,
    usernames,
    login,
    close: async () => {
      await router.stop();
      await services.connections?.endAll();
      await database.drop();
    },
  };
}
export type TestApp = Awaited<ReturnType<typeof testApp>>;
