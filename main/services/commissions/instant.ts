/**
 * Instant bonuses (Bono Directo, Bono Rápido) posted at payment confirmation, and the reversal of
 * an order's commission lines on a refund. Both run inside the caller's transaction.
 *
 * - postInstantCommissions: the order's lines (instantLines of the engine, at the exchange rates in
 *   force at the payment instant) are inserted ON CONFLICT DO NOTHING on the natural key, and the
 *   inserted ones are paid through the ledger, one transaction per (order, currency) with the key
 *   `commission.instant:<order>:<currency>`: a replayed confirmation writes and pays nothing.
 * - reverseOrderCommissions: lines of an OPEN period are voided (and the money taken back, a
 *   clawback posting); lines of a CLOSED period stay as they are and get reversing lines
 *   (kind 'clawback', negative) in the open period, paid back through the ledger (a wallet may go
 *   negative). Idempotent: a second call finds nothing left to reverse.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { commissionLines } from '../../db/schema';
import type { DbOrTx } from '../../db/client';
import { rows } from '../../db/rows';
import { Decimal, type Currency } from '../../domain/money';
import type { PlanFigures } from '../../domain/plan';
import { instantLines, type CommissionLine } from '../../domain/engine';
import { AppError } from '../../../shared/errors';
import { postTransfers, type Transfer } from '../ledger/ledger';
import { kitSkuOf, planWithKits, type KitLine } from './kits';

export interface InstantOrder {
  id: number;
  memberId: number;
  path: string;
  currency: string;
  vn: string;
  kitPv: string;
  pv: string;
}

/** Engine orders of a DB order: its product part (VN) and its kit part (by the kit SKU of its lines). */
async function orderParts(
  tx: DbOrTx,
  o: InstantOrder,
  plan: PlanFigures,
): Promise<{ id: string; kind: 'kit' | 'product'; sku: string | null; vn: string; currency: Currency }[]> {
  const parts: { id: string; kind: 'kit' | 'product'; sku: string | null; vn: string; currency: Currency }[] = [];
  const currency = o.currency.trim() as Currency;
  if (new Decimal(o.kitPv).gt(0)) {
    // Every kit of the order pays Rápido: one (composite) SKU for all its kit lines (kits.ts).
    const kits = await rows<KitLine>(
      tx,
      sql`
      select p.sku, ol.quantity from order_lines ol join products p on p.id = ol.product_id
      where ol.order_id = ${o.id} and p.kind = 'kit'`,
    );
    const sku = kitSkuOf(kits.map((k) => ({ sku: k.sku, quantity: Number(k.quantity) }))) ?? plan.kits.find((x) => new Decimal(x.pv).eq(o.kitPv))?.sku ?? null;
    if (sku) parts.push({ id: String(o.id), kind: 'kit', sku, vn: '0', currency });
  }
  if (new Decimal(o.vn).gt(0)) parts.push({ id: String(o.id), kind: 'product', sku: null, vn: o.vn, currency });
  return parts;
}

/**
 * Posts the Directo / Rápido lines of a just-confirmed order in its period (`periodId`), at the
 * rates in force at `at`. Answers the lines written (none on a replay).
 */
