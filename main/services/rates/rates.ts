import { and, desc, eq, lte, sql } from 'drizzle-orm';
import { exchangeRates } from '../../db/schema';
import type { DbOrTx } from '../../db/client';
import type { Currency } from '../../domain/money';
import { AppError } from '../../../shared/errors';

/** The company rate in force at an instant: the newest whose effective_from is not after it. */
export async function rateInForce(db: DbOrTx, currency: Currency, at: Date): Promise<string | null> {
  if (currency === 'MXN') return '1';
  const [row] = await db
    .select({ rate: exchangeRates.rateToMxn })
    .from(exchangeRates)
    .where(and(eq(exchangeRates.currency, currency), lte(exchangeRates.effectiveFrom, at)))
    .orderBy(desc(exchangeRates.effectiveFrom))
    .limit(1);
  return row?.rate ?? null;
}

/**
 * Every currency's rate at an instant, as the engine needs them (MXN per unit). A currency with no
 * rate in force is an error: no commission is computed on a guessed rate.
 */
export async function ratesInForce(db: DbOrTx, at: Date): Promise<Record<Currency, string>> {
  const rows = await db.execute<{ currency: string; rate: string }>(sql`
    select distinct on (currency) currency, rate_to_mxn::text as rate
    from exchange_rates where effective_from <= ${at.toISOString()}::timestamptz
    order by currency, effective_from desc`);
  const out: Record<string, string> = { MXN: '1' };
  for (const r of rows) out[r.currency.trim()] = r.rate;
  const missing = (['USD', 'COP', 'DOP'] as const).filter((c) => !out[c]);
  if (missing.length) throw new AppError('VALIDATION', `No hay tipo de cambio vigente para ${missing.join(', ')} al ${at.toISOString()}.`, { missing });
  return out as Record<Currency, string>;
}
