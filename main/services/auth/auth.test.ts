import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { testApp, TEST_PASSWORD, type TestApp } from '../../../test/app';
import { staff, sessions, auditLog } from '../../db/schema';
import { hashPassword, verifyPassword } from './password';
import { ensureFirstAdmin } from '../../app';

let t: TestApp;
let clock = new Date('2026-11-20T18:00:00Z');
beforeAll(async () => {
  t = await testApp({ now: () => clock });
});
afterAll(async () => {
  await t.close();
});

describe('passwords', () => {
  it('are hashed with scrypt, salted, and verified', async () => {
    const a = await hashPassword('una contraseña larga');
    const b = await hashPassword('una contraseña larga');
    expect(a).toMatch(/^scrypt\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('una contraseña larga', a)).toBe(true);
    expect(await verifyPassword('otra contraseña larga', a)).toBe(false);
  });
});

describe('login', () => {
  it('gives the same answer for an unknown user and a wrong password', async () => {
    const unknown = await t.call('auth.login', { username: 'nadie', password: 'x' });
    const wrong = await t.call('auth.login', { username: 'soporte', password: 'x' });
    expect(unknown.ok || wrong.ok).toBe(false);
    if (!unknown.ok && !wrong.ok) {
      expect(unknown.error).toEqual(wrong.error);
      expect(unknown.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('locks an account for 15 minutes after 5 failures, even for the right password', async () => {
    await t.database.db.insert(staff).values({ username: 'victima', displayName: 'V', role: 'support', passwordHash: await hashPassword(TEST_PASSWORD) });
    for (let i = 0; i < 5; i++) expect((await t.call('auth.login', { username: 'victima', password: 'mala' })).ok).toBe(false);
    const [row] = await t.database.db.select().from(staff).where(eq(staff.username, 'victima'));
    expect(row!.lockedUntil!.getTime()).toBe(clock.getTime() + 15 * 60_000);
    expect((await t.call('auth.login', { username: 'victima', password: TEST_PASSWORD })).ok).toBe(false);
    clock = new Date(clock.getTime() + 14 * 60_000);
    expect((await t.call('auth.login', { username: 'victima', password: TEST_PASSWORD })).ok).toBe(false);
    clock = new Date(clock.getTime() + 2 * 60_000);
    const ok = await t.call('auth.login', { username: 'victima', password: TEST_PASSWORD });
    expect(ok.ok).toBe(true);
    const fails = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login'));
    expect(fails.filter((f) => f.staffUsername === 'victima').length).toBeGreaterThanOrEqual(8);
  });

  it('usernames are case-insensitive', async () => {
    expect((await t.call('auth.login', { username: 'SOPORTE', password: TEST_PASSWORD })).ok).toBe(true);
  });
});

describe('staff management', () => {
  it('an admin creates an account that must change its password, and it is audited', async () => {
    const created = await t.must(
      'staff.create',
      { username: 'nuevo.soporte', displayName: 'Nuevo Soporte', role: 'support', password: 'inicial-123456' },
      t.tokens.admin,
    );
    expect(created).not.toHaveProperty('passwordHash');
    const login = await t.must('auth.login', { username: 'nuevo.soporte', password: 'inicial-123456' }, null);
    expect(login.staff.mustChangePassword).toBe(true);
    const blocked = await t.call('staff.list', {}, login.token);
    expect(!blocked.ok && blocked.error.code).toBe('FORBIDDEN');
    await t.must('auth.changePassword', { currentPassword: 'inicial-123456', newPassword: 'definitiva-123456' }, login.token);
    expect((await t.must('auth.me', {}, login.token)).mustChangePassword).toBe(false);
    const audit = await t.must('audit.list', { entity: 'staff', entityId: created.id }, t.tokens.admin);
    expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['staff.create', 'auth.changePassword']));
  });

  it('refuses a duplicate username and a short password, changing nothing', async () => {
    const before = (await t.must('staff.list', {}, t.tokens.admin)).length;
    const dup = await t.call('staff.create', { username: 'Soporte', displayName: 'Otra Persona', role: 'support', password: 'abcdefghijkl' }, t.tokens.admin);
    expect(!dup.ok && dup.error.code).toBe('CONFLICT');
    const short = await t.call('staff.create', { username: 'corto', displayName: 'X', role: 'support', password: 'abc' }, t.tokens.admin);
    expect(!short.ok && short.error.code).toBe('VALIDATION');
    expect((await t.must('staff.list', {}, t.tokens.admin)).length).toBe(before);
  });

  it('keeps at least one active admin', async () => {
    const admins = (await t.must('staff.list', {}, t.tokens.admin)).filter((s) => s.role === 'admin' && s.active);
    expect(admins).toHaveLength(1);
    // The only admin is the one asking: refused as a change of one's own account (FORBIDDEN), nothing changes.
    const r = await t.call('staff.update', { id: admins[0]!.id, role: 'support', reason: 'Cambio de puesto' }, t.tokens.admin);
    expect(!r.ok && r.error.code).toBe('FORBIDDEN');
    expect(!r.ok && r.error.message).toBe('No puede quitarse el rol de administrador ni desactivar su propia cuenta: pídalo a otro administrador.');
    const off = await t.call('staff.update', { id: admins[0]!.id, active: false, reason: 'Baja' }, t.tokens.admin);
    expect(!off.ok && off.error.code).toBe('FORBIDDEN');
    expect((await t.must('staff.list', {}, t.tokens.admin)).filter((s) => s.role === 'admin' && s.active)).toHaveLength(1);
  });

  it('role changes, deactivations and password resets need a reason, kept in the audit row', async () => {
    const fin = (await t.must('staff.list', {}, t.tokens.admin)).find((s) => s.username === 'finanzas')!;
    for (const input of [
      { id: fin.id, role: 'support' },
      { id: fin.id, role: 'support', reason: '  ' },
    ]) {
      const r = await t.call('staff.update', input, t.tokens.admin);
      expect(!r.ok && r.error.code).toBe('VALIDATION');
    }
    const noReason = await t.call('staff.resetPassword', { id: fin.id, newPassword: 'temporal-12345' }, t.tokens.admin);
    expect(!noReason.ok && noReason.error.code).toBe('VALIDATION');
    expect((await t.must('staff.list', {}, t.tokens.admin)).find((s) => s.username === 'finanzas')!.role).toBe('finance');
    await t.must('staff.update', { id: fin.id, role: 'support', reason: 'Pasa al equipo de soporte' }, t.tokens.admin);
    await t.must('staff.update', { id: fin.id, role: 'finance', reason: 'Regresa a finanzas' }, t.tokens.admin);
    const rows = await t.database.sql<
      { reason: string; after: { role: string } }[]
    >`select reason, after from audit_log where entity = 'staff' and entity_id = ${fin.id} order by at, id`;
    expect(rows.map((x) => [x.after.role, x.reason])).toEqual([
      ['support', 'Pasa al equipo de soporte'],
      ['finance', 'Regresa a finanzas'],
    ]);
  });

  it('deactivating an account ends its sessions; a reset unlocks and forces a change', async () => {
    const list = await t.must('staff.list', {}, t.tokens.admin);
    const fin = list.find((s) => s.username === 'finanzas')!;
    const login = await t.must('auth.login', { username: 'finanzas', password: TEST_PASSWORD }, null);
    await t.must('staff.update', { id: fin.id, active: false, reason: 'Licencia' }, t.tokens.admin);
    expect((await t.call('auth.me', {}, login.token)).ok).toBe(false);
    expect((await t.call('auth.login', { username: 'finanzas', password: TEST_PASSWORD })).ok).toBe(false);
    await t.must('staff.update', { id: fin.id, active: true, reason: 'Regresa de licencia' }, t.tokens.admin);
    await t.must('staff.resetPassword', { id: fin.id, newPassword: 'temporal-98765', reason: 'Olvidó su contraseña' }, t.tokens.admin);
    const reset = await t.database.sql<
      { reason: string }[]
    >`select reason from audit_log where entity = 'staff' and entity_id = ${fin.id} and after ? 'passwordReset'`;
    expect(reset.map((x) => x.reason)).toEqual(['Olvidó su contraseña']);
    const after = await t.must('auth.login', { username: 'finanzas', password: 'temporal-98765' }, null);
    expect(after.staff.mustChangePassword).toBe(true);
  });
});

describe('first start', () => {
  it('creates the admin once only', async () => {
    expect(await ensureFirstAdmin(t.database)).toBeNull();
  });
});

// Last: it moves the clock by hours, which ends the set-up sessions too.
describe('sessions', () => {
  it('expire after the idle window and at the absolute limit, and end at logout', async () => {
    const login = await t.must('auth.login', { username: 'soporte', password: TEST_PASSWORD }, null);
    expect((await t.call('auth.me', {}, login.token)).ok).toBe(true);
    clock = new Date(clock.getTime() + 61 * 60_000); // idle > 60 min
    const idle = await t.call('auth.me', {}, login.token);
    expect(!idle.ok && idle.error.code).toBe('UNAUTHENTICATED');

    const again = await t.must('auth.login', { username: 'soporte', password: TEST_PASSWORD }, null);
    for (let h = 0; h < 13; h++) {
      clock = new Date(clock.getTime() + 59 * 60_000);
      await t.call('auth.me', {}, again.token);
    }
    const tooOld = await t.call('auth.me', {}, again.token);
    expect(!tooOld.ok && tooOld.error.code).toBe('UNAUTHENTICATED');

    const third = await t.must('auth.login', { username: 'soporte', password: TEST_PASSWORD }, null);
    await t.must('auth.logout', {}, third.token);
    expect((await t.call('auth.me', {}, third.token)).ok).toBe(false);
  });

  it('stores only a hash of the token', async () => {
    const login = await t.must('auth.login', { username: 'soporte', password: TEST_PASSWORD }, null);
    const rows = await t.database.db.select().from(sessions);
    expect(rows.some((r) => r.tokenHash === login.token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
  });
});
