/**
 * reverseOrderCommissions (a refunded order's commission lines) and the close's prechecks, against
 * the real database. Hand figures on the small network (test/small-network.ts):
 *
 *   1 ─┬─ 2 ─┬─ 4 ── 7        rates of the initial plan: USD 18.50 MXN
 *      │     └─ 5 (US)
 *      └─ 3 ── 6 ─┬─ 8
 *                 └─ 9
 *
 * Orders confirmed through confirmOrder on 2026-11-10 (instant lines posted at confirmation):
 *  - P7: member 7, product, VN 1,000 MXN → Directo to 4: 1000 × 25 % = 250.00 MXN
 *  - K7: member 7, Full Supplement kit (1,670 PV) → Rápido 4 (L1) 1670 × 30 % = 501.00,
 *        2 (L2) 1670 × 10 % = 167.00, 1 (L3) 1670 × 5 % = 83.50 MXN (total 751.50)
 *  - U5: member 5 (US), product, VN 100 USD → Directo to 2 (MXN): 100 × 25 % × 18.50 = 462.50 MXN
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, testApp, type TestApp } from '../../../test/app';
import { loadSmallNetwork, pendingOrder } from '../../../test/small-network';
import { waitForRun } from '../periods/close';
import { confirmOrder, refundOrder } from '../orders/confirm';
import { postTransfer } from '../ledger/ledger';
import { PLAN_V1 } from '../../domain/plan';
import { Decimal } from '../../domain/money';
import { AppError } from '../../../shared/errors';
import { reverseOrderCommissions } from './index';

let t: TestApp;
const now = new Date('2026-12-02T18:00:00Z');
/** The app's clock: moved past December's end before December is closed (the close guard). */
let clock = now;
const PAID = '2026-11-10T18:00:00Z';
let P7: number;
let K7: number;
let U5: number;

async function confirm(id: number, at = PAID) {
  await t.database.db.transaction(async (tx) => {
    await confirmOrder(tx, id, { confirmedAt: at, method: 'manual' });
  });
}
async function balance(member: number, currency = 'MXN'): Promise<string> {
  const [r] = await t.database.sql<
    { b: string }[]
  >`select coalesce(sum(balance), 0)::text as b from ledger_accounts where kind = 'member_wallet' and member_id = ${member} and currency = ${currency}`;
  return new Decimal(r!.b).toFixed(2);
}
async function linesOf(order: number) {
  return t.database.sql<
    {
      id: string;
      period: string;
      type: string;
      kind: string;
      status: string;
      beneficiary: string;
      level: number;
      amount: string;
      currency: string;
      reverses: string | null;
      fx_from: string;
      fx_to: string;
      ledger_key: string;
      voided_at: string | null;
    }[]
  >`
    select l.id, p.key as period, l.type::text as type, l.kind::text as kind, l.status::text as status, l.beneficiary_id as beneficiary, l.level, l.amount::text as amount,
      trim(l.currency) as currency, l.reverses_line_id as reverses, l.fx_from::text as fx_from, l.fx_to::text as fx_to, l.ledger_key, l.voided_at
    from commission_lines l join periods p on p.id = l.period_id where l.source_kind = 'order' and l.source_id = ${order} order by l.id`;
}
const count = async (table: string) => Number((await t.database.sql.unsafe(`select count(*) as n from ${table}`))[0]!.n);

beforeAll(async () => {
  t = await testApp({ now: () => clock });
  await loadSmallNetwork(t.database.sql, { orders: false });
  await t.database.sql`insert into products (sku, name, kind, pv) values ('FULL-SUPPLEMENT', 'Full Supplement', 'kit', 1670)`;
  P7 = await pendingOrder(t.database.sql, 7, '1000', '1000');
  K7 = await pendingOrder(t.database.sql, 7, '1670', '0', { kitPv: '1670' });
  await t.database
    .sql`insert into order_lines (order_id, product_id, quantity, unit_price, pv, vn) select ${K7}, id, 1, 1996, 1670, 0 from products where sku = 'FULL-SUPPLEMENT'`;
  U5 = await pendingOrder(t.database.sql, 5, '100', '100', { currency: 'USD', country: 'US' });
  for (const id of [P7, K7, U5]) await confirm(id);
});
afterAll(async () => {
  await t.close();
});

