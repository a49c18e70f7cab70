/**
 * The close's ranks step against a real database, on its own: paid-as changes against the previous
 * period and career promotions go to rank_history, keyed by (period, kind, member); run a second
 * time in the same period it finds its rows and upserts them (ON CONFLICT on the same key), so a
 * re-run changes nothing and never duplicates a row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/db';
import { insertMembers, insertPeriods } from '../../../test/network';
import type { Database } from '../../db/client';
import { PLAN_V1 } from '../../domain/plan';
import { periodById } from './lookup';
import { ranksStep, type CloseStepContext } from './close';

let db: Database;
let periods: Map<string, number>;
beforeAll(async () => {
  db = await freshDatabase();
  // 1 ← 2 ← 3, 1 ← 4; member 4 already has career rank 2.
  await insertMembers(db.sql, [
    { id: 1, sponsorId: null, firstName: 'Ana', lastName: 'Raíz' },
    { id: 2, sponsorId: 1, firstName: 'Beto', lastName: 'Uno' },
    { id: 3, sponsorId: 2, firstName: 'Ciro', lastName: 'Dos' },
    { id: 4, sponsorId: 1, firstName: 'Dora', lastName: 'Tres', careerRank: 2 },
  ]);
  periods = await insertPeriods(db.sql, ['2026-10', '2026-11']);
  const [oct, nov] = [periods.get('2026-10')!, periods.get('2026-11')!];
  // Paid-as ranks: member 1 goes 1 → 3, member 2 keeps 1, member 3 goes 0 → 1, member 4 goes 2 → 0.
  await db.sql`insert into member_volumes (period_id, member_id, pv, pvg, paid_as_rank) values
    (${oct}, 1, 100, 100, 1), (${oct}, 2, 100, 100, 1), (${oct}, 4, 100, 100, 2),
    (${nov}, 1, 100, 100, 3), (${nov}, 2, 100, 100, 1), (${nov}, 3, 100, 100, 1)`;
});
afterAll(async () => {
  await db.close();
});

async function runRanks(): Promise<Record<string, unknown>> {
  return db.db.transaction(async (tx) => {
    const period = (await periodById(tx, periods.get('2026-11')!))!;
    const previous = (await periodById(tx, periods.get('2026-10')!))!;
    const ctx: CloseStepContext = {
      tx,
      period,
      previous,
      plan: PLAN_V1,
      staffId: null,
      now: new Date('2026-12-01T07:00:00Z'),
      progress: async () => {},
      log: () => {},
      results: {},
    };
    return (await ranksStep.run(ctx)) ?? {};
  });
}

const history = () =>
  db.sql<{ member_id: string; kind: string; old_rank: number; new_rank: number }[]>`
    select member_id::text, kind::text, old_rank, new_rank from rank_history where period_id = ${periods.get('2026-11')!} order by kind, member_id`;

describe('the ranks step', () => {
  it('writes the paid-as changes and the career promotions once; a second run finds them and changes nothing', async () => {
    const first = await runRanks();
    expect(first).toEqual({ paidAsChanges: 3, careerPromotions: 3 });
    const expected = [
      { member_id: '1', kind: 'career', old_rank: 0, new_rank: 3 },
      { member_id: '2', kind: 'career', old_rank: 0, new_rank: 1 },
      { member_id: '3', kind: 'career', old_rank: 0, new_rank: 1 },
      { member_id: '1', kind: 'paid_as', old_rank: 1, new_rank: 3 },
      { member_id: '3', kind: 'paid_as', old_rank: 0, new_rank: 1 },
      { member_id: '4', kind: 'paid_as', old_rank: 2, new_rank: 0 },
    ];
    expect(await history()).toEqual(expected);
    // The second run upserts the paid-as rows on (member, period, kind) and finds no promotion left.
    const second = await runRanks();
    expect(second).toEqual({ paidAsChanges: 3, careerPromotions: 0 });
    expect(await history()).toEqual(expected);
    const careers = await db.sql<{ id: string; career_rank: number }[]>`select id::text, career_rank from members order by id`;
    expect(careers.map((r) => r.career_rank)).toEqual([3, 1, 1, 2]);
  });
});
