import { bigint, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { members, periods, staff, textC } from './core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Genealogy corrections: every move of a member (with its whole downline) to another sponsor,
 * made by an admin in an open period. The audit log has the same facts; this table is what the
 * member's profile shows as its sponsor history.
 *
 * Member lookup also relies on objects that are hand-written SQL (drizzle/0004_members_search.sql),
 * not declared here because they live on `members` (core.ts) and the app never writes them:
 * - `nnp_unaccent(text)` (an IMMUTABLE wrapper of unaccent) and `nnp_search_norm(text)`;
 * - `members.search_text`: a STORED generated column, ' code first last ' lower-cased, unaccented,
 *   every run of non-alphanumerics turned into one space, with a GIN trigram index;
 * - a GIN trigram index on `members.phone_digits` and a pattern index on `lower(members.email)`.
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
