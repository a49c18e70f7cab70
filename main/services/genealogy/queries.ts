import type postgres from 'postgres';
import { AppError } from '../../../shared/errors';
import type { PeriodRef } from '../../../shared/contract/members';
import type { ExportRow, TreeNode } from '../../../shared/contract/genealogy';
import { pathUpperBound } from '../members/search';
import { Decimal } from '../../domain/money';

/**
 * Genealogy reads. The tree is path enumeration (docs/architecture.md): children are the
 * (sponsor_id, id) index of members, a downline is one range of the path index of member_paths
 * (joined to members by id), and the figures of a period come from the caches:
 * members.downline_size and member_volumes (pv, pvg, paid_as_rank).
 * Nothing here walks the tree member by member.
 */

export interface PeriodRow extends PeriodRef {
  startsAt: Date;
  endsAt: Date;
}

export async function listPeriods(sql: postgres.Sql): Promise<PeriodRow[]> {
  const rows = await sql<{ id: number; key: string; status: PeriodRef['status']; starts_at: Date; ends_at: Date }[]>`
    select id, key, status, starts_at, ends_at from periods order by starts_at desc`;
  return rows.map((r) => ({ id: r.id, key: r.key, status: r.status, startsAt: r.starts_at, endsAt: r.ends_at }));
}

/** The period asked for; by default the open one, else the latest; null when there are none yet. */
export async function resolvePeriod(sql: postgres.Sql, key?: string): Promise<PeriodRef | null> {
  if (key) {
    const [p] = await sql<PeriodRef[]>`select id, key, status from periods where key = ${key}`;
    if (!p) throw AppError.of('NOT_FOUND', 'period.notFound', { period: key });
    return { id: p.id, key: p.key, status: p.status };
  }
  const [p] = await sql<PeriodRef[]>`
    select id, key, status from periods order by (status = 'open') desc, starts_at desc limit 1`;
  return p ? { id: p.id, key: p.key, status: p.status } : null;
}

/** Columns of a tree node; the query joins `member_paths p` (depth) and `member_volumes v`. */
export const NODE_COLUMNS = `m.id, m.code, m.first_name, m.last_name, m.country, m.status, p.depth, m.career_rank, m.downline_size,
  coalesce(v.pv, 0) as pv, coalesce(v.pvg, 0) as pvg, coalesce(v.paid_as_rank, 0) as paid_as_rank`;

export interface NodeRow {
  id: string;
  code: string;
  first_name: string;
  last_name: string;
  country: string;
  status: string;
  depth: number;
  career_rank: number;
  downline_size: number;
  pv: string;
  pvg: string;
  paid_as_rank: number;
}

/**
 * "Active" has one meaning everywhere (tree badge, legend, level view, legs): bought in the period
 * (PV > 0) and not suspended. In SQL over `v` (member_volumes) and `d` (members).
 */
export const ACTIVE_SQL = `coalesce(v.pv, 0) > 0 and d.status <> 'suspended'`;
// PV is a decimal like money: compared as a decimal, never through a JS number.
export const isActive = (status: string, pv: string) => status !== 'suspended' && new Decimal(pv).gt(0);

export const toNode = (r: NodeRow): TreeNode => ({
  id: Number(r.id),
  code: r.code,
  firstName: r.first_name,
  lastName: r.last_name,
  country: r.country as TreeNode['country'],
  status: r.status as TreeNode['status'],
  depth: r.depth,
  careerRank: r.career_rank,
  paidAsRank: r.paid_as_rank,
  pv: String(r.pv),
  pvg: String(r.pvg),
  active: isActive(r.status, String(r.pv)),
  downlineSize: r.downline_size,
});

export interface MemberCore {
  id: number;
  path: string;
  depth: number;
  downlineSize: number;
  sponsorId: number | null;
}

export async function memberCore(sql: postgres.Sql, id: number): Promise<MemberCore> {
  const [m] = await sql<{ id: string; path: string; depth: number; downline_size: number; sponsor_id: string | null }[]>`
    select m.id, p.path, p.depth, m.downline_size, m.sponsor_id from members m join member_paths p on p.member_id = m.id where m.id = ${id}`;
  if (!m) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId: id });
  return { id: Number(m.id), path: m.path, depth: m.depth, downlineSize: m.downline_size, sponsorId: m.sponsor_id == null ? null : Number(m.sponsor_id) };
}

