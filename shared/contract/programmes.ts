/**
 * The three programmes of the plan (the plan's bonuses 7–9): Cashback entitlements, Lealtad points and
 * gifts to ship, NN Travels campaigns and their ranking. Part of the commissions contract.
 */
import { z } from 'zod';
import { ALL_STAFF, PageInput, mutation, pageOf, query } from './define';
import { Instant } from '../money';
import { MemberId, PeriodKeyInput } from './members';
import { rule } from '../error-messages';

/** Points and multipliers: a positive exact decimal (at most 4 decimals). */
const PositiveDecimal = z
  .string()
  .trim()
  .regex(/^\d{1,8}(\.\d{1,4})?$/, rule('positiveDecimal'))
  .refine((s) => /[1-9]/.test(s), 'Debe ser mayor que cero');

const MemberCols = { memberId: z.number().int(), code: z.string(), name: z.string(), country: z.string() };

export const CashbackStatus = z.enum(['issued', 'used', 'expired']);
/** What a Lealtad gift is (PLAN: 5 supplements, or 3 serums + 2 creams), recorded when it ships. */
export const GiftChoice = z.enum(['supplements', 'serums_creams']);
export const GiftStatus = z.enum(['to_ship', 'shipped']);

export const TravelPromotion = z
  .object({
    fromPeriod: PeriodKeyInput,
    toPeriod: PeriodKeyInput,
    multiplier: PositiveDecimal,
    label: z.string().trim().max(80).optional(),
  })
  .strict();

/** A campaign as saved: end ≥ start, promotions inside the campaign and not overlapping. */
export const CampaignInput = z
  .object({
    /** Absent: a new campaign. */
    id: z.number().int().positive().max(2_147_483_647).optional(),
    name: z.string().trim().min(3, 'Escriba un nombre (al menos 3 caracteres)').max(120),
    fromPeriod: PeriodKeyInput,
    toPeriod: PeriodKeyInput,
    target: PositiveDecimal.default('200'),
    promotions: z.array(TravelPromotion).max(36).default([]),
    active: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.toPeriod < c.fromPeriod) ctx.addIssue({ code: 'custom', path: ['toPeriod'], message: rule('periodOrder') });
    const sorted = [...c.promotions].sort((a, b) => (a.fromPeriod < b.fromPeriod ? -1 : 1));
    c.promotions.forEach((p, i) => {
      if (p.toPeriod < p.fromPeriod) ctx.addIssue({ code: 'custom', path: ['promotions', i, 'toPeriod'], message: rule('promoOrder') });
      if (p.fromPeriod < c.fromPeriod || p.toPeriod > c.toPeriod) ctx.addIssue({ code: 'custom', path: ['promotions', i], message: rule('promoInside') });
    });
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.fromPeriod <= sorted[i - 1]!.toPeriod) ctx.addIssue({ code: 'custom', path: ['promotions'], message: rule('promoOverlap') });
    }
  });

export const Campaign = z.object({
  id: z.number().int(),
  name: z.string(),
  fromPeriod: z.string(),
  toPeriod: z.string(),
  target: z.string(),
  multiplier: z.string(),
  promotions: z.array(z.object({ fromPeriod: z.string(), toPeriod: z.string(), multiplier: z.string(), label: z.string().optional() })),
  active: z.boolean(),
  /** Relative to the open period. */
  state: z.enum(['upcoming', 'running', 'ended']),
  createdAt: Instant,
  createdBy: z.string().nullable(),
  /** Members with points in the campaign, and of them those at the target. */
  participants: z.number().int(),
  reachedTarget: z.number().int(),
  /** The last closed period with points in the campaign. */
  lastPeriod: z.string().nullable(),
});

export const programmesContract = {
  'programmes.cashbackPeriods': query({
    summary: 'Cashback: derechos emitidos, usados y vencidos por periodo',
    roles: ALL_STAFF,
    input: z.object({}).strict().default({}),
    output: z.array(z.object({ periodKey: z.string(), issued: z.number().int(), used: z.number().int(), expired: z.number().int(), open: z.number().int() })),
  }),
  'programmes.cashbackList': query({
    summary: 'Cashback: derechos por socio, paginados',
    roles: ALL_STAFF,
    input: PageInput.extend({ periodKey: PeriodKeyInput.optional(), status: CashbackStatus.optional(), memberId: MemberId.optional() }).strict(),
    output: pageOf(
      z.object({
        id: z.number().int(),
        periodKey: z.string(),
        ...MemberCols,
        status: CashbackStatus,
        discountRate: z.string(),
        issuedAt: Instant,
        usedOrderId: z.number().int().nullable(),
        usedAt: Instant.nullable(),
        expiredAt: Instant.nullable(),
      }),
    ),
  }),
  'programmes.loyaltyMembers': query({
    summary: 'Lealtad: puntos por socio (tras el último cierre), paginados, con el conteo por puntos',
    roles: ALL_STAFF,
    input: PageInput.extend({ minPoints: z.number().int().min(0).max(1000).default(1), memberId: MemberId.optional() }).strict(),
    output: pageOf(z.object({ ...MemberCols, points: z.number().int(), periodKey: z.string().nullable(), updatedAt: Instant })).extend({
      byPoints: z.array(z.object({ points: z.number().int(), members: z.number().int() })),
    }),
  }),
  'programmes.gifts': query({
    summary: 'Lealtad: regalos por enviar y enviados, paginados',
    roles: ALL_STAFF,
    input: PageInput.extend({ status: GiftStatus.optional(), periodKey: PeriodKeyInput.optional(), memberId: MemberId.optional() }).strict(),
    output: pageOf(
      z.object({
        id: z.number().int(),
        ...MemberCols,
        periodKey: z.string(),
        status: GiftStatus,
        choice: GiftChoice.nullable(),
        createdAt: Instant,
        shippedAt: Instant.nullable(),
      }),
    ).extend({ toShip: z.number().int(), shipped: z.number().int() }),
  }),
  'programmes.shipGift': mutation({
    summary: 'Lealtad: marca un regalo como enviado, con el regalo elegido',
    roles: ['admin', 'support'],
    input: z.object({ giftId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), choice: GiftChoice }).strict(),
    output: z.object({ id: z.number().int(), status: GiftStatus, choice: GiftChoice, shippedAt: Instant }),
  }),
  'programmes.campaigns': query({
    summary: 'NN Travels: campañas, la más reciente primero',
    roles: ALL_STAFF,
    input: z.object({}).strict().default({}),
    output: z.object({ openPeriod: z.string().nullable(), rows: z.array(Campaign) }),
  }),
  'programmes.saveCampaign': mutation({
    summary: 'NN Travels: crea o edita una campaña (periodos, meta, promociones)',
    roles: ['admin'],
    input: CampaignInput,
    output: Campaign,
  }),
  'programmes.campaignRanking': query({
    summary: 'NN Travels: ranking de una campaña (puntos acumulados, tope en la meta)',
    roles: ALL_STAFF,
    input: PageInput.extend({ campaignId: z.number().int().positive().max(2_147_483_647) }).strict(),
    output: pageOf(z.object({ position: z.number().int(), ...MemberCols, points: z.string(), reached: z.boolean(), periodKey: z.string() })).extend({
      campaign: z.object({ id: z.number().int(), name: z.string(), target: z.string() }),
    }),
  }),
};
