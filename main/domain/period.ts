/**
 * Commission periods: a period is a calendar month in America/Mexico_City, keyed 'YYYY-MM' and
 * stored as the UTC instants [startsAt, endsAt). Offsets come from the tz database (Intl), never a
 * hard-coded -6 (Mexico has had no DST since 2022, but older periods did).
 */

export const PERIOD_TIME_ZONE = 'America/Mexico_City';

export type PeriodKey = `${number}-${number}`;

export interface PeriodBounds {
  readonly key: PeriodKey;
  /** First instant of the period (inclusive), UTC. */
  readonly startsAt: Date;
  /** First instant after the period (exclusive), UTC. */
  readonly endsAt: Date;
}

export class InvalidPeriodError extends Error {
  override readonly name = 'InvalidPeriodError';
  constructor(readonly input: unknown) {
    super(`invalid period key ${JSON.stringify(input)} (expected 'YYYY-MM')`);
  }
}

export class InvalidInstantError extends Error {
  override readonly name = 'InvalidInstantError';
  constructor(readonly input: unknown) {
    super(`invalid instant ${JSON.stringify(input)}`);
  }
}

const PERIOD_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriodKey(value: unknown): value is PeriodKey {
  return typeof value === 'string' && PERIOD_RE.test(value);
}

export function parsePeriodKey(key: string): { year: number; month: number } {
  const m = PERIOD_RE.exec(key);
  if (!m) throw new InvalidPeriodError(key);
  return { year: Number(m[1]), month: Number(m[2]) };
}

export function periodKey(year: number, month: number): PeriodKey {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12 || year < 1000 || year > 9999) {
    throw new InvalidPeriodError(`${year}-${month}`);
  }
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}` as PeriodKey;
}

export function nextPeriod(key: string): PeriodKey {
  const { year, month } = parsePeriodKey(key);
  return month === 12 ? periodKey(year + 1, 1) : periodKey(year, month + 1);
}

export function previousPeriod(key: string): PeriodKey {
  const { year, month } = parsePeriodKey(key);
  return month === 1 ? periodKey(year - 1, 12) : periodKey(year, month - 1);
}

/** Compares period keys chronologically (negative, zero, positive). */
export function comparePeriods(a: string, b: string): number {
  parsePeriodKey(a);
  parsePeriodKey(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An instant: a Date, epoch milliseconds, or an ISO-8601 string with an offset or 'Z'. */
export type Instant = Date | number | string;

export function toEpochMs(instant: Instant): number {
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : parseIsoInstant(instant);
  if (!Number.isFinite(ms)) throw new InvalidInstantError(instant);
  return ms;
}

const ISO_WITH_ZONE_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function parseIsoInstant(s: string): number {
  // Refuse strings without an explicit zone: they would be read in the host's local time.
  if (typeof s !== 'string' || !ISO_WITH_ZONE_RE.test(s)) return Number.NaN;
  return Date.parse(s);
}

const partsFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: PERIOD_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Wall-clock fields of an instant in Mexico Central time. */
export function mexicoLocalParts(instant: Instant): LocalParts {
  const ms = toEpochMs(instant);
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of partsFormatter.formatToParts(new Date(ms))) {
    if (p.type in out) out[p.type as keyof LocalParts] = Number(p.value);
  }
  return out;
}

/** Offset (local − UTC) in ms of Mexico Central time at a UTC instant. */
function offsetAt(ms: number): number {
  const p = mexicoLocalParts(ms);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const wholeSeconds = ms - (((ms % 1000) + 1000) % 1000);
  return asUtc - wholeSeconds;
}

/** The UTC instant of a Mexico Central wall-clock time (for a gap, the later valid instant). */
export function mexicoWallTimeToUtc(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const off1 = offsetAt(guess - 0);
  let candidate = guess - off1;
  const off2 = offsetAt(candidate);
  if (off2 !== off1) candidate = guess - off2;
  return candidate;
}

const boundsCache = new Map<string, PeriodBounds>();

/** [startsAt, endsAt) of a period as UTC instants. */
export function periodBounds(key: string): PeriodBounds {
  const cached = boundsCache.get(key);
  if (cached) return cached;
  const { year, month } = parsePeriodKey(key);
  const startsAt = new Date(mexicoWallTimeToUtc(year, month, 1));
  const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
  const endsAt = new Date(mexicoWallTimeToUtc(next.year, next.month, 1));
  const bounds: PeriodBounds = Object.freeze({ key: periodKey(year, month), startsAt, endsAt });
  boundsCache.set(key, bounds);
  return bounds;
}

/** The period containing an instant (Mexico Central calendar month). */
export function periodOf(instant: Instant): PeriodKey {
  const p = mexicoLocalParts(instant);
  return periodKey(p.year, p.month);
}

/** The day of the month (1–31) of an instant in Mexico Central time. */
export function mexicoDayOfMonth(instant: Instant): number {
  return mexicoLocalParts(instant).day;
}

/** The UTC instant at which day `day` of a period starts in Mexico Central time. */
export function periodDayStart(key: string, day: number): Date {
  const { year, month } = parsePeriodKey(key);
  return new Date(mexicoWallTimeToUtc(year, month, day));
}

/** True when the instant lies in [startsAt, endsAt) of the period. */
export function isInPeriod(instant: Instant, key: string): boolean {
  const ms = toEpochMs(instant);
  const b = periodBounds(key);
  return ms >= b.startsAt.getTime() && ms < b.endsAt.getTime();
}

/** Why a period cannot be closed yet at an instant, or null when it can. */
export type CloseTiming = { closable: true; closableFrom: Date } | { closable: false; reason: 'NOT_STARTED' | 'NOT_ENDED'; closableFrom: Date };

/**
 * The close guard's rule: a period closes only once it has ended (now ≥ endsAt, the first instant
 * of the next Mexico-Central month); before its start it is a future period, never closable.
 * A close cut short would send the rest of the month's orders to the next period.
 */
export function closeTiming(bounds: { startsAt: Date; endsAt: Date }, now: Instant): CloseTiming {
  const ms = toEpochMs(now);
  const closableFrom = bounds.endsAt;
  if (ms >= bounds.endsAt.getTime()) return { closable: true, closableFrom };
  return { closable: false, reason: ms < bounds.startsAt.getTime() ? 'NOT_STARTED' : 'NOT_ENDED', closableFrom };
}
