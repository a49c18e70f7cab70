/** One withdrawal as the detail panel shows it. */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { AppError } from '../../../shared/errors';
import type { WithdrawalDetail } from '../../../shared/contract/withdrawals';
import type { z } from 'zod';
import { RISK_FLAGS, flagsOfMask, type RiskAssessment } from '../../domain/withdrawals';
import { walletEntries, walletSummary } from '../ledger/history';
import { assessRequest } from './risk';
import { loadMember } from './service';
import { destinationInForce, snapshotOf, type DestinationSnapshot } from './destinations';
import { ROW_COLUMNS, toRow, type RawRow } from './queue';

type Detail = z.infer<typeof WithdrawalDetail>;
const iso = (v: unknown) => (v == null ? null : (v instanceof Date ? v : new Date(String(v))).toISOString());

export async function withdrawalDetail(db: DbOrTx, id: number, now: Date): Promise<Detail> {
  const rows = await db.execute<RawRow & Record<string, unknown>>(sql`
    select ${ROW_COLUMNS}, w.stripe_destination, w.stripe_transfer_id, w.bank_batch_id, w.payout_reference, w.payout_attempts,
           w.rejection_reason, w.failure_reason, w.risk_details, w.request_note, w.approval_note,
           w.requested_by, rq.display_name as requested_by_name, w.approved_at, ap.display_name as approved_by_name,
           w.first_approved_at, fa.display_name as first_approved_by_name, w.first_approval_note, w.payout_destination,
           w.rejected_at, rj.display_name as rejected_by_name, w.processing_at, pr.display_name as processing_by_name,
           w.paid_at, pd.display_name as paid_by_name, w.failed_at, fl.display_name as failed_by_name
      from withdrawals w join members m on m.id = w.member_id
      left join staff rq on rq.id = w.requested_by left join staff ap on ap.id = w.approved_by left join staff rj on rj.id = w.rejected_by
      left join staff fa on fa.id = w.first_approved_by
      left join staff pr on pr.id = w.processing_by left join staff pd on pd.id = w.paid_by left join staff fl on fl.id = w.failed_by
     where w.id = ${id}`);
  const r = rows[0];
  if (!r) throw AppError.of('NOT_FOUND', 'withdrawal.notFound', {}, { id });
  const row = toRow(r);
  const member = await loadMember(db, row.memberId);

  const [wallet, history, previous, attempts, live] = await Promise.all([
    walletSummary(db, member.id),
    walletEntries(db, member.id, 1, 20),
    db.execute<RawRow>(sql`select ${ROW_COLUMNS} from withdrawals w join members m on m.id = w.member_id
                            where w.member_id = ${member.id} and w.id <> ${id} order by w.requested_at desc, w.id desc limit 10`),
    db.execute<Record<string, unknown>>(sql`
      select a.*, s.display_name as started_by_name from withdrawal_payout_attempts a left join staff s on s.id = a.started_by
       where a.withdrawal_id = ${id} order by a.id`),
    assessRequest(db, member, row.amount, now, { includeSelf: false }),
  ]);
  const inForce = await destinationInForce(db, member.id, row.country);

  const atRequest = flagsOfMask(Number(r.risk_mask));
  const stored = (r.risk_details ?? {}) as RiskAssessment['details'];
  const open = row.status === 'pending' || row.status === 'approved' || row.status === 'processing';
  const risk = RISK_FLAGS.filter((f) => atRequest.includes(f) || (open && live.flags.includes(f))).map((flag) => ({
    flag,
    detail: ((open && live.details[flag]) || stored[flag] || {}) as Record<string, string | number | null>,
    atRequest: atRequest.includes(flag),
    now: open && live.flags.includes(flag),
  }));

  const decisions: Detail['decisions'] = [
    {
      action: 'requested',
      by: (r.requested_by_name as string | null) ?? (row.source === 'member_app' ? null : null),
      at: row.requestedAt,
      note: (r.request_note as string | null) ?? null,
    },
  ];
  if (r.first_approved_at)
    decisions.push({
      action: 'first_approved',
      by: (r.first_approved_by_name as string | null) ?? null,
      at: iso(r.first_approved_at)!,
      note: (r.first_approval_note as string | null) ?? null,
    });
  if (r.approved_at)
    decisions.push({
      action: 'approved',
      by: (r.approved_by_name as string | null) ?? null,
      at: iso(r.approved_at)!,
      note: (r.approval_note as string | null) ?? null,
    });
  if (r.rejected_at)
    decisions.push({
      action: 'rejected',
      by: (r.rejected_by_name as string | null) ?? null,
      at: iso(r.rejected_at)!,
      note: (r.rejection_reason as string | null) ?? null,
    });
  if (r.processing_at)
    decisions.push({
      action: 'processing',
      by: (r.processing_by_name as string | null) ?? null,
      at: iso(r.processing_at)!,
      note: row.payoutMethod === 'bank_file' ? 'archivo bancario' : row.payoutMethod === 'stripe' ? 'Stripe Connect' : null,
    });
  if (r.paid_at)
    decisions.push({ action: 'paid', by: (r.paid_by_name as string | null) ?? null, at: iso(r.paid_at)!, note: (r.payout_reference as string | null) ?? null });
  if (r.failed_at)
    decisions.push({
      action: 'failed',
      by: (r.failed_by_name as string | null) ?? null,
      at: iso(r.failed_at)!,
      note: (r.failure_reason as string | null) ?? null,
    });

  return {
    withdrawal: {
      ...row,
      stripeDestination: (r.stripe_destination as string | null) ?? null,
      stripeTransferId: (r.stripe_transfer_id as string | null) ?? null,
      bankBatchId: (r.bank_batch_id as string | null) ?? null,
      payoutReference: (r.payout_reference as string | null) ?? null,
      payoutAttempts: Number(r.payout_attempts ?? 0),
      rejectionReason: (r.rejection_reason as string | null) ?? null,
      failureReason: (r.failure_reason as string | null) ?? null,
      destination: (r.payout_destination as DestinationSnapshot | null) ?? null,
    },
    member: {
      id: member.id,
      code: member.code,
      name: `${member.firstName} ${member.lastName}`.trim(),
      email: member.email,
      phone: member.phone,
      country: member.country as Detail['member']['country'],
      status: member.status,
      enrolledAt: member.enrolledAt.toISOString(),
      stripeAccountId: member.stripeAccountId,
      payoutDestinationChangedAt: member.payoutDestinationChangedAt?.toISOString() ?? null,
      destination: inForce ? snapshotOf(inForce) : null,
    },
    wallet,
    risk,
    decisions,
    attempts: attempts.map((a) => ({
      id: Number(a.id),
      method: a.method as 'stripe' | 'bank_file',
      idempotencyKey: String(a.idempotency_key),
      startedBy: (a.started_by_name as string | null) ?? null,
      startedAt: iso(a.started_at)!,
      finishedAt: iso(a.finished_at),
      outcome: (a.outcome as string | null) ?? null,
      stripeTransferId: (a.stripe_transfer_id as string | null) ?? null,
      errorCode: (a.error_code as string | null) ?? null,
      errorMessage: (a.error_message as string | null) ?? null,
    })),
    previous: previous.map(toRow),
    history: history.rows,
  };
}
