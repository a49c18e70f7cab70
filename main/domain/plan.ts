/**
 * The compensation plan's figures as DATA. The database keeps versioned copies of this object
 * (effective from a period); every calculator reads its figures from a plan object, never from
 * constants. PLAN_V1 holds the figures of the compensation plan's first version (the seed of the first plan version).
 */
import { z } from 'zod';
import { CURRENCIES, Decimal, isDecimalString } from './money';

// ---------------------------------------------------------------------------------------------
// Ranks (structure, not figures): 0..8 and their names.

export const RANKS = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
export type Rank = (typeof RANKS)[number];
export const MAX_RANK: Rank = 8;

export const RANK_CODES = [
  'SIN_RANGO',
  'VISIONARIO',
  'EMPRENDEDOR',
  'CREATIVO',
  'INNOVADOR',
  'EMBAJADOR_TRANSFORMADOR',
  'EMBAJADOR_INSPIRADOR',
  'EMBAJADOR_CONSCIENTE',
  'EMBAJADOR_SOLIDARIO',
] as const;
export type RankCode = (typeof RANK_CODES)[number];

/** Rank names as the UI shows them (es-MX first). */
export const RANK_NAMES_ES: readonly string[] = Object.freeze([
  'Sin rango',
  'Visionario',
  'Emprendedor',
  'Creativo',
  'Innovador',
  'Embajador Transformador',
  'Embajador Inspirador',
  'Embajador Consciente',
  'Embajador Solidario',
]);
export const RANK_NAMES_EN: readonly string[] = Object.freeze([
  'No rank',
  'Visionary',
  'Entrepreneur',
  'Creative',
  'Innovator',
  'Transforming Ambassador',
  'Inspiring Ambassador',
  'Conscious Ambassador',
  'Supportive Ambassador',
]);

export function rankName(rank: Rank, lang: 'es' | 'en' = 'es'): string {
  return (lang === 'es' ? RANK_NAMES_ES : RANK_NAMES_EN)[rank] ?? String(rank);
}

// ---------------------------------------------------------------------------------------------
// Schema

const decimalString = (opts: { maxDecimals?: number; label: string }) =>
  z.string().refine((s) => isDecimalString(s, { maxDecimals: opts.maxDecimals, nonNegative: true }), {
    message:
      opts.maxDecimals === undefined
        ? `${opts.label} must be a non-negative decimal string`
        : `${opts.label} must be a non-negative decimal string with at most ${opts.maxDecimals} decimals`,
  });

const rateString = decimalString({ label: 'rate' }).refine((s) => new Decimal(s).lte(1), {
  message: 'rate must be between 0 and 1',
});
const moneyString = decimalString({ maxDecimals: 2, label: 'amount' });
const pointsString = decimalString({ maxDecimals: 2, label: 'points' });
const rankInt = z.number().int().min(0).max(MAX_RANK);
const levelInt = z.number().int().min(1);
const currencyEnum = z.enum(CURRENCIES);

/** Fixed amounts by currency; MXN is required (missing currencies convert the MXN figure). */
const AmountsByCurrencySchema = z.object({ MXN: moneyString, USD: moneyString.optional(), COP: moneyString.optional(), DOP: moneyString.optional() }).strict();

const KitSchema = z
  .object({
    sku: z.string().min(1),
    name: z.string().min(1),
    pv: pointsString,
    prices: AmountsByCurrencySchema,
  })
  .strict();

