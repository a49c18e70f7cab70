/**
 * Orders of two or more kits (issue 6; the plan: "Bono Rápido ... on every confirmed kit order ...
 * of the kit's PV"): every kit of the order pays, not only its first kit line.
 *
 * The engine pays Rápido on a kit order from the plan's kit table by SKU, and the natural key of
 * a line (type, period, beneficiary, source order, level) allows one Rápido line per order and
 * level. So an order's kits are described by ONE composite SKU (`FULL-SKIN*2+FULL-SUPPLEMENT*1`,
 * the kit SKUs sorted, with their quantities) and the plan given to the engine gets a composite
 * kit for it: PV = Σ kit PV × quantity (the Rápido base, rounded once per line), NN Travels kit
 * points = Σ points × quantity (each kit a direct recruit buys counts), prices summed. An order of
 * one kit keeps the kit's own SKU. The close (run.ts), the preview and the instant posting at
 * confirmation (instant.ts) share this, so they agree line for line.
 */
import { Decimal } from '../../domain/money';
import type { PlanFigures } from '../../domain/plan';

export interface KitLine {
  sku: string;
  quantity: number;
}

/** The SKU describing an order's kit lines (null: no kit line). Text form from SQL: `SKU*qty,SKU*qty`. */
export function kitSkuOf(lines: readonly KitLine[] | string | null | undefined): string | null {
  const list = typeof lines === 'string' ? parseKitLines(lines) : (lines ?? []);
  const bySku = new Map<string, number>();
  for (const l of list) if (l.quantity > 0) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.quantity);
  if (bySku.size === 0) return null;
  const skus = [...bySku.keys()].sort();
  if (skus.length === 1 && bySku.get(skus[0]!) === 1) return skus[0]!;
  return skus.map((s) => `${s}*${bySku.get(s)}`).join('+');
}

function parseKitLines(text: string): KitLine[] {
  if (!text) return [];
  return text.split(',').map((x) => {
    const i = x.lastIndexOf('*');
    return { sku: x.slice(0, i), quantity: Number(x.slice(i + 1)) };
  });
}

const COMPOSITE = /^(.+)\*(\d+)$/;

/**
 * The plan with a composite kit for every composite SKU among `skus` (the plan itself when there
 * is none). A composite naming a SKU the plan does not know is left out: the engine then refuses
 * the order as for any unknown kit SKU.
 */
export function planWithKits(plan: PlanFigures, skus: Iterable<string | null | undefined>): PlanFigures {
  const known = new Map(plan.kits.map((k) => [k.sku, k]));
  const points = new Map(plan.travel.kitPoints.map((k) => [k.sku, k.points]));
  const extra: PlanFigures['kits'][number][] = [];
  const extraPoints: PlanFigures['travel']['kitPoints'][number][] = [];
  const seen = new Set<string>();
  for (const sku of skus) {
    if (!sku || known.has(sku) || seen.has(sku)) continue;
    seen.add(sku);
    const parts = sku.split('+').map((p) => COMPOSITE.exec(p));
    if (parts.some((p) => !p || !known.has(p[1]!))) continue;
    let pv = new Decimal(0);
    let pts = new Decimal(0);
    const prices: Record<string, Decimal> = {};
    const currencies = new Set(Object.keys(known.get(parts[0]![1]!)!.prices));
    for (const p of parts) {
      const k = known.get(p![1]!)!;
      const q = Number(p![2]);
      pv = pv.plus(new Decimal(k.pv).times(q));
      pts = pts.plus(new Decimal(points.get(k.sku) ?? '0').times(q));
      for (const c of [...currencies]) {
        const price = (k.prices as Record<string, string | undefined>)[c];
        if (price === undefined) currencies.delete(c);
        else prices[c] = (prices[c] ?? new Decimal(0)).plus(new Decimal(price).times(q));
      }
    }
    extra.push({
      sku,
      name: sku,
      pv: pv.toFixed(),
      prices: Object.fromEntries([...currencies].map((c) => [c, prices[c]!.toFixed(2)])) as PlanFigures['kits'][number]['prices'],
    });
    if (!pts.isZero()) extraPoints.push({ sku, points: pts.toFixed() });
  }
  if (extra.length === 0) return plan;
  return { ...plan, kits: [...plan.kits, ...extra], travel: { ...plan.travel, kitPoints: [...plan.travel.kitPoints, ...extraPoints] } };
}