export async function postInstantCommissions(
  tx: DbOrTx,
  order: InstantOrder,
  periodId: number,
  plan: PlanFigures,
  at: Date,
): Promise<{ lines: number; total: Record<string, string> }> {
  await recordCashback(tx, order, periodId, plan, at);
  const parts = await orderParts(tx, order, plan);
  if (parts.length === 0) return { lines: 0, total: {} };
  const ancestors = order.path.split('/').filter(Boolean).map(Number);
  ancestors.pop();
  const depth = Math.max(plan.rapido.levels.length, 1);
  const wanted = ancestors.slice(-depth).reverse(); // level 1 (the sponsor) first
  if (wanted.length === 0) return { lines: 0, total: {} };
  // Upline (level 1 first) with each member's currency, and every rate in force at the instant: one statement.
  const rows = await tx.execute<{ id: string | null; currency: string; rate: string | null; ord: number }>(sql`
    select m.id::text as id, c.currency, null::text as rate, x.ord::int as ord
    from unnest(${`{${wanted.join(',')}}`}::bigint[]) with ordinality as x(id, ord)
    join members m on m.id = x.id join countries c on c.code = m.country
    union all
    select null, r.currency, r.rate, 0 from (select distinct on (currency) currency, rate_to_mxn::text as rate from exchange_rates
      where effective_from <= ${at.toISOString()}::timestamptz order by currency, effective_from desc) r`);
  const upline = rows
    .filter((r) => r.id !== null)
    .sort((a, b) => a.ord - b.ord)
    .map((r) => ({ id: r.id!, currency: r.currency.trim() as Currency }));
  const rates: Partial<Record<Currency, string>> = { MXN: '1' };
  for (const r of rows) if (r.id === null && r.rate !== null) rates[r.currency.trim() as Currency] = r.rate;
  const lines: CommissionLine[] = [];
  const withKits = planWithKits(
    plan,
    parts.map((p) => p.sku),
  );
  for (const p of parts) {
    try {
      lines.push(...instantLines(p, upline, withKits, rates));
    } catch (e) {
      throw new AppError('CONFLICT', `No se pudo calcular el bono inmediato del pedido ${order.id}: ${(e as Error).message}`, { orderId: order.id });
    }
  }
  return writeAndPay(tx, order.id, periodId, lines, at);
}

/**
 * Cashback (the plan's programme 7), at confirmation, after the order's volumes were applied: an
 * entitlement issued earlier in the period (by an order that took the member's PV to the plan's
 * threshold) and not used yet is used by this order — the member's next confirmed order; otherwise,
 * when this order takes the member's PV in the period to the threshold, the entitlement is issued
 * (one per member and period; the discount is on the next order). The close marks the unused ones
 * expired at the period's end. One statement; a replayed confirmation never gets here.
 */
export async function recordCashback(
  tx: DbOrTx,
  order: Pick<InstantOrder, 'id' | 'memberId'>,
  periodId: number,
  plan: PlanFigures,
  at: Date,
): Promise<'used' | 'issued' | null> {
  const [r] = await tx.execute<{ used: number; issued: number }>(sql`
    with used as (
      update cashback_entitlements set status = 'used', used_order_id = ${order.id}, used_at = ${at.toISOString()}::timestamptz
      where member_id = ${order.memberId} and period_id = ${periodId} and status = 'issued' returning 1),
    issued as (
      insert into cashback_entitlements (member_id, period_id, status, discount_rate, issued_at)
      select ${order.memberId}, ${periodId}, 'issued', ${plan.cashback.discount}::numeric, ${at.toISOString()}::timestamptz
      from member_volumes v where v.period_id = ${periodId} and v.member_id = ${order.memberId} and v.pv >= ${plan.cashback.minPv}::numeric
      on conflict (member_id, period_id) do nothing returning 1)
    select (select count(*) from used)::int as used, (select count(*) from issued)::int as issued`);
  return r?.used ? 'used' : r?.issued ? 'issued' : null;
}

