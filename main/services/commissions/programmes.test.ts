/**
 * Stored previews (difference from the previous preview), per-country totals, the whole-period
 * lines (keyset pages), and the programme procedures (cashback, Lealtad gifts, NN Travels campaigns)
 * on the small network closed for real — including the close reading the campaign's promotions,
 * target and start from travel_campaigns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { insertOrders, loadSmallNetwork } from '../../../test/small-network';
import { waitForRun } from '../periods/close';
import { Decimal } from '../../domain/money';

let t: TestApp;
let periods: Map<string, number>;
const now = new Date('2026-12-02T18:00:00Z');
beforeAll(async () => {
  t = await testApp({ now: () => now });
  ({ periods } = await loadSmallNetwork(t.database.sql));
  const r = await t.must('periods.recompute', { key: '2026-11' }, t.tokens.admin);
  await waitForRun(r.id);
});
afterAll(async () => {
  await t.close();
});

const TABLES = [
  'commission_lines',
  'ledger_transactions',
  'ledger_entries',
  'ledger_accounts',
  'member_programs',
  'cashback_entitlements',
  'loyalty_gifts',
  'travel_points',
  'travel_campaigns',
  'member_volumes',
  'rank_history',
  'orders',
  'periods',
  'commission_previews',
  'audit_log',
];
/** Row count of every table a preview could touch, and a digest of the contents of those it must never change. */
const DIGESTED = [
  'commission_lines',
  'ledger_entries',
  'ledger_accounts',
  'member_programs',
  'cashback_entitlements',
  'loyalty_gifts',
  'travel_points',
  'travel_campaigns',
  'member_volumes',
  'periods',
];
async function counts() {
  const out: Record<string, number | string> = {};
  for (const table of TABLES) out[table] = Number((await t.database.sql.unsafe(`select count(*)::int as n from ${table}`))[0]!.n);
  for (const table of DIGESTED) {
    out[`${table}#md5`] = String(
      (await t.database.sql.unsafe(`select md5(coalesce(string_agg(x::text, ',' order by x::text), '')) as h from ${table} x`))[0]!.h,
    );
  }
  return out;
}
const errCode = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

