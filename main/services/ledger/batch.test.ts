import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { freshDatabase } from '../../../test/db';
import { insertMembers, type TestMember } from '../../../test/wallet-fixtures';
import { ledgerMismatches, memberBalance, pgError, postPending, postTransfer, postTransfers, unbalancedTransactions, type Transfer } from './ledger';
import { AppError } from '../../../shared/errors';
import { Decimal } from '../../domain/money';

let database: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  database = await freshDatabase({ max: 8 });
});
afterAll(async () => {
  await database.drop();
});

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
    return null;
  } catch (e) {
    return e instanceof AppError ? { code: e.code, details: e.details } : { code: pgError(e).code ?? String(e), details: null };
  }
};
const count = async (table: string) => Number((await database.sql.unsafe(`select count(*)::int as n from ${table}`))[0]!.n);

const credit = (key: string, member: number, amount: string, currency: Transfer['currency'] = 'MXN'): Transfer => ({
  idempotencyKey: key,
  kind: 'commission',
  currency,
  entries: [
    { account: { company: 'commission_expense' }, amount: `-${amount}` },
    { account: { member }, amount },
  ],
  reference: { test: key },
});
const move = (key: string, from: number, to: number, amount: string): Transfer => ({
  idempotencyKey: key,
  kind: 'adjustment',
  currency: 'MXN',
  entries: [
    { account: { member: from }, amount: `-${amount}` },
    { account: { member: to }, amount },
  ],
});