async function writeAndPay(tx: DbOrTx, orderId: number, periodId: number, lines: CommissionLine[], at: Date) {
  if (lines.length === 0) return { lines: 0, total: {} };
  const payload = JSON.stringify(
    lines.map((l) => ({
      type: l.type,
      beneficiary: Number(l.beneficiary),
      level: l.level,
      base: l.base,
      base_currency: l.baseCurrency,
      rate: l.rate,
      amount: l.amount,
      currency: l.currency,
      fx_from: l.fxFrom,
      fx_to: l.fxTo,
      key: `commission.instant:${orderId}:${l.currency}`,
    })),
  );
  const inserted = await tx.execute<{ id: number; beneficiary_id: number | string; amount: string; currency: string }>(sql`
    insert into commission_lines (period_id, type, kind, status, beneficiary_id, source_kind, source_id, level, base, base_currency, rate, amount, currency, fx_from, fx_to, ledger_key, created_at)
    select ${periodId}, x.type::commission_type, 'line', 'posted', x.beneficiary, 'order', ${orderId}, x.level, x.base, x.base_currency, x.rate, x.amount, x.currency, x.fx_from, x.fx_to, x.key, ${at.toISOString()}::timestamptz
    from jsonb_to_recordset(${payload}::jsonb) as x(type text, beneficiary bigint, level smallint, base numeric, base_currency text, rate numeric, amount numeric, currency text, fx_from numeric, fx_to numeric, key text)
    on conflict do nothing
    returning id, beneficiary_id, amount::text as amount, currency`);
  const total: Record<string, string> = {};
  await payByCurrency(
    tx,
    inserted.map((r) => ({ member: Number(r.beneficiary_id), amount: r.amount, currency: r.currency.trim() as Currency })),
    {
      key: (c) => `commission.instant:${orderId}:${c}`,
      kind: 'commission',
      periodId,
      at,
      reference: { orderId, instant: true },
    },
    total,
  );
  return { lines: inserted.length, total };
}

/** One ledger transaction per currency: each member's summed amount and the company's expense. */
async function payByCurrency(
  tx: DbOrTx,
  items: { member: number; amount: string; currency: Currency }[],
  o: { key: (c: Currency) => string; kind: 'commission' | 'clawback'; periodId: number; at: Date; reference: Record<string, unknown> },
  total: Record<string, string> = {},
): Promise<void> {
  const byCur = new Map<Currency, Map<number, Decimal>>();
  for (const it of items) {
    const m = byCur.get(it.currency) ?? new Map<number, Decimal>();
    m.set(it.member, (m.get(it.member) ?? new Decimal(0)).plus(it.amount));
    byCur.set(it.currency, m);
  }
  // One ledger call for every currency's transfer (postTransfers: all or none, in this order).
  const transfers: Transfer[] = [];
  for (const [currency, m] of [...byCur].sort(([a], [b]) => a.localeCompare(b))) {
    const entries = [...m]
      .filter(([, v]) => !v.isZero())
      .sort(([a], [b]) => a - b)
      .map(([member, v]) => ({ account: { member }, amount: v.toFixed(2) }));
    if (entries.length === 0) continue;
    const sum = [...m.values()].reduce((s, v) => s.plus(v), new Decimal(0));
    if (sum.isZero()) continue;
    total[currency] = sum.toFixed(2);
    transfers.push({
      idempotencyKey: o.key(currency),
      kind: o.kind,
      currency,
      periodId: o.periodId,
      at: o.at,
      allowNegative: o.kind === 'clawback',
      entries: [{ account: { company: 'commission_expense' }, amount: sum.neg().toFixed(2) }, ...entries],
      reference: o.reference,
    });
  }
  await postTransfers(tx, transfers);
}

export interface ReverseResult {
  orderId: number;
  voided: number;
  clawbacks: number;
  /** Amount taken back per currency. */
  total: Record<string, string>;
}

/**
 * Reverses the commission lines paid on an order (a refund): see the module comment. `at` is the
 * refund instant. Needs an open period when the lines belong to a closed one.
 */
