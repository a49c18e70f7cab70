import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { periods, staff } from './core';

// The rows below hang off their period (cascade): periods are never deleted in use, but a demo
// database reset that removes periods must not leave their cached figures behind.

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const periodRunStatus = pgEnum('period_run_status', ['running', 'succeeded', 'failed']);

/**
 * A background job over a whole period (the close, a full recomputation): the progress record the
 * screens poll. At most one run per period is `running` at a time (the partial unique index), so two
 * admins closing at once cannot both start.
 */
export const periodRuns = pgTable(
  'period_runs',
  {
    id: serial('id').primaryKey(),
    periodId: integer('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'cascade' }),
    /** 'close' or 'recompute'. */
    kind: text('kind').notNull(),
    status: periodRunStatus('status').notNull().default('running'),
    /** Names of the ordered steps of the run, and how many are done. */
    steps: jsonb('steps').$type<string[]>().notNull(),
    stepsDone: integer('steps_done').notNull().default(0),
    currentStep: text('current_step'),
    /** Progress of the whole run in thousandths (0..1000). */
    progress: integer('progress').notNull().default(0),
    startedBy: uuid('started_by').references(() => staff.id),
    startedAt: ts('started_at').notNull().defaultNow(),
    heartbeatAt: ts('heartbeat_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
    error: text('error'),
    /** What the run did (counts by step), shown once it ends. */
    result: jsonb('result'),
  },
  (t) => [
    uniqueIndex('period_runs_one_running')
      .on(t.periodId)
      .where(sql`${t.status} = 'running'`),
    index('period_runs_period_idx').on(t.periodId, t.startedAt.desc()),
    check('period_runs_progress', sql`${t.progress} between 0 and 1000`),
  ],
);

/**
 * Cached aggregates of a period for the dashboard and the period screens: written by the full
 * recomputation and the close, kept current by every confirmed or refunded order. Reading them never
 * scans members, orders or member_volumes.
 */
export const periodStats = pgTable(
  'period_stats',
  {
    periodId: integer('period_id')
      .primaryKey()
      .references(() => periods.id, { onDelete: 'cascade' }),
    /** Members enrolled before the period's end, counted when the stats were last rebuilt. */
    membersTotal: integer('members_total').notNull().default(0),
    /** Members enrolled inside the period, counted when the stats were last rebuilt. */
    membersNew: integer('members_new').notNull().default(0),
    /** Highest member id when the stats were last rebuilt: later members are counted by a primary-key range. */
    maxMemberId: bigint('max_member_id', { mode: 'number' }).notNull().default(0),
    /** Members with PV > 0 in the period. */
    membersActive: integer('members_active').notNull().default(0),
    /** Members whose paid-as rank in the period is above their career rank before it (they advance at the close). */
    membersAdvancing: integer('members_advancing').notNull().default(0),
    ordersPaid: integer('orders_paid').notNull().default(0),
    pv: numeric('pv', { precision: 18, scale: 2 }).notNull().default('0'),
    /** VN of the period in MXN: each order's VN converted at the rate in force at the period's start, rounded per order. */
    vnMxn: numeric('vn_mxn', { precision: 20, scale: 2 }).notNull().default('0'),
    rebuiltAt: ts('rebuilt_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [check('period_stats_nonneg', sql`${t.pv} >= 0 and ${t.vnMxn} >= 0 and ${t.membersActive} >= 0 and ${t.ordersPaid} >= 0`)],
);

/** Members by paid-as rank in a period (ranks 1..8; Sin rango is everyone else). */
export const periodRankCounts = pgTable(
  'period_rank_counts',
  {
    periodId: integer('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'cascade' }),
    rank: smallint('rank').notNull(),
    members: integer('members').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.periodId, t.rank] }), check('period_rank_counts_nonneg', sql`${t.members} >= 0 and ${t.rank} between 1 and 8`)],
);
