import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { testApp, TEST_PASSWORD, type TestApp } from '../../../test/app';
import { applyEnv, startStripeStub, stubEnv, type StripeStub } from '../../../test/stripe-server';
import { creditCommission, insertMembers, type TestMember } from '../../../test/wallet-fixtures';
import { companyBalance, ledgerMismatches, memberBalance, unbalancedTransactions } from '../ledger/ledger';
import { hashPassword } from '../auth/password';
import { staff } from '../../db/schema';
import { periodBounds } from '../../domain/period';
import { Decimal } from '../../domain/money';
import { whereOf } from './queue';
import type { ProcedureName } from '../../../shared/contract';

let t: TestApp;
let stub: StripeStub;
let clock = new Date('2026-06-15T18:00:00Z');
let finance2: string;

const DAY = 86_400_000;

beforeAll(async () => {
  stub = await startStripeStub();
  applyEnv(stubEnv(stub, { NNP_STRIPE_TIMEOUT_MS: '1000', NNP_STRIPE_MAX_RETRIES: '0' }));
  t = await testApp({ now: () => clock });
  await t.database.db
    .insert(staff)
    .values({ username: 'tesoreria', displayName: 'Tomás Tesorería', role: 'finance', passwordHash: await hashPassword(TEST_PASSWORD) });
  finance2 = (await t.must('auth.login', { username: 'tesoreria', password: TEST_PASSWORD }, null)).token;
});
afterAll(async () => {
  await t.close();
  await stub.close();
});
beforeEach(async () => {
  await travel(new Date('2026-06-15T18:00:00Z'));
  applyEnv({ NNP_STRIPE_TIMEOUT_MS: '1000', NNP_STRIPE_MAX_RETRIES: '0' });
});

const db = () => t.database.db;
const n = async (q: string) => Number((await t.database.sql.unsafe(q))[0]!.n);
const state = async () => ({
  withdrawals: await n('select count(*)::int as n from withdrawals'),
  transactions: await n('select count(*)::int as n from ledger_transactions'),
  entries: await n('select count(*)::int as n from ledger_entries'),
  audit: await n('select count(*)::int as n from audit_log'),
  statuses: (await t.database.sql`select id, status from withdrawals order by id`).map((r) => `${r.id}:${r.status}`).join(','),
  balances: (await t.database.sql`select id, balance, pending_out from ledger_accounts order by id`)
    .map((r) => `${r.id}:${r.balance}:${r.pending_out}`)
    .join(','),
});

async function member(opts: Parameters<typeof insertMembers>[1][number] = {}, credit = '10000.00'): Promise<TestMember> {
  const [m] = await insertMembers(db(), [{ enrolledAt: new Date('2025-01-10T12:00:00Z'), stripeAccountId: null, ...opts }]);
  const currency = ({ MX: 'MXN', US: 'USD', CO: 'COP', DO: 'DOP' } as const)[m!.country];
  if (credit !== '0') await creditCommission(db(), m!.id, currency, credit, { at: new Date(clock.getTime() - 40 * DAY) });
  return m!;
}

const request = (m: TestMember, amount: string, currency = 'MXN', token = t.tokens.finance) =>
  t.call('withdrawals.request', { memberId: m.id, amount, currency }, token);
async function requested(m: TestMember, amount: string, currency = 'MXN') {
  return t.must('withdrawals.request', { memberId: m.id, amount, currency }, t.tokens.finance);
}
/** Moves the clock; sessions idle out, so finance signs in again at the new instant. */
async function travel(to: Date) {
  clock = to;
  t.tokens.finance = (await t.must('auth.login', { username: 'finanzas', password: TEST_PASSWORD }, null)).token;
  if (finance2) finance2 = (await t.must('auth.login', { username: 'tesoreria', password: TEST_PASSWORD }, null)).token;
}

