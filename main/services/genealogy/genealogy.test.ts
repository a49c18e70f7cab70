import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { FIXTURE_NOW, loadFixture, recomputedTree } from '../../../test/network-fixture';
import { moveInPeriod } from './move';
import { confirmOrder } from '../orders/confirm';
import { pendingOrder } from '../../../test/small-network';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: () => FIXTURE_NOW });
  await loadFixture(t.database.sql);
});
afterAll(async () => {
  await t?.close();
});

/** The stored tree (path, depth, downline_size) must equal the one recomputed from sponsor ids. */
async function expectTreeConsistent() {
  const stored = await t.database.sql<{ id: string; path: string; depth: number; downline: number }[]>`
    select m.id, p.path, p.depth, m.downline_size as downline from members m left join member_paths p on p.member_id = m.id order by m.id`;
  const oracle = await recomputedTree(t.database.sql);
  expect(stored.length).toBe(oracle.length);
  expect(stored).toEqual(oracle);
}

/** Cached PVG of the open period must equal PV summed over each member's current downline. */
async function expectPvgConsistent() {
  const bad = await t.database.sql`
    select a.member_id, v.pvg, (select coalesce(sum(d.pv), 0) from member_paths m join member_volumes d on d.member_id = m.member_id and d.period_id = v.period_id
      where m.path >= a.path and m.path < left(a.path, -1) || '0') as expected
    from member_paths a join member_volumes v on v.member_id = a.member_id and v.period_id = (select id from periods where status = 'open')
    where v.pvg <> (select coalesce(sum(d.pv), 0) from member_paths m join member_volumes d on d.member_id = m.member_id and d.period_id = v.period_id
      where m.path >= a.path and m.path < left(a.path, -1) || '0')`;
  expect(bad).toEqual([]);
}