describe('postTransfers: several transfers in one call, all or none', () => {
  let m: TestMember[];
  beforeAll(async () => {
    m = await insertMembers(database.db, [{}, {}, {}, { country: 'US' }]);
  });

  it('posts every transfer in order, results in order; a wallet spends what an earlier transfer of the batch credited', async () => {
    const [a, b] = [m[0]!, m[1]!];
    const tx0 = await count('ledger_transactions');
    const r = await database.db.transaction((tx) =>
      postTransfers(tx, [credit('b1-1', a.id, '100.00'), move('b1-2', a.id, b.id, '60.00'), move('b1-3', b.id, a.id, '10.50'), credit('b1-4', b.id, '0.01')]),
    );
    expect(r.map((x) => [x.replayed, x.status])).toEqual(Array.from({ length: 4 }, () => [false, 'posted']));
    expect(r.map((x) => x.transactionId)).toEqual([...r.map((x) => x.transactionId)].sort((x, y) => x - y));
    expect(await count('ledger_transactions')).toBe(tx0 + 4);
    expect((await memberBalance(database.db, a.id)).balance).toBe('50.50');
    expect((await memberBalance(database.db, b.id)).balance).toBe('49.51');
    expect(await ledgerMismatches(database.db)).toEqual([]);
    expect(await unbalancedTransactions(database.db)).toEqual([]);
  });

  it('a batch again answers its first results and writes nothing; one changed body refuses the whole batch', async () => {
    const [a, b] = [m[0]!, m[1]!];
    const first = await database.db.transaction((tx) => postTransfers(tx, [credit('b2-1', a.id, '5.00'), move('b2-2', a.id, b.id, '1.00')]));
    const entries = await count('ledger_entries');
    const again = await database.db.transaction((tx) => postTransfers(tx, [credit('b2-1', a.id, '5.00'), move('b2-2', a.id, b.id, '1.00')]));
    expect(again).toEqual(first.map((x) => ({ ...x, replayed: true })));
    expect(await count('ledger_entries')).toBe(entries);
    // A replay beside a new transfer: the new one posts, the replay answers.
    const mixed = await database.db.transaction((tx) => postTransfers(tx, [credit('b2-3', b.id, '2.00'), credit('b2-1', a.id, '5.00')]));
    expect(mixed.map((x) => x.replayed)).toEqual([false, true]);
    // Retried in another batch (another first key, so another company slot): still a replay.
    const regrouped = await database.db.transaction((tx) => postTransfers(tx, [move('b2-2', a.id, b.id, '1.00'), credit('b2-1', a.id, '5.00')]));
    expect(regrouped).toEqual([first[1], first[0]].map((x) => ({ ...x!, replayed: true })));
    // A transfer posted one at a time before replays in a batch too.
    const single = await postTransfer(database.db, credit('b2-0', a.id, '7.00'));
    const inBatch = await database.db.transaction((tx) => postTransfers(tx, [credit('b2-5', b.id, '1.00'), credit('b2-0', a.id, '7.00')]));
    expect(inBatch[1]).toEqual({ ...single, replayed: true });
    const before = await memberBalance(database.db, b.id);
    const got = await failure(database.db.transaction((tx) => postTransfers(tx, [credit('b2-4', b.id, '3.00'), move('b2-2', a.id, b.id, '1.01')])));
    expect(got?.code).toBe('CONFLICT');
    expect(await memberBalance(database.db, b.id)).toEqual(before);
    expect(await database.sql`select 1 from ledger_transactions where idempotency_key = 'b2-4'`).toHaveLength(0);
  });

  it('funds are checked transfer after transfer: a debit before its credit refuses the batch, naming the wallet', async () => {
    const [, , c] = m as [TestMember, TestMember, TestMember];
    await postTransfer(database.db, credit('b3-0', c.id, '10.00'));
    const before = await count('ledger_entries');
    const got = await failure(database.db.transaction((tx) => postTransfers(tx, [move('b3-1', c.id, m[0]!.id, '15.00'), credit('b3-2', c.id, '20.00')])));
    const wallet = (await memberBalance(database.db, c.id)).accountId;
    expect(got).toEqual({ code: 'INSUFFICIENT_FUNDS', details: { accountId: wallet } });
    expect(await count('ledger_entries')).toBe(before);
    // The same two the other way round post.
    await database.db.transaction((tx) => postTransfers(tx, [credit('b3-2', c.id, '20.00'), move('b3-1', c.id, m[0]!.id, '15.00')]));
    expect((await memberBalance(database.db, c.id)).balance).toBe('15.00');
  });

  it('holds in a batch lower the available balance for the transfers after them, and post later', async () => {
    const [, , c] = m as [TestMember, TestMember, TestMember];
    const hold = (key: string, amount: string): Transfer => ({
      idempotencyKey: key,
      kind: 'withdrawal.hold',
      currency: 'MXN',
      pending: true,
      entries: [
        { account: { member: c.id }, amount: `-${amount}` },
        { account: { company: 'withdrawal_holds' }, amount },
      ],
    });
    expect((await failure(database.db.transaction((tx) => postTransfers(tx, [hold('b4-1', '10.00'), hold('b4-2', '5.01')]))))?.code).toBe('INSUFFICIENT_FUNDS');
    const [h1, h2] = await database.db.transaction((tx) => postTransfers(tx, [hold('b4-1', '10.00'), hold('b4-2', '5.00')]));
    expect([h1!.status, h2!.status]).toEqual(['pending', 'pending']);
    expect(await memberBalance(database.db, c.id)).toMatchObject({ balance: '15.00', held: '15.00', available: '0.00' });
    await database.db.transaction((tx) => postPending(tx, h1!.transactionId));
    expect(await memberBalance(database.db, c.id)).toMatchObject({ balance: '5.00', held: '5.00', available: '0.00' });
    expect(await ledgerMismatches(database.db)).toEqual([]);
  });

  it('bad input is a typed error naming the transfer, and nothing is written', async () => {
    const [a, , , us] = m as [TestMember, TestMember, TestMember, TestMember];
    const before = await count('ledger_transactions');
    expect(await failure(postTransfers(database.db, [credit('b5-1', a.id, '1.00'), credit('b5-1', a.id, '2.00')]))).toMatchObject({
      code: 'VALIDATION',
      details: { transfer: 1 },
    });
    expect(await failure(postTransfers(database.db, [credit('b5-2', a.id, '1.00'), credit('b5-3', a.id, '1.001')]))).toMatchObject({
      code: 'VALIDATION',
      details: { transfer: 1 },
    });
    // A US member's wallet is in dollars: a peso credit to it refuses the batch in the database.
    expect((await failure(postTransfers(database.db, [credit('b5-4', a.id, '1.00'), credit('b5-5', us.id, '1.00')])))?.code).toBe('VALIDATION');
    expect(await count('ledger_transactions')).toBe(before);
    // A key that is not text, as a caller without types could send it.
    const keyless: Transfer = { ...credit('x', a.id, '1.00'), ...JSON.parse('{"idempotencyKey": null}') };
    expect(await failure(postTransfers(database.db, [keyless]))).toMatchObject({ code: 'VALIDATION', details: { transfer: 0 } });
    expect(await postTransfers(database.db, [])).toEqual([]);
  });

  it('a wallet whose cache differs from its entries is not debited (ledger.drift)', async () => {
    const d = (await insertMembers(database.db, [{}]))[0]!;
    await postTransfer(database.db, credit('b6-0', d.id, '50.00'));
    const { accountId } = await memberBalance(database.db, d.id);
    await database.sql`update ledger_accounts set balance = balance + 1000 where id = ${accountId!}`;
    const got = await failure(postTransfers(database.db, [credit('b6-1', d.id, '1.00'), move('b6-2', d.id, m[0]!.id, '2.00')]));
    expect(got).toMatchObject({ code: 'CONFLICT', details: { accountId, rule: 'balance_differs_from_entries' } });
    await database.sql`update ledger_accounts set balance = balance - 1000 where id = ${accountId!}`;
  });
});

