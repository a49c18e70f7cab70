/**
 * Property: on random networks, orders, histories, rates, campaigns (and a plan with odd
 * figures), the fast engine equals the reference calculator on every line to the cent, every
 * volume, programme row and rank change.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Country, Currency } from '../money';
import { periodBounds } from '../period';
import { PLAN_V1, validatePlan, type PlanFigures } from '../plan';
import { referencePeriodEngine } from '../reference/reference';
import { computePeriod, runPeriodEngine } from './engine';
import { LINE_COPY_COLUMNS } from './tables';
import { canonical } from '../../../test/engine-scenarios';
import type { EngineHistoryRow, EngineInput, EngineMember, EngineOrder } from './types';

const CURRENCY: Record<Country, Currency> = { MX: 'MXN', US: 'USD', CO: 'COP', DO: 'DOP' };
const PERIOD = '2026-11';
const { startsAt, endsAt } = periodBounds(PERIOD);
const START = startsAt.getTime();
const END = endsAt.getTime();
const DAY = 86_400_000;

/** A plan with awkward figures (3-decimal rates, missing currency figures, other depths). */
const PLAN_ODD: PlanFigures = validatePlan({
  ...structuredClone(PLAN_V1),
  directo: { rate: '0.255' },
  rapido: {
    mxnPerPv: '1.15',
    levels: [
      { level: 1, rate: '0.333' },
      { level: 2, rate: '0.111' },
    ],
  },
  uninivel: {
    levels: [
      { level: 1, rate: '0.055' },
      { level: 2, rate: '0.085' },
      { level: 3, rate: '0.1' },
      { level: 4, rate: '0.07' },
      { level: 5, rate: '0.045' },
    ],
    infinite: [
      { rank: 6, rate: '0.0075' },
      { rank: 8, rate: '0.0125' },
    ],
  },
  ranks: PLAN_V1.ranks.map((r) => ({ ...r, pv: r.rank >= 5 ? '2000.5' : r.pv, uninivelDepth: Math.min(5, r.uninivelDepth + 1) })),
  matching: [
    { rank: 4, levels: [{ level: 1, rate: '0.333' }] },
    {
      rank: 7,
      levels: [
        { level: 1, rate: '0.25' },
        { level: 2, rate: '0.125' },
        { level: 3, rate: '0.0625' },
      ],
    },
  ],
  alcance: PLAN_V1.alcance.map((a) => ({ ...a, amounts: { MXN: `${a.amounts.MXN}.55` }, maxDaysEnrolledBeforePeriodEnd: a.rank <= 3 ? 10 : undefined })),
  automovil: { ...PLAN_V1.automovil, minRank: 4, consecutivePeriods: 3, downPayment: { MXN: '49999.99' } },
  travel: { ...PLAN_V1.travel, targetPoints: '50.5', kitPoints: [{ sku: 'FULL-SKIN', points: '2.25' }] },
  loyalty: { ...PLAN_V1.loyalty, lastDayOfMonth: 3, giftAtPoints: 50 },
});