describe('request', () => {
  it('holds the amount, takes 2% (minimum MXN 20) from it and keeps who entered it', async () => {
    const m = await member();
    const w = await requested(m, '1000.00');
    expect(w).toMatchObject({ status: 'pending', amount: '1000.00', fee: '20.00', net: '980.00', currency: 'MXN', source: 'staff' });
    const w2 = await requested(m, '5000.50');
    expect(w2).toMatchObject({ fee: '100.01', net: '4900.49' });
    expect(await memberBalance(db(), m.id)).toMatchObject({ balance: '10000.00', held: '6000.50', available: '3999.50' });
    const audit = await t.database.sql`select action, staff_username, after from audit_log where entity = 'withdrawal' and entity_id = ${String(w.id)}`;
    expect(audit[0]).toMatchObject({ action: 'withdrawals.request', staff_username: 'finanzas' });
    const [row] = await t.database.sql`select requested_by from withdrawals where id = ${w.id}`;
    expect(row!.requested_by).not.toBeNull();
  });

  it('a double submit with the same request key answers the first request', async () => {
    const m = await member();
    const key = '2c1d1f7e-7a0c-4c55-9d8c-0b5b7e8f4a11';
    const a = await t.must('withdrawals.request', { memberId: m.id, amount: '700.00', currency: 'MXN', requestKey: key }, t.tokens.finance);
    const b = await t.must('withdrawals.request', { memberId: m.id, amount: '700.00', currency: 'MXN', requestKey: key }, t.tokens.finance);
    expect(b.id).toBe(a.id);
    const c = await t.call('withdrawals.request', { memberId: m.id, amount: '701.00', currency: 'MXN', requestKey: key }, t.tokens.finance);
    expect(!c.ok && c.error.code).toBe('CONFLICT');
    expect((await memberBalance(db(), m.id)).held).toBe('700.00');
  });

  it('uses the minimums and fees of each currency', async () => {
    const us = await member({ country: 'US' }, '1000.00');
    expect(await requested(us, '25.00', 'USD')).toMatchObject({ fee: '1.00', net: '24.00' });
    const co = await member({ country: 'CO' }, '5000000.00');
    expect(await requested(co, '100000.00', 'COP')).toMatchObject({ fee: '4000.00', net: '96000.00' });
    expect(await requested(co, '1000000.00', 'COP')).toMatchObject({ fee: '20000.00', net: '980000.00' });
    const dr = await member({ country: 'DO' }, '10000.00');
    expect(await requested(dr, '1500.00', 'DOP')).toMatchObject({ fee: '60.00', net: '1440.00' });
    const r = await request(us, '24.99', 'USD');
    expect(!r.ok && r.error.code).toBe('VALIDATION');
  });

  it('bad input → typed error and nothing changes', async () => {
    const m = await member();
    const before = await state();
    const cases: [unknown, string][] = [
      [{ memberId: m.id, amount: '-500.00', currency: 'MXN' }, 'VALIDATION'],
      [{ memberId: m.id, amount: '0', currency: 'MXN' }, 'VALIDATION'],
      [{ memberId: m.id, amount: '0.00', currency: 'MXN' }, 'VALIDATION'],
      [{ memberId: m.id, amount: '10.001', currency: 'MXN' }, 'VALIDATION'],
      [{ memberId: m.id, amount: '600.001', currency: 'MXN' }, 'VALIDATION'],
      [{ memberId: m.id, amount: 'mil', currency: 'MXN' }, 'VALIDATION'],
      [{ memberId: m.id, amount: '1e3', currency: 'MXN' }, 'VALIDATION'],
      [{ memberId: m.id, amount: 600, currency: 'MXN' }, 'VALIDATION'],
      [{ memberId: m.id, amount: '600.00', currency: 'USD' }, 'VALIDATION'], // wrong currency
      [{ memberId: m.id, amount: '600.00', currency: 'EUR' }, 'VALIDATION'],
      [{ memberId: m.id, amount: '499.99', currency: 'MXN' }, 'VALIDATION'], // below the minimum
      [{ memberId: 987654321, amount: '600.00', currency: 'MXN' }, 'NOT_FOUND'],
      [{ memberId: m.id, amount: '10000.01', currency: 'MXN' }, 'INSUFFICIENT_FUNDS'],
    ];
    for (const [input, code] of cases) {
      const r = await t.call('withdrawals.request', input, t.tokens.finance);
      expect(!r.ok && r.error.code, JSON.stringify(input)).toBe(code);
    }
    expect(await state()).toEqual(before);
  });

  it('50 concurrent requests against a wallet that affords 10: exactly 10 succeed, never below zero, no entry lost', async () => {
    const m = await member({}, '5000.00');
    const entriesBefore = await n('select count(*)::int as n from ledger_entries');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => request(m, '500.00', 'MXN', i % 2 ? t.tokens.finance : t.tokens.admin)));
    const ok = results.filter((r) => r.ok);
    expect(ok).toHaveLength(10);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 'INSUFFICIENT_FUNDS')).toBe(true);
    expect(await memberBalance(db(), m.id)).toMatchObject({ balance: '5000.00', held: '5000.00', available: '0.00' });
    expect(await n(`select count(*)::int as n from withdrawals where member_id = ${m.id}`)).toBe(10);
    expect((await n('select count(*)::int as n from ledger_entries')) - entriesBefore).toBe(20);
    expect(await n(`select count(*)::int as n from ledger_accounts where kind = 'member_wallet' and balance - pending_out < 0`)).toBe(0);
    expect(await ledgerMismatches(db())).toEqual([]);
  });
});

