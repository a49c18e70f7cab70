/**
 * More hand-computed small networks for the bonuses (issue 6), where bonuses.test.ts leaves a rule
 * uncovered: Unilevel Infinito at every Embajador rate and depth, Alcance across several ranks at
 * once (with and without the Emprendedor 30-day rule), Matching for Transformador and Solidario,
 * Automóvil when the streak breaks, Lealtad with a kit order, NN Travels rank points with a
 * multiplier and the cap. Every scenario runs through both engines (runBoth), which must agree.
 * Rates: RATES of test/engine-scenarios.ts (USD 18.50 MXN).
 */
import { describe, expect, it } from 'vitest';
import type { EngineMember, EngineOrder } from './types';
import { kit, lineStrings, member, product, programOf, runBoth, volumeOf } from '../../../test/engine-scenarios';

const RANK_PVG: Record<number, string> = { 4: '120000', 5: '300000', 6: '650000', 7: '1300000', 8: '2900000' };

/**
 * p+'E' (own PV = the rank's PVG threshold, VN 1.00) ← p+'F1' ← … ← p+'F{depth-1}' ← p+'B' (buys
 * VN 1,000.00, PV 100): E is at sponsor level `depth` of B's order; the F's have no orders.
 */
function chain(p: string, rank: number, depth: number): { members: EngineMember[]; orders: EngineOrder[] } {
  const members = [member(`${p}E`, null, { careerRank: rank })];
  for (let i = 1; i < depth; i++) members.push(member(`${p}F${i}`, i === 1 ? `${p}E` : `${p}F${i - 1}`));
  members.push(member(`${p}B`, depth === 1 ? `${p}E` : `${p}F${depth - 1}`));
  return { members, orders: [product(`${p}E`, RANK_PVG[rank]!, { id: `${p}OE`, vn: '1.00' }), product(`${p}B`, '100', { id: `${p}OB`, vn: '1000.00' })] };
}

describe("3c. Unilevel Infinito: level 10 and deeper at each Embajador's rate; the table down to 9", () => {
  const parts = [chain('T', 5, 10), chain('I', 6, 10), chain('C', 7, 10), chain('S', 8, 10), chain('N', 4, 10), chain('D', 8, 12), chain('L', 5, 9)];
  const out = runBoth({ members: parts.flatMap((x) => x.members), orders: parts.flatMap((x) => x.orders) });
  it('ranks from own PV at the threshold (+ 100 PV of the buyer)', () => {
    expect(['TE', 'IE', 'CE', 'SE', 'NE', 'DE', 'LE'].map((m) => volumeOf(out, m).paidAsRank)).toEqual([5, 6, 7, 8, 4, 8, 5]);
    expect(volumeOf(out, 'TE').pvg).toBe('300100');
  });
  it('pays 0.5 / 1 / 1.5 / 2 % below level 9, the level table at 9, nothing to a non-Embajador at 10', () => {
    expect(lineStrings(out, 'uninivel')).toEqual([
      'uninivel CE COB L10 15.00 MXN', // Consciente: 1000 × 1.5 %
      'uninivel DE DOB L12 20.00 MXN', // Solidario at level 12: no depth limit, 1000 × 2 %
      'uninivel IE IOB L10 10.00 MXN', // Inspirador: 1000 × 1 %
      'uninivel LE LOB L9 30.00 MXN', // level 9 is the table's 3 %, not Infinito
      'uninivel SE SOB L10 20.00 MXN', // Solidario: 1000 × 2 %
      'uninivel TE TOB L10 5.00 MXN', // Transformador: 1000 × 0.5 %
      // NE (Innovador, levels 1–6) earns nothing at level 10; the F's have no rank.
    ]);
    expect(out.lines.find((l) => l.type === 'uninivel' && l.beneficiary === 'TE')!.rate).toBe('0.005');
    expect(out.lines.find((l) => l.type === 'uninivel' && l.beneficiary === 'LE')!.rate).toBe('0.03');
  });
});

