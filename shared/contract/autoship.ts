import { z } from 'zod';
import { ALL_STAFF, mutation, query, PageInput, pageOf } from './define';
import { Instant, MoneyString } from '../money';
import { MemberId } from './members';
import { rule } from '../error-messages';

/**
 * Autoship (members' monthly orders as Stripe Subscriptions). Everyone on staff reads; support and
 * admin act (pause, resume, cancel, change the charge day) with a reason; finance only reads —
 * an autoship is a customer-service matter and its money moves only through Stripe's invoices.
 */
export const AutoshipStatus = z.enum(['active', 'paused', 'past_due', 'canceled']);
export type AutoshipStatus = z.infer<typeof AutoshipStatus>;
export const AutoshipFilter = z.enum(['all', 'active', 'paused', 'past_due', 'canceled']);

/** Day of the month (Mexico City) of the charge: 1–28, so every month has it. */
export const ChargeDay = z
  .number({ error: 'El día de cobro debe ser un número entero entre 1 y 28' })
  .int('El día de cobro debe ser un entero')
  .min(1, 'El día de cobro va de 1 a 28')
  .max(28, 'El día de cobro va de 1 a 28');
const Reason = z.string().trim().min(3, 'Escriba el motivo (al menos 3 caracteres)').max(500);
/** The screen's id of one request: a retry sends the same id and never acts twice. */
const RequestId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, rule('requestId'));
const SubscriptionId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const AutoshipRow = z.object({
  id: z.number().int(),
  memberId: z.number().int(),
  memberCode: z.string(),
  memberName: z.string(),
  stripeSubscriptionId: z.string(),
  stripeCustomerId: z.string(),
  status: AutoshipStatus,
  chargeDay: z.number().int(),
  nextChargeAt: Instant.nullable(),
  currency: z.string(),
  amount: MoneyString,
  failedAttempts: z.number().int(),
  lastFailureReason: z.string().nullable(),
  lastFailureAt: Instant.nullable(),
  pausedAt: Instant.nullable(),
  canceledAt: Instant.nullable(),
  updatedAt: Instant,
  items: z.number().int(),
});
export type AutoshipRow = z.infer<typeof AutoshipRow>;

export const AutoshipItem = z.object({
  productId: z.number().int(),
  sku: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  unitPrice: MoneyString.nullable(),
  pv: z.string(),
});
export const AutoshipCharge = z.object({
  eventId: z.string(),
  invoiceId: z.string(),
  outcome: z.enum(['paid', 'failed', 'review']),
  attempt: z.number().int().nullable(),
  amount: MoneyString.nullable(),
  currency: z.string().nullable(),
  reason: z.string().nullable(),
  orderId: z.number().int().nullable(),
  at: Instant,
});
export const AutoshipDetail = AutoshipRow.extend({ items: z.array(AutoshipItem), itemCount: z.number().int(), charges: z.array(AutoshipCharge) });
export type AutoshipDetail = z.infer<typeof AutoshipDetail>;

const ActionInput = z.object({ id: SubscriptionId, reason: Reason, requestId: RequestId }).strict();
export const AutoshipActionResult = z.object({
  subscription: AutoshipRow,
  /** The same request id was seen before: nothing was done again, this is what it did. */
  duplicate: z.boolean(),
});

const actor = ['admin', 'support'] as const;

export const autoshipContract = {
  'autoship.list': query({
    roles: ALL_STAFF,
    summary: 'Autoship subscriptions, filtered by status, member (code, name, e-mail, phone) and charge day, soonest charge first; counts per status.',
    input: PageInput.extend({ status: AutoshipFilter.default('all'), member: z.string().trim().max(200).optional(), chargeDay: ChargeDay.optional() }).strict(),
    output: pageOf(AutoshipRow).extend({ counts: z.record(z.string(), z.number().int()) }),
  }),
  'autoship.forMember': query({
    roles: ALL_STAFF,
    summary: "A member's autoship subscriptions with their items and the charge attempts Stripe reported (paid, failed, held for review).",
    input: z.object({ memberId: MemberId }).strict(),
    output: z.array(AutoshipDetail),
  }),
  'autoship.pause': mutation({
    roles: actor,
    summary: 'Pauses an active or past-due autoship at Stripe (pause_collection: void; idempotent per request id), with a reason.',
    input: ActionInput,
    output: AutoshipActionResult,
  }),
  'autoship.resume': mutation({
    roles: actor,
    summary: 'Resumes a paused autoship at Stripe (pause_collection cleared), with a reason.',
    input: ActionInput,
    output: AutoshipActionResult,
  }),
  'autoship.cancel': mutation({
    roles: actor,
    summary: 'Cancels an autoship at Stripe now (no more charges), with a reason. A canceled autoship cannot be changed.',
    input: ActionInput,
    output: AutoshipActionResult,
  }),
  'autoship.changeDay': mutation({
    roles: actor,
    summary: 'Moves the monthly charge to another day (1–28, Mexico City): the next charge is the first such day from tomorrow, without prorations.',
    input: ActionInput.extend({ day: ChargeDay }).strict(),
    output: AutoshipActionResult,
  }),
};