/**
 * Ancestors from the root down to the direct sponsor, read by the ids of the path (primary-key
 * lookups); an ancestor's depth is its position in the path (the root's is 0).
 */
export async function upline(sql: postgres.Sql, path: string) {
  const ids = path.split('/').filter(Boolean).slice(0, -1).map(Number);
  if (ids.length === 0) return [];
  const rows = await sql<{ id: string; code: string; first_name: string; last_name: string }[]>`
    select id, code, first_name, last_name from members where id = any(${ids}::bigint[])`;
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return ids.flatMap((id, depth) => {
    const r = byId.get(id);
    return r ? [{ id, code: r.code, firstName: r.first_name, lastName: r.last_name, depth }] : [];
  });
}

export async function node(sql: postgres.Sql, memberId: number, period: PeriodRef | null): Promise<TreeNode> {
  const [r] = await sql<NodeRow[]>`
    select ${sql.unsafe(NODE_COLUMNS)} from members m join member_paths p on p.member_id = m.id
    left join member_volumes v on v.period_id = ${period?.id ?? -1} and v.member_id = m.id
    where m.id = ${memberId}`;
  if (!r) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId });
  return toNode(r);
}

/** The root of the network (no sponsor; the biggest one if there were several). */
export async function rootMember(sql: postgres.Sql): Promise<number> {
  const [r] = await sql<{ id: string }[]>`select id from members where sponsor_id is null order by downline_size desc, id limit 1`;
  if (!r) throw AppError.of('NOT_FOUND', 'genealogy.noMembers');
  return Number(r.id);
}

export async function directRecruits(sql: postgres.Sql, memberId: number): Promise<number> {
  const [c] = await sql<{ n: number }[]>`select count(*)::int as n from members where sponsor_id = ${memberId}`;
  return c?.n ?? 0;
}

export type ChildSort = 'enrolled' | 'downline' | 'pvg';

/** One page of direct recruits with their figures: the (sponsor_id, id) index, one join per row. */
export async function children(sql: postgres.Sql, memberId: number, period: PeriodRef | null, opts: { sort: ChildSort; page: number; pageSize: number }) {
  const order =
    opts.sort === 'downline'
      ? sql`order by m.downline_size desc, m.id`
      : opts.sort === 'pvg'
        ? sql`order by coalesce(v.pvg, 0) desc, m.id`
        : sql`order by m.id`;
  const [rows, total] = await Promise.all([
    sql<NodeRow[]>`
      select ${sql.unsafe(NODE_COLUMNS)} from members m join member_paths p on p.member_id = m.id
      left join member_volumes v on v.period_id = ${period?.id ?? -1} and v.member_id = m.id
      where m.sponsor_id = ${memberId}
      ${order} limit ${opts.pageSize} offset ${(opts.page - 1) * opts.pageSize}`,
    directRecruits(sql, memberId),
  ]);
  return { rows: rows.map(toNode), total };
}

/** Per level below the member: members, active members (PV > 0) and PV; one range scan of the path index. */
export async function levels(sql: postgres.Sql, m: MemberCore, period: PeriodRef | null) {
  const rows = await sql<{ level: number; members: number; active: number; pv: string }[]>`
    select p.depth - ${m.depth} as level, count(*)::int as members,
      count(*) filter (where ${sql.unsafe(ACTIVE_SQL)})::int as active, coalesce(sum(v.pv), 0) as pv
    from member_paths p
    join members d on d.id = p.member_id
    left join member_volumes v on v.period_id = ${period?.id ?? -1} and v.member_id = p.member_id
    where p.path > ${m.path} and p.path < ${pathUpperBound(m.path)}
    group by 1 order by 1`;
  return rows.map((r) => ({ level: r.level, members: r.members, active: r.active, pv: String(r.pv) }));
}

/**
 * A member's legs: the downline grouped by the direct recruit it hangs from (the path's component
 * right after the member's own), with PV summed in SQL numeric, active members by the one rule
 * (ACTIVE_SQL) and members per paid-as rank; one range scan of the path index, like the level view.
 */
