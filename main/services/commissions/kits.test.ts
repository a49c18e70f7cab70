/**
 * Bono Rápido on orders of two or more kits (kits.ts): every kit pays, one line per order and
 * level, base = Σ kit PV × quantity as MXN, rounded once. Hand figures in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { insertMembers, insertPeriods } from '../../../test/network';
import { SMALL_NETWORK, pendingOrder } from '../../../test/small-network';
import { waitForRun } from '../periods/close';
import { confirmOrder } from '../orders/confirm';
import { PLAN_V1, validatePlan } from '../../domain/plan';
import { runPeriodEngine } from '../../domain/engine';
import { kit, member, inputOf, product } from '../../../test/engine-scenarios';
import { kitSkuOf, planWithKits } from './kits';

describe('kitSkuOf / planWithKits', () => {
  it('one kit keeps its SKU; several become one composite SKU (sorted, with quantities)', () => {
    expect(kitSkuOf([])).toBeNull();
    expect(kitSkuOf(null)).toBeNull();
    expect(kitSkuOf([{ sku: 'FULL-SKIN', quantity: 1 }])).toBe('FULL-SKIN');
    expect(kitSkuOf('FULL-SKIN*1')).toBe('FULL-SKIN');
    expect(kitSkuOf('FULL-SKIN*2')).toBe('FULL-SKIN*2');
    expect(kitSkuOf('FULL-SUPPLEMENT*1,FULL-SKIN*1,FULL-SKIN*1')).toBe('FULL-SKIN*2+FULL-SUPPLEMENT*1');
  });
  it('adds a valid composite kit: PV, travel points and prices summed', () => {
    const p = planWithKits(PLAN_V1, ['FULL-SKIN', 'FULL-SKIN*2+FULL-SUPPLEMENT*1', null, 'FULL-SKIN*2+FULL-SUPPLEMENT*1']);
    expect(() => validatePlan(p)).not.toThrow();
    // 2 × 2180 + 1670 = 6030 PV; travel 2 × 2 + 1 = 5 points; MXN 2 × 2596 + 1996 = 7188.
    expect(p.kits.at(-1)).toEqual({
      sku: 'FULL-SKIN*2+FULL-SUPPLEMENT*1',
      name: 'FULL-SKIN*2+FULL-SUPPLEMENT*1',
      pv: '6030',
      prices: { MXN: '7188.00', USD: '440.00', COP: '1724600.00' },
    });
    expect(p.travel.kitPoints.at(-1)).toEqual({ sku: 'FULL-SKIN*2+FULL-SUPPLEMENT*1', points: '5' });
    expect(p.kits).toHaveLength(4);
    expect(planWithKits(PLAN_V1, ['FULL-SKIN', null])).toBe(PLAN_V1);
    expect(planWithKits(PLAN_V1, ['NOPE*2']).kits).toHaveLength(3); // unknown: the engine refuses it as any unknown SKU
  });
  it('the engine pays Rápido on every kit, rounds once, and counts every kit for NN Travels', () => {
    const sku = 'FULL-PROTECT*1+FULL-SKIN*1';
    const input = inputOf({
      members: [member('R', null), member('S1', 'R', { country: 'US' }), member('S2', 'S1')],
      // S2 buys Full Protect + Full Skin in one order: 4860 + 2180 = 7040 PV.
      orders: [{ ...kit('S2', 'FULL-PROTECT', { id: 'K' }), sku, pv: '7040' }, product('R', '10')],
      travelCampaign: { from: '2026-11', to: '2026-11', multiplier: '1' },
    });
    const out = runPeriodEngine({ ...input, plan: planWithKits(input.plan, [sku]) });
    const lines = [...out.lines]
      .filter((l) => l.type === 'rapido')
      .map((l) => `${l.beneficiary} L${l.level} ${l.base} ${l.amount} ${l.currency}`)
      .sort();
    expect(lines).toEqual([
      'R L2 7040.00 704.00 MXN', // 7040 × 10 %
      'S1 L1 7040.00 114.16 USD', // 7040 × 30 % = 2112 MXN / 18.50 = 114.162… (per kit: 78.81 + 35.35 = 114.16 too)
    ]);
    // S1: its direct recruit S2 bought Full Protect (4) + Full Skin (2) = 6, S2 is Visionario (+1), S1 has no rank: 7.
    expect(out.programs.row(1)).toMatchObject({ member: 'S1', travelPoints: '7' });
  });
});

describe('orders of several kits through confirmation and the close', () => {
  let t: TestApp;
  const now = new Date('2026-12-02T18:00:00Z');
  const lines = async (order: number) =>
    (
      await t.database.sql<{ s: string }[]>`
    select l.type || ' ' || l.beneficiary_id || ' L' || l.level || ' ' || l.base || ' ' || l.amount || ' ' || trim(l.currency) as s
    from commission_lines l where l.source_kind = 'order' and l.source_id = ${order} order by l.type, l.level`
    ).map((r) => r.s);
  async function kitOrder(memberId: number, kits: [string, number][], opts: { currency?: 'USD'; country?: 'US'; paid?: boolean } = {}) {
    const pv = kits.reduce((s, [sku, q]) => s + q * Number(PLAN_V1.kits.find((k) => k.sku === sku)!.pv), 0);
    const id = await pendingOrder(t.database.sql, memberId, String(pv), '0', { kitPv: String(pv), currency: opts.currency, country: opts.country });
    for (const [sku, q] of kits) {
      await t.database
        .sql`insert into order_lines (order_id, product_id, quantity, unit_price, pv, vn) select ${id}, id, ${q}, 0, pv * ${q}, 0 from products where sku = ${sku}`;
    }
    if (opts.paid) {
      // Paid before any instant posting (e.g. confirmed while its period did not exist): the close pays it.
      await t.database.sql`update orders set status = 'paid', payment_confirmed_at = '2026-11-11T12:00:00Z', payment_method = 'manual',
        period_id = (select id from periods where key = '2026-11') where id = ${id}`;
    } else {
      await t.database.db.transaction(async (tx) => {
        await confirmOrder(tx, id, { confirmedAt: '2026-11-10T18:00:00Z', method: 'manual' });
      });
    }
    return id;
  }
  let A: number;
  let B: number;
  let C: number;
  let D: number;

  beforeAll(async () => {
    t = await testApp({ now: () => now });
    await insertMembers(t.database.sql, [...SMALL_NETWORK, { id: 10, sponsorId: 5, firstName: 'Julia', lastName: 'Kent', country: 'US' }]);
    await insertPeriods(t.database.sql, ['2026-09', '2026-10', '2026-11']);
    for (const k of PLAN_V1.kits) await t.database.sql`insert into products (sku, name, kind, pv) values (${k.sku}, ${k.name}, 'kit', ${k.pv})`;
    A = await kitOrder(7, [
      ['FULL-SKIN', 1],
      ['FULL-SUPPLEMENT', 1],
    ]);
    B = await kitOrder(10, [['FULL-SKIN', 2]], { currency: 'USD', country: 'US' });
    C = await kitOrder(
      8,
      [
        ['FULL-PROTECT', 1],
        ['FULL-SUPPLEMENT', 2],
      ],
      { paid: true },
    );
    // D: member 9, two Full Supplement kits (one line, quantity 2) and products for VN 400 in one order.
    D = await pendingOrder(t.database.sql, 9, '3740', '400', { kitPv: '3340' });
    await t.database
      .sql`insert into order_lines (order_id, product_id, quantity, unit_price, pv, vn) select ${D}, id, 2, 1996, 3340, 0 from products where sku = 'FULL-SUPPLEMENT'`;
    await t.database.db.transaction(async (tx) => {
      await confirmOrder(tx, D, { confirmedAt: '2026-11-10T19:00:00Z', method: 'manual' });
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('at confirmation: one Rápido line per level on the sum of the kits', async () => {
    // A: 7 → 4 → 2 → 1; 2180 + 1670 = 3850 PV: 30 % 1155.00, 10 % 385.00, 5 % 192.50.
    expect(await lines(A)).toEqual(['rapido 4 L1 3850.00 1155.00 MXN', 'rapido 2 L2 3850.00 385.00 MXN', 'rapido 1 L3 3850.00 192.50 MXN']);
    // B: 10 → 5 (US) → 2 → 1; 2 × 2180 = 4360: 1308 MXN / 18.50 = 70.702… USD, 436.00, 218.00.
    expect(await lines(B)).toEqual(['rapido 5 L1 4360.00 70.70 USD', 'rapido 2 L2 4360.00 436.00 MXN', 'rapido 1 L3 4360.00 218.00 MXN']);
    expect(await lines(C)).toEqual([]);
    // D: 9 → 6 → 3 → 1; kits 2 × 1670 = 3340: 1002.00, 334.00, 167.00; Directo on the products' VN: 400 × 25 % = 100.00.
    expect(await lines(D)).toEqual([
      'directo 6 L1 400.00 100.00 MXN',
      'rapido 6 L1 3340.00 1002.00 MXN',
      'rapido 3 L2 3340.00 334.00 MXN',
      'rapido 1 L3 3340.00 167.00 MXN',
    ]);
  });

  it('the close agrees with the instant lines and pays the unposted order the same way', async () => {
    const run = await t.must('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
    await waitForRun(run.id);
    const [r] = await t.database.sql<
      { status: string; result: { commissions: { instantMismatches: number; alreadyPosted: number } } }[]
    >`select status, result from period_runs where id = ${run.id}`;
    expect(r!.status).toBe('succeeded');
    expect(r!.result.commissions).toMatchObject({ instantMismatches: 0, alreadyPosted: 10 });
    expect((await lines(A)).filter((l) => l.startsWith('rapido'))).toEqual([
      'rapido 4 L1 3850.00 1155.00 MXN',
      'rapido 2 L2 3850.00 385.00 MXN',
      'rapido 1 L3 3850.00 192.50 MXN',
    ]);
    // C: 8 → 6 → 3 → 1; 4860 + 2 × 1670 = 8200: 2460.00, 820.00, 410.00.
    expect(await lines(C)).toEqual(['rapido 6 L1 8200.00 2460.00 MXN', 'rapido 3 L2 8200.00 820.00 MXN', 'rapido 1 L3 8200.00 410.00 MXN']);
    expect((await lines(D)).filter((l) => !l.startsWith('uninivel'))).toEqual([
      'directo 6 L1 400.00 100.00 MXN',
      'rapido 6 L1 3340.00 1002.00 MXN',
      'rapido 3 L2 3340.00 334.00 MXN',
      'rapido 1 L3 3340.00 167.00 MXN',
    ]);
  });
});
