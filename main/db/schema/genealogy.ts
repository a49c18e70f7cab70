import { bigint, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { members, periods, staff, textC } from './core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Genealogy corrections: every move of a member (with its whole downline) to another sponsor,
 * made by an admin in an open period. The audit log has the same facts; this table is what the
 * member's profile shows as its sponsor history.
 *
 * Member lookup lives in lookup.ts (member_search), with the IMMUTABLE functions nnp_unaccent()
 * and nnp_search_norm() of drizzle/0004_members_search.sql.
 */
export const genealogyMoves = pgTable('genealogy_moves', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  memberId: bigint('member_id', { mode: 'number' }).notNull().references(() => members.id),
  oldSponsorId: bigint('old_sponsor_id', { mode: 'number' }).references(() => members.id),
  newSponsorId: bigint('new_sponsor_id', { mode: 'number' }).notNull().references(() => members.id),
  /** The open period the move was made in. */
  periodId: integer('period_id').notNull().references(() => periods.id),
  /** The member itself plus its whole downline. */
  movedMembers: integer('moved_members').notNull(),
  oldPath: textC('old_path').notNull(),
  newPath: textC('new_path').notNull(),
  reason: text('reason').notNull(),
  staffId: uuid('staff_id').references(() => staff.id),
  at: ts('at').notNull().defaultNow(),
}, (t) => [
  index('genealogy_moves_member_idx').on(t.memberId, t.at.desc()),
  index('genealogy_moves_period_idx').on(t.periodId),
]);
