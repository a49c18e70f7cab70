import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/db';
import { insertMembers, type TestMember } from '../../../test/wallet-fixtures';
import { ledgerMismatches, memberBalance, postTransfer, voidPending, type Transfer } from './ledger';
import { AppError } from '../../../shared/errors';

// A wallet's check before a debit starts from its checkpoint (drizzle/0079): the entries up to it
// were summed once and never change, so the check reads only the entries after it.

let database: Awaited<ReturnType<typeof freshDatabase>>;
let w: TestMember;
let other: TestMember;
beforeAll(async () => {
  database = await freshDatabase({ max: 4 });
  [w, other] = (await insertMembers(database.db, [{}, {}])) as [TestMember, TestMember];
});
afterAll(async () => {
  await database.drop();
});

let n = 0;
const credit = (amount: string): Transfer => ({
  idempotencyKey: `cp-${++n}`,
  kind: 'commission',
  currency: 'MXN',
  entries: [
    { account: { company: 'commission_expense' }, amount: `-${amount}` },
    { account: { member: w.id }, amount },
  ],
});
const debit = (amount: string): Transfer => ({
  idempotencyKey: `cp-${++n}`,
  kind: 'adjustment',
  currency: 'MXN',
  entries: [
    { account: { member: w.id }, amount: `-${amount}` },
    { account: { member: other.id }, amount },
  ],
});
const hold = (amount: string): Transfer => ({ ...debit(amount), kind: 'withdrawal.hold', pending: true });
const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof AppError ? `${e.code} ${e.key ?? ''}`.trim() : String(e);
  }
};
async function checkpoint() {
  const { accountId } = await memberBalance(database.db, w.id);
  const [c] = await database.sql<{ through: string; balance: string }[]>`
    select through_entry::text as through, balance::text from ledger_wallet_checkpoints where account_id = ${accountId!}`;
  // What the entries up to it say, posted only.
  const [e] = c
    ? await database.sql<{ posted: string; pending: number }[]>`
        select coalesce(sum(e.amount) filter (where t.status = 'posted'), 0)::text as posted,
               count(*) filter (where t.status = 'pending')::int as pending
          from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
         where e.account_id = ${accountId!} and e.id <= ${c.through}::bigint`
    : [undefined];
  return { accountId: accountId!, through: c ? Number(c.through) : null, balance: c?.balance ?? null, entries: e };
}

describe('wallet checkpoints', () => {
  it('a debit folds the wallet’s settled entries into its checkpoint, which matches them', async () => {
    for (let i = 0; i < 12; i++) await postTransfer(database.db, credit('10.00'));
    expect((await checkpoint()).through).toBeNull();
    await postTransfer(database.db, debit('5.00'));
    const c = await checkpoint();
    expect(c.through).not.toBeNull();
    expect(c.balance).toBe('120.00');
    expect(c.entries).toEqual({ posted: '120.00', pending: 0 });
  });

  it('a checkpoint never passes an entry of a pending transaction; once it is voided the next checks move on', async () => {
    const before = await checkpoint();
    const h = await postTransfer(database.db, hold('15.00'));
    const [first] = await database.sql<{ id: string }[]>`
      select min(id)::text as id from ledger_entries where transaction_id = ${h.transactionId} and account_id = ${before.accountId}`;
    const holdEntry = first!.id;
    for (let i = 0; i < 10; i++) await postTransfer(database.db, credit('1.00'));
    await postTransfer(database.db, debit('1.00'));
    const held = await checkpoint();
    expect(held.through).toBeLessThan(Number(holdEntry));
    expect(held.entries!.pending).toBe(0);
    expect(held.entries!.posted).toBe(held.balance);
    await voidPending(database.db, h.transactionId);
    for (let i = 0; i < 8; i++) await postTransfer(database.db, credit('1.00'));
    await postTransfer(database.db, debit('1.00'));
    const after = await checkpoint();
    expect(after.through).toBeGreaterThan(Number(holdEntry));
    expect(after.entries!.posted).toBe(after.balance);
    expect(await memberBalance(database.db, w.id)).toMatchObject({ balance: '131.00', held: '0.00' });
    expect(await ledgerMismatches(database.db)).toEqual([]);
  });

  it('a checkpoint that disagrees with the cached balance stops debits (ledger.drift) until it is removed', async () => {
    const c = await checkpoint();
    await database.sql`update ledger_wallet_checkpoints set balance = balance + 50 where account_id = ${c.accountId}`;
    expect(await code(postTransfer(database.db, debit('1.00')))).toBe('CONFLICT ledger.drift');
    // A cache raised by the same amount agrees with the forged checkpoint, but not with the entries:
    // the full reconciliation still finds it.
    await database.sql`update ledger_accounts set balance = balance + 50 where id = ${c.accountId}`;
    expect((await ledgerMismatches(database.db)).map((m) => m.accountId)).toEqual([c.accountId]);
    await database.sql`update ledger_accounts set balance = balance - 50 where id = ${c.accountId}`;
    await database.sql`delete from ledger_wallet_checkpoints where account_id = ${c.accountId}`;
    expect(await code(postTransfer(database.db, debit('1.00')))).toBe('ok');
    const rebuilt = await checkpoint();
    expect(rebuilt.entries!.posted).toBe(rebuilt.balance);
  });
});
