/**
 * The payout ratio against the real close: the figure of a closed period is its posted lines (and
 * the ledger postings that paid them) over the VN its close counted; the open period's is its
 * latest preview plus the clawbacks posted in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { insertMembers, insertPeriods } from '../../../test/network';
import { SMALL_NETWORK, SMALL_ORDERS, insertOrders } from '../../../test/small-network';
import { waitForRun } from '../periods/close';
import { periodByKey } from '../periods/lookup';
import { linesFigures, salesFigures } from './payout';
import { Decimal } from '../../domain/money';

let t: TestApp;
let orderIds: number[];
const now = new Date('2026-12-02T18:00:00Z');

/** Σ lines and Σ ledger wallet entries of the transactions that paid them, per currency, for a period's posted lines. */
async function linesAndLedger(periodKey: string, kind?: 'clawback') {
  const lines = await t.database.sql<{ currency: string; amount: string; mxn: string }[]>`
    select trim(l.currency) as currency, sum(l.amount)::text as amount, sum(l.amount * l.fx_to)::text as mxn from commission_lines l join periods p on p.id = l.period_id
    where p.key = ${periodKey} and l.status = 'posted' and (${kind ?? null}::text is null or l.kind::text = ${kind ?? null}::text) group by 1 order by 1`;
  const ledger = await t.database.sql<{ currency: string; amount: string }[]>`
    select trim(a.currency) as currency, sum(e.amount)::text as amount from ledger_entries e join ledger_accounts a on a.id = e.account_id
    join ledger_transactions x on x.id = e.transaction_id
    where a.kind = 'member_wallet' and x.idempotency_key in (
      select l.ledger_key from commission_lines l join periods p on p.id = l.period_id where p.key = ${periodKey} and l.status = 'posted' and (${kind ?? null}::text is null or l.kind::text = ${kind ?? null}::text))
    group by 1 order by 1`;
  return { lines, ledger };
}

