/**
 * Test support for the period engine: small builders and a runner that computes a period with
 * BOTH the fast engine and the reference calculator and insists they agree exactly.
 */
import { expect } from 'vitest';
import type { Country, Currency } from '../main/domain/money';
import { PLAN_V1, type PlanFigures } from '../main/domain/plan';
import { referencePeriodEngine } from '../main/domain/reference/reference';
import { computePeriod } from '../main/domain/engine/engine';
import type { CommissionLine, EngineHistoryRow, EngineInput, EngineMember, EngineOrder, EngineOutput, TravelCampaign } from '../main/domain/engine/types';

export const RATES = { MXN: '1', USD: '18.50', COP: '0.0046', DOP: '0.31' } as const;

const CURRENCY: Record<Country, Currency> = { MX: 'MXN', US: 'USD', CO: 'COP', DO: 'DOP' };

export function member(id: string, sponsorId: string | null, extra: Partial<EngineMember> = {}): EngineMember {
  return {
    id,
    sponsorId,
    country: 'MX',
    enrolledAt: '2024-01-10T16:00:00Z',
    careerRank: 0,
    carDownPaymentPaid: false,
    loyaltyPoints: 0,
    travelPoints: '0',
    ...extra,
  };
}

let orderSeq = 0;

/** A product order paid mid-period (2026-11-10) unless paidAt is given; VN defaults to PV. */
export function product(memberId: string, pv: string, extra: Partial<EngineOrder> & { country?: Country } = {}): EngineOrder {
  const { country, ...rest } = extra;
  return {
    id: `P${++orderSeq}`,
    member: memberId,
    kind: 'product',
    pv,
    vn: `${pv}.00`,
    currency: CURRENCY[country ?? 'MX'],
    paidAt: '2026-11-10T18:00:00Z',
    ...rest,
  };
}

export function kit(
  memberId: string,
  sku: 'FULL-SUPPLEMENT' | 'FULL-SKIN' | 'FULL-PROTECT',
  extra: Partial<EngineOrder> & { country?: Country } = {},
): EngineOrder {
  const pv = { 'FULL-SUPPLEMENT': '1670', 'FULL-SKIN': '2180', 'FULL-PROTECT': '4860' }[sku];
  const { country, ...rest } = extra;
  return {
    id: `K${++orderSeq}`,
    member: memberId,
    kind: 'kit',
    sku,
    pv,
    vn: '0',
    currency: CURRENCY[country ?? 'MX'],
    paidAt: '2026-11-10T18:00:00Z',
    ...rest,
  };
}

export interface Scenario {
  period?: string;
  plan?: PlanFigures;
  rates?: EngineInput['rates'];
  travelCampaign?: TravelCampaign | null;
  members: readonly EngineMember[];
  orders?: readonly EngineOrder[];
  history?: readonly EngineHistoryRow[];
}

export function inputOf(s: Scenario): EngineInput {
  return {
    period: s.period ?? '2026-11',
    plan: s.plan ?? PLAN_V1,
    rates: s.rates ?? RATES,
    travelCampaign: s.travelCampaign ?? null,
    members: s.members,
    orders: s.orders ?? [],
    history: s.history ?? [],
  };
}

const lineKey = (l: CommissionLine) => `${l.type}|${l.beneficiary}|${l.source}|${l.level}`;

/** Sorts lines by natural key so that two outputs compare independently of line order. */
export function canonical(out: EngineOutput): EngineOutput {
  return { ...out, lines: [...out.lines].sort((a, b) => (lineKey(a) < lineKey(b) ? -1 : lineKey(a) > lineKey(b) ? 1 : 0)) };
}

/** Runs the fast engine and the reference on the same input; they must agree exactly. */
export function runBoth(s: Scenario): EngineOutput {
  const input = inputOf(s);
  const fast = canonical(computePeriod(input));
  const ref = canonical(referencePeriodEngine(input));
  expect(fast).toEqual(ref);
  return fast;
}

/** The lines as compact strings "type beneficiary source level amount currency", sorted. */
export function lineStrings(out: EngineOutput, type?: CommissionLine['type']): string[] {
  return out.lines
    .filter((l) => type === undefined || l.type === type)
    .map((l) => `${l.type} ${l.beneficiary} ${l.source} L${l.level} ${l.amount} ${l.currency}`)
    .sort();
}

export function volumeOf(out: EngineOutput, id: string) {
  const v = out.volumes.find((x) => x.member === id);
  if (!v) throw new Error(`no volume row for ${id}`);
  return v;
}

export function programOf(out: EngineOutput, id: string) {
  const p = out.programs.find((x) => x.member === id);
  if (!p) throw new Error(`no program row for ${id}`);
  return p;
}
