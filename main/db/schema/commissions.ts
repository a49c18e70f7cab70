import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  char,
  check,
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
import { periods, staff } from './core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const money = (name: string) => numeric(name, { precision: 18, scale: 2 });

export const commissionType = pgEnum('commission_type', ['directo', 'rapido', 'uninivel', 'alcance', 'matching', 'automovil']);
/** `line`: a commission earned; `clawback`: the reversal (negative amount) of a line of a closed period. */
export const commissionKind = pgEnum('commission_kind', ['line', 'clawback']);
export const commissionStatus = pgEnum('commission_status', ['posted', 'voided']);
export const commissionSourceKind = pgEnum('commission_source_kind', ['order', 'member']);

/**
 * Every money line of the compensation plan (main/services/commissions, docs/engine.md).
 * Natural key (period, type, kind, beneficiary, source, level): a re-run of the close or a replayed
 * payment confirmation never writes a line twice (inserts are ON CONFLICT DO NOTHING; the unique
 * indexes also carry `phase`, the partition key: the close skips the (type, order, level) of every
 * instant line already written, so no key is in both phases).
 * `ledger_key` is the idempotency key of the ledger transaction that paid the line (unique in
 * ledger_transactions): instant lines have one transaction per order, the close one per
 * (period, currency, block of beneficiary ids) with aggregated entries.
 * No foreign keys on purpose (like member_volumes): the close writes millions of rows at once;
 * members, orders and periods are never deleted.
 */
export const commissionLines = pgTable(
  'commission_lines',
  {
    /** From the sequence commission_lines_id_seq (shared by every partition). */
    id: bigint('id', { mode: 'number' })
      .notNull()
      .default(sql`nextval('commission_lines_id_seq')`),
    periodId: integer('period_id').notNull(),
    type: commissionType('type').notNull(),
    kind: commissionKind('kind').notNull().default('line'),
    status: commissionStatus('status').notNull().default('posted'),
    beneficiaryId: bigint('beneficiary_id', { mode: 'number' }).notNull(),
    sourceKind: commissionSourceKind('source_kind').notNull(),
    /** Order id (directo, rapido, uninivel) or member id (alcance, matching, automovil). */
    sourceId: bigint('source_id', { mode: 'number' }).notNull(),
    level: smallint('level').notNull(),
    /** What the rate applies to, in base_currency (VN, kit PV as MXN, matched Uninivel, a fixed amount). */
    base: money('base').notNull(),
    baseCurrency: char('base_currency', { length: 3 }).notNull(),
    /** Plan rate (null for fixed amounts). */
    rate: numeric('rate', { precision: 12, scale: 6 }),
    /** Rounded half-up to 2 decimals in the beneficiary's currency; negative for a clawback. */
    amount: money('amount').notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    /** MXN per unit of base_currency and of currency used. */
    fxFrom: numeric('fx_from', { precision: 18, scale: 6 }).notNull(),
    fxTo: numeric('fx_to', { precision: 18, scale: 6 }).notNull(),
    ledgerKey: text('ledger_key'),
    /** Clawbacks: the line they reverse. */
    reversesLineId: bigint('reverses_line_id', { mode: 'number' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    voidedAt: ts('voided_at'),
    /**
     * 0: written during the month (instant lines, clawbacks); 1: written by the period's close. The
     * table is partitioned by (period_id, phase) (migration 0030): the close loads its lines into a
     * new partition without indexes, builds them, and attaches it in its transaction.
     */
    phase: smallint('phase').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.periodId, t.phase] }),
    // Beneficiary first: it also serves a member's lines (no separate beneficiary index), and the
    // close writes its partition in this order so the index is built from presorted rows.
    uniqueIndex('commission_lines_natural_key').on(t.beneficiaryId, t.periodId, t.phase, t.type, t.kind, t.sourceId, t.level),
    index('commission_lines_source_idx')
      .on(t.sourceId)
      .where(sql`${t.sourceKind} = 'order'`),
    uniqueIndex('commission_lines_reverses_key')
      .on(t.reversesLineId, t.periodId, t.phase)
      .where(sql`${t.reversesLineId} is not null`),
    check('commission_lines_level', sql`${t.level} >= 1`),
    check('commission_lines_sign', sql`(${t.kind} = 'line' and ${t.amount} > 0) or (${t.kind} = 'clawback' and ${t.amount} < 0)`),
  ],
);

