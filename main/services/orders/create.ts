/**
 * A pending order entered on a member's behalf: catalogue products in the member's country, PV
 * from the catalogue, price and VN from the country's price list. An optional unit price (a
 * discount, e.g. the Cashback programme's) scales the line's VN in proportion; PV never changes.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { members, orderLines, orders, productPrices, products } from '../../db/schema';
import type { DbOrTx } from '../../db/client';
import { Decimal, isDecimalString } from '../../domain/money';
import { CURRENCY_OF_COUNTRY, type Country } from '../../domain/money';
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
  const currency = CURRENCY_OF_COUNTRY[country];
  const ids = [...new Set(input.lines.map((l) => l.productId))];
  const catalogue = await tx
    .select({ id: products.id, kind: products.kind, pv: products.pv, active: products.active, price: productPrices.price, vn: productPrices.vn })
    .from(products)
    .innerJoin(productPrices, and(eq(productPrices.productId, products.id), eq(productPrices.country, country)))
    .where(inArray(products.id, ids));
  let total = new Decimal(0);
  let pv = new Decimal(0);
  let vn = new Decimal(0);
  let kitPv = new Decimal(0);
  const lines = input.lines.map((l, i) => {
    const p = catalogue.find((c) => c.id === l.productId);
    if (!p) throw invalid(`lines.${i}.productId`, `el producto ${l.productId} no se vende en ${country}`);
    if (!p.active) throw invalid(`lines.${i}.productId`, `el producto ${l.productId} está inactivo`);
    const listPrice = new Decimal(p.price);
    const unitPrice = l.unitPrice === undefined ? listPrice : new Decimal(l.unitPrice);
    const unitVn =
      p.kind === 'kit'
        ? new Decimal(0)
        : listPrice.isZero()
          ? new Decimal(p.vn)
          : new Decimal(p.vn).times(unitPrice).div(listPrice).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    const linePv = new Decimal(p.pv).times(l.quantity);
    const lineVn = unitVn.times(l.quantity);
    total = total.plus(unitPrice.times(l.quantity));
    pv = pv.plus(linePv);
    vn = vn.plus(lineVn);
    if (p.kind === 'kit') kitPv = kitPv.plus(linePv);
    return { productId: p.id, quantity: l.quantity, unitPrice: unitPrice.toFixed(2), pv: linePv.toFixed(2), vn: lineVn.toFixed(2) };
  });
  const [order] = await tx
    .insert(orders)
    .values({
      memberId: m.id,
      country,
      currency,
      status: 'pending',
      total: total.toFixed(2),
      pv: pv.toFixed(2),
      vn: vn.toFixed(2),
      kitPv: kitPv.toFixed(2),
      createdAt: now,
    })
    .returning();
  await tx.insert(orderLines).values(lines.map((l) => ({ ...l, orderId: order!.id })));
  return order!;
}
