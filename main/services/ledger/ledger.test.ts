import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { freshDatabase } from '../../../test/db';
import { creditCommission, insertMembers, type TestMember } from '../../../test/wallet-fixtures';
import {
  companyBalance,
  ledgerMismatches,
  pgError,
  memberBalance,
  memberWallet,
  postPending,
  postTransfer,
  unbalancedTransactions,
  voidPending,
  type Transfer,
} from './ledger';
import { AppError } from '../../../shared/errors';
import { Decimal } from '../../domain/money';

let database: Awaited<ReturnType<typeof freshDatabase>>;
let mx: TestMember[];
let us: TestMember;
beforeAll(async () => {
  database = await freshDatabase({ max: 20 });
  mx = await insertMembers(database.db, [{}, {}, {}, {}]);
  [us] = (await insertMembers(database.db, [{ country: 'US' }])) as [TestMember];
});
afterAll(async () => {
  await database.drop();
});

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof AppError ? e.code : (pgError(e).code ?? String(e));
  }
};
const count = async (table: string) => Number((await database.sql.unsafe(`select count(*)::int as n from ${table}`))[0]!.n);

describe('postings', () => {
  it('a commission credit raises the wallet and the company expense goes down by the same', async () => {
    const m = mx[0]!;
    const r = await creditCommission(database.db, m.id, 'MXN', '1500.50', { key: 'c-1' });
    expect(r.replayed).toBe(false);
    expect(r.status).toBe('posted');
    const b = await memberBalance(database.db, m.id);
    expect(b).toMatchObject({ currency: 'MXN', balance: '1500.50', held: '0.00', available: '1500.50' });
    expect((await companyBalance(database.db, 'commission_expense', 'MXN')).balance).toBe('-1500.50');
  });

  it('the same key and body again answers the first transaction; another body is a CONFLICT', async () => {
    const m = mx[0]!;
    const before = await count('ledger_entries');
    const again = await creditCommission(database.db, m.id, 'MXN', '1500.50', { key: 'c-1' });
    expect(again.replayed).toBe(true);
    expect(await count('ledger_entries')).toBe(before);
    expect(await code(creditCommission(database.db, m.id, 'MXN', '1500.51', { key: 'c-1' }))).toBe('CONFLICT');
    expect((await memberBalance(database.db, m.id)).balance).toBe('1500.50');
  });

  it('concurrent re-posts of one key write it once', async () => {
    const m = mx[1]!;
    const results = await Promise.all(
      Array.from({ length: 12 }, () => database.db.transaction((tx) => creditCommission(tx, m.id, 'MXN', '10.00', { key: 'same-key' }))),
    );
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.transactionId)).size).toBe(1);
    expect((await memberBalance(database.db, m.id)).balance).toBe('10.00');
  });

  it('refuses bad amounts and bad shapes with a typed error, writing nothing', async () => {
    const m = mx[2]!;
    const before = await count('ledger_transactions');
    const base = (amount: string, other = `-${amount}`): Transfer => ({
      idempotencyKey: `bad-${amount}-${other}`,
      kind: 'commission',
      currency: 'MXN',
      entries: [
        { account: { company: 'commission_expense' }, amount: other },
        { account: { member: m.id }, amount },
      ],
    });
    for (const bad of ['10.001', 'abc', '', '1e3', ' 10', '0', '0.00', 'NaN', 'Infinity', '--1']) {
      expect(await code(postTransfer(database.db, base(bad, bad.startsWith('-') ? bad.slice(1) : `-${bad}`))), bad).toBe('VALIDATION');
    }
    expect(await code(postTransfer(database.db, base('10.00', '-9.99')))).toBe('VALIDATION'); // does not sum to zero
    expect(await code(postTransfer(database.db, { ...base('5.00'), entries: [{ account: { member: m.id }, amount: '5.00' }] }))).toBe('VALIDATION');
    expect(await code(postTransfer(database.db, { ...base('5.00'), kind: 'Commission!' }))).toBe('VALIDATION');
    expect(await code(postTransfer(database.db, { ...base('5.00'), allowNegative: true }))).toBe('VALIDATION'); // only clawbacks
    expect(await code(postTransfer(database.db, { ...base('5.00'), idempotencyKey: '' }))).toBe('VALIDATION');
    // Wrong currency: the member's wallet is in MXN.
    expect(await code(postTransfer(database.db, { ...base('5.00'), currency: 'USD' }))).toBe('VALIDATION');
    expect(
      await code(
        postTransfer(database.db, {
          ...base('5.00'),
          entries: [
            { account: { company: 'commission_expense' }, amount: '-5.00' },
            { account: { member: 1 }, amount: '5.00' },
          ],
        }),
      ),
    ).toBe('VALIDATION');
    expect(await count('ledger_transactions')).toBe(before);
  });

  it('the database itself refuses an unbalanced transaction, and entries cannot change', async () => {
    const m = mx[2]!;
    const { accountId } = await memberWallet(database.db, m.id);
    const attempt = database.db.transaction(async (tx) => {
      const [t] = await tx.execute<{ id: number }>(sql`
        insert into ledger_transactions (idempotency_key, body_hash, kind, currency, status) values ('raw-1', 'x', 'adjustment', 'MXN', 'posted') returning id`);
      await tx.execute(
        sql`insert into ledger_entries (transaction_id, account_id, currency, amount, kind) values (${t!.id}, ${accountId}, 'MXN', 100, 'adjustment')`,
      );
    });
    expect(await code(attempt)).toBe('23514');
    // Balanced across two currencies' worth of entries is not enough: per currency.
    const [us1] = await insertMembers(database.db, [{ country: 'US' }]);
    const { accountId: usd } = await memberWallet(database.db, us1!.id);
    const mixed = database.db.transaction(async (tx) => {
      const [t] = await tx.execute<{ id: number }>(sql`
        insert into ledger_transactions (idempotency_key, body_hash, kind, currency, status) values ('raw-2', 'x', 'adjustment', 'MXN', 'posted') returning id`);
      await tx.execute(sql`insert into ledger_entries (transaction_id, account_id, currency, amount, kind)
        values (${t!.id}, ${accountId}, 'MXN', 100, 'adjustment'), (${t!.id}, ${usd}, 'USD', -100, 'adjustment')`);
    });
    expect(await code(mixed)).toBe('23514');
    await creditCommission(database.db, m.id, 'MXN', '1.00', { key: 'imm-1' });
    expect(await code(database.db.execute(sql`update ledger_entries set amount = amount * 2`))).toBe('23514');
    expect(await code(database.db.execute(sql`delete from ledger_entries`))).toBe('23514');
    expect(await code(database.db.execute(sql`update ledger_transactions set kind = 'other'`))).toBe('23514');
    expect(await ledgerMismatches(database.db)).toEqual([]);
  });

  it('entries appended later to an old transaction are checked with it; a wide transaction is checked in linear time', async () => {
    const m = mx[2]!;
    const first = await creditCommission(database.db, m.id, 'MXN', '7.00', { key: 'append-1' });
    const { accountId } = await memberWallet(database.db, m.id);
    const append = database.db.transaction(async (tx) => {
      await tx.execute(
        sql`insert into ledger_entries (transaction_id, account_id, currency, amount, kind) values (${first.transactionId}, ${accountId}, 'MXN', 1, 'commission')`,
      );
    });
    expect(await code(append)).toBe('23514');
    // One posting with 3,001 entries (a company debit and 3,000 wallet credits).
    const wide = await insertMembers(
      database.db,
      Array.from({ length: 3000 }, () => ({})),
    );
    const t0 = performance.now();
    await postTransfer(database.db, {
      idempotencyKey: 'wide-1',
      kind: 'commission',
      currency: 'MXN',
      entries: [{ account: { company: 'commission_expense' }, amount: '-3000.00' }, ...wide.map((w) => ({ account: { member: w.id }, amount: '1.00' }))],
    });
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect((await memberBalance(database.db, wide[2999]!.id)).balance).toBe('1.00');
  });

  it('a hold (pending) lowers the available balance; void releases it, post settles it; each only once', async () => {
    const m = mx[3]!;
    await creditCommission(database.db, m.id, 'MXN', '1000.00', { key: 'h-credit' });
    const hold = (key: string, amount: string) =>
      postTransfer(database.db, {
        idempotencyKey: key,
        kind: 'withdrawal.hold',
        currency: 'MXN',
        pending: true,
        entries: [
          { account: { member: m.id }, amount: `-${amount}` },
          { account: { company: 'withdrawal_holds' }, amount },
        ],
      });
    const h1 = await hold('h-1', '600.00');
    expect(h1.status).toBe('pending');
    expect(await memberBalance(database.db, m.id)).toMatchObject({ balance: '1000.00', held: '600.00', available: '400.00' });
    expect(await code(hold('h-2', '400.01'))).toBe('INSUFFICIENT_FUNDS');
    expect(await voidPending(database.db, h1.transactionId)).toBe(true);
    expect(await voidPending(database.db, h1.transactionId)).toBe(false);
    expect(await code(postPending(database.db, h1.transactionId))).toBe('CONFLICT');
    expect(await memberBalance(database.db, m.id)).toMatchObject({ balance: '1000.00', held: '0.00', available: '1000.00' });
    const h3 = await hold('h-3', '1000.00');
    expect(await postPending(database.db, h3.transactionId)).toBe(true);
    expect(await memberBalance(database.db, m.id)).toMatchObject({ balance: '0.00', held: '0.00', available: '0.00' });
    expect((await companyBalance(database.db, 'withdrawal_holds', 'MXN')).balance).toBe('1000.00');
    expect(await ledgerMismatches(database.db)).toEqual([]);
  });

  it('only a clawback may take a wallet below zero; later credits pay it back first', async () => {
    const [m] = await insertMembers(database.db, [{ country: 'CO' }]);
    await creditCommission(database.db, m!.id, 'COP', '50000.00', { key: 'cb-credit' });
    const debit = (key: string, kind: string, allowNegative: boolean) =>
      postTransfer(database.db, {
        idempotencyKey: key,
        kind,
        currency: 'COP',
        allowNegative,
        entries: [
          { account: { member: m!.id }, amount: '-80000.00' },
          { account: { company: 'commission_expense' }, amount: '80000.00' },
        ],
      });
    expect(await code(debit('cb-1', 'adjustment', false))).toBe('INSUFFICIENT_FUNDS');
    await debit('cb-2', 'clawback', true);
    expect((await memberBalance(database.db, m!.id)).balance).toBe('-30000.00');
    await creditCommission(database.db, m!.id, 'COP', '40000.00', { key: 'cb-credit-2' });
    expect(await memberBalance(database.db, m!.id)).toMatchObject({ balance: '10000.00', available: '10000.00' });
  });

  it('wallets are created in the member country currency only', async () => {
    expect((await memberWallet(database.db, us.id)).currency).toBe('USD');
    expect(await code(creditCommission(database.db, us.id, 'MXN', '1.00'))).toBe('VALIDATION');
    await creditCommission(database.db, us.id, 'USD', '25.00');
    expect((await memberBalance(database.db, us.id)).balance).toBe('25.00');
  });
});

