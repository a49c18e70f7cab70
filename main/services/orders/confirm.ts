/**
 * Order payment confirmation and refund: the only ways an order enters or leaves a period's
 * volumes. Both run inside the caller's transaction (a Stripe webhook, a wallet payment, an
 * admin's recorded manual payment), so the order, the volumes and the cached aggregates change
 * together or not at all.
 */
import { eq, sql } from 'drizzle-orm';
import { members, orders } from '../../db/schema';
import type { DbOrTx } from '../../db/client';
import { Decimal, isDecimalString } from '../../domain/money';
import { toEpochMs, type Instant } from '../../domain/period';
import { AppError } from '../../../shared/errors';
import { assignPeriod, periodById, type PeriodRow } from '../periods/lookup';
import { currentPlan } from '../plan/current';
import { ancestorsFromPath, applyVolumeDelta, type RankChangeRow } from '../volumes/incremental';

export type PaymentMethod = 'stripe' | 'wallet' | 'manual';

export interface ConfirmOptions {
  /** The payment instant: decides the period. */
  confirmedAt: Instant;
  method: PaymentMethod;
  stripePaymentIntentId?: string | null;
}

export interface ConfirmResult {
  orderId: number;
  /** Null when the instant lies after the open period (the order waits for its period to open). */
  periodId: number | null;
  periodKey: string;
  /** The instant's own period was closing or closed: the order went to the open period. */
  late: boolean;
  alreadyConfirmed: boolean;
  rankChanges: RankChangeRow[];
}

type OrderRow = typeof orders.$inferSelect;

async function lockOrder(tx: DbOrTx, orderId: number): Promise<OrderRow> {
  const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
  if (!order) throw new AppError('NOT_FOUND', `El pedido ${orderId} no existe.`);
  return order;
}

/** Refuses an order whose amounts are not non-negative decimals (the database checks them too). */
export function checkOrderAmounts(o: Pick<OrderRow, 'total' | 'pv' | 'vn' | 'kitPv'>): void {
  for (const [field, value] of Object.entries({ total: o.total, pv: o.pv, vn: o.vn, kitPv: o.kitPv })) {
    if (!isDecimalString(String(value), { nonNegative: true, maxDecimals: 2 })) {
      throw new AppError('VALIDATION', `El pedido tiene un ${field} inválido: ${String(value)}.`, { issues: [{ path: field, message: 'debe ser un decimal no negativo' }] });
    }
  }
}

/** MXN per unit of `currency` in force at `at` (the company-fixed rates table). */
export async function rateToMxn(db: DbOrTx, currency: string, at: Date): Promise<string> {
  if (currency === 'MXN') return '1';
  const [r] = (await db.execute(sql`
    select rate_to_mxn::text as rate from exchange_rates where currency = ${currency} and effective_from <= ${at.toISOString()}::timestamptz
    order by effective_from desc limit 1`)) as unknown as { rate: string }[];
  if (!r) throw new AppError('CONFLICT', `No hay tipo de cambio de ${currency} vigente al ${at.toISOString()}.`, { currency });
  return r.rate;
}

