import { z } from 'zod';
import { ALL_STAFF, mutation, query } from './define';
import { CountryCode, DecimalString, Instant, MoneyString } from '../money';
import { MemberId, MemberRef, MemberStatusSchema, PeriodKeyInput, PeriodRef, RankNumber, UplineEntry } from './members';
import { rule } from '../error-messages';

/** One member as the genealogy tree shows it, with the figures of the selected period. */
export const TreeNode = MemberRef.extend({
  country: CountryCode,
  status: MemberStatusSchema,
  depth: z.number().int(),
  careerRank: RankNumber,
  paidAsRank: RankNumber,
  pv: DecimalString,
  pvg: DecimalString,
  /** Bought in the period: PV > 0 (and the member is not suspended). */
  active: z.boolean(),
  downlineSize: z.number().int(),
});
export type TreeNode = z.infer<typeof TreeNode>;

const PeriodOpt = { periodKey: PeriodKeyInput.optional() };

export const EXPORT_PAGE_MAX = 5000;

export const ExportRow = z.object({
  id: MemberId,
  code: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  country: CountryCode,
  status: MemberStatusSchema,
  sponsorCode: z.string().nullable(),
  /** 0 = the member the export starts from, 1 = its direct recruits, ... */
  level: z.number().int(),
  enrolledAt: Instant,
  careerRank: RankNumber,
  paidAsRank: RankNumber,
  pv: DecimalString,
  pvg: DecimalString,
  vn: MoneyString,
  downlineSize: z.number().int(),
});
export type ExportRow = z.infer<typeof ExportRow>;

export const genealogyContract = {
  'genealogy.node': query({
    roles: ALL_STAFF,
    summary: 'One member as a tree root (default: the root of the network): its figures in the period, its upline, and the periods to choose from.',
    input: z.object({ memberId: MemberId.optional(), ...PeriodOpt }).strict(),
    output: z.object({
      node: TreeNode,
      upline: z.array(UplineEntry),
      directRecruits: z.number().int(),
      period: PeriodRef.nullable(),
      periods: z.array(PeriodRef),
    }),
  }),
  'genealogy.children': query({
    roles: ALL_STAFF,
    summary: "One page of a member's direct recruits with their figures in the period.",
    input: z
      .object({
        memberId: MemberId,
        ...PeriodOpt,
        sort: z.enum(['enrolled', 'downline', 'pvg']).default('enrolled'),
        page: z.number().int().min(1).max(100_000).default(1),
        pageSize: z.number().int().min(1).max(200).default(100),
      })
      .strict(),
    output: z.object({
      rows: z.array(TreeNode),
      total: z.number().int(),
      page: z.number().int(),
      pageSize: z.number().int(),
      period: PeriodRef.nullable(),
    }),
  }),
  'genealogy.levels': query({
    roles: ALL_STAFF,
    summary: 'Level view of a downline: per level below the member, how many members, how many active, their PV.',
    input: z.object({ memberId: MemberId, ...PeriodOpt }).strict(),
    output: z.object({
      levels: z.array(z.object({ level: z.number().int(), members: z.number().int(), active: z.number().int(), pv: DecimalString })),
      totalMembers: z.number().int(),
      totalActive: z.number().int(),
      totalPv: DecimalString,
      period: PeriodRef.nullable(),
    }),
  }),
  'genealogy.legs': query({
    roles: ALL_STAFF,
    summary:
      "Leg view of a member: each direct recruit with the whole downline below it — the leg's PVG (PV summed over the leg), members, active members and members per paid-as rank in the period.",
    input: z.object({ memberId: MemberId, ...PeriodOpt }).strict(),
    output: z.object({
      legs: z.array(
        z.object({
          recruit: TreeNode,
          pvg: DecimalString,
          members: z.number().int(),
          /** Same rule as TreeNode.active: PV > 0 in the period and not suspended. */
          active: z.number().int(),
          ranks: z.array(z.object({ rank: RankNumber, members: z.number().int() })),
        }),
      ),
      totalPvg: DecimalString,
      period: PeriodRef.nullable(),
    }),
  }),
  'genealogy.exportPage': query({
    roles: ALL_STAFF,
    summary: 'One page of a downline export (the member first, then its downline in tree order); pass nextCursor back for the next page.',
    input: z
      .object({
        memberId: MemberId,
        ...PeriodOpt,
        cursor: z
          .string()
          .max(4000)
          .regex(/^(\d+\/)+$/, rule('cursor'))
          .optional(),
        limit: z.number().int().min(1).max(EXPORT_PAGE_MAX).default(2000),
      })
      .strict(),
    output: z.object({
      rows: z.array(ExportRow),
      nextCursor: z.string().nullable(),
      /** Rows the whole export will have (the member and its downline). */
      total: z.number().int(),
      period: PeriodRef.nullable(),
    }),
  }),
  'genealogy.move': mutation({
    roles: ['admin'],
    summary: 'Genealogy correction: moves a member with its whole downline under another sponsor, in the open period, with a reason.',
    input: z
      .object({
        memberId: MemberId,
        newSponsorId: MemberId,
        reason: z.string().trim().min(5, 'Explique el motivo (al menos 5 caracteres)').max(500),
      })
      .strict(),
    output: z.object({
      memberId: MemberId,
      oldSponsorId: MemberId.nullable(),
      newSponsorId: MemberId,
      movedMembers: z.number().int(),
      oldPath: z.string(),
      newPath: z.string(),
      /** The subtree's PVG in the open period: taken from the old ancestors, given to the new ones. */
      subtreePvg: DecimalString,
      period: PeriodRef,
    }),
  }),
};
