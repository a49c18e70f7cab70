/**
 * Issue 17: the queue's count and totals come from withdrawal_totals (drizzle/0080), which
 * statement triggers keep by appending each statement's change and folding the table now and then.
 * Checked against the rows themselves: after random inserts, status / group / amount changes, no-op
 * updates, deletes and rolled-back transactions (the table folded many times on the way); with
 * transactions changing the same groups at once in opposite orders (appending never waits, so never
 * deadlocks); through totalsOf for every filter it answers from the kept totals; and on TRUNCATE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/db';
import { insertMembers } from '../../../test/wallet-fixtures';
import { seeded } from '../../../test/seeded';
import { Decimal } from '../../domain/money';
import { keptTotalsOf, summedTotalsOf, totalsAreKept, totalsOf, type QueueFilters } from './queue';

let d: Awaited<ReturnType<typeof freshDatabase>>;
let members: number[];
beforeAll(async () => {
  d = await freshDatabase({ max: 8 });
  members = (
    await insertMembers(
      d.db,
      Array.from({ length: 6 }, () => ({})),
    )
  ).map((m) => m.id);
}, 60_000);
afterAll(async () => {
  await d?.drop();
});

const { int, pick } = seeded(7261080);
const COUNTRIES = ['MX', 'US', 'CO', 'DO'] as const;
const CURRENCIES = ['MXN', 'USD', 'COP', 'DOP'] as const;
const MASKS = [0, 0, 0, 1, 2, 4, 8, 3, 10];

type Group = { status: string; country: string; currency: string; risk_mask: number; n: number; amount: string; fee: string; net: string };

const norm = (rows: Group[]) =>
  rows.map((r) => ({ ...r, n: Number(r.n), amount: new Decimal(r.amount).toFixed(2), fee: new Decimal(r.fee).toFixed(2), net: new Decimal(r.net).toFixed(2) }));

/** Count and sums per group, from the rows and from the kept totals. */
async function both() {
  const rows = await d.sql<Group[]>`
    select status::text, country, currency, risk_mask, count(*)::int as n, sum(amount)::text as amount, sum(fee)::text as fee, sum(net)::text as net
      from withdrawals group by 1, 2, 3, 4 order by 1, 2, 3, 4`;
  const kept = await d.sql<Group[]>`
    select status::text, country, currency, risk_mask, sum(n)::int as n, sum(amount)::text as amount, sum(fee)::text as fee, sum(net)::text as net
      from withdrawal_totals group by 1, 2, 3, 4 having sum(n) <> 0 order by 1, 2, 3, 4`;
  return { rows: norm(rows), kept: norm(kept) };
}

let keys = 0;
/** n withdrawals in one statement, each with its own hold transaction (the table's unique reference). */
async function insertSome(n: number, status: 'pending' | 'approved' | 'rejected' = 'pending') {
  const values = Array.from({ length: n }, () => {
    const cents = 1_000 + int(5_000_000);
    const fee = int(Math.min(cents - 1, 50_000));
    const amount = new Decimal(cents).div(100).toFixed(2);
    return {
      member: pick(members),
      country: pick(COUNTRIES),
      currency: pick(CURRENCIES),
      amount,
      fee: new Decimal(fee).div(100).toFixed(2),
      mask: pick(MASKS),
    };
  });
  const holds = await d.sql<{ id: string }[]>`
    insert into ledger_transactions (idempotency_key, body_hash, kind, currency, status)
    select 'totals-test:' || g, 'x', 'test.hold', 'MXN', 'pending' from generate_series(${keys + 1}::int, ${keys + n}::int) g
    returning id`;
  keys += n;
  const ids = holds.map((h) => h.id);
  await d.sql`
    insert into withdrawals (member_id, country, currency, amount, fee, net, status, source, risk_mask, hold_transaction_id,
                             approved_at, rejected_at, rejection_reason)
    select v.member, v.country, v.currency, v.amount, v.fee, v.amount - v.fee, ${status}::withdrawal_status, 'member_app', v.mask, v.hold,
           case when ${status} = 'approved' then now() end, case when ${status} = 'rejected' then now() end,
           case when ${status} = 'rejected' then 'prueba' end
      from jsonb_to_recordset(${JSON.stringify(values.map((v, i) => ({ ...v, hold: ids[i] })))}::jsonb)
           as v(member bigint, country char(2), currency char(3), amount numeric, fee numeric, mask smallint, hold bigint)`;
}

