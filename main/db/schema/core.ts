import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  char,
  check,
  customType,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Text compared byte-wise, so that a path prefix is one btree range whatever the server's locale. */
export const textC = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** Money and volumes: exact decimals, read as strings, never JS numbers. */
const money = (name: string) => numeric(name, { precision: 18, scale: 2 });

export const staffRole = pgEnum('staff_role', ['admin', 'finance', 'support']);

export const staff = pgTable(
  'staff',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    role: staffRole('role').notNull(),
    passwordHash: text('password_hash').notNull(),
    active: boolean('active').notNull().default(true),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: ts('locked_until'),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('staff_username_key').on(sql`lower(${t.username})`)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** sha-256 of the bearer token: a leaked table does not leak live tokens. */
    tokenHash: text('token_hash').notNull().unique(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id),
    transport: text('transport').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('sessions_staff_idx').on(t.staffId)],
);

/**
 * Failed logins per account AND source (the desktop or bridge they came from): five wrong
 * passwords lock that account from that source only, so someone guessing elsewhere cannot lock
 * the last active admin out of their own desktop. staff.failed_attempts / locked_until keep the
 * latest figures for the staff screen.
 */
export const loginFailures = pgTable(
  'login_failures',
  {
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: ts('locked_until'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.staffId, t.source] })],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    staffId: uuid('staff_id').references(() => staff.id),
    staffUsername: text('staff_username'),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    reason: text('reason'),
    /** The PostgreSQL login that wrote the row (session_user, set by the database, not by the app). */
    dbLogin: text('db_login')
      .notNull()
      .default(sql`session_user`),
  },
  (t) => [
    index('audit_at_idx').on(t.at.desc(), t.id.desc()),
    index('audit_action_idx').on(t.action, t.at.desc()),
    index('audit_staff_idx').on(t.staffId, t.at.desc()),
    index('audit_entity_idx').on(t.entity, t.entityId),
  ],
);

/**
 * Every change of a business row, written by the database itself (row triggers, drizzle/0042), in
 * the same transaction as the change: the login that made it (session_user), the app's staff
 * member and procedure when the app made it (transaction settings nnp.staff / nnp.procedure), and
 * only the fields that changed. A change made outside the app (a SQL client with a login) lands
 * here too; insert-only for everyone, the owner included. Secrets are never copied (password
 * hashes) and payout account numbers only masked.
 */
export const dataChanges = pgTable(
  'data_changes',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    dbLogin: text('db_login')
      .notNull()
      .default(sql`session_user`),
    appStaff: text('app_staff'),
    procedure: text('procedure'),
    tableName: text('table_name').notNull(),
    op: text('op').notNull(),
    rowKey: text('row_key'),
    before: jsonb('before'),
    after: jsonb('after'),
    txid: bigint('txid', { mode: 'number' })
      .notNull()
      .default(sql`txid_current()`),
  },
  (t) => [index('data_changes_at_idx').on(t.at.desc(), t.id.desc()), index('data_changes_row_idx').on(t.tableName, t.rowKey, t.at.desc())],
);

/**
 * One row per database: the tag its staff logins carry (nnp_<tag><username>). Empty for a company's
 * own database; a server that holds several of the app's databases (staging beside production, the
 * test suite's copies) gives each its own tag so their logins never collide — roles are server-wide.
 * Written only by the owner.
 */
export const dbInstance = pgTable(
  'db_instance',
  {
    one: boolean('one').primaryKey().default(true),
    loginTag: text('login_tag').notNull().default(''),
    /**
     * Whether the money steps of a staff login may carry the app's instant (drizzle/0068). False:
     * the database stamps its own time. True only where tests drive the clock (test/db.ts).
     */
    appClockTrusted: boolean('app_clock_trusted').notNull().default(false),
  },
  (t) => [check('db_instance_one', sql`${t.one}`), check('db_instance_login_tag', sql`${t.loginTag} ~ '^([a-z0-9]{1,12}_)?$'`)],
);

export const currencies = pgTable('currencies', {
  code: char('code', { length: 3 }).primaryKey(),
  name: text('name').notNull(),
  decimals: smallint('decimals').notNull().default(2),
});

export const countries = pgTable('countries', {
  code: char('code', { length: 2 }).primaryKey(),
  name: text('name').notNull(),
  currency: char('currency', { length: 3 })
    .notNull()
    .references(() => currencies.code),
});

/** Company-fixed rates: MXN per one unit of the currency, in force from an instant; never edited in place. */
export const exchangeRates = pgTable(
  'exchange_rates',
  {
    id: serial('id').primaryKey(),
    currency: char('currency', { length: 3 })
      .notNull()
      .references(() => currencies.code),
    rateToMxn: numeric('rate_to_mxn', { precision: 18, scale: 6 }).notNull(),
    effectiveFrom: ts('effective_from').notNull(),
    createdBy: uuid('created_by').references(() => staff.id),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('exchange_rates_currency_from_key').on(t.currency, t.effectiveFrom), check('exchange_rates_positive', sql`${t.rateToMxn} > 0`)],
);

export const memberStatus = pgEnum('member_status', ['active', 'inactive', 'suspended']);

