/**
 * The engine-case file format: a zod schema for NAME.json, its
 * conversion to engine input, and the result JSON the `engine:case` command prints.
 */
import { z } from 'zod';
import { COUNTRIES, CURRENCIES, Decimal, isDecimalString } from '../money';
import { isPeriodKey } from '../period';
import { PLAN_V1, type PlanFigures } from '../plan';
import type { EngineInput, EngineOutput } from './types';

const periodKey = z.string().refine(isPeriodKey, { message: "expected a period key 'YYYY-MM'" });

/** A decimal given as a string (or, leniently, a finite JSON number), kept as a string. */
const decimal = (label: string) =>
  z
    .union([z.string(), z.number().refine(Number.isFinite)])
    .transform((v) => (typeof v === 'number' ? new Decimal(v).toFixed() : v))
    .refine((s) => isDecimalString(s), { message: `${label} must be a plain decimal` });

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)) && /(Z|[+-]\d{2}:\d{2})$/.test(s), {
  message: 'expected an ISO-8601 instant with a zone (Z or ±hh:mm)',
});

export const CaseMemberSchema = z.object({
  id: z.string().min(1),
  sponsor: z.string().min(1).nullable(),
  country: z.enum(COUNTRIES),
  enrolledAt: instant,
  careerRank: z.number().int().min(0).max(8),
  carDownPaymentPaid: z.boolean().optional().default(false),
  loyaltyPoints: z.number().int().min(0).optional().default(0),
  travelPoints: decimal('travelPoints').optional().default('0'),
});

export const CaseHistorySchema = z.object({
  member: z.string().min(1),
  period: periodKey,
  pv: decimal('pv'),
  paidAsRank: z.number().int().min(0).max(8),
});

export const CaseOrderSchema = z.object({
  id: z.string().min(1),
  member: z.string().min(1),
  kind: z.enum(['kit', 'product']),
  sku: z.string().nullable().optional(),
  pv: decimal('pv'),
  vn: decimal('vn'),
  currency: z.enum(CURRENCIES),
  paidAt: instant,
});

export const EngineCaseSchema = z.object({
  period: periodKey,
  exchangeRates: z.partialRecord(z.enum(CURRENCIES), decimal('exchange rate')),
  travelCampaign: z
    .object({ from: periodKey, to: periodKey, multiplier: decimal('multiplier').optional().default('1') })
    .nullable()
    .optional(),
  members: z.array(CaseMemberSchema),
  history: z.array(CaseHistorySchema).optional().default([]),
  orders: z.array(CaseOrderSchema).optional().default([]),
});

export type EngineCase = z.output<typeof EngineCaseSchema>;

/** Parses and validates a case file's JSON value (throws a ZodError with paths on bad input). */
export function parseEngineCase(json: unknown): EngineCase {
  return EngineCaseSchema.parse(json);
}

/** Converts a parsed case into engine input, with the plan to apply (default: PLAN_V1). */
export function caseToEngineInput(c: EngineCase, plan: PlanFigures = PLAN_V1): EngineInput {
  return {
    period: c.period,
    plan,
    rates: c.exchangeRates,
    travelCampaign: c.travelCampaign ?? null,
    members: c.members.map((m) => ({
      id: m.id,
      sponsorId: m.sponsor,
      country: m.country,
      enrolledAt: m.enrolledAt,
      careerRank: m.careerRank,
      carDownPaymentPaid: m.carDownPaymentPaid,
      loyaltyPoints: m.loyaltyPoints,
      travelPoints: m.travelPoints,
    })),
    history: c.history.map((h) => ({ member: h.member, period: h.period, pv: h.pv, paidAsRank: h.paidAsRank })),
    orders: c.orders.map((o) => ({
      id: o.id,
      member: o.member,
      kind: o.kind,
      sku: o.sku ?? null,
      pv: o.pv,
      vn: o.vn,
      currency: o.currency,
      paidAt: o.paidAt,
    })),
  };
}

/** The result JSON of a case, exactly the engine-case output shape (test/fixtures/engine-cases/*.expected.json). */
export interface CaseOutput {
  volumes: { member: string; pv: string; vn: string; pvg: string; paidAsRank: number; careerRank: number }[];
  lines: { type: string; beneficiary: string; source: string; level: number; amount: string; currency: string }[];
  programs: { member: string; cashback: boolean; loyaltyPoints: number; loyaltyGift: boolean; travelPoints: string }[];
}

export function toCaseOutput(out: EngineOutput): CaseOutput {
  return {
    volumes: out.volumes.map((v) => ({
      member: v.member,
      pv: v.pv,
      vn: v.vn,
      pvg: v.pvg,
      paidAsRank: v.paidAsRank,
      careerRank: v.careerRank,
    })),
    lines: out.lines.map((l) => ({
      type: l.type,
      beneficiary: l.beneficiary,
      source: l.source,
      level: l.level,
      amount: l.amount,
      currency: l.currency,
    })),
    programs: out.programs.map((p) => ({
      member: p.member,
      cashback: p.cashback,
      loyaltyPoints: p.loyaltyPoints,
      loyaltyGift: p.loyaltyGift,
      travelPoints: p.travelPoints,
    })),
  };
}

/** The JSON text the `engine:case` command prints. */
export function serializeCaseOutput(out: EngineOutput): string {
  return JSON.stringify(toCaseOutput(out), null, 1);
}
