/**
 * Issue 16: a staff desktop that holds no owner credentials. Its services know only the server's
 * address; PostgreSQL proves the password, nnp_start_session / nnp_session_check (drizzle/0071) open
 * and check the session on the person's own login, every procedure runs on that login, and the
 * engine's procedures are served by the engine of another process (here the test app's).
 */
import { staffLogins } from '../../../test/logins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, TEST_PASSWORD, type TestApp } from '../../../test/app';
import { loadSmallNetwork } from '../../../test/small-network';
import { appConfig, createAppRouter, createServerServices, type AppRouter } from '../../app';
import { hashToken } from './sessions';
import { waitForRun } from '../periods/close';
import type { AppServices } from '../../kernel/context';

let t: TestApp;
let desk: AppServices;
let router: AppRouter;
const logins = staffLogins(() => t);
const as = logins.as;

const call = async (name: string, input: unknown, token: string | null = null) =>
  router.call(name, input, { transport: 'electron', token, source: 'electron:test-desk' });
const signIn = async (username: string, password = TEST_PASSWORD) => {
  const r = await call('auth.login', { username, password });
  if (!r.ok) throw new Error(`${username}: ${r.error.message}`);
  return r.data as { token: string; expiresAt: string; staff: { username: string; role: string; mustChangePassword: boolean } };
};

beforeAll(async () => {
  t = await testApp({ now: () => new Date('2026-12-02T18:00:00Z') });
  await loadSmallNetwork(t.database.sql);
  const address = new URL(t.database.url);
  address.username = '';
  address.password = '';
  desk = createServerServices(address.toString(), appConfig('external'), () => {}, t.database.loginTag);
  router = createAppRouter(desk);
}, 120_000);
afterAll(async () => {
  await router?.stop();
  await desk?.connections?.endAll();
  await logins.closeAll();
  await t?.close();
});

