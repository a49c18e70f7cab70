/**
 * The REFERENCE calculator: a deliberately simple reading of the compensation plan, written for obviousness,
 * not speed (plain loops, recursion, decimal.js everywhere). It is the oracle the fast engine is
 * tested against; it shares only the input/output types, the plan data and the money/period
 * helpers with it.
 */
import {
  convert,
  CURRENCY_OF_COUNTRY,
  Decimal,
  formatDecimal,
  isCountry,
  isDecimalString,
  parseDecimal,
  roundMoney,
  type Currency,
  type ExchangeRates,
} from '../money';
import { mexicoDayOfMonth, periodBounds, periodOf, previousPeriod, toEpochMs, parsePeriodKey, type PeriodKey } from '../period';
import { validatePlan, type AmountsByCurrency, type Rank } from '../plan';
import { careerRankAfter, paidAsRank, rankChanges, ranksReachedFirstTime, uninivelDepthOf, type RankChange } from '../ranks';
import {
  EngineInputError,
  InvalidExchangeRateError,
  MissingExchangeRateError,
  SponsorCycleError,
  UnknownKitSkuError,
  UnknownSponsorError,
} from '../engine/errors';
import type { CommissionLine, EngineInput, EngineMember, EngineOrder, EngineOutput, LineType, ProgramRow, VolumeRow } from '../engine/types';

const DAY_MS = 24 * 60 * 60 * 1000;