describe('reverseOrderCommissions', () => {
  it('instant lines as computed by hand', async () => {
    expect((await linesOf(P7)).map((l) => `${l.type} ${l.beneficiary} L${l.level} ${l.amount} ${l.currency}`)).toEqual(['directo 4 L1 250.00 MXN']);
    expect((await linesOf(K7)).map((l) => `${l.type} ${l.beneficiary} L${l.level} ${l.amount}`).sort()).toEqual([
      'rapido 1 L3 83.50',
      'rapido 2 L2 167.00',
      'rapido 4 L1 501.00',
    ]);
    expect((await linesOf(U5)).map((l) => `${l.type} ${l.beneficiary} ${l.amount} ${l.currency} ${l.fx_from}/${l.fx_to}`)).toEqual([
      'directo 2 462.50 MXN 18.500000/1.000000',
    ]);
    expect([await balance(1), await balance(2), await balance(4)]).toEqual(['83.50', '629.50', '751.00']);
  });

  it('open period: the lines are voided and the money taken back; a second call does nothing', async () => {
    const txBefore = await count('ledger_transactions');
    // refundOrder calls it (and takes the order out of the volumes).
    await t.database.db.transaction(async (tx) => {
      await refundOrder(tx, K7, { refundedAt: '2026-11-12T12:00:00Z' });
    });
    const lines = await linesOf(K7);
    expect(lines.map((l) => `${l.kind} ${l.status}`)).toEqual(['line voided', 'line voided', 'line voided']);
    expect(lines.every((l) => l.voided_at !== null && new Date(l.voided_at).toISOString() === '2026-11-12T12:00:00.000Z')).toBe(true);
    // 4: 751.00 − 501.00 = 250.00; 2: 629.50 − 167.00 = 462.50; 1: 83.50 − 83.50 = 0.
    expect([await balance(1), await balance(2), await balance(4)]).toEqual(['0.00', '462.50', '250.00']);
    const [voidTx] = await t.database.sql<{ kind: string; status: string; n: number; sum: string }[]>`
      select t.kind, t.status::text as status, count(e.id)::int as n, sum(e.amount) filter (where a.kind = 'member_wallet')::text as sum
      from ledger_transactions t join ledger_entries e on e.transaction_id = t.id join ledger_accounts a on a.id = e.account_id
      where t.idempotency_key = ${`commission.void:${K7}:MXN`} group by 1, 2`;
    expect(voidTx).toMatchObject({ kind: 'clawback', status: 'posted', n: 4, sum: '-751.50' });
    expect(await count('ledger_transactions')).toBe(txBefore + 1);

    const again = await t.database.db.transaction((tx) => reverseOrderCommissions(tx, K7, { at: '2026-11-13T12:00:00Z' }));
    expect(again).toEqual({ orderId: K7, voided: 0, clawbacks: 0, total: {} });
    expect(await count('ledger_transactions')).toBe(txBefore + 1);
    expect([await balance(1), await balance(2), await balance(4)]).toEqual(['0.00', '462.50', '250.00']);
  });

  it('an order without lines, a bad date', async () => {
    const none = await t.database.db.transaction((tx) => reverseOrderCommissions(tx, 999_999, { at: now }));
    expect(none).toEqual({ orderId: 999_999, voided: 0, clawbacks: 0, total: {} });
    const bad = await t.database.db.transaction((tx) => reverseOrderCommissions(tx, P7, { at: 'not a date' })).catch((e: unknown) => e);
    expect((bad as AppError).code).toBe('VALIDATION');
  });

  it('closed period: clawback lines in the open period, negative, one per paid line; the wallet may go negative; idempotent', async () => {
    const run = await t.must('periods.close', { key: '2026-11', confirmKey: '2026-11' }, t.tokens.admin);
    await waitForRun(run.id);
    const closed = (await linesOf(P7)).filter((l) => l.kind === 'line' && l.status === 'posted');
    // Directo 250.00 to 4 (at confirmation) + the close's Uninivel on the 1,000 VN: 7's upline 4 (L1), 2 (L2), 1 (L3)
    // earn only if their paid-as rank opens the level; whatever the close paid is what must come back.
    expect(closed.map((l) => l.type)).toContain('directo');
    expect(closed.every((l) => l.period === '2026-11')).toBe(true);
    const paidTo4 = closed.filter((l) => l.beneficiary === '4').reduce((s, l) => s.plus(l.amount), new Decimal(0));

    // Member 4 spends its whole balance (an adjustment out), so the clawback takes the wallet below zero.
    const b4 = await balance(4);
    expect(new Decimal(b4).gt(0)).toBe(true);
    await t.database.db.transaction((tx) =>
      postTransfer(tx, {
        idempotencyKey: 'test.spend:4',
        kind: 'adjustment',
        currency: 'MXN',
        entries: [
          { account: { member: 4 }, amount: new Decimal(b4).neg().toFixed(2) },
          { account: { company: 'adjustments' }, amount: b4 },
        ],
      }),
    );
    expect(await balance(4)).toBe('0.00');

    const r = await t.database.db.transaction((tx) => reverseOrderCommissions(tx, P7, { at: '2026-12-02T18:00:00Z' }));
    const total = closed.reduce((s, l) => s.plus(l.amount), new Decimal(0));
    expect(r).toEqual({ orderId: P7, voided: 0, clawbacks: closed.length, total: { MXN: total.neg().toFixed(2) } });
    const after = await linesOf(P7);
    // The closed period's lines stay as they were.
    expect(after.filter((l) => l.kind === 'line')).toEqual(closed);
    const claws = after.filter((l) => l.kind === 'clawback');
    expect(claws).toHaveLength(closed.length);
    for (const c of claws) {
      const orig = closed.find((l) => l.id === c.reverses)!;
      expect(orig).toBeTruthy();
      expect(c).toMatchObject({
        period: '2026-12',
        status: 'posted',
        type: orig.type,
        beneficiary: orig.beneficiary,
        level: orig.level,
        currency: orig.currency,
        ledger_key: `commission.clawback:${P7}:MXN`,
      });
      expect(c.amount).toBe(new Decimal(orig.amount).neg().toFixed(2));
    }
    expect(await balance(4)).toBe(paidTo4.neg().toFixed(2));
    const [neg] = await t.database.sql<{ allow_negative: boolean; period: string }[]>`
      select t.allow_negative, p.key as period from ledger_transactions t join periods p on p.id = t.period_id where t.idempotency_key = ${`commission.clawback:${P7}:MXN`}`;
    expect(neg).toEqual({ allow_negative: true, period: '2026-12' });

    // A converted line comes back at the rates it was paid at.
    const u = await t.database.db.transaction((tx) => reverseOrderCommissions(tx, U5, { at: '2026-12-02T18:00:00Z' }));
    expect(u.clawbacks).toBeGreaterThanOrEqual(1);
    const d = (await linesOf(U5)).find((l) => l.kind === 'clawback' && l.type === 'directo')!;
    expect(d).toMatchObject({ beneficiary: '2', amount: '-462.50', currency: 'MXN', fx_from: '18.500000', fx_to: '1.000000' });

    // Idempotent: nothing more on a second call (nor through refundOrder's path for the other order).
    const lines = await count('commission_lines');
    const txs = await count('ledger_transactions');
    expect(await t.database.db.transaction((tx) => reverseOrderCommissions(tx, P7, { at: now }))).toEqual({ orderId: P7, voided: 0, clawbacks: 0, total: {} });
    expect(await t.database.db.transaction((tx) => reverseOrderCommissions(tx, U5, { at: now }))).toEqual({ orderId: U5, voided: 0, clawbacks: 0, total: {} });
    expect([await count('commission_lines'), await count('ledger_transactions')]).toEqual([lines, txs]);
    expect(await balance(4)).toBe(paidTo4.neg().toFixed(2));
  });

  it("refuses while the lines' period is closing (the refund waits for the close)", async () => {
    const id = await pendingOrder(t.database.sql, 9, '500', '500');
    await confirm(id, '2026-12-02T12:00:00Z');
    expect((await linesOf(id)).map((l) => `${l.beneficiary} ${l.amount} ${l.period}`)).toEqual(['6 125.00 2026-12']);
    await t.database.sql`update periods set status = 'closing' where key = '2026-12'`;
    try {
      const e = await t.database.db.transaction((tx) => reverseOrderCommissions(tx, id, { at: now })).catch((x: unknown) => x);
      expect((e as AppError).code).toBe('CONFLICT');
    } finally {
      await t.database.sql`update periods set status = 'open' where key = '2026-12'`;
    }
    expect((await linesOf(id)).map((l) => l.status)).toEqual(['posted']);
  });
});

