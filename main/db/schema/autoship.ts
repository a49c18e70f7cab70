import { sql } from 'drizzle-orm';
import { bigint, char, check, index, integer, numeric, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { members, orders, products } from './core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A member's monthly autoship: our copy of a Stripe Subscription (Stripe is the source of truth;
 * this row follows it through the actions of this app and the customer.subscription.* / invoice.*
 * webhooks). status: active | paused (pause_collection set) | past_due (a charge failed, Stripe
 * retrying) | canceled.
 */
export const autoshipSubscriptions = pgTable(
  'autoship_subscriptions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' })
      .notNull()
      .references(() => members.id),
    stripeSubscriptionId: text('stripe_subscription_id').notNull(),
    stripeCustomerId: text('stripe_customer_id').notNull(),
    status: text('status').notNull(),
    /** Day of the month (Mexico City) the charge happens: 1–28, so every month has it. */
    chargeDay: smallint('charge_day').notNull(),
    /** The next charge instant (UTC); null when paused or canceled. */
    nextChargeAt: ts('next_charge_at'),
    currency: char('currency', { length: 3 }).notNull(),
    /** What one monthly charge costs (the sum of the items at the catalogue's prices), exact decimal. */
    amount: numeric('amount', { precision: 18, scale: 2 }).notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lastFailureReason: text('last_failure_reason'),
    lastFailureAt: ts('last_failure_at'),
    pausedAt: ts('paused_at'),
    canceledAt: ts('canceled_at'),
    /** Stripe time of the newest event or API answer applied: an older customer.subscription.* event never overwrites a newer state. */
    stripeUpdatedAt: ts('stripe_updated_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('autoship_subscriptions_stripe_key').on(t.stripeSubscriptionId),
    index('autoship_subscriptions_member_idx').on(t.memberId),
    index('autoship_subscriptions_status_idx').on(t.status, t.nextChargeAt),
    index('autoship_subscriptions_day_idx').on(t.chargeDay),
    check('autoship_subscriptions_status', sql`${t.status} in ('active','paused','past_due','canceled')`),
    check('autoship_subscriptions_charge_day', sql`${t.chargeDay} between 1 and 28`),
    check('autoship_subscriptions_amount', sql`${t.amount} >= 0`),
    check('autoship_subscriptions_failed', sql`${t.failedAttempts} >= 0`),
  ],
);

/** What each monthly order contains: catalogue products and quantities. */
export const autoshipItems = pgTable(
  'autoship_items',
  {
    subscriptionId: bigint('subscription_id', { mode: 'number' })
      .notNull()
      .references(() => autoshipSubscriptions.id, { onDelete: 'cascade' }),
    productId: integer('product_id')
      .notNull()
      .references(() => products.id),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.productId] }), check('autoship_items_quantity', sql`${t.quantity} between 1 and 1000`)],
);

/**
 * Every charge attempt Stripe reported (invoice.paid / invoice.payment_failed), one row per event.
 * A paid invoice has at most one row (the order it created): an invoice is turned into an order once.
 */
export const autoshipCharges = pgTable(
  'autoship_charges',
  {
    eventId: text('event_id').primaryKey(),
    subscriptionId: bigint('subscription_id', { mode: 'number' })
      .notNull()
      .references(() => autoshipSubscriptions.id, { onDelete: 'cascade' }),
    invoiceId: text('invoice_id').notNull(),
    /** paid | failed | review (paid at Stripe but not confirmed here: amount/currency differ, or no order could be made) */
    outcome: text('outcome').notNull(),
    attempt: integer('attempt'),
    amountMinor: bigint('amount_minor', { mode: 'bigint' }),
    currency: char('currency', { length: 3 }),
    reason: text('reason'),
    orderId: bigint('order_id', { mode: 'number' }).references(() => orders.id),
    periodStart: ts('period_start'),
    periodEnd: ts('period_end'),
    at: ts('at').notNull(),
  },
  (t) => [
    uniqueIndex('autoship_charges_paid_invoice_key')
      .on(t.invoiceId)
      .where(sql`outcome in ('paid','review')`),
    index('autoship_charges_subscription_idx').on(t.subscriptionId, t.at.desc()),
    check('autoship_charges_outcome', sql`${t.outcome} in ('paid','failed','review')`),
  ],
);

/**
 * Actions staff asked for (pause, resume, cancel, change_day), by the request id the screen sends:
 * a retry of the same request answers what the first one did and never acts twice.
 */
export const autoshipRequests = pgTable(
  'autoship_requests',
  {
    requestId: text('request_id').primaryKey(),
    subscriptionId: bigint('subscription_id', { mode: 'number' })
      .notNull()
      .references(() => autoshipSubscriptions.id, { onDelete: 'cascade' }),
    action: text('action').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    status: text('status').notNull(),
    chargeDay: smallint('charge_day'),
    nextChargeAt: ts('next_charge_at'),
    staffId: text('staff_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [check('autoship_requests_action', sql`${t.action} in ('pause','resume','cancel','change_day')`)],
);
