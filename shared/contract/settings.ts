import { z } from 'zod';
import { ALL_STAFF, mutation, query } from './define';
import { CountryCode, CurrencyCode, Instant, MoneyString } from '../money';
import { rule } from '../error-messages';

/** A company rate: MXN per one unit of the currency, > 0, at most 6 decimals. */
export const RateString = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,6})?$/, rule('rate'))
  .refine((s) => /[1-9]/.test(s), 'El tipo de cambio debe ser mayor que cero');

export const ExchangeRateRow = z.object({
  id: z.number().int(),
  currency: CurrencyCode,
  rateToMxn: z.string(),
  effectiveFrom: Instant,
  createdBy: z.string().nullable(),
  createdAt: Instant,
  inForce: z.boolean(),
});

const RateInput = z
  .object({
    currency: z.enum(['USD', 'COP', 'DOP'], { message: rule('baseCurrency') }),
    rateToMxn: RateString,
    effectiveFrom: Instant,
  })
  .strict();

export const RateImpact = z.object({
  openPeriod: z.string().nullable(),
  /** Period commissions of the open period use the rate in force at its start. */
  affectsOpenPeriodCommissions: z.boolean(),
  /** Instant bonuses paid from effectiveFrom on use it. */
  instantFrom: Instant,
  currentRate: z.string().nullable(),
  ordersInOpenPeriod: z.number().int(),
  vnInOpenPeriod: MoneyString,
  membersInCurrency: z.number().int(),
});

export const ProductRow = z.object({
  id: z.number().int(),
  sku: z.string(),
  name: z.string(),
  kind: z.enum(['kit', 'product']),
  pv: z.string(),
  active: z.boolean(),
  prices: z.array(z.object({ country: CountryCode, price: z.string(), vn: z.string() })),
});

const CsvText = z.string().min(1, 'El archivo está vacío').max(2_000_000, 'Archivo demasiado grande');

export const ImportPreview = z.object({
  valid: z.boolean(),
  rows: z.number().int(),
  errors: z.array(z.object({ row: z.number().int(), field: z.string().nullable(), message: z.string() })),
  changes: z.array(z.object({ sku: z.string(), change: z.enum(['new', 'changed', 'unchanged']), fields: z.array(z.string()) })),
});

export const settingsContract = {
  'rates.list': query({
    roles: ALL_STAFF,
    summary: 'Every company exchange rate, newest first, with the ones in force.',
    input: z.object({}).strict().default({}),
    output: z.array(ExchangeRateRow),
  }),
  'rates.impact': query({ roles: ['admin'], summary: 'What a new rate would touch in the open period.', input: RateInput, output: RateImpact }),
  'rates.add': mutation({
    roles: ['admin'],
    summary: 'Adds a rate effective from an instant; history is never edited.',
    input: RateInput,
    output: ExchangeRateRow,
  }),
  'catalogue.list': query({
    roles: ALL_STAFF,
    summary: 'Products and kits with per-country price and VN.',
    input: z
      .object({ includeInactive: z.boolean().default(true) })
      .strict()
      .default({ includeInactive: true }),
    output: z.array(ProductRow),
  }),
  'catalogue.setActive': mutation({
    roles: ['admin'],
    summary: 'Activates or deactivates a product.',
    input: z.object({ id: z.number().int().positive(), active: z.boolean() }).strict(),
    output: ProductRow,
  }),
  'catalogue.importPreview': query({
    roles: ['admin'],
    summary: 'Checks a catalogue CSV and lists its changes; writes nothing.',
    input: z.object({ csv: CsvText }).strict(),
    output: ImportPreview,
  }),
  'catalogue.importApply': mutation({
    roles: ['admin'],
    summary: 'Applies a catalogue CSV, only if every row is valid.',
    input: z.object({ csv: CsvText }).strict(),
    output: ImportPreview,
  }),
};
