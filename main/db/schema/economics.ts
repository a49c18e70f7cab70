/**
 * Plan economics (main/services/economics, docs/notes/issue-18.md): what a closed period paid and
 * sold, kept once per closed period (its lines never change after the close), each member's
 * earnings per closed period for the income disclosure report, and the background runs of a draft
 * plan over a real period.
 */
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, numeric, pgTable, primaryKey, serial, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { staff } from './core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A closed period's commissions (per bonus and currency, with their MXN at each line's stored rate)
 * and the VN of its paid orders (per buyer country), summed once from the lines and orders
 * (main/services/economics/payout.ts). A derived cache: no foreign keys, rebuilt if deleted.
 */
export const periodPayouts = pgTable('period_payouts', {
  periodId: integer('period_id').primaryKey(),
  figures: jsonb('figures').notNull(),
  computedAt: ts('computed_at').notNull().defaultNow(),
});

/**
 * What each member earned in a closed period (its lines, clawbacks netted, in MXN at each line's
 * stored rate, rounded half-up to the cent) and its paid-as rank: the income disclosure report's
 * rows. Only members with a paid-as rank or a non-zero amount have a row; everyone else earned
 * nothing without a rank. Written once per closed period (economics/disclosure.ts).
 */
export const memberPeriodEarnings = pgTable(
  'member_period_earnings',
  {
    periodId: integer('period_id').notNull(),
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    paidAsRank: smallint('paid_as_rank').notNull(),
    earnedMxn: numeric('earned_mxn', { precision: 18, scale: 2 }).notNull(),
    // The same amount in integer cents, kept by the database: the disclosure report sums millions of
    // these, and a bigint sum is a third cheaper than casting each numeric (drizzle/0056).
    earnedCents: bigint('earned_cents', { mode: 'number' })
      .notNull()
      .generatedAlwaysAs(sql`(earned_mxn * 100)::bigint`),
  },
  (t) => [primaryKey({ columns: [t.periodId, t.memberId] })],
);

/** Which closed periods have their member_period_earnings rows (written in the same transaction). */
export const periodEarningsBuilt = pgTable('period_earnings_built', {
  periodId: integer('period_id').primaryKey(),
  rows: integer('rows').notNull(),
  ms: integer('ms').notNull(),
  builtAt: ts('built_at').notNull().defaultNow(),
});

/**
 * A draft plan run by the engine over a real period (main/services/economics/simulation.ts):
 * read-only, its result kept as figures here and nowhere else. One queued or running simulation
 * per staff member (the index); the process runs one engine at a time.
 */
export const planSimulations = pgTable(
  'plan_simulations',
  {
    id: serial('id').primaryKey(),
    planVersionId: integer('plan_version_id').notNull(),
    periodId: integer('period_id').notNull(),
    staffId: uuid('staff_id').references(() => staff.id),
    /** queued → running → done | failed | cancelled. */
    status: text('status').notNull().default('queued'),
    stage: text('stage'),
    /** Thousandths (0..1000). */
    progress: integer('progress').notNull().default(0),
    cancelRequested: integer('cancel_requested').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    startedAt: ts('started_at'),
    heartbeatAt: ts('heartbeat_at'),
    finishedAt: ts('finished_at'),
    error: text('error'),
    result: jsonb('result'),
  },
  (t) => [
    uniqueIndex('plan_simulations_one_per_staff')
      .on(t.staffId)
      .where(sql`${t.status} in ('queued', 'running')`),
    index('plan_simulations_version_idx').on(t.planVersionId, t.createdAt.desc()),
    check('plan_simulations_status', sql`${t.status} in ('queued', 'running', 'done', 'failed', 'cancelled')`),
    check('plan_simulations_progress', sql`${t.progress} between 0 and 1000`),
  ],
);