export const PlanFiguresSchema = z
  .object({
    /** Paid-as rank requirements and the uninivel depth each rank opens, ranks 1..8. */
    ranks: z
      .array(
        z
          .object({
            rank: rankInt,
            pv: pointsString,
            pvg: pointsString,
            /** Uninivel levels 1..uninivelDepth are paid to this rank. */
            uninivelDepth: z.number().int().min(0),
          })
          .strict(),
      )
      .min(1),
    directo: z.object({ rate: rateString }).strict(),
    rapido: z
      .object({
        /** MXN per kit PV (the kit's PV is taken as an amount in MXN: 1). */
        mxnPerPv: decimalString({ label: 'mxnPerPv' }),
        levels: z.array(z.object({ level: levelInt, rate: rateString }).strict()).min(1),
      })
      .strict(),
    uninivel: z
      .object({
        levels: z.array(z.object({ level: levelInt, rate: rateString }).strict()).min(1),
        /** Unilevel Infinito: the rate paid on every level deeper than the level table, by rank. */
        infinite: z.array(z.object({ rank: rankInt, rate: rateString }).strict()),
      })
      .strict(),
    alcance: z.array(
      z
        .object({
          rank: rankInt,
          amounts: AmountsByCurrencySchema,
          /** When set: paid only to a member enrolled at most this many days before the period's end. */
          maxDaysEnrolledBeforePeriodEnd: z.number().int().min(0).optional(),
        })
        .strict(),
    ),
    matching: z.array(
      z
        .object({
          rank: rankInt,
          levels: z.array(z.object({ level: levelInt, rate: rateString }).strict()).min(1),
        })
        .strict(),
    ),
    automovil: z
      .object({
        minRank: rankInt,
        /** Consecutive periods (this one included) at minRank or above. */
        consecutivePeriods: z.number().int().min(1).max(24),
        downPayment: AmountsByCurrencySchema,
        monthly: AmountsByCurrencySchema,
      })
      .strict(),
    cashback: z.object({ minPv: pointsString, discount: rateString }).strict(),
    loyalty: z
      .object({
        /** An order paid on days 1..lastDayOfMonth (Mexico time) qualifies the month. */
        lastDayOfMonth: z.number().int().min(1).max(28),
        pointsPerMonth: z.number().int().min(1),
        giftAtPoints: z.number().int().min(1),
        gifts: z.array(z.string().min(1)).min(1),
      })
      .strict(),
    travel: z
      .object({
        targetPoints: pointsString,
        kitPoints: z.array(z.object({ sku: z.string().min(1), points: pointsString }).strict()),
        ownRankPoints: z.array(z.object({ rank: rankInt, points: pointsString }).strict()),
        recruitRankPoints: z.array(z.object({ rank: rankInt, points: pointsString }).strict()),
      })
      .strict(),
    withdrawals: z
      .object({
        feeRate: rateString,
        byCurrency: z.array(z.object({ currency: currencyEnum, minimum: moneyString, minimumFee: moneyString }).strict()),
      })
      .strict(),
    kits: z.array(KitSchema).min(1),
  })
  .strict()
  .superRefine((plan, ctx) => {
    for (const issue of consistencyIssues(plan)) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
  });

export type PlanFigures = z.infer<typeof PlanFiguresSchema>;
export type AmountsByCurrency = z.infer<typeof AmountsByCurrencySchema>;
export type Kit = z.infer<typeof KitSchema>;

// ---------------------------------------------------------------------------------------------
// Consistency rules beyond the shape

interface Issue {
  path: (string | number)[];
  message: string;
}

