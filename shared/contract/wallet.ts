import { z } from 'zod';
import { ALL_STAFF, PageInput, pageOf, query } from './define';
import { CurrencyCode, Instant, MoneyString } from '../money';

export const MemberId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const WalletSummary = z.object({
  memberId: z.number().int(),
  currency: CurrencyCode,
  /** Posted balance; negative only after a clawback. */
  balance: MoneyString,
  /** Held by withdrawal requests not yet paid or released. */
  held: MoneyString,
  /** balance − held: what a new withdrawal may take. */
  available: MoneyString,
  /** Withdrawals still open (pending, approved, processing). */
  openWithdrawals: z.number().int(),
});
export type WalletSummary = z.infer<typeof WalletSummary>;

export const WalletEntry = z.object({
  id: z.number().int(),
  transactionId: z.number().int(),
  at: Instant,
  kind: z.string(),
  /** Signed: + credit to the wallet, − debit. */
  amount: MoneyString,
  currency: CurrencyCode,
  /** pending = held (a withdrawal request), posted = applied, voided = released. */
  status: z.enum(['pending', 'posted', 'voided']),
  periodKey: z.string().nullable(),
  reference: z.record(z.string(), z.unknown()).nullable(),
  memo: z.string().nullable(),
});
export type WalletEntry = z.infer<typeof WalletEntry>;

export const walletContract = {
  'wallet.summary': query({
    roles: ALL_STAFF,
    summary: "A member's wallet: balance, held by withdrawals, available.",
    input: z.object({ memberId: MemberId }).strict(),
    output: WalletSummary,
  }),
  'wallet.entries': query({
    roles: ALL_STAFF,
    summary: "A member's wallet history (ledger entries), newest first.",
    input: PageInput.extend({ memberId: MemberId, kind: z.string().max(40).optional() }).strict(),
    output: pageOf(WalletEntry),
  }),
};
