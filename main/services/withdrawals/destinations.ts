/**
 * Members' payout destinations (bank accounts), one in force per country. Finance and admin enter
 * or change them; every role can look, but support only gets the last 4 characters of the account,
 * routing number and tax id: the clear numbers never leave the main process for support.
 * A change supersedes the row in force (kept), stamps members.payout_destination_changed_at (the
 * "destination changed in the last 72 hours" risk flag) and is audited with before / after.
 * Writes stay in this file's functions (the database lock-down of issue 16 wraps them).
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { members, payoutDestinations } from '../../db/schema';
import type { MutationContext } from '../../kernel/context';
import { AppError, type RuleKey } from '../../../shared/errors';
import type { Role } from '../../../shared/contract';
import { checkDestination, maskTail, type AccountType, type Destination, type DestinationInput } from '../../domain/payout-destination';

type Row = typeof payoutDestinations.$inferSelect;

export interface DestinationView {
  id: number;
  country: Destination['country'];
  holderName: string;
  taxId: string;
  bankCode: string | null;
  bankName: string | null;
  accountType: AccountType | null;
  routingNumber: string | null;
  accountNumber: string;
  /** True when the numbers above are masked (support). */
  masked: boolean;
  createdAt: string;
  createdBy: string | null;
  supersededAt: string | null;
}

/** What a withdrawal keeps of the destination it pays (the copy taken at approval). */
export type DestinationSnapshot = Destination & { id: number };

export const snapshotOf = (r: Row): DestinationSnapshot => ({
  id: r.id,
  country: r.country as Destination['country'],
  holderName: r.holderName,
  taxId: r.taxId,
  bankCode: r.bankCode,
  bankName: r.bankName,
  accountType: r.accountType,
  routingNumber: r.routingNumber,
  accountNumber: r.accountNumber,
});

/** The destination in force for a member and country, or null. */
export async function destinationInForce(db: DbOrTx, memberId: number, country: string, opts: { lock?: boolean } = {}): Promise<Row | null> {
  const q = db
    .select()
    .from(payoutDestinations)
    .where(and(eq(payoutDestinations.memberId, memberId), eq(payoutDestinations.country, country), isNull(payoutDestinations.supersededAt)));
  const [r] = opts.lock ? await q.for('update') : await q;
  return r ?? null;
}

export function viewOf(
  d: Destination & { id: number },
  masked: boolean,
  extra: { createdAt: Date | string; createdBy: string | null; supersededAt: Date | string | null },
): DestinationView {
  const iso = (v: Date | string | null) => (v == null ? null : new Date(v).toISOString());
  return {
    id: d.id,
    country: d.country,
    holderName: d.holderName,
    bankCode: d.bankCode,
    bankName: d.bankName,
    accountType: d.accountType,
    taxId: masked ? maskTail(d.taxId)! : d.taxId,
    routingNumber: masked ? maskTail(d.routingNumber) : d.routingNumber,
    accountNumber: masked ? maskTail(d.accountNumber)! : d.accountNumber,
    masked,
    createdAt: iso(extra.createdAt)!,
    createdBy: extra.createdBy,
    supersededAt: iso(extra.supersededAt),
  };
}

export const masksFor = (role: Role | undefined) => role !== 'admin' && role !== 'finance';

export async function listDestinations(db: DbOrTx, memberId: number, role: Role | undefined) {
  const [m] = await db.select({ id: members.id, changedAt: members.payoutDestinationChangedAt }).from(members).where(eq(members.id, memberId));
  if (!m) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId });
  const masked = masksFor(role);
  // Support reads the masked view: the clear numbers never leave the database for its login.
  const from = masked ? sql`payout_destinations_masked` : sql`payout_destinations`;
  const rows = await db.execute<Record<string, unknown>>(sql`
    select d.*, s.display_name as created_by_name from ${from} d left join staff s on s.id = d.created_by
     where d.member_id = ${memberId} order by d.superseded_at is not null, d.created_at desc, d.id desc limit 30`);
  const views = rows.map((r) =>
    viewOf(
      {
        id: Number(r.id),
        country: String(r.country).trim() as Destination['country'],
        holderName: String(r.holder_name),
        taxId: String(r.tax_id),
        bankCode: (r.bank_code as string | null) ?? null,
        bankName: (r.bank_name as string | null) ?? null,
        accountType: (r.account_type as AccountType | null) ?? null,
        routingNumber: (r.routing_number as string | null) ?? null,
        accountNumber: String(r.account_number),
      },
      masked,
      { createdAt: r.created_at as Date, createdBy: (r.created_by_name as string | null) ?? null, supersededAt: (r.superseded_at as Date | null) ?? null },
    ),
  );
  return {
    inForce: views.filter((v) => v.supersededAt === null),
    history: views.filter((v) => v.supersededAt !== null),
    changedAt: m.changedAt?.toISOString() ?? null,
    masked,
  };
}

const same = (a: Row, b: Destination) =>
  a.holderName === b.holderName &&
  a.taxId === b.taxId &&
  a.bankName === b.bankName &&
  a.accountType === b.accountType &&
  a.routingNumber === b.routingNumber &&
  a.accountNumber === b.accountNumber;

export async function setDestination(ctx: MutationContext, memberId: number, input: DestinationInput, reason?: string) {
  const checked = checkDestination(input);
  if (!checked.ok) {
    const e = AppError.fields(checked.problems.map((p) => ({ path: p.field, rule: p.rule as RuleKey, params: p.params })));
    // The first field named in the details as well: a screen puts its message on that field.
    throw new AppError('VALIDATION', e.message, { ...(e.details as object), field: checked.problems[0]!.field }, { key: e.key!, params: e.params });
  }
  const d = checked.value;
  const [m] = await ctx.tx.select({ id: members.id, code: members.code }).from(members).where(eq(members.id, memberId));
  if (!m) throw AppError.of('NOT_FOUND', 'member.notFound', {}, { memberId });
  // The account in force is locked: two changes of it are serialised (two first accounts meet the
  // unique in-force index instead). The database checks the row again, stamps who and when, and
  // the member's "changed at" (drizzle/0065).
  const current = await destinationInForce(ctx.tx, memberId, d.country, { lock: true });
  if (current && same(current, d)) {
    throw AppError.of('CONFLICT', 'withdrawal.sameDestination', {}, { id: current.id });
  }
  const now = ctx.now();
  if (current) {
    await ctx.tx
      .update(payoutDestinations)
      .set({ supersededAt: now, supersededBy: ctx.staff?.id ?? null })
      .where(eq(payoutDestinations.id, current.id));
  }
  const [row] = await ctx.tx
    .insert(payoutDestinations)
    .values({ memberId, ...d, createdBy: ctx.staff?.id ?? null, createdAt: now })
    .returning();
  // The audit keeps the account's last 4 only: the audit log is read by more people than finance.
  const audited = (r: Destination) => ({ ...r, accountNumber: maskTail(r.accountNumber), routingNumber: maskTail(r.routingNumber), taxId: maskTail(r.taxId) });
  await ctx.audit({
    entity: 'payout_destination',
    entityId: memberId,
    reason: reason || null,
    before: current ? { id: current.id, ...audited(snapshotOf(current)) } : null,
    after: { id: row!.id, memberCode: m.code, ...audited(d) },
  });
  return viewOf({ ...d, id: row!.id }, false, { createdAt: row!.createdAt, createdBy: ctx.staff?.displayName ?? null, supersededAt: null });
}