describe('decisions', () => {
  it('approve, then approving again (not pending) is a CONFLICT that changes nothing', async () => {
    const m = await member();
    const w = await requested(m, '800.00');
    const a = await t.must('withdrawals.approve', { id: w.id, note: 'revisado' }, finance2);
    expect(a.status).toBe('approved');
    const before = await state();
    for (const [name, input] of [
      ['withdrawals.approve', { id: w.id }],
      ['withdrawals.reject', { id: w.id, reason: 'tarde' }],
      ['withdrawals.approveMany', { ids: [w.id] }],
    ] as const) {
      const r = await t.call(name, input, t.tokens.admin);
      expect(!r.ok && r.error.code, name).toBe('CONFLICT');
    }
    expect(await state()).toEqual(before);
    const d = await t.must('withdrawals.get', { id: w.id }, t.tokens.finance);
    expect(d.decisions.map((x) => [x.action, x.by, x.note])).toEqual([
      ['requested', 'Fernanda Finanzas', null],
      ['approved', 'Tomás Tesorería', 'revisado'],
    ]);
  });

  it('reject needs a reason, releases the hold and keeps who and why', async () => {
    const m = await member();
    const w = await requested(m, '900.00');
    const bad = await t.call('withdrawals.reject', { id: w.id, reason: '' }, t.tokens.finance);
    expect(!bad.ok && bad.error.code).toBe('VALIDATION');
    await t.must('withdrawals.reject', { id: w.id, reason: 'Cuenta en revisión' }, t.tokens.admin);
    expect(await memberBalance(db(), m.id)).toMatchObject({ balance: '10000.00', held: '0.00', available: '10000.00' });
    const [row] = await t.database
      .sql`select w.status, w.rejection_reason, s.username from withdrawals w join staff s on s.id = w.rejected_by where w.id = ${w.id}`;
    expect(row).toMatchObject({ status: 'rejected', rejection_reason: 'Cuenta en revisión', username: 'admin' });
    const [a] = await t.database.sql`select reason from audit_log where action = 'withdrawals.reject' and entity_id = ${String(w.id)}`;
    expect(a!.reason).toBe('Cuenta en revisión');
  });

  it('two finance users approving the same withdrawal at once: one approves, the other gets CONFLICT', async () => {
    const m = await member();
    const w = await requested(m, '650.00');
    const rs = await Promise.all([t.call('withdrawals.approve', { id: w.id }, t.tokens.admin), t.call('withdrawals.approve', { id: w.id }, finance2)]);
    expect(rs.filter((r) => r.ok)).toHaveLength(1);
    expect(rs.filter((r) => !r.ok && r.error.code === 'CONFLICT')).toHaveLength(1);
    expect(await n(`select count(*)::int as n from audit_log where action = 'withdrawals.approve' and entity_id = '${w.id}'`)).toBe(1);
  });

  it('batch approve is all or nothing and answers count and totals', async () => {
    const m = await member();
    const a = await requested(m, '500.00');
    const b = await requested(m, '700.00');
    const c = await requested(m, '600.00');
    await t.must('withdrawals.reject', { id: c.id, reason: 'duplicado' }, t.tokens.finance);
    const before = await state();
    const r = await t.call('withdrawals.approveMany', { ids: [a.id, b.id, c.id] }, finance2);
    expect(!r.ok && r.error.code).toBe('CONFLICT');
    expect(await state()).toEqual(before);
    const ok = await t.must('withdrawals.approveMany', { ids: [a.id, b.id] }, finance2);
    expect(ok).toEqual({
      count: 2,
      totals: [{ currency: 'MXN', count: 2, amount: '1200.00', fee: '40.00', net: '1160.00' }],
      firstApprovals: [],
      needsSomeoneElse: [],
    });
  });

  it('support staff can do none of it (FORBIDDEN, nothing changed) but can read a wallet', async () => {
    const m = await member();
    const w = await requested(m, '500.00');
    const before = await state();
    const calls: [ProcedureName, unknown][] = [
      ['withdrawals.request', { memberId: m.id, amount: '500.00', currency: 'MXN' }],
      ['withdrawals.approve', { id: w.id }],
      ['withdrawals.approveMany', { ids: [w.id] }],
      ['withdrawals.reject', { id: w.id, reason: 'no' }],
      ['withdrawals.payout', { id: w.id }],
      ['withdrawals.bankFile', { ids: [w.id] }],
      ['withdrawals.markPaid', { id: w.id, reference: 'x' }],
      ['withdrawals.markFailed', { id: w.id, reason: 'no' }],
      ['withdrawals.list', {}],
      ['withdrawals.get', { id: w.id }],
      ['withdrawals.export', {}],
    ];
    for (const [name, input] of calls) {
      const r = await t.call(name, input, t.tokens.support);
      expect(!r.ok && r.error.code, name).toBe('FORBIDDEN');
    }
    expect(await state()).toEqual(before);
    expect(await t.must('wallet.summary', { memberId: m.id }, t.tokens.support)).toMatchObject({
      balance: '10000.00',
      held: '500.00',
      available: '9500.00',
      openWithdrawals: 1,
    });
  });
});