/** Per-member programme state carried from period to period (before the next close). */
export const memberPrograms = pgTable(
  'member_programs',
  {
    memberId: bigint('member_id', { mode: 'number' }).primaryKey(),
    carDownPaymentPaid: boolean('car_down_payment_paid').notNull().default(false),
    loyaltyPoints: integer('loyalty_points').notNull().default(0),
    travelPoints: numeric('travel_points', { precision: 12, scale: 2 }).notNull().default('0'),
    /** The last closed period that changed this row. */
    periodId: integer('period_id'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [check('member_programs_nonneg', sql`${t.loyaltyPoints} >= 0 and ${t.travelPoints} >= 0`)],
);

export const cashbackStatus = pgEnum('cashback_status', ['issued', 'used', 'expired']);

/**
 * Cashback: a 70 % discount on the next order in the same period, earned by PV ≥ the plan's
 * threshold. Issued by the close of the period where it was earned… and used in that period: the
 * close records it issued and, being the period's end, expired unless an order used it.
 */
export const cashbackEntitlements = pgTable(
  'cashback_entitlements',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    periodId: integer('period_id').notNull(),
    status: cashbackStatus('status').notNull().default('issued'),
    discountRate: numeric('discount_rate', { precision: 6, scale: 4 }).notNull(),
    issuedAt: ts('issued_at').notNull().defaultNow(),
    usedOrderId: bigint('used_order_id', { mode: 'number' }),
    usedAt: ts('used_at'),
    expiredAt: ts('expired_at'),
  },
  (t) => [uniqueIndex('cashback_member_period_key').on(t.memberId, t.periodId), index('cashback_period_idx').on(t.periodId, t.status)],
);

export const giftStatus = pgEnum('loyalty_gift_status', ['to_ship', 'shipped']);

/** Lealtad: a gift earned at 100 points, to ship. */
export const loyaltyGifts = pgTable(
  'loyalty_gifts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    periodId: integer('period_id').notNull(),
    status: giftStatus('status').notNull().default('to_ship'),
    /** The gift chosen ('supplements' | 'serums_creams'), null until chosen. */
    choice: text('choice'),
    createdAt: ts('created_at').notNull().defaultNow(),
    shippedAt: ts('shipped_at'),
  },
  (t) => [uniqueIndex('loyalty_gifts_member_period_key').on(t.memberId, t.periodId), index('loyalty_gifts_status_idx').on(t.status, t.periodId)],
);

/** NN Travels campaigns, managed by admins. */
export const travelCampaigns = pgTable(
  'travel_campaigns',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    fromPeriod: text('from_period').notNull(),
    toPeriod: text('to_period').notNull(),
    target: numeric('target', { precision: 12, scale: 2 }).notNull().default('200'),
    multiplier: numeric('multiplier', { precision: 8, scale: 4 }).notNull().default('1'),
    /**
     * Promotions: periods of the campaign whose points are multiplied, [{ fromPeriod, toPeriod, multiplier, label }]
     * (non-overlapping, inside the campaign). A period's points × `multiplier` × the promotion's multiplier.
     */
    promotions: jsonb('promotions')
      .notNull()
      .default(sql`'[]'::jsonb`),
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by').references(() => staff.id),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [check('travel_campaigns_range', sql`${t.fromPeriod} <= ${t.toPeriod} and ${t.multiplier} > 0 and ${t.target} > 0`)],
);

/** NN Travels points of a member after a closed period (cumulative, capped). */
export const travelPoints = pgTable(
  'travel_points',
  {
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => travelCampaigns.id),
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    periodId: integer('period_id').notNull(),
    points: numeric('points', { precision: 12, scale: 2 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.periodId, t.memberId] }), index('travel_points_member_idx').on(t.memberId)],
);

/** Each commission preview's totals, to show the difference from the previous one. */
export const commissionPreviews = pgTable(
  'commission_previews',
  {
    id: serial('id').primaryKey(),
    periodId: integer('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'cascade' }),
    at: ts('at').notNull().defaultNow(),
    staffId: uuid('staff_id').references(() => staff.id),
    totals: jsonb('totals').notNull(),
    ms: integer('ms').notNull().default(0),
    lines: integer('lines').notNull().default(0),
    beneficiaries: integer('beneficiaries').notNull().default(0),
  },
  (t) => [index('commission_previews_period_idx').on(t.periodId, t.at.desc())],
);
