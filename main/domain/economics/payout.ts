/**
 * The payout ratio (pure, exact): commissions paid in a period ÷ the VN of its paid orders, both in
 * MXN. Commissions are every bonus, instant and monthly, clawbacks netted (a clawback is a negative
 * amount), each converted at the rate stored with it (the company's rate the line used); VN is each
 * paid order's VN at the rate in force at the period's start, rounded to the cent per order (as the
 * period's volumes count it). Per bonus: that bonus's commissions ÷ all VN. Per country:
 * commissions paid to members of the country (a beneficiary is paid in its country's currency) ÷
 * VN of orders of members of the country. The ratio is a decimal string (6 decimals, half-up);
 * null when there was no VN.
 */
import { COUNTRIES, CURRENCY_OF_COUNTRY, Decimal, type Country } from '../money';

/** Commissions of one bonus in one currency: amount in that currency, its MXN (unrounded), lines. */
export interface PayoutCommission {
  type: string;
  currency: string;
  amount: string;
  amountMxn: string;
  lines: number;
}
/** VN of the paid orders of one country's members: in the orders' currency and in MXN. */
export interface PayoutSales {
  country: string;
  currency: string;
  vn: string;
  vnMxn: string;
  orders: number;
}
export interface PayoutFigures {
  commissions: PayoutCommission[];
  sales: PayoutSales[];
}

export interface PayoutRatio {
  commissionsMxn: string;
  vnMxn: string;
  ratio: string | null;
  byBonus: { type: string; commissionsMxn: string; ratio: string | null; byCurrency: Record<string, string> }[];
  byCountry: { country: string; currency: string; commissionsMxn: string; commissions: string; vnMxn: string; ratio: string | null }[];
  lines: number;
  orders: number;
}

const RATIO_DECIMALS = 6;
export const ratioOf = (num: Decimal | string, den: Decimal | string): string | null =>
  new Decimal(den).isZero() ? null : new Decimal(num).div(den).toDecimalPlaces(RATIO_DECIMALS, Decimal.ROUND_HALF_UP).toFixed(RATIO_DECIMALS);
const cents = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);

const COUNTRY_OF_CURRENCY = new Map<string, Country>(COUNTRIES.map((c) => [CURRENCY_OF_COUNTRY[c], c]));
/** A beneficiary is paid in its country's currency: the currency names the country (one each). */
export const countryOfCurrency = (currency: string): string => COUNTRY_OF_CURRENCY.get(currency) ?? currency;

/** The ratio overall, per bonus and per country. MXN totals are shown rounded to the cent; the ratio uses the exact sums. */
export function payoutRatio(f: PayoutFigures): PayoutRatio {
  let comm = new Decimal(0);
  let vn = new Decimal(0);
  let lines = 0;
  let orders = 0;
  const byType = new Map<string, { mxn: Decimal; byCurrency: Record<string, Decimal> }>();
  const byCountry = new Map<string, { currency: string; mxn: Decimal; amount: Decimal; vn: Decimal }>();
  const country = (c: string, currency: string) => {
    let e = byCountry.get(c);
    if (!e) byCountry.set(c, (e = { currency, mxn: new Decimal(0), amount: new Decimal(0), vn: new Decimal(0) }));
    return e;
  };
  for (const c of f.commissions) {
    const mxn = new Decimal(c.amountMxn);
    comm = comm.plus(mxn);
    lines += c.lines;
    const t = byType.get(c.type) ?? { mxn: new Decimal(0), byCurrency: {} };
    t.mxn = t.mxn.plus(mxn);
    t.byCurrency[c.currency] = (t.byCurrency[c.currency] ?? new Decimal(0)).plus(c.amount);
    byType.set(c.type, t);
    const e = country(countryOfCurrency(c.currency), c.currency);
    e.mxn = e.mxn.plus(mxn);
    e.amount = e.amount.plus(c.amount);
  }
  for (const s of f.sales) {
    vn = vn.plus(s.vnMxn);
    orders += s.orders;
    const e = country(s.country, CURRENCY_OF_COUNTRY[s.country as Country] ?? s.currency);
    e.vn = e.vn.plus(s.vnMxn);
  }
  return {
    commissionsMxn: cents(comm),
    vnMxn: cents(vn),
    ratio: ratioOf(comm, vn),
    lines,
    orders,
    byBonus: [...byType]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, t]) => ({
        type,
        commissionsMxn: cents(t.mxn),
        ratio: ratioOf(t.mxn, vn),
        byCurrency: Object.fromEntries(Object.entries(t.byCurrency).map(([k, v]) => [k, v.toFixed(2)])),
      })),
    byCountry: [...byCountry]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([c, e]) => ({
        country: c,
        currency: e.currency,
        commissionsMxn: cents(e.mxn),
        commissions: e.amount.toFixed(2),
        vnMxn: cents(e.vn),
        ratio: ratioOf(e.mxn, e.vn),
      })),
  };
}

/**
 * A period's figures from engine totals (a preview: amount per bonus and currency, converted at the
 * period's rates) plus lines already posted that the engine does not produce (clawbacks).
 */
export function figuresFromTotals(
  byType: Record<string, Record<string, string>>,
  rates: Record<string, string>,
  extra: PayoutCommission[],
  sales: PayoutSales[],
): PayoutFigures {
  const commissions: PayoutCommission[] = [];
  for (const [type, per] of Object.entries(byType)) {
    for (const [currency, amount] of Object.entries(per)) {
      const rate = rates[currency];
      if (rate === undefined) throw new Error(`no rate for ${currency}`);
      commissions.push({ type, currency, amount, amountMxn: new Decimal(amount).times(rate).toFixed(), lines: 0 });
    }
  }
  return { commissions: [...commissions, ...extra], sales };
}