describe('Stripe payouts (local test server)', () => {
  async function approvedFor(opts: Parameters<typeof member>[0], amount = '1000.00') {
    const m = await member(opts);
    const w = await requested(m, amount);
    await t.must('withdrawals.approve', { id: w.id }, finance2);
    return { m, w };
  }

  it('pays the net amount to the connected account with the withdrawal id as idempotency key, and settles the hold', async () => {
    const { m, w } = await approvedFor({ stripeAccountId: 'acct_1PagoNormal' });
    const feeBefore = (await companyBalance(db(), 'fee_income', 'MXN')).balance;
    const r = await t.must('withdrawals.payout', { id: w.id }, t.tokens.finance);
    expect(r).toMatchObject({ id: w.id, status: 'paid', outcome: 'paid' });
    const tr = stub.transfers.find((x) => x.id === r.stripeTransferId)!;
    expect(tr).toMatchObject({ amount: 98000, currency: 'mxn', destination: 'acct_1PagoNormal', metadata: { withdrawal_id: String(w.id) } });
    expect(stub.requests.filter((q) => q.path === '/v1/transfers' && q.idempotencyKey === `withdrawal-${w.id}`)).toHaveLength(1);
    expect(await memberBalance(db(), m.id)).toMatchObject({ balance: '9000.00', held: '0.00', available: '9000.00' });
    // Exact decimals: the fee income grew by exactly MXN 20.00.
    expect(new Decimal((await companyBalance(db(), 'fee_income', 'MXN')).balance).minus(feeBefore).toFixed(2)).toBe('20.00');
    const again = await t.call('withdrawals.payout', { id: w.id }, t.tokens.finance);
    expect(!again.ok && again.error.code).toBe('CONFLICT');
    const d = await t.must('withdrawals.get', { id: w.id }, t.tokens.finance);
    expect(d.attempts).toHaveLength(1);
    expect(d.attempts[0]).toMatchObject({ outcome: 'paid', idempotencyKey: `withdrawal-${w.id}`, stripeTransferId: r.stripeTransferId });
    expect(d.decisions.map((x) => x.action)).toEqual(['requested', 'approved', 'processing', 'paid']);
  });

  it('two finance users paying the same withdrawal at once: it is paid exactly once', async () => {
    const { w } = await approvedFor({ stripeAccountId: 'acct_1PagoDoble' });
    stub.script('transfers', { kind: 'delay', ms: 300 });
    const rs = await Promise.all([
      t.call('withdrawals.payout', { id: w.id }, t.tokens.finance),
      t.call('withdrawals.payout', { id: w.id }, finance2),
      t.call('withdrawals.payout', { id: w.id }, t.tokens.admin),
    ]);
    expect(rs.filter((r) => r.ok)).toHaveLength(1);
    expect(rs.filter((r) => !r.ok && r.error.code === 'CONFLICT')).toHaveLength(2);
    expect(stub.transfers.filter((x) => x.metadata.withdrawal_id === String(w.id))).toHaveLength(1);
    expect(await n(`select count(*)::int as n from ledger_transactions where idempotency_key = 'withdrawal:${w.id}:settle'`)).toBe(1);
    const [row] = await t.database.sql`select status from withdrawals where id = ${w.id}`;
    expect(row!.status).toBe('paid');
  });

  it('a Stripe call that times out stays processing; the retry uses the same key and never pays twice', async () => {
    const { m, w } = await approvedFor({ stripeAccountId: 'acct_1PagoLento' });
    stub.script('transfers', { kind: 'delay', ms: 2500 });
    const first = await t.must('withdrawals.payout', { id: w.id }, t.tokens.finance);
    expect(first).toMatchObject({ status: 'processing', outcome: 'unknown' });
    expect(await memberBalance(db(), m.id)).toMatchObject({ held: '1000.00' });
    // Stripe did create the transfer; only the answer was lost.
    expect(stub.transfers.filter((x) => x.metadata.withdrawal_id === String(w.id))).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1600));
    const retry = await t.must('withdrawals.payout', { id: w.id }, finance2);
    expect(retry).toMatchObject({ status: 'paid', outcome: 'paid' });
    const sent = stub.requests.filter(
      (q) => q.path === '/v1/transfers' && q.method === 'POST' && q.body.metadata && (q.body.metadata as Record<string, string>).withdrawal_id === String(w.id),
    );
    // The retry looked the transfer up at Stripe (by its transfer group) and created nothing.
    expect(sent.length).toBe(1);
    expect(sent[0]!.idempotencyKey).toBe(`withdrawal-${w.id}`);
    expect(stub.requests.filter((q) => q.method === 'GET' && q.path === '/v1/transfers' && q.body.transfer_group === `withdrawal-${w.id}`)).toHaveLength(1);
    expect(stub.transfers.filter((x) => x.metadata.withdrawal_id === String(w.id))).toHaveLength(1);
    expect(retry.stripeTransferId).toBe(stub.transfers.find((x) => x.metadata.withdrawal_id === String(w.id))!.id);
    expect(await memberBalance(db(), m.id)).toMatchObject({ balance: '9000.00', held: '0.00' });
    const d = await t.must('withdrawals.get', { id: w.id }, t.tokens.finance);
    expect(d.attempts.map((a) => a.outcome)).toEqual(['unknown', 'paid']);
  });

  it('a retry after Stripe forgot the idempotency key finds the transfer by its group and never pays twice', async () => {
    const { m, w } = await approvedFor({ stripeAccountId: 'acct_1PagoOlvido' });
    stub.script('transfers', { kind: 'delay', ms: 2500 });
    const first = await t.must('withdrawals.payout', { id: w.id }, t.tokens.finance);
    expect(first).toMatchObject({ status: 'processing', outcome: 'unknown' });
    expect(stub.transfers.filter((x) => x.metadata.withdrawal_id === String(w.id))).toHaveLength(1);
    // Days later: Stripe no longer knows the key, so a POST with it would create a second transfer.
    stub.expireIdempotencyKeys();
    await new Promise((r) => setTimeout(r, 1600));
    const retry = await t.must('withdrawals.payout', { id: w.id }, finance2);
    expect(retry).toMatchObject({ status: 'paid', outcome: 'paid' });
    expect(stub.transfers.filter((x) => x.metadata.withdrawal_id === String(w.id))).toHaveLength(1);
    expect(retry.stripeTransferId).toBe(stub.transfers.find((x) => x.metadata.withdrawal_id === String(w.id))!.id);
    expect(stub.requests.filter((q) => q.method === 'POST' && q.path === '/v1/transfers' && q.idempotencyKey === `withdrawal-${w.id}`)).toHaveLength(1);
    expect(await memberBalance(db(), m.id)).toMatchObject({ balance: '9000.00', held: '0.00' });
  });

  it('a retry when Stripe holds no transfer creates exactly one', async () => {
    const { w } = await approvedFor({ stripeAccountId: 'acct_1PagoSinTransfer' });
    stub.script('transfers', { kind: 'error', status: 500 });
    const first = await t.must('withdrawals.payout', { id: w.id }, t.tokens.finance);
    expect(first).toMatchObject({ status: 'processing', outcome: 'unknown' });
    expect(stub.transfers.filter((x) => x.metadata.withdrawal_id === String(w.id))).toHaveLength(0);
    stub.expireIdempotencyKeys();
    const retry = await t.must('withdrawals.payout', { id: w.id }, finance2);
    expect(retry).toMatchObject({ status: 'paid', outcome: 'paid' });
    expect(stub.transfers.filter((x) => x.metadata.withdrawal_id === String(w.id))).toHaveLength(1);
  });

  it('the SDK itself retries a timeout with the same key: one transfer', async () => {
    applyEnv({ NNP_STRIPE_MAX_RETRIES: '2' });
    const { w } = await approvedFor({ stripeAccountId: 'acct_1PagoReintento' });
    stub.script('transfers', { kind: 'delay', ms: 1800 });
    const r = await t.must('withdrawals.payout', { id: w.id }, t.tokens.finance);
    expect(r).toMatchObject({ status: 'paid', outcome: 'paid' });
    expect(stub.transfers.filter((x) => x.metadata.withdrawal_id === String(w.id))).toHaveLength(1);
    expect(stub.requests.filter((q) => q.idempotencyKey === `withdrawal-${w.id}`).length).toBeGreaterThanOrEqual(2);
  });

  it('a 500 from Stripe leaves it processing (retry later); the retry pays', async () => {
    const { w } = await approvedFor({ stripeAccountId: 'acct_1PagoError' });
    stub.script('transfers', { kind: 'error', status: 500 });
    const first = await t.must('withdrawals.payout', { id: w.id }, t.tokens.finance);
    expect(first).toMatchObject({ status: 'processing', outcome: 'unknown' });
    const retry = await t.must('withdrawals.payout', { id: w.id }, t.tokens.finance);
    expect(retry).toMatchObject({ status: 'paid', outcome: 'paid' });
    expect(stub.transfers.filter((x) => x.metadata.withdrawal_id === String(w.id))).toHaveLength(1);
  });

  it('a declined transfer ends in failed with the reason kept and the hold released', async () => {
    const { m, w } = await approvedFor({ stripeAccountId: 'acct_1decline' });
    const r = await t.must('withdrawals.payout', { id: w.id }, t.tokens.finance);
    expect(r).toMatchObject({ status: 'failed', outcome: 'declined' });
    expect(await memberBalance(db(), m.id)).toMatchObject({ balance: '10000.00', held: '0.00', available: '10000.00' });
    const [row] = await t.database.sql`select failure_reason from withdrawals where id = ${w.id}`;
    expect(row!.failure_reason).toContain('insufficient_capabilities_for_transfer');
    const again = await t.call('withdrawals.payout', { id: w.id }, t.tokens.finance);
    expect(!again.ok && again.error.code).toBe('CONFLICT');
    // A scripted decline (platform balance) too.
    const second = await approvedFor({ stripeAccountId: 'acct_1PagoSinSaldo' });
    stub.script('transfers', { kind: 'decline', code: 'balance_insufficient' });
    expect(await t.must('withdrawals.payout', { id: second.w.id }, t.tokens.finance)).toMatchObject({ status: 'failed', outcome: 'declined' });
  });

  it('no connected account, or a withdrawal that is not approved → typed error, nothing changed', async () => {
    const { w } = await approvedFor({ stripeAccountId: null });
    const m2 = await member({ stripeAccountId: 'acct_1Pendiente' });
    const pending = await requested(m2, '500.00');
    const before = await state();
    const r1 = await t.call('withdrawals.payout', { id: w.id }, t.tokens.finance);
    expect(!r1.ok && r1.error.code).toBe('VALIDATION');
    const r2 = await t.call('withdrawals.payout', { id: pending.id }, t.tokens.finance);
    expect(!r2.ok && r2.error.code).toBe('CONFLICT');
    expect(await state()).toEqual(before);
  });
});

