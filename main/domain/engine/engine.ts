/**
 * The FAST period engine: volumes, ranks, the six money bonuses and the three programmes of one
 * period, over bulk-loaded arrays. Pure: no I/O.
 *
 * Layout: members get integer indices; the sponsor tree is an Int32Array of parent indices plus a
 * breadth-first order (parents before children), so PVG is one reverse pass. Every order walks its
 * sponsor line once: the first levels of the uninivel table step by step, deeper levels (Unilevel
 * Infinito) jump from Embajador to Embajador with precomputed pointers. Money is integer cents in
 * doubles, multiplied by exact rational factors (see exact.ts), rounded half-up once per line.
 */
import { BASE_CURRENCY, CURRENCIES, CURRENCY_OF_COUNTRY, Decimal, isCountry, isDecimalString, type Currency } from '../money';
import { parsePeriodKey, periodBounds, periodDayStart, previousPeriod, toEpochMs, type PeriodKey } from '../period';
import { MAX_RANK, validatePlan, type AmountsByCurrency, type PlanFigures, type Rank } from '../plan';
import type { RankChange } from '../ranks';
import {
  EngineInputError,
  InvalidExchangeRateError,
  MissingExchangeRateError,
  SponsorCycleError,
  UnknownKitSkuError,
  UnknownSponsorError,
} from './errors';
import { Factor, VolumeOverflowError, decimalsOf, formatCents, formatScaled, parseScaled } from './exact';
import type {
  CommissionLine,
  EngineInput,
  EngineOutput,
  LineType,
  ProgramRow,
  VolumeRow,
} from './types';

const NCUR = CURRENCIES.length;
const CUR_INDEX: Record<string, number> = Object.fromEntries(CURRENCIES.map((c, i) => [c, i]));
const DAY_MS = 86_400_000;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** PV and points are held as integers in hundredths. */
const PV_SCALE = 2;

class Line implements CommissionLine {
  constructor(
    readonly type: LineType,
    readonly beneficiary: string,
    readonly source: string,
    readonly level: number,
    readonly amount: string,
    readonly currency: Currency,
    readonly sourceKind: 'order' | 'member',
    readonly base: string,
    readonly baseCurrency: Currency,
    readonly rate: string | null,
    readonly fxFrom: string,
    readonly fxTo: string,
  ) {}
}

function invalid(message: string, details: Record<string, unknown> = {}): EngineInputError {
  return new EngineInputError('INVALID_INPUT', message, details);
}

function overflow(what: string): EngineInputError {
  return new EngineInputError('VOLUME_OVERFLOW', `${what} exceeds the exact integer range of the fast engine`);
}

interface FixedAmount {
  /** Cents in the beneficiary's currency, per currency index. */
  cents: number[];
  base: string[];
  baseCurrency: Currency[];
}

/** Runs the period engine. Throws EngineInputError (typed subclasses) on inconsistent input. */
export function runPeriodEngine(input: EngineInput): EngineOutput {
  try {
    return run(input);
  } catch (e) {
    if (e instanceof VolumeOverflowError) throw overflow(e.message);
    throw e;
  }
}

