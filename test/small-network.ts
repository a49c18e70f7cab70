/**
 * Test helpers of the volumes, orders and periods tests: a small hand-checked network and orders
 * written straight into the tables (the confirmation under test is called separately).
 */
import type postgres from 'postgres';
import { insertMembers, insertPeriods, type TestMember } from './network';

/**
 *   1
 *   ├─ 2 ─┬─ 4 ── 7
 *   │     └─ 5 (US)
 *   └─ 3 ── 6 ─┬─ 8
 *              └─ 9
 */
export const SMALL_NETWORK: TestMember[] = [
  { id: 1, sponsorId: null, firstName: 'Raíz', lastName: 'Empresa' },
  { id: 2, sponsorId: 1, firstName: 'Beatriz', lastName: 'Gómez' },
  { id: 3, sponsorId: 1, firstName: 'Carlos', lastName: 'Díaz' },
  { id: 4, sponsorId: 2, firstName: 'Diana', lastName: 'Luna', careerRank: 1 },
  { id: 5, sponsorId: 2, firstName: 'Ernesto', lastName: 'Ford', country: 'US' },
  { id: 6, sponsorId: 3, firstName: 'Fernanda', lastName: 'Ríos', careerRank: 3 },
  { id: 7, sponsorId: 4, firstName: 'Gabriel', lastName: 'Soto' },
  { id: 8, sponsorId: 6, firstName: 'Hilda', lastName: 'Vega' },
  { id: 9, sponsorId: 6, firstName: 'Iván', lastName: 'Zapata' },
];

export interface TestOrder {
  memberId: number;
  periodKey: string | null;
  pv: string;
  vn?: string;
  kitPv?: string;
  status?: 'pending' | 'paid' | 'refunded' | 'cancelled' | 'failed';
  currency?: 'MXN' | 'USD' | 'COP' | 'DOP';
  country?: 'MX' | 'US' | 'CO' | 'DO';
  confirmedAt?: string | null;
  createdAt?: string;
}

/** Orders of the hand-checked period 2026-11 (and noise that must not count). */
export const SMALL_ORDERS: TestOrder[] = [
  { memberId: 7, periodKey: '2026-11', pv: '1500', vn: '1000' },
  { memberId: 4, periodKey: '2026-11', pv: '1670', vn: '0', kitPv: '1670' },
  { memberId: 5, periodKey: '2026-11', pv: '200', vn: '150', currency: 'USD', country: 'US' },
  { memberId: 2, periodKey: '2026-11', pv: '1465', vn: '1200' },
  { memberId: 8, periodKey: '2026-11', pv: '20000', vn: '10000' },
  { memberId: 9, periodKey: '2026-11', pv: '1465', vn: '900.50' },
  { memberId: 6, periodKey: '2026-11', pv: '1000', vn: '800' },
  { memberId: 6, periodKey: '2026-11', pv: '465', vn: '300' },
  // Noise: refunded, pending, another period.
  { memberId: 6, periodKey: '2026-11', pv: '500', vn: '400', status: 'refunded' },
  { memberId: 4, periodKey: null, pv: '900', vn: '700', status: 'pending' },
  { memberId: 3, periodKey: '2026-10', pv: '5000', vn: '4000' },
];

/** The hand-checked figures of 2026-11 for SMALL_NETWORK + SMALL_ORDERS. */
export const SMALL_EXPECTED: Record<number, { pv: string; vn: string; pvg: string; rank: number }> = {
  1: { pv: '0.00', vn: '0.00', pvg: '27765.00', rank: 0 },
  2: { pv: '1465.00', vn: '1200.00', pvg: '4835.00', rank: 1 },
  3: { pv: '0.00', vn: '0.00', pvg: '22930.00', rank: 0 },
  4: { pv: '1670.00', vn: '0.00', pvg: '3170.00', rank: 1 },
  5: { pv: '200.00', vn: '150.00', pvg: '200.00', rank: 0 },
  6: { pv: '1465.00', vn: '1100.00', pvg: '22930.00', rank: 2 },
  7: { pv: '1500.00', vn: '1000.00', pvg: '1500.00', rank: 1 },
  8: { pv: '20000.00', vn: '10000.00', pvg: '20000.00', rank: 1 },
  9: { pv: '1465.00', vn: '900.50', pvg: '1465.00', rank: 1 },
};