const pvValues = ['0', '1', '12.5', '293', '1465', '2930', '1670', '21000', '58000', '120000', '300000', '650000', '1300000', '2900000'];
const rate = (min: number, max: number, decimals: number) =>
  fc.integer({ min: min * 10 ** decimals, max: max * 10 ** decimals }).map((v) => {
    const s = String(v).padStart(decimals + 1, '0');
    return decimals === 0 ? s : `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
  });
const cents = fc.oneof(fc.integer({ min: 0, max: 1_000_000_000 }), fc.constantFrom(0, 1, 5, 50, 99, 100, 146_500, 1_000_000));
const money = cents.map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`);
const instantAround = fc.oneof(
  fc.integer({ min: START - 3 * DAY, max: END + 3 * DAY }),
  fc.constantFrom(START - 1, START, END - 1, END, START + 7 * DAY - 1, START + 7 * DAY, START + 3 * DAY - 1, START + 3 * DAY),
);
const enrolment = fc.oneof(
  fc.integer({ min: END - 90 * DAY, max: END + DAY }),
  fc.constantFrom(END - 30 * DAY, END - 30 * DAY - 1, END - 10 * DAY, END - 10 * DAY - 1),
);

interface Shape {
  sponsors: (number | null)[];
}

const networkShape = fc
  .integer({ min: 1, max: 24 })
  .chain((n) =>
    fc
      .tuple(
        ...Array.from({ length: n }, (_, i) =>
          i === 0
            ? fc.constant(null)
            : fc.oneof(
                { weight: 6, arbitrary: fc.constant(i - 1) },
                { weight: 3, arbitrary: fc.integer({ min: 0, max: i - 1 }) },
                { weight: 1, arbitrary: fc.constant(null) },
              ),
        ),
      )
      .map((sponsors): Shape => ({ sponsors })),
  );

const inputArb: fc.Arbitrary<EngineInput> = networkShape.chain(({ sponsors }) => {
  const n = sponsors.length;
  const memberArb = (i: number) =>
    fc
      .record({
        country: fc.constantFrom<Country>('MX', 'MX', 'US', 'CO', 'DO'),
        enrolledAt: enrolment,
        careerRank: fc.integer({ min: 0, max: 8 }),
        carDownPaymentPaid: fc.boolean(),
        loyaltyPoints: fc.constantFrom(0, 25, 50, 75),
        travelPoints: fc.constantFrom('0', '12', '150.5', '199', '200', '3.125'),
      })
      .map((m): EngineMember => ({
        id: `M${i + 1}`,
        sponsorId: sponsors[i] === null || sponsors[i] === undefined ? null : `M${sponsors[i]! + 1}`,
        ...m,
        enrolledAt: new Date(m.enrolledAt).toISOString(),
      }));
  return fc
    .record({
      members: fc.tuple(...Array.from({ length: n }, (_, i) => memberArb(i))),
      orders: fc.array(
        fc.record({
          buyer: fc.integer({ min: 0, max: n - 1 }),
          kit: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('FULL-SUPPLEMENT', 'FULL-SKIN', 'FULL-PROTECT') }),
          pv: fc.constantFrom(...pvValues),
          vn: money,
          paidAt: instantAround,
        }),
        { maxLength: 50 },
      ),
      history: fc.array(
        fc.record({
          member: fc.integer({ min: 0, max: n - 1 }),
          period: fc.constantFrom('2026-10', '2026-10', '2026-09', '2026-08'),
          paidAsRank: fc.integer({ min: 0, max: 8 }),
        }),
        { maxLength: 2 * n },
      ),
      rates: fc.record({
        USD: fc.oneof(fc.constant('18.50'), rate(10, 25, 3)),
        COP: fc.oneof(
          fc.constant('0.0046'),
          rate(0, 1, 6).filter((r) => r !== '0.000000'),
        ),
        DOP: fc.oneof(
          fc.constant('0.31'),
          rate(0, 1, 4).filter((r) => r !== '0.0000'),
        ),
      }),
      campaign: fc.option(
        fc.record({
          from: fc.constantFrom('2026-01', '2026-11', '2026-12'),
          to: fc.constantFrom('2026-10', '2026-11', '2027-06'),
          multiplier: fc.constantFrom('1', '2', '1.5', '0.25', '3.125'),
        }),
      ),
      odd: fc.boolean(),
    })
    .map(({ members, orders, history, rates, campaign, odd }): EngineInput => {
      const seen = new Set<string>();
      const hist: EngineHistoryRow[] = [];
      for (const h of history) {
        const key = `${h.member}|${h.period}`;
        if (seen.has(key)) continue; // one row per member and period
        seen.add(key);
        hist.push({ member: `M${h.member + 1}`, period: h.period, pv: '0', paidAsRank: h.paidAsRank });
      }
      const ords: EngineOrder[] = orders.map((o, k) => {
        const m = members[o.buyer]!;
        return {
          id: `O${k + 1}`,
          member: m.id,
          kind: o.kit ? 'kit' : 'product',
          sku: o.kit,
          pv: o.pv,
          vn: o.kit ? '0' : o.vn,
          currency: CURRENCY[m.country],
          paidAt: new Date(o.paidAt).toISOString(),
        };
      });
      return {
        period: PERIOD,
        plan: odd ? PLAN_ODD : PLAN_V1,
        rates: { MXN: '1', ...rates },
        travelCampaign: campaign,
        members,
        history: hist,
        orders: ords,
      };
    });
});

