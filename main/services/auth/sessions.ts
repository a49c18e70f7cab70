import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { sessions, staff } from '../../db/schema';
import type { AppServices, SessionStaff } from '../../kernel/context';
import type { Tx } from '../../db/client';
import { resolveAtServer } from './server-sign-in';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createSession(tx: Tx, app: AppServices, staffId: string, transport: string) {
  const token = randomBytes(32).toString('base64url');
  const now = app.now();
  const expiresAt = new Date(now.getTime() + app.config.sessionMaxHours * 3600_000);
  const [row] = await tx
    .insert(sessions)
    .values({ tokenHash: hashToken(token), staffId, transport, createdAt: now, lastSeenAt: now, expiresAt })
    .returning({ id: sessions.id });
  return { token, expiresAt, sessionId: row!.id };
}

/**
 * A session is live while it is not revoked, before its absolute expiry, used within the idle
 * window, and its account is still active. Last-seen is refreshed at most once a minute.
 */
export async function resolveSession(app: AppServices, token: string): Promise<{ sessionId: string; staff: SessionStaff } | null> {
  if (app.serverSignIn) return resolveAtServer(app, token);
  if (token.length > 200) return null;
  const now = app.now();
  const rows = await app.db
    .select({
      sessionId: sessions.id,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      id: staff.id,
      username: staff.username,
      displayName: staff.displayName,
      role: staff.role,
      mustChangePassword: staff.mustChangePassword,
      active: staff.active,
    })
    .from(sessions)
    .innerJoin(staff, eq(staff.id, sessions.staffId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt)))
    .limit(1);
  const s = rows[0];
  if (!s || !s.active) return null;
  if (s.expiresAt <= now) return null;
  if (now.getTime() - s.lastSeenAt.getTime() > app.config.sessionIdleMinutes * 60_000) return null;
  if (now.getTime() - s.lastSeenAt.getTime() > 60_000) {
    await app.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, s.sessionId));
  }
  return {
    sessionId: s.sessionId,
    staff: { id: s.id, username: s.username, displayName: s.displayName, role: s.role, mustChangePassword: s.mustChangePassword },
  };
}
