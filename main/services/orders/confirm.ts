/**
 * Order payment confirmation and refund: the only ways an order enters or leaves a period's
 * volumes. Both run inside the caller's transaction (a Stripe webhook, a wallet payment, an
 * admin's recorded manual payment), so the order, the volumes and the cached aggregates change
 * together or not at all.
 */
import { eq, sql } from 'drizzle-orm';
import { memberPaths, orders } from '../../db/schema';
import type { DbOrTx } from '../../db/client';
import { Decimal, isDecimalString } from '../../domain/money';
import { periodOf, toEpochMs, type Instant } from '../../domain/period';
import { AppError } from '../../../shared/errors';
import { assignPeriod, periodById, type PeriodRow } from '../periods/lookup';
import { planInForce, publishedFigures } from '../plan/cached';
import { ancestorsFromPath, applyVolumeDelta, lockPeriodStats, type RankChangeRow } from '../volumes/incremental';
import { executePrepared } from '../../db/rows';
import { postInstantCommissions, reverseOrderCommissions } from '../commissions/instant';

export type PaymentMethod = 'stripe' | 'wallet' | 'manual';

export interface ConfirmOptions {
  /** The payment instant: decides the period. */
  confirmedAt: Instant;
  method: PaymentMethod;
  stripePaymentIntentId?: string | null;
  /**
   * Post the instant bonuses (Directo, Rápido) of the order in the same transaction (default true).
   * False only where they are posted separately (the volumes benchmark measures the volumes alone).
   */
  instantCommissions?: boolean;
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
  if (!order) throw AppError.of('NOT_FOUND', 'order.notFound', {}, { orderId });
  return order;
}

/** Refuses an order whose amounts are not non-negative decimals (the database checks them too). */
export function checkOrderAmounts(o: Pick<OrderRow, 'total' | 'pv' | 'vn' | 'kitPv'>): void {
  for (const [field, value] of Object.entries({ total: o.total, pv: o.pv, vn: o.vn, kitPv: o.kitPv })) {
    if (!isDecimalString(String(value), { nonNegative: true, maxDecimals: 2 })) {
      throw new AppError('VALIDATION', `El pedido tiene un ${field} inválido: ${String(value)}.`, {
        issues: [{ path: field, message: 'debe ser un decimal no negativo' }],
      });
    }
  }
}

/** MXN per unit of `currency` in force at `at` (the company-fixed rates table). */
export async function rateToMxn(db: DbOrTx, currency: string, at: Date): Promise<string> {
  if (currency === 'MXN') return '1';
  const [r] = await db.execute<{ rate: string }>(sql`
    select rate_to_mxn::text as rate from exchange_rates where currency = ${currency} and effective_from <= ${at.toISOString()}::timestamptz
    order by effective_from desc limit 1`);
  if (!r) throw new AppError('CONFLICT', `No hay tipo de cambio de ${currency} vigente al ${at.toISOString()}.`, { currency });
  return r.rate;
}

