import { eq, sql } from 'drizzle-orm';
import { staff, sessions } from '../../db/schema';
import { AppError } from '../../../shared/errors';
import { mutator, reader } from '../../kernel/wrappers';
import type { MutationContext } from '../../kernel/context';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password';
import { createSession, hashToken } from './sessions';
import type { ParsedInputOf } from '../../../shared/contract';

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_MINUTES = 15;
const BAD_LOGIN = 'Usuario o contraseña incorrectos. Tras 5 intentos fallidos la cuenta se bloquea 15 minutos.';

async function login(input: ParsedInputOf<'auth.login'>, ctx: MutationContext) {
  const now = ctx.now();
  const [account] = await ctx.tx.select().from(staff).where(eq(sql`lower(${staff.username})`, input.username.toLowerCase())).for('update').limit(1);
  if (!account) {
    await verifyAgainstDummy(input.password);
    await ctx.audit({ entity: 'staff', entityId: null, actor: { id: null, username: input.username.slice(0, 100) }, after: { outcome: 'unknown-user' } });
    return ctx.failAfterCommit(AppError.of('UNAUTHENTICATED', 'auth.badLogin'));
  }
  const locked = account.lockedUntil != null && account.lockedUntil > now;
  const good = await verifyPassword(input.password, account.passwordHash);
  if (locked || !good || !account.active) {
    const attempts = locked ? account.failedAttempts : account.failedAttempts + 1;
    const lockNow = !locked && attempts >= MAX_FAILED_ATTEMPTS;
    await ctx.tx.update(staff).set({
      failedAttempts: lockNow ? 0 : attempts,
      lockedUntil: lockNow ? new Date(now.getTime() + LOCK_MINUTES * 60_000) : account.lockedUntil,
    }).where(eq(staff.id, account.id));
    await ctx.audit({
      entity: 'staff', entityId: account.id, actor: { id: account.id, username: account.username },
      after: { outcome: locked ? 'locked' : !account.active ? 'inactive' : lockNow ? 'bad-password-locked' : 'bad-password', failedAttempts: attempts },
    });
    return ctx.failAfterCommit(AppError.of('UNAUTHENTICATED', 'auth.badLogin'));
  }
  await ctx.tx.update(staff).set({ failedAttempts: 0, lockedUntil: null }).where(eq(staff.id, account.id));
  const session = await createSession(ctx.tx, ctx, account.id, ctx.transport);
  await ctx.audit({ entity: 'session', entityId: session.sessionId, actor: { id: account.id, username: account.username }, after: { outcome: 'ok', staff: account.username, transport: ctx.transport } });
  return {
    token: session.token,
    expiresAt: session.expiresAt.toISOString(),
    staff: { id: account.id, username: account.username, displayName: account.displayName, role: account.role, mustChangePassword: account.mustChangePassword },
  };
}

async function logout(_: ParsedInputOf<'auth.logout'>, ctx: MutationContext) {
  if (ctx.token) await ctx.tx.update(sessions).set({ revokedAt: ctx.now() }).where(eq(sessions.tokenHash, hashToken(ctx.token)));
  await ctx.audit({ entity: 'session', entityId: ctx.sessionId });
  return { ok: true as const };
}

async function changePassword(input: ParsedInputOf<'auth.changePassword'>, ctx: MutationContext) {
  const me = ctx.staff!;
  const [account] = await ctx.tx.select().from(staff).where(eq(staff.id, me.id)).for('update');
  if (!account || !(await verifyPassword(input.currentPassword, account.passwordHash))) {
    throw AppError.fields([{ path: 'currentPassword', rule: 'wrongPassword' }], 'auth.wrongCurrent');
  }
  if (input.currentPassword === input.newPassword) throw AppError.of('VALIDATION', 'auth.samePassword');
  await ctx.tx.update(staff).set({ passwordHash: await hashPassword(input.newPassword), mustChangePassword: false, updatedAt: ctx.now() }).where(eq(staff.id, me.id));
  await ctx.audit({ entity: 'staff', entityId: me.id, after: { passwordChanged: true } });
  return { ok: true as const };
}

export const authHandlers = {
  'auth.login': mutator(login),
  'auth.logout': mutator(logout),
  'auth.me': reader(async (_: ParsedInputOf<'auth.me'>, ctx) => ctx.staff!),
  'auth.changePassword': mutator(changePassword),
};
