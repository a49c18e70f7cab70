/**
 * Which period an instant belongs to, the open period, and the guard every writer of a period's
 * data uses. Periods are Mexico-Central calendar months stored as UTC [starts_at, ends_at)
 * (main/domain/period.ts); exactly one is open at a time (the partial unique index).
 */
import { and, asc, desc, eq, gt, lte, sql } from 'drizzle-orm';
import { periods, periodStats } from '../../db/schema';
import type { DbOrTx } from '../../db/client';
import { periodBounds, periodOf, type Instant, toEpochMs } from '../../domain/period';
import { AppError } from '../../../shared/errors';

export type PeriodStatus = 'open' | 'closing' | 'closed';
export interface PeriodRow {
  id: number;
  key: string;
  startsAt: Date;
  endsAt: Date;
  status: PeriodStatus;
  openedAt: Date;
  closedAt: Date | null;
  closedBy: string | null;
}

/** Which periods to select: by id, by key, the open one, or the one containing an instant. */
interface PeriodFilter {
  id?: number;
  key?: string;
  open?: boolean;
  at?: Date;
}

function whereOf(f: PeriodFilter) {
  if (f.id !== undefined) return eq(periods.id, f.id);
  if (f.key !== undefined) return eq(periods.key, f.key);
  if (f.open) return eq(periods.status, 'open');
  return and(lte(periods.startsAt, f.at!), gt(periods.endsAt, f.at!));
}

/**
 * The period selected by `f`, optionally locked. A FOR SHARE lock goes through
 * nnp_periods_for_share (drizzle/0054), which selects and locks in one statement: FOR SHARE needs
 * UPDATE on periods, which no staff login has, yet a draft plan or an order must hold its period
 * still (no close may start meanwhile).
 */
async function periodRow(db: DbOrTx, f: PeriodFilter, lock: 'share' | 'update' | undefined): Promise<PeriodRow | null> {
  if (lock !== 'share') {
    const q = db.select().from(periods).where(whereOf(f));
    const [row] = lock === 'update' ? await q.for('update') : await q;
    return row ?? null;
  }
  const [r] = await db.execute<{
    id: number;
    key: string;
    starts_at: string | Date;
    ends_at: string | Date;
    status: PeriodStatus;
    opened_at: string | Date;
    closed_at: string | Date | null;
    closed_by: string | null;
  }>(sql`select id, key, starts_at, ends_at, status, opened_at, closed_at, closed_by
    from nnp_periods_for_share(${f.id ?? null}::integer, ${f.key ?? null}::text, ${!!f.open}, ${f.at?.toISOString() ?? null}::timestamptz)`);
  if (!r) return null;
  return {
    id: Number(r.id),
    key: r.key,
    startsAt: new Date(r.starts_at),
    endsAt: new Date(r.ends_at),
    status: r.status,
    openedAt: new Date(r.opened_at),
    closedAt: r.closed_at == null ? null : new Date(r.closed_at),
    closedBy: r.closed_by,
  };
}

export async function periodByKey(db: DbOrTx, key: string, lock?: 'share' | 'update'): Promise<PeriodRow | null> {
  return periodRow(db, { key }, lock);
}

export async function periodById(db: DbOrTx, id: number, lock?: 'share' | 'update'): Promise<PeriodRow | null> {
  return periodRow(db, { id }, lock);
}

/** The open period (there is at most one), optionally locked FOR SHARE so it cannot start closing meanwhile. */
export async function openPeriod(db: DbOrTx, lock?: 'share' | 'update'): Promise<PeriodRow | null> {
  return periodRow(db, { open: true }, lock);
}

/** The period whose [starts_at, ends_at) holds the instant, if that period exists. */
export async function periodContaining(db: DbOrTx, instant: Date, lock?: 'share' | 'update'): Promise<PeriodRow | null> {
  return periodRow(db, { at: instant }, lock);
}

export type Assignment =
  | { kind: 'period'; period: PeriodRow; late: boolean }
  /** The instant lies after the open period: its own period does not exist yet; the order waits for it to open. */
  | { kind: 'future'; periodKey: string };

/**
 * The period an order confirmed at `instant` counts in. The rule: the period that contains the
 * payment instant (created_at never decides). When that period is closing or closed (a late
 * confirmation) — or lies before every period kept — the order goes to the open period instead.
 * An instant after the open period's end belongs to a period not opened yet: the order keeps
 * period_id null and is assigned when that period opens (at the close of the current one).
 * Rows are locked FOR SHARE: a close cannot flip the period's status until this transaction ends.
 */
export async function assignPeriod(tx: DbOrTx, instant: Instant): Promise<Assignment> {
  const at = new Date(toEpochMs(instant));
  const own = await periodContaining(tx, at, 'share');
  if (own && own.status === 'open') return { kind: 'period', period: own, late: false };
  let open = await openPeriod(tx, 'share');
  // A new installation has no periods yet: its first confirmed payment opens the period containing it.
  if (!open && !own) open = await ensureOpenPeriod(tx, at);
  if (!open) throw AppError.of('CONFLICT', 'period.noneOpen');
  if (open.startsAt.getTime() <= at.getTime() && at.getTime() < open.endsAt.getTime()) return { kind: 'period', period: open, late: false };
  if (!own && at.getTime() >= open.endsAt.getTime()) return { kind: 'future', periodKey: periodOf(at) };
  return { kind: 'period', period: open, late: true };
}

/** Refuses any change to a period that is closed (PERIOD_CLOSED) or being closed (CONFLICT, unless allowed). */
export function assertPeriodWritable(period: Pick<PeriodRow, 'key' | 'status'>, opts: { allowClosing?: boolean } = {}): void {
  if (period.status === 'closed') {
    throw AppError.of('PERIOD_CLOSED', 'period.closed', { period: period.key }, { period: period.key });
  }
  if (period.status === 'closing' && !opts.allowClosing) {
    throw AppError.of('CONFLICT', 'period.closing', { period: period.key }, { period: period.key });
  }
}

/**
 * On a database without periods, opens the period containing `now` (a new installation: called
 * by the first payment confirmation). A database with periods is left alone. Creates the period's
 * (empty) cached aggregates too.
 */
export async function ensureOpenPeriod(db: DbOrTx, now: Date = new Date()): Promise<PeriodRow | null> {
  const [any] = await db.select({ id: periods.id }).from(periods).limit(1);
  if (any) return openPeriod(db);
  const b = periodBounds(periodOf(now));
  const [row] = await db
    .insert(periods)
    .values({ key: b.key, startsAt: b.startsAt, endsAt: b.endsAt, status: 'open', openedAt: now })
    .onConflictDoNothing()
    .returning();
  if (row) await db.insert(periodStats).values({ periodId: row.id }).onConflictDoNothing();
  return row ?? openPeriod(db);
}

export async function listPeriods(db: DbOrTx, order: 'asc' | 'desc' = 'desc'): Promise<PeriodRow[]> {
  return db
    .select()
    .from(periods)
    .orderBy(order === 'asc' ? asc(periods.startsAt) : desc(periods.startsAt));
}

/** The period right before `p` in the calendar, if kept. */
export async function previousPeriodRow(db: DbOrTx, p: Pick<PeriodRow, 'startsAt'>): Promise<PeriodRow | null> {
  const [row] = await db
    .select()
    .from(periods)
    .where(sql`${periods.endsAt} = ${p.startsAt.toISOString()}::timestamptz`);
  return row ?? null;
}
