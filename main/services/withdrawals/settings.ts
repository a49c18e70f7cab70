/**
 * The money-control settings an admin sets (Settings → Retiros): the amount above which a
 * withdrawal needs a second approval. Kept in app_settings as MXN; for another currency the
 * withdrawal's amount is converted at the company rate in force at the approval.
 */
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { appSettings } from '../../db/schema';
import type { MutationContext } from '../../kernel/context';
import { Decimal, type Currency } from '../../domain/money';
import { rateInForce } from '../rates/rates';

export const SECOND_APPROVAL_KEY = 'withdrawals.second_approval_threshold_mxn';
export const DEFAULT_SECOND_APPROVAL_MXN = '20000.00';

export interface MoneyControlSettings {
  secondApprovalThresholdMxn: string;
  updatedBy: string | null;
  updatedAt: string | null;
  /** The threshold in each currency at the rates in force now (informative: the approval converts the amount). */
  equivalents: { currency: Currency; amount: string | null; rate: string | null }[];
}

export async function secondApprovalThresholdMxn(db: DbOrTx): Promise<string> {
  const [row] = await db.select({ value: appSettings.value }).from(appSettings).where(eq(appSettings.key, SECOND_APPROVAL_KEY));
  return new Decimal(row?.value ?? DEFAULT_SECOND_APPROVAL_MXN).toFixed(2);
}

export async function moneyControlSettings(db: DbOrTx, now: Date): Promise<MoneyControlSettings> {
  const rows = await db.execute<{ value: string; updated_at: Date | string; who: string | null }>(sql`
    select s.value, s.updated_at, st.display_name as who from app_settings s left join staff st on st.id = s.updated_by where s.key = ${SECOND_APPROVAL_KEY}`);
  const r = rows[0];
  const threshold = new Decimal(r?.value ?? DEFAULT_SECOND_APPROVAL_MXN);
  const equivalents: MoneyControlSettings['equivalents'] = [];
  for (const currency of ['MXN', 'USD', 'COP', 'DOP'] as const) {
    const rate = await rateInForce(db, currency, now);
    equivalents.push({ currency, rate, amount: rate ? threshold.div(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2) : null });
  }
  return {
    secondApprovalThresholdMxn: threshold.toFixed(2),
    updatedBy: r?.who ?? null,
    updatedAt: r ? new Date(r.updated_at).toISOString() : null,
    equivalents,
  };
}

export async function setSecondApprovalThreshold(ctx: MutationContext, amountMxn: string, reason: string | undefined) {
  const before = await secondApprovalThresholdMxn(ctx.tx);
  const value = new Decimal(amountMxn).toFixed(2);
  const now = ctx.now();
  await ctx.tx
    .insert(appSettings)
    .values({ key: SECOND_APPROVAL_KEY, value, updatedBy: ctx.staff?.id ?? null, updatedAt: now })
    .onConflictDoUpdate({ target: appSettings.key, set: { value, updatedBy: ctx.staff?.id ?? null, updatedAt: now } });
  await ctx.audit({
    entity: 'setting',
    entityId: SECOND_APPROVAL_KEY,
    before: { thresholdMxn: before },
    after: { thresholdMxn: value },
    reason: reason || null,
  });
  return moneyControlSettings(ctx.tx, now);
}

/**
 * Does this amount need two approvers? amount × rate-to-MXN > threshold. A currency with no rate in
 * force counts as above the threshold: without a rate nobody can tell, and two people are the safe side.
 */
export async function needsSecondApproval(
  db: DbOrTx,
  currency: Currency,
  amount: string,
  at: Date,
): Promise<{ required: 1 | 2; amountMxn: string | null; thresholdMxn: string }> {
  const thresholdMxn = await secondApprovalThresholdMxn(db);
  const rate = await rateInForce(db, currency, at);
  if (!rate) return { required: 2, amountMxn: null, thresholdMxn };
  const amountMxn = new Decimal(amount).times(rate);
  return { required: amountMxn.gt(thresholdMxn) ? 2 : 1, amountMxn: amountMxn.toFixed(2), thresholdMxn };
}
