import { z } from 'zod';
import { ALL_STAFF, Ok, PageInput, mutation, query } from './define';
import { CountryCode, CurrencyCode, DecimalString, Instant, MoneyString } from '../money';
import { rule } from '../error-messages';

/** A member id: bigint in the database, always below 2^53. */
export const MemberId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const PeriodKeyInput = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, rule('periodKey'));
export const MemberStatusSchema = z.enum(['active', 'inactive', 'suspended']);
export const RankNumber = z.number().int().min(0).max(8);

/** At most this many candidates are ranked for one search; past it the answer says `capped`. */
export const SEARCH_CAP = 500;

export const MemberRef = z.object({ id: MemberId, code: z.string(), firstName: z.string(), lastName: z.string() });
export type MemberRef = z.infer<typeof MemberRef>;

export const MemberHit = MemberRef.extend({
  email: z.string().nullable(),
  phone: z.string().nullable(),
  country: CountryCode,
  status: MemberStatusSchema,
  careerRank: RankNumber,
  depth: z.number().int(),
  downlineSize: z.number().int(),
  /** What matched best: the code, the e-mail, the phone or the name. */
  matchedBy: z.enum(['code', 'email', 'phone', 'name']),
});
export type MemberHit = z.infer<typeof MemberHit>;

export const PeriodRef = z.object({ id: z.number().int(), key: z.string(), status: z.enum(['open', 'closing', 'closed']) });
export type PeriodRef = z.infer<typeof PeriodRef>;

export const PeriodVolumes = z.object({
  period: PeriodRef,
  pv: DecimalString,
  pvg: DecimalString,
  /** In the member's own currency. */
  vn: MoneyString,
  paidAsRank: RankNumber,
  /** False when the volumes engine has no row for this member and period yet (all zero). */
  cached: z.boolean(),
});

export const UplineEntry = MemberRef.extend({ depth: z.number().int() });

export const SponsorMove = z.object({
  at: Instant,
  oldSponsor: MemberRef.nullable(),
  newSponsor: MemberRef,
  movedMembers: z.number().int(),
  periodKey: z.string(),
  reason: z.string(),
  staffUsername: z.string().nullable(),
});

export const MemberProfile = MemberRef.extend({
  email: z.string().nullable(),
  phone: z.string().nullable(),
  address: z.string().nullable(),
  country: CountryCode,
  countryName: z.string(),
  currency: CurrencyCode,
  status: MemberStatusSchema,
  enrolledAt: Instant,
  depth: z.number().int(),
  careerRank: RankNumber,
  sponsor: MemberRef.nullable(),
  /** Root first, the direct sponsor last. */
  upline: z.array(UplineEntry),
  downlineSize: z.number().int(),
  directRecruits: z.number().int(),
  /** The open period (else the latest one) and its figures. */
  current: PeriodVolumes.nullable(),
  /** Every period, newest first. */
  volumes: z.array(PeriodVolumes),
  orders: z.object({ count: z.number().int(), paid: z.number().int() }),
  moves: z.array(SponsorMove),
});
export type MemberProfile = z.infer<typeof MemberProfile>;

export const MemberOrder = z.object({
  id: z.number().int(),
  status: z.enum(['pending', 'paid', 'failed', 'refunded', 'cancelled']),
  total: MoneyString,
  currency: CurrencyCode,
  pv: DecimalString,
  vn: MoneyString,
  kitPv: DecimalString,
  createdAt: Instant,
  paymentConfirmedAt: Instant.nullable(),
  periodKey: z.string().nullable(),
  paymentMethod: z.enum(['stripe', 'wallet', 'manual']).nullable(),
  lines: z.number().int(),
});

/** Who corrects a member's contact data and leaves notes; suspension is the admin's (docs/notes/issue-20.md). */
export const MEMBER_EDITORS = ['admin', 'support'] as const;
export const MEMBER_SUSPENDERS = ['admin'] as const;

const PersonName = z.string().trim().min(1, rule('name')).max(80);
/** An e-mail: "" clears it. */
export const EmailInput = z.union([
  z.literal(''),
  z
    .string()
    .trim()
    .max(200)
    .email({ message: rule('email') }),
]);
/** A phone as people write it: digits, spaces, +, hyphens, dots, parentheses; 7 to 15 digits. "" clears it. */
export const PhoneInput = z
  .string()
  .trim()
  .max(30)
  .refine((s) => s === '' || (/^[+\d\s().-]+$/.test(s) && /^\d{7,15}$/.test(s.replace(/\D/g, ''))), rule('phone'));
