import { eq } from 'drizzle-orm';
import { mutator, reader } from '../../kernel/wrappers';
import { memberNotes, members } from '../../db/schema';
import type { MutationContext } from '../../kernel/context';
import type { CallContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import type { MemberProfile, TimelineEntry } from '../../../shared/contract/members';
import { AppError } from '../../../shared/errors';
import { codeFromDigits, searchMembers } from './search';
import { directRecruits, iso, listPeriods, upline } from '../genealogy/queries';

async function search(input: ParsedInputOf<'members.search'>, ctx: CallContext) {
  return searchMembers(ctx.sql, input);
}

const ref = (id: string | null, code: string | null, first: string | null, last: string | null) =>
  id == null || code == null ? null : { id: Number(id), code, firstName: first ?? '', lastName: last ?? '' };

/** Exact code lookup (members.code btree): the code as typed, and the full code its digits mean. */
async function byCode(input: ParsedInputOf<'members.byCode'>, ctx: CallContext) {
  const typed = input.code.toUpperCase();
  const full = codeFromDigits(input.code);
  const codes = full && full !== typed ? [typed, full] : [typed];
  const [m] = await ctx.sql<{ id: string; code: string; first_name: string; last_name: string }[]>`
    select id, code, first_name, last_name from members where code in ${ctx.sql(codes)} order by code = ${typed} desc limit 1`;
  if (!m) throw AppError.of('NOT_FOUND', 'member.notFoundCode', { code: full ?? input.code }, { code: input.code });
  return { id: Number(m.id), code: m.code, firstName: m.first_name, lastName: m.last_name };
}

async function get(input: ParsedInputOf<'members.get'>, ctx: CallContext): Promise<MemberProfile> {
  const sql = ctx.sql;
  const [m] = await sql<
    {
      id: string;
      code: string;
      first_name: string;
      last_name: string;
      email: string | null;
      phone: string | null;
      address: string | null;
      country: string;
      country_name: string;
      currency: string;
      status: string;
      enrolled_at: Date;
      depth: number;
      career_rank: number;
      path: string;
      downline_size: number;
      s_id: string | null;
      s_code: string | null;
      s_first: string | null;
      s_last: string | null;
    }[]
  >`
    select m.id, m.code, m.first_name, m.last_name, m.email, m.phone, m.address, m.country, c.name as country_name, c.currency, m.status,
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
      select v.period_id, v.pv, v.pvg, v.vn, v.paid_as_rank from periods p join member_volumes v on v.period_id = p.id and v.member_id = ${input.id}`,
    sql<{ count: number; paid: number }[]>`
      select count(*)::int as count, count(*) filter (where status = 'paid')::int as paid from orders where member_id = ${input.id}`,
    sql<
      {
        at: Date;
        moved_members: number;
        reason: string;
        period_key: string;
        staff_username: string | null;
        o_id: string | null;
        o_code: string | null;
        o_first: string | null;
        o_last: string | null;
        n_id: string;
        n_code: string;
        n_first: string;
        n_last: string;
      }[]
    >`
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
      pv: String(v?.pv ?? '0'),
      pvg: String(v?.pvg ?? '0'),
      vn: String(v?.vn ?? '0'),
      paidAsRank: v?.paid_as_rank ?? 0,
      cached: !!v,
    };
  });
  const current = volumes.find((v) => v.period.status === 'open') ?? volumes[0] ?? null;

  return {
    id: Number(m.id),
    code: m.code,
    firstName: m.first_name,
    lastName: m.last_name,
    email: m.email,
    phone: m.phone,
    address: m.address,
    country: m.country as MemberProfile['country'],
    countryName: m.country_name,
    currency: m.currency as MemberProfile['currency'],
    status: m.status as MemberProfile['status'],
    enrolledAt: iso(m.enrolled_at),
    depth: m.depth,
    careerRank: m.career_rank,
    sponsor: ref(m.s_id, m.s_code, m.s_first, m.s_last),
    upline: ups,
    downlineSize: m.downline_size,
    directRecruits: recruits,
    current,
    volumes,
    orders: { count: orders?.count ?? 0, paid: orders?.paid ?? 0 },
    moves: moves.map((g) => ({
      at: iso(g.at),
      movedMembers: g.moved_members,
      reason: g.reason,
      periodKey: g.period_key,
      staffUsername: g.staff_username,
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
    sql<
      {
        id: string;
        status: string;
        total: string;
        currency: string;
        pv: string;
        vn: string;
        kit_pv: string;
        created_at: Date;
        payment_confirmed_at: Date | null;
        period_key: string | null;
        payment_method: string | null;
        lines: number;
      }[]
    >`
      select o.id, o.status, o.total, o.currency, o.pv, o.vn, o.kit_pv, o.created_at, o.payment_confirmed_at, p.key as period_key,
        o.payment_method, (select count(*)::int from order_lines l where l.order_id = o.id) as lines
      from orders o left join periods p on p.id = o.period_id
      where o.member_id = ${input.memberId}
      order by o.created_at desc, o.id desc limit ${input.pageSize} offset ${(input.page - 1) * input.pageSize}`,
    sql<{ n: number }[]>`select count(*)::int as n from orders where member_id = ${input.memberId}`,
  ]);
  return {
    rows: rows.map((o) => ({
      id: Number(o.id),
      status: o.status as never,
      total: o.total,
      currency: o.currency as never,
      pv: o.pv,
      vn: o.vn,
      kitPv: o.kit_pv,
      createdAt: iso(o.created_at),
      paymentConfirmedAt: o.payment_confirmed_at ? iso(o.payment_confirmed_at) : null,
      periodKey: o.period_key,
      paymentMethod: o.payment_method as never,
      lines: o.lines,
    })),
    total: count?.n ?? 0,
    page: input.page,
    pageSize: input.pageSize,
  };
}

// ---------------------------------------------------------------------------------------------
// Corrections, status and notes (issue 20). Each writes its audit row in the same transaction.

const EDITABLE = ['firstName', 'lastName', 'email', 'phone', 'address'] as const;

async function lockMember(ctx: MutationContext, id: number) {
  const [m] = await ctx.tx.select().from(members).where(eq(members.id, id)).for('update');
  if (!m) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId: id });
  return m;
}

async function update(input: ParsedInputOf<'members.update'>, ctx: MutationContext) {
  const m = await lockMember(ctx, input.id);
  const before: Record<string, string | null> = {};
  const after: Record<string, string | null> = {};
  for (const f of EDITABLE) {
    const v = input[f];
    if (v === undefined) continue;
    const next = v === '' ? null : v;
    if (next === m[f]) continue;
    before[f] = m[f];
    after[f] = next;
  }
  const changed = Object.keys(after) as (typeof EDITABLE)[number][];
  if (changed.length === 0) throw AppError.of('VALIDATION', 'member.nothingChanged');
  const set: Partial<typeof members.$inferInsert> = { ...after };
  if ('phone' in after) set.phoneDigits = after.phone ? after.phone.replace(/\D/g, '') : null;
  await ctx.tx.update(members).set(set).where(eq(members.id, input.id));
  await ctx.audit({ entity: 'member', entityId: input.id, before, after, reason: input.reason });
  return { changed };
}

async function setStatus(input: ParsedInputOf<'members.setStatus'>, ctx: MutationContext) {
  const m = await lockMember(ctx, input.id);
  if (input.status === 'suspended' && m.status === 'suspended') throw AppError.of('CONFLICT', 'member.alreadySuspended');
  if (input.status === 'active' && m.status !== 'suspended') throw AppError.of('CONFLICT', 'member.notSuspended');
  await ctx.tx.update(members).set({ status: input.status }).where(eq(members.id, input.id));
  await ctx.audit({ entity: 'member', entityId: input.id, before: { status: m.status }, after: { status: input.status }, reason: input.reason });
  return { ok: true as const };
}

async function addNote(input: ParsedInputOf<'members.addNote'>, ctx: MutationContext) {
  await lockMember(ctx, input.memberId);
  const [n] = await ctx.tx
    .insert(memberNotes)
    .values({
      memberId: input.memberId,
      staffId: ctx.staff?.id ?? null,
      staffUsername: ctx.staff?.username ?? null,
      text: input.text,
    })
    .returning({ id: memberNotes.id });
  await ctx.audit({ entity: 'member_note', entityId: n!.id, after: { memberId: input.memberId, text: input.text } });
  return { id: n!.id };
}

interface TimelineRow {
  at: Date;
  kind: TimelineEntry['kind'];
  staff: string | null;
  ref: string | null;
  status: string | null;
  amount: string | null;
  currency: string | null;
  day: number | null;
  text: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  f_id: string | null;
  f_code: string | null;
  f_first: string | null;
  f_last: string | null;
  t_id: string | null;
  t_code: string | null;
  t_first: string | null;
  t_last: string | null;
  /** Every source's count for the member (the same on each row). */
  total: number;
}

const shown = (v: unknown) => (v == null ? null : String(v));

/** One page of the member's history: each source read newest-first through its member index, then merged. */
async function timeline(input: ParsedInputOf<'members.timeline'>, ctx: CallContext) {
  const sql = ctx.sql;
  const [exists] = await sql`select 1 from members where id = ${input.memberId}`;
  if (!exists) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId: input.memberId });
  const id = input.memberId;
  const upto = input.page * input.pageSize;
  const offset = (input.page - 1) * input.pageSize;
  const rows = await sql<TimelineRow[]>`
    with src as (
      (select n.at, 'note' as kind, n.staff_username as staff, null::bigint as ref, null::text as status, null::numeric as amount,
         null::text as currency, null::int as day, n.text, null::jsonb as before, null::jsonb as after, null::bigint as f_id, null::bigint as t_id
       from member_notes n where n.member_id = ${id} order by n.at desc limit ${upto})
      union all
      (select coalesce(o.payment_confirmed_at, o.created_at), 'order', null, o.id, o.status::text, o.total, o.currency::text, null, null, null, null, null, null
       from orders o where o.member_id = ${id} order by o.created_at desc limit ${upto})
      union all
      (select coalesce(w.paid_at, w.approved_at, w.requested_at), 'withdrawal', null, w.id, w.status::text, w.amount, w.currency::text, null, null, null, null, null, null
       from withdrawals w where w.member_id = ${id} order by w.requested_at desc limit ${upto})
      union all
      (select r.created_at, 'autoship', st.username, null, r.action, null, null, r.charge_day, null, null, null, null, null
       from autoship_requests r join autoship_subscriptions s on s.id = r.subscription_id left join staff st on st.id::text = r.staff_id
       where s.member_id = ${id} order by r.created_at desc limit ${upto})
      union all
      (select g.at, 'sponsor', st.username, null, null, null, null, null, g.reason, null, null, g.old_sponsor_id, g.new_sponsor_id
       from genealogy_moves g left join staff st on st.id = g.staff_id where g.member_id = ${id} order by g.at desc limit ${upto})
      union all
      (select a.at, case when a.action = 'members.setStatus' then 'status' else 'edit' end, a.staff_username, null,
         a.after->>'status', null, null, null, a.reason, a.before, a.after, null, null
       from member_audit a where a.entity_id = ${String(id)}
       order by a.at desc limit ${upto})
    )
    select src.*, (select count(*)::int from member_notes where member_id = ${id})
        + (select count(*)::int from orders where member_id = ${id})
        + (select count(*)::int from withdrawals where member_id = ${id})
        + (select count(*)::int from autoship_requests r join autoship_subscriptions s on s.id = r.subscription_id where s.member_id = ${id})
        + (select count(*)::int from genealogy_moves where member_id = ${id})
        + (select count(*)::int from member_audit where entity_id = ${String(id)}) as total,
      f.code as f_code, f.first_name as f_first, f.last_name as f_last, t.code as t_code, t.first_name as t_first, t.last_name as t_last
    from src left join members f on f.id = src.f_id left join members t on t.id = src.t_id
    order by src.at desc limit ${input.pageSize} offset ${offset}`;
  const total = rows[0]?.total ?? (await countTimeline(ctx, id));
  return {
    rows: rows.map((r): TimelineEntry => {
      const before = r.before ?? {};
      const after = r.after ?? {};
      const changes = r.kind === 'edit' ? Object.keys(after).map((field) => ({ field, before: shown(before[field]), after: shown(after[field]) })) : [];
      return {
        at: iso(r.at),
        kind: r.kind,
        staff: r.staff,
        ref: r.ref == null ? null : Number(r.ref),
        status: r.status,
        amount: r.amount == null ? null : String(r.amount),
        currency: r.currency as TimelineEntry['currency'],
        day: r.day,
        text: r.text,
        changes,
        from: ref(r.f_id, r.f_code, r.f_first, r.f_last),
        to: ref(r.t_id, r.t_code, r.t_first, r.t_last),
      };
    }),
    total,
    page: input.page,
    pageSize: input.pageSize,
  };
}

async function countTimeline(ctx: CallContext, id: number): Promise<number> {
  const [c] = await ctx.sql<{ n: number }[]>`
    select (select count(*)::int from member_notes where member_id = ${id})
      + (select count(*)::int from orders where member_id = ${id})
      + (select count(*)::int from withdrawals where member_id = ${id})
      + (select count(*)::int from autoship_requests r join autoship_subscriptions s on s.id = r.subscription_id where s.member_id = ${id})
      + (select count(*)::int from genealogy_moves where member_id = ${id})
      + (select count(*)::int from member_audit where entity_id = ${String(id)}) as n`;
  return c?.n ?? 0;
}

export const membersHandlers = {
  'members.search': reader(search),
  'members.byCode': reader(byCode),
  'members.get': reader(get),
  'members.orders': reader(orders),
  'members.update': mutator(update),
  'members.setStatus': mutator(setStatus),
  'members.addNote': mutator(addNote),
  'members.timeline': reader(timeline),
};
