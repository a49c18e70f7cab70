import { z } from 'zod';
import { rule } from './error-messages';

/** Currencies of the plan; every amount crossing IPC is a decimal string in one of them. */
export const CURRENCIES = ['MXN', 'USD', 'COP', 'DOP'] as const;
export type Currency = (typeof CURRENCIES)[number];
export const COUNTRIES = ['MX', 'US', 'CO', 'DO'] as const;
export type Country = (typeof COUNTRIES)[number];
export const CURRENCY_OF: Record<Country, Currency> = { MX: 'MXN', US: 'USD', CO: 'COP', DO: 'DOP' };

/** A money amount: decimal string with at most 2 decimals ("1234.50"), never a JS number. */
export const MoneyString = z.string().regex(/^-?\d{1,16}(\.\d{1,2})?$/, rule('money'));
/** A strictly positive money amount. */
export const PositiveMoneyString = MoneyString.refine((s) => !s.startsWith('-') && /[1-9]/.test(s), rule('moneyPositive'));
/** Points and other exact decimals (PV, PVG). */
export const DecimalString = z.string().regex(/^-?\d{1,16}(\.\d{1,6})?$/, rule('decimal'));
export const CurrencyCode = z.enum(CURRENCIES);
export const CountryCode = z.enum(COUNTRIES);

/**
 * An instant as ISO-8601 UTC text, between 2000 and 2199: nothing in the business is older, and
 * year 0000 / 1900 inputs otherwise reach PostgreSQL (or Date) as nonsense.
 */
export const Instant = z
  .string()
  .datetime({ offset: true })
  .refine((s) => {
    const t = Date.parse(s);
    return Number.isFinite(t) && t >= Date.UTC(2000, 0, 1) && t < Date.UTC(2200, 0, 1);
  }, rule('instantRange'));
