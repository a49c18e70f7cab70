/**
 * The FAST period engine: volumes, ranks, the six money bonuses and the three programmes of one
 * period, over bulk-loaded arrays. Pure: no I/O.
 *
 * Layout: members get integer indices; the sponsor tree is an Int32Array of parent indices plus a
 * breadth-first order (sponsors before their recruits), so PVG is one reverse pass. Every order
 * walks its sponsor line once: the levels of the uninivel table step by step, deeper levels
 * (Unilevel Infinito) jump from one earning Embajador to the next with precomputed pointers.
 * Money is integer cents held exactly in doubles, multiplied by exact rational factors
 * (exact.ts) and rounded half-up once per line. Results are columns (tables.ts).
 */
import { CURRENCIES, CURRENCY_OF_COUNTRY, Decimal, isCountry, isDecimalString } from '../money';
import { parsePeriodKey, periodBounds, periodDayStart, previousPeriod, toEpochMs, type PeriodKey } from '../period';
import { MAX_RANK, validatePlan, type PlanFigures } from '../plan';
import { CUR_INDEX, NCUR, PV_SCALE, compilePlan } from './compiled-plan';
import { EngineInputError, SponsorCycleError, UnknownKitSkuError, UnknownSponsorError } from './errors';
import { Arena } from './arena';
import { VolumeOverflowError, decimalsOf, parseScaled, type Factor } from './exact';
import { IdIndex } from './id-index';
import {
  LineBuilder,
  LineTable,
  PeriodResult,
  ProgramTable,
  T_ALCANCE,
  T_AUTOMOVIL,
  T_DIRECTO,
  T_MATCHING,
  T_RAPIDO,
  T_UNINIVEL,
  VolumeTable,
  type RunContext,
} from './tables';
import type { EngineInput, EngineOutput } from './types';

export { PeriodResult, LineTable, VolumeTable, ProgramTable } from './tables';

const DAY_MS = 86_400_000;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function invalid(message: string, details: Record<string, unknown> = {}): EngineInputError {
  return new EngineInputError('INVALID_INPUT', message, details);
}

function overflow(what: string): EngineInputError {
  return new EngineInputError('VOLUME_OVERFLOW', `${what} exceeds the exact integer range of the fast engine`);
}

/**
 * Runs the period engine and returns its result as columns (cheap for millions of lines).
 * Throws EngineInputError (typed subclasses) on inconsistent input.
 */
export function runPeriodEngine(input: EngineInput, options: EngineOptions = {}): PeriodResult {
  try {
    return run(input, options);
  } catch (e) {
    if (e instanceof VolumeOverflowError) throw overflow(e.message);
    throw e;
  }
}

/** Runs the period engine and returns plain rows (the engine-case shape plus detail). */
export function computePeriod(input: EngineInput): EngineOutput {
  return runPeriodEngine(input).toOutput();
}

/** Options of a run. */
export interface EngineOptions {
  /** When given, receives the time spent in each phase (for benchmarks). */
  readonly timings?: Record<string, number>;
  /** The clock for `timings`, in ms (default: performance.now, i.e. wall time). */
  readonly clock?: () => number;
}

