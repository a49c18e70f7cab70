/**
 * The staff's PostgreSQL logins from outside the app, as a SQL client would connect with them
 * (issue 16's boundary tests): `as(login)` opens a one-connection client as that login role of
 * the test database (its tag added), `db(login)` the app's Drizzle handle on it, `refusal(c, statement)` answers the SQLSTATE a statement
 * fails with (null if it succeeded).
 */
import postgres from 'postgres';
import { connect, type Db } from '../main/db/client';
import { urlAs } from '../main/db/staff-connections';
import { loginPassword } from '../main/services/staff/logins';
import { TEST_PASSWORD } from './app';

export function staffLogins(app: () => { database: { url: string }; login: (untagged: string) => string }) {
  const opened: postgres.Sql[] = [];
  const urlOf = (user: string, password: string) => urlAs(app().database.url, app().login(user), loginPassword(password));
  return {
    as(user: string, password = TEST_PASSWORD): postgres.Sql {
      const c = postgres(urlOf(user, password), { max: 1, onnotice: () => {}, connect_timeout: 10 });
      opened.push(c);
      return c;
    },
    /** The app's own Drizzle handle on that login, as a service receives it. */
    db(user: string, password = TEST_PASSWORD): Db {
      const c = connect(urlOf(user, password), { max: 1 });
      opened.push(c.sql);
      return c.db;
    },
    /** Ends every client opened (before the database is dropped). */
    closeAll: async () => {
      await Promise.all(opened.splice(0).map((c) => c.end({ timeout: 1 }).catch(() => {})));
    },
  };
}

export async function refusal(c: postgres.Sql, statement: string): Promise<string | null> {
  try {
    await c.unsafe(statement);
    return null;
  } catch (e) {
    return (e as { code?: string }).code ?? 'no-code';
  }
}
