import type { Db, Tx } from '../db/client';
import type { Role } from '../../shared/contract';
import type postgres from 'postgres';
import type { StaffConnections } from '../db/staff-connections';

/** A staff desktop's sign-in without owner credentials (main/services/auth/server-sign-in.ts). */
export interface ServerSignIn {
  /** The server's login-name tag (db_instance.login_tag; '' on a company's server). */
  loginTag: string;
  /** token hash → session id, for the sessions opened by this process. */
  sessions: Map<string, string>;
  /** Told of each good sign-in (the live-changes feed listens with the newest login). */
  onSignIn?: (login: string, password: string) => void;
}

export interface SessionStaff {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  mustChangePassword: boolean;
}

export interface AppConfig {
  version: string;
  database: 'embedded' | 'external';
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** Where files made by the main process are saved (e.g. a whole period's CSV): the user's Downloads. */
  exportsDir: string;
}

/** What the main process holds for the lifetime of the app: shared by every request. */
export interface AppServices {
  db: Db;
  sql: postgres.Sql;
  config: AppConfig;
  now: () => Date;
  log: (msg: string, extra?: unknown) => void;
  /**
   * Each signed-in person's own PostgreSQL login (issue 16): a session's reads run on it, so the
   * database checks them against the person's group. Absent only where no session ever calls (a
   * bench's services over a bare handle).
   */
  connections?: StaffConnections;
  /**
   * Present on a staff desktop that holds no owner credentials (NNP_SERVER_URL): sign-in and the
   * session check of every call are PostgreSQL's, on the person's own login
   * (main/services/auth/server-sign-in.ts); `db` and `sql` then refuse any use.
   */
  serverSignIn?: ServerSignIn;
}

/** One call: who is asking and over which transport. */
export interface CallContext extends AppServices {
  procedure: string;
  transport: 'http' | 'electron';
  staff: SessionStaff | null;
  sessionId: string | null;
  /** The bearer token of the call (logout needs it). */
  token: string | null;
  /** Where the call came from (the desktop / bridge client): failed logins are counted per source. */
  source?: string;
  /**
   * The app's own pool, for work the app carries on by itself after the call (a plan simulation in
   * the background): `db` is the signed-in person's login, which ends with their session.
   */
  appDb?: Db;
}

export interface AuditEntry {
  action?: string;
  entity: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  /** Who acted, when there is no session yet (a login attempt). */
  actor?: { id: string | null; username: string };
}

/** Inside a mutation: the transaction and the audit trail of that same transaction. */
export interface MutationContext extends CallContext {
  tx: Tx;
  audit: (entry: AuditEntry) => Promise<void>;
  /** Commit what was written (e.g. a failed-login counter), then answer with this error. */
  failAfterCommit: (err: Error) => never;
}

/**
 * A mutation context for work the app starts itself, outside any call (a close run by the
 * engine-case cli or the seed's history, a test's child process): no staff, no session, and its
 * audit is a no-op (nobody acted; the run's own rows say what was done).
 */
export function internalMutationContext(app: AppServices, tx: Tx, procedure: string): MutationContext {
  return {
    ...app,
    tx,
    procedure,
    transport: 'http',
    staff: null,
    sessionId: null,
    token: null,
    audit: async () => {},
    failAfterCommit: (e: Error): never => {
      throw e;
    },
  };
}
