import { and, eq, sql } from 'drizzle-orm';
import { assertPasswordAllowed } from './policy';
import { loginPassword, scramVerifier, syncStaffLogin } from '../staff/logins';
import { loginFailures, staff } from '../../db/schema';
import { AppError } from '../../../shared/errors';
import { mutator, reader } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import { signInAtServer } from './server-sign-in';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password';
import { createSession, hashToken } from './sessions';
import type { ParsedInputOf } from '../../../shared/contract';

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_MINUTES = 15;

async function login(input: ParsedInputOf<'auth.login'>, ctx: MutationContext) {
  const now = ctx.now();
  const [account] = await ctx.tx
    .select()
    .from(staff)
    .where(eq(sql`lower(${staff.username})`, input.username.toLowerCase()))
    .for('update')
    .limit(1);
  if (!account) {
    await verifyAgainstDummy(input.password);
    await ctx.audit({ entity: 'staff', entityId: null, actor: { id: null, username: input.username.slice(0, 100) }, after: { outcome: 'unknown-user' } });
    return ctx.failAfterCommit(AppError.of('UNAUTHENTICATED', 'auth.badLogin'));
  }
  // Counted per source: wrong passwords typed elsewhere lock this account there, not on the
  // desktop its owner uses (the last active admin cannot be locked out from outside).
  const source = (ctx.source ?? 'local').slice(0, 300);
  const [failures] = await ctx.tx
    .select()
    .from(loginFailures)
    .where(and(eq(loginFailures.staffId, account.id), eq(loginFailures.source, source)))
    .for('update');
  const locked = failures?.lockedUntil != null && failures.lockedUntil > now;
  const good = await verifyPassword(input.password, account.passwordHash);
  if (locked || !good || !account.active) {
    const attempts = locked ? failures!.failedAttempts : (failures?.failedAttempts ?? 0) + 1;
    const lockNow = !locked && attempts >= MAX_FAILED_ATTEMPTS;
    const lockedUntil = lockNow ? new Date(now.getTime() + LOCK_MINUTES * 60_000) : (failures?.lockedUntil ?? null);
    const values = { failedAttempts: lockNow ? 0 : attempts, lockedUntil, updatedAt: now };
    await ctx.tx
      .insert(loginFailures)
      .values({ staffId: account.id, source, ...values })
      .onConflictDoUpdate({ target: [loginFailures.staffId, loginFailures.source], set: values });
    // The staff screen shows the latest figures (whichever source they came from).
    await ctx.tx.update(staff).set({ failedAttempts: values.failedAttempts, lockedUntil }).where(eq(staff.id, account.id));
    await ctx.audit({
      entity: 'staff',
      entityId: account.id,
      actor: { id: account.id, username: account.username },
      after: { outcome: locked ? 'locked' : !account.active ? 'inactive' : lockNow ? 'bad-password-locked' : 'bad-password', failedAttempts: attempts, source },
    });
    return ctx.failAfterCommit(AppError.of('UNAUTHENTICATED', 'auth.badLogin'));
  }
  if (failures) await ctx.tx.delete(loginFailures).where(and(eq(loginFailures.staffId, account.id), eq(loginFailures.source, source)));
  const [otherLock] = await ctx.tx
    .select({ n: sql<number>`count(*)::int` })
    .from(loginFailures)
    .where(and(eq(loginFailures.staffId, account.id), sql`${loginFailures.lockedUntil} > ${now.toISOString()}::timestamptz`));
  if ((otherLock?.n ?? 0) === 0) await ctx.tx.update(staff).set({ failedAttempts: 0, lockedUntil: null }).where(eq(staff.id, account.id));
  const session = await createSession(ctx.tx, ctx, account.id, ctx.transport);
  // The person's PostgreSQL login gets the password just proven (it heals a login made before its
  // account had one, or restored from a backup), and the session's reads will run on it.
  const login = await syncStaffLogin(ctx.tx, { username: account.username, role: account.role, active: true, password: input.password });
  ctx.connections?.open(session.sessionId, login, loginPassword(input.password));
  await ctx.audit({
    entity: 'session',
    entityId: session.sessionId,
    actor: { id: account.id, username: account.username },
    after: { outcome: 'ok', staff: account.username, transport: ctx.transport },
  });
  return {
    token: session.token,
    expiresAt: session.expiresAt.toISOString(),
    staff: { id: account.id, username: account.username, displayName: account.displayName, role: account.role, mustChangePassword: account.mustChangePassword },
  };
}

/** On the person's own login: nnp_end_own_session revokes only a session of their own account. */
async function logout(_: ParsedInputOf<'auth.logout'>, ctx: MutationContext) {
  if (ctx.token) await ctx.tx.execute(sql`select nnp_end_own_session(${hashToken(ctx.token)}, ${ctx.now().toISOString()}::timestamptz)`);
  await ctx.audit({ entity: 'session', entityId: ctx.sessionId });
  if (ctx.sessionId) void ctx.connections?.end(ctx.sessionId);
  return { ok: true as const };
}

/**
 * On the person's own login, which reads no password hash: PostgreSQL proves the current password
 * (a connection as the login with it), and nnp_change_own_password stores the new scrypt hash and
 * SCRAM verifier for this account only and ends its other sessions, in the call's transaction.
 */
async function changePassword(input: ParsedInputOf<'auth.changePassword'>, ctx: MutationContext) {
  const me = ctx.staff!;
  const own = ctx.sessionId ? ctx.connections?.get(ctx.sessionId) : null;
  if (!own || !ctx.connections) throw AppError.of('UNAUTHENTICATED', 'router.session');
  if (!(await ctx.connections.proves(own.login, loginPassword(input.currentPassword)))) {
    throw AppError.fields([{ path: 'currentPassword', rule: 'wrongPassword' }], 'auth.wrongCurrent');
  }
  if (input.currentPassword === input.newPassword) throw AppError.of('VALIDATION', 'auth.samePassword');
  assertPasswordAllowed(input.newPassword, 'newPassword', me.username);
  const ended = await ctx.tx.execute<{ id: string }>(
    sql`select id from nnp_change_own_password(${await hashPassword(input.newPassword)}, ${scramVerifier(input.newPassword)}, ${ctx.sessionId}::uuid, ${ctx.now().toISOString()}::timestamptz) as id`,
  );
  // This session's next connections log in with the new password (the pool connects lazily, after the commit).
  ctx.connections.open(ctx.sessionId!, own.login, loginPassword(input.newPassword));
  // Whoever knew the old password (a session left open elsewhere) is out: only this session stays.
  for (const s of ended) void ctx.connections.end(s.id);
  await ctx.audit({ entity: 'staff', entityId: me.id, after: { passwordChanged: true, otherSessionsEnded: ended.length } });
  return { ok: true as const };
}

const loginByApp = mutator(login);

export const authHandlers = {
  // On a staff desktop without owner credentials, PostgreSQL proves the password (server-sign-in.ts).
  'auth.login': Object.assign(
    (input: ParsedInputOf<'auth.login'>, ctx: CallContext) => (ctx.serverSignIn ? signInAtServer(input, ctx) : loginByApp(input, ctx)),
    { kind: 'mutation' as const },
  ),
  'auth.logout': mutator(logout),
  'auth.me': reader(async (_: ParsedInputOf<'auth.me'>, ctx) => ctx.staff!),
  'auth.changePassword': mutator(changePassword),
};
