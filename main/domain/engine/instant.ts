/**
 * Instant bonuses of ONE order, for posting at payment confirmation (Bono Directo and Bono
 * Rápido are paid when the payment is confirmed, at the exchange rates in force at that moment).
 * Same rules and rounding as the period engine, which includes these lines in its period run.
 */
import { convert, Decimal, roundMoney, type Currency, type ExchangeRates } from '../money';
import type { PlanFigures } from '../plan';
import { InvalidExchangeRateError, MissingExchangeRateError, UnknownKitSkuError } from './errors';
import type { CommissionLine, EngineOrder } from './types';

export interface UplineMember {
  readonly id: string;
  readonly currency: Currency;
}

/**
 * Directo (product orders) or Rápido (kit orders) lines of an order. `upline` is the buyer's
 * sponsor line, level 1 (the sponsor) first; it needs as many levels as the plan's Rápido table.
 */
export function instantLines(
  order: Pick<EngineOrder, 'id' | 'kind' | 'sku' | 'vn' | 'currency'>,
  upline: readonly UplineMember[],
  plan: PlanFigures,
  rates: ExchangeRates,
): CommissionLine[] {
  const rate = (c: Currency): string => {
    const r = rates[c] ?? (c === 'MXN' ? '1' : undefined);
    if (r === undefined) throw new MissingExchangeRateError(c);
    if (!/^\d+(\.\d+)?$/.test(r) || !new Decimal(r).gt(0)) throw new InvalidExchangeRateError(c, r);
    return r;
  };
  const out: CommissionLine[] = [];
  const push = (type: 'directo' | 'rapido', to: UplineMember, level: number, base: Decimal, baseCurrency: Currency, r: string) => {
    const fx = { [baseCurrency]: rate(baseCurrency), [to.currency]: rate(to.currency) };
    const amount = roundMoney(convert(base.times(r), baseCurrency, to.currency, fx));
    if (amount.isZero()) return;
    out.push({
      type,
      beneficiary: to.id,
      source: order.id,
      level,
      amount: amount.toFixed(2),
      currency: to.currency,
      sourceKind: 'order',
      base: base.toFixed(2),
      baseCurrency,
      rate: r,
      fxFrom: rate(baseCurrency),
      fxTo: rate(to.currency),
    });
  };
  if (order.kind === 'kit') {
    const kit = plan.kits.find((k) => k.sku === order.sku);
    if (!kit) throw new UnknownKitSkuError(order.id, order.sku);
    const base = new Decimal(kit.pv).times(plan.rapido.mxnPerPv);
    for (const l of plan.rapido.levels) {
      const to = upline[l.level - 1];
      if (to) push('rapido', to, l.level, base, 'MXN', l.rate);
    }
  } else {
    const to = upline[0];
    if (to) push('directo', to, 1, new Decimal(order.vn), order.currency, plan.directo.rate);
  }
  return out;
}
