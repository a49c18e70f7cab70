import type postgres from 'postgres';
import { insertMembers, insertPeriods, type TestMember } from './network';

/**
 * The network the members and genealogy tests share (≈ 300 members):
 * 1 root → 2 José Pérez García, 3 María José López Núñez; 2 → 4 Ana Ruiz, 5 Anahí Ibáñez; 4 → 6 José Luis Peña;
 * 3 → 7 Héctor Centro, a hub with 250 direct recruits (8..257; the first 30 are "Mariana Castillo Zúñiga");
 * 5 → 258 → 259 → … → 300, a deep leg. Periods 2026-09 and 2026-10 closed, 2026-11 open.
 * Volumes of 2026-11: PV 100 for every member whose id is a multiple of 3; PVG summed over paths.
 */
export const FIXTURE_NOW = new Date('2026-11-15T18:00:00Z');

export async function loadFixture(sql: postgres.Sql) {
  const list: TestMember[] = [
    { id: 1, sponsorId: null, firstName: 'Raíz', lastName: 'Empresa' },
    { id: 2, sponsorId: 1, firstName: 'José', lastName: 'Pérez García', email: 'jose.perez@example.com', phone: '+52 55 1234 5678' },
    { id: 3, sponsorId: 1, firstName: 'María José', lastName: 'López Núñez', email: 'mjlopez@example.com', phone: '(33) 8765-4321', country: 'MX' },
    { id: 4, sponsorId: 2, firstName: 'Ana', lastName: 'Ruiz', email: 'ana.ruiz@example.com', phone: '(213) 555-0199', country: 'US' },
    { id: 5, sponsorId: 2, firstName: 'Anahí', lastName: 'Ibáñez', phone: '+57 310 555 1234', country: 'CO', status: 'inactive' },
    { id: 6, sponsorId: 4, firstName: 'JOSÉ LUIS', lastName: 'Peña', careerRank: 2 },
    { id: 7, sponsorId: 3, firstName: 'Héctor', lastName: 'Centro', careerRank: 5 },
  ];
  for (let i = 8; i <= 257; i++) {
    list.push(
      i < 38 ? { id: i, sponsorId: 7, firstName: 'Mariana', lastName: 'Castillo Zúñiga' } : { id: i, sponsorId: 7, firstName: 'Pedro', lastName: `Ortiz ${i}` },
    );
  }
  for (let i = 258; i <= 300; i++) list.push({ id: i, sponsorId: i === 258 ? 5 : i - 1, firstName: 'Cadena', lastName: `Profunda ${i}` });
  const paths = await insertMembers(sql, list);
  const periods = await insertPeriods(sql, ['2026-09', '2026-10', '2026-11']);
  const open = periods.get('2026-11')!;
  await sql`
    insert into member_volumes (period_id, member_id, pv, vn, pvg, paid_as_rank)
    select ${open}, a.member_id, case when a.member_id % 3 = 0 then 100 else 0 end, 0,
      (select coalesce(sum(case when d.member_id % 3 = 0 then 100 else 0 end), 0) from member_paths d
        where d.path >= a.path and d.path < left(a.path, -1) || '0'),
      case when a.member_id % 3 = 0 then 1 else 0 end
    from member_paths a`;
  // The period's cached aggregates, as the volumes engine keeps them beside member_volumes.
  await sql`insert into period_stats (period_id, members_active, pv)
    select ${open}, count(*) filter (where pv > 0), coalesce(sum(pv), 0) from member_volumes where period_id = ${open}`;
  await sql`insert into period_rank_counts (period_id, rank, members)
    select ${open}, paid_as_rank, count(*) from member_volumes where period_id = ${open} and paid_as_rank > 0 group by paid_as_rank`;
  await sql`update members set status = 'suspended' where id = 9`;
  return { paths, periods, open };
}

/** path, depth and downline size of every member recomputed from sponsor ids alone (the oracle). */
export async function recomputedTree(sql: postgres.Sql) {
  return sql<{ id: string; path: string; depth: number; downline: number }[]>`
    with recursive t(id, path, depth) as (
      select id, (id::text || '/') collate "C", 0 from members where sponsor_id is null
      union all
      select m.id, (t.path || m.id::text || '/') collate "C", t.depth + 1 from members m join t on m.sponsor_id = t.id
    ), d as (
      select a.id, count(b.id)::int as downline from t a left join t b on b.path > a.path and b.path like a.path || '%' group by a.id
    )
    select t.id, t.path, t.depth, d.downline from t join d using (id) order by t.id`;
}
