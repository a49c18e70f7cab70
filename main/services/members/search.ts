import type postgres from 'postgres';
import type { OutputOf, ParsedInputOf } from '../../../shared/contract';
import { SEARCH_CAP, type MemberHit } from '../../../shared/contract/members';
import { AppError } from '../../../shared/errors';

/**
 * Member lookup. One box, four kinds of match, each answered by an index:
 * - code: exact, or the codes starting with what was typed, on members.code (btree); staff type the
 *   digits without the prefix and zeros ("1494", "NN1494" → NN0001494), looked up exactly too;
 * - e-mail: exact or prefix, on member_search.email_lower (text_pattern_ops btree); any part of it
 *   ("gmail", "@gmail.com", "outlook") through its trigram index, ranked last;
 * - phone: the digits typed, in any format, as a substring of member_search.phone_digits (GIN trigram);
 * - name: every word typed (without digits) must start a word of ' first last ' (member_search.search_text, GIN
 *   trigram), accent- and case-insensitive through nnp_search_norm, the function that fills it.
 * member_search is kept by triggers on members (drizzle/0009_member_search_sync.sql).
 * At most SEARCH_CAP candidates per kind are fetched (never a full scan), then ranked: exact code,
 * exact e-mail or phone, whole words, name prefixes, e-mail prefixes, partial phone, code prefixes;
 * then trigram similarity of the name, then id.
 */
export type SearchInput = ParsedInputOf<'members.search'>;
export type SearchOutput = OutputOf<'members.search'>;

const MAX_CHARS = 200;
/** Candidates per kind of match inside one downline (the global search keeps SEARCH_CAP). */
export const WITHIN_CAP = 250;
/** E-mail addresses that start with the text (exact ones always come first). */
const EMAIL_PREFIX_CAP = 100;
const MAX_WORDS = 8;

/**
 * What the trigram index is asked for, for one word of at least 3 letters: the word itself up to 6
 * letters; a longer one as its first four and last three letters ("hernandez" → "hern%dez": three
 * trigrams instead of seven, still selective at both ends). A necessary condition only: the caller
 * checks the whole word.
 */
export const indexPattern = (w: string) => (w.length > 6 ? `${w.slice(0, 4)}%${w.slice(-3)}` : w);

/**
 * What the e-mail trigram index is asked for when a whole address (or its start and a domain) is
 * looked for anywhere in the addresses: the part before the '@' only, a single word shortened as
 * `indexPattern` does ("jorgemartinez765833@outlook.com" → "%jorg%833@%"). The domain's trigrams
 * ("com", "ook", "@ou"…) are each in most addresses: reading their posting lists took ~30 ms at
 * 1,000,000 members, the hint 2-3 ms. A necessary condition only: the caller checks the whole text.
 * Null when there is no part before or after the '@' (the text itself is then the pattern).
 */
export function emailIndexHint(text: string): string | null {
  const at = text.indexOf('@');
  if (at < 1 || at === text.length - 1) return null;
  const local = text.slice(0, at);
  const core = /^[\p{L}\p{N}]+$/u.test(local) ? indexPattern(local) : escapeLike(local);
  return `%${core}@%`;
}

/** `s` with LIKE's special characters escaped. */
const escapeLike = (s: string) => s.replace(/[%_\\]/g, (c) => '\\' + c);

/** The first path that is not inside the downline of `path` (its trailing '/' becomes '0'). */
export const pathUpperBound = (path: string) => `${path.slice(0, -1)}0`;

/** `s` with its last character's code point increased: the exclusive end of the `s…` range. */
const prefixEnd = (s: string) => s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1);

interface Row {
  id: string;
  code: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  country: string;
  status: string;
  career_rank: number;
  depth: number;
  downline_size: number;
  tier: number;
}

const MATCHED: Record<number, MemberHit['matchedBy']> = {
  0: 'code',
  1: 'email',
  2: 'phone',
  3: 'name',
  4: 'email',
  5: 'name',
  6: 'phone',
  7: 'code',
  8: 'email',
};

/** Member codes are NN + 7 digits (the seed and enrolment write them so). */
const CODE_DIGITS = 7;
/**
 * The full code meant by digits typed without the prefix and leading zeros ("1494", "nn1494",
 * "NN-1494" → "NN0001494"); null when the text is not a code number.
 */
