/**
 * When an autoship charges: a day of the month (1–28) in Mexico City, at noon local time (so the
 * charge instant is well inside that Mexican calendar day, whatever Stripe's retry jitter).
 */
import { mexicoDayOfMonth, mexicoLocalParts, mexicoWallTimeToUtc } from '../../domain/period';

export const CHARGE_HOUR_MEXICO = 12;

/** The first charge instant on `day` (Mexico City, at noon) strictly after the Mexican calendar day of `after`. */
export function nextChargeInstant(day: number, after: Date): Date {
  if (!Number.isInteger(day) || day < 1 || day > 28) throw new RangeError(`charge day must be 1–28, got ${day}`);
  const p = mexicoLocalParts(after);
  let { year, month } = p;
  if (p.day >= day) {
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return new Date(mexicoWallTimeToUtc(year, month, day, CHARGE_HOUR_MEXICO));
}

/** The charge day of an instant (its Mexican day of month), or null past the 28th. */
export function chargeDayOf(instant: Date | number): number | null {
  const d = mexicoDayOfMonth(instant);
  return d >= 1 && d <= 28 ? d : null;
}