export async function insertOrders(sql: postgres.Sql, periods: Map<string, number>, list: TestOrder[]): Promise<number[]> {
  const ids: number[] = [];
  for (const o of list) {
    const status = o.status ?? 'paid';
    const paid = status === 'paid' || status === 'refunded';
    const periodId = o.periodKey ? (periods.get(o.periodKey) ?? null) : null;
    const [p] = periodId ? await sql<{ starts_at: string }[]>`select starts_at from periods where id = ${periodId}` : [];
    const confirmed = o.confirmedAt !== undefined ? o.confirmedAt : paid && p ? new Date(new Date(p.starts_at).getTime() + 3 * 86_400_000).toISOString() : null;
    const [r] = await sql<{ id: string }[]>`
      insert into orders (member_id, country, currency, status, total, pv, vn, kit_pv, created_at, payment_confirmed_at, period_id, payment_method, refunded_at)
      values (${o.memberId}, ${o.country ?? 'MX'}, ${o.currency ?? 'MXN'}, ${status}, ${o.vn ?? '0'}, ${o.pv}, ${o.vn ?? '0'}, ${o.kitPv ?? '0'},
        ${o.createdAt ?? confirmed ?? new Date('2026-11-10T12:00:00Z').toISOString()}, ${confirmed}, ${paid ? periodId : null}, ${paid ? 'stripe' : null},
        ${status === 'refunded' ? confirmed : null})
      returning id`;
    ids.push(Number(r!.id));
  }
  return ids;
}

/** SMALL_NETWORK with periods 2026-09, 2026-10 (closed) and 2026-11 (open), and SMALL_ORDERS. */
export async function loadSmallNetwork(sql: postgres.Sql, opts: { orders?: boolean } = {}) {
  await insertMembers(sql, SMALL_NETWORK);
  const periods = await insertPeriods(sql, ['2026-09', '2026-10', '2026-11']);
  const orderIds = opts.orders === false ? [] : await insertOrders(sql, periods, SMALL_ORDERS);
  return { periods, orderIds };
}

/** A pending order ready to be confirmed. */
export async function pendingOrder(
  sql: postgres.Sql,
  memberId: number,
  pv: string,
  vn = '0',
  opts: { currency?: TestOrder['currency']; country?: TestOrder['country']; createdAt?: string; kitPv?: string } = {},
) {
  const [id] = await insertOrders(sql, new Map(), [
    { memberId, periodKey: null, pv, vn, status: 'pending', currency: opts.currency, country: opts.country, createdAt: opts.createdAt, kitPv: opts.kitPv },
  ]);
  return id!;
}

/** member_volumes of a period as a plain object keyed by member id. */
export async function volumesOf(sql: postgres.Sql, periodId: number) {
  const rows = await sql<{ member_id: string; pv: string; vn: string; pvg: string; paid_as_rank: number }[]>`
    select member_id, pv::text, vn::text, pvg::text, paid_as_rank from member_volumes where period_id = ${periodId} order by member_id`;
  return Object.fromEntries(rows.map((r) => [Number(r.member_id), { pv: r.pv, vn: r.vn, pvg: r.pvg, rank: r.paid_as_rank }]));
}

/** Cached figures of a period (period_stats + period_rank_counts), for equality checks. */
export async function statsOf(sql: postgres.Sql, periodId: number) {
  const [s] = await sql<{ members_active: number; members_advancing: number; orders_paid: number; pv: string; vn_mxn: string }[]>`
    select members_active, members_advancing, orders_paid, pv::text, vn_mxn::text from period_stats where period_id = ${periodId}`;
  const ranks = await sql<
    { rank: number; members: number }[]
  >`select rank, members from period_rank_counts where period_id = ${periodId} and members <> 0 order by rank`;
  return { ...s, ranks: ranks.map((r) => [r.rank, r.members]) };
}
