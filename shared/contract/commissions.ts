import { z } from 'zod';
import { ALL_STAFF, PageInput, mutation, pageOf, query } from './define';
import { CountryCode, CurrencyCode, Instant, MoneyString } from '../money';
import { MemberId, PeriodKeyInput, RankNumber } from './members';
import { programmesContract } from './programmes';

export const CommissionType = z.enum(['directo', 'rapido', 'uninivel', 'alcance', 'matching', 'automovil']);

/** totals[type][currency] = amount (decimal string). */
export const TotalsByType = z.record(z.string(), z.record(z.string(), MoneyString));
/** amount per currency. */
export const TotalsByCurrency = z.record(z.string(), MoneyString);

/** Totals per beneficiary country (the beneficiary's currency): amount and beneficiaries. */
export const TotalsByCountry = z.array(z.object({ country: z.string(), currency: z.string(), amount: MoneyString, beneficiaries: z.number().int() }));

/** A stored preview's figures (commission_previews): who, when, totals. */
export const StoredPreview = z.object({
  id: z.number().int(),
  periodKey: z.string(),
  at: Instant,
  staffName: z.string().nullable(),
  byType: TotalsByType,
  byCurrency: TotalsByCurrency,
  byCountry: TotalsByCountry,
  lines: z.number().int(),
  beneficiaries: z.number().int(),
  ms: z.number().int(),
});

export const PeriodCommissionTotals = z.object({
  periodKey: z.string(),
  status: z.enum(['open', 'closing', 'closed']),
  byType: TotalsByType,
  byCurrency: TotalsByCurrency,
  lines: z.number().int(),
  beneficiaries: z.number().int(),
});

export const CommissionLine = z.object({
  id: z.number().int(),
  periodKey: z.string(),
  type: CommissionType,
  kind: z.enum(['line', 'clawback']),
  beneficiaryId: z.number().int(),
  sourceKind: z.enum(['order', 'member']),
  sourceId: z.number().int(),
  level: z.number().int(),
  base: MoneyString,
  baseCurrency: z.string(),
  rate: z.string().nullable(),
  amount: MoneyString,
  currency: z.string(),
  createdAt: Instant,
});
export type CommissionLine = z.infer<typeof CommissionLine>;

/** A line of a whole-period export: the line, its beneficiary and the exchange rates it used (MXN per unit). */
export const PeriodLine = CommissionLine.extend({
  beneficiaryCode: z.string(),
  country: z.string(),
  fxFrom: z.string(),
  fxTo: z.string(),
});

/** A period's posted lines, optionally of one type, currency or beneficiary country (paged or exported). */
const PeriodLinesFilter = z.object({
  periodKey: PeriodKeyInput,
  type: CommissionType.optional(),
  currency: CurrencyCode.optional(),
  country: CountryCode.optional(),
});

/** Largest page of `commissions.periodLines`. */
export const PERIOD_LINES_PAGE_MAX = 5000;