export function codeFromDigits(raw: string): string | null {
  const m = /^(?:nn[\s-]?)?0*(\d{1,7})$/i.exec(raw.trim());
  return m ? `NN${m[1]!.padStart(CODE_DIGITS, '0')}` : null;
}

export async function searchMembers(sql: postgres.Sql, input: SearchInput): Promise<SearchOutput> {
  const empty: SearchOutput = { rows: [], total: 0, page: input.page, pageSize: input.pageSize, capped: false };
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this strips
  const controls = /[\u0000-\u001f\u007f]/g;
  const raw = input.q.slice(0, MAX_CHARS).replace(controls, ' ').trim();
  if (!raw) return empty;

  let range: { lo: string; hi: string } | null = null;
  if (input.withinMemberId !== undefined) {
    const [m] = await sql<{ path: string }[]>`select path from member_paths where member_id = ${input.withinMemberId}`;
    if (!m) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId: input.withinMemberId });
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

  // The statement is built here and sent unprepared: PostgreSQL then plans it with the actual
  // patterns (a word found in one member in ten is cheaper read sequentially up to the LIMIT than
  // through the trigram index), and no prepared statement is kept per distinct search.
  const params: (string | number)[] = [];
  const p = (v: string | number) => `$${params.push(v)}`;
  const from = range
    ? `member_search s join member_paths mp on mp.member_id = s.member_id and mp.path >= ${p(range.lo)} and mp.path < ${p(range.hi)}`
    : 'member_search s';
  const branches: string[] = [];
  // Lookups that a later branch depends on, run once before the candidates.
  const ctes: string[] = [];
  // Inside a downline the candidates are filtered by path after the lookup index: fewer of them.
  const cap = range ? WITHIN_CAP : SEARCH_CAP;
  const limit = cap + 1;
  // Addresses that merely start with the text rank below names: a short list of them is enough.
  const emailLimit = Math.min(cap, EMAIL_PREFIX_CAP) + 1;
  // Codes are looked up on members: inside a downline, joined to the member's path row.
  const inPath = () => (range ? ` join member_paths mp on mp.member_id = m.id and mp.path >= ${p(range.lo)} and mp.path < ${p(range.hi)}` : '');
  if (oneToken) {
    const code = raw.toUpperCase();
    const full = codeFromDigits(raw);
    const exact = full && full !== code ? [code, full] : [code];
    branches.push(`(select m.id, null::text as txt, 0 as tier, 0 as k from members m${inPath()} where m.code in (${exact.map(p).join(', ')}))`);
    // A code typed in part ("NN00012"): the codes starting with it, in code order (btree range).
    if (/\d/.test(code) && /^[A-Z0-9-]+$/.test(code)) {
      branches.push(`(select m.id, null::text as txt, 7 as tier, 4 as k from members m${inPath()}
        where m.code > ${p(code)} and m.code < ${p(prefixEnd(code))} and m.code like ${p(code.replace(/[%_\\]/g, '') + '%')}
        order by m.code limit ${limit})`);
    }
  }
  if (emailQ) {
    // Exact address first; then addresses starting with what was typed (text_pattern_ops range).
    ctes.push(`email_prefix as materialized (select s.member_id as id, s.search_text as txt, case when s.email_lower = ${p(emailQ)} then 1 else 4 end as tier, 1 as k
      from ${from} where s.email_lower ~>=~ ${p(emailQ)} and s.email_lower ~<~ ${p(prefixEnd(emailQ))} limit ${emailLimit})`);
    branches.push(`(select * from email_prefix)`);
    // Any part of the address: a domain ("gmail", "@gmail.com") or a piece of the local part. Not
    // for a code or phone number (digits only): those have their own branches.
    if (!/^[\d\s+().\-/]+$/.test(raw) && !codeFromDigits(raw)) {
      const hint = emailIndexHint(emailQ);
      const where = hint
        ? `s.email_lower like ${p(hint)} and strpos(s.email_lower, ${p(emailQ)}) <> 0`
        : `s.email_lower like ${p('%' + escapeLike(emailQ) + '%')}`;
      // Skipped when the addresses starting with the text already fill their list: the answer is
      // then capped anyway, and these rank last. Its trigram scan is the dearest part of a common
      // prefix ("alejandr": 24 → 15 ms at 1,000,000 members).
      branches.push(`(select s.member_id as id, s.search_text as txt, 8 as tier, 5 as k
        from ${from} where ${where} and (select count(*) from email_prefix) < ${emailLimit} limit ${emailLimit})`);
    }
  }
  if (phoneish) {
    branches.push(`(select s.member_id as id, s.search_text as txt,
        case when s.phone_digits = ${p(phoneDigits)} or s.phone_digits like ${p('%' + phoneDigits)} then 2 else 6 end as tier, 2 as k
      from ${from} where s.phone_digits like ${p('%' + phoneDigits + '%')} limit ${limit})`);
  }
  // Names have no digits: words with digits (a code, a phone) are not looked for in names.
  const nameWords = words.filter((w) => !/\d/.test(w));
  if (nameWords.length > 0 && !phoneish) {
    // Each word must start a word of the search text; 'whole words' rank above 'prefixes'.
    // The trigram index is asked for a few inner trigrams of the word (indexPattern); that the whole
    // word starts a word of the name is checked on the rows found. Every trigram asked for is one
    // more posting list to read, and the word-start ones ('  h', ' he') are in a large share of all
    // names: fewer, inner trigrams made the index scan 2-4x faster at 1,000,000 members. Words of one or two
    // letters have no inner trigram: for them the word-start pattern is the index condition.
    // `<> 0` rather than `> 0`: the planner's estimate then stays that of the LIKE (a very common
    // word is read sequentially up to the LIMIT, a rare one through the index).
    const starts = nameWords
      .map((w) =>
        w.length >= 3
          ? ` and s.search_text like ${p('%' + indexPattern(w) + '%')} and strpos(s.search_text, ${p(' ' + w)}) <> 0`
          : ` and s.search_text like ${p('% ' + w + '%')}`,
      )
      .join('');
    const whole = nameWords.map((w) => ` and s.search_text like ${p('% ' + w + ' %')}`).join('');
    branches.push(`(select s.member_id as id, s.search_text as txt, case when true${whole} then 3 else 5 end as tier, 3 as k
      from ${from} where true${starts} limit ${limit})`);
  }
  if (branches.length === 0) return empty;

  const offset = (input.page - 1) * input.pageSize;
  // Ranked on the lookup rows alone; members is read only for the rows of the page.
  const text = `
    with ${ctes.map((c) => `${c},`).join('\n')}
    cand as materialized (${branches.join(' union all ')}),
    best as (select id, min(tier) as tier, max(txt) as txt from cand group by id),
    ranked as (
      select id, tier, row_number() over (order by tier, coalesce(similarity(txt, ${p(nameWords.join(' '))}), 0) desc, id) as ord from best
    ),
    pg as (select id, tier, ord from ranked where ord > ${p(offset)} and ord <= ${p(offset + input.pageSize)}),
    counted as (
      select (select count(*)::int from best) as total,
        exists (select 1 from cand group by k having count(*) >= case when k in (1, 5) then ${p(emailLimit)}::int else ${p(limit)}::int end) as capped)
    select c.total, c.capped, pg.tier, m.id, m.code, m.first_name, m.last_name, m.email, m.phone, m.country, m.status,
      m.career_rank, mp.depth, m.downline_size
    from counted c left join (pg join members m on m.id = pg.id join member_paths mp on mp.member_id = pg.id) on true
    order by pg.ord`;
  const all = await sql.unsafe<(Row & { total: number; capped: boolean })[]>(text, params, { prepare: false });
  const rows = all.filter((r) => r.id != null);
  if (rows.length === 0) {
    // Past the last page (or nothing found): still say how many there are.
    return { ...empty, total: Math.min(all[0]?.total ?? 0, cap), capped: all[0]?.capped ?? false };
  }
  const capped = rows[0]!.capped;
  return {
    rows: rows.map((r) => ({
      id: Number(r.id),
      code: r.code,
      firstName: r.first_name,
      lastName: r.last_name,
      email: r.email,
      phone: r.phone,
      country: r.country as MemberHit['country'],
      status: r.status as MemberHit['status'],
      careerRank: r.career_rank,
      depth: r.depth,
      downlineSize: r.downline_size,
      matchedBy: MATCHED[r.tier] ?? 'name',
    })),
    total: Math.min(rows[0]!.total, cap),
    page: input.page,
    pageSize: input.pageSize,
    capped,
  };
}
