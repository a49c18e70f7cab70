/**
 * The nine bonuses, ranks and the period filter on small networks with hand-computed figures.
 * Every scenario runs through BOTH the fast engine and the reference calculator (runBoth), which
 * must agree exactly; the figures below are then checked against the plan by hand.
 */
import { describe, expect, it } from 'vitest';
import { referencePeriodEngine } from '../reference/reference';
import { runPeriodEngine } from './engine';
import { EngineInputError, InvalidExchangeRateError, MissingExchangeRateError, SponsorCycleError, UnknownKitSkuError, UnknownSponsorError } from './errors';
import { inputOf, kit, lineStrings, member, product, programOf, runBoth, volumeOf, type Scenario } from '../../../test/engine-scenarios';

describe("1. Bono Directo: 25% of a product order's VN to the buyer's sponsor, converted", () => {
  const out = runBoth({
    members: [member('A', null), member('B', 'A'), member('X', 'A', { country: 'US' }), member('Y', 'X')],
    orders: [
      product('B', '293', { id: 'OB', vn: '1000.00' }),
      product('X', '100', { id: 'OX', vn: '80.50', country: 'US' }),
      product('Y', '50', { id: 'OY', vn: '1000.00' }),
      product('A', '50', { id: 'OA', vn: '999.00' }), // root: no sponsor, no directo
      kit('B', 'FULL-SKIN', { id: 'KB' }), // kits never pay directo
    ],
  });
  it('pays the sponsor in its own currency', () => {
    expect(lineStrings(out, 'directo')).toEqual([
      'directo A OB L1 250.00 MXN',
      'directo A OX L1 372.31 MXN', // 80.50 USD × 0.25 × 18.50 = 372.3125
      'directo X OY L1 13.51 USD', // 1000 MXN × 0.25 / 18.50 = 13.5135…
    ]);
  });
  it('needs no rank', () => {
    expect(volumeOf(out, 'A').paidAsRank).toBe(0);
    expect(lineStrings(out, 'uninivel')).toEqual([]);
  });
  it('stores base, rate and the exchange rates used', () => {
    const l = out.lines.find((x) => x.type === 'directo' && x.source === 'OY')!;
    expect(l).toMatchObject({ base: '1000.00', baseCurrency: 'MXN', rate: '0.25', fxFrom: '1', fxTo: '18.50', sourceKind: 'order' });
  });
});

describe("2. Bono Rápido: 30/10/5% of a kit's PV as MXN up the sponsor line, uncompressed, converted", () => {
  const out = runBoth({
    members: [
      member('A', null),
      member('B', 'A'),
      member('C', 'B', { country: 'US' }),
      member('D', 'C'),
      member('E', 'D'),
      member('F', 'A', { country: 'CO' }),
      member('G', 'F'),
    ],
    orders: [kit('E', 'FULL-PROTECT', { id: 'KE' }), kit('G', 'FULL-SUPPLEMENT', { id: 'KG' })],
  });
  it('pays three levels, no rank needed, even to a member with rank 0', () => {
    expect(lineStrings(out, 'rapido')).toEqual(
      [
        'rapido B KE L3 243.00 MXN', // 4860 × 5%
        'rapido C KE L2 26.27 USD', // 486 MXN / 18.50 = 26.270…
        'rapido D KE L1 1458.00 MXN', // 4860 × 30%
        'rapido F KG L1 108913.04 COP', // 501 MXN / 0.0046 = 108913.043…
        'rapido A KG L2 167.00 MXN',
      ].sort(),
    );
  });
  it('a kit pays no directo or uninivel, but its PV counts for rank and cashback', () => {
    expect(out.lines.filter((l) => l.type !== 'rapido')).toEqual([]);
    expect(volumeOf(out, 'E')).toMatchObject({ pv: '4860', vn: '0.00', pvg: '4860', paidAsRank: 1, careerRank: 1 });
    expect(volumeOf(out, 'A')).toMatchObject({ pv: '0', pvg: '6530', paidAsRank: 0 });
    expect(programOf(out, 'E').cashback).toBe(true);
  });
});