/** Up to n distinct withdrawals (of one status, if given), picked by the seeded source: the same on every run. */
async function someIds(n: number, status?: 'approved'): Promise<number[]> {
  const rows = await d.sql<{ id: string }[]>`
    select id from withdrawals where ${status ? d.sql`status = ${status}` : d.sql`true`} order by id`;
  const ids = rows.map((r) => Number(r.id));
  const out = new Set<number>();
  while (out.size < Math.min(n, ids.length)) out.add(pick(ids));
  return [...out];
}

describe('withdrawal_totals: the queue totals the database keeps', () => {
  it('equal the rows after 400 random statements, folding on the way', async () => {
    await insertSome(30);
    let appended = 0;
    for (let step = 1; step <= 400; step++) {
      const before = Number((await d.sql<{ n: string }[]>`select last_value as n from withdrawal_totals_id_seq`)[0]!.n);
      const op = int(10);
      if (op < 3) await insertSome(1 + int(5), pick(['pending', 'pending', 'approved', 'rejected'] as const));
      else if (op < 5) {
        // Back from approved to pending (the owner may; a final approval is four-eyes business, tested elsewhere).
        const ids = await someIds(1 + int(3), 'approved');
        await d.sql`update withdrawals set status = 'pending', approved_at = null where id = any(${ids})`;
      } else if (op < 6) {
        const ids = await someIds(1 + int(4));
        await d.sql`update withdrawals set risk_mask = ${pick(MASKS)}, country = ${pick(COUNTRIES)} where id = any(${ids})`;
      } else if (op < 7) {
        // Amounts change together (the row's check: net = amount − fee).
        const ids = await someIds(1 + int(2));
        await d.sql`update withdrawals set amount = amount + 1.05, net = net + 1.05 where id = any(${ids})`;
      } else if (op < 8) {
        // No group and no amount changes: nothing is appended.
        const ids = await someIds(3);
        await d.sql`update withdrawals set request_note = ${`nota ${step}`} where id = any(${ids})`;
        const after = Number((await d.sql<{ n: string }[]>`select last_value as n from withdrawal_totals_id_seq`)[0]!.n);
        expect(after, 'a note appends nothing').toBe(before);
      } else if (op < 9) {
        const ids = await someIds(1 + int(2));
        await d.sql`delete from withdrawals where id = any(${ids})`;
      } else {
        // Changes rolled back leave the totals as they were.
        const ids = await someIds(5);
        await d.sql
          .begin(async (tx) => {
            await tx`update withdrawals set amount = amount * 3, net = amount * 3 - fee where id = any(${ids})`;
            await tx`delete from withdrawals where id = any(${ids.slice(0, 2)})`;
            throw new Error('rollback');
          })
          .catch((e: Error) => {
            if (e.message !== 'rollback') throw e;
          });
      }
      const after = Number((await d.sql<{ n: string }[]>`select last_value as n from withdrawal_totals_id_seq`)[0]!.n);
      appended += after - before;
      if (step % 25 === 0) {
        const { rows, kept } = await both();
        expect(kept, `after step ${step}`).toEqual(rows);
      }
    }
    // Folded: far fewer rows than were ever appended; a fold comes past 200 rows and twice the groups
    // (plus what one statement appends: at most 10 rows here).
    const [left] = await d.sql<{ rows: number; groups: number }[]>`
      select count(*)::int as rows, count(distinct (status, country, currency, risk_mask))::int as groups from withdrawal_totals`;
    expect(appended).toBeGreaterThan(600);
    expect(left!.rows).toBeLessThan(appended / 2);
    expect(left!.rows).toBeLessThanOrEqual(Math.max(200, 2 * left!.groups) + 10);
  });

  it('never make two writers wait on each other: transactions changing the same groups in opposite orders all commit', async () => {
    await insertSome(60);
    const ids = await someIds(48);
    // Eight transactions, each moving six withdrawals to other groups one statement at a time with a
    // pause between, half of them in the reverse order: a shared total row per group would deadlock.
    const runs = Array.from({ length: 8 }, (_, k) => {
      const mine = ids.slice(k * 6, k * 6 + 6);
      const order = k % 2 ? [...mine].reverse() : mine;
      return d.sql.begin(async (tx) => {
        for (const id of order) {
          await tx`update withdrawals set country = ${COUNTRIES[k % 4]!}, risk_mask = ${k % 2 ? 1 : 2} where id = ${id}`;
          await tx`select pg_sleep(0.01)`;
        }
      });
    });
    const outcome = await Promise.allSettled(runs);
    expect(outcome.filter((o) => o.status === 'rejected')).toEqual([]);
    const { rows, kept } = await both();
    expect(kept).toEqual(rows);
  });

  it('answer exactly as summing the rows does, for every filter they can answer; any other filter fails loudly on them', async () => {
    const filters: QueueFilters[] = [{}, { risk: 'any' }, { risk: 'none' }, { risk: 'frequent' }, { risk: 'large' }, { risk: 'no_history' }];
    for (const status of ['pending', 'approved', 'rejected'] as const) filters.push({ status }, { status, risk: 'any' });
    for (const country of COUNTRIES) filters.push({ country }, { country, status: 'pending' });
    for (const currency of CURRENCIES) filters.push({ currency }, { currency, country: pick(COUNTRIES), risk: 'none' });
    for (const f of filters) {
      expect(totalsAreKept(f)).toBe(true);
      expect(await keptTotalsOf(d.db, f), JSON.stringify(f)).toEqual(await summedTotalsOf(d.db, f));
    }
    expect((await totalsOf(d.db, {})).reduce((s, t) => s + t.count, 0)).toBe(
      Number((await d.sql<{ n: string }[]>`select count(*) as n from withdrawals`)[0]!.n),
    );
    // The kept table holds sums under amount/fee/net: a filter on a row's own column must not read them.
    for (const f of [{ minAmount: '10' }, { from: '2000-01-01T00:00:00.000Z' }, { memberId: members[0]! }, { ids: [1] }] as QueueFilters[]) {
      expect(totalsAreKept(f), JSON.stringify(f)).toBe(false);
      await expect(keptTotalsOf(d.db, f), JSON.stringify(f)).rejects.toThrow();
    }
  });

  it('with more than 200 groups, fold only once the rows are twice the groups, not on every statement', async () => {
    await d.sql`truncate withdrawals cascade`;
    for (const status of ['pending', 'approved', 'rejected'] as const) await insertSome(600, status);
    const count = async () =>
      (
        await d.sql<{ rows: number; groups: number }[]>`
          select count(*)::int as rows, count(distinct (status, country, currency, risk_mask))::int as groups from withdrawal_totals`
      )[0]!;
    const start = await count();
    expect(start.groups).toBeGreaterThan(250);
    for (let i = 0; i < 60; i++) await insertSome(1);
    const grown = await count();
    expect(grown.rows, 'no fold yet: one row appended per statement').toBe(start.rows + 60);
    // One statement that changes every group appends a row to each: past twice the groups, it folds.
    await d.sql`update withdrawals set amount = amount + 0.01, net = net + 0.01`;
    const folded = await count();
    expect(folded.rows).toBe(folded.groups);
    const { rows, kept } = await both();
    expect(kept).toEqual(rows);
  });

  it('are emptied with the table', async () => {
    await d.sql`truncate withdrawals cascade`;
    expect(await d.sql`select * from withdrawal_totals`).toEqual([]);
    await insertSome(3);
    const { rows, kept } = await both();
    expect(kept).toEqual(rows);
  });
});
