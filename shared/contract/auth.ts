import { z } from 'zod';
import { ALL_STAFF, Empty, mutation, Ok, query, ROLES } from './define';
import { Instant } from '../money';
import { rule } from '../error-messages';

export const StaffRoleSchema = z.enum(ROLES);
export const Username = z
  .string()
  .trim()
  .min(3)
  .max(40)
  .regex(/^[a-zA-Z0-9._-]+$/, rule('username'));
/** Long enough to resist guessing; the lock-out handles the rest. */
export const NewPassword = z
  .string()
  .min(10, 'Al menos 10 caracteres')
  .max(200)
  .refine((s) => !/^(.)\1*$/su.test(s), rule('repeatedChar'));

export const CurrentStaff = z.object({
  id: z.string().uuid(),
  username: z.string(),
  displayName: z.string(),
  role: StaffRoleSchema,
  mustChangePassword: z.boolean(),
});

export const authContract = {
  'auth.login': mutation({
    roles: 'public',
    summary: 'Logs a staff member in; answers a session token.',
    input: z.object({ username: z.string().trim().min(1).max(100), password: z.string().min(1).max(200) }).strict(),
    output: z.object({ token: z.string(), expiresAt: Instant, staff: CurrentStaff }),
  }),
  'auth.logout': mutation({ roles: ALL_STAFF, summary: 'Ends the current session.', input: Empty, output: Ok }),
  'auth.me': query({ roles: ALL_STAFF, summary: 'The staff member of the current session.', input: Empty, output: CurrentStaff }),
  'auth.changePassword': mutation({
    roles: ALL_STAFF,
    summary: 'Changes the own password (required after an admin reset).',
    input: z.object({ currentPassword: z.string().min(1).max(200), newPassword: NewPassword }).strict(),
    output: Ok,
  }),
};
