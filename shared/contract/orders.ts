import { z } from 'zod';
import { mutation } from './define';
import { Instant } from '../money';
import { MemberId } from './members';
import { rule } from '../error-messages';

/** A price typed by staff: a non-negative decimal with at most 2 decimals, as a string (never a JS number). */
export const NonNegativeMoneyInput = z
  .string()
  .trim()
  .regex(/^\d{1,16}(\.\d{1,2})?$/, rule('money'));

export const OrderConfirmation = z.object({
  orderId: z.number().int(),
  periodKey: z.string(),
  /** Its own period was closing or closed: the order counts in the open period. */
  late: z.boolean(),
  /** Paid after the open period's end: it counts when its period opens. */
  waiting: z.boolean(),
  alreadyConfirmed: z.boolean(),
  rankChanges: z.number().int(),
});

export const ordersContract = {
  'orders.create': mutation({
    roles: ['admin'],
    summary:
      "Enters a pending order on a member's behalf: catalogue products and quantities; PV and VN from the catalogue; an optional unit price (a discount).",
    input: z
      .object({
        memberId: MemberId,
        lines: z
          .array(
            z
              .object({
                productId: z.number().int().positive(),
                quantity: z.number().int().min(1).max(1000),
                unitPrice: NonNegativeMoneyInput.optional(),
              })
              .strict(),
          )
          .min(1)
          .max(50),
        note: z.string().trim().max(500).optional(),
      })
      .strict(),
    output: z.object({ orderId: z.number().int(), total: z.string(), pv: z.string(), vn: z.string(), currency: z.string() }),
  }),
  'orders.recordPayment': mutation({
    roles: ['admin'],
    summary: 'Records a manual payment of a pending order (audited): the payment instant decides its period.',
    input: z.object({ orderId: z.number().int().positive(), paidAt: Instant, reference: z.string().trim().min(3).max(200) }).strict(),
    output: OrderConfirmation,
  }),
  'orders.refund': mutation({
    roles: ['admin'],
    summary: 'Refunds a paid order: its PV/VN leave its period if that period is open (a closed period stays as closed).',
    input: z.object({ orderId: z.number().int().positive(), reason: z.string().trim().min(3).max(500) }).strict(),
    output: z.object({ orderId: z.number().int(), periodKey: z.string().nullable(), periodClosed: z.boolean(), rankChanges: z.number().int() }),
  }),
};