beforeAll(async () => {
  t = await testApp({ now: () => now });
  await insertMembers(t.database.sql, [
    ...SMALL_NETWORK,
    { id: 10, sponsorId: 6, firstName: 'Julia', lastName: 'Mora', country: 'CO' },
    { id: 11, sponsorId: 5, firstName: 'Kevin', lastName: 'Hill', country: 'US' },
    { id: 12, sponsorId: 10, firstName: 'Lucía', lastName: 'Páez', country: 'CO' },
  ]);
  const periods = await insertPeriods(t.database.sql, ['2026-09', '2026-10', '2026-11']);
  orderIds = await insertOrders(t.database.sql, periods, [
    ...SMALL_ORDERS,
    { memberId: 10, periodKey: '2026-11', pv: '1465', vn: '250000', currency: 'COP', country: 'CO' },
    { memberId: 11, periodKey: '2026-11', pv: '300', vn: '80', currency: 'USD', country: 'US' },
    { memberId: 12, periodKey: '2026-11', pv: '300', vn: '120000', currency: 'COP', country: 'CO' },
  ]);
  const r = await t.must('periods.recompute', { key: '2026-11' }, t.tokens.admin);
  await waitForRun(r.id);
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe('payout ratio', () => {
  let preview: Awaited<ReturnType<typeof t.must<'commissions.preview'>>>;
  it('the open period: none before a preview; then the preview at the period rates over the VN', async () => {
    const before = await t.must('economics.payout', {}, t.tokens.finance);
    expect(before).toMatchObject({ periodKey: '2026-11', source: 'none', ratio: null, plan: { name: expect.any(String) } });
    preview = await t.must('commissions.preview', {}, t.tokens.finance);
    const p = (await t.must('economics.payout', {}, t.tokens.finance))!;
    expect(p.source).toBe('preview');
    const rates: Record<string, string> = { MXN: '1', USD: '18.5', COP: '0.0046' };
    const [r] = await t.database.sql<{ usd: string; cop: string }[]>`
      select (select rate_to_mxn::text from exchange_rates where currency = 'USD' order by effective_from desc limit 1) as usd,
        (select rate_to_mxn::text from exchange_rates where currency = 'COP' order by effective_from desc limit 1) as cop`;
    rates.USD = r!.usd;
    rates.COP = r!.cop;
    const expected = Object.entries(preview.byCurrency).reduce((s, [c, a]) => s.plus(new Decimal(a).times(rates[c]!)), new Decimal(0));
    expect(p.commissionsMxn).toBe(expected.toFixed(2));
    const [stats] = await t.database.sql<
      { vn: string }[]
    >`select vn_mxn::text as vn from period_stats s join periods p on p.id = s.period_id where p.key = '2026-11'`;
    expect(p.vnMxn).toBe(new Decimal(stats!.vn).toFixed(2));
    expect(p.byCountry.map((c) => c.country)).toEqual(['CO', 'MX', 'US']);
    expect(p.ratio).toBe(expected.div(stats!.vn).toDecimalPlaces(6).toFixed(6));
  });

  it('a closed period: its posted lines (= the ledger postings that paid them) over the VN its close counted', async () => {
    const run = await t.must('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
    await waitForRun(run.id);
    const p = (await t.must('economics.payout', { periodKey: '2026-11' }, t.tokens.admin))!;
    expect(p.source).toBe('lines');
    const { lines, ledger } = await linesAndLedger('2026-11');
    expect(lines.length).toBe(3); // MXN, USD, COP
    expect(ledger.map((l) => [l.currency, new Decimal(l.amount).toFixed(2)])).toEqual(lines.map((l) => [l.currency, new Decimal(l.amount).toFixed(2)]));
    const mxn = lines.reduce((s, l) => s.plus(l.mxn), new Decimal(0));
    expect(p.commissionsMxn).toBe(mxn.toDecimalPlaces(2).toFixed(2));
    // Per bonus and currency: the lines' own sums.
    const perType = await t.database.sql<{ type: string; currency: string; amount: string }[]>`
      select type::text as type, trim(currency) as currency, sum(amount)::text as amount from commission_lines l join periods p on p.id = l.period_id
      where p.key = '2026-11' and l.status = 'posted' group by 1, 2`;
    for (const x of perType) expect(p.byBonus.find((b) => b.type === x.type)!.byCurrency[x.currency]).toBe(new Decimal(x.amount).toFixed(2));
    const [stats] = await t.database.sql<
      { vn: string }[]
    >`select vn_mxn::text as vn from period_stats s join periods p on p.id = s.period_id where p.key = '2026-11'`;
    expect(p.vnMxn).toBe(new Decimal(stats!.vn).toFixed(2));
    expect(p.ratio).toBe(mxn.div(stats!.vn).toDecimalPlaces(6).toFixed(6));
    // The close paid what the preview showed.
    expect(p.commissionsMxn).toBe((await t.must('economics.payoutHistory', {}, t.tokens.admin)).find((h) => h.periodKey === '2026-11')!.commissionsMxn);
  });

  it('a refund after the close: the closed period keeps its figure; the clawback nets in the open period', async () => {
    const before = (await t.must('economics.payout', { periodKey: '2026-11' }, t.tokens.admin))!;
    const orderOf8 = orderIds[4]!; // member 8: VN 10,000
    await t.must('orders.refund', { orderId: orderOf8, reason: 'devolución de prueba' }, t.tokens.admin);
    await t.database.sql`delete from period_payouts`; // summed again from the lines: same figure
    const after = (await t.must('economics.payout', { periodKey: '2026-11' }, t.tokens.admin))!;
    expect(after).toEqual(before);
    // The database summed and kept them (nnp_keep_period_payouts, 0052): exactly what the TypeScript sums say.
    const nov = (await periodByKey(t.database.db, '2026-11'))!;
    const [kept] = await t.database.sql<{ figures: unknown }[]>`select figures from period_payouts where period_id = ${nov.id}`;
    expect(kept!.figures).toEqual({ commissions: await linesFigures(t.database.db, nov.id), sales: await salesFigures(t.database.db, nov) });
    const dec = (await t.must('economics.payout', { periodKey: '2026-12' }, t.tokens.admin))!;
    expect(dec.source).toBe('none');
    await t.must('commissions.preview', {}, t.tokens.admin);
    const withPreview = (await t.must('economics.payout', { periodKey: '2026-12' }, t.tokens.admin))!;
    expect(withPreview.source).toBe('preview');
    const { lines, ledger } = await linesAndLedger('2026-12', 'clawback');
    expect(lines.length).toBeGreaterThan(0);
    expect(ledger.map((l) => new Decimal(l.amount).toFixed(2))).toEqual(lines.map((l) => new Decimal(l.amount).toFixed(2)));
    const claw = lines.reduce((s, l) => s.plus(l.mxn), new Decimal(0));
    expect(claw.isNegative()).toBe(true);
    // December has no orders yet: the commissions are the clawbacks only, and no ratio.
    expect(withPreview.commissionsMxn).toBe(claw.toDecimalPlaces(2).toFixed(2));
    expect(withPreview.ratio).toBeNull();
    const hist = await t.must('economics.payoutHistory', {}, t.tokens.finance);
    expect(hist.map((h) => [h.periodKey, h.source])).toEqual([
      ['2026-09', 'lines'],
      ['2026-10', 'lines'],
      ['2026-11', 'lines'],
      ['2026-12', 'preview'],
    ]);
    expect(hist.find((h) => h.periodKey === '2026-11')!.ratio).toBe(before.ratio);
    const s = await t.call('economics.payout', {}, t.tokens.support);
    expect(!s.ok && s.error.code).toBe('FORBIDDEN');
  });
});