function run(input: EngineInput, options: EngineOptions): PeriodResult {
  const timings = options.timings;
  const clock = options.clock ?? (() => performance.now());
  let mark = timings ? clock() : 0;
  const phase = (name: string): void => {
    if (!timings) return;
    const now = clock();
    timings[name] = (timings[name] ?? 0) + (now - mark);
    mark = now;
  };
  const plan: PlanFigures = validatePlan(input.plan);
  const { year, month } = parsePeriodKey(input.period);
  const period = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}` as PeriodKey;
  const bounds = periodBounds(period);
  const startMs = bounds.startsAt.getTime();
  const endMs = bounds.endsAt.getTime();
  const loyaltyCutoffMs = periodDayStart(period, plan.loyalty.lastDayOfMonth + 1).getTime();

  const members = input.members;
  const n = members.length;
  if (n >= 0x7fffffff) throw invalid('too many members');
  // One buffer for the per-member columns (see arena.ts); sized for everything below.
  const arena = new Arena(n * 176 + 1024);

  // ---- members and sponsor tree (the same for every plan: kept per members array, see memberTree)
  const tree = memberTree(members, arena, phase);
  const { ids, parent, cur, career, usedCurrency, order, depth, dfs, dfsPos } = tree;
  const indexOfId = (id: unknown): number => (typeof id === 'string' ? tree.memberIndex.get(id) : -1);

  // ---- plan and exchange rates ---------------------------------------------------------------
  const cp = compilePlan(plan, input.rates, usedCurrency);
  const { rankPv, rankPvg, uniDepth, isInfRank, levelCount, kitIndex, kitPvH, kitTravelPts } = cp;
  const { directoF, uniF, infF, rapidoF, rapidoLevels, matchRates, matchF, maxMatchLevel } = cp;

  phase('plan');
  // ---- orders: period filter, volumes, loyalty (kept per orders array for the next run, see periodOrders)
  const po = periodOrders(input.orders, tree, kitIndex, startMs, endMs, loyaltyCutoffMs, arena);
  const { orders, pv, vn, loyaltyQualified, orderArena, orderAmount, inPeriod, orderBuyer, np } = po;
  phase('orders');
  // ---- PVG (one reverse pass), paid-as and career ranks --------------------------------------
  const pvg = arena.f64(n);
  pvg.set(pv);
  for (let h = n - 1; h >= 0; h--) {
    const v = order[h]!;
    const p = parent[v]!;
    if (p >= 0) pvg[p] = pvg[p]! + pvg[v]!;
  }
  const paidAs = arena.u8(n);
  const careerAfter = arena.u8(n);
  for (let i = 0; i < n; i++) {
    const a = pv[i]!;
    const g = pvg[i]!;
    let r = MAX_RANK as number;
    while (r > 0 && !(a >= rankPv[r]! && g >= rankPvg[r]!)) r--;
    paidAs[i] = r;
    careerAfter[i] = r > career[i]! ? r : career[i]!;
  }

  // Nearest strict ancestor earning Unilevel Infinito (sponsors come first in `order`), and how
  // many earn above each member (for the upper bound of the line count further down, so that
  // the line columns are allocated once).
  const nextInf = arena.i32(n);
  const infAbove = arena.i32(n); // earning Embajadores strictly above
  for (let h = 0; h < n; h++) {
    const v = order[h]!;
    const p = parent[v]!;
    if (p < 0) {
      nextInf[v] = -1;
      infAbove[v] = 0;
    } else {
      const pInf = isInfRank[paidAs[p]!]!;
      nextInf[v] = pInf ? p : nextInf[p]!;
      infAbove[v] = infAbove[p]! + pInf;
    }
  }
  // What a walk up the sponsor line reads, side by side (one cache line per step):
  // [parent, next earning Embajador above, depth, paidAs | currency << 4].
  const node = arena.i32(4 * n);
  for (let v = 0; v < n; v++) {
    const v4 = v << 2;
    node[v4] = parent[v]!;
    node[v4 + 1] = nextInf[v]!;
    node[v4 + 2] = depth[v]!;
    node[v4 + 3] = paidAs[v]! | (cur[v]! << 4);
  }
  // Bit 8 (set below): someone within the matching levels above could match this member's
  // Uninivel, so its sum is needed (for most members it is not: no per-line write for them).
  const MATCHED = 256;
  // Lines an order of member v can produce at most: its uninivel upline (levels within the
  // table whose rank opens them, every earning Embajador deeper), counted once per member.
  // Its own column, not the child lists' (the member tree is kept for the next run: memberTree).
  const uniLinesOf = arena.i32(n);
  let memberLines = 0;
  for (let t = 0; t < n; t++) {
    const v = dfs[t]!;
    let a = node[v << 2]!;
    let c = 0;
    let matched = 0;
    for (let L = 1; L <= levelCount && a >= 0; L++) {
      const a4 = a << 2;
      const r = node[a4 + 3]! & 15;
      if (L <= uniDepth[r]!) c++;
      if (L <= matchRates[r]!.length) matched = MATCHED;
      a = node[a4]!;
    }
    // `a` is now the upline at level levelCount + 1.
    if (a >= 0) c += infAbove[a]! + isInfRank[paidAs[a]!]!;
    for (let L = levelCount + 1, x = a; L <= maxMatchLevel && x >= 0; L++) {
      if (L <= matchRates[node[(x << 2) + 3]! & 15]!.length) matched = MATCHED;
      x = node[x << 2]!;
    }
    uniLinesOf[v] = c;
    node[(v << 2) + 3]! |= matched;
    // matching (≤ maxMatchLevel), alcance (≤ ranks gained), automóvil (≤ 1)
    memberLines += Math.min(maxMatchLevel, depth[v]!) + Math.max(0, paidAs[v]! - career[v]!) + 1;
  }
  let capacity = memberLines;
  for (let j = 0; j < np; j++) {
    const amt = orderAmount[j]!;
    const b = orderBuyer[j]!;
    capacity += amt < 0 ? Math.min(rapidoLevels, depth[b]!) : 1 + uniLinesOf[b]!;
  }

  phase('pvg+ranks');
  // ---- instant and uninivel lines over the period's orders ------------------------------------
  const lines = new LineBuilder(capacity);
  const uniSum = arena.f64(n); // a member's rounded uninivel lines, cents
  let uniTotal = 0;
  const travelKitPts = arena.f64(n); // hundredths of points, from direct recruits' kits

  // Factor tables flattened: [(level - 1) * NCUR² + src * NCUR + dst], [rank * NCUR² + ...].
  const PAIRS = NCUR * NCUR;
  const uniFlat = uniF.flat();
  const infFlat: (Factor | null)[] = [];
  for (let r = 0; r <= MAX_RANK; r++) infFlat.push(...(infF[r] ?? new Array<Factor | null>(PAIRS).fill(null)));
  const rapidoFlat = rapidoF.flat();

  // The period's orders by their buyer's depth-first position (a counting sort).
  const byBuyer = orderArena.i32(np);
  {
    const count = arena.i32(n + 1);
    for (let j = 0; j < np; j++) count[dfsPos[orderBuyer[j]!]! + 1]!++;
    for (let t = 0; t < n; t++) count[t + 1]! += count[t]!;
    for (let j = 0; j < np; j++) byBuyer[count[dfsPos[orderBuyer[j]!]!]!++] = j;
  }

  for (let q = 0; q < np; q++) {
    const j = byBuyer[q]!;
    const k = inPeriod[j]!;
    const b = orderBuyer[j]!;
    const b4 = b << 2;
    const s = node[b4]!;
    if (s < 0) continue;
    const amt = orderAmount[j]!;
    if (amt < 0) {
      const ki = -1 - amt;
      travelKitPts[s] = travelKitPts[s]! + kitTravelPts[ki]!;
      const base = kitPvH[ki]!;
      let a = s;
      for (let L = 1; L <= rapidoLevels && a >= 0; L++) {
        const a4 = a << 2;
        const cents = rapidoFlat[(L - 1) * NCUR + ((node[a4 + 3]! >>> 4) & 15)]!.apply(base);
        if (cents !== 0) lines.push(T_RAPIDO, a, k, L, cents);
        a = node[a4]!;
      }
      continue;
    }
    if (amt === 0) continue;
    const row = ((node[b4 + 3]! >>> 4) & 15) * NCUR;
    {
      const cents = directoF[row + ((node[(s << 2) + 3]! >>> 4) & 15)]!.apply(amt);
      if (cents !== 0) lines.push(T_DIRECTO, s, k, 1, cents);
    }
    let a = s;
    let L = 1;
    for (; L <= levelCount && a >= 0; L++) {
      const a4 = a << 2;
      const pk = node[a4 + 3]!;
      if (L <= uniDepth[pk & 15]!) {
        const cents = uniFlat[(L - 1) * PAIRS + row + ((pk >>> 4) & 15)]!.apply(amt);
        if (cents !== 0) {
          lines.push(T_UNINIVEL, a, k, L, cents);
          if (pk & MATCHED) uniSum[a] = uniSum[a]! + cents;
          uniTotal += cents;
        }
      }
      a = node[a4]!;
    }
    if (a >= 0) {
      // Unilevel Infinito: `a` is the upline at level levelCount + 1; then jump from one
      // earning Embajador to the next.
      const bd = node[b4 + 2]!;
      let e = isInfRank[node[(a << 2) + 3]! & 15] ? a : node[(a << 2) + 1]!;
      while (e >= 0) {
        const e4 = e << 2;
        const pk = node[e4 + 3]!;
        const cents = infFlat[(pk & 15) * PAIRS + row + ((pk >>> 4) & 15)]!.apply(amt);
        if (cents !== 0) {
          lines.push(T_UNINIVEL, e, k, bd - node[e4 + 2]!, cents);
          if (pk & MATCHED) uniSum[e] = uniSum[e]! + cents;
          uniTotal += cents;
        }
        e = node[e4 + 1]!;
      }
    }
  }
  if (uniTotal > MAX_SAFE) throw overflow('total Uninivel');

  phase('directo+rapido+uninivel');
  // ---- matching ------------------------------------------------------------------------------
  if (maxMatchLevel > 0) {
    for (let m = 0; m < n; m++) {
      const base = uniSum[m]!;
      if (base === 0) continue;
      const row = cur[m]! * NCUR;
      let a = parent[m]!;
      for (let L = 1; L <= maxMatchLevel && a >= 0; L++, a = parent[a]!) {
        const r = paidAs[a]!;
        if (L > matchRates[r]!.length) continue;
        const cents = matchF[r]![L - 1]![row + cur[a]!]!.apply(base);
        if (cents !== 0) lines.push(T_MATCHING, a, m, L, cents);
      }
    }
  }

  phase('matching');
  // ---- history: paid-as ranks of the previous periods ----------------------------------------
  const autoPeriods = plan.automovil.consecutivePeriods;
  const prevKeys: string[] = [];
  for (let i = 1, p: string = period; i <= Math.max(1, autoPeriods - 1); i++) {
    p = previousPeriod(p);
    prevKeys.push(p);
  }
  const prevRanks = prevKeys.map(() => arena.i8(n).fill(-1));
  const prevIndex = new Map(prevKeys.map((key, i) => [key, i]));
  for (const h of input.history) {
    const pi = prevIndex.get(h.period);
    if (pi === undefined) continue;
    const m = h.memberIndex !== undefined && ids[h.memberIndex] === h.member ? h.memberIndex : indexOfId(h.member);
    if (m < 0) {
      throw new EngineInputError('UNKNOWN_MEMBER', `history row for an unknown member ${h.member}`, { member: h.member });
    }
    const r = h.paidAsRank;
    if (!Number.isInteger(r) || r < 0 || r > MAX_RANK) {
      throw invalid(`history row ${h.member} ${h.period} has an invalid paid-as rank ${r}`);
    }
    const arr = prevRanks[pi]!;
    if (arr[m] !== -1) throw invalid(`history has two rows for member ${h.member} in ${h.period}`);
    arr[m] = r;
  }
  const previousPaidAs = arena.u8(n);
  {
    const p1 = prevRanks[0]!;
    for (let i = 0; i < n; i++) previousPaidAs[i] = p1[i]! < 0 ? 0 : p1[i]!;
  }

  phase('history');
  // ---- per member: alcance, automóvil, programmes --------------------------------------------
  const minAutoRank = plan.automovil.minRank;
  const { autoDown, autoMonthly, alcance, alcanceMaxDays } = cp;
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
    if (!isDecimalString(campaign.multiplier, { nonNegative: true }) || campaign.multiplier.startsWith('-')) {
      throw invalid(`travel campaign multiplier ${JSON.stringify(campaign.multiplier)} is not a decimal ≥ 0`);
    }
    campaignActive = campaign.from <= period && period <= campaign.to;
    const mDec = decimalsOf(campaign.multiplier);
    multScaled = parseScaled(campaign.multiplier, mDec);
    travelScale = PV_SCALE + mDec;
    targetScaled = parseScaled(plan.travel.targetPoints, travelScale);
    for (const x of plan.travel.ownRankPoints) ownRankPts[x.rank] = parseScaled(x.points, PV_SCALE);
    for (const x of plan.travel.recruitRankPoints) recruitRankPts[x.rank] = parseScaled(x.points, PV_SCALE);
  }
  const travelScaled = campaignActive ? arena.f64(n) : null;
  const travelOverride = new Map<number, string>();
  const travelRecruitPts = arena.f64(campaignActive ? n : 0);
  if (campaignActive) {
    for (let i = 0; i < n; i++) {
      const p = parent[i]!;
      if (p >= 0) travelRecruitPts[p] = travelRecruitPts[p]! + recruitRankPts[paidAs[i]!]!;
    }
  }

  const cashback = arena.u8(n);
  const loyaltyPoints = arena.i32(n);
  const loyaltyGift = arena.u8(n);
  const carPaidAfter = arena.u8(n);

  for (let i = 0; i < n; i++) {
    const m = members[i]!;
    const r = paidAs[i]!;
    const c0 = career[i]!;
    const d = cur[i]!;

    // Bono por Alcance: every rank above the career rank up to the new paid-as rank.
    if (r > c0) {
      let enrolledMs = Number.NaN;
      for (let k = c0 + 1; k <= r; k++) {
        const a = alcance[k];
        if (!a) continue;
        const maxDays = alcanceMaxDays[k]!;
        if (maxDays >= 0) {
          if (Number.isNaN(enrolledMs)) enrolledMs = enrolledAtMs(m.enrolledAt, m.id);
          if (endMs - enrolledMs > maxDays * DAY_MS) continue;
        }
        const cents = a.cents[d]!;
        if (cents !== 0) lines.push(T_ALCANCE, i, i, k, cents);
      }
    }

    // Bono Automóvil.
    let carPaid = m.carDownPaymentPaid === true;
    if (r >= minAutoRank) {
      let ok = true;
      for (let p = 0; p < autoPeriods - 1; p++) if (prevRanks[p]![i]! < minAutoRank) ok = false;
      if (ok) {
        const cents = (carPaid ? autoMonthly : autoDown).cents[d]!;
        if (cents !== 0) lines.push(T_AUTOMOVIL, i, i, carPaid ? 2 : 1, cents);
        carPaid = true;
      }
    }
    carPaidAfter[i] = carPaid ? 1 : 0;

    // Cashback and loyalty.
    cashback[i] = pv[i]! >= cashbackMin ? 1 : 0;
    if (loyaltyQualified[i]) {
      const pts = m.loyaltyPoints + pointsPerMonth;
      if (pts >= giftAtPoints) loyaltyGift[i] = 1;
      else loyaltyPoints[i] = pts;
    }

    // NN Travels.
    const tp = m.travelPoints;
    if (travelScaled) {
      const pts = ownRankPts[r]! + travelRecruitPts[i]! + travelKitPts[i]!;
      const prev = parseScaled(tp, travelScale);
      const add = pts * multScaled;
      if (!Number.isNaN(prev) && !Number.isNaN(targetScaled) && add <= MAX_SAFE && prev + add <= MAX_SAFE) {
        const t = prev + add;
        travelScaled[i] = t < targetScaled ? t : targetScaled;
      } else {
        travelOverride.set(i, travelSlow(tp, pts, campaign!.multiplier, plan.travel.targetPoints, m.id));
      }
    } else if (!isDecimalString(tp, { nonNegative: true }) || tp.startsWith('-')) {
      throw invalid(`member ${m.id} has invalid travel points ${JSON.stringify(tp)}`);
    }
  }

  phase('alcance+automovil+programs');
  const ctx: RunContext = { period, cp, ids, members, orders, cur, paidAs, uniSum };
  return new PeriodResult(
    ctx,
    new VolumeTable(ctx, pv, vn, pvg, paidAs, careerAfter),
    new LineTable(ctx, lines),
    new ProgramTable(ctx, cashback, loyaltyPoints, loyaltyGift, carPaidAfter, travelScaled, travelScale, travelOverride),
    previousPaidAs,
  );
}

/** A members array's ids, sponsor tree and per-member inputs: what a run computes before the plan. */
interface MemberTree {
  readonly members: readonly EngineInput['members'][number][];
  readonly ids: string[];
  readonly memberIndex: IdIndex;
  readonly parent: Int32Array;
  readonly cur: Uint8Array;
  readonly career: Uint8Array;
  readonly usedCurrency: Uint8Array;
  readonly childStart: Int32Array;
  readonly childList: Int32Array;
  readonly order: Int32Array;
  readonly depth: Int32Array;
  readonly dfs: Int32Array;
  readonly dfsPos: Int32Array;
}

/**
 * The tree of the last members arrays run, by identity: a plan simulation runs the engine twice over
 * one load (the plan in force, then the draft), and the members' index, sponsor tree and orders do
 * not depend on the plan (1–1.5 s of a run at 1M members). A member object replaced in the array
 * since is seen (each element is compared). A run only reads these columns, never writes them.
 */
const trees = new WeakMap<readonly unknown[], MemberTree>();

function memberTree(members: EngineInput['members'], arena: Arena, phase: (name: string) => void): MemberTree {
  const n = members.length;
  const kept = trees.get(members);
  if (kept && kept.members.length === n && kept.members.every((m, i) => m === members[i])) {
    phase('members');
    phase('tree');
    return kept;
  }
  // ---- members -------------------------------------------------------------------------------
  const ids: string[] = new Array<string>(n);
  const memberIndex = new IdIndex(ids, n);
  for (let i = 0; i < n; i++) {
    const id = members[i]!.id;
    if (typeof id !== 'string' || id.length === 0) throw invalid(`member #${i} has no id`);
    ids[i] = id;
    if (memberIndex.add(i) >= 0) throw new EngineInputError('DUPLICATE_MEMBER', `member ${id} is listed twice`, { member: id });
  }
  const indexOfId = (id: unknown): number => (typeof id === 'string' ? memberIndex.get(id) : -1);
  const parent = arena.i32(n);
  const cur = arena.u8(n);
  const career = arena.u8(n);
  const usedCurrency = new Uint8Array(NCUR);
  for (let i = 0; i < n; i++) {
    const m = members[i]!;
    const sponsor = m.sponsorId;
    if (sponsor === null || sponsor === undefined) parent[i] = -1;
    else {
      const hint = m.sponsorIndex;
      const p = hint !== undefined && ids[hint] === sponsor ? hint : indexOfId(sponsor);
      if (p < 0) throw new UnknownSponsorError(m.id, String(sponsor));
      parent[i] = p;
    }
    const c = currencyIndexOfCountry(m.country);
    if (c < 0) throw invalid(`member ${m.id} has an unknown country ${JSON.stringify(m.country)}`);
    cur[i] = c;
    usedCurrency[c] = 1;
    const cr = m.careerRank;
    if (!Number.isInteger(cr) || cr < 0 || cr > MAX_RANK) throw invalid(`member ${m.id} has an invalid career rank ${cr}`);
    career[i] = cr;
    const lp = m.loyaltyPoints;
    if (!Number.isInteger(lp) || lp < 0) throw invalid(`member ${m.id} has invalid loyalty points ${lp}`);
  }

  phase('members');
  // ---- sponsor tree: breadth-first order, depth, cycle detection ------------------------------
  const childStart = arena.i32(n + 1);
  for (let i = 0; i < n; i++) {
    const p = parent[i]!;
    if (p >= 0) childStart[p + 1]!++;
  }
  for (let i = 0; i < n; i++) childStart[i + 1]! += childStart[i]!;
  const childList = arena.i32(n);
  const order = arena.i32(n);
  {
    // `order` doubles as the fill cursor before it holds the breadth-first order.
    order.set(childStart.subarray(0, n));
    for (let i = 0; i < n; i++) {
      const p = parent[i]!;
      if (p >= 0) childList[order[p]!++] = i;
    }
  }
  const depth = arena.i32(n);
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
  // Depth-first preorder: members of a subtree are consecutive, so walking the sponsor lines
  // of members (or of orders sorted by buyer) in this order keeps the shared upline in cache.
  const dfs = arena.i32(n);
  const dfsPos = arena.i32(n);
  {
    const stack = arena.i32(n);
    let t = 0;
    for (let r = 0; r < n; r++) {
      if (parent[r]! >= 0) continue;
      let sp = 0;
      stack[sp++] = r;
      while (sp > 0) {
        const v = stack[--sp]!;
        dfsPos[v] = t;
        dfs[t++] = v;
        for (let k = childStart[v + 1]! - 1, e = childStart[v]!; k >= e; k--) stack[sp++] = childList[k]!;
      }
    }
  }

  phase('tree');
  const tree: MemberTree = { members: members.slice(), ids, memberIndex, parent, cur, career, usedCurrency, childStart, childList, order, depth, dfs, dfsPos };
  trees.set(members, tree);
  return tree;
}