/** The order's effect on its period's volumes, signed (+1 counts it, −1 takes it out). */
async function applyOrder(tx: DbOrTx, order: OrderRow, period: PeriodRow, sign: 1 | -1): Promise<RankChangeRow[]> {
  const [m] = await tx.select({ path: memberPaths.path }).from(memberPaths).where(eq(memberPaths.memberId, order.memberId));
  if (!m) throw new AppError('NOT_FOUND', `El socio ${order.memberId} del pedido no existe.`);
  const { figures: plan } = await planInForce(tx, period.key);
  const rate = new Decimal(order.vn).isZero() ? '0' : await rateToMxn(tx, order.currency, period.startsAt);
  const vnMxn = new Decimal(order.vn).times(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const s = (v: string | Decimal) => new Decimal(v).times(sign).toFixed();
  return applyVolumeDelta(
    tx,
    {
      periodId: period.id,
      memberId: order.memberId,
      ancestorIds: ancestorsFromPath(m.path),
      pv: s(order.pv),
      vn: s(order.vn),
      pvgDelta: s(order.pv),
      orders: sign,
      vnMxn: s(vnMxn),
    },
    plan,
  );
}

type LockedOrder = OrderRow & { path: string };

/** The order locked, with its member's path (one statement). */
async function lockOrderWithPath(tx: DbOrTx, orderId: number): Promise<LockedOrder> {
  const [r] = (await executePrepared(
    tx,
    sql`
    select o.id, o.member_id, o.status, o.total::text as total, o.pv::text as pv, o.vn::text as vn, o.kit_pv::text as kit_pv,
      o.currency, o.period_id, m.path
    from orders o join member_paths m on m.member_id = o.member_id where o.id = ${orderId} for update of o`,
  )) as {
    id: string | number;
    member_id: string | number;
    status: OrderRow['status'];
    total: string;
    pv: string;
    vn: string;
    kit_pv: string;
    currency: string;
    period_id: number | null;
    path: string;
  }[];
  if (!r) throw AppError.of('NOT_FOUND', 'order.notFound', {}, { orderId });
  return {
    id: Number(r.id),
    memberId: Number(r.member_id),
    status: r.status,
    total: r.total,
    pv: r.pv,
    vn: r.vn,
    kitPv: r.kit_pv,
    currency: r.currency,
    periodId: r.period_id,
    path: r.path,
  } as LockedOrder;
}

type PeriodWithPlan = PeriodRow & { planId: number | null; rate: string | null };

/**
 * The instant's own period and the open period (FOR SHARE: a close cannot flip their status until
 * this transaction ends), each with the plan version in force and the order currency's rate at
 * its start — one statement. The rule is assignPeriod's (../periods/lookup.ts).
 */
async function candidatePeriods(tx: DbOrTx, at: Date, currency: string): Promise<PeriodWithPlan[]> {
  const rows = (await executePrepared(
    tx,
    sql`
    select p.id, p.key, p.starts_at, p.ends_at, p.status, p.opened_at, p.closed_at, p.closed_by,
      (select v.id from plan_versions v where v.status = 'published' and v.effective_from_period <= p.key
        order by v.effective_from_period desc limit 1) as plan_id,
      (select r.rate_to_mxn::text from exchange_rates r where r.currency = ${currency} and r.effective_from <= p.starts_at
        order by r.effective_from desc limit 1) as rate
    from periods p
    where (p.starts_at <= ${at.toISOString()}::timestamptz and p.ends_at > ${at.toISOString()}::timestamptz) or p.status = 'open'
    for share of p`,
  )) as {
    id: number;
    key: string;
    starts_at: string;
    ends_at: string;
    status: PeriodRow['status'];
    opened_at: string;
    closed_at: string | null;
    closed_by: string | null;
    plan_id: number | null;
    rate: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    key: r.key,
    startsAt: new Date(r.starts_at),
    endsAt: new Date(r.ends_at),
    status: r.status,
    openedAt: new Date(r.opened_at),
    closedAt: r.closed_at ? new Date(r.closed_at) : null,
    closedBy: r.closed_by,
    planId: r.plan_id,
    rate: currency === 'MXN' ? '1' : r.rate,
  }));
}

type FastRow = {
  id: string | number;
  member_id: string | number;
  status: OrderRow['status'];
  total: string;
  pv: string;
  vn: string;
  kit_pv: string;
  currency: string;
  period_id: number | null;
  path: string;
  open_id: number;
  open_key: string;
  open_starts: string;
  open_ends: string;
  plan_id: number | null;
  rate: string | null;
  own_id: number | null;
};

/**
 * The common case in ONE statement: the order (FOR UPDATE) with its member's path, the open period
 * (FOR SHARE: it cannot start closing meanwhile) with its plan version and the order currency's
 * rate, the period containing the instant, and the open period's aggregates row (FOR UPDATE: the
 * volumes statement that follows takes its snapshot after every earlier update of the period).
 * The member's path row is locked last (FOR SHARE, after the aggregates row that a genealogy move
 * holds for its whole transaction): when a move of the buyer's subtree commits while this waits,
 * PostgreSQL re-reads the path row it has just rewritten, so the order's PVG reaches the new
 * ancestors, never the old ones.
 * An order is only ever counted in the open period (its own, or the open one when late), so that
 * is the one row to lock. Null when the order, the open period or its aggregates row is missing.
 */
async function lockForConfirmation(tx: DbOrTx, orderId: number, at: Date): Promise<FastRow | null> {
  const [r] = await executePrepared<FastRow>(
    tx,
    sql`
    select o.id, o.member_id, o.status, o.total::text as total, o.pv::text as pv, o.vn::text as vn, o.kit_pv::text as kit_pv,
      o.currency, o.period_id, m.path, p.id as open_id, p.key as open_key, p.starts_at as open_starts, p.ends_at as open_ends,
      (select v.id from plan_versions v where v.status = 'published' and v.effective_from_period <= p.key
        order by v.effective_from_period desc limit 1) as plan_id,
      (select r.rate_to_mxn::text from exchange_rates r where r.currency = o.currency and r.effective_from <= p.starts_at
        order by r.effective_from desc limit 1) as rate,
      (select q.id from periods q where q.starts_at <= ${at.toISOString()}::timestamptz and q.ends_at > ${at.toISOString()}::timestamptz) as own_id
    from orders o join periods p on p.status = 'open'
      join period_stats s on s.period_id = p.id
      join member_paths m on m.member_id = o.member_id
    where o.id = ${orderId}
    for update of o, s for share of p, m`,
  );
  return r ?? null;
}