describe('3. Bono Uninivel: level rates opened by paid-as rank, uncompressed', () => {
  // A (Emprendedor: levels 1–4) ← B (Visionario) ← C (Sin rango) ← D (Visionario) ← E (Visionario)
  //   ↖ F (Visionario)
  const out = runBoth({
    members: [member('A', null), member('B', 'A'), member('C', 'B'), member('D', 'C'), member('E', 'D'), member('F', 'A')],
    orders: [
      product('E', '1465', { id: 'OE', vn: '1000.00' }),
      product('D', '1465', { id: 'OD', vn: '100.00' }),
      product('C', '586', { id: 'OC', vn: '586.00' }),
      product('B', '1465', { id: 'OB', vn: '1465.00' }),
      product('F', '20000', { id: 'OF', vn: '20000.00' }),
      product('A', '1465', { id: 'OA', vn: '1465.00' }),
    ],
  });
  it('computes ranks from PV and PVG', () => {
    expect(out.volumes.map((v) => `${v.member} ${v.pv} ${v.pvg} ${v.paidAsRank}`)).toEqual([
      'A 1465 26446 2',
      'B 1465 4981 1',
      'C 586 3516 0',
      'D 1465 2930 1',
      'E 1465 1465 1',
      'F 20000 20000 1',
    ]);
  });
  it('pays each upline whose rank opens the level; the buyer earns nothing on its own order', () => {
    expect(lineStrings(out, 'uninivel')).toEqual(
      [
        'uninivel D OE L1 50.00 MXN',
        'uninivel B OE L3 100.00 MXN',
        'uninivel A OE L4 100.00 MXN', // Emprendedor opens level 4; C (level 2) has no rank
        'uninivel B OD L2 8.00 MXN',
        'uninivel A OD L3 10.00 MXN',
        'uninivel B OC L1 29.30 MXN',
        'uninivel A OC L2 46.88 MXN',
        'uninivel A OB L1 73.25 MXN',
        'uninivel A OF L1 1000.00 MXN',
      ].sort(),
    );
  });
});

describe('3b. Unilevel Infinito: Embajadores earn on every level deeper than 9', () => {
  // T ← N1 ← N2 ← … ← N11: N11 buys; N1 and T are Embajador Inspirador (1% beyond level 9).
  const chain = [member('T', null, { careerRank: 6 })];
  for (let i = 1; i <= 11; i++) chain.push(member(`N${i}`, i === 1 ? 'T' : `N${i - 1}`, { careerRank: i === 1 ? 6 : i === 11 ? 5 : 0 }));
  const out = runBoth({
    members: chain,
    orders: [
      product('N11', '300000', { id: 'O11', vn: '10000.00' }),
      product('N1', '350000', { id: 'O1', vn: '1000.00' }),
      product('T', '1465', { id: 'OT', vn: '1465.00' }),
    ],
  });
  it('ranks', () => {
    expect(volumeOf(out, 'T')).toMatchObject({ pvg: '651465', paidAsRank: 6 });
    expect(volumeOf(out, 'N1')).toMatchObject({ pvg: '650000', paidAsRank: 6 });
    expect(volumeOf(out, 'N11')).toMatchObject({ pvg: '300000', paidAsRank: 5 });
  });
  it('pays levels 10 and 11 at the Inspirador rate, the table below', () => {
    expect(lineStrings(out, 'uninivel')).toEqual(['uninivel N1 O11 L10 100.00 MXN', 'uninivel T O1 L1 50.00 MXN', 'uninivel T O11 L11 100.00 MXN']);
    const deep = out.lines.find((l) => l.type === 'uninivel' && l.level === 11)!;
    expect(deep.rate).toBe('0.01');
  });
  it('matching on the Unilevel of the level below', () => {
    // T (Inspirador: L1 30%, L2 20%) on N1's Uninivel 100.00 -> 30.00
    expect(lineStrings(out, 'matching')).toEqual(['matching T N1 L1 30.00 MXN']);
  });
});