describe('bank-transfer batch', () => {
  it('puts approved withdrawals in a CSV batch; the bank result settles or releases each', async () => {
    const m = await member({ firstName: 'José', lastName: 'Núñez, "Pepe"' });
    const a = await requested(m, '1000.00');
    const b = await requested(m, '2000.00');
    await t.must(
      'payoutDestinations.set',
      { memberId: m.id, country: 'MX', holderName: 'José Núñez, "Pepe"', taxId: 'NUPJ800101AB1', clabe: '002180123456789013' },
      t.tokens.admin,
    );
    await t.must('withdrawals.approveMany', { ids: [a.id, b.id] }, finance2);
    const f = await t.must('withdrawals.bankFile', { ids: [a.id, b.id] }, t.tokens.finance);
    expect(f.count).toBe(2);
    expect(f.totals).toEqual([{ currency: 'MXN', count: 2, amount: '3000.00', fee: '60.00', net: '2940.00' }]);
    const lines = f.csv.trim().split('\r\n');
    expect(lines[0]).toBe(
      'lote,folio,referencia,codigo_miembro,pais,moneda,importe_neto,titular,id_fiscal,banco_clave,banco,tipo_cuenta,clabe,ruta_aba,cuenta',
    );
    expect(lines[1]).toBe(
      `${f.batchId},${a.id},NNP-RET-${a.id},${m.code},MX,MXN,980.00,"José Núñez, ""Pepe""",NUPJ800101AB1,002,Banco Nacional de México,,002180123456789013,,`,
    );
    const again = await t.call('withdrawals.bankFile', { ids: [a.id] }, t.tokens.finance);
    expect(!again.ok && again.error.code).toBe('CONFLICT');
    const clearingBefore = (await companyBalance(db(), 'withdrawal_clearing', 'MXN')).balance;
    await t.must('withdrawals.markPaid', { id: a.id, reference: 'SPEI 123456' }, t.tokens.finance);
    expect(Number((await companyBalance(db(), 'withdrawal_clearing', 'MXN')).balance) - Number(clearingBefore)).toBeCloseTo(980, 6);
    await t.must('withdrawals.markFailed', { id: b.id, reason: 'Cuenta bancaria cerrada' }, t.tokens.finance);
    expect(await memberBalance(db(), m.id)).toMatchObject({ balance: '9000.00', held: '0.00', available: '9000.00' });
  });

  it('a Stripe withdrawal in processing cannot be marked paid or failed by hand', async () => {
    const m = await member({ stripeAccountId: 'acct_1Manual' });
    const w = await requested(m, '500.00');
    await t.must('withdrawals.approve', { id: w.id }, finance2);
    stub.script('transfers', { kind: 'error', status: 503 });
    await t.must('withdrawals.payout', { id: w.id }, t.tokens.finance);
    const before = await state();
    const a = await t.call('withdrawals.markFailed', { id: w.id, reason: 'no llegó' }, t.tokens.finance);
    const b = await t.call('withdrawals.markPaid', { id: w.id, reference: 'x' }, t.tokens.finance);
    expect([!a.ok && a.error.code, !b.ok && b.error.code]).toEqual(['CONFLICT', 'CONFLICT']);
    expect(await state()).toEqual(before);
  });
});