describe('stored previews', () => {
  it('stores each preview, answers the difference from the previous preview of the period, and writes nothing else', async () => {
    const before = await counts();
    const first = await t.must('commissions.preview', {}, t.tokens.admin);
    expect(first.periodKey).toBe('2026-11');
    expect(first.previousPreview).toBeNull();
    expect(first.differenceFromPreviousPreview).toBeNull();
    // Per-country totals: only Mexican members earn here (member 5, in the US, has no downline).
    expect(first.byCountry.map((c) => [c.country, c.currency])).toEqual([['MX', 'MXN']]);
    expect(first.byCountry.find((c) => c.country === 'MX')!.amount).toBe(first.byCurrency.MXN);
    expect(first.byCountry.reduce((s, c) => s + c.beneficiaries, 0)).toBe(first.beneficiaries);
    const after1 = await counts();
    expect(after1).toEqual({ ...before, commission_previews: (before.commission_previews as number) + 1, audit_log: (before.audit_log as number) + 1 });

    // A new paid order for member 9 (sponsor 6 earns Uninivel on it): the second preview differs.
    await insertOrders(t.database.sql, periods, [{ memberId: 9, periodKey: '2026-11', pv: '100', vn: '1000' }]);
    const second = await t.must('commissions.preview', {}, t.tokens.finance);
    expect(second.id).toBeGreaterThan(first.id);
    expect(second.previousPreview).toMatchObject({
      id: first.id,
      periodKey: '2026-11',
      byCurrency: first.byCurrency,
      lines: first.lines,
      staffName: expect.any(String),
    });
    const d = second.differenceFromPreviousPreview!;
    expect(d.byCurrency.MXN).toBe(new Decimal(second.byCurrency.MXN!).minus(first.byCurrency.MXN!).toFixed(2));
    expect(new Decimal(d.byCurrency.MXN!).gt(0)).toBe(true);
    expect(d.byType.uninivel!.MXN).toBe(new Decimal(second.byType.uninivel!.MXN!).minus(first.byType.uninivel!.MXN!).toFixed(2));
    expect(d.byType.directo!.MXN).toBe(new Decimal(second.byType.directo?.MXN ?? '0').minus(first.byType.directo?.MXN ?? '0').toFixed(2));
    expect(d.lines).toBe(second.lines - first.lines);
    const after2 = await counts();
    expect(after2).toEqual({
      ...after1,
      orders: (after1.orders as number) + 1,
      commission_previews: (after1.commission_previews as number) + 1,
      audit_log: (after1.audit_log as number) + 1,
    });

    const list = await t.must('commissions.previews', {}, t.tokens.finance);
    expect(list.periodKey).toBe('2026-11');
    expect(list.rows.map((r) => r.id)).toEqual([second.id, first.id]);
    expect(list.rows[0]).toMatchObject({ byType: second.byType, byCurrency: second.byCurrency, byCountry: second.byCountry, lines: second.lines });
    expect((await t.must('commissions.previews', { periodKey: '2026-10' }, t.tokens.admin)).rows).toEqual([]);
  });

  it('refuses support, unknown periods and bad input, changing nothing', async () => {
    const before = await counts();
    expect(errCode(await t.call('commissions.preview', {}, t.tokens.support))).toBe('FORBIDDEN');
    expect(errCode(await t.call('commissions.previews', {}, t.tokens.support))).toBe('FORBIDDEN');
    expect(errCode(await t.call('commissions.periodLines', { periodKey: '2026-11' }, t.tokens.support))).toBe('FORBIDDEN');
    expect(errCode(await t.call('commissions.previews', { periodKey: '2031-01' }, t.tokens.admin))).toBe('NOT_FOUND');
    expect(errCode(await t.call('commissions.periodLines', { periodKey: '2031-01' }, t.tokens.admin))).toBe('NOT_FOUND');
    expect(errCode(await t.call('commissions.countryTotals', { periodKey: '2031-01' }, t.tokens.support))).toBe('NOT_FOUND');
    expect(errCode(await t.call('commissions.periodLines', { periodKey: '2026-13' }, t.tokens.admin))).toBe('VALIDATION');
    expect(errCode(await t.call('commissions.periodLines', { periodKey: '2026-11', limit: 5001 }, t.tokens.admin))).toBe('VALIDATION');
    expect(errCode(await t.call('commissions.periodLines', { periodKey: '2026-11', country: 'AR' }, t.tokens.admin))).toBe('VALIDATION');
    expect(await counts()).toEqual(before);
  });
});