describe('4b. Bono por Alcance: every rank from career + 1 to the new paid-as rank, once', () => {
  const out = runBoth({
    members: [
      member('J', null, { enrolledAt: '2026-11-20T12:00:00Z' }), // enrolled 11 days before the period's end
      member('O', null), // enrolled 2024: no Emprendedor
      member('U', null, { country: 'US', enrolledAt: '2026-11-15T12:00:00Z', careerRank: 2 }),
      member('Q', null, { careerRank: 8 }),
    ],
    orders: [
      product('J', '300000', { vn: '1.00' }),
      product('O', '300000', { vn: '1.00' }),
      product('U', '2900000', { vn: '1.00', country: 'US' }),
      product('Q', '2900000', { vn: '1.00' }),
    ],
  });
  it('pays the skipped ranks too; Visionario has no figure; a career rank already there pays nothing', () => {
    expect(lineStrings(out, 'alcance')).toEqual([
      // J: 0 → Transformador: Emprendedor 1,500 + Creativo 3,000 + Innovador 5,000 + Transformador 7,500 = 17,000 MXN
      'alcance J J L2 1500.00 MXN',
      'alcance J J L3 3000.00 MXN',
      'alcance J J L4 5000.00 MXN',
      'alcance J J L5 7500.00 MXN',
      // O: the same jump without Emprendedor (enrolled long before): 15,500 MXN
      'alcance O O L3 3000.00 MXN',
      'alcance O O L4 5000.00 MXN',
      'alcance O O L5 7500.00 MXN',
      // U: career Emprendedor → Solidario, USD figures: 165 + 280 + 390 + 555 + 1,111 + 2,222
      'alcance U U L3 165.00 USD',
      'alcance U U L4 280.00 USD',
      'alcance U U L5 390.00 USD',
      'alcance U U L6 555.00 USD',
      'alcance U U L7 1111.00 USD',
      'alcance U U L8 2222.00 USD',
    ]);
    expect(['J', 'O', 'U', 'Q'].map((m) => volumeOf(out, m).careerRank)).toEqual([5, 5, 8, 8]);
  });
});

describe('5b. Bono Matching: Transformador L1 only; Solidario down to L4 at 5 %', () => {
  // S (Solidario) ← A ← B ← C ← D ← X;  T (Transformador) ← G ← H ← Y.
  // A–D, G, H: Visionario (PV 1,465, VN 0: they open levels 1–3); X and Y buy VN 1,000.
  const vis = (m: string) => product(m, '1465', { id: `O${m}`, vn: '0.00' });
  const out = runBoth({
    members: [
      member('S', null, { careerRank: 8 }),
      member('A', 'S'),
      member('B', 'A'),
      member('C', 'B'),
      member('D', 'C'),
      member('X', 'D'),
      member('T', null, { careerRank: 5 }),
      member('G', 'T'),
      member('H', 'G'),
      member('Y', 'H'),
    ],
    orders: [
      product('S', '2900000', { id: 'OS', vn: '0.00' }),
      vis('A'),
      vis('B'),
      vis('C'),
      vis('D'),
      product('X', '100', { id: 'OX', vn: '1000.00' }),
      product('T', '300000', { id: 'OT', vn: '0.00' }),
      vis('G'),
      vis('H'),
      product('Y', '100', { id: 'OY', vn: '1000.00' }),
    ],
  });
  it('Uninivel (the base)', () => {
    expect(['S', 'A', 'T', 'G'].map((m) => volumeOf(out, m).paidAsRank)).toEqual([8, 1, 5, 1]);
    expect(lineStrings(out, 'uninivel')).toEqual([
      'uninivel B OX L3 100.00 MXN', // 10 %
      'uninivel C OX L2 80.00 MXN', // 8 %
      'uninivel D OX L1 50.00 MXN', // 5 %
      'uninivel G OY L2 80.00 MXN',
      'uninivel H OY L1 50.00 MXN',
      'uninivel S OX L5 50.00 MXN', // A (Visionario) cannot take level 4; S opens 1–9: 5 %
      'uninivel T OY L3 100.00 MXN',
    ]);
  });
  it('Matching by level', () => {
    expect(lineStrings(out, 'matching')).toEqual([
      // S: A (L1) earned nothing; B (L2) 100 × 20 % = 20; C (L3) 80 × 10 % = 8; D (L4) 50 × 5 % = 2.50
      'matching S B L2 20.00 MXN',
      'matching S C L3 8.00 MXN',
      'matching S D L4 2.50 MXN',
      // T (Transformador: L1 30 % only): G 80 × 30 % = 24; nothing on H (L2)
      'matching T G L1 24.00 MXN',
    ]);
  });
});