describe('4. Bono por Alcance: once per rank reached for the first time', () => {
  const s: Scenario = {
    members: [
      member('M', null, { careerRank: 1 }),
      member('Y', null, { enrolledAt: '2026-11-05T18:00:00Z' }),
      member('W1', null, { enrolledAt: '2026-11-01T06:00:00Z' }), // exactly 30 days before the period's end
      member('W2', null, { enrolledAt: '2026-11-01T05:59:59.999Z' }), // 30 days and 1 ms before
      member('DO', null, { country: 'DO', careerRank: 4 }),
      member('US', null, { country: 'US', careerRank: 4 }),
      member('CO', null, { country: 'CO', careerRank: 4 }),
      member('K', null, { careerRank: 4 }),
    ],
    orders: [
      product('M', '120000', { vn: '100.00' }),
      product('Y', '21000', { vn: '100.00' }),
      product('W1', '21000', { vn: '100.00' }),
      product('W2', '21000', { vn: '100.00' }),
      product('DO', '300000', { vn: '100.00', country: 'DO' }),
      product('US', '300000', { vn: '100.00', country: 'US' }),
      product('CO', '300000', { vn: '100.00', country: 'CO' }),
      product('K', '21000', { vn: '100.00' }),
    ],
  };
  const out = runBoth(s);
  it('pays every rank between the career rank and the new paid-as rank', () => {
    expect(lineStrings(out, 'alcance')).toEqual(
      [
        'alcance M M L3 3000.00 MXN', // Emprendedor skipped: enrolled long ago
        'alcance M M L4 5000.00 MXN',
        'alcance Y Y L2 1500.00 MXN', // Visionario has no Alcance
        'alcance W1 W1 L2 1500.00 MXN',
        'alcance DO DO L5 24193.55 DOP', // no DOP figure: 7500 MXN / 0.31
        'alcance US US L5 390.00 USD',
        'alcance CO CO L5 1650000.00 COP',
      ].sort(),
    );
  });
  it('raises the career rank; a lower paid-as rank keeps it', () => {
    expect(volumeOf(out, 'M')).toMatchObject({ paidAsRank: 4, careerRank: 4 });
    expect(volumeOf(out, 'K')).toMatchObject({ paidAsRank: 2, careerRank: 4 });
  });
  it('records rank changes', () => {
    const changes = runPeriodEngine(inputOf(s)).rankChanges();
    expect(changes.filter((c) => c.member === 'M')).toEqual([
      { member: 'M', period: '2026-11', kind: 'career', from: 1, to: 4 },
      { member: 'M', period: '2026-11', kind: 'paidAs', from: 0, to: 4 },
    ]);
    expect(referencePeriodEngine(inputOf(s)).rankChanges).toEqual(changes);
  });
});

describe("5. Bono Matching: an Embajador's share of its downline's Uninivel, by level", () => {
  // S (US) ← A ← B ← C ← D, all Embajador Consciente (L1 30%, L2 20%, L3 10%).
  const out = runBoth({
    members: [
      member('S', null, { country: 'US', careerRank: 7 }),
      member('A', 'S', { careerRank: 7 }),
      member('B', 'A', { careerRank: 7 }),
      member('C', 'B', { careerRank: 7 }),
      member('D', 'C', { careerRank: 7 }),
    ],
    orders: [
      product('D', '1300000', { id: 'OD', vn: '10000.00' }),
      product('C', '1465', { id: 'OC' }),
      product('B', '1465', { id: 'OB' }),
      product('A', '1465', { id: 'OA' }),
      product('S', '1465', { id: 'OS', vn: '80.00', country: 'US' }),
    ],
  });
  it('Uninivel first (the matching base)', () => {
    expect(out.volumes.map((v) => v.paidAsRank)).toEqual([7, 7, 7, 7, 7]);
    expect(lineStrings(out, 'uninivel')).toEqual(
      [
        'uninivel C OD L1 500.00 MXN',
        'uninivel B OD L2 800.00 MXN',
        'uninivel A OD L3 1000.00 MXN',
        'uninivel S OD L4 54.05 USD',
        'uninivel B OC L1 73.25 MXN',
        'uninivel A OC L2 117.20 MXN',
        'uninivel S OC L3 7.92 USD',
        'uninivel A OB L1 73.25 MXN',
        'uninivel S OB L2 6.34 USD',
        'uninivel S OA L1 3.96 USD',
      ].sort(),
    );
  });
  it('matches the sum of the rounded Uninivel lines, converted, rounded once', () => {
    expect(lineStrings(out, 'matching')).toEqual(
      [
        'matching S A L1 19.30 USD', // 1190.45 × 30% = 357.135 MXN / 18.50
        'matching S B L2 9.44 USD', // 873.25 × 20% = 174.65 MXN / 18.50
        'matching S C L3 2.70 USD', // 500 × 10% = 50 MXN / 18.50
        'matching A B L1 261.98 MXN', // 873.25 × 30% = 261.975, half-up
        'matching A C L2 100.00 MXN',
        'matching B C L1 150.00 MXN',
      ].sort(),
    );
  });
});

