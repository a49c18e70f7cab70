/**
 * The staff's PostgreSQL logins from outside the app, as a SQL client would connect with them
 * (issue 16's boundary tests): `as(login)` opens a one-connection client as that login role of
 * the test database (its tag added), `refusal(c, statement)` answers the SQLSTATE a statement
 * fails with (null if it succeeded).
 */
import postgres from 'postgres';
import { urlAs } from '../main/db/staff-connections';
import { loginPassword } from '../main/services/staff/logins';
import { TEST_PASSWORD } from './app';

export function staffLogins(app: () => { database: { url: string }; login: (untagged: string) => string }) {
  const opened: postgres.Sql[] = [];
  return {
    as(user: string, password = TEST_PASSWORD): postgres.Sql {
      const t = app();
      const c = postgres(urlAs(t.database.url, t.login(user), loginPassword(password)), { max: 1, onnotice: () => {}, connect_timeout: 10 });
      opened.push(c);
      return c;
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