function run(input: EngineInput): EngineOutput {
  const plan: PlanFigures = validatePlan(input.plan);
  const { year, month } = parsePeriodKey(input.period);
  const period = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}` as PeriodKey;
  const bounds = periodBounds(period);
  const startMs = bounds.startsAt.getTime();
  const endMs = bounds.endsAt.getTime();
  const loyaltyCutoffMs = periodDayStart(period, plan.loyalty.lastDayOfMonth + 1).getTime();

  const members = input.members;
  const n = members.length;

  // ---- members -------------------------------------------------------------------------------
  const indexOf = new Map<string, number>();
  const ids: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const m = members[i]!;
    if (typeof m.id !== 'string' || m.id.length === 0) throw invalid(`member #${i} has no id`);
    if (indexOf.has(m.id)) throw new EngineInputError('DUPLICATE_MEMBER', `member ${m.id} is listed twice`, { member: m.id });
    indexOf.set(m.id, i);
    ids[i] = m.id;
  }
  const parent = new Int32Array(n);
  const cur = new Uint8Array(n);
  const career = new Uint8Array(n);
  const usedCurrency = new Uint8Array(NCUR);
  usedCurrency[CUR_INDEX[BASE_CURRENCY]!] = 1;
  for (let i = 0; i < n; i++) {
    const m = members[i]!;
    if (m.sponsorId === null || m.sponsorId === undefined) parent[i] = -1;
    else {
      const p = indexOf.get(m.sponsorId);
      if (p === undefined) throw new UnknownSponsorError(m.id, m.sponsorId);
      parent[i] = p;
    }
    if (!isCountry(m.country)) throw invalid(`member ${m.id} has an unknown country ${JSON.stringify(m.country)}`);
    const c = CUR_INDEX[CURRENCY_OF_COUNTRY[m.country]]!;
    cur[i] = c;
    usedCurrency[c] = 1;
    const cr = m.careerRank;
    if (!Number.isInteger(cr) || cr < 0 || cr > MAX_RANK) throw invalid(`member ${m.id} has an invalid career rank ${cr}`);
    career[i] = cr;
    const lp = m.loyaltyPoints;
    if (!Number.isInteger(lp) || lp < 0) throw invalid(`member ${m.id} has invalid loyalty points ${lp}`);
  }

  // ---- exchange rates ------------------------------------------------------------------------
  const rateStr: string[] = new Array<string>(NCUR);
  for (let c = 0; c < NCUR; c++) {
    const code = CURRENCIES[c]!;
    const raw = input.rates[code];
    if (raw === undefined || raw === null) {
      if (code === BASE_CURRENCY) rateStr[c] = '1';
      else if (usedCurrency[c]) throw new MissingExchangeRateError(code);
      continue;
    }
    if (!isDecimalString(raw) || !new Decimal(raw).gt(0)) throw new InvalidExchangeRateError(code, raw);
    rateStr[c] = raw;
  }
  const mxn = CUR_INDEX[BASE_CURRENCY]!;

  // ---- sponsor tree: breadth-first order, depth, cycle detection ------------------------------
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const p = parent[i]!;
    if (p >= 0) childStart[p + 1]!++;
  }
  for (let i = 0; i < n; i++) childStart[i + 1]! += childStart[i]!;
  const childList = new Int32Array(n);
  {
    const fill = childStart.slice(0, n);
    for (let i = 0; i < n; i++) {
      const p = parent[i]!;
      if (p >= 0) childList[fill[p]!++] = i;
    }
  }
  const order = new Int32Array(n);
  const depth = new Int32Array(n);
  let qlen = 0;
  for (let i = 0; i < n; i++) if (parent[i]! < 0) order[qlen++] = i;
  for (let h = 0; h < qlen; h++) {
    const v = order[h]!;
    const d = depth[v]! + 1;
    for (let k = childStart[v]!, e = childStart[v + 1]!; k < e; k++) {
      const c = childList[k]!;
      depth[c] = d;
      order[qlen++] = c;
    }
  }
  if (qlen < n) throw new SponsorCycleError(findCycle(parent, order, qlen, ids));

  // ---- plan, compiled ------------------------------------------------------------------------
  const kitIndex = new Map<string, number>();
  const kitPvH: number[] = [];
  const kitBase: string[] = [];
  plan.kits.forEach((k, i) => {
    kitIndex.set(k.sku, i);
    kitPvH.push(parseScaled(k.pv, PV_SCALE));
  });
  const mxnPerPvCentsStr = plan.rapido.mxnPerPv;
  for (const k of plan.kits) kitBase.push(new Decimal(k.pv).times(mxnPerPvCentsStr).toFixed(2));

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

  // Factor tables, [src * NCUR + dst]; only pairs of currencies with a rate.
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
  const levelCount = plan.uninivel.levels.length;
  const levelRateStr: string[] = new Array<string>(levelCount);
  for (const l of plan.uninivel.levels) levelRateStr[l.level - 1] = l.rate;
  const uniF = levelRateStr.map((r) => pairTable(r));
  const directoF = pairTable(plan.directo.rate);

  const infRateStr: (string | null)[] = new Array<string | null>(MAX_RANK + 1).fill(null);
  for (const x of plan.uninivel.infinite) if (new Decimal(x.rate).gt(0)) infRateStr[x.rank] = x.rate;
  const infF: ((Factor | null)[] | null)[] = infRateStr.map((r) => (r === null ? null : pairTable(r)));
  const isInfRank = new Uint8Array(MAX_RANK + 1);
  for (let r = 0; r <= MAX_RANK; r++) {
    // Infinite levels only pay ranks that open the whole level table (validated by the plan).
    if (infRateStr[r] !== null && uniDepth[r]! >= levelCount) isInfRank[r] = 1;
  }

  const rapidoLevels = plan.rapido.levels.length;
  const rapidoRateStr: string[] = new Array<string>(rapidoLevels);
  for (const l of plan.rapido.levels) rapidoRateStr[l.level - 1] = l.rate;
  // Rapido base: kit PV in hundredths = MXN cents × mxnPerPv.
  const rapidoF = rapidoRateStr.map((r) => {
    const out: (Factor | null)[] = new Array<Factor | null>(NCUR).fill(null);
    for (let d = 0; d < NCUR; d++) {
      const rd = rateStr[d];
      if (rd !== undefined) out[d] = new Factor([r, plan.rapido.mxnPerPv, rateStr[mxn]!], [rd]);
    }
    return out;
  });

  const matchRates: string[][] = Array.from({ length: MAX_RANK + 1 }, () => []);
  let maxMatchLevel = 0;
  for (const m of plan.matching) {
    const arr: string[] = new Array<string>(m.levels.length);
    for (const l of m.levels) arr[l.level - 1] = l.rate;
    matchRates[m.rank] = arr;
    if (arr.length > maxMatchLevel) maxMatchLevel = arr.length;
  }
  const matchF: (Factor | null)[][][] = matchRates.map((arr) => arr.map((r) => pairTable(r)));

  const fixedFactor = pairTable(null); // MXN -> dst conversion of fixed MXN figures
  const fixed = (amounts: AmountsByCurrency): FixedAmount => {
    const out: FixedAmount = { cents: [], base: [], baseCurrency: [] };
    for (let d = 0; d < NCUR; d++) {
      const code = CURRENCIES[d]!;
      const own = amounts[code];
      if (own !== undefined) {
        out.cents.push(parseScaled(own, 2));
        out.base.push(new Decimal(own).toFixed(2));
        out.baseCurrency.push(code);
      } else {
        const f = fixedFactor[mxn * NCUR + d];
        out.cents.push(f ? f.apply(parseScaled(amounts.MXN, 2)) : Number.NaN);
        out.base.push(new Decimal(amounts.MXN).toFixed(2));
        out.baseCurrency.push(BASE_CURRENCY);
      }
    }
    return out;
  };
  const alcance: (FixedAmount | null)[] = new Array<FixedAmount | null>(MAX_RANK + 1).fill(null);
  const alcanceMaxDays: number[] = new Array<number>(MAX_RANK + 1).fill(-1);
  for (const a of plan.alcance) {
    alcance[a.rank] = fixed(a.amounts);
    if (a.maxDaysEnrolledBeforePeriodEnd !== undefined) alcanceMaxDays[a.rank] = a.maxDaysEnrolledBeforePeriodEnd;
  }
  const autoDown = fixed(plan.automovil.downPayment);
  const autoMonthly = fixed(plan.automovil.monthly);

  // ---- orders: period filter, volumes, loyalty -----------------------------------------------
  const orders = input.orders;
  const pv = new Float64Array(n); // hundredths
  const vn = new Float64Array(n); // cents
  const loyaltyQualified = new Uint8Array(n);
  const inPeriod: number[] = [];
  const orderBuyer: number[] = [];
  const orderAmount: number[] = []; // VN cents (product) or kit index (kit)
  const orderIsKit: boolean[] = [];
  let totalPv = 0;
  let totalVn = 0;
  const seenOrder = new Set<string>();
  for (let k = 0, no = orders.length; k < no; k++) {
    const o = orders[k]!;
    const b = indexOf.get(o.member);
    if (b === undefined) {
      throw new EngineInputError('UNKNOWN_MEMBER', `order ${o.id} belongs to an unknown member ${o.member}`, {
        order: o.id,
        member: o.member,
      });
    }
    const isKit = o.kind === 'kit';
    if (!isKit && o.kind !== 'product') throw invalid(`order ${o.id} has an unknown kind ${JSON.stringify(o.kind)}`);
    let kit = -1;
    if (isKit) {
      const ki = o.sku === undefined || o.sku === null ? undefined : kitIndex.get(o.sku);
      if (ki === undefined) throw new UnknownKitSkuError(o.id, o.sku);
      kit = ki;
    }
    let paid: number;
    try {
      paid = toEpochMs(o.paidAt);
    } catch {
      throw invalid(`order ${o.id} has an invalid paidAt ${JSON.stringify(o.paidAt)}`);
    }
    if (paid < startMs || paid >= endMs) continue;
    if (seenOrder.has(o.id)) throw new EngineInputError('DUPLICATE_ORDER', `order ${o.id} is listed twice`, { order: o.id });
    seenOrder.add(o.id);
    if (CUR_INDEX[o.currency] !== cur[b]) {
      throw new EngineInputError(
        'ORDER_CURRENCY_MISMATCH',
        `order ${o.id} is in ${o.currency} but its buyer ${o.member} pays in ${CURRENCIES[cur[b]!]}`,
        { order: o.id, currency: o.currency },
      );
    }
    const opv = parseScaled(o.pv, PV_SCALE);
    if (Number.isNaN(opv)) throw invalid(`order ${o.id} has an invalid pv ${JSON.stringify(o.pv)}`);
    const ovn = parseScaled(o.vn, 2);
    if (Number.isNaN(ovn)) throw invalid(`order ${o.id} has an invalid vn ${JSON.stringify(o.vn)}`);
    pv[b] = pv[b]! + opv;
    totalPv += opv;
    if (paid < loyaltyCutoffMs) loyaltyQualified[b] = 1;
    inPeriod.push(k);
    orderBuyer.push(b);
    orderIsKit.push(isKit);
    if (isKit) orderAmount.push(kit);
    else {
      vn[b] = vn[b]! + ovn;
      totalVn += ovn;
      orderAmount.push(ovn);
    }
  }
  if (totalPv > MAX_SAFE) throw overflow('total PV');
  if (totalVn > MAX_SAFE) throw overflow('total VN');

  // ---- PVG (one reverse pass), paid-as and career ranks --------------------------------------
  const pvg = Float64Array.from(pv);
  for (let h = n - 1; h >= 0; h--) {
    const v = order[h]!;
    const p = parent[v]!;
    if (p >= 0) pvg[p] = pvg[p]! + pvg[v]!;
  }
  const paidAs = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = pv[i]!;
    const g = pvg[i]!;
    let r = MAX_RANK;
    while (r > 0 && !(a >= rankPv[r]! && g >= rankPvg[r]!)) r--;
    paidAs[i] = r;
  }

  // Nearest strict ancestor earning Unilevel Infinito (parents come first in `order`).
  const nextInf = new Int32Array(n);
  for (let h = 0; h < n; h++) {
    const v = order[h]!;
    const p = parent[v]!;
    nextInf[v] = p < 0 ? -1 : isInfRank[paidAs[p]!] ? p : nextInf[p]!;
  }

  // ---- instant and uninivel lines over the period's orders ------------------------------------
  const lines: Line[] = [];
  const uniSum = new Float64Array(n); // sum of a member's rounded uninivel lines, cents
  let uniTotal = 0;
  const travelKitPts = new Float64Array(n); // hundredths of points
  const kitTravelPts: number[] = plan.kits.map(() => 0);
  for (const k of plan.travel.kitPoints) kitTravelPts[kitIndex.get(k.sku)!] = parseScaled(k.points, PV_SCALE);
  const directoRate = plan.directo.rate;

  for (let j = 0, nj = inPeriod.length; j < nj; j++) {
    const b = orderBuyer[j]!;
    const s = parent[b]!;
    if (s < 0) continue;
    const o = orders[inPeriod[j]!]!;
    const src = cur[b]!;
    const srcCode = CURRENCIES[src]!;
    const fxFrom = rateStr[src]!;
    if (orderIsKit[j]) {
      const ki = orderAmount[j]!;
      travelKitPts[s] = travelKitPts[s]! + kitTravelPts[ki]!;
      const base = kitPvH[ki]!;
      let a = s;
      for (let L = 1; L <= rapidoLevels && a >= 0; L++) {
        const d = cur[a]!;
        const cents = rapidoF[L - 1]![d]!.apply(base);
        if (cents !== 0) {
          lines.push(
            new Line('rapido', ids[a]!, o.id, L, formatCents(cents), CURRENCIES[d]!, 'order', kitBase[ki]!, BASE_CURRENCY, rapidoRateStr[L - 1]!, rateStr[mxn]!, rateStr[d]!),
          );
        }
        a = parent[a]!;
      }
      continue;
    }
    const v = orderAmount[j]!;
    if (v === 0) continue;
    const baseStr = formatCents(v);
    const rowBase = src * NCUR;
    {
      const d = cur[s]!;
      const cents = directoF[rowBase + d]!.apply(v);
      if (cents !== 0) {
        lines.push(new Line('directo', ids[s]!, o.id, 1, formatCents(cents), CURRENCIES[d]!, 'order', baseStr, srcCode, directoRate, fxFrom, rateStr[d]!));
      }
    }
    let a = s;
    let L = 1;
    for (; L <= levelCount && a >= 0; L++) {
      if (L <= uniDepth[paidAs[a]!]!) {
        const d = cur[a]!;
        const cents = uniF[L - 1]![rowBase + d]!.apply(v);
        if (cents !== 0) {
          lines.push(new Line('uninivel', ids[a]!, o.id, L, formatCents(cents), CURRENCIES[d]!, 'order', baseStr, srcCode, levelRateStr[L - 1]!, fxFrom, rateStr[d]!));
          uniSum[a] = uniSum[a]! + cents;
          uniTotal += cents;
        }
      }
      a = parent[a]!;
    }
    if (a >= 0) {
      // Unilevel Infinito: a is the upline at level levelCount + 1.
      const bd = depth[b]!;
      for (let e = isInfRank[paidAs[a]!] ? a : nextInf[a]!; e >= 0; e = nextInf[e]!) {
        const r = paidAs[e]!;
        const d = cur[e]!;
        const cents = infF[r]![rowBase + d]!.apply(v);
        if (cents !== 0) {
          lines.push(new Line('uninivel', ids[e]!, o.id, bd - depth[e]!, formatCents(cents), CURRENCIES[d]!, 'order', baseStr, srcCode, infRateStr[r]!, fxFrom, rateStr[d]!));
          uniSum[e] = uniSum[e]! + cents;
          uniTotal += cents;
        }
      }
    }
  }
  if (uniTotal > MAX_SAFE) throw overflow('total Uninivel');

  // ---- matching ------------------------------------------------------------------------------
  if (maxMatchLevel > 0) {
    for (let m = 0; m < n; m++) {
      const base = uniSum[m]!;
      if (base === 0) continue;
      const src = cur[m]!;
      let baseStr: string | undefined;
      let a = parent[m]!;
      for (let L = 1; L <= maxMatchLevel && a >= 0; L++, a = parent[a]!) {
        const rates = matchRates[paidAs[a]!]!;
        if (L > rates.length) continue;
        const d = cur[a]!;
        const cents = matchF[paidAs[a]!]![L - 1]![src * NCUR + d]!.apply(base);
        if (cents !== 0) {
          baseStr ??= formatCents(base);
          lines.push(new Line('matching', ids[a]!, ids[m]!, L, formatCents(cents), CURRENCIES[d]!, 'member', baseStr, CURRENCIES[src]!, rates[L - 1]!, rateStr[src]!, rateStr[d]!));
        }
      }
    }
  }

  // ---- history: paid-as ranks of the previous periods ----------------------------------------
  const autoPeriods = plan.automovil.consecutivePeriods;
  const prevKeys: string[] = [];
  for (let i = 1, p: string = period; i <= Math.max(1, autoPeriods - 1); i++) {
    p = previousPeriod(p);
    prevKeys.push(p);
  }
  const prevRanks = prevKeys.map(() => new Int8Array(n).fill(-1));
  const prevIndex = new Map(prevKeys.map((k, i) => [k, i]));
  for (const h of input.history) {
    const pi = prevIndex.get(h.period);
    if (pi === undefined) continue;
    const m = indexOf.get(h.member);
    if (m === undefined) {
      throw new EngineInputError('UNKNOWN_MEMBER', `history row for an unknown member ${h.member}`, { member: h.member });
    }
    const r = h.paidAsRank;
    if (!Number.isInteger(r) || r < 0 || r > MAX_RANK) throw invalid(`history row ${h.member} ${h.period} has an invalid paid-as rank ${r}`);
    const arr = prevRanks[pi]!;
    if (arr[m] !== -1) throw invalid(`history has two rows for member ${h.member} in ${h.period}`);
    arr[m] = r;
  }

  // ---- per member: alcance, automóvil, programmes, volumes -----------------------------------
  const minAutoRank = plan.automovil.minRank;
  const cashbackMin = parseScaled(plan.cashback.minPv, PV_SCALE);
  const { pointsPerMonth, giftAtPoints } = plan.loyalty;

  const campaign = input.travelCampaign ?? null;
  let campaignActive = false;
  let multScaled = 0;
  let travelScale = 0;
  let targetScaled = 0;
  const ownRankPts = new Float64Array(MAX_RANK + 1);
  const recruitRankPts = new Float64Array(MAX_RANK + 1);
  if (campaign) {
    parsePeriodKey(campaign.from);
    parsePeriodKey(campaign.to);
    if (!isDecimalString(campaign.multiplier, { nonNegative: true })) {
      throw invalid(`travel campaign multiplier ${JSON.stringify(campaign.multiplier)} is not a decimal`);
    }
    campaignActive = campaign.from <= period && period <= campaign.to;
    const mDec = decimalsOf(campaign.multiplier);
    multScaled = parseScaled(campaign.multiplier, mDec);
    travelScale = PV_SCALE + mDec;
    targetScaled = parseScaled(plan.travel.targetPoints, travelScale);
    for (const x of plan.travel.ownRankPoints) ownRankPts[x.rank] = parseScaled(x.points, PV_SCALE);
    for (const x of plan.travel.recruitRankPoints) recruitRankPts[x.rank] = parseScaled(x.points, PV_SCALE);
  }
  const travelRecruitPts = new Float64Array(campaignActive ? n : 0);
  if (campaignActive) {
    for (let i = 0; i < n; i++) {
      const p = parent[i]!;
      if (p >= 0) travelRecruitPts[p] = travelRecruitPts[p]! + recruitRankPts[paidAs[i]!]!;
    }
  }

  const volumes: VolumeRow[] = new Array<VolumeRow>(n);
  const programs: ProgramRow[] = new Array<ProgramRow>(n);
  const rankChanges: RankChange[] = [];
  const prev1 = prevRanks[0]!;
  const alcanceWindowBase = endMs;

  for (let i = 0; i < n; i++) {
    const m = members[i]!;
    const id = ids[i]!;
    const r = paidAs[i]! as Rank;
    const c0 = career[i]! as Rank;
    const d = cur[i]!;
    const code = CURRENCIES[d]!;
    const fxTo = rateStr[d]!;

    // Bono por Alcance: every rank above the career rank up to the new paid-as rank.
    if (r > c0) {
      let enrolledMs = Number.NaN;
      for (let k = c0 + 1; k <= r; k++) {
        const a = alcance[k];
        if (!a) continue;
        const maxDays = alcanceMaxDays[k]!;
        if (maxDays >= 0) {
          if (Number.isNaN(enrolledMs)) enrolledMs = enrolledAtMs(m.enrolledAt, id);
          if (alcanceWindowBase - enrolledMs > maxDays * DAY_MS) continue;
        }
        const cents = a.cents[d]!;
        if (cents !== 0) {
          const bc = a.baseCurrency[d]!;
          lines.push(new Line('alcance', id, id, k, formatCents(cents), code, 'member', a.base[d]!, bc, null, rateStr[CUR_INDEX[bc]!]!, fxTo));
        }
      }
    }

    // Bono Automóvil.
    let carPaid = m.carDownPaymentPaid === true;
    if (r >= minAutoRank) {
      let ok = true;
      for (let p = 0; p < autoPeriods - 1; p++) if (prevRanks[p]![i]! < minAutoRank) ok = false;
      if (ok) {
        const fa = carPaid ? autoMonthly : autoDown;
        const level = carPaid ? 2 : 1;
        const cents = fa.cents[d]!;
        if (cents !== 0) {
          const bc = fa.baseCurrency[d]!;
          lines.push(new Line('automovil', id, id, level, formatCents(cents), code, 'member', fa.base[d]!, bc, null, rateStr[CUR_INDEX[bc]!]!, fxTo));
        }
        carPaid = true;
      }
    }

    // Loyalty.
    let loyaltyPoints = 0;
    let loyaltyGift = false;
    if (loyaltyQualified[i]) {
      loyaltyPoints = m.loyaltyPoints + pointsPerMonth;
      if (loyaltyPoints >= giftAtPoints) {
        loyaltyGift = true;
        loyaltyPoints = 0;
      }
    }

    // NN Travels.
    let travelPoints: string;
    if (campaignActive) {
      const pts = ownRankPts[r]! + travelRecruitPts[i]! + travelKitPts[i]!;
      const prev = parseScaled(m.travelPoints, travelScale);
      const add = pts * multScaled;
      if (!Number.isNaN(prev) && add <= MAX_SAFE && prev + add <= MAX_SAFE) {
        const t = prev + add;
        travelPoints = formatScaled(t < targetScaled ? t : targetScaled, travelScale);
      } else {
        travelPoints = travelSlow(m.travelPoints, pts, campaign!.multiplier, plan.travel.targetPoints, id);
      }
    } else {
      travelPoints = normalizePoints(m.travelPoints, id);
    }

    programs[i] = {
      member: id,
      cashback: pv[i]! >= cashbackMin,
      loyaltyPoints,
      loyaltyGift,
      travelPoints,
      carDownPaymentPaid: carPaid,
    };

    const careerAfter = (r > c0 ? r : c0) as Rank;
    volumes[i] = {
      member: id,
      pv: formatScaled(pv[i]!, PV_SCALE),
      vn: formatCents(vn[i]!),
      pvg: formatScaled(pvg[i]!, PV_SCALE),
      paidAsRank: r,
      careerRank: careerAfter,
    };
    if (careerAfter !== c0) rankChanges.push({ member: id, period, kind: 'career', from: c0, to: careerAfter });
    const pr = prev1[i]! < 0 ? 0 : prev1[i]!;
    if (pr !== r) rankChanges.push({ member: id, period, kind: 'paidAs', from: pr as Rank, to: r });
  }

  return { period, volumes, lines, programs, rankChanges };
}

