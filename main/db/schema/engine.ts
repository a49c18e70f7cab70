import { sql } from 'drizzle-orm';
import { bigserial, check, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { staff } from './core';

/**
 * Work a staff desktop asks of the engine service (issue 16): the procedures that run the
 * commission engine over many tables (a close, a recompute, a genealogy move, an order's payment or
 * refund, a Stripe sync) are not run on the desktop's login. The desktop inserts a request through
 * nnp_engine_request (drizzle/0070), which stamps who asked from the login PostgreSQL saw
 * (`db_login`, `staff_id`) and checks that person's group may ask for that procedure; the engine
 * service — the one process holding the owner's credentials — takes it, runs the procedure as that
 * person and writes the answer here. Staff logins neither read nor write this table directly.
 */
export const engineRequests = pgTable(
  'engine_requests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    procedure: text('procedure').notNull(),
    input: jsonb('input').notNull(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id),
    dbLogin: text('db_login').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    status: text('status').notNull().default('waiting'),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    output: jsonb('output'),
    error: jsonb('error'),
  },
  (t) => [
    check('engine_requests_status', sql`${t.status} in ('waiting', 'running', 'done', 'failed', 'cancelled')`),
    index('engine_requests_waiting_idx')
      .on(t.id)
      .where(sql`${t.status} = 'waiting'`),
    index('engine_requests_staff_idx').on(t.staffId, t.requestedAt),
  ],
);
