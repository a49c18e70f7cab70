import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDatabase } from '../../../test/db';
import { clientOf } from '../../db/client';
import { creditCommission, insertMembers, type TestMember } from '../../../test/wallet-fixtures';
import { ledgerMismatches, memberBalance, memberWallet, pgError, unbalancedTransactions } from './ledger';
import { postWalletCredits } from './bulk';
import { resetDemoData } from '../../cli/seed';

/**
 * The ledger's references (account → member, account → currency, entry → account in its currency,
 * entry → transaction) are checked once per statement by triggers (drizzle/0033), not by per-row
 * foreign keys; the errors are the foreign keys' own: SQLSTATE 23503 and the same constraint names.
 */
let database: Awaited<ReturnType<typeof freshDatabase>>;
let mx: TestMember[];
beforeAll(async () => {
  database = await freshDatabase({ max: 4 });
  mx = await insertMembers(database.db, [{}, {}, {}]);
});
afterAll(async () => {
  await database.drop();
});

/** The SQLSTATE and constraint of a failure ('ok' when it did not fail). */
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const err = pgError(e);
    return `${err.code ?? String(e)} ${err.constraint_name ?? ''}`.trim();
  }
};
const run = (q: string, params: unknown[] = []) => database.sql.unsafe(q, params as never[]);
const count = async (table: string) => Number((await run(`select count(*)::int as n from ${table}`))[0]!.n);
const one = async <T>(q: string, params: unknown[] = []) => (await run(q, params))[0] as T;

const MEMBER_FK = '23503 ledger_accounts_member_id_members_id_fk';
const CURRENCY_FK = '23503 ledger_accounts_currency_currencies_code_fk';
const ACCOUNT_FK = '23503 ledger_entries_account_currency_fk';
const TX_FK = '23503 ledger_entries_transaction_id_ledger_transactions_id_fk';

let txSeq = 0;
/** A posted transaction row (no entries yet) in MXN. */
async function newTransaction(): Promise<number> {
  const r = await one<{ id: string }>(
    `insert into ledger_transactions (idempotency_key, body_hash, kind, currency, status)
    values ($1, 'x', 'adjustment', 'MXN', 'posted') returning id`,
    [`test.references:${++txSeq}`],
  );
  return Number(r.id);
}
/** A company account (adjustments, MXN) at the given slot. */
async function companyAccount(slot: number, currency = 'MXN'): Promise<number> {
  const r = await one<{ id: string }>(`insert into ledger_accounts (kind, currency, slot) values ('adjustments', $1, $2) returning id`, [currency, slot]);
  return Number(r.id);
}

describe('the four foreign keys are gone, replaced by statement-level triggers', () => {
  it('no foreign key is left on ledger_accounts / ledger_entries, and no trigger fires on a balance update', async () => {
    const fks = await run(`select conname from pg_constraint where conrelid in ('ledger_accounts'::regclass, 'ledger_entries'::regclass) and contype = 'f'`);
    expect(fks).toEqual([]);
    // Every UPDATE trigger on ledger_accounts has a column list without the cached figures.
    const updateTriggers = await run(`
      select t.tgname, array(select a.attname::text from unnest(t.tgattr) k join pg_attribute a on a.attrelid = t.tgrelid and a.attnum = k order by 1) as cols
      from pg_trigger t where t.tgrelid = 'ledger_accounts'::regclass and not t.tgisinternal and (t.tgtype & 16) <> 0`);
    expect(updateTriggers.length).toBeGreaterThan(0);
    for (const t of updateTriggers) {
      expect(t.cols.length).toBeGreaterThan(0);
      expect(t.cols).not.toContain('balance');
      expect(t.cols).not.toContain('pending_in');
      expect(t.cols).not.toContain('pending_out');
    }
  });
});

