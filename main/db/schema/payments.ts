import { sql } from 'drizzle-orm';
import { bigint, char, check, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { orders } from './core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Every Stripe event seen (webhook or reconciliation), by Stripe's id: stored once, applied once.
 * processed_at null = stored but not applied yet (an application error: the next delivery or sync retries it).
 */
export const stripeEvents = pgTable(
  'stripe_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    /** Stripe's event time (the success / failure / refund instant). */
    created: ts('created').notNull(),
    payload: jsonb('payload').notNull(),
    /** 'webhook' or 'sync': how it first arrived. */
    source: text('source').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
    processedAt: ts('processed_at'),
    /** What applying it did: confirmed, already_confirmed, failed_recorded, mismatch, refunded, refund_deferred, ignored, unmatched, … */
    outcome: text('outcome'),
    orderId: bigint('order_id', { mode: 'number' }).references(() => orders.id),
    paymentIntentId: text('payment_intent_id'),
    error: text('error'),
  },
  (t) => [
    index('stripe_events_created_idx').on(t.created.desc(), t.id),
    index('stripe_events_unprocessed_idx')
      .on(t.created)
      .where(sql`processed_at is null`),
    index('stripe_events_pi_idx').on(t.paymentIntentId),
  ],
);

/**
 * The payment state of each PaymentIntent that names one of our orders: what the payments screen
 * lists (failed, mismatched for review, refunds waiting for their success, refunded).
 */
export const stripePayments = pgTable(
  'stripe_payments',
  {
    paymentIntentId: text('payment_intent_id').primaryKey(),
    orderId: bigint('order_id', { mode: 'number' }).references(() => orders.id),
    /** succeeded | failed | mismatch | refunded | refund_waiting | partial_refund | unmatched */
    state: text('state').notNull(),
    /** Stripe's amount in minor units, as text digits (no JS number round trip). */
    amountMinor: bigint('amount_minor', { mode: 'bigint' }),
    currency: char('currency', { length: 3 }),
    chargeId: text('charge_id'),
    failureCode: text('failure_code'),
    failureMessage: text('failure_message'),
    /** A mismatch: what differed (amount/currency/intent), for the reviewer. */
    reviewReason: text('review_reason'),
    succeededAt: ts('succeeded_at'),
    failedAt: ts('failed_at'),
    /** The charge.refunded event waiting for its success (out-of-order delivery), then applied. */
    refundEventId: text('refund_event_id'),
    refundedAt: ts('refunded_at'),
    lastEventId: text('last_event_id').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('stripe_payments_state_idx').on(t.state, t.updatedAt.desc()),
    index('stripe_payments_order_idx').on(t.orderId),
    check('stripe_payments_state', sql`${t.state} in ('succeeded','failed','mismatch','refunded','refund_waiting','partial_refund','unmatched')`),
  ],
);

/** Reconciliation cursor: the newest Stripe event the "sync payments" walk has reached. */
export const stripeSyncState = pgTable('stripe_sync_state', {
  id: text('id').primaryKey(),
  lastEventId: text('last_event_id'),
  lastEventCreated: ts('last_event_created'),
  lastSyncAt: ts('last_sync_at'),
});