describe('risk flags (shown, never deciding)', () => {
  it('more than 3 requests in 7 days', async () => {
    const m = await member({}, '20000.00');
    const flags: string[][] = [];
    for (let i = 0; i < 5; i++) {
      await travel(new Date(Date.parse('2026-06-10T12:00:00Z') + i * DAY));
      flags.push((await requested(m, '500.00')).riskFlags);
    }
    expect(flags.map((f) => f.includes('frequent'))).toEqual([false, false, false, true, true]);
    await travel(new Date(Date.parse('2026-06-10T12:00:00Z') + 12 * DAY));
    expect((await requested(m, '500.00')).riskFlags).not.toContain('frequent');
  });

  it('amount more than 3× the average monthly commission of the last 6 periods (ledger commission credits per period)', async () => {
    const m = await member({ enrolledAt: new Date('2024-01-01T00:00:00Z') }, '0');
    // 2025-12 … 2026-05: 1,000 a month (one of them with the period given explicitly).
    const keys = ['2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05'];
    for (const k of keys) {
      const b = periodBounds(k);
      await creditCommission(db(), m.id, 'MXN', '1000.00', { key: `avg-${m.id}-${k}`, at: new Date(b.startsAt.getTime() + 10 * DAY) });
    }
    // Something earned in the current period does not count.
    await creditCommission(db(), m.id, 'MXN', '9000.00', { key: `avg-${m.id}-now`, at: new Date('2026-06-02T12:00:00Z') });
    expect((await requested(m, '3000.00')).riskFlags).not.toContain('large');
    const big = await requested(m, '3000.01');
    expect(big.riskFlags).toContain('large');
    const d = await t.must('withdrawals.get', { id: big.id }, t.tokens.finance);
    expect(d.risk.find((r) => r.flag === 'large')!.detail).toMatchObject({ average: '1000.00', threshold: '3000.00', periods: 6 });
  });

  it('payout destination changed in the last 72 hours, and a member enrolled less than 30 days ago', async () => {
    const changed = await member({ payoutDestinationChangedAt: new Date(clock.getTime() - 71 * 3_600_000), stripeAccountId: 'acct_1Nuevo' });
    const old = await member({ payoutDestinationChangedAt: new Date(clock.getTime() - 73 * 3_600_000) });
    const fresh = await member({ enrolledAt: new Date(clock.getTime() - 29 * DAY) });
    expect((await requested(changed, '500.00')).riskFlags).toContain('destination_changed');
    expect((await requested(old, '500.00')).riskFlags).not.toContain('destination_changed');
    const f = await requested(fresh, '500.00');
    expect(f.riskFlags).toContain('new_member');
    // Flags never decide: a flagged request can be approved like any other.
    expect((await t.must('withdrawals.approve', { id: f.id }, finance2)).status).toBe('approved');
  });
});