describe('ledger_accounts → members, currencies', () => {
  it('a wallet for a missing member or an account in an unknown currency is refused (23503, the old constraint names)', async () => {
    const before = await count('ledger_accounts');
    expect(await failure(run(`insert into ledger_accounts (kind, member_id, currency) values ('member_wallet', 123456789, 'MXN')`))).toBe(MEMBER_FK);
    expect(await failure(run(`insert into ledger_accounts (kind, currency, slot) values ('adjustments', 'XXX', 0)`))).toBe(CURRENCY_FK);
    expect(await failure(run(`insert into ledger_accounts (kind, member_id, currency) values ('member_wallet', $1, 'ZZZ')`, [mx[2]!.id]))).toBe(CURRENCY_FK);
    expect(await count('ledger_accounts')).toBe(before);
    // The message says what is missing.
    const err = await run(`insert into ledger_accounts (kind, member_id, currency) values ('member_wallet', 123456789, 'MXN')`).catch((e) => e);
    expect(String(err.message)).toContain('ledger_accounts_member_id_members_id_fk');
    expect(String(err.detail)).toContain('(member_id)=(123456789)');
  });

  it('one bad row among thousands refuses the whole statement', async () => {
    const before = await count('ledger_accounts');
    // 3,000 company accounts and one in an unknown currency.
    expect(
      await failure(
        run(`insert into ledger_accounts (kind, currency, slot)
      select 'adjustments', case when g = 1777 then 'XXX' else 'MXN' end, 1000 + g from generate_series(1, 3000) g`),
      ),
    ).toBe(CURRENCY_FK);
    // Wallets for the test members and one member that does not exist.
    expect(
      await failure(
        run(
          `insert into ledger_accounts (kind, member_id, currency)
      select 'member_wallet', m, 'MXN' from unnest($1::bigint[]) m`,
          [[mx[0]!.id, mx[1]!.id, 987654321, mx[2]!.id]],
        ),
      ),
    ).toBe(MEMBER_FK);
    // Over 1,000 rows the check is planned for the statement's size (0034): still refused.
    expect(
      await failure(
        run(`insert into ledger_accounts (kind, member_id, currency)
      select 'member_wallet', 900000000 + g, 'MXN' from generate_series(1, 1500) g`),
      ),
    ).toBe(MEMBER_FK);
    expect(await count('ledger_accounts')).toBe(before);
    // The same thousands without the bad row pass.
    expect(await failure(run(`insert into ledger_accounts (kind, currency, slot) select 'adjustments', 'MXN', 1000 + g from generate_series(1, 3000) g`))).toBe(
      'ok',
    );
    expect(await count('ledger_accounts')).toBe(before + 3000);
  });

  it('an account never changes its id, kind, member or currency; balance updates are not concerned', async () => {
    await creditCommission(database.db, mx[0]!.id, 'MXN', '10.00');
    const id = (await memberWallet(database.db, mx[0]!.id)).accountId;
    const immutable = '23514 ledger_accounts_immutable';
    expect(await failure(run(`update ledger_accounts set member_id = $2 where id = $1`, [id, mx[1]!.id]))).toBe(immutable);
    expect(await failure(run(`update ledger_accounts set currency = 'USD' where id = $1`, [id]))).toBe(immutable);
    expect(await failure(run(`update ledger_accounts set kind = 'adjustments', member_id = null where id = $1`, [id]))).toBe(immutable);
    expect(await failure(run(`update ledger_accounts set id = id + 1000000 where id = $1`, [id]))).toBe(immutable);
    // Setting a column to its own value is not a change.
    expect(await failure(run(`update ledger_accounts set member_id = member_id, currency = currency, kind = kind where id = $1`, [id]))).toBe('ok');
    expect(await failure(run(`update ledger_accounts set updated_at = now() where id = $1`, [id]))).toBe('ok');
    expect(await ledgerMismatches(database.db)).toEqual([]);
  });

  it('a member with a wallet, or a currency in use, cannot be deleted, truncated or re-keyed', async () => {
    const m = mx[0]!;
    expect(
      await failure(
        database.db.transaction(async (tx) => {
          await tx.execute(sql`delete from member_paths where member_id = ${m.id}`);
          await tx.execute(sql`delete from members where id = ${m.id}`);
        }),
      ),
    ).toBe(MEMBER_FK);
    expect(await failure(run(`update members set id = id + 1000000 where id = $1`, [m.id]))).toBe(MEMBER_FK);
    expect(await failure(run(`delete from currencies where code = 'MXN'`))).toMatch(/^23503 /);
    expect(await failure(run(`update currencies set code = 'MXX' where code = 'MXN'`))).toMatch(/^23503 /);
    expect(await failure(run(`truncate members cascade`))).toBe(`0A000 ledger_accounts_member_id_members_id_fk`);
    expect(await failure(run(`truncate currencies cascade`))).toMatch(/^0A000 ledger_accounts_/);
    expect(await one<{ n: number }>(`select count(*)::int as n from members where id = $1`, [m.id])).toEqual({ n: 1 });
    // A member without a wallet may still go.
    const [loose] = await insertMembers(database.db, [{}]);
    await run(`delete from member_paths where member_id = $1`, [loose!.id]);
    expect(await failure(run(`delete from members where id = $1`, [loose!.id]))).toBe('ok');
  });
});