describe('property: random postings keep the ledger exact', () => {
  it('thousands of random postings (credits, transfers, holds, voids, posts, replays, refused debits, concurrent)', async () => {
    const members = await insertMembers(database.db, [
      { country: 'MX' },
      { country: 'MX' },
      { country: 'MX' },
      { country: 'US' },
      { country: 'US' },
      { country: 'CO' },
      { country: 'DO' },
      { country: 'DO' },
    ]);
    const cur = { MX: 'MXN', US: 'USD', CO: 'COP', DO: 'DOP' } as const;
    const cents = fc.integer({ min: 1, max: 5_000_00 }).map((c) => new Decimal(c).div(100).toFixed(2));
    const op = fc.oneof(
      fc.record({ t: fc.constant('credit' as const), m: fc.nat(members.length - 1), a: cents }),
      fc.record({ t: fc.constant('move' as const), m: fc.nat(members.length - 1), n: fc.nat(members.length - 1), a: cents }),
      fc.record({ t: fc.constant('hold' as const), m: fc.nat(members.length - 1), a: cents }),
      fc.record({ t: fc.constant('resolve' as const), i: fc.nat(), post: fc.boolean() }),
      fc.record({ t: fc.constant('split' as const), m: fc.nat(members.length - 1), a: cents }),
      fc.record({ t: fc.constant('replay' as const), i: fc.nat() }),
    );
    let runs = 0;
    let postings = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 40, maxLength: 200 }), async (ops) => {
        runs++;
        const holds: number[] = [];
        const done: Transfer[] = [];
        const results = await Promise.all(
          chunk(ops, 4).map(async (part, lane) => {
            let ok = 0;
            for (const [k, o] of part.entries()) {
              const key = `p${runs}-${lane}-${k}`;
              let t: Transfer | null = null;
              if (o.t === 'credit') {
                const m = members[o.m]!;
                t = {
                  idempotencyKey: key,
                  kind: 'commission',
                  currency: cur[m.country],
                  entries: [
                    { account: { company: 'commission_expense' }, amount: `-${o.a}` },
                    { account: { member: m.id }, amount: o.a },
                  ],
                };
              } else if (o.t === 'move') {
                const a = members[o.m]!;
                const b = members[o.n]!;
                if (a.id === b.id || a.country !== b.country) continue;
                t = {
                  idempotencyKey: key,
                  kind: 'adjustment',
                  currency: cur[a.country],
                  entries: [
                    { account: { member: a.id }, amount: `-${o.a}` },
                    { account: { member: b.id }, amount: o.a },
                  ],
                };
              } else if (o.t === 'hold') {
                const m = members[o.m]!;
                t = {
                  idempotencyKey: key,
                  kind: 'withdrawal.hold',
                  currency: cur[m.country],
                  pending: true,
                  entries: [
                    { account: { member: m.id }, amount: `-${o.a}` },
                    { account: { company: 'withdrawal_holds' }, amount: o.a },
                  ],
                };
              } else if (o.t === 'split') {
                const m = members[o.m]!;
                const fee = new Decimal(o.a).times('0.02').toDecimalPlaces(2).toFixed(2);
                const net = new Decimal(o.a).minus(fee).toFixed(2);
                const entries: Transfer['entries'] = [
                  { account: { member: m.id }, amount: `-${o.a}` },
                  { account: { company: 'payouts_clearing' }, amount: net },
                ];
                if (fee !== '0.00') entries.push({ account: { company: 'fee_income' }, amount: fee });
                if (net === '0.00') continue;
                t = { idempotencyKey: key, kind: 'withdrawal.settle', currency: cur[m.country], entries };
              } else if (o.t === 'resolve') {
                const id = holds[o.i % Math.max(1, holds.length)];
                if (id === undefined) continue;
                try {
                  await database.db.transaction((tx) => (o.post ? postPending(tx, id) : voidPending(tx, id)));
                  ok++;
                } catch (e) {
                  if (!(e instanceof AppError && e.code === 'CONFLICT')) throw e;
                }
                continue;
              } else if (o.t === 'replay') {
                const prev = done[o.i % Math.max(1, done.length)];
                if (!prev) continue;
                const r = await database.db.transaction((tx) => postTransfer(tx, prev));
                expect(r.replayed).toBe(true);
                continue;
              }
              try {
                const r = await database.db.transaction((tx) => postTransfer(tx, t!));
                done.push(t!);
                if (r.status === 'pending') holds.push(r.transactionId);
                ok++;
                postings++;
              } catch (e) {
                if (!(e instanceof AppError && e.code === 'INSUFFICIENT_FUNDS')) throw e;
              }
            }
            return ok;
          }),
        );
        expect(results.length).toBeGreaterThan(0);
        // No wallet below its available zero except by clawback (none here).
        const negative = await database.sql`select id from ledger_accounts where kind = 'member_wallet' and balance - pending_out < 0`;
        expect(negative).toHaveLength(0);
      }),
      { numRuns: 100, seed: 20260514 },
    );
    expect(postings).toBeGreaterThan(2000);
    expect(await unbalancedTransactions(database.db)).toEqual([]);
    expect(await ledgerMismatches(database.db)).toEqual([]);
    // Per currency, all the accounts together sum to zero.
    const perCurrency = await database.sql`select currency, sum(balance + pending_in - pending_out)::text as s from ledger_accounts group by currency`;
    for (const r of perCurrency) expect(new Decimal(r.s as string).isZero(), `${r.currency}`).toBe(true);
  }, 240_000);
});

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = Array.from({ length: n }, () => []);
  xs.forEach((x, i) => out[i % n]!.push(x));
  return out.filter((c) => c.length > 0);
}
