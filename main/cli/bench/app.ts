/**
 * The application as the bench uses it: a staff account of its own on the bench database
 * (`bench-admin`, an admin with a known password, created or reset on every run) and the real
 * router over the bench's connection pool, signed in as it.
 */
import { sql } from 'drizzle-orm';
import type { BenchContext } from './types';
import { appConfig, createAppRouter, createServices } from '../../app';
import { hashPassword } from '../../services/auth/password';
import type { ProcedureName } from '../../../shared/contract';

export const BENCH_ADMIN = { username: 'bench-admin', password: 'bench-admin-password-1' };

/** Creates (or resets) the bench's admin account. */
export async function ensureBenchAdmin(ctx: BenchContext): Promise<void> {
  const hash = await hashPassword(BENCH_ADMIN.password);
  await ctx.db.execute(sql`
    insert into staff (username, display_name, role, password_hash, must_change_password)
    values (${BENCH_ADMIN.username}, 'Bench', 'admin', ${hash}, false)
    on conflict (lower(username)) do update set password_hash = excluded.password_hash, must_change_password = false, role = 'admin', active = true, failed_attempts = 0, locked_until = null`);
}

/** The real router over the bench database, with a signed-in admin's `call`. */
export async function benchRouter(ctx: BenchContext) {
  await ensureBenchAdmin(ctx);
  const services = createServices({ db: ctx.db, sql: ctx.sql, url: '', close: async () => {} }, appConfig('external'), () => {});
  const router = createAppRouter(services);
  const login = await router.call('auth.login', { username: BENCH_ADMIN.username, password: BENCH_ADMIN.password }, { transport: 'http', token: null });
  if (!login.ok) throw new Error(`bench-admin: ${login.error.message}`);
  const token = (login.data as { token: string }).token;
  return {
    async call<T = unknown>(name: ProcedureName, input: unknown): Promise<T> {
      const r = await router.call(name, input, { transport: 'http', token });
      if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
      return r.data as T;
    },
  };
}