export async function legs(sql: postgres.Sql, m: MemberCore, period: PeriodRef | null) {
  const rows = await sql<{ leg: string; members: number; active: number; pv: string; total: string; ranks: Record<string, number> }[]>`
    select leg, sum(members)::int as members, sum(active)::int as active, sum(pv)::text as pv,
      (sum(sum(pv)) over ())::text as total, json_object_agg(rank, members) as ranks
    from (
      select split_part(p.path, '/', ${m.depth + 2})::bigint as leg, coalesce(v.paid_as_rank, 0)::int as rank, count(*) as members,
        count(*) filter (where ${sql.unsafe(ACTIVE_SQL)}) as active, coalesce(sum(v.pv), 0) as pv
      from member_paths p
      join members d on d.id = p.member_id
      left join member_volumes v on v.period_id = ${period?.id ?? -1} and v.member_id = p.member_id
      where p.path > ${m.path} and p.path < ${pathUpperBound(m.path)}
      group by 1, 2
    ) x
    group by leg`;
  const byLeg = new Map(
    rows.map((r) => [
      Number(r.leg),
      {
        members: r.members,
        active: r.active,
        pv: r.pv,
        ranks: Object.entries(r.ranks)
          .map(([rank, n]) => ({ rank: Number(rank), members: Number(n) }))
          .sort((x, y) => y.rank - x.rank),
      },
    ]),
  );
  return { byLeg, totalPv: rows[0]?.total ?? '0' };
}

/** Downline export, in tree (path) order, keyset-paged on the path: each page is one index range. */
export async function exportPage(sql: postgres.Sql, m: MemberCore, period: PeriodRef | null, cursor: string | undefined, limit: number) {
  const hi = pathUpperBound(m.path);
  if (cursor && !(cursor >= m.path && cursor < hi)) throw new AppError('VALIDATION', 'El cursor no pertenece a esta exportación.');
  const from = cursor ? sql`p.path > ${cursor}` : sql`p.path >= ${m.path}`;
  const rows = await sql<
    {
      id: string;
      code: string;
      first_name: string;
      last_name: string;
      email: string | null;
      phone: string | null;
      country: string;
      status: string;
      sponsor_code: string | null;
      depth: number;
      enrolled_at: Date;
      career_rank: number;
      paid_as_rank: number;
      pv: string;
      pvg: string;
      vn: string;
      downline_size: number;
      path: string;
    }[]
  >`
    select m.id, m.code, m.first_name, m.last_name, m.email, m.phone, m.country, m.status, s.code as sponsor_code, p.depth,
      m.enrolled_at, m.career_rank, coalesce(v.paid_as_rank, 0) as paid_as_rank, coalesce(v.pv, 0) as pv,
      coalesce(v.pvg, 0) as pvg, coalesce(v.vn, 0) as vn, m.downline_size, p.path
    from member_paths p
    join members m on m.id = p.member_id
    left join members s on s.id = m.sponsor_id
    left join member_volumes v on v.period_id = ${period?.id ?? -1} and v.member_id = m.id
    where ${from} and p.path < ${hi}
    order by p.path limit ${limit}`;
  const out: ExportRow[] = rows.map((r) => ({
    id: Number(r.id),
    code: r.code,
    firstName: r.first_name,
    lastName: r.last_name,
    email: r.email,
    phone: r.phone,
    country: r.country as ExportRow['country'],
    status: r.status as ExportRow['status'],
    sponsorCode: r.sponsor_code,
    level: r.depth - m.depth,
    enrolledAt: iso(r.enrolled_at),
    careerRank: r.career_rank,
    paidAsRank: r.paid_as_rank,
    pv: String(r.pv),
    pvg: String(r.pvg),
    vn: String(r.vn),
    downlineSize: r.downline_size,
  }));
  return { rows: out, nextCursor: rows.length === limit ? rows[rows.length - 1]!.path : null, total: m.downlineSize + 1 };
}

/** timestamptz as postgres.js hands it over (text with this client's settings, or a Date) → ISO-8601 UTC. */
export const iso = (v: Date | string) => new Date(v).toISOString();
