import { sql } from 'drizzle-orm';
import { bigint, check, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, serial, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { staff } from './core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Per-member, per-period volumes and paid-as rank: the cache the genealogy screens, the dashboard
 * and the engine read. A member without a row in a period has PV = PVG = VN = 0 and Sin rango.
 * Written only by the volumes service (main/services/volumes), derived from members and orders.
 * No foreign keys on purpose: a derived cache, rebuilt set-based for a whole period (up to a
 * million rows at once), where a per-row key check (and FOR KEY SHARE lock on every member row)
 * multiplied the rebuild's time by six; members and periods are never deleted.
 */
export const memberVolumes = pgTable(
  'member_volumes',
  {
    periodId: integer('period_id').notNull(),
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    pv: numeric('pv', { precision: 16, scale: 2 }).notNull().default('0'),
    /** In the member's own currency. */
    vn: numeric('vn', { precision: 18, scale: 2 }).notNull().default('0'),
    pvg: numeric('pvg', { precision: 18, scale: 2 }).notNull().default('0'),
    paidAsRank: smallint('paid_as_rank').notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // The primary key is the only index: a member's own history is read period by period through
    // it (main/services/members/app.ts). A second index (member, period) cost the cold recompute's
    // COPY of 800,000 rows ~2 s of its ~4 s write at 1,000,000 members, and every incremental update.
    primaryKey({ columns: [t.periodId, t.memberId] }),
    check('member_volumes_nonneg', sql`${t.pv} >= 0 and ${t.vn} >= 0 and ${t.pvg} >= 0`),
  ],
);

export const rankKind = pgEnum('rank_kind', ['paid_as', 'career']);

/**
 * Every rank change (member, period, old → new), for the history screens. No foreign keys, like
 * member_volumes: a close writes hundreds of thousands of rows at once (two key checks per row cost
 * seconds); members and periods are never deleted.
 * The key is (period, kind, member), the only index: a close's rows, written in member order, are
 * appended at its right edge, and the screens read a period's changes by its prefix. (An id key and
 * an index led by the member put each of the close's 400,000 rows in three indexes, one of them at
 * random places: 3.5 s against 1.7 s at 1,000,000 members; drizzle/0082_rank_history_period_key.sql.)
 */
export const rankHistory = pgTable(
  'rank_history',
  {
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    periodId: integer('period_id').notNull(),
    kind: rankKind('kind').notNull(),
    oldRank: smallint('old_rank').notNull(),
    newRank: smallint('new_rank').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'rank_history_pkey', columns: [t.periodId, t.kind, t.memberId] })],
);

export const planStatus = pgEnum('plan_status', ['draft', 'published']);

/**
 * The compensation plan's figures as versioned data (PlanFiguresSchema in main/domain/plan.ts),
 * effective from a period. Published versions are read-only; the engine reads the version in force.
 */
export const planVersions = pgTable(
  'plan_versions',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    effectiveFromPeriod: text('effective_from_period').notNull(),
    status: planStatus('status').notNull().default('draft'),
    figures: jsonb('figures').notNull(),
    createdBy: uuid('created_by').references(() => staff.id),
    createdAt: ts('created_at').notNull().defaultNow(),
    publishedBy: uuid('published_by').references(() => staff.id),
    publishedAt: ts('published_at'),
  },
  (t) => [
    uniqueIndex('plan_versions_published_from')
      .on(t.effectiveFromPeriod)
      .where(sql`${t.status} = 'published'`),
  ],
);