describe('genealogy reads', () => {
  it('the fixture itself is consistent', async () => {
    await expectTreeConsistent();
    await expectPvgConsistent();
  });

  it('a node: figures of the open period by default, upline, periods', async () => {
    const r = await t.must('genealogy.node', { memberId: 7 }, t.tokens.support);
    expect(r.period).toMatchObject({ key: '2026-11', status: 'open' });
    expect(r.periods.map((p) => p.key)).toEqual(['2026-11', '2026-10', '2026-09']);
    expect(r.node).toMatchObject({ id: 7, code: 'NN0000007', downlineSize: 250, careerRank: 5, pv: '0.00', active: false });
    // Multiples of 3 among 8..257 buy 100 PV each: 83 of them.
    expect(r.node.pvg).toBe('8300.00');
    expect(r.directRecruits).toBe(250);
    expect(r.upline.map((u) => u.id)).toEqual([1, 3]);
    const root = await t.must('genealogy.node', {}, t.tokens.finance);
    expect(root.node).toMatchObject({ id: 1, downlineSize: 299 });
    const old = await t.must('genealogy.node', { memberId: 7, periodKey: '2026-10' }, t.tokens.support);
    expect(old.node.pvg).toBe('0');
    const missing = await t.call('genealogy.node', { memberId: 7, periodKey: '2020-01' }, t.tokens.support);
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
    const unknown = await t.call('genealogy.node', { memberId: 123456 }, t.tokens.support);
    expect(!unknown.ok && unknown.error.code).toBe('NOT_FOUND');
  });

  it('children come in pages, with figures, in enrolment order or sorted', async () => {
    const p1 = await t.must('genealogy.children', { memberId: 7, pageSize: 100 }, t.tokens.support);
    expect(p1.total).toBe(250);
    expect(p1.rows).toHaveLength(100);
    expect(p1.rows[0]).toMatchObject({ id: 8, firstName: 'Mariana', depth: 3, downlineSize: 0 });
    expect(p1.rows.find((r) => r.id === 9)).toMatchObject({ pv: '100.00', pvg: '100.00', paidAsRank: 1, status: 'suspended', active: false });
    expect(p1.rows.find((r) => r.id === 12)).toMatchObject({ pv: '100.00', active: true });
    const p3 = await t.must('genealogy.children', { memberId: 7, pageSize: 100, page: 3 }, t.tokens.support);
    expect(p3.rows.map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, i) => 208 + i));
    const p4 = await t.must('genealogy.children', { memberId: 7, pageSize: 100, page: 4 }, t.tokens.support);
    expect(p4.rows).toEqual([]);
    const byDownline = await t.must('genealogy.children', { memberId: 2, sort: 'downline' }, t.tokens.support);
    expect(byDownline.rows.map((r) => [r.id, r.downlineSize])).toEqual([
      [5, 43],
      [4, 1],
    ]);
    const byPvg = await t.must('genealogy.children', { memberId: 1, sort: 'pvg' }, t.tokens.support);
    expect(byPvg.rows.map((r) => r.id)).toEqual([3, 2]);
    const leaf = await t.must('genealogy.children', { memberId: 300 }, t.tokens.support);
    expect(leaf).toMatchObject({ rows: [], total: 0 });
  });

  it('level view: members, active members and PV per level below the member', async () => {
    const r = await t.must('genealogy.levels', { memberId: 1 }, t.tokens.support);
    const [oracle] = await t.database.sql<{ levels: { level: number; members: number; active: number; pv: string }[] }[]>`
      select json_agg(x order by x.level) as levels from (
        select p.depth as level, count(*)::int as members,
          count(*) filter (where id % 3 = 0 and status <> 'suspended')::int as active,
          (sum(case when id % 3 = 0 then 100 else 0 end))::numeric(18,2)::text as pv
        from members m join member_paths p on p.member_id = m.id where p.depth > 0 group by p.depth) x`;
    expect(r.levels.map((l) => ({ ...l, pv: Number(l.pv).toFixed(2) }))).toEqual(oracle!.levels);
    expect(r.totalMembers).toBe(299);
    expect(r.levels).toHaveLength(Math.max(...r.levels.map((l) => l.level)));
    const hub = await t.must('genealogy.levels', { memberId: 7 }, t.tokens.support);
    expect(hub).toMatchObject({ totalMembers: 250, totalActive: 82, totalPv: '8300.00' });
    expect(hub.levels).toEqual([{ level: 1, members: 250, active: 82, pv: '8300.00' }]);
  });

  it("leg view: each direct recruit's leg with its PVG, members, active members (the tree's rule) and ranks", async () => {
    const r = await t.must('genealogy.legs', { memberId: 1 }, t.tokens.support);
    const kids = await t.must('genealogy.children', { memberId: 1, pageSize: 200 }, t.tokens.support);
    expect(r.legs.map((l) => l.recruit.id).sort((a, b) => a - b)).toEqual(kids.rows.map((k) => k.id).sort((a, b) => a - b));
    for (const leg of r.legs) {
      // Oracle: the recruit's subtree read from member_paths and members one by one, its PVG from the cache.
      const [o] = await t.database.sql<{ members: number; active: number; pv: string }[]>`
        select count(*)::int as members, count(*) filter (where coalesce(v.pv, 0) > 0 and m.status <> 'suspended')::int as active,
          coalesce(sum(v.pv), 0)::numeric(18,2)::text as pv
        from member_paths p join members m on m.id = p.member_id
        left join member_volumes v on v.member_id = m.id and v.period_id = (select id from periods where status = 'open')
        where p.path like (select path from member_paths where member_id = ${leg.recruit.id}) || '%'`;
      expect({ members: leg.members, active: leg.active, pv: Number(leg.pvg).toFixed(2) }).toEqual({ members: o!.members, active: o!.active, pv: o!.pv });
      expect(Number(leg.pvg).toFixed(2)).toBe(Number(leg.recruit.pvg).toFixed(2));
      expect(leg.ranks.reduce((a, x) => a + x.members, 0)).toBe(leg.members);
    }
    const levels = await t.must('genealogy.levels', { memberId: 1 }, t.tokens.support);
    expect(r.legs.reduce((a, l) => a + l.active, 0)).toBe(levels.totalActive);
    expect(Number(r.totalPvg).toFixed(2)).toBe(Number(levels.totalPv).toFixed(2));
    const leaf = await t.must('genealogy.legs', { memberId: 300 }, t.tokens.support);
    expect(leaf.legs).toEqual([]);
  });

  it('export pages walk the whole downline in tree order, member first', async () => {
    const rows: { id: number; level: number }[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await t.must('genealogy.exportPage', { memberId: 2, limit: 10, ...(cursor ? { cursor } : {}) }, t.tokens.support);
      expect(r.total).toBe(47);
      rows.push(...r.rows);
      cursor = r.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 100);
    expect(rows).toHaveLength(47);
    expect(rows[0]).toMatchObject({ id: 2, level: 0 });
    expect(new Set(rows.map((r) => r.id)).size).toBe(47);
    expect(rows.find((r) => r.id === 300)?.level).toBe(44);
    const foreign = await t.call('genealogy.exportPage', { memberId: 2, cursor: '1/3/' }, t.tokens.support);
    expect(!foreign.ok && foreign.error.code).toBe('VALIDATION');
  });
});

