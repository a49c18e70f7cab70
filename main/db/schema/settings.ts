import { sql } from 'drizzle-orm';
import { boolean, check, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { staff } from './core';

/**
 * Company settings an admin changes from the Settings screen (each change audited with before and
 * after). One row per key; the value is text read by the service that owns the key, which also
 * knows its default (main/services/withdrawals/settings.ts: the second-approval threshold).
 */
export const appSettings = pgTable('app_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedBy: uuid('updated_by').references(() => staff.id),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * The Stripe keys (issue 16 item 5), one row: each key in a column only the groups that use it may
 * read (drizzle/0072: the transfer key admin and finance, the restricted key every group); admins
 * write them; who and when are stamped by the database. main/services/system/stripe-keys.ts.
 */
export const stripeKeys = pgTable(
  'stripe_keys',
  {
    id: boolean('id').primaryKey().default(true),
    transferKey: text('transfer_key'),
    restrictedKey: text('restricted_key'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedBy: text('updated_by'),
  },
  (t) => [
    check('stripe_keys_one_row', sql`${t.id}`),
    check('stripe_keys_transfer_shape', sql`${t.transferKey} ~ '^(sk|rk)_(test|live)_[0-9A-Za-z_]{8,200}$'`),
    check('stripe_keys_restricted_shape', sql`${t.restrictedKey} ~ '^rk_(test|live)_[0-9A-Za-z_]{8,200}$'`),
  ],
);