/**
 * Confirms the payment of a pending order at `confirmedAt` and counts it in its period: the
 * period containing the instant, or — when that one is closing or closed — the open period.
 * Idempotent for an order already paid (a replayed webhook); any other state is a CONFLICT.
 * Round trips: the order (with its member's path), the candidate periods (with plan and rate),
 * the order's update (which also locks the period's aggregates), the volumes upsert, the
 * aggregates' update.
 */
export async function confirmOrder(tx: DbOrTx, orderId: number, opts: ConfirmOptions): Promise<ConfirmResult> {
  let at: Date;
  try {
    at = new Date(toEpochMs(opts.confirmedAt));
  } catch {
    throw new AppError('VALIDATION', 'Fecha de pago inválida.', { issues: [{ path: 'confirmedAt', message: 'instante ISO-8601 con zona' }] });
  }
  const fast = await lockForConfirmation(tx, orderId, at);
  if (fast && fast.status === 'pending') {
    const order = {
      id: Number(fast.id),
      memberId: Number(fast.member_id),
      status: fast.status,
      total: fast.total,
      pv: fast.pv,
      vn: fast.vn,
      kitPv: fast.kit_pv,
      currency: fast.currency,
      periodId: fast.period_id,
      path: fast.path,
    } as LockedOrder;
    checkOrderAmounts(order);
    const openEnds = new Date(fast.open_ends);
    const future = fast.own_id == null && at.getTime() >= openEnds.getTime();
    if (!future) {
      const late = fast.own_id !== fast.open_id;
      if (fast.plan_id == null)
        throw new AppError('NOT_FOUND', `No hay una versión del plan publicada vigente en ${fast.open_key}.`, { periodKey: fast.open_key });
      const rate = fast.currency === 'MXN' ? '1' : fast.rate;
      const vn = new Decimal(order.vn);
      if (!vn.isZero() && rate == null)
        throw new AppError('CONFLICT', `No hay tipo de cambio de ${order.currency} vigente al inicio de ${fast.open_key}.`, { currency: order.currency });
      const plan = await publishedFigures(tx, fast.plan_id);
      const vnMxn = vn.isZero() ? new Decimal(0) : vn.times(rate!).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
      // The order's update runs inside the volumes statement (a data-modifying CTE): one round trip less.
      const prelude = sql`order_paid as (
        update orders set status = 'paid', payment_confirmed_at = ${at.toISOString()}::timestamptz, payment_method = ${opts.method},
          period_id = ${fast.open_id}, stripe_payment_intent_id = coalesce(${opts.stripePaymentIntentId ?? null}, stripe_payment_intent_id)
        where id = ${orderId} returning id)`;
      const rankChanges = await applyVolumeDelta(
        tx,
        {
          periodId: fast.open_id,
          memberId: order.memberId,
          ancestorIds: ancestorsFromPath(order.path),
          pv: order.pv,
          vn: order.vn,
          pvgDelta: order.pv,
          orders: 1,
          vnMxn: vnMxn.toFixed(2),
        },
        plan,
        { statsLocked: true, prelude },
      );
      // Bono Directo / Bono Rápido: paid now, at the rates in force at the payment instant (issue 6).
      if (opts.instantCommissions !== false) {
        await postInstantCommissions(
          tx,
          { id: orderId, memberId: order.memberId, path: order.path, currency: order.currency, vn: order.vn, kitPv: order.kitPv, pv: order.pv },
          fast.open_id,
          plan,
          at,
        );
      }
      return { orderId, periodId: fast.open_id, periodKey: fast.open_key, late, alreadyConfirmed: false, rankChanges };
    }
  }
  // Everything else (a replay, a state that is a conflict, a payment after the open period, no open
  // period or aggregates row yet): the general path.
  return confirmOrderGeneral(tx, orderId, at, opts);
}