describe('6b. Bono Automóvil: the streak broken or not yet started', () => {
  const out = runBoth({
    members: [
      member('B1', null, { careerRank: 5, carDownPaymentPaid: true }), // Innovador this period, Transformador before
      member('B2', null, { careerRank: 5 }), // Transformador now, Sin rango before (no history row)
      member('B3', null, { careerRank: 5, carDownPaymentPaid: true, country: 'US' }), // later month in USD
    ],
    orders: [product('B1', '120000', { vn: '1.00' }), product('B2', '300000', { vn: '1.00' }), product('B3', '300000', { vn: '1.00', country: 'US' })],
    history: [
      { member: 'B1', period: '2026-10', pv: '1465', paidAsRank: 5 },
      { member: 'B3', period: '2026-10', pv: '1465', paidAsRank: 7 },
    ],
  });
  it('pays only two qualified periods in a row; the down payment flag is kept', () => {
    expect(lineStrings(out, 'automovil')).toEqual(['automovil B3 B3 L2 250.00 USD']);
    expect([programOf(out, 'B1').carDownPaymentPaid, programOf(out, 'B2').carDownPaymentPaid, programOf(out, 'B3').carDownPaymentPaid]).toEqual([
      true,
      false,
      true,
    ]);
  });
});

describe('8b. Lealtad: a kit order counts; the gift at 100 restarts the points', () => {
  const out = runBoth({
    members: [member('K', null, { loyaltyPoints: 75 }), member('N', null, { loyaltyPoints: 25 }), member('F', null, { loyaltyPoints: 0 })],
    orders: [
      kit('K', 'FULL-SKIN', { paidAt: '2026-11-03T10:00:00-06:00' }), // 75 + 25 = 100 → gift, 0
      product('N', '293', { paidAt: '2026-11-01T00:00:00-06:00' }), // day 1, 00:00 Mexico: 25 + 25 = 50
      product('F', '293', { paidAt: '2026-11-08T00:00:01-06:00' }), // day 8: no points, reset to 0
    ],
  });
  it('points and gifts', () => {
    expect(out.programs.map((p) => `${p.member} ${p.loyaltyPoints} ${p.loyaltyGift}`)).toEqual(['K 0 true', 'N 50 false', 'F 0 false']);
  });
});

describe("9b. NN Travels: own and recruits' rank points, kits, × 2, capped at 200", () => {
  const out = runBoth({
    members: [
      member('R', null, { careerRank: 2 }),
      member('S1', 'R', { careerRank: 1 }),
      member('S2', 'R', { careerRank: 1 }),
      member('V', null, { careerRank: 7 }),
      member('W', null, { careerRank: 3, travelPoints: '150' }),
    ],
    orders: [
      product('R', '1465'),
      product('S1', '20000'), // Visionario (PVG 20,000 < 21,000); R: PVG 21,465+4,860 → Emprendedor
      kit('S2', 'FULL-PROTECT'), // Visionario by its kit
      product('V', '1300000'), // Embajador Consciente
      product('W', '58000'), // Creativo
    ],
    travelCampaign: { from: '2026-11', to: '2026-12', multiplier: '2' },
  });
  it('points', () => {
    expect(['R', 'S1', 'S2', 'V', 'W'].map((m) => volumeOf(out, m).paidAsRank)).toEqual([2, 1, 1, 7, 3]);
    expect(out.programs.map((p) => `${p.member} ${p.travelPoints}`)).toEqual([
      'R 22', // (Emprendedor 5 + recruits Visionario 1 + 1 + S2's Full Protect 4) × 2 = 22
      'S1 2', // Visionario 1 × 2
      'S2 2',
      'V 200', // Consciente 200 × 2 = 400 → capped at 200
      'W 180', // 150 + Creativo 15 × 2
    ]);
  });
});