function enrolledAtMs(at: unknown, id: string): number {
  try {
    return toEpochMs(at as string);
  } catch {
    throw invalid(`member ${id} has an invalid enrolledAt ${JSON.stringify(at)}`);
  }
}

const PLAIN_INT_RE = /^(0|[1-9]\d*)$/;

function normalizePoints(s: string, id: string): string {
  if (PLAIN_INT_RE.test(s)) return s;
  if (!isDecimalString(s, { nonNegative: true })) throw invalid(`member ${id} has invalid travel points ${JSON.stringify(s)}`);
  const v = new Decimal(s);
  return v.isZero() ? '0' : v.toFixed();
}

function travelSlow(prev: string, ptsHundredths: number, multiplier: string, target: string, id: string): string {
  if (!isDecimalString(prev, { nonNegative: true })) throw invalid(`member ${id} has invalid travel points ${JSON.stringify(prev)}`);
  const t = new Decimal(prev).plus(new Decimal(ptsHundredths).div(100).times(multiplier));
  const capped = Decimal.min(t, target);
  return capped.isZero() ? '0' : capped.toFixed();
}

function findCycle(parent: Int32Array, order: Int32Array, reached: number, ids: string[]): string[] {
  const n = parent.length;
  const seen = new Uint8Array(n);
  for (let h = 0; h < reached; h++) seen[order[h]!] = 1;
  let start = 0;
  while (start < n && seen[start]) start++;
  // Walk up from an unreached member: its sponsors are unreached too, so the walk must loop.
  const onPath = new Map<number, number>();
  const path: number[] = [];
  let v = start;
  while (!onPath.has(v)) {
    onPath.set(v, path.length);
    path.push(v);
    v = parent[v]!;
  }
  return path.slice(onPath.get(v)!).map((i) => ids[i]!);
}
