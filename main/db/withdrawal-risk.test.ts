/**
 * Issue 16: the risk flags stored with a withdrawal request are the database's (drizzle/0066,
 * nnp_withdrawal_risk); the withdrawal detail re-reads them with the app's (risk.ts assessRequest →
 * domain assessRisk). The two must be one rule: on members with generated histories — enrolment,
 * a recent payout-account change or none, commissions and clawbacks in and out of periods (by period
 * id or by instant, across Mexico-Central month ends), earlier requests around the instant — both
 * give the same mask and the same details for hundreds of (member, amount, instant) questions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { testApp, type TestApp } from '../../test/app';
import { seeded } from '../../test/seeded';
import { creditCommission, insertMembers, insertPeriods } from '../../test/wallet-fixtures';
import { postTransfer } from '../services/ledger/ledger';
import { assessRequest } from '../services/withdrawals/risk';
import { periodBounds } from '../domain/period';
import { RISK_BIT } from '../domain/withdrawals';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const { int, pick, chance } = seeded(7261066);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AROUND = Date.parse('2026-06-01T06:00:00Z'); // 2026-06-01 00:00 in Mexico City: a period boundary

describe('withdrawal risk flags: the database and the app agree', () => {
  it('same mask and details on 400 questions about 30 generated members', async () => {
    const db = t.database.db;
    const keys = ['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];
    const periodIds = await insertPeriods(
      db,
      keys.map((key) => ({ ...periodBounds(key), key })),
    );
    const members: { id: number; enrolledAt: Date; payoutDestinationChangedAt: Date | null }[] = [];
    for (let i = 0; i < 30; i++) {
      const enrolledAt = new Date(AROUND - pick([400, 200, 95, 61, 40, 31, 30, 29, 5]) * DAY + pick([0, 1, -1]) * HOUR);
      const payoutDestinationChangedAt = pick([null, null, new Date(AROUND - pick([1, 71, 72, 73, 200]) * HOUR)]);
      const [m] = await insertMembers(db, [{ enrolledAt, payoutDestinationChangedAt }]);
      members.push({ id: m!.id, enrolledAt, payoutDestinationChangedAt });
      // Commissions: none, one, or several periods; by period id or by instant (some a second from a month end).
      const credits = pick([0, 1, 2, 3, 6, 8]);
      for (let c = 0; c < credits; c++) {
        const key = pick(keys);
        const b = periodBounds(key);
        const at = pick([new Date(b.startsAt.getTime() + 10 * DAY), new Date(b.endsAt.getTime() - 1000), b.startsAt]);
        const amount = pick(['1000.00', '333.33', '0.05', '2500.10', '100.00']);
        await creditCommission(db, m!.id, 'MXN', amount, { at, periodId: pick([null, null, periodIds.get(key)!]) });
      }
      if (credits > 0 && chance(0.3)) {
        const key = pick(keys);
        await postTransfer(db, {
          idempotencyKey: `risk-clawback:${m!.id}:${key}`,
          kind: 'clawback',
          currency: 'MXN',
          allowNegative: true,
          periodId: periodIds.get(key)!,
          entries: [
            { account: { member: m!.id }, amount: '-150.00' },
            { account: { company: 'commission_expense' }, amount: '150.00' },
          ],
          at: new Date(periodBounds(key).startsAt.getTime() + 3 * DAY),
        });
      }
      // Earlier requests around the instants asked about.
      for (let r = pick([0, 0, 2, 3, 4]); r > 0; r--) await requestedAt(m!.id, new Date(AROUND - int(10 * DAY) + int(3 * DAY)));
    }
    // Two edges the random histories rarely hit exactly: an amount equal to 3 × the average (1,000.00
    // in each of the six periods: 3,000.00 is not over it), and an enrolment exactly at a month's start
    // (the month before it is not one of the member's periods).
    const even = await insertMembers(db, [{ enrolledAt: new Date(AROUND - 400 * DAY) }, { enrolledAt: periodBounds('2026-03').startsAt }]);
    for (const [i, m] of even.entries()) {
      for (const key of ['2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05']) {
        await creditCommission(db, m.id, 'MXN', '1000.00', { at: new Date(periodBounds(key).startsAt.getTime() + 2 * DAY) });
      }
      members.push({ id: m.id, enrolledAt: i === 0 ? new Date(AROUND - 400 * DAY) : periodBounds('2026-03').startsAt, payoutDestinationChangedAt: null });
    }
    const edges = even.flatMap((m, i) =>
      ['2999.99', '3000.00', '3000.01', '2250.00', '2250.01'].map((amount) => ({ m: members[members.length - 2 + i]!, amount, at: new Date(AROUND + DAY) })),
    );
    // And the 7-day window's edge: requests 1 h, 2 h, exactly 168 h and 168½ h before the question
    // (the last two outside it: three with this one, not "more than 3").
    const [w] = await insertMembers(db, [{ enrolledAt: new Date(AROUND - 400 * DAY) }]);
    const asked = new Date(AROUND + DAY);
    for (const h of [1, 2, 168, 168.5]) await requestedAt(w!.id, new Date(asked.getTime() - h * HOUR));
    members.push({ id: w!.id, enrolledAt: new Date(AROUND - 400 * DAY), payoutDestinationChangedAt: null });
    edges.push({ m: members[members.length - 1]!, amount: '500.00', at: asked });
    const questions = [
      ...edges,
      ...Array.from({ length: 400 }, () => ({
        m: pick(members),
        amount: pick(['500.00', '999.99', '1000.00', '3000.00', '3000.01', '999.00', '10.05', '250000.00', '1.00']),
        at: new Date(AROUND + pick([-7, -3, -1, 0, 0, 1, 2, 5]) * DAY + pick([0, 1000, -1000, 6 * HOUR])),
      })),
    ];
    const differences: unknown[] = [];
    const seen = new Set<number>();
    for (const q of questions) {
      const app = await assessRequest(db, q.m, q.amount, q.at, { includeSelf: true });
      const [fromDb] = await t.database.sql<{ mask: number; details: unknown }[]>`
        select mask, details from nnp_withdrawal_risk(${q.m.id}, ${q.amount}::numeric, ${q.at.toISOString()}::timestamptz)`;
      const same = fromDb!.mask === app.mask && JSON.stringify(sorted(fromDb!.details)) === JSON.stringify(sorted(app.details));
      if (!same) differences.push({ question: { member: q.m.id, amount: q.amount, at: q.at.toISOString() }, app, db: fromDb });
      for (const bit of Object.values(RISK_BIT)) if (app.mask & bit) seen.add(bit);
    }
    expect(differences.slice(0, 3)).toEqual([]);
    // Every flag was raised somewhere, and some questions raised none.
    expect([...seen].sort((a, b) => a - b)).toEqual(Object.values(RISK_BIT).sort((a, b) => a - b));
  });
});

/** A request row as a request leaves it (each needs its own transaction: here a cent between two company accounts). */
let requests = 0;
async function requestedAt(memberId: number, at: Date) {
  const tx = await postTransfer(t.database.db, {
    idempotencyKey: `risk-request:${memberId}:${++requests}`,
    kind: 'test.request',
    currency: 'MXN',
    entries: [
      { account: { company: 'fee_income' }, amount: '-0.01' },
      { account: { company: 'withdrawal_holds' }, amount: '0.01' },
    ],
  });
  await t.database.db.execute(sql`
    insert into withdrawals (member_id, country, currency, amount, fee, net, status, source, requested_at, hold_transaction_id, updated_at)
    values (${memberId}, 'MX', 'MXN', 500, 20, 480, 'pending', 'staff', ${at.toISOString()}::timestamptz, ${tx.transactionId}, now())`);
}

/** JSON with sorted keys (jsonb keeps its own key order). */
function sorted(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(
    Object.keys(v as object)
      .sort()
      .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
  );
}
