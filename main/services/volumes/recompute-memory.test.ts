/**
 * The in-memory recomputation against the SQL one (its oracle) on generated networks: the same
 * member_volumes rows, the same period figures, whether the period starts empty (every row
 * copied in) or already holds rows (only the differences written, rows gone deleted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { insertMembers, insertPeriods, type TestMember } from '../../../test/network';
import { insertOrders, statsOf, volumesOf, type TestOrder } from '../../../test/small-network';
import { seeded } from '../../../test/seeded';
import { PLAN_V1 } from '../../domain/plan';
import { periodByKey } from '../periods/lookup';
import { recomputePeriod, type RecomputeResult } from './recompute';

let t: TestApp;
let periods: Map<string, number>;
const KEY = '2026-11';
const rnd = seeded(2026_12_06);

beforeAll(async () => {
  t = await testApp();
  // 1,200 members, each recruited by an earlier one (a few long chains, many wide sponsors); ids
  // start at 1 with gaps, so both a dense id table and holes are used.
  const list: TestMember[] = [];
  for (let id = 1; id <= 1_500; id++) {
    if (id > 1 && rnd.chance(0.2)) continue;
    const sponsor = list.length === 0 ? null : rnd.chance(0.3) ? list[list.length - 1]!.id : rnd.pick(list).id;
    list.push({ id, sponsorId: sponsor, firstName: 'Socio', lastName: String(id), careerRank: rnd.int(4) });
  }
  await insertMembers(t.database.sql, list);
  periods = await insertPeriods(t.database.sql, ['2026-10', KEY]);
  // Some members enrolled inside the period and one after it (members_new, members_total).
  await t.database.sql`update members set enrolled_at = '2026-11-15T12:00:00Z' where id % 97 = 0`;
  await t.database.sql`update members set enrolled_at = '2026-12-02T12:00:00Z' where id = ${list[list.length - 1]!.id}`;
  const orders: TestOrder[] = [];
  for (const m of list) {
    for (let k = rnd.int(3); k > 0; k--) {
      const usd = rnd.chance(0.15);
      orders.push({
        memberId: m.id,
        periodKey: rnd.chance(0.9) ? KEY : '2026-10',
        pv: `${rnd.int(6000)}.${rnd.digits(2)}`,
        vn: rnd.chance(0.2) ? '0' : `${rnd.int(4000)}.${rnd.digits(2)}`,
        status: rnd.pick(['paid', 'paid', 'paid', 'paid', 'refunded', 'pending'] as const),
        ...(usd ? { currency: 'USD' as const, country: 'US' as const } : {}),
      });
    }
  }
  await insertOrders(t.database.sql, periods, orders);
}, 120_000);
afterAll(async () => {
  await t.close();
});

async function run(way: 'memory' | 'sql'): Promise<RecomputeResult> {
  const p = (await periodByKey(t.database.db, KEY))!;
  return t.database.db.transaction((tx) => recomputePeriod(tx, p, PLAN_V1, { way }));
}

async function snapshot() {
  const id = periods.get(KEY)!;
  const [members] = await t.database.sql<{ members_total: number; members_new: number; max_member_id: string }[]>`
    select members_total, members_new, max_member_id::text from period_stats where period_id = ${id}`;
  return { volumes: await volumesOf(t.database.sql, id), stats: await statsOf(t.database.sql, id), members };
}

const figures = (r: RecomputeResult) => ({
  rows: r.rows,
  active: r.active,
  advancing: r.advancing,
  ordersPaid: r.ordersPaid,
  pv: r.pv,
  vnMxn: r.vnMxn,
  ranks: r.ranks,
});

describe('the in-memory recomputation equals the SQL one', () => {
  it('from an empty period (every row copied in), then again with nothing changed (nothing written)', async () => {
    const sqlWay = await run('sql');
    expect(sqlWay.method).toBe('prefix');
    const want = await snapshot();
    expect(Object.keys(want.volumes).length).toBeGreaterThan(500);
    expect(want.members!.members_new).toBeGreaterThan(5);

    await t.database.sql`delete from member_volumes where period_id = ${periods.get(KEY)!}`;
    await t.database
      .sql`update period_stats set members_total = 0, members_new = 0, members_active = 0, orders_paid = 0, pv = 0, vn_mxn = 0 where period_id = ${periods.get(KEY)!}`;
    await t.database.sql`delete from period_rank_counts where period_id = ${periods.get(KEY)!}`;
    const mem = await run('memory');
    expect(mem.method).toBe('memory');
    expect(mem.write).toBe('insert');
    expect(figures(mem)).toEqual(figures(sqlWay));
    expect(await snapshot()).toEqual(want);

    const [before] = await t.database.sql<{ max: string }[]>`select max(updated_at)::text as max from member_volumes where period_id = ${periods.get(KEY)!}`;
    const again = await run('memory');
    expect(again.write).toBe('merge');
    const [after] = await t.database.sql<{ max: string }[]>`select max(updated_at)::text as max from member_volumes where period_id = ${periods.get(KEY)!}`;
    expect(after!.max).toBe(before!.max);
    expect(await snapshot()).toEqual(want);
  });

  it('after refunds, new orders, a wrong cached row and a member moved: only the differences, the same result', async () => {
    const id = periods.get(KEY)!;
    await t.database.sql`update orders set status = 'refunded', refunded_at = payment_confirmed_at where period_id = ${id} and status = 'paid' and id % 7 = 0`;
    await insertOrders(t.database.sql, periods, [
      { memberId: 1, periodKey: KEY, pv: '123456.78', vn: '1.01' },
      { memberId: 2, periodKey: KEY, pv: '0', vn: '250.00', currency: 'USD', country: 'US' },
    ]);
    // A cached row nobody should keep and one with a wrong figure.
    await t.database.sql`insert into member_volumes (period_id, member_id, pv, vn, pvg, paid_as_rank) values (${id}, 999999, 1, 1, 1, 1)`;
    await t.database
      .sql`update member_volumes set pvg = pvg + 1 where period_id = ${id} and member_id = (select min(member_id) from member_volumes where period_id = ${id})`;
    // Moved under another sponsor: the in-memory way reads sponsor ids, the SQL way paths (both moved).
    const [leaf] = await t.database.sql<{ id: number; path: string }[]>`
      select m.id::int, p.path from members m join member_paths p on p.member_id = m.id
      where m.downline_size = 0 and m.id > 1000 and m.sponsor_id <> 2 order by m.id limit 1`;
    const [np] = await t.database.sql<{ path: string }[]>`select path from member_paths where member_id = 2`;
    const ancestors = (path: string) => path.split('/').filter(Boolean).map(Number);
    await t.database.sql`update members set downline_size = downline_size - 1 where id = any(${ancestors(leaf!.path).slice(0, -1)})`;
    await t.database.sql`update members set sponsor_id = 2 where id = ${leaf!.id}`;
    await t.database.sql`update member_paths set path = ${`${np!.path}${leaf!.id}/`}, depth = ${ancestors(np!.path).length} where member_id = ${leaf!.id}`;
    await t.database.sql`update members set downline_size = downline_size + 1 where id = any(${ancestors(np!.path)})`;

    const mem = await run('memory');
    expect(mem.write).toBe('merge');
    const got = await snapshot();
    expect(got.volumes[999999]).toBeUndefined();
    const sqlWay = await run('sql');
    expect(sqlWay.method).toBe('prefix');
    expect(figures(mem)).toEqual(figures(sqlWay));
    expect(got).toEqual(await snapshot());
  });
});