function consistencyIssues(plan: PlanFigures): Issue[] {
  const issues: Issue[] = [];
  const d = (s: string) => new Decimal(s);

  // Ranks: exactly 1..8, each once, thresholds increasing.
  const byRank = new Map<number, { pv: string; pvg: string; uninivelDepth: number; index: number }>();
  plan.ranks.forEach((r, index) => {
    if (r.rank === 0) issues.push({ path: ['ranks', index, 'rank'], message: 'rank 0 (Sin rango) has no requirements; list ranks 1..8' });
    if (byRank.has(r.rank)) issues.push({ path: ['ranks', index, 'rank'], message: `rank ${r.rank} is listed twice` });
    byRank.set(r.rank, { ...r, index });
  });
  const levelCount = plan.uninivel.levels.length;
  let prev: { rank: number; pv: string; pvg: string; uninivelDepth: number } | undefined;
  for (let rank = 1; rank <= MAX_RANK; rank++) {
    const r = byRank.get(rank);
    if (!r) {
      issues.push({ path: ['ranks'], message: `rank ${rank} (${rankName(rank as Rank)}) is missing` });
      continue;
    }
    if (r.uninivelDepth > levelCount) {
      issues.push({
        path: ['ranks', r.index, 'uninivelDepth'],
        message: `rank ${rank} opens ${r.uninivelDepth} uninivel levels but the level table has ${levelCount}`,
      });
    }
    if (prev) {
      if (d(r.pvg).lte(d(prev.pvg))) {
        issues.push({
          path: ['ranks', r.index, 'pvg'],
          message: `PVG threshold of rank ${rank} (${r.pvg}) must be greater than rank ${prev.rank}'s (${prev.pvg})`,
        });
      }
      if (d(r.pv).lt(d(prev.pv))) {
        issues.push({
          path: ['ranks', r.index, 'pv'],
          message: `PV threshold of rank ${rank} (${r.pv}) must not be lower than rank ${prev.rank}'s (${prev.pv})`,
        });
      }
      if (r.uninivelDepth < prev.uninivelDepth) {
        issues.push({
          path: ['ranks', r.index, 'uninivelDepth'],
          message: `rank ${rank} opens fewer uninivel levels than rank ${prev.rank}`,
        });
      }
    }
    if (d(r.pvg).lt(d(r.pv))) {
      issues.push({ path: ['ranks', r.index, 'pvg'], message: `PVG threshold of rank ${rank} is below its PV threshold` });
    }
    prev = { rank, ...r };
  }

  contiguousLevels(plan.uninivel.levels, ['uninivel', 'levels'], issues);
  contiguousLevels(plan.rapido.levels, ['rapido', 'levels'], issues);

  const infRanks = new Set<number>();
  plan.uninivel.infinite.forEach((x, i) => {
    if (infRanks.has(x.rank)) issues.push({ path: ['uninivel', 'infinite', i, 'rank'], message: `rank ${x.rank} is listed twice` });
    infRanks.add(x.rank);
    const r = byRank.get(x.rank);
    if (x.rank === 0) issues.push({ path: ['uninivel', 'infinite', i, 'rank'], message: 'rank 0 cannot earn Unilevel Infinito' });
    else if (r && r.uninivelDepth !== levelCount) {
      issues.push({
        path: ['uninivel', 'infinite', i, 'rank'],
        message: `rank ${x.rank} earns Unilevel Infinito but does not open all ${levelCount} uninivel levels`,
      });
    }
  });

  const alcRanks = new Set<number>();
  plan.alcance.forEach((x, i) => {
    if (x.rank === 0) issues.push({ path: ['alcance', i, 'rank'], message: 'rank 0 has no Bono por Alcance' });
    if (alcRanks.has(x.rank)) issues.push({ path: ['alcance', i, 'rank'], message: `rank ${x.rank} is listed twice` });
    alcRanks.add(x.rank);
  });

  const matchRanks = new Set<number>();
  plan.matching.forEach((x, i) => {
    if (x.rank === 0) issues.push({ path: ['matching', i, 'rank'], message: 'rank 0 has no Matching' });
    if (matchRanks.has(x.rank)) issues.push({ path: ['matching', i, 'rank'], message: `rank ${x.rank} is listed twice` });
    matchRanks.add(x.rank);
    contiguousLevels(x.levels, ['matching', i, 'levels'], issues);
  });

  if (plan.automovil.minRank === 0) {
    issues.push({ path: ['automovil', 'minRank'], message: 'Bono Automóvil needs a minimum rank of at least 1' });
  }
  if (plan.loyalty.giftAtPoints % plan.loyalty.pointsPerMonth !== 0) {
    issues.push({ path: ['loyalty', 'giftAtPoints'], message: 'giftAtPoints must be a multiple of pointsPerMonth' });
  }

  const skus = new Set<string>();
  plan.kits.forEach((k, i) => {
    if (skus.has(k.sku)) issues.push({ path: ['kits', i, 'sku'], message: `kit SKU ${k.sku} is listed twice` });
    skus.add(k.sku);
    if (d(k.pv).lte(0)) issues.push({ path: ['kits', i, 'pv'], message: `kit ${k.sku} must have PV > 0` });
  });

  const travelKit = new Set<string>();
  plan.travel.kitPoints.forEach((k, i) => {
    if (!skus.has(k.sku)) issues.push({ path: ['travel', 'kitPoints', i, 'sku'], message: `unknown kit SKU ${k.sku}` });
    if (travelKit.has(k.sku)) issues.push({ path: ['travel', 'kitPoints', i, 'sku'], message: `kit SKU ${k.sku} is listed twice` });
    travelKit.add(k.sku);
  });
  for (const key of ['ownRankPoints', 'recruitRankPoints'] as const) {
    const seen = new Set<number>();
    plan.travel[key].forEach((x, i) => {
      if (x.rank === 0) issues.push({ path: ['travel', key, i, 'rank'], message: 'rank 0 earns no travel points' });
      if (seen.has(x.rank)) issues.push({ path: ['travel', key, i, 'rank'], message: `rank ${x.rank} is listed twice` });
      seen.add(x.rank);
    });
  }
  if (d(plan.travel.targetPoints).lte(0)) {
    issues.push({ path: ['travel', 'targetPoints'], message: 'travel target must be > 0' });
  }

  const wc = new Set<string>();
  plan.withdrawals.byCurrency.forEach((w, i) => {
    if (wc.has(w.currency)) issues.push({ path: ['withdrawals', 'byCurrency', i, 'currency'], message: `currency ${w.currency} is listed twice` });
    wc.add(w.currency);
  });
  for (const c of CURRENCIES) {
    if (!wc.has(c)) issues.push({ path: ['withdrawals', 'byCurrency'], message: `withdrawal minimum and fee for ${c} are missing` });
  }
  return issues;
}