describe('6. Bono Automóvil: Transformador or above this period and the previous one', () => {
  const hist = (m: string, rank: number, period = '2026-10') => ({ member: m, period, pv: '1465', paidAsRank: rank });
  const out = runBoth({
    members: [
      member('P1', null, { careerRank: 5 }),
      member('P2', null, { careerRank: 5, carDownPaymentPaid: true }),
      member('P3', null, { careerRank: 6, country: 'US' }),
      member('P4', null, { careerRank: 5 }),
      member('P5', null, { careerRank: 5 }),
      member('P6', null, { careerRank: 5, country: 'DO', carDownPaymentPaid: true }),
      member('P7', null, { careerRank: 5 }),
    ],
    orders: [
      product('P1', '300000', { vn: '1.00' }),
      product('P2', '300000', { vn: '1.00' }),
      product('P3', '300000', { vn: '1.00', country: 'US' }),
      product('P4', '300000', { vn: '1.00' }),
      product('P5', '300000', { vn: '1.00' }),
      product('P6', '300000', { vn: '1.00', country: 'DO' }),
      product('P7', '300000', { vn: '1.00' }),
    ],
    history: [hist('P1', 5), hist('P2', 8), hist('P3', 6), hist('P4', 4), hist('P6', 5), hist('P7', 5, '2026-09'), hist('P7', 0)],
  });
  it('pays the down payment the first time, then the monthly amount', () => {
    expect(lineStrings(out, 'automovil')).toEqual([
      'automovil P1 P1 L1 50000.00 MXN',
      'automovil P2 P2 L2 5000.00 MXN',
      'automovil P3 P3 L1 2500.00 USD',
      'automovil P6 P6 L2 16129.03 DOP', // 5000 MXN / 0.31
    ]);
    expect(programOf(out, 'P1').carDownPaymentPaid).toBe(true);
    expect(programOf(out, 'P4').carDownPaymentPaid).toBe(false);
  });
});

describe('7. Cashback: PV ≥ 2930 in the period earns the entitlement', () => {
  const out = runBoth({
    members: [member('Q1', null), member('Q2', null), member('Q3', null)],
    orders: [kit('Q1', 'FULL-PROTECT'), product('Q2', '2929'), product('Q3', '1465'), product('Q3', '1465')],
  });
  it('counts kits, at the threshold exactly', () => {
    expect(out.programs.map((p) => `${p.member} ${p.cashback}`)).toEqual(['Q1 true', 'Q2 false', 'Q3 true']);
  });
});

describe('8. Lealtad: an order paid on days 1–7 (Mexico time) earns 25 points', () => {
  const out = runBoth({
    members: [
      member('L1', null, { loyaltyPoints: 75 }),
      member('L2', null, { loyaltyPoints: 50 }),
      member('L3', null),
      member('L4', null, { loyaltyPoints: 50 }),
      member('L5', null, { loyaltyPoints: 25 }),
    ],
    orders: [
      product('L1', '293', { paidAt: '2026-11-07T23:59:59.999-06:00' }),
      product('L2', '293', { paidAt: '2026-11-08T00:00:00-06:00' }),
      product('L3', '293', { paidAt: '2026-11-01T00:00:00-06:00' }),
      product('L5', '293', { paidAt: '2026-10-03T12:00:00-06:00' }), // previous period
    ],
  });
  it('adds, resets, and gives the gift at 100 points', () => {
    expect(out.programs.map((p) => `${p.member} ${p.loyaltyPoints} ${p.loyaltyGift}`)).toEqual([
      'L1 0 true',
      'L2 0 false',
      'L3 25 false',
      'L4 0 false',
      'L5 0 false',
    ]);
  });
});

describe('9. NN Travels: points during a campaign, multiplied, capped at 200', () => {
  const members = [
    member('R', null, { travelPoints: '10' }),
    member('S1', 'R'),
    member('S2', 'R'),
    member('C1', null, { travelPoints: '199' }),
    member('Z', null, { travelPoints: '12.50' }),
  ];
  const orders = [kit('S1', 'FULL-SKIN'), kit('S1', 'FULL-PROTECT'), kit('S2', 'FULL-SUPPLEMENT'), product('C1', '1465')];
  const travel = (multiplier: string, from = '2026-09', to = '2027-02') =>
    runBoth({ members, orders, travelCampaign: { from, to, multiplier } }).programs.map((p) => `${p.member} ${p.travelPoints}`);
  it("kits of direct recruits, own rank, direct recruits' ranks", () => {
    // R: kits 2 + 4 + 1, recruits' ranks Visionario 1 + 1, own rank 0 => 9 points
    expect(travel('1')).toEqual(['R 19', 'S1 1', 'S2 1', 'C1 200', 'Z 12.5']);
  });
  it("multiplies a period's points before the cap", () => {
    expect(travel('2')).toEqual(['R 28', 'S1 2', 'S2 2', 'C1 200', 'Z 12.5']);
    expect(travel('1.5')).toEqual(['R 23.5', 'S1 1.5', 'S2 1.5', 'C1 200', 'Z 12.5']);
  });
  it('leaves points unchanged outside the campaign (window inclusive)', () => {
    expect(travel('1', '2026-01', '2026-10')).toEqual(['R 10', 'S1 0', 'S2 0', 'C1 199', 'Z 12.5']);
    expect(travel('1', '2026-11', '2026-11')).toEqual(['R 19', 'S1 1', 'S2 1', 'C1 200', 'Z 12.5']);
    expect(runBoth({ members, orders }).programs.map((p) => p.travelPoints)).toEqual(['10', '0', '0', '199', '12.5']);
  });
});

