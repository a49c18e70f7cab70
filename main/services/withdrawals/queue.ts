/**
 * The finance queue: one filtered page and the totals of the whole filtered set (per currency),
 * answered by two indexed queries that run side by side. The filters only touch columns of
 * `withdrawals` (country and risk flags are stored on the row at request time), so neither query
 * needs a join except the page's 50 rows to their members.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { Decimal } from '../../domain/money';
import { RISK_BIT, flagsOfMask, type RiskFlag } from '../../domain/withdrawals';
import type { WithdrawalRow } from '../../../shared/contract/withdrawals';

export interface QueueFilters {
  status?: 'pending' | 'approved' | 'processing' | 'paid' | 'rejected' | 'failed';
  country?: 'MX' | 'US' | 'CO' | 'DO';
  currency?: 'MXN' | 'USD' | 'COP' | 'DOP';
  minAmount?: string;
  maxAmount?: string;
  from?: string;
  to?: string;
  risk?: 'any' | 'none' | RiskFlag;
  memberId?: number;
  ids?: number[];
}

export interface QueueInput extends QueueFilters {
  page: number;
  pageSize: number;
  sort: 'requestedAt' | 'amount' | 'member' | 'status';
  dir: 'asc' | 'desc';
}

export function whereOf(f: QueueFilters): SQL {
  const c: SQL[] = [sql`true`];
  if (f.status) c.push(sql`w.status = ${f.status}::withdrawal_status`);
  if (f.country) c.push(sql`w.country = ${f.country}`);
  if (f.currency) c.push(sql`w.currency = ${f.currency}`);
  if (f.minAmount) c.push(sql`w.amount >= ${f.minAmount}::numeric`);
  if (f.maxAmount) c.push(sql`w.amount <= ${f.maxAmount}::numeric`);
  if (f.from) c.push(sql`w.requested_at >= ${f.from}::timestamptz`);
  if (f.to) c.push(sql`w.requested_at < ${f.to}::timestamptz`);
  if (f.memberId) c.push(sql`w.member_id = ${f.memberId}`);
  if (f.ids) c.push(sql`w.id = any(${`{${f.ids.map((i) => Math.trunc(i)).join(',')}}`}::bigint[])`);
  if (f.risk === 'any') c.push(sql`w.risk_mask <> 0`);
  else if (f.risk === 'none') c.push(sql`w.risk_mask = 0`);
  // A flag implies a non-zero mask: said, so that the flagged rows' own index answers (drizzle/0076).
  else if (f.risk) c.push(sql`w.risk_mask <> 0 and (w.risk_mask & ${RISK_BIT[f.risk]}::smallint) <> 0`);
  return sql.join(c, sql` and `);
}

export function orderOf(sort: QueueInput['sort'], dir: QueueInput['dir']): SQL {
  const d = dir === 'asc' ? sql`asc` : sql`desc`;
  switch (sort) {
    case 'amount':
      return sql`w.amount ${d}, w.id ${d}`;
    case 'member':
      return sql`m.code ${d}, w.requested_at desc, w.id desc`;
    case 'status':
      return sql`w.status ${d}, w.requested_at desc, w.id desc`;
    default:
      return sql`w.requested_at ${d}, w.id ${d}`;
  }
}

export type RawRow = {
  id: string;
  member_id: string;
  member_code: string;
  first_name: string;
  last_name: string;
  country: string;
  currency: string;
  amount: string;
  fee: string;
  net: string;
  status: WithdrawalRow['status'];
  source: WithdrawalRow['source'];
  requested_at: Date | string;
  risk_mask: number;
  payout_method: WithdrawalRow['payoutMethod'];
  last_payout_error: string | null;
  updated_at: Date | string;
  approvals_required: number;
  first_approved_at: Date | string | null;
};

export const ROW_COLUMNS = sql`w.id, w.member_id, m.code as member_code, m.first_name, m.last_name, w.country, w.currency, w.amount, w.fee, w.net,
  w.status, w.source, w.requested_at, w.risk_mask, w.payout_method, w.last_payout_error, w.updated_at, w.approvals_required, w.first_approved_at`;

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

export function toRow(r: RawRow): WithdrawalRow {
  return {
    id: Number(r.id),
    memberId: Number(r.member_id),
    memberCode: r.member_code,
    memberName: `${r.first_name} ${r.last_name}`.trim(),
    country: r.country as WithdrawalRow['country'],
    currency: r.currency as WithdrawalRow['currency'],
    amount: new Decimal(r.amount).toFixed(2),
    fee: new Decimal(r.fee).toFixed(2),
    net: new Decimal(r.net).toFixed(2),
    status: r.status,
    source: r.source,
    requestedAt: iso(r.requested_at),
    riskFlags: flagsOfMask(Number(r.risk_mask)),
    payoutMethod: r.payout_method ?? null,
    lastPayoutError: r.last_payout_error ?? null,
    updatedAt: iso(r.updated_at),
    approvalsRequired: Number(r.approvals_required ?? 1),
    awaitingSecondApproval: r.status === 'pending' && r.first_approved_at != null,
  };
}

/**
 * Runs one of the queue's queries without parallel workers when its filters are broad (no status,
 * member or ids: every row of the queue may be read). Such a query was planned as a parallel
 * index-only scan: starting two workers cost more than they saved on a 2-core server (the totals
 * of every row: 60 ms parallel, 26 ms serial). The setting is local to a transaction, which costs two
 * more round trips (BEGIN, COMMIT): the narrow filters, read through their own index, skip it.
 */
