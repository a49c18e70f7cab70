import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../main/db/client';
import { postTransfer } from '../main/services/ledger/ledger';
import type { Currency } from '../main/domain/money';

export interface TestMember {
  id: number;
  code: string;
  country: 'MX' | 'US' | 'CO' | 'DO';
}

let nextId = 900_000;

/**
 * Inserts root members for wallet tests (no sponsor: member_paths row "<id>/", depth 0). Members are the
 * genealogy area's data; the ledger only needs them to exist.
 */
export async function insertMembers(
  db: DbOrTx,
  list: {
    country?: TestMember['country'];
    enrolledAt?: Date;
    stripeAccountId?: string | null;
    payoutDestinationChangedAt?: Date | null;
    firstName?: string;
    lastName?: string;
  }[],
): Promise<TestMember[]> {
  const out: TestMember[] = [];
  for (const m of list) {
    const id = nextId++;
    const code = `W${id}`;
    const country = m.country ?? 'MX';
    await db.execute(sql`
      with m as (
        insert into members (id, code, first_name, last_name, email, country, enrolled_at, stripe_account_id, payout_destination_changed_at)
        values (${id}, ${code}, ${m.firstName ?? 'Prueba'}, ${m.lastName ?? `Monedero ${id}`}, ${`w${id}@example.test`}, ${country},
                ${(m.enrolledAt ?? new Date('2025-01-15T12:00:00Z')).toISOString()}::timestamptz, ${m.stripeAccountId ?? null},
                ${m.payoutDestinationChangedAt ? m.payoutDestinationChangedAt.toISOString() : null}::timestamptz)
        returning id)
      insert into member_paths (member_id, path, depth) select id, id::text || '/', 0 from m`);
    out.push({ id, code, country });
  }
  return out;
}

/** Credits a commission to a member's wallet through the ledger API (company commission expense → wallet). */
export async function creditCommission(
  db: DbOrTx,
  memberId: number,
  currency: Currency,
  amount: string,
  opts: { key?: string; periodId?: number | null; at?: Date } = {},
) {
  return postTransfer(db, {
    idempotencyKey: opts.key ?? `test-commission:${memberId}:${Math.random().toString(36).slice(2)}`,
    kind: 'commission',
    currency,
    periodId: opts.periodId ?? null,
    at: opts.at,
    entries: [
      { account: { company: 'commission_expense' }, amount: `-${amount}` },
      { account: { member: memberId }, amount },
    ],
    reference: { test: true },
  });
}

/** Inserts the periods (closed) of the given keys, for per-period figures. */
export async function insertPeriods(
  db: DbOrTx,
  keys: { key: string; startsAt: Date; endsAt: Date; status?: 'open' | 'closed' }[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const p of keys) {
    const rows = await db.execute<{ id: number }>(sql`
      insert into periods (key, starts_at, ends_at, status) values (${p.key}, ${p.startsAt.toISOString()}::timestamptz, ${p.endsAt.toISOString()}::timestamptz, ${p.status ?? 'closed'})
      on conflict (key) do update set key = excluded.key returning id`);
    ids.set(p.key, Number(rows[0]!.id));
  }
  return ids;
}