/** The period's orders as a run reads them: what the orders phase leaves for the rest of the run. */
interface PeriodOrders {
  readonly orders: EngineInput['orders'];
  readonly tree: MemberTree;
  /** What else the phase read: the period, the loyalty cut-off, the plan's kits (sku → index). */
  readonly key: string;
  readonly objects: readonly unknown[];
  readonly pv: Float64Array;
  readonly vn: Float64Array;
  readonly loyaltyQualified: Uint8Array;
  readonly orderArena: Arena;
  readonly orderAmount: Float64Array;
  readonly inPeriod: Int32Array;
  readonly orderBuyer: Int32Array;
  readonly np: number;
}

/** As `trees`, for the orders: the second run of a simulation reuses them when its plan's kits and loyalty day are the same. */
const periodOrdersKept = new WeakMap<readonly unknown[], PeriodOrders>();

function periodOrders(
  input: EngineInput['orders'],
  tree: MemberTree,
  kitIndex: ReadonlyMap<string, number>,
  startMs: number,
  endMs: number,
  loyaltyCutoffMs: number,
  arena: Arena,
): PeriodOrders {
  const key = `${startMs}|${endMs}|${loyaltyCutoffMs}|${[...kitIndex].join(',')}`;
  const kept = periodOrdersKept.get(input);
  if (kept && kept.tree === tree && kept.key === key && kept.objects.length === input.length && kept.objects.every((o, i) => o === input[i])) return kept;
  const { ids, cur } = tree;
  const n = ids.length;
  const indexOfId = (id: unknown): number => (typeof id === 'string' ? tree.memberIndex.get(id) : -1);
  const orders = input;
  const no = orders.length;
  const pv = arena.f64(n); // hundredths
  const vn = arena.f64(n); // cents
  const loyaltyQualified = arena.u8(n);
  const orderArena = new Arena(no * 20 + 64);
  const orderAmount = orderArena.f64(no); // VN cents (product) or -1 - kit index (kit)
  const inPeriod = orderArena.i32(no);
  const orderBuyer = orderArena.i32(no);
  const periodOrderIds: string[] = [];
  const orderIndex = new IdIndex(periodOrderIds, Math.min(no, 1 << 22));
  let np = 0;
  let totalPv = 0;
  let totalVn = 0;
  for (let k = 0; k < no; k++) {
    const o = orders[k]!;
    const hint = o.memberIndex;
    const b = hint !== undefined && ids[hint] === o.member ? hint : indexOfId(o.member);
    if (b < 0) {
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
    const at = o.paidAt;
    let paid: number;
    if (at instanceof Date) paid = at.getTime();
    else {
      try {
        paid = toEpochMs(at);
      } catch {
        throw invalid(`order ${o.id} has an invalid paidAt ${JSON.stringify(at)}`);
      }
    }
    if (!(paid >= startMs && paid < endMs)) {
      if (Number.isNaN(paid)) throw invalid(`order ${o.id} has an invalid paidAt`);
      continue;
    }
    if (typeof o.id !== 'string' || o.id.length === 0) throw invalid(`order #${k} has no id`);
    if (o.currency !== CURRENCIES[cur[b]!]) {
      throw new EngineInputError('ORDER_CURRENCY_MISMATCH', `order ${o.id} is in ${o.currency} but its buyer ${o.member} pays in ${CURRENCIES[cur[b]!]}`, {
        order: o.id,
        currency: o.currency,
      });
    }
    const opv = parseScaled(o.pv, PV_SCALE);
    if (Number.isNaN(opv)) throw invalid(`order ${o.id} has an invalid pv ${JSON.stringify(o.pv)}`);
    const ovn = parseScaled(o.vn, 2);
    if (Number.isNaN(ovn)) throw invalid(`order ${o.id} has an invalid vn ${JSON.stringify(o.vn)}`);
    pv[b] = pv[b]! + opv;
    totalPv += opv;
    if (paid < loyaltyCutoffMs) loyaltyQualified[b] = 1;
    inPeriod[np] = k;
    orderBuyer[np] = b;
    periodOrderIds.push(o.id);
    if (orderIndex.add(np) >= 0) throw new EngineInputError('DUPLICATE_ORDER', `order ${o.id} is listed twice`, { order: o.id });
    if (isKit) orderAmount[np] = -1 - kit;
    else {
      vn[b] = vn[b]! + ovn;
      totalVn += ovn;
      orderAmount[np] = ovn;
    }
    np++;
  }
  if (totalPv > MAX_SAFE) throw overflow('total PV');
  if (totalVn > MAX_SAFE) throw overflow('total VN');

  const out: PeriodOrders = {
    orders,
    tree,
    key,
    objects: orders.slice(),
    pv,
    vn,
    loyaltyQualified,
    orderArena,
    orderAmount,
    inPeriod,
    orderBuyer,
    np,
  };
  periodOrdersKept.set(input, out);
  return out;
}

const CI_MX = CUR_INDEX[CURRENCY_OF_COUNTRY.MX]!;
const CI_US = CUR_INDEX[CURRENCY_OF_COUNTRY.US]!;
const CI_CO = CUR_INDEX[CURRENCY_OF_COUNTRY.CO]!;
const CI_DO = CUR_INDEX[CURRENCY_OF_COUNTRY.DO]!;

/** The currency index of a country (a switch: cheaper than keyed lookups per member), or -1. */
function currencyIndexOfCountry(country: string): number {
  switch (country) {
    case 'MX':
      return CI_MX;
    case 'US':
      return CI_US;
    case 'CO':
      return CI_CO;
    case 'DO':
      return CI_DO;
    default:
      return isCountry(country) ? CUR_INDEX[CURRENCY_OF_COUNTRY[country]]! : -1;
  }
}

function enrolledAtMs(at: unknown, id: string): number {
  try {
    return toEpochMs(at as string);
  } catch {
    throw invalid(`member ${id} has an invalid enrolledAt ${JSON.stringify(at)}`);
  }
}

function travelSlow(prev: string, ptsHundredths: number, multiplier: string, target: string, id: string): string {
  if (!isDecimalString(prev, { nonNegative: true }) || prev.startsWith('-')) {
    throw invalid(`member ${id} has invalid travel points ${JSON.stringify(prev)}`);
  }
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
