import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/db';
import { clientOf } from '../../db/client';
import { creditCommission, insertMembers, type TestMember } from '../../../test/wallet-fixtures';
import { companyBalance, ledgerMismatches, memberBalance, unbalancedTransactions } from './ledger';
import { postWalletCredits, type WalletCredits } from './bulk';
import { AppError } from '../../../shared/errors';
import { Decimal } from '../../domain/money';

let database: Awaited<ReturnType<typeof freshDatabase>>;
let mx: TestMember[];
let us: TestMember;
beforeAll(async () => {
  database = await freshDatabase({ max: 4 });
  mx = await insertMembers(database.db, [{}, {}, {}]);
  [us] = (await insertMembers(database.db, [{ country: 'US' }])) as [TestMember];
});
afterAll(async () => {
  await database.drop();
});

const count = async (table: string) => Number((await database.sql.unsafe(`select count(*)::int as n from ${table}`))[0]!.n);

/** Runs postWalletCredits over the given rows in one transaction (rolled back on error). */
async function pay(rows: [string, number, string][], opts: Partial<WalletCredits> = {}) {
  return database.db.transaction(async (tx) => {
    const c = clientOf(tx);
    await c.unsafe('create temp table credits (currency char(3), member_id bigint, amount numeric) on commit drop');
    for (const [currency, member, amount] of rows) await c.unsafe('insert into credits values ($1, $2, $3)', [currency, member, amount]);
    return postWalletCredits(tx, {
      source: 'credits',
      keyPrefix: 'test.bulk:1',
      kind: 'commission',
      company: 'commission_expense',
      periodId: null,
      at: new Date('2026-11-30T12:00:00Z'),
      reference: { test: true },
      blockShift: 1,
      ...opts,
    });
  });
}

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
};

describe('postWalletCredits', () => {
  it('credits new and existing wallets, one balanced transaction per currency and block, balances = entries', async () => {
    // mx[0] already has a wallet with 100.00; the others are paid for the first time.
    await creditCommission(database.db, mx[0]!.id, 'MXN', '100.00', { key: 'before-bulk' });
    const expenseBefore = (await companyBalance(database.db, 'commission_expense', 'MXN')).balance;
    const r = await pay([
      ['MXN', mx[0]!.id, '10.25'],
      ['MXN', mx[1]!.id, '0.01'],
      ['MXN', mx[2]!.id, '99999.99'],
      ['USD', us.id, '5.50'],
    ]);
    // blockShift 1: member ids grouped by pairs, so the MXN credits make one or two transactions.
    const blocks = new Set([mx[0]!.id, mx[1]!.id, mx[2]!.id].map((id) => id >> 1)).size;
    expect(r).toEqual({ transactions: blocks + 1, entries: 4 + blocks + 1, totals: { MXN: '100010.25', USD: '5.50' } });
    expect((await memberBalance(database.db, mx[0]!.id)).balance).toBe('110.25');
    expect((await memberBalance(database.db, mx[1]!.id)).balance).toBe('0.01');
    expect((await memberBalance(database.db, mx[2]!.id)).balance).toBe('99999.99');
    expect((await memberBalance(database.db, us.id)).balance).toBe('5.50');
    expect((await companyBalance(database.db, 'commission_expense', 'MXN')).balance).toBe(new Decimal(expenseBefore).minus('100010.25').toFixed(2));
    expect((await companyBalance(database.db, 'commission_expense', 'USD')).balance).toBe('-5.50');
    expect(await ledgerMismatches(database.db)).toEqual([]);
    expect(await unbalancedTransactions(database.db)).toEqual([]);
  });

  it('paying the same keys again is a CONFLICT and changes nothing', async () => {
    const entries = await count('ledger_entries');
    expect(await errorOf(pay([['MXN', mx[1]!.id, '0.01']]))).toBe('CONFLICT');
    expect(await count('ledger_entries')).toBe(entries);
    expect((await memberBalance(database.db, mx[1]!.id)).balance).toBe('0.01');
  });

  it("refuses a zero, negative or over-precise amount, or a currency that is not the member's, writing nothing", async () => {
    const entries = await count('ledger_entries');
    const accounts = await count('ledger_accounts');
    expect(await errorOf(pay([['MXN', mx[1]!.id, '0']], { keyPrefix: 'test.bulk:2' }))).toBe('VALIDATION');
    expect(await errorOf(pay([['MXN', mx[1]!.id, '-1.00']], { keyPrefix: 'test.bulk:3' }))).toBe('VALIDATION');
    expect(await errorOf(pay([['MXN', mx[1]!.id, '1.001']], { keyPrefix: 'test.bulk:4' }))).toBe('VALIDATION');
    expect(await errorOf(pay([['MXN', us.id, '1.00']], { keyPrefix: 'test.bulk:5' }))).toBe('VALIDATION');
    expect(await count('ledger_entries')).toBe(entries);
    expect(await count('ledger_accounts')).toBe(accounts);
  });
});
