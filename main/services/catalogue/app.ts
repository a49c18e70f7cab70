import { asc, eq, inArray } from 'drizzle-orm';
import { productPrices, products } from '../../db/schema';
import { mutator, reader } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { ParsedInputOf, OutputOf } from '../../../shared/contract';
import type { DbOrTx } from '../../db/client';
import { AppError } from '../../../shared/errors';
import { parseCatalogueCsv, type CatalogueRow } from '../../domain/catalogue';
import { Decimal } from '../../domain/money';

type ProductView = OutputOf<'catalogue.list'>[number];

async function loadProducts(db: DbOrTx, ids?: number[]): Promise<ProductView[]> {
  const rows = await db
    .select()
    .from(products)
    .where(ids ? inArray(products.id, ids) : undefined)
    .orderBy(asc(products.kind), asc(products.sku));
  const prices = rows.length
    ? await db
        .select()
        .from(productPrices)
        .where(
          inArray(
            productPrices.productId,
            rows.map((r) => r.id),
          ),
        )
    : [];
  return rows.map((p) => ({
    id: p.id,
    sku: p.sku,
    name: p.name,
    kind: p.kind,
    pv: p.pv,
    active: p.active,
    prices: prices
      .filter((x) => x.productId === p.id)
      .map((x) => ({ country: x.country as 'MX', price: x.price, vn: x.vn }))
      .sort((a, b) => a.country.localeCompare(b.country)),
  }));
}

const same = (a: string, b: string) => new Decimal(a).eq(new Decimal(b));

/** What applying the rows would change, product by product. */
function diff(rows: CatalogueRow[], current: ProductView[]) {
  const bySku = new Map(current.map((p) => [p.sku, p]));
  return rows.map((r) => {
    const cur = bySku.get(r.sku);
    if (!cur) return { sku: r.sku, change: 'new' as const, fields: [] };
    const fields: string[] = [];
    if (cur.name !== r.name) fields.push('name');
    if (cur.kind !== r.kind) fields.push('kind');
    if (!same(cur.pv, r.pv)) fields.push('pv');
    if (cur.active !== r.active) fields.push('active');
    for (const p of r.prices) {
      const c = cur.prices.find((x) => x.country === p.country);
      if (!c || !same(c.price, p.price)) fields.push(`price_${p.country}`);
      if (!c || !same(c.vn, p.vn)) fields.push(`vn_${p.country}`);
    }
    return { sku: r.sku, change: fields.length ? ('changed' as const) : ('unchanged' as const), fields };
  });
}

async function preview(csv: string, db: DbOrTx) {
  const { rows, errors } = parseCatalogueCsv(csv);
  const current = await loadProducts(db);
  // A kit cannot become a product (or back) once sold: its PV/VN history would change meaning.
  for (const r of rows) {
    const cur = current.find((p) => p.sku === r.sku);
    if (cur && cur.kind !== r.kind) errors.push({ row: rows.indexOf(r) + 2, field: 'kind', message: `No se puede cambiar el tipo de ${r.sku}` });
  }
  errors.sort((a, b) => a.row - b.row);
  return { valid: errors.length === 0, rows: rows.length, errors, changes: diff(rows, current), parsed: rows };
}

async function importApply(input: ParsedInputOf<'catalogue.importApply'>, ctx: MutationContext) {
  const p = await preview(input.csv, ctx.tx);
  if (!p.valid) throw AppError.of('VALIDATION', 'catalogue.rows', { count: p.errors.length }, { rowErrors: p.errors });
  const touched: string[] = [];
  for (const r of p.parsed) {
    const change = p.changes.find((c) => c.sku === r.sku)!;
    if (change.change === 'unchanged') continue;
    touched.push(r.sku);
    const [row] = await ctx.tx
      .insert(products)
      .values({ sku: r.sku, name: r.name, kind: r.kind, pv: r.pv, active: r.active })
      .onConflictDoUpdate({ target: products.sku, set: { name: r.name, pv: r.pv, active: r.active } })
      .returning({ id: products.id });
    for (const price of r.prices) {
      await ctx.tx
        .insert(productPrices)
        .values({ productId: row!.id, country: price.country, price: price.price, vn: price.vn })
        .onConflictDoUpdate({ target: [productPrices.productId, productPrices.country], set: { price: price.price, vn: price.vn } });
    }
  }
  await ctx.audit({
    entity: 'catalogue',
    entityId: null,
    after: { rows: p.rows, applied: touched, changes: p.changes.filter((c) => c.change !== 'unchanged') },
  });
  const { parsed: _parsed, ...out } = p;
  return out;
}

async function setActive(input: ParsedInputOf<'catalogue.setActive'>, ctx: MutationContext) {
  const [before] = await loadProducts(ctx.tx, [input.id]);
  if (!before) throw AppError.of('NOT_FOUND', 'catalogue.productNotFound');
  await ctx.tx.update(products).set({ active: input.active }).where(eq(products.id, input.id));
  await ctx.audit({ entity: 'product', entityId: input.id, before: { active: before.active }, after: { active: input.active } });
  return { ...before, active: input.active };
}

export const catalogueHandlers = {
  'catalogue.list': reader(async (input: ParsedInputOf<'catalogue.list'>, ctx: CallContext) => {
    const all = await loadProducts(ctx.db);
    return input.includeInactive ? all : all.filter((p) => p.active);
  }),
  'catalogue.setActive': mutator(setActive),
  'catalogue.importPreview': reader(async (input: ParsedInputOf<'catalogue.importPreview'>, ctx: CallContext) => {
    const { parsed: _parsed, ...out } = await preview(input.csv, ctx.db);
    return out;
  }),
  'catalogue.importApply': mutator(importApply),
};
