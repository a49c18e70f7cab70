/**
 * The signed-in staff member's own PostgreSQL connections (issue 16): after a good login the app
 * keeps a small pool per session that logs in as that person's login role (nnp_<username>, see
 * main/services/staff/logins.ts) with the password they typed, and the session's reads run on it,
 * so PostgreSQL itself checks every read against the grants of the person's group. The password is
 * held only in this process's memory for the life of the session; an app restarted needs it again.
 */
import { connect, type Database } from './client';

export interface StaffConnection {
  db: Database['db'];
  sql: Database['sql'];
  login: string;
}

export interface StaffConnections {
  /** Opens (lazily: the first query connects) the session's pool as `login` with `password`. */
  open(sessionId: string, login: string, password: string): void;
  get(sessionId: string): StaffConnection | null;
  /** Ends the session's pool (logout, a password change, a revoked session). */
  end(sessionId: string): Promise<void>;
  /**
   * Whether PostgreSQL accepts `password` for `login` (a connection is opened and closed): the
   * proof of a password the app itself cannot check, since no staff login reads the hashes.
   */
  proves(login: string, password: string): Promise<boolean>;
  endAll(): Promise<void>;
}

/** The server address of `ownerUrl` with another login. */
export function urlAs(ownerUrl: string, login: string, password: string): string {
  const u = new URL(ownerUrl);
  u.username = encodeURIComponent(login);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export function staffConnections(ownerUrl: string, opts: { max?: number } = {}): StaffConnections {
  const pools = new Map<string, StaffConnection & { close: () => Promise<void> }>();
  return {
    open(sessionId, login, password) {
      const old = pools.get(sessionId);
      // A few connections per person: a screen's reads in parallel; idle ones close after a while.
      const database = connect(urlAs(ownerUrl, login, password), { max: opts.max ?? 4, idleTimeout: 60 });
      pools.set(sessionId, { db: database.db, sql: database.sql, login, close: database.close });
      if (old) void old.close().catch(() => {});
    },
    get(sessionId) {
      return pools.get(sessionId) ?? null;
    },
    async end(sessionId) {
      const p = pools.get(sessionId);
      pools.delete(sessionId);
      if (p) await p.close().catch(() => {});
    },
    async proves(login, password) {
      const probe = connect(urlAs(ownerUrl, login, password), { max: 1 });
      try {
        await probe.sql`select 1`;
        return true;
      } catch (e) {
        // 28P01: wrong password; 28000: the login may not log in (disabled meanwhile).
        const code = (e as { code?: string }).code;
        if (code === '28P01' || code === '28000') return false;
        throw e;
      } finally {
        await probe.close().catch(() => {});
      }
    },
    async endAll() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.close().catch(() => {})));
    },
  };
}
