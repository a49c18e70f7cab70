import type postgres from 'postgres';
import { SEARCH_CAP, type MemberHit } from '../../../shared/contract/members';

/**
 * Member lookup. One box, four kinds of match, each answered by an index:
 * - code: exact, on the unique index (and code prefixes through the search text);
 * - e-mail: exact or prefix, on member_search.email_lower (text_pattern_ops btree);
 * - phone: the digits typed, in any format, as a substring of member_search.phone_digits (GIN trigram);
 * - name: every word typed must start a word of ' code first last ' (member_search.search_text, GIN
 *   trigram), accent- and case-insensitive through nnp_search_norm, the function that fills it.
 * member_search is kept by triggers on members (drizzle/0009_member_search_sync.sql).
 * At most SEARCH_CAP candidates per kind are fetched (never a full scan), then ranked: exact code,
 * exact e-mail or phone, whole words, prefixes, partial phone; then trigram similarity, then name.
 */
export interface SearchInput {
  q: string;
  withinMemberId?: number;
  page: number;
  pageSize: number;
}

export interface SearchOutput {
  rows: MemberHit[];
  total: number;
  page: number;
  pageSize: number;
  capped: boolean;
}

const MAX_CHARS = 200;
/** Candidates per kind of match inside one downline (the global search keeps SEARCH_CAP). */
export const WITHIN_CAP = 250;
const MAX_WORDS = 8;

/** The first path that is not inside the downline of `path` (its trailing '/' becomes '0'). */
export const pathUpperBound = (path: string) => `${path.slice(0, -1)}0`;

/** `s` with its last character's code point increased: the exclusive end of the `s…` range. */
const prefixEnd = (s: string) => s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1);

interface Row {
  id: string; code: string; first_name: string; last_name: string; email: string | null; phone: string | null;
  country: string; status: string; career_rank: number; depth: number; downline_size: number; tier: number;
}

const MATCHED: Record<number, MemberHit['matchedBy']> = { 0: 'code', 1: 'email', 2: 'phone', 3: 'name', 4: 'email', 5: 'name', 6: 'phone' };

export async function searchMembers(sql: postgres.Sql, input: SearchInput): Promise<SearchOutput> {
  const empty: SearchOutput = { rows: [], total: 0, page: input.page, pageSize: input.pageSize, capped: false };
  // eslint-disable-next-line no-control-regex
  const raw = input.q.slice(0, MAX_CHARS).replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if (!raw) return empty;

  let range: { lo: string; hi: string } | null = null;
  if (input.withinMemberId !== undefined) {
    const [m] = await sql<{ path: string }[]>`select path from members where id = ${input.withinMemberId}`;
    if (!m) return empty;
    range = { lo: m.path, hi: pathUpperBound(m.path) };
  }

  const [n] = await sql<{ norm: string | null }[]>`select nnp_search_norm(${raw}) as norm`;
  const words = [...new Set((n?.norm ?? '').split(' ').filter(Boolean))].slice(0, MAX_WORDS);
  const digits = raw.replace(/\D/g, '');
  const phoneish = digits.length >= 4 && /^[\d\s+().\-/]+$/.test(raw);
  // Numbers are written with or without the country code: compare the national part (10 digits).
  const phoneDigits = digits.length > 10 ? digits.slice(-10) : digits;
  const oneToken = !/\s/.test(raw);
  const emailQ = oneToken && raw.length >= 3 ? raw.toLowerCase() : null;

  const inRange = range ? sql`and path >= ${range.lo} and path < ${range.hi}` : sql``;
  // Lookup rows, restricted to the downline when asked (members.path range, joined by id).
  const from = range
    ? sql`member_search s join members m on m.id = s.member_id and m.path >= ${range.lo} and m.path < ${range.hi}`
    : sql`member_search s`;
  const all = (parts: postgres.PendingQuery<postgres.Row[]>[]) => parts.reduce((a, b) => sql`${a} ${b}`);
  const branches: postgres.PendingQuery<postgres.Row[]>[] = [];
  // Inside a downline the candidates are filtered by path after the lookup index: fewer of them.
  const cap = range ? WITHIN_CAP : SEARCH_CAP;
  const limit = cap + 1;
  if (oneToken) branches.push(sql`(select id, 0 as tier, 0 as k from members where code = ${raw.toUpperCase()} ${inRange})`);
  if (emailQ) {
    // Exact address first; then addresses starting with what was typed (text_pattern_ops range).
    branches.push(sql`(select s.member_id as id, case when s.email_lower = ${emailQ} then 1 else 4 end as tier, 1 as k from ${from}
      where s.email_lower ~>=~ ${emailQ} and s.email_lower ~<~ ${prefixEnd(emailQ)} limit ${limit})`);
  }
  if (phoneish) {
    branches.push(sql`(select s.member_id as id, case when s.phone_digits = ${phoneDigits} or s.phone_digits like ${'%' + phoneDigits} then 2 else 6 end as tier, 2 as k
      from ${from} where s.phone_digits like ${'%' + phoneDigits + '%'} limit ${limit})`);
  }
  if (words.length > 0 && !(phoneish && words.length > 1)) {
    // Each word must start a word of the search text; 'whole words' rank above 'prefixes'.
    const starts = all(words.map((w) => sql`and s.search_text like ${'% ' + w + '%'}`));
    const whole = all(words.map((w) => sql`and s.search_text like ${'% ' + w + ' %'}`));
    branches.push(sql`(select s.member_id as id, case when true ${whole} then 3 else 5 end as tier, 3 as k
      from ${from} where true ${starts} limit ${limit})`);
  }
  if (branches.length === 0) return empty;

  const union = branches.reduce((acc, b) => sql`${acc} union all ${b}`);
  const norm = words.join(' ');
  const offset = (input.page - 1) * input.pageSize;
  const rows = await sql<(Row & { total: number; capped: boolean })[]>`
    with cand as materialized (${union}),
    best as (select id, min(tier) as tier from cand group by id),
    counted as (
      select (select count(*)::int from best) as total,
        exists (select 1 from cand group by k having count(*) > ${cap}) as capped)
    select m.id, m.code, m.first_name, m.last_name, m.email, m.phone, m.country, m.status, m.career_rank, m.depth,
      m.downline_size, b.tier, c.total, c.capped
    from best b join members m on m.id = b.id join member_search s on s.member_id = b.id cross join counted c
    order by b.tier, similarity(s.search_text, ${norm}) desc, m.last_name, m.first_name, m.id
    limit ${input.pageSize} offset ${offset}`;
  if (rows.length === 0) {
    // Past the last page: still say how many there are.
    const [c] = await sql<{ total: number; capped: boolean }[]>`
      with cand as materialized (${union})
      select count(distinct id)::int as total, exists (select 1 from cand group by k having count(*) > ${cap}) as capped from cand`;
    return { ...empty, total: Math.min(c?.total ?? 0, cap), capped: c?.capped ?? false };
  }
  const capped = rows[0]!.capped;
  return {
    rows: rows.map((r) => ({
      id: Number(r.id), code: r.code, firstName: r.first_name, lastName: r.last_name, email: r.email, phone: r.phone,
      country: r.country as MemberHit['country'], status: r.status as MemberHit['status'], careerRank: r.career_rank,
      depth: r.depth, downlineSize: r.downline_size, matchedBy: MATCHED[r.tier] ?? 'name',
    })),
    total: Math.min(rows[0]!.total, cap),
    page: input.page,
    pageSize: input.pageSize,
    capped,
  };
}