export const members = pgTable(
  'members',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    code: text('code').notNull().unique(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text('email'),
    phone: text('phone'),
    /** Digits only, for lookups typed in any format. */
    phoneDigits: text('phone_digits'),
    /** Postal address as one text (street, number, colony, city, state, postal code): staff correct it. */
    address: text('address'),
    country: char('country', { length: 2 })
      .notNull()
      .references(() => countries.code),
    status: memberStatus('status').notNull().default('active'),
    sponsorId: bigint('sponsor_id', { mode: 'number' }).references((): AnyPgColumn => members.id),
    // The member's place in the tree (path, depth) is in member_paths (genealogy.ts): a move rewrites
    // it for a whole subtree, and there it rewrites narrow rows with one index, not these.
    enrolledAt: ts('enrolled_at').notNull(),
    careerRank: smallint('career_rank').notNull().default(0),
    /** Members below this one, every level; kept in step with enrolments and moves. */
    downlineSize: integer('downline_size').notNull().default(0),
    stripeAccountId: text('stripe_account_id'),
    payoutDestinationChangedAt: ts('payout_destination_changed_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('members_sponsor_idx').on(t.sponsorId, t.id), check('members_not_own_sponsor', sql`${t.sponsorId} is distinct from ${t.id}`)],
);

/**
 * Notes support leaves on a member ("llamó el 3/12, se le explicó el Bono Rápido"): shown on the
 * member's timeline; written only through members.addNote (audited), never edited.
 */
export const memberNotes = pgTable(
  'member_notes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' })
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    at: ts('at').notNull().defaultNow(),
    staffId: uuid('staff_id').references(() => staff.id),
    staffUsername: text('staff_username'),
    text: text('text').notNull(),
  },
  (t) => [index('member_notes_member_idx').on(t.memberId, t.at.desc()), check('member_notes_text', sql`length(btrim(${t.text})) between 1 and 2000`)],
);

export const productKind = pgEnum('product_kind', ['kit', 'product']);

export const products = pgTable(
  'products',
  {
    id: serial('id').primaryKey(),
    sku: text('sku').notNull().unique(),
    name: text('name').notNull(),
    kind: productKind('kind').notNull(),
    /** Points are the same in every country. */
    pv: numeric('pv', { precision: 12, scale: 2 }).notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [check('products_pv_nonneg', sql`${t.pv} >= 0`)],
);

/** Price and VN are set per country, in that country's currency. */
export const productPrices = pgTable(
  'product_prices',
  {
    productId: integer('product_id')
      .notNull()
      .references(() => products.id),
    country: char('country', { length: 2 })
      .notNull()
      .references(() => countries.code),
    price: money('price').notNull(),
    vn: money('vn').notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.country] }), check('product_prices_nonneg', sql`${t.price} >= 0 and ${t.vn} >= 0`)],
);

export const periodStatus = pgEnum('period_status', ['open', 'closing', 'closed']);

/** A Mexico-Central calendar month, stored as the UTC instants [starts_at, ends_at). */
export const periods = pgTable(
  'periods',
  {
    id: serial('id').primaryKey(),
    key: text('key').notNull().unique(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    status: periodStatus('status').notNull(),
    openedAt: ts('opened_at').notNull().defaultNow(),
    closedAt: ts('closed_at'),
    closedBy: uuid('closed_by').references(() => staff.id),
  },
  (t) => [
    uniqueIndex('periods_one_open')
      .on(t.status)
      .where(sql`${t.status} = 'open'`),
    index('periods_range_idx').on(t.startsAt, t.endsAt),
    check('periods_range', sql`${t.startsAt} < ${t.endsAt}`),
  ],
);

export const orderStatus = pgEnum('order_status', ['pending', 'paid', 'failed', 'refunded', 'cancelled']);
export const paymentMethod = pgEnum('payment_method', ['stripe', 'wallet', 'manual']);

export const orders = pgTable(
  'orders',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' })
      .notNull()
      .references(() => members.id),
    country: char('country', { length: 2 })
      .notNull()
      .references(() => countries.code),
    currency: char('currency', { length: 3 })
      .notNull()
      .references(() => currencies.code),
    status: orderStatus('status').notNull().default('pending'),
    total: money('total').notNull(),
    pv: numeric('pv', { precision: 14, scale: 2 }).notNull().default('0'),
    vn: money('vn').notNull().default('0'),
    /** Kit PV inside the order: pays Bono Rápido, never VN-based bonuses. */
    kitPv: numeric('kit_pv', { precision: 14, scale: 2 }).notNull().default('0'),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Decides the period; created_at never does. */
    paymentConfirmedAt: ts('payment_confirmed_at'),
    periodId: integer('period_id').references(() => periods.id),
    paymentMethod: paymentMethod('payment_method'),
    stripePaymentIntentId: text('stripe_payment_intent_id').unique(),
    refundedAt: ts('refunded_at'),
  },
  (t) => [
    index('orders_member_idx').on(t.memberId, t.createdAt.desc()),
    index('orders_period_idx').on(t.periodId, t.memberId),
    // orders_paid_period_idx — a period's paid orders in id order, as the engine loads them (close,
    // preview, simulation) and the volumes recompute reads them — is created in
    // drizzle/0075_orders_paid_period_covering.sql: it INCLUDEs the columns those loads read (an
    // index-only scan), and drizzle's index builder has no INCLUDE.
    check('orders_amounts_nonneg', sql`${t.total} >= 0 and ${t.pv} >= 0 and ${t.vn} >= 0 and ${t.kitPv} >= 0`),
    check('orders_paid_has_instant', sql`${t.status} not in ('paid','refunded') or ${t.paymentConfirmedAt} is not null`),
  ],
);

export const orderLines = pgTable(
  'order_lines',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => orders.id),
    productId: integer('product_id')
      .notNull()
      .references(() => products.id),
    quantity: integer('quantity').notNull(),
    unitPrice: money('unit_price').notNull(),
    pv: numeric('pv', { precision: 14, scale: 2 }).notNull(),
    vn: money('vn').notNull(),
  },
  (t) => [index('order_lines_order_idx').on(t.orderId), check('order_lines_qty', sql`${t.quantity} > 0`)],
);