async function serialWhenBroad<T>(db: DbOrTx, f: QueueFilters, run: (tx: DbOrTx) => Promise<T>): Promise<T> {
  if (f.status || f.memberId || f.ids) return run(db);
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
    return run(tx);
  });
}

/**
 * Filters on status, country, currency and risk flags alone: the kept totals (withdrawal_totals,
 * drizzle/0080) have those columns under the same names, so whereOf's conditions read them as they
 * read the rows. Amounts, dates, a member or ids need the rows themselves. The kept table is read
 * through KEPT, which shows only the four grouping columns under their names: a filter on any other
 * column fails there loudly instead of reading a sum as if it were a row's amount.
 */
export function totalsAreKept(f: QueueFilters): boolean {
  return !f.minAmount && !f.maxAmount && !f.from && !f.to && !f.memberId && !f.ids;
}

type TotalsRow = { currency: string; n: number; amount: string; fee: string; net: string };

const KEPT = sql`(select status, country, currency, risk_mask, n as kept_n, amount as kept_amount, fee as kept_fee, net as kept_net
  from withdrawal_totals)`;

/** The totals from the kept table (only for filters totalsAreKept accepts; any other fails loudly). */
export async function keptTotalsOf(db: DbOrTx, f: QueueFilters) {
  return totalsFrom(
    await db.execute<TotalsRow>(sql`
      select w.currency, sum(w.kept_n)::int as n, sum(w.kept_amount)::text as amount, sum(w.kept_fee)::text as fee, sum(w.kept_net)::text as net
        from ${KEPT} w where ${whereOf(f)} group by w.currency having sum(w.kept_n) <> 0 order by w.currency`),
  );
}

/** The totals summed over the filtered rows themselves. */
export async function summedTotalsOf(db: DbOrTx, f: QueueFilters) {
  return totalsFrom(
    await serialWhenBroad(db, f, (tx) =>
      tx.execute<TotalsRow>(sql`
        select w.currency, count(*)::int as n, sum(w.amount)::text as amount, sum(w.fee)::text as fee, sum(w.net)::text as net
          from withdrawals w where ${whereOf(f)} group by w.currency order by w.currency`),
    ),
  );
}

export function totalsOf(db: DbOrTx, f: QueueFilters) {
  return totalsAreKept(f) ? keptTotalsOf(db, f) : summedTotalsOf(db, f);
}

function totalsFrom(rows: TotalsRow[]) {
  return rows.map((r) => ({
    currency: r.currency as WithdrawalRow['currency'],
    count: Number(r.n),
    amount: new Decimal(r.amount).toFixed(2),
    fee: new Decimal(r.fee).toFixed(2),
    net: new Decimal(r.net).toFixed(2),
  }));
}

/** First (or any) page of the queue, plus count and per-currency totals of the filtered set. */
export async function listWithdrawals(db: DbOrTx, input: QueueInput) {
  const where = whereOf(input);
  const order = orderOf(input.sort, input.dir);
  const offset = (input.page - 1) * input.pageSize;
  // The page's ids come from the withdrawals alone (an index-only scan in queue order); only those
  // rows are then joined to their members. Sorting by member needs the join first.
  const page =
    input.sort === 'member'
      ? sql`select ${ROW_COLUMNS} from withdrawals w join members m on m.id = w.member_id
           where ${where} order by ${order} limit ${input.pageSize} offset ${offset}`
      : sql`with page as (select w.id from withdrawals w where ${where} order by ${order} limit ${input.pageSize} offset ${offset})
          select ${ROW_COLUMNS} from page p join withdrawals w on w.id = p.id join members m on m.id = w.member_id order by ${order}`;
  const [rows, totals] = await Promise.all([serialWhenBroad(db, input, (tx) => tx.execute<RawRow>(page)), totalsOf(db, input)]);
  return {
    rows: rows.map(toRow),
    total: totals.reduce((s, t) => s + t.count, 0),
    page: input.page,
    pageSize: input.pageSize,
    totals,
  };
}
