/** Read side of a member's wallet: summary and entries (the wallet tab, the withdrawal detail). */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import type { WalletEntry, WalletSummary } from '../../../shared/contract/wallet';
import { Decimal } from '../../domain/money';
import { memberBalance } from './ledger';

export async function walletSummary(db: DbOrTx, memberId: number): Promise<WalletSummary> {
  const [b, open] = await Promise.all([
    memberBalance(db, memberId),
    db.execute<{ n: number }>(
      sql`select count(*)::int as n from withdrawals where member_id = ${memberId} and status in ('pending', 'approved', 'processing')`,
    ),
  ]);
  return { memberId, currency: b.currency, balance: b.balance, held: b.held, available: b.available, openWithdrawals: Number(open[0]?.n ?? 0) };
}

/** A wallet entry as the query below returns it (ids as bigint text, the instant as the driver gives it). */
type EntryRow = {
  id: string | number;
  transaction_id: string | number;
  created_at: Date | string;
  kind: string;
  amount: string;
  currency: string;
  status: WalletEntry['status'];
  period_key: string | null;
  reference: Record<string, unknown> | null;
  memo: string | null;
};

export async function walletEntries(db: DbOrTx, memberId: number, page: number, pageSize: number, kind?: string) {
  const filter = kind ? sql`and e.kind = ${kind}` : sql``;
  const [rows, count] = await Promise.all([
    db.execute<EntryRow>(sql`
      select e.id, e.transaction_id, e.created_at, e.kind, e.amount, e.currency, t.status, p.key as period_key, t.reference, t.memo
        from ledger_accounts a
        join ledger_entries e on e.account_id = a.id
        join ledger_transactions t on t.id = e.transaction_id
        left join periods p on p.id = e.period_id
       where a.kind = 'member_wallet' and a.member_id = ${memberId} ${filter}
       order by e.id desc limit ${pageSize} offset ${(page - 1) * pageSize}`),
    db.execute<{ n: number }>(sql`
      select count(*)::int as n from ledger_accounts a join ledger_entries e on e.account_id = a.id
       where a.kind = 'member_wallet' and a.member_id = ${memberId} ${filter}`),
  ]);
  const out: WalletEntry[] = rows.map((r) => ({
    id: Number(r.id),
    transactionId: Number(r.transaction_id),
    at: (r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at))).toISOString(),
    kind: String(r.kind),
    amount: new Decimal(String(r.amount)).toFixed(2),
    currency: String(r.currency).trim() as WalletEntry['currency'],
    status: r.status,
    periodKey: r.period_key ?? null,
    reference: r.reference ?? null,
    memo: r.memo ?? null,
  }));
  return { rows: out, total: Number(count[0]?.n ?? 0), page, pageSize };
}
