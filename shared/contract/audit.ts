import { z } from 'zod';
import { PageInput, pageOf, query } from './define';
import { Instant } from '../money';

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