describe('ledger_entries → ledger_accounts (id, currency), ledger_transactions', () => {
  it('an entry on a missing account, on an account in another currency or of a missing transaction is refused', async () => {
    const a = await companyAccount(7001);
    const b = await companyAccount(7002);
    const usd = await companyAccount(7003, 'USD');
    const t = await newTransaction();
    const entries = await count('ledger_entries');
    // The values are the test's own numbers and currency codes.
    const insert = (rows: [number, number, string, string][]) =>
      run(`insert into ledger_entries (transaction_id, account_id, currency, amount, kind)
      values ${rows.map(([tx, acc, cur, x]) => `(${tx}, ${acc}, '${cur}', ${x}, 'adjustment')`).join(', ')}`);
    expect(
      await failure(
        insert([
          [t, a, 'MXN', '-5.00'],
          [t, 99999999, 'MXN', '5.00'],
        ]),
      ),
    ).toBe(ACCOUNT_FK);
    expect(
      await failure(
        insert([
          [t, a, 'MXN', '-5.00'],
          [t, usd, 'MXN', '5.00'],
        ]),
      ),
    ).toBe(ACCOUNT_FK);
    expect(
      await failure(
        insert([
          [t, a, 'MXN', '-5.00'],
          [t, b, 'USD', '5.00'],
        ]),
      ),
    ).toBe(ACCOUNT_FK);
    expect(
      await failure(
        insert([
          [99999999, a, 'MXN', '-5.00'],
          [99999999, b, 'MXN', '5.00'],
        ]),
      ),
    ).toBe(TX_FK);
    expect(await count('ledger_entries')).toBe(entries);
    // The same entries with their references right pass (the balance and cached figures aside).
    expect(
      await failure(
        insert([
          [t, a, 'MXN', '-5.00'],
          [t, b, 'MXN', '5.00'],
        ]),
      ),
    ).toBe('ok');
    expect(await count('ledger_entries')).toBe(entries + 2);
    // An account with entries cannot be deleted or truncated; a transaction cannot be re-keyed or truncated.
    expect(await failure(run(`delete from ledger_accounts where id = $1`, [a]))).toBe(ACCOUNT_FK);
    expect(await failure(run(`truncate ledger_accounts cascade`))).toBe(`0A000 ledger_entries_account_currency_fk`);
    expect(await failure(run(`truncate ledger_transactions cascade`))).toBe(`0A000 ledger_entries_transaction_id_ledger_transactions_id_fk`);
    expect(await failure(run(`update ledger_transactions set id = id + 1000000 where id = $1`, [t]))).toMatch(/^23/);
    // An account without entries may be deleted.
    const spare = await companyAccount(7004);
    expect(await failure(run(`delete from ledger_accounts where id = $1`, [spare]))).toBe('ok');
  });

  it('one bad entry among thousands refuses the whole statement', async () => {
    const t = await newTransaction();
    const accounts = await run(
      `insert into ledger_accounts (kind, currency, slot) select 'adjustments', 'MXN', 20000 + g from generate_series(1, 2000) g returning id`,
    );
    const ids = accounts.map((r) => Number(r.id));
    const entries = await count('ledger_entries');
    // +1.00 on 2,000 accounts, −2,000.00 on the first; one of the +1.00 goes to a missing account.
    const bulk = (bad: boolean) =>
      run(
        `insert into ledger_entries (transaction_id, account_id, currency, amount, kind)
      select $1::bigint, case when $3::boolean and i = 1234 then 88888888 else a end, 'MXN', 1.00, 'adjustment' from unnest($2::bigint[]) with ordinality u(a, i)
      union all select $1::bigint, $4::bigint, 'MXN', -2000.00, 'adjustment'`,
        [t, ids, bad, ids[0]],
      );
    expect(await failure(bulk(true))).toBe(ACCOUNT_FK);
    expect(await count('ledger_entries')).toBe(entries);
    expect(await failure(bulk(false))).toBe('ok');
    expect(await count('ledger_entries')).toBe(entries + 2001);
  });
});

describe('the ledger paths still work', () => {
  it('ledger_post (postTransfer) and postWalletCredits post as before', async () => {
    const r = await creditCommission(database.db, mx[1]!.id, 'MXN', '25.00');
    expect(r.status).toBe('posted');
    expect((await memberBalance(database.db, mx[1]!.id)).balance).toBe('25.00');
    const [fresh] = await insertMembers(database.db, [{}]);
    const paid = await database.db.transaction(async (tx) => {
      const c = clientOf(tx);
      await c.unsafe('create temp table credits (currency char(3), member_id bigint, amount numeric) on commit drop');
      await c.unsafe('insert into credits values ($1, $2, $3), ($1, $4, $5)', ['MXN', mx[1]!.id, '5.00', fresh!.id, '7.50']);
      return postWalletCredits(tx, {
        source: 'credits',
        keyPrefix: 'test.references:bulk',
        kind: 'commission',
        company: 'commission_expense',
        periodId: null,
        at: new Date('2026-11-30T12:00:00Z'),
        reference: { test: true },
        blockShift: 30,
      });
    });
    expect(paid.totals).toEqual({ MXN: '12.50' });
    expect((await memberBalance(database.db, mx[1]!.id)).balance).toBe('30.00');
    expect((await memberBalance(database.db, fresh!.id)).balance).toBe('7.50');
    expect(await unbalancedTransactions(database.db)).toEqual([]);
  });
});

describe('emptying the demo data', () => {
  it('truncating the referenced tables together with the ledger passes; --reset empties members and the ledger', async () => {
    // In one statement the checks run after every named table is empty.
    expect(
      await failure(
        database.db.transaction(async (tx) => {
          await tx.execute(sql`truncate members, ledger_accounts, ledger_transactions, ledger_entries cascade`);
          throw new Error('rollback');
        }),
      ),
    ).toBe('Error: rollback');
    expect(await count('ledger_accounts')).toBeGreaterThan(0);
    await resetDemoData(database.sql, () => {});
    expect(await count('members')).toBe(0);
    expect(await count('ledger_accounts')).toBe(0);
    expect(await count('ledger_entries')).toBe(0);
    expect(await count('ledger_transactions')).toBe(0);
  });
});