async function confirmOrderGeneral(tx: DbOrTx, orderId: number, at: Date, opts: ConfirmOptions): Promise<ConfirmResult> {
  const order = await lockOrderWithPath(tx, orderId);
  if (order.status === 'paid') {
    const p = order.periodId == null ? null : await periodById(tx, order.periodId);
    return { orderId, periodId: order.periodId, periodKey: p?.key ?? '', late: false, alreadyConfirmed: true, rankChanges: [] };
  }
  if (order.status !== 'pending') {
    throw AppError.of('CONFLICT', 'order.cannotConfirm', {}, { status: order.status });
  }
  checkOrderAmounts(order);

  const candidates = await candidatePeriods(tx, at, order.currency);
  const own = candidates.find((p) => p.startsAt.getTime() <= at.getTime() && at.getTime() < p.endsAt.getTime());
  const open = candidates.find((p) => p.status === 'open');
  let target: PeriodWithPlan | null = null;
  let late = false;
  if (own && own.status === 'open') target = own;
  else if (open && !own && at.getTime() >= open.endsAt.getTime())
    target = null; // its period is not open yet: it waits
  else if (open) {
    target = open;
    late = true;
  } else {
    // No open period at all (a new installation): the general rule, which opens the instant's period.
    const a = await assignPeriod(tx, at);
    if (a.kind === 'period') {
      target = (await candidatePeriods(tx, at, order.currency)).find((p) => p.id === a.period.id) ?? null;
      late = a.late;
    }
  }
  const periodId = target?.id ?? null;
  const method = opts.method;
  const pi = opts.stripePaymentIntentId ?? null;
  // The order's update also takes the lock of the period's aggregates (the CTE is referenced, so it runs).
  const [u] = (await executePrepared(
    tx,
    sql`
    with s as (select period_id from period_stats where period_id = ${periodId ?? -1} for update)
    update orders set status = 'paid', payment_confirmed_at = ${at.toISOString()}::timestamptz, payment_method = ${method},
      period_id = ${periodId}, stripe_payment_intent_id = coalesce(${pi}, stripe_payment_intent_id)
    where id = ${orderId}
    returning (select count(*) from s)::int as locked`,
  )) as { locked: number }[];
  if (!target) {
    return { orderId, periodId: null, periodKey: periodOf(at), late: false, alreadyConfirmed: false, rankChanges: [] };
  }
  if (!u?.locked) await lockPeriodStats(tx, target.id);
  // The path read with the order may predate a genealogy move that committed while this waited for
  // the period's aggregates (a move holds them for its whole transaction): read it again now.
  const [fresh] = (await executePrepared(tx, sql`select path from member_paths where member_id = ${order.memberId}`)) as { path: string }[];
  if (fresh) order.path = fresh.path;
  if (target.planId == null) throw new AppError('NOT_FOUND', `No hay una versión del plan publicada vigente en ${target.key}.`, { periodKey: target.key });
  const plan = await publishedFigures(tx, target.planId);
  const vn = new Decimal(order.vn);
  if (!vn.isZero() && target.rate == null)
    throw new AppError('CONFLICT', `No hay tipo de cambio de ${order.currency} vigente al inicio de ${target.key}.`, { currency: order.currency });
  const vnMxn = vn.isZero() ? new Decimal(0) : vn.times(target.rate!).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const rankChanges = await applyVolumeDelta(
    tx,
    {
      periodId: target.id,
      memberId: order.memberId,
      ancestorIds: ancestorsFromPath(order.path),
      pv: order.pv,
      vn: order.vn,
      pvgDelta: order.pv,
      orders: 1,
      vnMxn: vnMxn.toFixed(2),
    },
    plan,
    { statsLocked: true },
  );
  // Bono Directo / Bono Rápido: paid now, at the rates in force at the payment instant (issue 6).
  if (opts.instantCommissions !== false) {
    await postInstantCommissions(
      tx,
      { id: orderId, memberId: order.memberId, path: order.path, currency: order.currency, vn: order.vn, kitPv: order.kitPv, pv: order.pv },
      target.id,
      plan,
      at,
    );
  }
  return { orderId, periodId, periodKey: target.key, late, alreadyConfirmed: false, rankChanges };
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
    throw AppError.of('CONFLICT', 'order.cannotRefund', {}, { status: order.status });
  }
  const period = order.periodId == null ? null : await periodById(tx, order.periodId, 'share');
  if (period?.status === 'closing') {
    throw new AppError('CONFLICT', `El periodo ${period.key} del pedido se está cerrando: reembolse cuando termine el cierre.`, { period: period.key });
  }
  await tx.update(orders).set({ status: 'refunded', refundedAt: at }).where(eq(orders.id, orderId));
  // Its commission lines: voided (open period) or clawed back in the open period (closed one). Idempotent.
  await reverseOrderCommissions(tx, orderId, { at });
  if (!period || period.status === 'closed') {
    return { orderId, periodId: order.periodId, periodKey: period?.key ?? null, periodClosed: period?.status === 'closed', rankChanges: [] };
  }
  const rankChanges = await applyOrder(tx, order, period, -1);
  return { orderId, periodId: period.id, periodKey: period.key, periodClosed: false, rankChanges };
}