describe('NN Travels campaigns', () => {
  it('admin creates a campaign; bad periods, multipliers and overlaps are refused with nothing changed', async () => {
    const before = await counts();
    const bad = [
      { name: 'Al revés', fromPeriod: '2027-01', toPeriod: '2026-12' },
      { name: 'Sin multiplicar', fromPeriod: '2026-11', toPeriod: '2027-01', promotions: [{ fromPeriod: '2026-11', toPeriod: '2026-11', multiplier: '0' }] },
      { name: 'Negativa', fromPeriod: '2026-11', toPeriod: '2027-01', promotions: [{ fromPeriod: '2026-11', toPeriod: '2026-11', multiplier: '-2' }] },
      { name: 'Fuera', fromPeriod: '2026-11', toPeriod: '2027-01', promotions: [{ fromPeriod: '2027-01', toPeriod: '2027-03', multiplier: '2' }] },
      {
        name: 'Traslape',
        fromPeriod: '2026-11',
        toPeriod: '2027-03',
        promotions: [
          { fromPeriod: '2026-11', toPeriod: '2026-12', multiplier: '2' },
          { fromPeriod: '2026-12', toPeriod: '2027-01', multiplier: '3' },
        ],
      },
      { name: 'Meta cero', fromPeriod: '2026-11', toPeriod: '2027-01', target: '0' },
      { name: 'Pasada', fromPeriod: '2026-10', toPeriod: '2027-01' },
    ];
    for (const input of bad) expect(errCode(await t.call('programmes.saveCampaign', input, t.tokens.admin)), input.name).toBe('VALIDATION');
    expect(errCode(await t.call('programmes.saveCampaign', { name: 'Finanzas', fromPeriod: '2026-11', toPeriod: '2027-01' }, t.tokens.finance))).toBe(
      'FORBIDDEN',
    );
    expect(errCode(await t.call('programmes.saveCampaign', { name: 'Soporte', fromPeriod: '2026-11', toPeriod: '2027-01' }, t.tokens.support))).toBe(
      'FORBIDDEN',
    );
    expect(errCode(await t.call('programmes.saveCampaign', { id: 999, name: 'No existe', fromPeriod: '2026-11', toPeriod: '2027-01' }, t.tokens.admin))).toBe(
      'NOT_FOUND',
    );
    expect(await counts()).toEqual(before);

    const c = await t.must(
      'programmes.saveCampaign',
      {
        name: 'Cancún 2027',
        fromPeriod: '2026-11',
        toPeriod: '2027-01',
        target: '10',
        promotions: [{ fromPeriod: '2026-11', toPeriod: '2026-11', multiplier: '2', label: 'Doble noviembre' }],
      },
      t.tokens.admin,
    );
    expect(c).toMatchObject({
      name: 'Cancún 2027',
      fromPeriod: '2026-11',
      toPeriod: '2027-01',
      target: '10',
      multiplier: '1',
      active: true,
      state: 'running',
      participants: 0,
    });
    expect(c.promotions).toEqual([{ fromPeriod: '2026-11', toPeriod: '2026-11', multiplier: '2', label: 'Doble noviembre' }]);
    // Another active campaign over the same periods: CONFLICT.
    expect(errCode(await t.call('programmes.saveCampaign', { name: 'Otra', fromPeriod: '2027-01', toPeriod: '2027-06' }, t.tokens.admin))).toBe('CONFLICT');
    // Edit: the name and end change; the audit row keeps before and after.
    const edited = await t.must(
      'programmes.saveCampaign',
      { id: c.id, name: 'Cancún 2027 (edición)', fromPeriod: '2026-11', toPeriod: '2027-02', target: '10', promotions: c.promotions },
      t.tokens.admin,
    );
    expect(edited).toMatchObject({ id: c.id, name: 'Cancún 2027 (edición)', toPeriod: '2027-02' });
    const [audit] = await t.database.sql<{ before: { name: string }; after: { name: string } }[]>`
      select before, after from audit_log where entity = 'travel_campaign' and entity_id = ${String(c.id)} order by id desc limit 1`;
    expect(audit!.before.name).toBe('Cancún 2027');
    expect(audit!.after.name).toBe('Cancún 2027 (edición)');
    const list = await t.must('programmes.campaigns', {}, t.tokens.support);
    expect(list.openPeriod).toBe('2026-11');
    expect(list.rows.map((r) => r.id)).toEqual([c.id]);
  });
});

