/**
 * A plan and a period's exchange rates compiled for the fast engine: rank thresholds as scaled
 * integers, every (rate × fx(from) / fx(to)) as an exact rational Factor indexed by currency pair.
 */
import { BASE_CURRENCY, CURRENCIES, Decimal, isDecimalString, type Currency, type ExchangeRates } from '../money';
import { MAX_RANK, type AmountsByCurrency, type PlanFigures } from '../plan';
import { InvalidExchangeRateError, MissingExchangeRateError } from './errors';
import { Factor, parseScaled } from './exact';

export const NCUR = CURRENCIES.length;
export const CUR_INDEX: Readonly<Record<string, number>> = Object.fromEntries(CURRENCIES.map((c, i) => [c, i]));
export const MXN_INDEX = CUR_INDEX[BASE_CURRENCY]!;
/** PV and programme points are held as integers in hundredths. */
export const PV_SCALE = 2;

/** A fixed amount (alcance, automóvil) resolved per beneficiary currency. */
export interface FixedAmount {
  /** Cents in the beneficiary's currency, per currency index (NaN when that currency has no rate). */
  readonly cents: readonly number[];
  /** The figure used as base, per currency index ("7500.00"). */
  readonly base: readonly string[];
  /** The currency of that figure, per currency index (its own, or MXN converted). */
  readonly baseCurrency: readonly Currency[];
}

export interface CompiledPlan {
  readonly plan: PlanFigures;
  /** MXN per unit, per currency index; undefined when not given (and not needed). */
  readonly rateStr: readonly (string | undefined)[];

  readonly rankPv: Float64Array;
  readonly rankPvg: Float64Array;
  readonly uniDepth: Uint8Array;

  readonly kitIndex: ReadonlyMap<string, number>;
  readonly kitPvH: readonly number[];
  /** Rápido base per kit: its PV taken as MXN ("1670.00"). */
  readonly kitBase: readonly string[];
  readonly kitTravelPts: readonly number[];

  readonly directoRate: string;
  readonly directoF: readonly (Factor | null)[];
  readonly levelCount: number;
  readonly levelRateStr: readonly string[];
  readonly uniF: readonly (readonly (Factor | null)[])[];
  readonly infRateStr: readonly (string | null)[];
  readonly infF: readonly (readonly (Factor | null)[] | null)[];
  readonly isInfRank: Uint8Array;
  readonly rapidoLevels: number;
  readonly rapidoRateStr: readonly string[];
  /** [level - 1][dst currency]: kit PV hundredths -> cents. */
  readonly rapidoF: readonly (readonly (Factor | null)[])[];
  readonly matchRates: readonly (readonly string[])[];
  readonly matchF: readonly (readonly (readonly (Factor | null)[])[])[];
  readonly maxMatchLevel: number;
  readonly alcance: readonly (FixedAmount | null)[];
  readonly alcanceMaxDays: readonly number[];
  readonly autoDown: FixedAmount;
  readonly autoMonthly: FixedAmount;
}

/**
 * Compiles a validated plan with the period's rates. `needed[c]` marks the currencies that must
 * have a rate (members' currencies); MXN defaults to "1".
 */