export const commissionsContract = {
  /** Posted commission totals per period (from commission_lines), newest first. */
  'commissions.periodTotals': query({
    summary: 'Totales de comisiones publicadas por periodo, tipo y moneda',
    roles: ALL_STAFF,
    input: z.object({ periodKey: PeriodKeyInput.optional() }).strict().default({}),
    output: z.array(PeriodCommissionTotals),
  }),
  /** A member's posted lines (as beneficiary), paged, optionally of one period. */
  'commissions.memberLines': query({
    summary: 'Líneas de comisión de un socio, paginadas',
    roles: ALL_STAFF,
    input: PageInput.extend({ memberId: MemberId, periodKey: PeriodKeyInput.optional() }).strict(),
    /** `sourceCode`: the code of the member a member-sourced line comes from (staff read codes, not ids). */
    output: pageOf(CommissionLine.extend({ sourceCode: z.string().nullable() })),
  }),
  /**
   * Engine run over the open period's current data. Commission lines, wallets and programmes are
   * untouched: the only write is the preview's own row in commission_previews (and its audit row),
   * so the next preview can answer the difference from this one.
   */
  'commissions.preview': mutation({
    summary: 'Vista previa de las comisiones del periodo abierto (no escribe líneas ni monederos; guarda sus totales)',
    roles: ['admin', 'finance'],
    input: z.object({}).strict().default({}),
    output: z.object({
      id: z.number().int(),
      periodKey: z.string(),
      computedAt: Instant,
      byType: TotalsByType,
      byCurrency: TotalsByCurrency,
      byCountry: TotalsByCountry,
      lines: z.number().int(),
      beneficiaries: z.number().int(),
      top: z.array(z.object({ memberId: z.number().int(), code: z.string(), name: z.string(), currency: z.string(), amount: MoneyString })),
      previous: z.object({ periodKey: z.string(), byType: TotalsByType, byCurrency: TotalsByCurrency, beneficiaries: z.number().int() }).nullable(),
      /** Preview minus the previous period's posted totals, per currency. */
      differenceByCurrency: TotalsByCurrency,
      /** The previous stored preview of the same period, if any. */
      previousPreview: StoredPreview.nullable(),
      /** This preview minus the previous preview of the same period, per type and currency and per currency. */
      differenceFromPreviousPreview: z
        .object({ byType: TotalsByType, byCurrency: TotalsByCurrency, lines: z.number().int(), beneficiaries: z.number().int() })
        .nullable(),
      ms: z.number().int(),
    }),
  }),
  /** The stored previews of a period (default: the open one), newest first. */
  'commissions.previews': query({
    summary: 'Vistas previas guardadas de un periodo, la más reciente primero',
    roles: ['admin', 'finance'],
    input: z
      .object({ periodKey: PeriodKeyInput.optional(), limit: z.number().int().min(1).max(200).default(50) })
      .strict()
      .default({ limit: 50 }),
    output: z.object({ periodKey: z.string().nullable(), rows: z.array(StoredPreview) }),
  }),
  /** Posted totals of a period per beneficiary country (SQL over the lines and the beneficiary's country). */
  'commissions.countryTotals': query({
    summary: 'Totales publicados de un periodo por país del beneficiario',
    roles: ALL_STAFF,
    input: z.object({ periodKey: PeriodKeyInput }).strict(),
    output: z.object({ periodKey: z.string(), status: z.enum(['open', 'closing', 'closed']), rows: TotalsByCountry }),
  }),
  /**
   * One page of a whole period's posted lines (every beneficiary), keyset by line id: pass `nextAfter`
   * back as `after` and the first page's `upTo` back as `upTo`. The first page also answers `total`.
   */
  'commissions.periodLines': query({
    summary: 'Líneas publicadas de un periodo completo, por páginas (llave: id de línea), con filtros',
    roles: ['admin', 'finance'],
    input: PeriodLinesFilter.extend({
      after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      upTo: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      limit: z.number().int().min(1).max(PERIOD_LINES_PAGE_MAX).default(1000),
    }).strict(),
    output: z.object({
      periodKey: z.string(),
      rows: z.array(PeriodLine),
      /** The last id of this page when more may follow, else null. */
      nextAfter: z.number().int().nullable(),
      /** Highest line id of the period (first page): the export's upper bound. */
      upTo: z.number().int().nullable(),
      /** Lines matching the filters (first page only). */
      total: z.number().int().nullable(),
    }),
  }),
  /**
   * A whole period's posted lines as a CSV file written by the main process (streamed from the
   * database: millions of lines never pass through the screen), into the exports folder (the
   * user's Downloads). Same columns and format as the screen's CSV. Audited.
   */
  'commissions.exportPeriodLines': mutation({
    summary: 'Exporta las líneas publicadas de un periodo a un archivo CSV (carpeta de descargas)',
    roles: ['admin', 'finance'],
    input: PeriodLinesFilter.strict(),
    output: z.object({
      fileName: z.string(),
      /** Full path of the file written. */
      path: z.string(),
      rows: z.number().int(),
      bytes: z.number().int(),
      ms: z.number().int(),
    }),
  }),
  /** Why an order paid what it paid: the buyer's sponsor line upward and the lines paid on it. */
  'commissions.why': query({
    summary: 'Por qué un pedido pagó lo que pagó: línea de patrocinio y líneas pagadas',
    roles: ALL_STAFF,
    input: z.object({ orderId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }).strict(),
    output: z.object({
      orderId: z.number().int(),
      buyer: z.object({ id: z.number().int(), code: z.string(), name: z.string() }),
      periodKey: z.string().nullable(),
      status: z.string(),
      pv: z.string(),
      vn: MoneyString,
      currency: z.string(),
      uplines: z.array(
        z.object({
          level: z.number().int(),
          memberId: z.number().int(),
          code: z.string(),
          name: z.string(),
          paidAsRank: RankNumber,
          /** The member's PV and PVG in the order's period (decimal strings; "0.00" without volumes). */
          pv: z.string(),
          pvg: z.string(),
          /** Uninivel levels this paid-as rank opens in the plan in force. */
          opensLevels: z.number().int(),
          opensThisLevel: z.boolean(),
        }),
      ),
      /** The lines paid on the order, each with its beneficiary's code and name. */
      lines: z.array(CommissionLine.extend({ beneficiaryCode: z.string(), beneficiaryName: z.string() })),
    }),
  }),
  ...programmesContract,
};