describe('after the close', () => {
  let previewed: Awaited<ReturnType<typeof t.must<'commissions.preview'>>>;
  it('closes 2026-11: travel points use the campaign (promotion ×2, target 10, old points reset), gifts and cashback recorded', async () => {
    // Carried state from before: member 6 has 50 travel points of an earlier campaign and 75 loyalty
    // points (its order paid on day 3 makes 100: a gift); member 2 has 3 travel points.
    await t.database.sql`insert into member_programs (member_id, loyalty_points, travel_points) values (6, 75, 50), (2, 0, 3)`;
    previewed = await t.must('commissions.preview', {}, t.tokens.admin);
    const run = await t.must('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
    await waitForRun(run.id);
    const campaignId = Number((await t.database.sql<{ id: number }[]>`select id from travel_campaigns`)[0]!.id);
    const pts = await t.database.sql<
      { member_id: string; points: string }[]
    >`select member_id, points::text from travel_points where campaign_id = ${campaignId} order by member_id`;
    // Own paid-as rank + direct recruits' paid-as ranks + direct recruits' kits, × 2, capped at 10:
    // 1: recruit 2 (Visionario 1) = 1; 2: own 1 + recruit 4 (1) + 4's Full Supplement kit (1) = 3; 3: recruit 6 (Emprendedor 5) = 5;
    // 4: own 1 + recruit 7 (1) = 2; 6: own 5 + recruits 8, 9 (1 + 1) = 7; 7, 8, 9: own 1.
    expect(pts.map((r) => [Number(r.member_id), new Decimal(r.points).toFixed()])).toEqual([
      [1, '2'],
      [2, '6'],
      [3, '10'],
      [4, '4'],
      [6, '10'],
      [7, '2'],
      [8, '2'],
      [9, '2'],
    ]);
    const [m6] = await t.database.sql<
      { travel: string; loyalty: number }[]
    >`select travel_points::text as travel, loyalty_points as loyalty from member_programs where member_id = 6`;
    expect(new Decimal(m6!.travel).toFixed()).toBe('10');
    expect(m6!.loyalty).toBe(0);

    const ranking = await t.must('programmes.campaignRanking', { campaignId, pageSize: 3 }, t.tokens.support);
    expect(ranking.campaign).toMatchObject({ id: campaignId, target: '10' });
    expect(ranking.total).toBe(8);
    expect(ranking.rows.map((r) => [r.position, r.memberId, r.points, r.reached])).toEqual([
      [1, 3, '10', true],
      [2, 6, '10', true],
      [3, 2, '6', false],
    ]);
    const page2 = await t.must('programmes.campaignRanking', { campaignId, pageSize: 3, page: 2 }, t.tokens.support);
    expect(page2.rows[0]!.position).toBe(4);
    expect(errCode(await t.call('programmes.campaignRanking', { campaignId: 999 }, t.tokens.support))).toBe('NOT_FOUND');
    const camp = (await t.must('programmes.campaigns', {}, t.tokens.admin)).rows[0]!;
    expect(camp).toMatchObject({ participants: 8, reachedTarget: 2, lastPeriod: '2026-11', state: 'running' });
    // The campaign has started: its start may not move, nor its closed period's promotion change.
    expect(
      errCode(
        await t.call(
          'programmes.saveCampaign',
          { id: campaignId, name: camp.name, fromPeriod: '2026-12', toPeriod: '2027-02', target: '10', promotions: camp.promotions },
          t.tokens.admin,
        ),
      ),
    ).toBe('VALIDATION');
    expect(
      errCode(
        await t.call(
          'programmes.saveCampaign',
          { id: campaignId, name: camp.name, fromPeriod: '2026-11', toPeriod: '2027-02', target: '10', promotions: [] },
          t.tokens.admin,
        ),
      ),
    ).toBe('VALIDATION');
  });

  it('posted per-country totals equal the preview; whole-period lines page by id with filters and rates', async () => {
    const ct = await t.must('commissions.countryTotals', { periodKey: '2026-11' }, t.tokens.support);
    expect(ct.status).toBe('closed');
    expect(ct.rows).toEqual(previewed.byCountry);
    const totals = (await t.must('commissions.periodTotals', { periodKey: '2026-11' }, t.tokens.finance))[0]!;
    const all: { id: number; amount: string; currency: string; type: string; country: string; fxFrom: string; fxTo: string }[] = [];
    let page = await t.must('commissions.periodLines', { periodKey: '2026-11', limit: 3 }, t.tokens.finance);
    expect(page.total).toBe(totals.lines);
    expect(page.upTo).not.toBeNull();
    for (;;) {
      all.push(...page.rows);
      if (page.nextAfter === null) break;
      const next = await t.must('commissions.periodLines', { periodKey: '2026-11', limit: 3, after: page.nextAfter, upTo: page.upTo! }, t.tokens.finance);
      expect(next.total).toBeNull();
      page = { ...next, upTo: page.upTo };
    }
    expect(all).toHaveLength(totals.lines);
    expect(all.map((l) => l.id)).toEqual([...all.map((l) => l.id)].sort((a, b) => a - b));
    expect(new Set(all.map((l) => l.id)).size).toBe(all.length);
    const mxn = all.filter((l) => l.currency === 'MXN').reduce((s, l) => s.plus(l.amount), new Decimal(0));
    expect(mxn.toFixed(2)).toBe(totals.byCurrency.MXN);
    expect(all.every((l) => /^\d+(\.\d+)?$/.test(l.fxFrom) && /^\d+(\.\d+)?$/.test(l.fxTo))).toBe(true);
    const us = await t.must('commissions.periodLines', { periodKey: '2026-11', country: 'US', limit: 5000 }, t.tokens.admin);
    expect(us.rows.length).toBe(all.filter((l) => l.country === 'US').length);
    expect(us.total).toBe(us.rows.length);
    expect(us.rows.every((l) => l.currency === 'USD' && l.beneficiaryId === 5)).toBe(true);
    const uni = await t.must('commissions.periodLines', { periodKey: '2026-11', type: 'uninivel', currency: 'MXN', limit: 5000 }, t.tokens.admin);
    expect(uni.rows.length).toBe(all.filter((l) => l.type === 'uninivel' && l.currency === 'MXN').length);
    expect(uni.rows.reduce((s, l) => s.plus(l.amount), new Decimal(0)).toFixed(2)).toBe(totals.byType.uninivel!.MXN);
    const empty = await t.must('commissions.periodLines', { periodKey: '2026-09' }, t.tokens.admin);
    expect(empty).toMatchObject({ rows: [], total: 0, nextAfter: null, upTo: null });
  });

  it('cashback per period and per member; Lealtad points and gifts; marking a gift shipped (admin/support, audited)', async () => {
    const cb = await t.must('programmes.cashbackPeriods', {}, t.tokens.support);
    // PV ≥ 2,930 in 2026-11: member 8 (20,000 PV) only; the close records it issued and expired.
    expect(cb).toEqual([{ periodKey: '2026-11', issued: 1, used: 0, expired: 1, open: 0 }]);
    const cbl = await t.must('programmes.cashbackList', { periodKey: '2026-11' }, t.tokens.support);
    expect(cbl.rows.map((r) => [r.memberId, r.status, r.discountRate])).toEqual([[8, 'expired', '0.7']]);
    expect((await t.must('programmes.cashbackList', { status: 'used' }, t.tokens.support)).total).toBe(0);

    const loyal = await t.must('programmes.loyaltyMembers', { pageSize: 50 }, t.tokens.support);
    // Every member with an order paid on days 1–7 earns 25 points (member 6 reached 100: gift, back to 0).
    expect(loyal.rows.every((r) => r.points === 25)).toBe(true);
    expect(loyal.rows.map((r) => r.memberId).sort()).toEqual([2, 4, 5, 7, 8, 9]);
    expect(loyal.byPoints).toEqual([{ points: 25, members: 6 }]);

    const gifts = await t.must('programmes.gifts', { status: 'to_ship' }, t.tokens.support);
    expect(gifts.toShip).toBe(1);
    expect(gifts.rows.map((g) => [g.memberId, g.periodKey, g.status, g.choice])).toEqual([[6, '2026-11', 'to_ship', null]]);
    const giftId = gifts.rows[0]!.id;
    const before = await counts();
    expect(errCode(await t.call('programmes.shipGift', { giftId, choice: 'supplements' }, t.tokens.finance))).toBe('FORBIDDEN');
    expect(errCode(await t.call('programmes.shipGift', { giftId, choice: 'perfume' }, t.tokens.support))).toBe('VALIDATION');
    expect(errCode(await t.call('programmes.shipGift', { giftId: 999999, choice: 'supplements' }, t.tokens.support))).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
    const shipped = await t.must('programmes.shipGift', { giftId, choice: 'serums_creams' }, t.tokens.support);
    expect(shipped).toMatchObject({ id: giftId, status: 'shipped', choice: 'serums_creams', shippedAt: now.toISOString() });
    expect(errCode(await t.call('programmes.shipGift', { giftId, choice: 'supplements' }, t.tokens.admin))).toBe('CONFLICT');
    const after = await t.must('programmes.gifts', {}, t.tokens.support);
    expect(after).toMatchObject({ toShip: 0, shipped: 1 });
    expect(after.rows[0]).toMatchObject({ status: 'shipped', choice: 'serums_creams' });
    const [a] = await t.database.sql<
      { staff_username: string; after: { choice: string } }[]
    >`select staff_username, after from audit_log where entity = 'loyalty_gift' and entity_id = ${String(giftId)}`;
    expect(a).toMatchObject({ staff_username: 'soporte', after: { choice: 'serums_creams' } });
  });
});
