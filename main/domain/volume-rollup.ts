/**
 * PVG over a whole network in memory, by sponsor ids alone, in integer hundredths of a point:
 *
 *   PVG(m) = PV(m) + Σ PVG(c) over m's recruits c
 *
 * computed leaves first (Kahn's order: a member is added to its sponsor once all its own recruits
 * are in), O(N) whatever the depth. Hundredths are held in doubles, exact while every sum stays
 * below 2^53 (checked: the network's whole PV bounds every PVG). Paid-as ranks over the same
 * hundredths: the rule of ranks.ts (paidAsRank), which stays the oracle of the tests.
 */
import { Decimal } from './money';
import type { PlanFigures } from './plan';

/** A recruit whose sponsor is not a member, or an order of someone who is not: a broken network. */
export class SponsorMissing extends Error {}

/** Figures too large for exact doubles: the caller computes them another way. */
export class BeyondExactDoubles extends RangeError {}

/**
 * id → position in `ids` through a table indexed by the id, −1 for an unknown id; null when the
 * ids are not non-negative integers or too sparse for a table (more than 4 slots per id).
 */
export function densePositions(ids: Float64Array): ((id: number) => number) | null {
  let max = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!Number.isSafeInteger(id) || id < 0) return null;
    if (id > max) max = id;
  }
  if (max > 4 * ids.length + 1024) return null;
  const at = new Int32Array(max + 1).fill(-1);
  for (let i = 0; i < ids.length; i++) at[ids[i]!] = i;
  return (id) => (Number.isInteger(id) && id >= 0 && id <= max ? at[id]! : -1);
}

/** id → position in `ids`, −1 for an unknown id: densePositions when it can, else a Map. */
export function memberPositions(ids: Float64Array): (id: number) => number {
  const dense = densePositions(ids);
  if (dense) return dense;
  // Too sparse for a table, or an id that is no member id at all (refused here).
  const at = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!Number.isSafeInteger(id) || id < 0) throw new SponsorMissing(`member id ${id}`);
    at.set(id, i);
  }
  return (id) => at.get(id) ?? -1;
}

/**
 * PVG of every member, in hundredths, in the order of `ids`.
 * @param ids       every member's id
 * @param sponsors  each member's sponsor id (NaN for a root), same order
 * @param pv        each member's own PV in hundredths, same order
 * @param at        memberPositions(ids), when the caller already has it
 */
export function rollUp(ids: Float64Array, sponsors: Float64Array, pv: Float64Array, at = memberPositions(ids)): Float64Array {
  const n = ids.length;
  if (sponsors.length !== n || pv.length !== n) throw new RangeError('rollUp: ids, sponsors and PV of different lengths');
  let whole = 0;
  for (let i = 0; i < n; i++) {
    const p = pv[i]!;
    if (!Number.isSafeInteger(p) || p < 0) throw new BeyondExactDoubles(`PV of member ${ids[i]}: ${p} hundredths`);
    whole += p;
  }
  // Every PVG is at most the whole network's PV: below 2^53, every sum of the roll-up is exact.
  if (!Number.isSafeInteger(whole)) throw new BeyondExactDoubles('the network PV is beyond exact doubles');
  const parent = new Int32Array(n);
  const pending = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = sponsors[i]!;
    if (Number.isNaN(s)) {
      parent[i] = -1;
      continue;
    }
    const p = at(s);
    if (p < 0) throw new SponsorMissing(`the sponsor ${s} of member ${ids[i]} is not in the network`);
    parent[i] = p;
    pending[p]!++;
  }
  const pvg = Float64Array.from(pv);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if (pending[i] === 0) queue[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const i = queue[head]!;
    const p = parent[i]!;
    if (p < 0) continue;
    pvg[p]! += pvg[i]!;
    if (--pending[p]! === 0) queue[tail++] = p;
  }
  // A member never reached sits on a sponsor cycle: the genealogy forbids it, so the data is broken.
  if (tail !== n) throw new SponsorMissing(`${n - tail} members are on a sponsor cycle`);
  return pvg;
}

export interface RankThreshold {
  rank: number;
  pv: number;
  pvg: number;
}

/**
 * The plan's paid-as thresholds in hundredths, highest rank first. For integer hundredths x,
 * x ≥ t ⇔ x ≥ ⌈100·t⌉, so a threshold with more decimals is still compared exactly.
 */
export function rankThresholdsCents(plan: PlanFigures): RankThreshold[] {
  const cents = (v: string) => {
    const c = new Decimal(v).times(100).ceil();
    if (c.isNeg() || !c.lte(Number.MAX_SAFE_INTEGER)) throw new RangeError(`rank threshold ${v}`);
    return c.toNumber();
  };
  return plan.ranks
    .filter((r) => r.rank > 0)
    .map((r) => ({ rank: Number(r.rank), pv: cents(r.pv), pvg: cents(r.pvg) }))
    .sort((a, b) => b.rank - a.rank);
}

/** paidAsRank over hundredths: the highest rank whose PV and PVG thresholds both hold, else 0. */
export function paidAsRankCents(pv: number, pvg: number, thresholds: readonly RankThreshold[]): number {
  for (const t of thresholds) if (pv >= t.pv && pvg >= t.pvg) return t.rank;
  return 0;
}

/** Integer hundredths as a decimal string with two decimals ("-0.05", "1234.50"). */
export function centsText(c: number): string {
  if (!Number.isSafeInteger(c)) throw new RangeError(`hundredths: ${c}`);
  const a = Math.abs(c);
  const r = a % 100;
  return `${c < 0 ? '-' : ''}${(a - r) / 100}.${r < 10 ? '0' : ''}${r}`;
}
