import { bigint, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { members, periods, staff, textC } from './core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The member's place in the genealogy (path enumeration): one narrow row per member, written
 * with the member (seed, enrolment) and rewritten for a whole subtree by a move.
 * - path: ancestor ids from the root down to this member, each followed by '/': "1/5/42/".
 *   COLLATE "C" (byte order), so that "the whole downline of X" is one range of the path index:
 *   path >= X.path and path < X.path with its last '/' turned into '0'.
 * - depth: 0 for the root.
 * It lives beside `members` rather than in it: a move updates every row of the subtree, and an
 * update of a path is never HOT (the path is indexed); in members each moved row was a wide row
 * re-inserted into all four of its indexes (primary key, code, path, sponsor), here it is a narrow
 * row and two indexes (drizzle/0029_member_paths.sql; docs/performance.md).
 */
export const memberPaths = pgTable(
  'member_paths',
  {
    memberId: bigint('member_id', { mode: 'number' })
      .primaryKey()
      .references(() => members.id, { onDelete: 'cascade' }),
    path: textC('path').notNull(),
    depth: integer('depth').notNull(),
  },
  (t) => [index('member_paths_path_idx').on(t.path)],
);

/**
 * Genealogy corrections: every move of a member (with its whole downline) to another sponsor,
 * made by an admin in an open period. The audit log has the same facts; this table is what the
 * member's profile shows as its sponsor history.
 *
 * Member lookup lives in lookup.ts (member_search), with the IMMUTABLE functions nnp_unaccent()
 * and nnp_search_norm() of drizzle/0004_members_search.sql.
 */
export const genealogyMoves = pgTable(
  'genealogy_moves',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' })
      .notNull()
      .references(() => members.id),
    oldSponsorId: bigint('old_sponsor_id', { mode: 'number' }).references(() => members.id),
    newSponsorId: bigint('new_sponsor_id', { mode: 'number' })
      .notNull()
      .references(() => members.id),
    /** The open period the move was made in. */
    periodId: integer('period_id')
      .notNull()
      .references(() => periods.id),
    /** The member itself plus its whole downline. */
    movedMembers: integer('moved_members').notNull(),
    oldPath: textC('old_path').notNull(),
    newPath: textC('new_path').notNull(),
    reason: text('reason').notNull(),
    staffId: uuid('staff_id').references(() => staff.id),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('genealogy_moves_member_idx').on(t.memberId, t.at.desc()), index('genealogy_moves_period_idx').on(t.periodId)],
);
