import { mutator, viaEngine } from '../../kernel/wrappers';
import type { MutationContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import { confirmOrder, refundOrder } from './confirm';
import { createOrder } from './create';

async function create(input: ParsedInputOf<'orders.create'>, ctx: MutationContext) {
  const o = await createOrder(ctx.tx, input, ctx.now());
  await ctx.audit({
    entity: 'order',
    entityId: o.id,
    reason: input.note ?? null,
    after: { memberId: o.memberId, total: o.total, currency: o.currency, pv: o.pv, vn: o.vn, lines: input.lines },
  });
  return { orderId: o.id, total: o.total, pv: o.pv, vn: o.vn, currency: o.currency };
}

async function recordPayment(input: ParsedInputOf<'orders.recordPayment'>, ctx: MutationContext) {
  const r = await confirmOrder(ctx.tx, input.orderId, { confirmedAt: input.paidAt, method: 'manual' });
  await ctx.audit({
    entity: 'order',
    entityId: input.orderId,
    reason: input.reference,
    before: { status: r.alreadyConfirmed ? 'paid' : 'pending' },
    after: {
      status: 'paid',
      method: 'manual',
      paidAt: input.paidAt,
      period: r.periodKey,
      late: r.late,
      waiting: r.periodId == null,
      alreadyConfirmed: r.alreadyConfirmed,
    },
  });
  return {
    orderId: r.orderId,
    periodKey: r.periodKey,
    late: r.late,
    waiting: r.periodId == null && !r.alreadyConfirmed,
    alreadyConfirmed: r.alreadyConfirmed,
    rankChanges: r.rankChanges.length,
  };
}

async function refund(input: ParsedInputOf<'orders.refund'>, ctx: MutationContext) {
  const r = await refundOrder(ctx.tx, input.orderId, { refundedAt: ctx.now() });
  await ctx.audit({
    entity: 'order',
    entityId: input.orderId,
    reason: input.reason,
    before: { status: 'paid' },
    after: { status: 'refunded', period: r.periodKey, periodClosed: r.periodClosed },
  });
  return { orderId: r.orderId, periodKey: r.periodKey, periodClosed: r.periodClosed, rankChanges: r.rankChanges.length };
}

/** Issue 16: an order's payment and refund move volumes and post commissions (the owner's, for now). */
const LEDGER = "payments and refunds rewrite volumes and post commissions to the ledger (ledger_post is the owner's)";
export const ordersHandlers = {
  'orders.create': mutator(create),
  'orders.recordPayment': viaEngine(LEDGER, mutator(recordPayment)),
  'orders.refund': viaEngine(LEDGER, mutator(refund)),
};
