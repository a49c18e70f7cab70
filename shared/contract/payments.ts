import { z } from 'zod';
import { mutation, query, PageInput, pageOf, Empty } from './define';
import { Instant, MoneyString } from '../money';

export const PaymentFilter = z.enum(['all', 'pending', 'paid', 'refunded', 'failed', 'cancelled', 'mismatch', 'refund_waiting', 'partial_refund']);
export type PaymentFilter = z.infer<typeof PaymentFilter>;

export const PaymentRow = z.object({
  orderId: z.number().int(),
  memberId: z.number().int(),
  memberCode: z.string(),
  memberName: z.string(),
  total: MoneyString,
  currency: z.string(),
  /** The order's state: pending, paid, failed, refunded, cancelled. */
  status: z.string(),
  method: z.string().nullable(),
  createdAt: Instant,
  paidAt: Instant.nullable(),
  periodKey: z.string().nullable(),
  refundedAt: Instant.nullable(),
  paymentIntentId: z.string().nullable(),
  /** Stripe side: succeeded, failed, mismatch, refunded, refund_waiting, partial_refund, unmatched; null = no Stripe event yet. */
  paymentState: z.string().nullable(),
  chargeId: z.string().nullable(),
  failure: z.string().nullable(),
  review: z.string().nullable(),
});
export type PaymentRow = z.infer<typeof PaymentRow>;

export const StripeEventRow = z.object({
  id: z.string(),
  type: z.string(),
  created: Instant,
  source: z.string(),
  receivedAt: Instant,
  processedAt: Instant.nullable(),
  outcome: z.string().nullable(),
  orderId: z.number().int().nullable(),
  paymentIntentId: z.string().nullable(),
  error: z.string().nullable(),
});

export const SyncStepResult = z.object({
  /** Events read from Stripe in this step. */
  checked: z.number().int(),
  applied: z.number().int(),
  duplicates: z.number().int(),
  errors: z.number().int(),
  /** Stored events retried (earlier application errors). */
  retried: z.number().int(),
  done: z.boolean(),
  cursor: z.string().nullable(),
  lastError: z.string().nullable(),
});

export const paymentsContract = {
  'payments.list': query({
    roles: ['admin', 'finance'],
    summary:
      'Orders by state (pending, paid, refunded, failed, cancelled) and Stripe payments needing attention (amount/currency mismatch for review, refunds waiting for their success), newest first; `q` finds an order by its number or the orders of a member by code (digits too) or name.',
    input: PageInput.extend({ filter: PaymentFilter.default('all'), q: z.string().max(100).optional() }).strict(),
    output: pageOf(PaymentRow).extend({ counts: z.record(z.string(), z.number().int()) }),
  }),
  'payments.events': query({
    roles: ['admin', 'finance'],
    summary: 'The Stripe events received (webhook or sync), newest first, with what applying each did.',
    input: z.object({ limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.array(StripeEventRow),
  }),
  'payments.syncStatus': query({
    roles: ['admin', 'finance'],
    summary: 'Reconciliation status: whether Stripe is configured, the last event reached, the last sync, events stored but not applied.',
    input: Empty,
    output: z.object({
      configured: z.boolean(),
      lastEventId: z.string().nullable(),
      lastEventAt: Instant.nullable(),
      lastSyncAt: Instant.nullable(),
      unprocessed: z.number().int(),
      events: z.number().int(),
    }),
  }),
  'payments.syncStep': mutation({
    roles: ['admin', 'finance'],
    summary:
      'One step of "sync payments": reads the next page of Stripe events after the last one reached and applies each through the webhook\'s code path (idempotent). Call until done.',
    input: z.object({ first: z.boolean().default(false), pageSize: z.number().int().min(1).max(100).default(100) }).strict(),
    output: SyncStepResult,
  }),
};
