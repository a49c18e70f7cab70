import { desc, eq, sql } from 'drizzle-orm';
import { exchangeRates, periods } from '../../db/schema';
import { mutator, reader } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import type { DbOrTx } from '../../db/client';
import { rateInForce } from './rates';

type RateRow = typeof exchangeRates.$inferSelect;
const view = (r: RateRow, inForce: boolean) => ({
  id: r.id,
  currency: r.currency as 'MXN' | 'USD' | 'COP' | 'DOP',
  rateToMxn: r.rateToMxn,
  effectiveFrom: r.effectiveFrom.toISOString(),
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
  inForce,
});

async function list(_: ParsedInputOf<'rates.list'>, ctx: CallContext) {
  const rows = await ctx.db.select().from(exchangeRates).orderBy(exchangeRates.currency, desc(exchangeRates.effectiveFrom));
  const now = ctx.now();
  // Rows come newest first per currency: the first one already effective is the one in force.
  const seen = new Set<string>();
  return rows.map((r) => {
    const inForce = r.effectiveFrom <= now && !seen.has(r.currency);
    if (inForce) seen.add(r.currency);
    return view(r, inForce);
  });
}

async function impact(input: ParsedInputOf<'rates.impact'>, db: DbOrTx) {
  const from = new Date(input.effectiveFrom);
  const [open] = await db.select().from(periods).where(eq(periods.status, 'open')).limit(1);
  let orders = 0;
  let vn = '0.00';
  if (open) {
    const [r] = await db.execute<{ n: number; vn: string }>(sql`
      select count(*)::int as n, coalesce(sum(vn), 0)::numeric(18,2)::text as vn from orders
      where period_id = ${open.id} and currency = ${input.currency} and status = 'paid'`);
    orders = r?.n ?? 0;
    vn = r?.vn ?? '0.00';
  }
  const country = { USD: 'US', COP: 'CO', DOP: 'DO' }[input.currency];
  const [m] = await db.execute<{ n: number }>(sql`select count(*)::int as n from members where country = ${country}`);
  return {
    openPeriod: open?.key ?? null,
    affectsOpenPeriodCommissions: open ? from <= open.startsAt : false,
    instantFrom: from.toISOString(),
    currentRate: await rateInForce(db, input.currency, from),
    ordersInOpenPeriod: orders,
    vnInOpenPeriod: vn,
    membersInCurrency: m?.n ?? 0,
  };
}

async function add(input: ParsedInputOf<'rates.add'>, ctx: MutationContext) {
  const from = new Date(input.effectiveFrom);
  // Same currency and instant twice is refused by the unique index (CONFLICT).
  const before = await impact(input, ctx.tx);
  const [row] = await ctx.tx
    .insert(exchangeRates)
    .values({ currency: input.currency, rateToMxn: input.rateToMxn, effectiveFrom: from, createdBy: ctx.staff!.id })
    .returning();
  await ctx.audit({
    entity: 'exchange_rate',
    entityId: row!.id,
    before: { currentRate: before.currentRate },
    after: { currency: input.currency, rateToMxn: input.rateToMxn, effectiveFrom: from.toISOString(), impact: before },
  });
  return view(row!, from <= ctx.now());
}

export const ratesHandlers = {
  'rates.list': reader(list),
  'rates.impact': reader((input: ParsedInputOf<'rates.impact'>, ctx) => impact(input, ctx.db)),
  'rates.add': mutator(add),
};
