/**
 * A pending order entered on a member's behalf: catalogue products in the member's country, PV
 * from the catalogue, price and VN from the country's price list. An optional unit price (a
 * discount, e.g. the Cashback programme's) scales the line's VN in proportion; PV never changes.
 * The checks here word the refusals; the database prices and writes the order (nnp_order_create).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { members, orders, productPrices, products } from '../../db/schema';
import type { DbOrTx } from '../../db/client';
import { isDecimalString } from '../../domain/money';
import type { Country } from '../../domain/money';
import { AppError } from '../../../shared/errors';

export interface NewOrderLine {
  productId: number;
  quantity: number;
  unitPrice?: string;
}

export interface NewOrder {
  memberId: number;
  lines: NewOrderLine[];
}

const invalid = (path: string, message: string) => new AppError('VALIDATION', `Dato inválido en ${path}: ${message}.`, { issues: [{ path, message }] });

/** Refuses negative, non-numeric or over-precise prices and non-positive quantities before anything is read. */
export function checkOrderLines(lines: NewOrderLine[]): void {
  if (!Array.isArray(lines) || lines.length === 0) throw invalid('lines', 'el pedido necesita al menos una línea');
  lines.forEach((l, i) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1) throw invalid(`lines.${i}.quantity`, 'la cantidad debe ser un entero positivo');
    if (l.unitPrice !== undefined && !isDecimalString(l.unitPrice, { nonNegative: true, maxDecimals: 2 })) {
      throw invalid(`lines.${i}.unitPrice`, 'el precio debe ser un número no negativo con a lo más 2 decimales');
    }
  });
}

export async function createOrder(tx: DbOrTx, input: NewOrder, now: Date) {
  checkOrderLines(input.lines);
  const [m] = await tx.select({ id: members.id, country: members.country }).from(members).where(eq(members.id, input.memberId));
  if (!m) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId: input.memberId });
  const country = m.country as Country;
  const ids = [...new Set(input.lines.map((l) => l.productId))];
  const catalogue = await tx
    .select({ id: products.id, active: products.active })
    .from(products)
    .innerJoin(productPrices, and(eq(productPrices.productId, products.id), eq(productPrices.country, country)))
    .where(inArray(products.id, ids));
  input.lines.forEach((l, i) => {
    const p = catalogue.find((c) => c.id === l.productId);
    if (!p) throw invalid(`lines.${i}.productId`, `el producto ${l.productId} no se vende en ${country}`);
    if (!p.active) throw invalid(`lines.${i}.productId`, `el producto ${l.productId} está inactivo`);
  });
  // Priced and written by the database (drizzle/0067): totals, PV and VN are never the caller's.
  const lines = input.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, ...(l.unitPrice === undefined ? {} : { unitPrice: l.unitPrice }) }));
  const [made] = await tx.execute<{ id: string }>(
    sql`select nnp_order_create(${m.id}, ${JSON.stringify(lines)}::jsonb, ${now.toISOString()}::timestamptz) as id`,
  );
  const [order] = await tx
    .select()
    .from(orders)
    .where(eq(orders.id, Number(made!.id)));
  return order!;
}
