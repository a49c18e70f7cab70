import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { staff } from '../../db/schema';
import { AppError } from '../../../shared/errors';
import { mutator, reader } from '../../kernel/wrappers';
import type { MutationContext, CallContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import { hashPassword } from '../auth/password';
import { assertPasswordAllowed } from '../auth/policy';
import { syncStaffLogin } from './logins';
import type { DbOrTx } from '../../db/client';

type StaffRow = Pick<typeof staff.$inferSelect, 'id' | 'username' | 'displayName' | 'role' | 'active' | 'lockedUntil' | 'failedAttempts' | 'createdAt'>;

/** The columns an admin's own login may read (drizzle/0040 grants no group the password hash). */
const accountColumns = {
  id: staff.id,
  username: staff.username,
  displayName: staff.displayName,
  role: staff.role,
  active: staff.active,
  lockedUntil: staff.lockedUntil,
  failedAttempts: staff.failedAttempts,
  createdAt: staff.createdAt,
};

/** What the screens may see of an account: never the password hash. */
export const publicAccount = (s: StaffRow) => ({
  id: s.id,
  username: s.username,
  displayName: s.displayName,
  role: s.role,
  active: s.active,
  lockedUntil: s.lockedUntil?.toISOString() ?? null,
  failedAttempts: s.failedAttempts,
  createdAt: s.createdAt.toISOString(),
});

async function list(_: ParsedInputOf<'staff.list'>, ctx: CallContext) {
  const rows = await ctx.db.select(accountColumns).from(staff).orderBy(asc(staff.username));
  return rows.map(publicAccount);
}

async function create(input: ParsedInputOf<'staff.create'>, ctx: MutationContext) {
  const taken = await ctx.tx
    .select({ id: staff.id })
    .from(staff)
    .where(eq(sql`lower(${staff.username})`, input.username.toLowerCase()));
  if (taken.length) throw AppError.of('CONFLICT', 'staff.taken', { username: input.username });
  assertPasswordAllowed(input.password, 'password', input.username);
  const [row] = await ctx.tx
    .insert(staff)
    .values({
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      mustChangePassword: true,
    })
    .returning(accountColumns);
  // Its PostgreSQL login, in the same transaction (a refused role leaves no account behind).
  await syncStaffLogin(ctx.tx, { username: row!.username, role: row!.role, active: true, password: input.password });
  await ctx.audit({ entity: 'staff', entityId: row!.id, after: publicAccount(row!) });
  return publicAccount(row!);
}

async function activeAdminsOtherThan(db: DbOrTx, id: string) {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(staff)
    .where(and(eq(staff.role, 'admin'), eq(staff.active, true), ne(staff.id, id)));
  return r?.n ?? 0;
}

async function update(input: ParsedInputOf<'staff.update'>, ctx: MutationContext) {
  const [before] = await ctx.tx.select(accountColumns).from(staff).where(eq(staff.id, input.id)).for('update');
  if (!before) throw AppError.of('NOT_FOUND', 'staff.notFound');
  // Nobody takes away their own admin role or account: another admin must (and says why).
  if (before.id === ctx.staff?.id && ((input.role && input.role !== before.role) || input.active === false)) {
    throw AppError.of('FORBIDDEN', 'staff.notSelf', {}, { rule: 'STAFF_NOT_SELF' });
  }
  const demotesAdmin = before.role === 'admin' && before.active && ((input.role && input.role !== 'admin') || input.active === false);
  // Lock every admin row so two concurrent demotions cannot both pass the last-admin check.
  if (demotesAdmin) {
    await ctx.tx.select({ id: staff.id }).from(staff).where(eq(staff.role, 'admin')).for('update');
    if ((await activeAdminsOtherThan(ctx.tx, before.id)) === 0) throw AppError.of('CONFLICT', 'staff.lastAdmin');
  }
  const [after] = await ctx.tx
    .update(staff)
    .set({
      displayName: input.displayName ?? before.displayName,
      role: input.role ?? before.role,
      active: input.active ?? before.active,
      updatedAt: ctx.now(),
    })
    .where(eq(staff.id, input.id))
    .returning(accountColumns);
  if (input.active === false || (input.role && input.role !== before.role)) await signedOut(ctx, before.id, false);
  // The login role follows: its group, and NOLOGIN with its open connections ended when disabled.
  if (after!.role !== before.role || after!.active !== before.active) {
    await syncStaffLogin(ctx.tx, { username: after!.username, role: after!.role, active: after!.active });
  }
  await ctx.audit({ entity: 'staff', entityId: before.id, before: publicAccount(before), after: publicAccount(after!), reason: input.reason });
  return publicAccount(after!);
}

/**
 * Ends every session of an account (and, on a reset, clears its failed-login counters) through
 * nnp_staff_signed_out: no staff group reads or writes sessions itself. Their pools close too.
 */
async function signedOut(ctx: MutationContext, staffId: string, clearFailures: boolean) {
  const ended = await ctx.tx.execute<{ id: string }>(
    sql`select id from nnp_staff_signed_out(${staffId}::uuid, ${ctx.now().toISOString()}::timestamptz, ${clearFailures}) as id`,
  );
  for (const s of ended) void ctx.connections?.end(s.id);
}

async function resetPassword(input: ParsedInputOf<'staff.resetPassword'>, ctx: MutationContext) {
  const [before] = await ctx.tx.select(accountColumns).from(staff).where(eq(staff.id, input.id)).for('update');
  if (!before) throw AppError.of('NOT_FOUND', 'staff.notFound');
  assertPasswordAllowed(input.newPassword, 'newPassword', before.username);
  await ctx.tx
    .update(staff)
    .set({
      passwordHash: await hashPassword(input.newPassword),
      mustChangePassword: true,
      failedAttempts: 0,
      lockedUntil: null,
      updatedAt: ctx.now(),
    })
    .where(eq(staff.id, input.id));
  await syncStaffLogin(ctx.tx, { username: before.username, role: before.role, active: before.active, password: input.newPassword });
  await signedOut(ctx, before.id, true);
  await ctx.audit({
    entity: 'staff',
    entityId: before.id,
    before: { lockedUntil: before.lockedUntil },
    after: { passwordReset: true, unlocked: true },
    reason: input.reason,
  });
  return { ok: true as const };
}

/**
 * Issue 16: on the admin's own login (drizzle/0061: column grants that never read a hash, the
 * database's own rules for accounts, sessions ended through nnp_staff_signed_out).
 */
export const staffHandlers = {
  'staff.list': reader(list),
  'staff.create': mutator(create),
  'staff.update': mutator(update),
  'staff.resetPassword': mutator(resetPassword),
};