function contiguousLevels(levels: { level: number }[], path: (string | number)[], issues: Issue[]): void {
  const seen = new Set<number>();
  levels.forEach((l, i) => {
    if (seen.has(l.level)) issues.push({ path: [...path, i, 'level'], message: `level ${l.level} is listed twice` });
    seen.add(l.level);
  });
  for (let level = 1; level <= levels.length; level++) {
    if (!seen.has(level)) issues.push({ path, message: `level ${level} is missing (levels must be 1..${levels.length})` });
  }
}

// ---------------------------------------------------------------------------------------------
// Validation API

export class PlanValidationError extends Error {
  override readonly name = 'PlanValidationError';
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super(`invalid plan: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
  }
}

export type PlanCheck = { ok: true; plan: PlanFigures } | { ok: false; issues: { path: string; message: string }[] };

/** Checks a plan (shape and consistency) without throwing. */
export function checkPlan(input: unknown): PlanCheck {
  const r = PlanFiguresSchema.safeParse(input);
  if (r.success) return { ok: true, plan: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  };
}

/** Returns the plan when complete and consistent; otherwise throws PlanValidationError listing every problem. */
export function validatePlan(input: unknown): PlanFigures {
  const r = checkPlan(input);
  if (!r.ok) throw new PlanValidationError(r.issues);
  return r.plan;
}

// ---------------------------------------------------------------------------------------------
// PLAN_V1: the figures of the compensation plan's first version

export const PLAN_V1: PlanFigures = deepFreeze({
  ranks: [
    { rank: 1, pv: '1465', pvg: '1465', uninivelDepth: 3 },
    { rank: 2, pv: '1465', pvg: '21000', uninivelDepth: 4 },
    { rank: 3, pv: '1465', pvg: '58000', uninivelDepth: 5 },
    { rank: 4, pv: '1465', pvg: '120000', uninivelDepth: 6 },
    { rank: 5, pv: '1465', pvg: '300000', uninivelDepth: 9 },
    { rank: 6, pv: '1465', pvg: '650000', uninivelDepth: 9 },
    { rank: 7, pv: '1465', pvg: '1300000', uninivelDepth: 9 },
    { rank: 8, pv: '1465', pvg: '2900000', uninivelDepth: 9 },
  ],
  directo: { rate: '0.25' },
  rapido: {
    mxnPerPv: '1',
    levels: [
      { level: 1, rate: '0.30' },
      { level: 2, rate: '0.10' },
      { level: 3, rate: '0.05' },
    ],
  },
  uninivel: {
    levels: [
      { level: 1, rate: '0.05' },
      { level: 2, rate: '0.08' },
      { level: 3, rate: '0.10' },
      { level: 4, rate: '0.10' },
      { level: 5, rate: '0.05' },
      { level: 6, rate: '0.04' },
      { level: 7, rate: '0.04' },
      { level: 8, rate: '0.03' },
      { level: 9, rate: '0.03' },
    ],
    infinite: [
      { rank: 5, rate: '0.005' },
      { rank: 6, rate: '0.01' },
      { rank: 7, rate: '0.015' },
      { rank: 8, rate: '0.02' },
    ],
  },
  alcance: [
    { rank: 2, amounts: { MXN: '1500', USD: '85', COP: '330000' }, maxDaysEnrolledBeforePeriodEnd: 30 },
    { rank: 3, amounts: { MXN: '3000', USD: '165', COP: '666000' } },
    { rank: 4, amounts: { MXN: '5000', USD: '280', COP: '1100000' } },
    { rank: 5, amounts: { MXN: '7500', USD: '390', COP: '1650000' } },
    { rank: 6, amounts: { MXN: '10000', USD: '555', COP: '2220000' } },
    { rank: 7, amounts: { MXN: '20000', USD: '1111', COP: '4400000' } },
    { rank: 8, amounts: { MXN: '40000', USD: '2222', COP: '8800000' } },
  ],
  matching: [
    { rank: 5, levels: [{ level: 1, rate: '0.30' }] },
    {
      rank: 6,
      levels: [
        { level: 1, rate: '0.30' },
        { level: 2, rate: '0.20' },
      ],
    },
    {
      rank: 7,
      levels: [
        { level: 1, rate: '0.30' },
        { level: 2, rate: '0.20' },
        { level: 3, rate: '0.10' },
      ],
    },
    {
      rank: 8,
      levels: [
        { level: 1, rate: '0.30' },
        { level: 2, rate: '0.20' },
        { level: 3, rate: '0.10' },
        { level: 4, rate: '0.05' },
      ],
    },
  ],
  automovil: {
    minRank: 5,
    consecutivePeriods: 2,
    downPayment: { MXN: '50000', USD: '2500', COP: '11000000' },
    monthly: { MXN: '5000', USD: '250', COP: '1100000' },
  },
  cashback: { minPv: '2930', discount: '0.70' },
  loyalty: {
    lastDayOfMonth: 7,
    pointsPerMonth: 25,
    giftAtPoints: 100,
    gifts: ['5 suplementos', '3 sueros + 2 cremas'],
  },
  travel: {
    targetPoints: '200',
    kitPoints: [
      { sku: 'FULL-SUPPLEMENT', points: '1' },
      { sku: 'FULL-SKIN', points: '2' },
      { sku: 'FULL-PROTECT', points: '4' },
    ],
    ownRankPoints: [
      { rank: 1, points: '1' },
      { rank: 2, points: '5' },
      { rank: 3, points: '15' },
      { rank: 4, points: '25' },
      { rank: 5, points: '50' },
      { rank: 6, points: '100' },
      { rank: 7, points: '200' },
      { rank: 8, points: '200' },
    ],
    recruitRankPoints: [
      { rank: 1, points: '1' },
      { rank: 2, points: '5' },
      { rank: 3, points: '10' },
      { rank: 4, points: '20' },
      { rank: 5, points: '30' },
      { rank: 6, points: '50' },
      { rank: 7, points: '100' },
      { rank: 8, points: '100' },
    ],
  },
  withdrawals: {
    feeRate: '0.02',
    byCurrency: [
      { currency: 'MXN', minimum: '500', minimumFee: '20' },
      { currency: 'USD', minimum: '25', minimumFee: '1' },
      { currency: 'COP', minimum: '100000', minimumFee: '4000' },
      { currency: 'DOP', minimum: '1500', minimumFee: '60' },
    ],
  },
  kits: [
    { sku: 'FULL-SUPPLEMENT', name: 'Full Supplement', pv: '1670', prices: { MXN: '1996', USD: '120', COP: '479000' } },
    { sku: 'FULL-SKIN', name: 'Full Skin', pv: '2180', prices: { MXN: '2596', USD: '160', COP: '622800' } },
    { sku: 'FULL-PROTECT', name: 'Full Protect', pv: '4860', prices: { MXN: '5790', USD: '353', COP: '1389000' } },
  ],
});

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