export function referencePeriodEngine(input: EngineInput): EngineOutput {
  const plan = validatePlan(input.plan);
  const { year, month } = parsePeriodKey(input.period);
  const period = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}` as PeriodKey;
  const { endsAt } = periodBounds(period);

  // --- members and the sponsor tree
  const byId = new Map<string, EngineMember>();
  for (const m of input.members) {
    if (byId.has(m.id)) throw new EngineInputError('DUPLICATE_MEMBER', `member ${m.id} is listed twice`);
    byId.set(m.id, m);
  }
  for (const m of input.members) {
    if (m.sponsorId !== null && !byId.has(m.sponsorId)) throw new UnknownSponsorError(m.id, m.sponsorId);
    if (!isCountry(m.country)) throw new EngineInputError('INVALID_INPUT', `member ${m.id}: bad country`);
    if (!Number.isInteger(m.careerRank) || m.careerRank < 0 || m.careerRank > 8) {
      throw new EngineInputError('INVALID_INPUT', `member ${m.id}: bad career rank`);
    }
    if (!Number.isInteger(m.loyaltyPoints) || m.loyaltyPoints < 0) {
      throw new EngineInputError('INVALID_INPUT', `member ${m.id}: bad loyalty points`);
    }
  }
  const currencyOf = (id: string): Currency => CURRENCY_OF_COUNTRY[byId.get(id)!.country];

  // --- exchange rates: every given rate must be > 0; every member's currency needs one
  const rates: Record<string, string> = {};
  for (const [c, r] of Object.entries(input.rates)) {
    if (r === undefined || r === null) continue;
    if (!isDecimalString(r) || !new Decimal(r).gt(0)) throw new InvalidExchangeRateError(c, r);
    rates[c] = r;
  }
  rates.MXN ??= '1';
  for (const m of input.members) {
    const c = currencyOf(m.id);
    if (rates[c] === undefined) throw new MissingExchangeRateError(c);
  }
  const fx = rates as ExchangeRates;

  const childrenOf = new Map<string, EngineMember[]>();
  for (const m of input.members) {
    if (m.sponsorId !== null) {
      const list = childrenOf.get(m.sponsorId) ?? [];
      list.push(m);
      childrenOf.set(m.sponsorId, list);
    }
  }
  const children = (id: string): EngineMember[] => childrenOf.get(id) ?? [];

  // Cycle check: walking up from any member must reach a root.
  for (const m of input.members) {
    const path: string[] = [];
    let cur: string | null = m.id;
    while (cur !== null) {
      const at = path.indexOf(cur);
      if (at >= 0) throw new SponsorCycleError(path.slice(at));
      path.push(cur);
      cur = byId.get(cur)!.sponsorId;
    }
  }

  /** The sponsor line of a member: [level 1 sponsor, level 2, ...]. */
  const upline = (id: string): string[] => {
    const out: string[] = [];
    let s = byId.get(id)!.sponsorId;
    while (s !== null) {
      out.push(s);
      s = byId.get(s)!.sponsorId;
    }
    return out;
  };

  // --- orders of the period
  const kitOf = (o: EngineOrder) => plan.kits.find((k) => k.sku === o.sku);
  const periodOrders: EngineOrder[] = [];
  for (const o of input.orders) {
    if (!byId.has(o.member)) throw new EngineInputError('UNKNOWN_MEMBER', `order ${o.id}: unknown member ${o.member}`);
    if (o.kind !== 'kit' && o.kind !== 'product') throw new EngineInputError('INVALID_INPUT', `order ${o.id}: bad kind`);
    if (o.kind === 'kit' && !kitOf(o)) throw new UnknownKitSkuError(o.id, o.sku);
    let inPeriod: boolean;
    try {
      inPeriod = periodOf(o.paidAt) === period;
    } catch {
      throw new EngineInputError('INVALID_INPUT', `order ${o.id}: bad paidAt`);
    }
    if (!inPeriod) continue;
    if (periodOrders.some((p) => p.id === o.id)) throw new EngineInputError('DUPLICATE_ORDER', `order ${o.id} twice`);
    if (o.currency !== currencyOf(o.member)) throw new EngineInputError('ORDER_CURRENCY_MISMATCH', `order ${o.id}`);
    if (!isDecimalString(o.pv, { maxDecimals: 2, nonNegative: true }) || o.pv.startsWith('-')) {
      throw new EngineInputError('INVALID_INPUT', `order ${o.id}: bad pv`);
    }
    if (!isDecimalString(o.vn, { maxDecimals: 2, nonNegative: true }) || o.vn.startsWith('-')) {
      throw new EngineInputError('INVALID_INPUT', `order ${o.id}: bad vn`);
    }
    periodOrders.push(o);
  }

  // --- volumes and ranks
  const pvOf = new Map<string, Decimal>();
  const vnOf = new Map<string, Decimal>();
  for (const m of input.members) {
    let pv = new Decimal(0);
    let vn = new Decimal(0);
    for (const o of periodOrders) {
      if (o.member !== m.id) continue;
      pv = pv.plus(o.pv);
      if (o.kind === 'product') vn = vn.plus(o.vn);
    }
    pvOf.set(m.id, pv);
    vnOf.set(m.id, vn);
  }
  const pvgCache = new Map<string, Decimal>();
  const pvg = (id: string): Decimal => {
    const hit = pvgCache.get(id);
    if (hit) return hit;
    let total = pvOf.get(id)!;
    for (const c of children(id)) total = total.plus(pvg(c.id));
    pvgCache.set(id, total);
    return total;
  };
  const rankOf = new Map<string, Rank>();
  for (const m of input.members) rankOf.set(m.id, paidAsRank(pvOf.get(m.id)!, pvg(m.id), plan));
  const rank = (id: string): Rank => rankOf.get(id)!;

  const lines: CommissionLine[] = [];
  const addLine = (
    type: LineType,
    beneficiary: string,
    source: string,
    level: number,
    exact: Decimal,
    detail: { base: Decimal; baseCurrency: Currency; rate: string | null },
  ) => {
    const amount = roundMoney(exact);
    if (amount.isZero()) return;
    lines.push({
      type,
      beneficiary,
      source,
      level,
      amount: amount.toFixed(2),
      currency: currencyOf(beneficiary),
      sourceKind: type === 'directo' || type === 'rapido' || type === 'uninivel' ? 'order' : 'member',
      base: detail.base.toFixed(2),
      baseCurrency: detail.baseCurrency,
      rate: detail.rate,
      fxFrom: fx[detail.baseCurrency]!,
      fxTo: fx[currencyOf(beneficiary)]!,
    });
  };

  // 1. Directo, 3. Uninivel (product orders); 2. Rápido (kit orders)
  const uninivelLevels = plan.uninivel.levels.length;
  for (const o of periodOrders) {
    const line = upline(o.member);
    const src = o.currency;
    if (o.kind === 'product') {
      const vn = new Decimal(o.vn);
      const sponsor = line[0];
      if (sponsor !== undefined) {
        const rate = plan.directo.rate;
        addLine('directo', sponsor, o.id, 1, convert(vn.times(rate), src, currencyOf(sponsor), fx), { base: vn, baseCurrency: src, rate });
      }
      line.forEach((beneficiary, i) => {
        const level = i + 1;
        const r = rank(beneficiary);
        let rate: string | undefined;
        if (level <= uninivelLevels) {
          if (level <= uninivelDepthOf(r, plan)) rate = plan.uninivel.levels.find((l) => l.level === level)!.rate;
        } else if (uninivelDepthOf(r, plan) >= uninivelLevels) {
          rate = plan.uninivel.infinite.find((x) => x.rank === r)?.rate;
        }
        if (rate === undefined) return;
        addLine('uninivel', beneficiary, o.id, level, convert(vn.times(rate), src, currencyOf(beneficiary), fx), {
          base: vn,
          baseCurrency: src,
          rate,
        });
      });
    } else {
      const kit = kitOf(o)!;
      const baseMxn = new Decimal(kit.pv).times(plan.rapido.mxnPerPv);
      for (const l of plan.rapido.levels) {
        const beneficiary = line[l.level - 1];
        if (beneficiary === undefined) continue;
        addLine('rapido', beneficiary, o.id, l.level, convert(baseMxn.times(l.rate), 'MXN', currencyOf(beneficiary), fx), {
          base: baseMxn,
          baseCurrency: 'MXN',
          rate: l.rate,
        });
      }
    }
  }

  // 5. Matching: on each member's Uninivel (sum of its rounded lines, its currency)
  const uninivelEarned = (id: string): Decimal =>
    lines.filter((l) => l.type === 'uninivel' && l.beneficiary === id).reduce((s, l) => s.plus(l.amount), new Decimal(0));
  for (const m of input.members) {
    const base = uninivelEarned(m.id);
    if (base.isZero()) continue;
    upline(m.id).forEach((beneficiary, i) => {
      const level = i + 1;
      const rate = plan.matching.find((x) => x.rank === rank(beneficiary))?.levels.find((l) => l.level === level)?.rate;
      if (rate === undefined) return;
      addLine('matching', beneficiary, m.id, level, convert(base.times(rate), currencyOf(m.id), currencyOf(beneficiary), fx), {
        base,
        baseCurrency: currencyOf(m.id),
        rate,
      });
    });
  }

  const fixedAmount = (amounts: AmountsByCurrency, to: Currency) => {
    const own = amounts[to];
    if (own !== undefined) return { exact: new Decimal(own), base: new Decimal(own), baseCurrency: to };
    return { exact: convert(amounts.MXN, 'MXN', to, fx), base: new Decimal(amounts.MXN), baseCurrency: 'MXN' as Currency };
  };

  // 4. Alcance
  for (const m of input.members) {
    for (const reached of ranksReachedFirstTime(m.careerRank as Rank, rank(m.id))) {
      const entry = plan.alcance.find((a) => a.rank === reached);
      if (!entry) continue;
      if (entry.maxDaysEnrolledBeforePeriodEnd !== undefined) {
        let enrolled: number;
        try {
          enrolled = toEpochMs(m.enrolledAt);
        } catch {
          throw new EngineInputError('INVALID_INPUT', `member ${m.id}: bad enrolledAt`);
        }
        if (endsAt.getTime() - enrolled > entry.maxDaysEnrolledBeforePeriodEnd * DAY_MS) continue;
      }
      const f = fixedAmount(entry.amounts, currencyOf(m.id));
      addLine('alcance', m.id, m.id, reached, f.exact, { base: f.base, baseCurrency: f.baseCurrency, rate: null });
    }
  }

  // 6. Automóvil, with the previous periods' paid-as ranks from history
  const historyRank = (member: string, p: string): Rank => {
    const rows = input.history.filter((h) => h.member === member && h.period === p);
    if (rows.length > 1) throw new EngineInputError('INVALID_INPUT', `history: two rows for ${member} in ${p}`);
    return (rows[0]?.paidAsRank ?? 0) as Rank;
  };
  const neededPeriods: string[] = [];
  for (let i = 1, p: string = period; i <= Math.max(1, plan.automovil.consecutivePeriods - 1); i++) {
    p = previousPeriod(p);
    neededPeriods.push(p);
  }
  for (const h of input.history) {
    if (!neededPeriods.includes(h.period)) continue;
    if (!byId.has(h.member)) throw new EngineInputError('UNKNOWN_MEMBER', `history: unknown member ${h.member}`);
    if (!Number.isInteger(h.paidAsRank) || h.paidAsRank < 0 || h.paidAsRank > 8) {
      throw new EngineInputError('INVALID_INPUT', `history: bad rank`);
    }
  }
  const carPaidAfter = new Map<string, boolean>();
  for (const m of input.members) {
    let paid = m.carDownPaymentPaid === true;
    const qualifiedNow = rank(m.id) >= plan.automovil.minRank;
    const qualifiedBefore = neededPeriods.slice(0, plan.automovil.consecutivePeriods - 1).every((p) => historyRank(m.id, p) >= plan.automovil.minRank);
    if (qualifiedNow && qualifiedBefore) {
      const f = fixedAmount(paid ? plan.automovil.monthly : plan.automovil.downPayment, currencyOf(m.id));
      addLine('automovil', m.id, m.id, paid ? 2 : 1, f.exact, { base: f.base, baseCurrency: f.baseCurrency, rate: null });
      paid = true;
    }
    carPaidAfter.set(m.id, paid);
  }

  // 7–9. Programmes
  const campaign = input.travelCampaign ?? null;
  if (campaign) {
    parsePeriodKey(campaign.from);
    parsePeriodKey(campaign.to);
    if (!isDecimalString(campaign.multiplier, { nonNegative: true })) throw new EngineInputError('INVALID_INPUT', 'multiplier');
  }
  const inCampaign = campaign !== null && campaign.from <= period && period <= campaign.to;
  const pointsFor = (table: { rank: number; points: string }[], r: Rank) => new Decimal(table.find((x) => x.rank === r)?.points ?? 0);

  const programs: ProgramRow[] = [];
  const volumes: VolumeRow[] = [];
  const changes: RankChange[] = [];
  for (const m of input.members) {
    const r = rank(m.id);
    const cashback = pvOf.get(m.id)!.gte(plan.cashback.minPv);

    const loyal = periodOrders.some((o) => o.member === m.id && mexicoDayOfMonth(o.paidAt) <= plan.loyalty.lastDayOfMonth);
    let loyaltyPoints = loyal ? m.loyaltyPoints + plan.loyalty.pointsPerMonth : 0;
    const loyaltyGift = loyaltyPoints >= plan.loyalty.giftAtPoints;
    if (loyaltyGift) loyaltyPoints = 0;

    if (!isDecimalString(m.travelPoints, { nonNegative: true })) throw new EngineInputError('INVALID_INPUT', `travel points of ${m.id}`);
    let travel = parseDecimal(m.travelPoints);
    if (inCampaign) {
      let pts = pointsFor(plan.travel.ownRankPoints, r);
      for (const c of children(m.id)) {
        pts = pts.plus(pointsFor(plan.travel.recruitRankPoints, rank(c.id)));
        for (const o of periodOrders) {
          if (o.member !== c.id || o.kind !== 'kit') continue;
          pts = pts.plus(plan.travel.kitPoints.find((k) => k.sku === o.sku)?.points ?? 0);
        }
      }
      travel = Decimal.min(travel.plus(pts.times(campaign.multiplier)), plan.travel.targetPoints);
    }

    programs.push({
      member: m.id,
      cashback,
      loyaltyPoints,
      loyaltyGift,
      travelPoints: formatDecimal(travel),
      carDownPaymentPaid: carPaidAfter.get(m.id)!,
    });
    volumes.push({
      member: m.id,
      pv: formatDecimal(pvOf.get(m.id)!),
      vn: vnOf.get(m.id)!.toFixed(2),
      pvg: formatDecimal(pvg(m.id)),
      paidAsRank: r,
      careerRank: careerRankAfter(m.careerRank as Rank, r),
    });
    changes.push(...rankChanges(m.id, period, { careerRank: m.careerRank as Rank, previousPaidAsRank: historyRank(m.id, previousPeriod(period)) }, r));
  }

  return { period, volumes, lines, programs, rankChanges: changes };
}