export async function reverseOrderCommissions(tx: DbOrTx, orderId: number, opts: { at: Date | string }): Promise<ReverseResult> {
  const at = new Date(opts.at);
  if (Number.isNaN(at.getTime())) throw new AppError('VALIDATION', 'Fecha de reembolso inválida.');
  const lines = await tx.execute<{
    id: number;
    period_id: number;
    period_status: string;
    type: string;
    beneficiary_id: number | string;
    level: number;
    base: string;
    base_currency: string;
    rate: string | null;
    amount: string;
    currency: string;
    fx_from: string;
    fx_to: string;
  }>(sql`
    select l.id, l.period_id, p.status as period_status, l.type, l.beneficiary_id, l.level, l.base::text as base, l.base_currency, l.rate::text as rate,
      l.amount::text as amount, l.currency, l.fx_from::text as fx_from, l.fx_to::text as fx_to
    from commission_lines l join periods p on p.id = l.period_id
    where l.source_kind = 'order' and l.source_id = ${orderId} and l.kind = 'line' and l.status = 'posted'
      -- A line already reversed is not reversed again (the unique key on reverses_line_id is per
      -- partition of commission_lines, so it is checked here too).
      and not exists (select 1 from commission_lines c where c.reverses_line_id = l.id)
    order by l.id for update of l`);
  const total: Record<string, string> = {};
  if (lines.length === 0) return { orderId, voided: 0, clawbacks: 0, total };
  if (lines.some((l) => l.period_status === 'closing')) {
    throw new AppError('CONFLICT', `El periodo de las comisiones del pedido ${orderId} se está cerrando: reembolse cuando termine el cierre.`, { orderId });
  }
  const open = lines.filter((l) => l.period_status === 'open');
  const closed = lines.filter((l) => l.period_status === 'closed');
  let voided = 0;
  if (open.length) {
    const ids = open.map((l) => Number(l.id));
    const cl = commissionLines;
    const v = await tx
      .update(cl)
      .set({ status: 'voided', voidedAt: at })
      .where(and(inArray(cl.id, ids), eq(cl.status, 'posted')))
      .returning({ id: cl.id });
    voided = v.length;
    const periodId = open[0]!.period_id;
    await payByCurrency(
      tx,
      open.map((l) => ({ member: Number(l.beneficiary_id), amount: new Decimal(l.amount).neg().toFixed(2), currency: l.currency.trim() as Currency })),
      {
        key: (c) => `commission.void:${orderId}:${c}`,
        kind: 'clawback',
        periodId,
        at,
        reference: { orderId, voided: ids },
      },
      total,
    );
  }
  let clawbacks = 0;
  if (closed.length) {
    const [openPeriod] = await tx.execute<{ id: number }>(sql`select id from periods where status = 'open' for share`);
    if (!openPeriod) throw new AppError('CONFLICT', 'No hay un periodo abierto donde registrar la reversa de comisiones.', { orderId });
    const payload = JSON.stringify(
      closed.map((l) => ({ ...l, id: Number(l.id), beneficiary_id: Number(l.beneficiary_id), key: `commission.clawback:${orderId}:${l.currency.trim()}` })),
    );
    const ins = await tx.execute<{ beneficiary_id: number | string; amount: string; currency: string }>(sql`
      insert into commission_lines (period_id, type, kind, status, beneficiary_id, source_kind, source_id, level, base, base_currency, rate, amount, currency, fx_from, fx_to, ledger_key, reverses_line_id, created_at)
      select ${openPeriod.id}, x.type::commission_type, 'clawback', 'posted', x.beneficiary_id, 'order', ${orderId}, x.level, x.base, x.base_currency, x.rate, -x.amount, x.currency, x.fx_from, x.fx_to, x.key, x.id, ${at.toISOString()}::timestamptz
      from jsonb_to_recordset(${payload}::jsonb) as x(id bigint, type text, beneficiary_id bigint, level smallint, base numeric, base_currency text, rate numeric, amount numeric, currency text, fx_from numeric, fx_to numeric, key text)
      on conflict do nothing
      returning beneficiary_id, amount::text as amount, currency`);
    clawbacks = ins.length;
    await payByCurrency(
      tx,
      ins.map((r) => ({ member: Number(r.beneficiary_id), amount: r.amount, currency: r.currency.trim() as Currency })),
      {
        key: (c) => `commission.clawback:${orderId}:${c}`,
        kind: 'clawback',
        periodId: openPeriod.id,
        at,
        reference: { orderId, clawback: true },
      },
      total,
    );
  }
  return { orderId, voided, clawbacks, total };
}
