import type postgres from 'postgres';
import { periodBounds } from '../main/domain/period';

/** Test helper: a small hand-made network with path, depth and downline_size computed here. */
export interface TestMember {
  id: number;
  sponsorId: number | null;
  firstName: string;
  lastName: string;
  email?: string | null;
  phone?: string | null;
  country?: 'MX' | 'US' | 'CO' | 'DO';
  status?: 'active' | 'inactive' | 'suspended';
  careerRank?: number;
}

export const memberCode = (id: number) => `NN${String(id).padStart(7, '0')}`;

/** Inserts members given parents before children; answers the path of each id. */
export async function insertMembers(sql: postgres.Sql, list: TestMember[]): Promise<Map<number, string>> {
  const path = new Map<number, string>();
  const depth = new Map<number, number>();
  const down = new Map<number, number>();
  for (const m of list) {
    const p = m.sponsorId == null ? '' : path.get(m.sponsorId);
    if (p === undefined) throw new Error(`sponsor ${m.sponsorId} of ${m.id} must come first`);
    path.set(m.id, `${p}${m.id}/`);
    depth.set(m.id, m.sponsorId == null ? 0 : (depth.get(m.sponsorId) ?? 0) + 1);
    down.set(m.id, 0);
    for (const a of p.split('/').filter(Boolean)) down.set(Number(a), (down.get(Number(a)) ?? 0) + 1);
  }
  const rows = list.map((m) => ({
    id: m.id,
    code: memberCode(m.id),
    first_name: m.firstName,
    last_name: m.lastName,
    email: m.email ?? null,
    phone: m.phone ?? null,
    phone_digits: m.phone ? m.phone.replace(/\D/g, '') : null,
    country: m.country ?? 'MX',
    status: m.status ?? 'active',
    sponsor_id: m.sponsorId,
    enrolled_at: new Date(Date.UTC(2025, 0, 1) + m.id * 60_000).toISOString(),
    career_rank: m.careerRank ?? 0,
    downline_size: down.get(m.id)!,
  }));
  // The member row and its place in the tree (member_paths), as an enrolment writes them.
  const paths = list.map((m) => ({ member_id: m.id, path: path.get(m.id)!, depth: depth.get(m.id)! }));
  for (let i = 0; i < rows.length; i += 500) {
    await sql`insert into members ${sql(rows.slice(i, i + 500))}`;
    await sql`insert into member_paths ${sql(paths.slice(i, i + 500))}`;
  }
  await sql`select setval(pg_get_serial_sequence('members', 'id'), (select max(id) from members))`;
  return path;
}

/** Periods for tests: the given keys, the last one open, the others closed. */
export async function insertPeriods(sql: postgres.Sql, keys: string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const [i, key] of keys.entries()) {
    const b = periodBounds(key);
    const [r] = await sql<{ id: number }[]>`
      insert into periods (key, starts_at, ends_at, status) values (${key}, ${b.startsAt.toISOString()}, ${b.endsAt.toISOString()}, ${i === keys.length - 1 ? 'open' : 'closed'})
      returning id`;
    ids.set(key, r!.id);
  }
  return ids;
}
