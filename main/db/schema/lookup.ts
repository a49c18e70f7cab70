import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';
import { members, textC } from './core';

/**
 * Member lookup index: one row per member, kept by triggers on `members` (hand-written SQL in
 * drizzle/0009_member_search_sync.sql), never written by the app. It lives beside `members` rather
 * than in it so that a genealogy move, which rewrites the path of a whole subtree, does not have to
 * re-insert every moved member into three lookup indexes (a non-HOT update touches every index).
 * - search_text: ' first last ' (drizzle/0016; codes are looked up on members.code), lower-cased, unaccented (nnp_search_norm), every run of other
 *   characters one space; "a word starting with jos" is the trigram-indexed LIKE '% jos%'.
 * - phone_digits: digits only, any substring found through the trigram index.
 * - email_lower: exact and prefix matches through a text_pattern_ops btree; any part of it (a domain
 *   "gmail", "@gmail.com", a piece of the local part) through the trigram index.
 */
export const memberSearch = pgTable(
  'member_search',
  {
    memberId: bigint('member_id', { mode: 'number' })
      .primaryKey()
      .references(() => members.id, { onDelete: 'cascade' }),
    searchText: textC('search_text').notNull(),
    phoneDigits: text('phone_digits'),
    emailLower: text('email_lower'),
  },
  (t) => [
    index('member_search_text_trgm_idx').using('gin', t.searchText.op('gin_trgm_ops')),
    index('member_search_phone_trgm_idx').using('gin', t.phoneDigits.op('gin_trgm_ops')),
    index('member_search_email_idx').on(t.emailLower.op('text_pattern_ops')),
    index('member_search_email_trgm_idx').using('gin', t.emailLower.op('gin_trgm_ops')),
  ],
);