describe('close prechecks: a clear error before anything is written', () => {
  beforeAll(async () => {
    clock = new Date('2027-01-02T18:00:00Z');
    // The sessions of the earlier day expired: sign in again.
    t.tokens.admin = (await t.must('auth.login', { username: 'admin', password: TEST_PASSWORD }, null)).token;
  });
  /** Everything a close (or its start) writes. */
  async function fingerprint() {
    const tables = [
      'periods',
      'period_runs',
      'period_stats',
      'commission_lines',
      'ledger_transactions',
      'ledger_entries',
      'ledger_accounts',
      'member_volumes',
      'rank_history',
      'members',
      'orders',
      'member_programs',
      'cashback_entitlements',
    ];
    const [row] = await t.database.sql.unsafe(
      `select ${tables.map((x) => `(select md5(coalesce(string_agg(r::text, E'\\n' order by r::text), '')) from ${x} r) as ${x}`).join(', ')}`,
    );
    return row;
  }
  async function refused(pattern: RegExp) {
    const before = await fingerprint();
    const r = await t.call('periods.close', { key: '2026-12', confirmKey: '2026-12' }, t.tokens.admin);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALIDATION');
      expect(r.error.message).toMatch(pattern);
      if (process.env.NNP_TEST_LOG) console.log(r.error.message);
    }
    expect(await fingerprint()).toEqual(before);
  }
  async function withPlan(figures: unknown, fn: () => Promise<void>) {
    await t.database
      .sql`insert into plan_versions (name, effective_from_period, status, figures, published_at) values ('bad', '2026-12', 'published', ${JSON.stringify(figures)}::jsonb, now())`;
    try {
      await fn();
    } finally {
      await t.database.sql`delete from plan_versions where name = 'bad'`;
    }
  }
  const plan = () => JSON.parse(JSON.stringify(PLAN_V1));

  it('a plan version with a missing Uninivel level rate', async () => {
    const p = plan();
    p.uninivel.levels = p.uninivel.levels.filter((l: { level: number }) => l.level !== 3);
    await withPlan(p, () => refused(/plan vigente en 2026-12 es inválida.*level 3 is missing/));
  });

  it('a negative rate', async () => {
    const p = plan();
    p.directo.rate = '-0.25';
    await withPlan(p, () => refused(/inválida.*directo\.rate/));
    const q = plan();
    q.matching[0].levels[0].rate = '-0.30';
    await withPlan(q, () => refused(/inválida.*matching\.0\.levels\.0\.rate/));
  });

  it('an exchange rate ≤ 0 (the table refuses one; a database that has one anyway is refused by the close)', async () => {
    const direct = await t.database.sql`insert into exchange_rates (currency, rate_to_mxn, effective_from) values ('USD', 0, '2026-11-15T00:00:00Z')`.catch(
      (e: unknown) => e,
    );
    expect(String(direct)).toMatch(/exchange_rates_positive/);
    await t.database.sql`alter table exchange_rates drop constraint exchange_rates_positive`;
    try {
      for (const rate of ['0', '-18.5']) {
        await t.database.sql`insert into exchange_rates (currency, rate_to_mxn, effective_from) values ('USD', ${rate}, '2026-11-15T00:00:00Z')`;
        try {
          await refused(/USD.*mayor que cero/);
        } finally {
          await t.database.sql`delete from exchange_rates where effective_from = '2026-11-15T00:00:00Z'`;
        }
      }
    } finally {
      await t.database.sql`alter table exchange_rates add constraint exchange_rates_positive check (rate_to_mxn > 0)`;
    }
  });

  it('a period with no exchange rates', async () => {
    const saved = await t.database.sql<
      { currency: string; rate_to_mxn: string; effective_from: Date }[]
    >`select currency, rate_to_mxn::text as rate_to_mxn, effective_from from exchange_rates`;
    await t.database.sql`delete from exchange_rates`;
    try {
      await refused(/no tiene tipos? de cambio/);
    } finally {
      for (const s of saved)
        await t.database.sql`insert into exchange_rates (currency, rate_to_mxn, effective_from) values (${s.currency}, ${s.rate_to_mxn}, ${s.effective_from})`;
    }
  });

  it('with the plan and rates fixed, the same close goes through', async () => {
    const run = await t.must('periods.close', { key: '2026-12', confirmKey: '2026-12' }, t.tokens.admin);
    await waitForRun(run.id);
    const [p] = await t.database.sql<{ status: string }[]>`select status from periods where key = '2026-12'`;
    expect(p!.status).toBe('closed');
  });
});