describe('fast engine == reference calculator', () => {
  it('on random networks, orders and histories (every line to the cent)', () => {
    let lines = 0;
    const types = new Set<string>();
    fc.assert(
      fc.property(inputArb, (input) => {
        const fast = canonical(computePeriod(input));
        const ref = canonical(referencePeriodEngine(input));
        expect(fast).toEqual(ref);
        lines += fast.lines.length;
        for (const l of fast.lines) types.add(l.type);
      }),
      { numRuns: 2500 },
    );
    // The generator reaches every bonus.
    expect([...types].sort()).toEqual(['alcance', 'automovil', 'directo', 'matching', 'rapido', 'uninivel']);
    expect(lines).toBeGreaterThan(10_000);
  }, 180_000);

  it('a second run over the same members and orders arrays (a simulation: the plan in force, then a draft) equals a run over fresh ones', () => {
    fc.assert(
      fc.property(inputArb, fc.nat(), (input, pick) => {
        const fresh = (i: EngineInput): EngineInput => ({ ...i, members: i.members.map((m) => ({ ...m })), orders: i.orders.map((o) => ({ ...o })) });
        computePeriod(input);
        expect(canonical(computePeriod({ ...input, plan: PLAN_ODD }))).toEqual(canonical(computePeriod(fresh({ ...input, plan: PLAN_ODD }))));
        // A member object replaced in the same array since the last run is seen.
        const members = input.members as EngineMember[];
        const k = pick % members.length;
        members[k] = { ...members[k]!, careerRank: (members[k]!.careerRank + 3) % 9 };
        expect(canonical(computePeriod(input))).toEqual(canonical(computePeriod(fresh(input))));
        // And an order replaced (its PV doubled) in the same orders array.
        const orders = input.orders as EngineOrder[];
        if (orders.length) {
          const j = pick % orders.length;
          orders[j] = { ...orders[j]!, pv: String(Number(orders[j]!.pv) * 2) };
          expect(canonical(computePeriod(input))).toEqual(canonical(computePeriod(fresh(input))));
        }
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('on deep chains (Unilevel Infinito beyond level 9)', () => {
    const deep = fc
      .record({
        length: fc.integer({ min: 10, max: 40 }),
        ranksAt: fc.array(fc.integer({ min: 0, max: 39 }), { maxLength: 8 }),
        buyers: fc.array(fc.record({ at: fc.integer({ min: 0, max: 39 }), vn: money }), { minLength: 1, maxLength: 10 }),
        countries: fc.array(fc.constantFrom<Country>('MX', 'US', 'CO', 'DO'), { minLength: 40, maxLength: 40 }),
        odd: fc.boolean(),
      })
      .map(({ length, ranksAt, buyers, countries, odd }): EngineInput => {
        const members: EngineMember[] = Array.from({ length }, (_, i) => ({
          id: `D${i}`,
          sponsorId: i === 0 ? null : `D${i - 1}`,
          country: countries[i]!,
          enrolledAt: '2020-01-01T00:00:00Z',
          careerRank: 8,
          carDownPaymentPaid: true,
          loyaltyPoints: 0,
          travelPoints: '0',
        }));
        const orders: EngineOrder[] = [];
        ranksAt.forEach((at, k) => {
          const m = members[at % length]!;
          orders.push({
            id: `R${k}`,
            member: m.id,
            kind: 'product',
            pv: pvValues[(k * 5 + 7) % pvValues.length]!,
            vn: '1.00',
            currency: CURRENCY[m.country],
            paidAt: '2026-11-15T12:00:00Z',
          });
          orders.push({ id: `S${k}`, member: m.id, kind: 'product', pv: '2000.5', vn: '0.00', currency: CURRENCY[m.country], paidAt: '2026-11-15T12:00:00Z' });
        });
        buyers.forEach((b, k) => {
          const m = members[b.at % length]!;
          orders.push({ id: `B${k}`, member: m.id, kind: 'product', pv: '300000', vn: b.vn, currency: CURRENCY[m.country], paidAt: '2026-11-16T12:00:00Z' });
        });
        return { period: PERIOD, plan: odd ? PLAN_ODD : PLAN_V1, rates: { MXN: '1', USD: '18.50', COP: '0.0046', DOP: '0.31' }, members, history: [], orders };
      });
    fc.assert(
      fc.property(deep, (input) => {
        expect(canonical(computePeriod(input))).toEqual(canonical(referencePeriodEngine(input)));
      }),
      { numRuns: 300 },
    );
  }, 180_000);

  it('COPY text of every line (the close writes it) is the line itself, column for column', () => {
    const columns = LINE_COPY_COLUMNS.split(', ');
    const field: Record<string, (l: ReturnType<typeof lineOf>) => string> = {
      source_kind: (l) => l.sourceKind,
      source_id: (l) => l.source.replace(/~k$/, ''),
      base: (l) => l.base,
      base_currency: (l) => l.baseCurrency,
      fx_from: (l) => l.fxFrom,
      type: (l) => l.type,
      level: (l) => String(l.level),
      rate: (l) => l.rate ?? '\\N',
      amount: (l) => l.amount,
      beneficiary_id: (l) => l.beneficiary,
      currency: (l) => l.currency,
      fx_to: (l) => l.fxTo,
    };
    const lineOf = (r: ReturnType<typeof runPeriodEngine>, i: number) => r.lines.row(i);
    let lines = 0;
    fc.assert(
      fc.property(inputArb, (input) => {
        // A mixed order's kit part, as the close loads it: its lines carry the order's own id.
        const orders = input.orders.map((o) => (o.kind === 'kit' ? { ...o, id: `${o.id}~k` } : o));
        const r = runPeriodEngine({ ...input, orders });
        const expected: string[] = [];
        for (let i = 0; i < r.lines.length; i++) {
          const l = lineOf(r, i);
          expected.push(columns.map((c) => field[c]!(l)).join('\t'));
          expect(r.lines.copyText(i)).toBe(expected[i]);
        }
        // The byte rows of the close, in another order and in small chunks (rows cross no chunk).
        const order = Int32Array.from(expected.keys()).reverse();
        const chunks = [...r.lines.copyChunks(order, (b) => `\tkey:${b}`, 64)].map((c) => Buffer.from(c).toString());
        for (const c of chunks) expect(c.endsWith('\n')).toBe(true);
        expect(chunks.join('')).toBe(Array.from(order, (i) => `${expected[i]}\tkey:${r.lines.beneficiary[i]}\n`).join(''));
        lines += r.lines.length;
      }),
      { numRuns: 400 },
    );
    expect(lines).toBeGreaterThan(1_000);
  }, 120_000);
});