describe('property: a batch does what its transfers one by one in one transaction do', () => {
  it('random batches (credits, moves, holds, refused debits, replays) on twin wallets end equal', async () => {
    // Twin sets of wallets: set A posts one transfer at a time inside a transaction (rolled back at
    // the first refusal), set B the same batch through postTransfers. Same outcome, same balances.
    const A = await insertMembers(
      database.db,
      Array.from({ length: 5 }, () => ({})),
    );
    const B = await insertMembers(
      database.db,
      Array.from({ length: 5 }, () => ({})),
    );
    const cents = fc.integer({ min: 1, max: 300_00 }).map((c) => new Decimal(c).div(100).toFixed(2));
    const op = fc.oneof(
      fc.record({ t: fc.constant('credit' as const), m: fc.nat(4), a: cents }),
      fc.record({ t: fc.constant('move' as const), m: fc.nat(4), n: fc.nat(4), a: cents }),
      fc.record({ t: fc.constant('hold' as const), m: fc.nat(4), a: cents }),
      fc.record({ t: fc.constant('replay' as const), i: fc.nat() }),
    );
    let run = 0;
    let refused = 0;
    let posted = 0;
    const used: { A: Transfer; B: Transfer }[] = [];
    const make = (set: TestMember[], tag: string, o: typeof op extends fc.Arbitrary<infer T> ? T : never, k: number): Transfer | null => {
      const key = `sim${run}-${k}-${tag}`;
      if (o.t === 'credit') return credit(key, set[o.m]!.id, o.a);
      if (o.t === 'move') return o.m === o.n ? null : move(key, set[o.m]!.id, set[o.n]!.id, o.a);
      if (o.t === 'hold')
        return {
          idempotencyKey: key,
          kind: 'withdrawal.hold',
          currency: 'MXN',
          pending: true,
          entries: [
            { account: { member: set[o.m]!.id }, amount: `-${o.a}` },
            { account: { company: 'withdrawal_holds' }, amount: o.a },
          ],
        };
      return null;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        run++;
        const batchA: Transfer[] = [];
        const batchB: Transfer[] = [];
        for (const [k, o] of ops.entries()) {
          if (o.t === 'replay') {
            const u = used.length ? used[o.i % used.length]! : null;
            if (u && !batchA.some((t) => t.idempotencyKey === u.A.idempotencyKey)) {
              batchA.push(u.A);
              batchB.push(u.B);
            }
            continue;
          }
          const a = make(A, 'A', o, k);
          const b = make(B, 'B', o, k);
          if (a && b) {
            batchA.push(a);
            batchB.push(b);
          }
        }
        if (batchA.length === 0) return;
        const one = await failure(
          database.db.transaction(async (tx) => {
            for (const t of batchA) await postTransfer(tx, t);
          }),
        );
        const many = await failure(database.db.transaction((tx) => postTransfers(tx, batchB)));
        expect(many?.code ?? 'ok').toBe(one?.code ?? 'ok');
        if (one) refused++;
        else {
          posted += batchA.length;
          batchA.forEach((t, i) => used.push({ A: t, B: batchB[i]! }));
        }
        for (let i = 0; i < A.length; i++) {
          const [x, y] = [await memberBalance(database.db, A[i]!.id), await memberBalance(database.db, B[i]!.id)];
          expect({ balance: y.balance, held: y.held }).toEqual({ balance: x.balance, held: x.held });
        }
      }),
      { numRuns: 150, seed: 20261207 },
    );
    expect(refused).toBeGreaterThan(10);
    expect(posted).toBeGreaterThan(200);
    expect(await ledgerMismatches(database.db)).toEqual([]);
    expect(await unbalancedTransactions(database.db)).toEqual([]);
  });
});