/** The order's effect on its period's volumes, signed (+1 counts it, −1 takes it out). */
async function applyOrder(tx: DbOrTx, order: OrderRow, period: PeriodRow, sign: 1 | -1): Promise<RankChangeRow[]> {
  const [m] = await tx.select({ path: members.path }).from(members).where(eq(members.id, order.memberId));
  if (!m) throw new AppError('NOT_FOUND', `El miembro ${order.memberId} del pedido no existe.`);
  const plan = await currentPlan(tx, period.startsAt);
  const rate = new Decimal(order.vn).isZero() ? '0' : await rateToMxn(tx, order.currency, period.startsAt);
  const vnMxn = new Decimal(order.vn).times(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const s = (v: string | Decimal) => new Decimal(v).times(sign).toFixed();
  return applyVolumeDelta(tx, {
    periodId: period.id,
    memberId: order.memberId,
    ancestorIds: ancestorsFromPath(m.path),
    pv: s(order.pv),
    vn: s(order.vn),
    pvgDelta: s(order.pv),
    orders: sign,
    vnMxn: s(vnMxn),
  }, plan);
}

/**
 * Confirms the payment of a pending order at `confirmedAt` and counts it in its period: the
 * period containing the instant, or — when that one is closing or closed — the open period.
 * Idempotent for an order already paid (a replayed webhook); any other state is a CONFLICT.
 */
export async function confirmOrder(tx: DbOrTx, orderId: number, opts: ConfirmOptions): Promise<ConfirmResult> {
  let at: Date;
  try {
    at = new Date(toEpochMs(opts.confirmedAt));
  } catch {
    throw new AppError('VALIDATION', 'Fecha de pago inválida.', { issues: [{ path: 'confirmedAt', message: 'instante ISO-8601 con zona' }] });
  }
  const order = await lockOrder(tx, orderId);
  if (order.status === 'paid') {
    const p = order.periodId == null ? null : await periodById(tx, order.periodId);
    return { orderId, periodId: order.periodId, periodKey: p?.key ?? '', late: false, alreadyConfirmed: true, rankChanges: [] };
  }
  if (order.status !== 'pending') {
    throw new AppError('CONFLICT', `El pedido ${orderId} está ${order.status}: no se puede confirmar su pago.`, { status: order.status });
  }
  checkOrderAmounts(order);
  const a = await assignPeriod(tx, at);
  const periodId = a.kind === 'period' ? a.period.id : null;
  await tx.update(orders).set({
    status: 'paid', paymentConfirmedAt: at, paymentMethod: opts.method, periodId,
    ...(opts.stripePaymentIntentId ? { stripePaymentIntentId: opts.stripePaymentIntentId } : {}),
  }).where(eq(orders.id, orderId));
  if (a.kind === 'future') {
    return { orderId, periodId: null, periodKey: a.periodKey, late: false, alreadyConfirmed: false, rankChanges: [] };
  }
  const rankChanges = await applyOrder(tx, { ...order, periodId }, a.period, 1);
  return { orderId, periodId, periodKey: a.period.key, late: a.late, alreadyConfirmed: false, rankChanges };
}

export interface RefundResult {
  orderId: number;
  periodId: number | null;
  periodKey: string | null;
  /** The order's period is closed: its volumes stay frozen; commissions are clawed back in the open period. */
  periodClosed: boolean;
  rankChanges: RankChangeRow[];
}

/**
 * Refunds a paid order: its PV/VN leave its period when that period is open. A closed period is
 * never edited: its volumes stay as closed (the commission engine reverses its lines in the open
 * period). During a close the refund waits for the close to end (CONFLICT).
 */
export async function refundOrder(tx: DbOrTx, orderId: number, opts: { refundedAt: Instant }): Promise<RefundResult> {
  const at = new Date(toEpochMs(opts.refundedAt));
  const order = await lockOrder(tx, orderId);
  if (order.status !== 'paid') {
    throw new AppError('CONFLICT', `El pedido ${orderId} está ${order.status}: solo se reembolsa un pedido pagado.`, { status: order.status });
  }
  const period = order.periodId == null ? null : await periodById(tx, order.periodId, 'share');
  if (period?.status === 'closing') {
    throw new AppError('CONFLICT', `El periodo ${period.key} del pedido se está cerrando: reembolse cuando termine el cierre.`, { period: period.key });
  }
  await tx.update(orders).set({ status: 'refunded', refundedAt: at }).where(eq(orders.id, orderId));
  if (!period || period.status === 'closed') {
    return { orderId, periodId: order.periodId, periodKey: period?.key ?? null, periodClosed: period?.status === 'closed', rankChanges: [] };
  }
  const rankChanges = await applyOrder(tx, order, period, -1);
  return { orderId, periodId: period.id, periodKey: period.key, periodClosed: false, rankChanges };
}