export function compilePlan(plan: PlanFigures, rates: ExchangeRates, needed: ArrayLike<number>): CompiledPlan {
  const rateStr: (string | undefined)[] = new Array<string | undefined>(NCUR).fill(undefined);
  for (let c = 0; c < NCUR; c++) {
    const code = CURRENCIES[c]!;
    const raw = rates[code];
    if (raw === undefined || raw === null) {
      if (code === BASE_CURRENCY) rateStr[c] = '1';
      else if (needed[c]) throw new MissingExchangeRateError(code);
      continue;
    }
    if (!isDecimalString(raw) || !new Decimal(raw).gt(0)) throw new InvalidExchangeRateError(code, raw);
    rateStr[c] = raw;
  }
  const mxnRate = rateStr[MXN_INDEX]!;

  /** rate × fx(src) / fx(dst) for every pair of currencies with a rate, [src * NCUR + dst]. */
  const pairTable = (rate: string | null): (Factor | null)[] => {
    const t: (Factor | null)[] = new Array<Factor | null>(NCUR * NCUR).fill(null);
    for (let s = 0; s < NCUR; s++) {
      const rs = rateStr[s];
      if (rs === undefined) continue;
      for (let d = 0; d < NCUR; d++) {
        const rd = rateStr[d];
        if (rd === undefined) continue;
        t[s * NCUR + d] = new Factor(rate === null ? [rs] : [rate, rs], [rd]);
      }
    }
    return t;
  };

  const kitIndex = new Map<string, number>();
  plan.kits.forEach((k, i) => kitIndex.set(k.sku, i));
  const kitPvH = plan.kits.map((k) => parseScaled(k.pv, PV_SCALE));
  const kitBase = plan.kits.map((k) => new Decimal(k.pv).times(plan.rapido.mxnPerPv).toFixed(2));
  const kitTravelPts = plan.kits.map(() => 0);
  for (const k of plan.travel.kitPoints) kitTravelPts[kitIndex.get(k.sku)!] = parseScaled(k.points, PV_SCALE);

  const rankPv = new Float64Array(MAX_RANK + 1).fill(Infinity);
  const rankPvg = new Float64Array(MAX_RANK + 1).fill(Infinity);
  const uniDepth = new Uint8Array(MAX_RANK + 1);
  for (const r of plan.ranks) {
    rankPv[r.rank] = parseScaled(r.pv, PV_SCALE);
    rankPvg[r.rank] = parseScaled(r.pvg, PV_SCALE);
    uniDepth[r.rank] = r.uninivelDepth;
  }
  rankPv[0] = 0;
  rankPvg[0] = 0;
  uniDepth[0] = 0;

  const levelCount = plan.uninivel.levels.length;
  const levelRateStr: string[] = new Array<string>(levelCount);
  for (const l of plan.uninivel.levels) levelRateStr[l.level - 1] = l.rate;

  const infRateStr: (string | null)[] = new Array<string | null>(MAX_RANK + 1).fill(null);
  for (const x of plan.uninivel.infinite) if (new Decimal(x.rate).gt(0)) infRateStr[x.rank] = x.rate;
  const isInfRank = new Uint8Array(MAX_RANK + 1);
  for (let r = 1; r <= MAX_RANK; r++) {
    // Unilevel Infinito pays only ranks that open the whole level table (the plan validates this).
    if (infRateStr[r] !== null && uniDepth[r]! >= levelCount) isInfRank[r] = 1;
  }

  const rapidoRateStr: string[] = new Array<string>(plan.rapido.levels.length);
  for (const l of plan.rapido.levels) rapidoRateStr[l.level - 1] = l.rate;
  const rapidoF = rapidoRateStr.map((r) => rateStr.map((rd) => (rd === undefined ? null : new Factor([r, plan.rapido.mxnPerPv, mxnRate], [rd]))));

  const matchRates: string[][] = Array.from({ length: MAX_RANK + 1 }, () => []);
  let maxMatchLevel = 0;
  for (const m of plan.matching) {
    const arr: string[] = new Array<string>(m.levels.length);
    for (const l of m.levels) arr[l.level - 1] = l.rate;
    matchRates[m.rank] = arr;
    maxMatchLevel = Math.max(maxMatchLevel, arr.length);
  }

  const mxnTo = pairTable(null);
  const fixed = (amounts: AmountsByCurrency): FixedAmount => {
    const cents: number[] = [];
    const base: string[] = [];
    const baseCurrency: Currency[] = [];
    for (let d = 0; d < NCUR; d++) {
      const code = CURRENCIES[d]!;
      const own = amounts[code];
      if (own !== undefined) {
        cents.push(parseScaled(own, 2));
        base.push(new Decimal(own).toFixed(2));
        baseCurrency.push(code);
      } else {
        const f = mxnTo[MXN_INDEX * NCUR + d];
        cents.push(f ? f.apply(parseScaled(amounts.MXN, 2)) : Number.NaN);
        base.push(new Decimal(amounts.MXN).toFixed(2));
        baseCurrency.push(BASE_CURRENCY);
      }
    }
    return { cents, base, baseCurrency };
  };
  const alcance: (FixedAmount | null)[] = new Array<FixedAmount | null>(MAX_RANK + 1).fill(null);
  const alcanceMaxDays: number[] = new Array<number>(MAX_RANK + 1).fill(-1);
  for (const a of plan.alcance) {
    alcance[a.rank] = fixed(a.amounts);
    if (a.maxDaysEnrolledBeforePeriodEnd !== undefined) alcanceMaxDays[a.rank] = a.maxDaysEnrolledBeforePeriodEnd;
  }

  return {
    plan,
    rateStr,
    rankPv,
    rankPvg,
    uniDepth,
    kitIndex,
    kitPvH,
    kitBase,
    kitTravelPts,
    directoRate: plan.directo.rate,
    directoF: pairTable(plan.directo.rate),
    levelCount,
    levelRateStr,
    uniF: levelRateStr.map((r) => pairTable(r)),
    infRateStr,
    infF: infRateStr.map((r) => (r === null ? null : pairTable(r))),
    isInfRank,
    rapidoLevels: rapidoRateStr.length,
    rapidoRateStr,
    rapidoF,
    matchRates,
    matchF: matchRates.map((arr) => arr.map((r) => pairTable(r))),
    maxMatchLevel,
    alcance,
    alcanceMaxDays,
    autoDown: fixed(plan.automovil.downPayment),
    autoMonthly: fixed(plan.automovil.monthly),
  };
}
