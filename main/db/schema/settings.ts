import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
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