describe('the period: orders count by payment time in the Mexico-Central month', () => {
  const out = runBoth({
    members: [member('A', null), member('B', 'A')],
    orders: [
      product('B', '100', { id: 'OCT', paidAt: '2026-11-01T05:59:59.999Z' }),
      product('B', '200', { id: 'NOV1', paidAt: '2026-11-01T06:00:00Z' }),
      product('B', '300', { id: 'NOV30', paidAt: '2026-12-01T05:59:59.999Z' }),
      product('B', '400', { id: 'DEC', paidAt: '2026-12-01T06:00:00Z' }),
    ],
  });
  it('ignores orders outside the period', () => {
    expect(volumeOf(out, 'B')).toMatchObject({ pv: '500', vn: '500.00' });
    expect(lineStrings(out, 'directo')).toEqual(['directo A NOV1 L1 50.00 MXN', 'directo A NOV30 L1 75.00 MXN']);
  });
});

describe('bad input is refused with typed errors (both engines)', () => {
  const both = (s: Scenario, type: abstract new (...args: never[]) => Error, code: string) => {
    for (const engine of [runPeriodEngine, referencePeriodEngine]) {
      let caught: unknown;
      try {
        engine(inputOf(s));
      } catch (e) {
        caught = e;
      }
      expect(caught, engine.name).toBeInstanceOf(type);
      expect((caught as EngineInputError).code, engine.name).toBe(code);
    }
  };
  it('an unknown sponsor', () => {
    both({ members: [member('A', null), member('B', 'NOPE')] }, UnknownSponsorError, 'UNKNOWN_SPONSOR');
  });
  it('a cycle', () => {
    both({ members: [member('R', null), member('A', 'B'), member('B', 'C'), member('C', 'A')] }, SponsorCycleError, 'SPONSOR_CYCLE');
    both({ members: [member('A', 'A')] }, SponsorCycleError, 'SPONSOR_CYCLE');
    try {
      runPeriodEngine(inputOf({ members: [member('R', null), member('A', 'B'), member('B', 'C'), member('C', 'A')] }));
    } catch (e) {
      expect([...(e as SponsorCycleError).cycle].sort()).toEqual(['A', 'B', 'C']);
    }
  });
  it('an unknown kit SKU', () => {
    both({ members: [member('A', null)], orders: [{ ...kit('A', 'FULL-SKIN'), sku: 'FULL-MYSTERY' }] }, UnknownKitSkuError, 'UNKNOWN_KIT_SKU');
    both({ members: [member('A', null)], orders: [{ ...kit('A', 'FULL-SKIN'), sku: null }] }, UnknownKitSkuError, 'UNKNOWN_KIT_SKU');
  });
  it('a missing exchange rate, a rate ≤ 0', () => {
    const members = [member('A', null), member('U', 'A', { country: 'US' })];
    both({ members, rates: { MXN: '1', COP: '0.0046' } }, MissingExchangeRateError, 'MISSING_EXCHANGE_RATE');
    both({ members, rates: { MXN: '1', USD: '0' } }, InvalidExchangeRateError, 'INVALID_EXCHANGE_RATE');
    both({ members, rates: { MXN: '1', USD: '-18.5' } }, InvalidExchangeRateError, 'INVALID_EXCHANGE_RATE');
    both({ members, rates: { MXN: '1', USD: 'abc' } }, InvalidExchangeRateError, 'INVALID_EXCHANGE_RATE');
  });
  it('an order of an unknown member, a duplicate member, an order in another currency', () => {
    both({ members: [member('A', null)], orders: [product('Z', '10')] }, EngineInputError, 'UNKNOWN_MEMBER');
    both({ members: [member('A', null), member('A', null)] }, EngineInputError, 'DUPLICATE_MEMBER');
    both({ members: [member('A', null)], orders: [product('A', '10', { currency: 'USD' })] }, EngineInputError, 'ORDER_CURRENCY_MISMATCH');
    both({ members: [member('A', null)], orders: [product('A', '10', { vn: '1.005' })] }, EngineInputError, 'INVALID_INPUT');
  });
});
