/**
 * Sign-in on a staff desktop that holds no owner credentials (issue 16): the desktop knows only the
 * server's address (NNP_SERVER_URL). PostgreSQL proves the password — the desktop connects as the
 * person's login role with what was typed (SCRAM; the server's auth_delay slows guessing, its log
 * keeps the failures) — and on that connection nnp_start_session (drizzle/0071) opens the session
 * and writes its audit row, for the caller's own account only. Every later call is checked by
 * nnp_session_check on the same login: revoked, expired, idle or another's session is no session.
 * The token's hash → session id map is this process's: a token from elsewhere acts for nothing here.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { ParsedInputOf } from '../../../shared/contract';
import type { AppServices, CallContext, SessionStaff } from '../../kernel/context';
export type { ServerSignIn } from '../../kernel/context';
import { loginPassword, loginRoleName } from '../staff/logins';
import { hashToken } from './sessions';

type StaffRow = { staff_id: string; username: string; display_name: string; role: SessionStaff['role']; must_change_password: boolean };

const refusedLogin = (e: unknown) => ['28P01', '28000', '42501'].includes((e as { code?: string }).code ?? '');

export async function signInAtServer(input: ParsedInputOf<'auth.login'>, ctx: CallContext) {
  const desk = ctx.serverSignIn;
  const connections = ctx.connections;
  if (!desk || !connections) throw AppError.of('INTERNAL', 'generic.INTERNAL');
  const id = randomUUID();
  const token = randomBytes(32).toString('base64url');
  const login = loginRoleName(input.username, desk.loginTag);
  connections.open(id, login, loginPassword(input.password));
  let row: (StaffRow & { expires_at: Date | string }) | undefined;
  try {
    [row] = await connections.get(id)!.sql<(StaffRow & { expires_at: Date | string })[]>`
      select * from nnp_start_session(${id}::uuid, ${hashToken(token)}, ${ctx.transport}, ${ctx.config.sessionMaxHours}, ${(ctx.source ?? 'local').slice(0, 300)})`;
  } catch (e) {
    await connections.end(id);
    // A wrong password, a disabled or unknown login: one answer for all (nothing said about which).
    if (refusedLogin(e)) throw AppError.of('UNAUTHENTICATED', 'auth.badLoginServer');
    throw e;
  }
  desk.sessions.set(hashToken(token), id);
  desk.onSignIn?.(login, loginPassword(input.password));
  return {
    token,
    expiresAt: new Date(row!.expires_at).toISOString(),
    staff: staffOf(row!),
  };
}

export async function resolveAtServer(app: AppServices, token: string): Promise<{ sessionId: string; staff: SessionStaff } | null> {
  const desk = app.serverSignIn;
  if (!desk || token.length > 200) return null;
  const th = hashToken(token);
  const id = desk.sessions.get(th);
  const own = id ? app.connections?.get(id) : null;
  if (!id || !own) return null;
  try {
    const [r] = await own.sql<(StaffRow & { session_id: string })[]>`select * from nnp_session_check(${th}, ${app.config.sessionIdleMinutes})`;
    if (r) return { sessionId: r.session_id, staff: staffOf(r) };
  } catch (e) {
    if (!refusedLogin(e)) throw e;
  }
  // Not live any more (signed out, revoked, expired, idle; the login disabled): forget it here too.
  desk.sessions.delete(th);
  void app.connections?.end(id);
  return null;
}

function staffOf(r: StaffRow): SessionStaff {
  return { id: r.staff_id, username: r.username, displayName: r.display_name, role: r.role, mustChangePassword: r.must_change_password };
}
