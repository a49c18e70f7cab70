import { reader } from '../../kernel/wrappers';
import type { CallContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import type { MemberProfile } from '../../../shared/contract/members';
import { AppError } from '../../../shared/errors';
import { searchMembers } from './search';
import { directRecruits, iso, listPeriods, upline } from '../genealogy/queries';

async function search(input: ParsedInputOf<'members.search'>, ctx: CallContext) {
  return searchMembers(ctx.sql, input);
}

const ref = (id: string | null, code: string | null, first: string | null, last: string | null) =>
  id == null || code == null ? null : { id: Number(id), code, firstName: first ?? '', lastName: last ?? '' };

async function get(input: ParsedInputOf<'members.get'>, ctx: CallContext): Promise<MemberProfile> {
  const sql = ctx.sql;
  const [m] = await sql<{
    id: string; code: string; first_name: string; last_name: string; email: string | null; phone: string | null; country: string;
    country_name: string; currency: string; status: string; enrolled_at: Date; depth: number; career_rank: number; path: string;
    downline_size: number; s_id: string | null; s_code: string | null; s_first: string | null; s_last: string | null;
  }[]>`
    select m.id, m.code, m.first_name, m.last_name, m.email, m.phone, m.country, c.name as country_name, c.currency, m.status,
      m.enrolled_at, p.depth, m.career_rank, p.path, m.downline_size,
      s.id as s_id, s.code as s_code, s.first_name as s_first, s.last_name as s_last
    from members m join member_paths p on p.member_id = m.id join countries c on c.code = m.country
    left join members s on s.id = m.sponsor_id
    where m.id = ${input.id}`;
  if (!m) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId: input.id });

  const [ups, recruits, periods, vols, [orders], moves] = await Promise.all([
    upline(sql, m.path),
    directRecruits(sql, input.id),
    listPeriods(sql),
    sql<{ period_id: number; pv: string; pvg: string; vn: string; paid_as_rank: number }[]>`
      select period_id, pv, pvg, vn, paid_as_rank from member_volumes where member_id = ${input.id}`,
    sql<{ count: number; paid: number }[]>`
      select count(*)::int as count, count(*) filter (where status = 'paid')::int as paid from orders where member_id = ${input.id}`,
    sql<{
      at: Date; moved_members: number; reason: string; period_key: string; staff_username: string | null;
      o_id: string | null; o_code: string | null; o_first: string | null; o_last: string | null;
      n_id: string; n_code: string; n_first: string; n_last: string;
    }[]>`
      select g.at, g.moved_members, g.reason, p.key as period_key, st.username as staff_username,
        o.id as o_id, o.code as o_code, o.first_name as o_first, o.last_name as o_last,
        n.id as n_id, n.code as n_code, n.first_name as n_first, n.last_name as n_last
      from genealogy_moves g join periods p on p.id = g.period_id join members n on n.id = g.new_sponsor_id
      left join members o on o.id = g.old_sponsor_id left join staff st on st.id = g.staff_id
      where g.member_id = ${input.id} order by g.at desc, g.id desc limit 50`,
  ]);

  const byPeriod = new Map(vols.map((v) => [v.period_id, v]));
  const volumes = periods.map((p) => {
    const v = byPeriod.get(p.id);
    return {
      period: { id: p.id, key: p.key, status: p.status },
      pv: String(v?.pv ?? '0'), pvg: String(v?.pvg ?? '0'), vn: String(v?.vn ?? '0'), paidAsRank: v?.paid_as_rank ?? 0, cached: !!v,
    };
  });
  const current = volumes.find((v) => v.period.status === 'open') ?? volumes[0] ?? null;

  return {
    id: Number(m.id), code: m.code, firstName: m.first_name, lastName: m.last_name, email: m.email, phone: m.phone,
    country: m.country as MemberProfile['country'], countryName: m.country_name, currency: m.currency as MemberProfile['currency'],
    status: m.status as MemberProfile['status'], enrolledAt: iso(m.enrolled_at), depth: m.depth, careerRank: m.career_rank,
    sponsor: ref(m.s_id, m.s_code, m.s_first, m.s_last),
    upline: ups,
    downlineSize: m.downline_size,
    directRecruits: recruits,
    current,
    volumes,
    orders: { count: orders?.count ?? 0, paid: orders?.paid ?? 0 },
    moves: moves.map((g) => ({
      at: iso(g.at), movedMembers: g.moved_members, reason: g.reason, periodKey: g.period_key, staffUsername: g.staff_username,
      oldSponsor: ref(g.o_id, g.o_code, g.o_first, g.o_last),
      newSponsor: { id: Number(g.n_id), code: g.n_code, firstName: g.n_first, lastName: g.n_last },
    })),
  };
}

async function orders(input: ParsedInputOf<'members.orders'>, ctx: CallContext) {
  const sql = ctx.sql;
  const [exists] = await sql`select 1 from members where id = ${input.memberId}`;
  if (!exists) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId: input.memberId });
  const [rows, [count]] = await Promise.all([
    sql<{
      id: string; status: string; total: string; currency: string; pv: string; vn: string; kit_pv: string; created_at: Date;
      payment_confirmed_at: Date | null; period_key: string | null; payment_method: string | null; lines: number;
    }[]>`
      select o.id, o.status, o.total, o.currency, o.pv, o.vn, o.kit_pv, o.created_at, o.payment_confirmed_at, p.key as period_key,
        o.payment_method, (select count(*)::int from order_lines l where l.order_id = o.id) as lines
      from orders o left join periods p on p.id = o.period_id
      where o.member_id = ${input.memberId}
      order by o.created_at desc, o.id desc limit ${input.pageSize} offset ${(input.page - 1) * input.pageSize}`,
    sql<{ n: number }[]>`select count(*)::int as n from orders where member_id = ${input.memberId}`,
  ]);
  return {
    rows: rows.map((o) => ({
      id: Number(o.id), status: o.status as never, total: o.total, currency: o.currency as never, pv: o.pv, vn: o.vn, kitPv: o.kit_pv,
      createdAt: iso(o.created_at), paymentConfirmedAt: o.payment_confirmed_at ? iso(o.payment_confirmed_at) : null, periodKey: o.period_key,
      paymentMethod: o.payment_method as never, lines: o.lines,
    })),
    total: count?.n ?? 0, page: input.page, pageSize: input.pageSize,
  };
}

export const membersHandlers = {
  'members.search': reader(search),
  'members.get': reader(get),
  'members.orders': reader(orders),
};