describe('queue, detail, export', () => {
  it('filters by status, country, amount, dates and risk, sorts, pages, and totals the filtered set per currency', async () => {
    // A fresh set in a date window of its own.
    await travel(new Date('2027-03-01T12:00:00Z'));
    const mx = await member({ country: 'MX', enrolledAt: new Date('2027-02-20T00:00:00Z') }, '50000.00');
    const us = await member({ country: 'US' }, '5000.00');
    // A second period of commission: with one the request would be flagged "no history".
    await creditCommission(db(), us.id, 'USD', '100.00', { at: new Date(clock.getTime() - 70 * DAY) });
    await travel(new Date('2027-03-02T12:00:00Z'));
    const ids: number[] = [];
    for (const a of ['500.00', '1500.00', '2500.00', '3500.00']) ids.push((await requested(mx, a)).id);
    for (const a of ['30.00', '300.00']) ids.push((await requested(us, a, 'USD')).id);
    await t.must('withdrawals.reject', { id: ids[0]!, reason: 'prueba' }, t.tokens.finance);
    const window = { from: '2027-03-02T00:00:00Z', to: '2027-03-03T00:00:00Z' };
    const all = await t.must('withdrawals.list', { ...window, pageSize: 2 }, t.tokens.finance);
    expect(all.total).toBe(6);
    expect(all.rows).toHaveLength(2);
    expect(all.totals).toEqual([
      { currency: 'MXN', count: 4, amount: '8000.00', fee: '170.00', net: '7830.00' },
      { currency: 'USD', count: 2, amount: '330.00', fee: '7.00', net: '323.00' },
    ]);
    const pending = await t.must(
      'withdrawals.list',
      { ...window, status: 'pending', country: 'MX', minAmount: '1000', maxAmount: '3000', sort: 'amount', dir: 'asc' },
      t.tokens.finance,
    );
    expect(pending.rows.map((r) => r.amount)).toEqual(['1500.00', '2500.00']);
    expect(pending.totals).toEqual([{ currency: 'MXN', count: 2, amount: '4000.00', fee: '80.00', net: '3920.00' }]);
    const flagged = await t.must('withdrawals.list', { ...window, risk: 'new_member' }, t.tokens.finance);
    expect(flagged.total).toBe(4);
    expect((await t.must('withdrawals.list', { ...window, risk: 'none' }, t.tokens.finance)).total).toBe(2);
    expect((await t.must('withdrawals.list', { ...window, risk: 'any' }, t.tokens.finance)).total).toBe(4);
    // A flag without a status reads the flagged rows' own index (drizzle/0076): the filter states the
    // index's predicate. Sequential scans off, so that the tiny table's plan shows which index can answer.
    const plan = await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return tx.execute<{ 'QUERY PLAN': string }>(
        sql`explain select w.currency, count(*) from withdrawals w where ${whereOf({ risk: 'no_history' })} group by w.currency`,
      );
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/withdrawals_queue_flagged_idx/);
    // Without amounts, dates, a member or ids the count and totals are the kept ones (withdrawal_totals,
    // drizzle/0080), read on finance's own login; an always-true date filter sums the rows instead.
    for (const f of [{}, { status: 'pending' }, { country: 'US', risk: 'any' }] as const) {
      const kept = await t.must('withdrawals.list', f, t.tokens.finance);
      const summed = await t.must('withdrawals.list', { ...f, from: '2000-01-01T00:00:00Z' }, t.tokens.finance);
      expect(kept.total, JSON.stringify(f)).toBeGreaterThan(0);
      expect([kept.total, kept.totals], JSON.stringify(f)).toEqual([summed.total, summed.totals]);
    }
    // The dashboard's pending withdrawals come from the same totals.
    const pendingNow = await t.must('withdrawals.list', { status: 'pending' }, t.tokens.finance);
    const dash = await t.must('dashboard.summary', {}, t.tokens.finance);
    expect(dash.withdrawals?.pendingCount).toBe(pendingNow.total);
    expect(dash.withdrawals?.byCurrency).toEqual(pendingNow.totals.map((x) => ({ currency: x.currency, count: x.count, amount: x.amount })));
    const page2 = await t.must('withdrawals.list', { ...window, page: 2, pageSize: 4, sort: 'amount', dir: 'desc' }, t.tokens.finance);
    expect(page2.rows.map((r) => r.amount)).toEqual(['300.00', '30.00']);
    const bad = await t.call('withdrawals.list', { minAmount: '-5' }, t.tokens.finance);
    expect(!bad.ok && bad.error.code).toBe('VALIDATION');

    const csv = await t.must('withdrawals.export', { ...window, country: 'US' }, t.tokens.finance);
    const lines = csv.csv.trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]!.startsWith('id,solicitado_utc,solicitado_cdmx,codigo_miembro')).toBe(true);
    expect(csv.truncated).toBe(false);

    const d = await t.must('withdrawals.get', { id: ids[3]! }, t.tokens.finance);
    expect(d.member.code).toBe(mx.code);
    expect(d.wallet).toMatchObject({ currency: 'MXN', balance: '50000.00', held: '7500.00', available: '42500.00', openWithdrawals: 3 });
    expect(d.previous.map((p) => p.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(d.history[0]).toMatchObject({ kind: 'withdrawal.hold', amount: '-3500.00', status: 'pending' });
    expect(d.history.at(-1)).toMatchObject({ kind: 'commission', amount: '50000.00', status: 'posted' });
    expect(d.risk.map((r) => [r.flag, r.atRequest])).toContainEqual(['new_member', true]);
  });

  it('the wallet history pages the member entries', async () => {
    const m = await member({}, '1000.00');
    await requested(m, '500.00');
    const e = await t.must('wallet.entries', { memberId: m.id, pageSize: 1 }, t.tokens.support);
    expect(e.total).toBe(2);
    expect(e.rows[0]).toMatchObject({ kind: 'withdrawal.hold', amount: '-500.00', status: 'pending', currency: 'MXN' });
  });
});

describe('the ledger stays exact', () => {
  it('every transaction sums to zero and every cached balance equals its entries', async () => {
    expect(await unbalancedTransactions(db())).toEqual([]);
    expect(await ledgerMismatches(db())).toEqual([]);
    const negative = await t.database.db.execute(sql`select id from ledger_accounts where kind = 'member_wallet' and balance - pending_out < 0`);
    expect(negative).toHaveLength(0);
  });
});
