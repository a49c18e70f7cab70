import { describe, expect, it } from 'vitest';
import { InvalidPeriodError, closeTiming, isInPeriod, mexicoDayOfMonth, nextPeriod, periodBounds, periodDayStart, periodOf, previousPeriod } from './period';

describe('period boundaries (America/Mexico_City calendar months as UTC instants)', () => {
  it('November 2026 is [2026-11-01T06:00Z, 2026-12-01T06:00Z)', () => {
    const b = periodBounds('2026-11');
    expect(b.startsAt.toISOString()).toBe('2026-11-01T06:00:00.000Z');
    expect(b.endsAt.toISOString()).toBe('2026-12-01T06:00:00.000Z');
  });
  it('the last millisecond of October belongs to October', () => {
    expect(periodOf('2026-11-01T05:59:59.999Z')).toBe('2026-10');
    expect(periodOf('2026-11-01T06:00:00Z')).toBe('2026-11');
    expect(periodOf(new Date('2026-12-01T05:59:59.999Z'))).toBe('2026-11');
    expect(periodOf('2026-11-30T23:30:00-06:00')).toBe('2026-11');
    expect(isInPeriod('2026-11-01T05:59:59.999Z', '2026-11')).toBe(false);
    expect(isInPeriod('2026-11-01T06:00:00.000Z', '2026-11')).toBe(true);
  });
  it('created 31 Dec 23:59:59, paid 1 Jan 00:01 Mexico time: January', () => {
    expect(periodOf('2026-12-31T23:59:59-06:00')).toBe('2026-12');
    expect(periodOf('2027-01-01T00:01:00-06:00')).toBe('2027-01');
    expect(periodBounds('2027-01').startsAt.toISOString()).toBe('2027-01-01T06:00:00.000Z');
  });
  it('uses the tz database, so periods from the DST years shift (no hard-coded -6)', () => {
    // Mexico observed DST until 2022: April 4 – October 31 in 2021.
    expect(periodBounds('2021-04').startsAt.toISOString()).toBe('2021-04-01T06:00:00.000Z');
    expect(periodBounds('2021-04').endsAt.toISOString()).toBe('2021-05-01T05:00:00.000Z');
    expect(periodBounds('2021-10').endsAt.toISOString()).toBe('2021-11-01T06:00:00.000Z');
    expect(periodOf('2021-05-01T04:59:59.999Z')).toBe('2021-04');
    expect(periodOf('2021-05-01T05:00:00Z')).toBe('2021-05');
  });
  it('steps between periods across years', () => {
    expect(nextPeriod('2026-12')).toBe('2027-01');
    expect(previousPeriod('2027-01')).toBe('2026-12');
    expect(nextPeriod('2026-01')).toBe('2026-02');
    expect(previousPeriod('2026-11')).toBe('2026-10');
  });
  it('gives the Mexico-time day of the month', () => {
    expect(mexicoDayOfMonth('2026-11-08T05:59:59Z')).toBe(7);
    expect(mexicoDayOfMonth('2026-11-08T06:00:00Z')).toBe(8);
    expect(periodDayStart('2026-11', 8).toISOString()).toBe('2026-11-08T06:00:00.000Z');
  });
  it('rejects malformed keys', () => {
    for (const k of ['2026-13', '2026-1', '26-11', '2026-00', '2026/11']) {
      expect(() => periodBounds(k)).toThrow(InvalidPeriodError);
    }
  });
  it('rejects instants without a zone', () => {
    expect(() => periodOf('2026-11-10T10:00:00')).toThrow();
  });
});

describe('closeTiming: the close guard', () => {
  const nov = periodBounds('2026-11');
  it('refuses before the end, allows from the end instant on', () => {
    expect(closeTiming(nov, nov.endsAt.getTime() - 1)).toMatchObject({ closable: false, reason: 'NOT_ENDED', closableFrom: nov.endsAt });
    expect(closeTiming(nov, nov.endsAt)).toMatchObject({ closable: true });
    expect(closeTiming(nov, '2027-03-01T00:00:00Z')).toMatchObject({ closable: true });
  });
  it('a period that has not started is a future period', () => {
    expect(closeTiming(nov, nov.startsAt.getTime() - 1)).toMatchObject({ closable: false, reason: 'NOT_STARTED' });
    expect(closeTiming(nov, nov.startsAt)).toMatchObject({ closable: false, reason: 'NOT_ENDED' });
  });
});
