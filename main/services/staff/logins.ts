/**
 * Each staff account is its own PostgreSQL login role (issue 16): `nnp_<username>` in lower case
 * (a username that would take a group's or the owner's name gets `_user`: admin → nnp_admin_user),
 * with the staff password as a SCRAM-SHA-256 verifier, member of exactly one NOLOGIN group
 * (nnp_admin / nnp_finance / nnp_support). Created, disabled (NOLOGIN + its connections ended),
 * re-roled and reset in the same transaction as the staff row, through the SECURITY DEFINER
 * function nnp_staff_login (drizzle/0040), which can touch only nnp_ login roles and grant only
 * those three groups. The clear password never reaches SQL: the verifier is computed here.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import type { Role } from '../../../shared/contract';

const RESERVED = new Set(['admin', 'finance', 'support', 'owner']);

/** The login role of a username (the same rule as SQL nnp_login_name). */
export function loginRoleName(username: string, tag = ''): string {
  const u = username.toLowerCase();
  return RESERVED.has(u) ? `nnp_${tag}${u}_user` : `nnp_${tag}${u}`;
}

export const groupOf = (role: Role) => `nnp_${role}`;

/** The password as both sides of SCRAM see it (our scrypt hashes use NFKC too). */
export const loginPassword = (password: string) => password.normalize('NFKC');

/** A SCRAM-SHA-256 verifier (RFC 7677 / PostgreSQL's pg_authid format) for `password`. */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(loginPassword(password), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/**
 * Creates or updates the account's login role: group from `role`, LOGIN unless inactive, and the
 * password when one is given (null keeps the current one). Runs in the caller's transaction.
 */
export async function syncStaffLogin(db: DbOrTx, a: { username: string; role: Role; active: boolean; password?: string | null }): Promise<string> {
  const verifier = a.password ? scramVerifier(a.password) : null;
  const [row] = await db.execute<{ role: string }>(sql`select nnp_staff_login(${a.username}, ${groupOf(a.role)}, ${verifier}, ${a.active}) as role`);
  return row!.role;
}
