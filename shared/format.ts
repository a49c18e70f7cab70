/**
 * Display helpers shared by the screens: amounts stay decimal strings until they are shown, and
 * instants are shown in Mexico-Central time whatever the machine's time zone.
 */
export const DISPLAY_TIME_ZONE = 'America/Mexico_City';

export type Locale = 'es-MX' | 'en';

/** Groups a decimal string for display without turning it into a binary float. */
export function formatMoney(amount: string | null | undefined, currency: string, _locale: Locale = 'es-MX'): string {
  if (amount == null || amount === '') return '—';
  const neg = amount.startsWith('-');
  const [int = '0', frac = ''] = (neg ? amount.slice(1) : amount).split('.');
  const grouped = int.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (frac + '00').slice(0, 2);
  const symbol = currency === 'MXN' || currency === 'USD' || currency === 'COP' || currency === 'DOP' ? '$' : '';
  const text = `${symbol}${grouped}.${cents} ${currency}`;
  return neg ? `-${text}` : text;
}

/** Points (PV, PVG): grouped digits, decimals only when present. */
export function formatPoints(value: string | null | undefined): string {
  if (value == null || value === '') return '—';
  const neg = value.startsWith('-');
  const [int = '0', frac = ''] = (neg ? value.slice(1) : value).split('.');
  const trimmed = frac.replace(/0+$/, '');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}${trimmed ? `.${trimmed}` : ''}`;
}

export function formatInstant(iso: string | null | undefined, locale: Locale = 'es-MX', withTime = true): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return new Intl.DateTimeFormat(locale === 'es-MX' ? 'es-MX' : 'en-US', {
    timeZone: DISPLAY_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    ...(withTime ? { hour: '2-digit', minute: '2-digit', hour12: false } : {}),
  }).format(d);
}

/** "1 de enero de 2027, 00:00" / "January 1, 2027, 00:00" in Mexico-Central time (e.g. when a period can close). */
export function formatLongDateTime(iso: string | null | undefined, locale: Locale = 'es-MX'): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const lang = locale === 'es-MX' ? 'es-MX' : 'en-US';
  const day = new Intl.DateTimeFormat(lang, { timeZone: DISPLAY_TIME_ZONE, day: 'numeric', month: 'long', year: 'numeric' }).format(d);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: DISPLAY_TIME_ZONE, hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
  return `${day}, ${time}`;
}

/**
 * A rate stored as a fraction ("0.1", "0.035000") as a percentage: "10 %" in Spanish, "10%" in
 * English. The decimal point is moved in the string (no binary float); trailing zeros dropped.
 */
export function formatRate(rate: string | null | undefined, locale: Locale = 'es-MX'): string {
  if (rate == null || rate === '') return '—';
  const neg = rate.startsWith('-');
  const [int = '0', frac = ''] = (neg ? rate.slice(1) : rate).split('.');
  const digits = `${int}${frac.padEnd(2, '0')}`;
  const cut = int.length + 2;
  const whole = digits.slice(0, cut).replace(/^0+(?=\d)/, '');
  const rest = digits.slice(cut).replace(/0+$/, '');
  const n = `${neg ? '-' : ''}${whole}${rest ? `.${rest}` : ''}`;
  return locale === 'es-MX' ? `${n} %` : `${n}%`;
}

export type AmountProblem = 'empty' | 'negative' | 'zero' | 'comma' | 'format';

/**
 * Why an amount typed by staff is not a money amount (issue 20): the screen says it beside the
 * field instead of only disabling the button. Amounts are written with a point for cents and at
 * most two decimals ("1500", "12.50"); a comma is taken as a decimal comma and refused, named.
 */
export function amountProblem(raw: string, opts: { allowZero?: boolean } = {}): AmountProblem | null {
  const s = raw.trim();
  if (s === '') return 'empty';
  if (/^-/.test(s)) return 'negative';
  if (/^\d+,\d{1,2}$/.test(s)) return 'comma';
  if (!/^\d{1,16}(\.\d{1,2})?$/.test(s)) return 'format';
  if (!opts.allowZero && !/[1-9]/.test(s)) return 'zero';
  return null;
}

/**
 * A period's end as the last day it contains: periods are stored [starts_at, ends_at), so the day
 * shown is the one before ends_at in Mexico-Central time ("31/12/2026", never "01/01/2027, 00:00").
 */
export function formatPeriodLastDay(endsAtIso: string | null | undefined, locale: Locale = 'es-MX'): string {
  if (!endsAtIso) return '—';
  return formatInstant(new Date(new Date(endsAtIso).getTime() - 1).toISOString(), locale, false);
}

/** Day N of M of a period still running at `now` (ms), else null: its month is over (issue 20, the dashboard's partial-month note). */
export function periodProgress(startsAt: string, endsAt: string, now: number): { day: number; days: number } | null {
  const start = new Date(startsAt).getTime();
  const end = new Date(endsAt).getTime();
  if (!(now >= start && now < end)) return null;
  return { day: Math.floor((now - start) / 86_400_000) + 1, days: Math.round((end - start) / 86_400_000) };
}
