/**
 * Which new passwords are refused beyond the contract's length: the most common passwords (the
 * 49,000-word list that @zxcvbn-ts/language-common ships, from real leaks — a well-kept package
 * rather than a list of our own), a single character repeated, and the account's own username.
 * Checked in the main process only: the list stays out of the renderer bundle.
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError, type RuleKey } from '../../../shared/errors';

let common: Set<string> | null = null;
const commonPasswords = () => (common ??= new Set((dictionary as { passwords: string[] }).passwords.map((p) => p.toLowerCase())));

/** The catalogue rule a new password breaks, or null. */
export function passwordProblem(password: string, username?: string): RuleKey | null {
  const p = password.normalize('NFKC');
  const lower = p.toLowerCase();
  if (/^(.)\1*$/su.test(p)) return 'repeatedChar';
  if (commonPasswords().has(lower) || commonPasswords().has(lower.trim())) return 'commonPassword';
  if (username && lower.includes(username.toLowerCase()) && lower.replace(username.toLowerCase(), '').length < 4) return 'passwordIsUsername';
  return null;
}

export function assertPasswordAllowed(password: string, field: string, username?: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw AppError.fields([{ path: field, rule: problem }]);
}
