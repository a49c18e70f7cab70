import { z } from 'zod';
import { mutation, Empty, Ok, query } from './define';
import { Instant } from '../money';
import { NewPassword, StaffRoleSchema, Username } from './auth';

export const StaffAccount = z.object({
  id: z.string().uuid(),
  username: z.string(),
  displayName: z.string(),
  role: StaffRoleSchema,
  active: z.boolean(),
  lockedUntil: Instant.nullable(),
  failedAttempts: z.number().int(),
  createdAt: Instant,
});
export type StaffAccount = z.infer<typeof StaffAccount>;

const DisplayName = z.string().trim().min(2).max(120);
/** Why a role, the active flag or a password is changed: kept in the audit row. */
const Reason = z.string().trim().min(3).max(500);

export const staffContract = {
  'staff.list': query({ roles: ['admin'], summary: 'Every staff account.', input: Empty, output: z.array(StaffAccount) }),
  'staff.create': mutation({
    roles: ['admin'],
    summary: 'Creates a staff account; the person must change the password at first login.',
    input: z.object({ username: Username, displayName: DisplayName, role: StaffRoleSchema, password: NewPassword }).strict(),
    output: StaffAccount,
  }),
  'staff.update': mutation({
    roles: ['admin'],
    summary: 'Changes name, role or active flag of an account, with a reason (audited). An admin cannot demote or deactivate their own account.',
    input: z
      .object({ id: z.string().uuid(), displayName: DisplayName.optional(), role: StaffRoleSchema.optional(), active: z.boolean().optional(), reason: Reason })
      .strict(),
    output: StaffAccount,
  }),
  'staff.resetPassword': mutation({
    roles: ['admin'],
    summary: 'Sets a temporary password, unlocks the account and ends its sessions, with a reason (audited).',
    input: z.object({ id: z.string().uuid(), newPassword: NewPassword, reason: Reason }).strict(),
    output: Ok,
  }),
};