describe('genealogy.move', () => {
  const auditRows = async () => (await t.database.sql`select count(*)::int as n from audit_log where action = 'genealogy.move'`)[0]!.n as number;

  it('refuses a move into the own downline (cycle) or onto itself, changing nothing', async () => {
    for (const [memberId, newSponsorId] of [
      [2, 6],
      [2, 300],
      [5, 5],
      [1, 7],
    ]) {
      const r = await t.call('genealogy.move', { memberId, newSponsorId, reason: 'Prueba de ciclo' }, t.tokens.admin);
      expect(!r.ok && r.error.code, `${memberId} → ${newSponsorId}`).toBe('CONFLICT');
    }
    const same = await t.call('genealogy.move', { memberId: 4, newSponsorId: 2, reason: 'Mismo patrocinador' }, t.tokens.admin);
    expect(!same.ok && same.error.code).toBe('CONFLICT');
    expect(await auditRows()).toBe(0);
    await expectTreeConsistent();
  });

  it('refuses unknown members, a missing reason, and other roles', async () => {
    const r = await t.call('genealogy.move', { memberId: 999_999, newSponsorId: 2, reason: 'No existe el miembro' }, t.tokens.admin);
    expect(!r.ok && r.error.code).toBe('NOT_FOUND');
    const s = await t.call('genealogy.move', { memberId: 4, newSponsorId: 999_999, reason: 'No existe el patrocinador' }, t.tokens.admin);
    expect(!s.ok && s.error.code).toBe('NOT_FOUND');
    const noReason = await t.call('genealogy.move', { memberId: 4, newSponsorId: 3, reason: ' ' }, t.tokens.admin);
    expect(!noReason.ok && noReason.error.code).toBe('VALIDATION');
    const support = await t.call('genealogy.move', { memberId: 4, newSponsorId: 3, reason: 'Soporte no puede' }, t.tokens.support);
    expect(!support.ok && support.error.code).toBe('FORBIDDEN');
  });

  it('refuses when the current period is not open (PERIOD_CLOSED)', async () => {
    const sql = t.database.sql;
    await sql`update periods set status = 'closing' where key = '2026-11'`;
    try {
      const r = await t.call('genealogy.move', { memberId: 4, newSponsorId: 3, reason: 'Periodo en cierre' }, t.tokens.admin);
      expect(!r.ok && r.error.code).toBe('PERIOD_CLOSED');
    } finally {
      await sql`update periods set status = 'open' where key = '2026-11'`;
    }
    // A clock before the open period has started: nothing is being worked on yet.
    const earlier = await testApp({ now: () => new Date('2026-10-15T12:00:00Z') });
    try {
      await loadFixture(earlier.database.sql);
      const r = await earlier.call('genealogy.move', { memberId: 4, newSponsorId: 3, reason: 'Sin periodo en curso' }, earlier.tokens.admin);
      expect(!r.ok && r.error.code).toBe('PERIOD_CLOSED');
    } finally {
      await earlier.close();
    }
    expect(await auditRows()).toBe(0);
  });

  it('after the open period month has ended (not yet closed) a correction still applies to it', async () => {
    const later = await testApp({ now: () => new Date('2026-12-03T12:00:00Z') });
    try {
      await loadFixture(later.database.sql);
      const r = await later.must('genealogy.move', { memberId: 4, newSponsorId: 3, reason: 'Corrección antes del cierre' }, later.tokens.admin);
      expect(r.period).toMatchObject({ key: '2026-11', status: 'open' });
    } finally {
      await later.close();
    }
  });

  it('moves a member with its whole downline: paths, depths and downline sizes rewritten, audited', async () => {
    // 5 (Anahí, with the 43-deep leg below) from 2 to 12 (a recruit of the hub 7, under 3).
    // Row versions of members before the move: the subtree's rows must stay as they are (the move
    // rewrites member_paths; members gets the new sponsor of 5 and the ancestors' downline sizes).
    const versions = async () =>
      new Map((await t.database.sql<{ id: number; v: string }[]>`select id::int, xmin::text as v from members`).map((x) => [x.id, x.v]));
    const before = await versions();
    const r = await t.must('genealogy.move', { memberId: 5, newSponsorId: 12, reason: 'Alta registrada con el patrocinador equivocado' }, t.tokens.admin);
    const after = await versions();
    expect(
      [...after]
        .filter(([id, v]) => before.get(id) !== v)
        .map(([id]) => id)
        .sort((a, b) => a - b),
    ).toEqual([2, 3, 5, 7, 12]);
    // 258..300 buy 100 PV when the id is a multiple of 3: 258, 261, …, 300 → 15 of them.
    expect(r).toMatchObject({
      memberId: 5,
      oldSponsorId: 2,
      newSponsorId: 12,
      movedMembers: 44,
      oldPath: '1/2/5/',
      newPath: '1/3/7/12/5/',
      subtreePvg: '1500.00',
      period: { key: '2026-11' },
    });
    await expectTreeConsistent();
    await expectPvgConsistent();
    const [pvg2] = await t.database
      .sql`select pvg::text from member_volumes where member_id = 2 and period_id = (select id from periods where status = 'open')`;
    expect(pvg2!.pvg).toBe('100.00'); // José keeps 6 (JOSÉ LUIS Peña, 100 PV)
    const [pvg12] = await t.database
      .sql`select pvg::text, paid_as_rank from member_volumes where member_id = 12 and period_id = (select id from periods where status = 'open')`;
    // Its rank is re-evaluated with the plan (PV 100 is below the 1,465 of Visionario).
    expect(pvg12).toMatchObject({ pvg: '1600.00', paid_as_rank: 0 });
    const [m] = await t.database.sql`select sponsor_id::int as s, p.depth, p.path from members m join member_paths p on p.member_id = m.id where id = 300`;
    expect(m).toMatchObject({ s: 299, depth: 47, path: expect.stringMatching(/^1\/3\/7\/12\/5\/258\//) });
    const sizes = await t.database.sql<{ id: number; d: number }[]>`select id::int, downline_size as d from members where id in (1, 2, 3, 7, 12) order by id`;
    expect(sizes.map((x) => x.d)).toEqual([299, 2, 251 + 44, 250 + 44, 44]);

    const [audit] = await t.database.sql`select staff_username, entity, entity_id, reason, before, after from audit_log where action = 'genealogy.move'`;
    expect(audit).toMatchObject({
      staff_username: 'admin',
      entity: 'member',
      entity_id: '5',
      reason: 'Alta registrada con el patrocinador equivocado',
      before: { sponsorId: 2, path: '1/2/5/', depth: 2 },
      after: { sponsorId: 12, path: '1/3/7/12/5/', depth: 4, movedMembers: 44 },
    });
    const profile = await t.must('members.get', { id: 5 }, t.tokens.support);
    expect(profile.sponsor?.id).toBe(12);
    expect(profile.upline.map((u) => u.id)).toEqual([1, 3, 7, 12]);
    expect(profile.moves).toHaveLength(1);
    expect(profile.moves[0]).toMatchObject({ oldSponsor: { id: 2 }, newSponsor: { id: 12 }, movedMembers: 44, periodKey: '2026-11', staffUsername: 'admin' });

    // And back up the tree (a move to a shallower place, under a common ancestor).
    await t.must('genealogy.move', { memberId: 5, newSponsorId: 1, reason: 'Corrección: directo de la raíz' }, t.tokens.admin);
    await expectTreeConsistent();
    await expectPvgConsistent();
    expect(await auditRows()).toBe(2);
    // The move rewrote the search index too: the downline search follows the member.
    const found = await t.must('members.search', { q: 'nn0000300', withinMemberId: 1 }, t.tokens.support);
    expect(found.rows.map((x) => x.id)).toEqual([300]);
    const notUnder2 = await t.must('members.search', { q: 'nn0000300', withinMemberId: 2 }, t.tokens.support);
    expect(notUnder2.rows).toEqual([]);
  });

  it("an order confirmed while a move of its buyer's subtree commits counts for the new ancestors", async () => {
    // The move holds the open period's aggregates row until it commits; the confirmation waits for
    // it and must then use the buyer's NEW path (without the fix the old ancestors got the PVG).
    const [open] = await t.database.sql<{ id: number; starts_at: Date }[]>`select id, starts_at from periods where status = 'open'`;
    const [before] = await t.database.sql<{ sponsor: number }[]>`select sponsor_id::int as sponsor from members where id = 5`;
    const target = before!.sponsor === 12 ? 1 : 12;
    const orderId = await pendingOrder(t.database.sql, 300, '250');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let moved!: () => void;
    const movedNotCommitted = new Promise<void>((r) => {
      moved = r;
    });
    const move = t.database.db.transaction(async (tx) => {
      await moveInPeriod(tx, 5, target, { id: open!.id, startsAt: new Date(open!.starts_at) });
      moved();
      await gate;
    });
    await movedNotCommitted;
    let confirmed = false;
    const confirm = t.database.db
      .transaction((tx) => confirmOrder(tx, orderId, { confirmedAt: '2026-11-15T18:00:00Z', method: 'manual' }))
      .then((r) => {
        confirmed = true;
        return r;
      });
    await new Promise((r) => setTimeout(r, 300));
    expect(confirmed).toBe(false); // waiting for the move's lock on the period
    release();
    await move;
    const r = await confirm;
    expect(r).toMatchObject({ orderId, alreadyConfirmed: false });
    await expectTreeConsistent();
    await expectPvgConsistent();
  });
});