const Reason = z.string().trim().min(3).max(500);

export const TimelineKind = z.enum(['note', 'order', 'withdrawal', 'autoship', 'sponsor', 'edit', 'status']);
export const TimelineEntry = z.object({
  at: Instant,
  kind: TimelineKind,
  /** Who did it, for staff actions and notes. */
  staff: z.string().nullable(),
  /** The order / withdrawal number, when there is one. */
  ref: z.number().int().nullable(),
  /** A state or action code the screen words (order/withdrawal status, autoship action, suspended/active). */
  status: z.string().nullable(),
  amount: MoneyString.nullable(),
  currency: CurrencyCode.nullable(),
  /** Autoship: the new charge day. */
  day: z.number().int().nullable(),
  /** A note's text or a staff action's reason. */
  text: z.string().nullable(),
  /** Fields a staff edit changed: field key, before, after (display text). */
  changes: z.array(z.object({ field: z.string(), before: z.string().nullable(), after: z.string().nullable() })),
  /** Sponsor changes: from → to. */
  from: MemberRef.nullable(),
  to: MemberRef.nullable(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const membersContract = {
  'members.search': query({
    roles: ALL_STAFF,
    summary:
      "Member lookup by code, name (accent- and case-insensitive, partial words), e-mail or phone (any format); ranked and paged. Optionally only inside one member's downline.",
    input: z
      .object({
        // Long or odd input is accepted and normalised (never an error): only the first 200 characters count.
        q: z.string().max(1000),
        withinMemberId: MemberId.optional(),
        page: z.number().int().min(1).max(1000).default(1),
        pageSize: z.number().int().min(1).max(100).default(20),
      })
      .strict(),
    output: z.object({
      rows: z.array(MemberHit),
      total: z.number().int(),
      page: z.number().int(),
      pageSize: z.number().int(),
      /** More candidates than SEARCH_CAP matched: refine the search. */
      capped: z.boolean(),
    }),
  }),
  /**
   * The member a code names, as staff type it: "NN0000008", or its digits without the prefix and
   * zeros ("8", "0000008", "nn-8"), the same rule as the search. NOT_FOUND (member.notFoundCode) if none.
   */
  'members.byCode': query({
    roles: ALL_STAFF,
    summary: 'A member by code (NN0000008, or its digits: 8, 0000008); NOT_FOUND when no member has it.',
    input: z.object({ code: z.string().trim().min(1).max(40) }).strict(),
    output: MemberRef,
  }),
  'members.get': query({
    roles: ALL_STAFF,
    summary: "A member's profile: identity, contact, sponsor and upline, ranks, volumes per period, downline size, sponsor changes.",
    input: z.object({ id: MemberId }).strict(),
    output: MemberProfile,
  }),
  'members.orders': query({
    roles: ALL_STAFF,
    summary: "A member's orders, newest first.",
    input: PageInput.extend({ memberId: MemberId, pageSize: z.number().int().min(1).max(200).default(25) }).strict(),
    output: z.object({ rows: z.array(MemberOrder), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
  }),
  'members.update': mutation({
    roles: MEMBER_EDITORS,
    summary: "Corrects a member's name, e-mail, phone or address, with a reason; audited with the fields before and after.",
    input: z
      .object({
        id: MemberId,
        firstName: PersonName.optional(),
        lastName: PersonName.optional(),
        email: EmailInput.optional(),
        phone: PhoneInput.optional(),
        address: z.string().trim().max(300).optional(),
        reason: Reason,
      })
      .strict(),
    output: z.object({ changed: z.array(z.string()) }),
  }),
  'members.setStatus': mutation({
    roles: MEMBER_SUSPENDERS,
    summary: 'Suspends or reactivates a member, with a reason; audited.',
    input: z.object({ id: MemberId, status: z.enum(['active', 'suspended']), reason: Reason }).strict(),
    output: Ok,
  }),
  'members.addNote': mutation({
    roles: MEMBER_EDITORS,
    summary: 'Leaves a note on a member (shown on its timeline); audited.',
    input: z.object({ memberId: MemberId, text: z.string().trim().min(1).max(2000) }).strict(),
    output: z.object({ id: z.number().int() }),
  }),
  'members.timeline': query({
    roles: ALL_STAFF,
    summary: "A member's history on one page, newest first: notes, orders, withdrawals, autoship changes, sponsor changes and staff actions.",
    input: PageInput.extend({ memberId: MemberId, pageSize: z.number().int().min(1).max(100).default(20) }).strict(),
    output: z.object({ rows: z.array(TimelineEntry), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
  }),
};