describe('a staff desktop without owner credentials', () => {
  it('holds no owner pool and runs no engine: any use of one is refused', async () => {
    expect(router.engine).toBeNull();
    expect(() => desk.db.select()).toThrow(/no owner connection/);
    expect(() => desk.sql`select 1`).toThrow(/no owner connection/);
  });

  it('PostgreSQL proves the password: a good one opens a session for that account; a wrong one or an unknown user gets one answer', async () => {
    const s = await signIn('finanzas');
    expect(s.staff).toMatchObject({ username: 'finanzas', role: 'finance', mustChangePassword: false });
    expect(Date.parse(s.expiresAt)).toBeGreaterThan(Date.now() + 11 * 3600_000);
    const [row] = await t.database.sql`
      select s.transport, f.username from sessions s join staff f on f.id = s.staff_id where s.token_hash = ${hashToken(s.token)}`;
    expect(row).toMatchObject({ transport: 'electron', username: 'finanzas' });
    const [audit] = await t.database.sql`select staff_username, db_login, after from audit_log where action = 'auth.login' and entity_id = (
      select id::text from sessions where token_hash = ${hashToken(s.token)})`;
    expect(audit).toMatchObject({ staff_username: 'finanzas', db_login: t.login('nnp_finanzas') });
    expect(audit!.after).toMatchObject({ outcome: 'ok', proof: 'postgresql', source: 'electron:test-desk' });
    for (const [username, password] of [
      ['finanzas', 'otra-contrasena-mala'],
      ['nadie', TEST_PASSWORD],
    ]) {
      const r = await call('auth.login', { username, password });
      expect(r.ok ? null : [r.error.code, r.error.key]).toEqual(['UNAUTHENTICATED', 'auth.badLoginServer']);
    }
  });

  it('each call runs on the person’s login: support reads members, and the database refuses what support may not', async () => {
    const s = await signIn('soporte');
    expect((await call('members.search', { q: 'a' }, s.token)).ok).toBe(true);
    const refused = await call('withdrawals.list', {}, s.token);
    expect(refused.ok ? null : refused.error.code).toBe('FORBIDDEN');
  });

  it('the engine’s procedures are served by the engine of another process, as the person who asked', async () => {
    const s = await signIn('admin');
    const r = await call('periods.recompute', { key: '2026-11' }, s.token);
    if (!r.ok) throw new Error(r.error.message);
    await waitForRun((r.data as { id: number }).id);
    const [req] = await t.database.sql`select status, db_login from engine_requests order by id desc limit 1`;
    expect(req).toMatchObject({ status: 'done', db_login: t.login('nnp_admin_user') });
  });

  it('a session is no session once signed out, revoked, expired or idle, or when its token was opened elsewhere', async () => {
    const out = await signIn('soporte');
    expect((await call('auth.logout', {}, out.token)).ok).toBe(true);
    expect((await call('auth.me', {}, out.token)).ok).toBe(false);
    for (const change of [
      (h: string) => t.database.sql`update sessions set revoked_at = now() where token_hash = ${h}`,
      (h: string) => t.database.sql`update sessions set expires_at = now() - interval '1 second' where token_hash = ${h}`,
      (h: string) => t.database.sql`update sessions set last_seen_at = now() - interval '61 minutes' where token_hash = ${h}`,
    ]) {
      const s = await signIn('soporte');
      expect((await call('auth.me', {}, s.token)).ok).toBe(true);
      await change(hashToken(s.token));
      const r = await call('auth.me', {}, s.token);
      expect(r.ok ? null : r.error.code).toBe('UNAUTHENTICATED');
    }
    // The owner app's token: a real session, but not one this desktop opened.
    const other = await call('auth.me', {}, t.tokens.support);
    expect(other.ok ? null : other.error.code).toBe('UNAUTHENTICATED');
  });

  it('a password change is proven and stored by PostgreSQL; the new password signs in, the old does not', async () => {
    const s = await signIn('finanzas');
    const changed = await call('auth.changePassword', { currentPassword: TEST_PASSWORD, newPassword: 'cielo-rojo-tortuga-41' }, s.token);
    if (!changed.ok) throw new Error(changed.error.message);
    expect((await call('auth.me', {}, s.token)).ok).toBe(true);
    expect((await call('auth.login', { username: 'finanzas', password: TEST_PASSWORD })).ok).toBe(false);
    const again = await signIn('finanzas', 'cielo-rojo-tortuga-41');
    expect((await call('auth.changePassword', { currentPassword: 'cielo-rojo-tortuga-41', newPassword: TEST_PASSWORD }, again.token)).ok).toBe(true);
  });
});

describe('the session functions from outside the app', () => {
  const hash = (n: number) => String(n).padStart(64, 'a');
  it('open a session only for the caller’s own active account, and check only the caller’s own', async () => {
    const owner = t.database.sql;
    await expect(owner`select * from nnp_start_session(gen_random_uuid(), ${hash(1)}, 'http', 12, 'x')`).rejects.toMatchObject({ code: '42501' });
    const support = as('nnp_soporte');
    await expect(support`select * from nnp_start_session(gen_random_uuid(), 'not-a-hash', 'http', 12, 'x')`).rejects.toMatchObject({ code: '22023' });
    const [mine] = await support`select * from nnp_start_session(gen_random_uuid(), ${hash(2)}, 'http', 9999, 'x')`;
    expect(mine!.username).toBe('soporte');
    // Never more than a day, whatever the desktop asks for.
    expect(Date.parse(String(mine!.expires_at))).toBeLessThanOrEqual(Date.now() + 24 * 3600_000 + 60_000);
    expect(await support`select * from nnp_session_check(${hash(2)}, 60)`).toHaveLength(1);
    expect(await as('nnp_admin_user')`select * from nnp_session_check(${hash(2)}, 60)`).toHaveLength(0);
    expect(await owner`select * from nnp_session_check(${hash(2)}, 60)`).toHaveLength(0);
  });
});
