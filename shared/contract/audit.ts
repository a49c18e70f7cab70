import { z } from 'zod';
import { PageInput, pageOf, query } from './define';
import { Instant } from '../money';

/** A value of a changed field, typed so the screen formats it; members and staff come with their names. */
export const AuditValue = z.object({
  type: z.enum(['text', 'plain', 'money', 'moneyMxn', 'datetime', 'count', 'bool', 'enum', 'member', 'staff', 'period', 'decimal', 'points', 'day']),
  value: z.string(),
  /** money: the amount's currency. */
  currency: z.string().nullable(),
  /** member: "Nombre Apellido"; staff: display name. */
  name: z.string().nullable(),
  /** member: the id the profile link opens (never shown). */
  memberId: z.string().nullable(),
});
export type AuditValue = z.infer<typeof AuditValue>;

/** One row of the before/after table: a field of shared/audit.ts (and for plan figures, which one). */
export const AuditChange = z.object({ field: z.string(), sub: z.string().nullable(), before: AuditValue.nullable(), after: AuditValue.nullable() });
export type AuditChange = z.infer<typeof AuditChange>;

/**
 * What the row is about, named as a person knows it: a member by code and name, a withdrawal by
 * folio (and its member), a period by key, staff by username, a plan version by number and name.
 */
export const AuditSubject = z.object({
  kind: z.string(),
  ref: z.string().nullable(),
  name: z.string().nullable(),
  memberId: z.string().nullable(),
  memberCode: z.string().nullable(),
});
export type AuditSubject = z.infer<typeof AuditSubject>;

export const AuditRow = z.object({
  id: z.string(),
  at: Instant,
  staffId: z.string().nullable(),
  staffUsername: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  reason: z.string().nullable(),
  subject: AuditSubject,
  changes: z.array(AuditChange),
});
export type AuditRow = z.infer<typeof AuditRow>;

export const auditContract = {
  'audit.list': query({
    roles: ['admin'],
    summary: 'The audit log, newest first, filtered and paged.',
    input: PageInput.extend({
      action: z.string().max(100).optional(),
      staffUsername: z.string().max(100).optional(),
      entity: z.string().max(100).optional(),
      entityId: z.string().max(100).optional(),
      from: Instant.optional(),
      to: Instant.optional(),
    }).strict(),
    output: pageOf(AuditRow).extend({ actions: z.array(z.string()) }),
  }),
};
