/**
 * Fills the cached volumes and figures of periods that have orders but no figures yet: a
 * database seeded or imported outside the app (the demo network, `npm run seed`, a migration from
 * another system). Closed periods are filled too — their figures were never computed, so this is
 * their first computation, not an edit — but no rank history or career change is written for them.
 * An open or closing period whose figures disagree with its paid orders is recomputed as well.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { planInForce } from '../plan/cached';
import { listPeriods } from '../periods/lookup';
import { recomputePeriod } from './recompute';
import { Decimal } from '../../domain/money';

export async function ensurePeriodAggregates(db: Db, log: (m: string) => void = () => {}): Promise<string[]> {
  const done: string[] = [];
  for (const p of await listPeriods(db, 'asc')) {
    const [s] = await db.execute<{ orders_paid: number; pv: string }>(sql`select orders_paid, pv::text as pv from period_stats where period_id = ${p.id}`);
    let stale = !s;
    if (s && p.status !== 'closed') {
      const [o] = await db.execute<{ n: number; pv: string }>(
        sql`select count(*)::int as n, coalesce(sum(pv), 0)::numeric(18,2)::text as pv from orders where period_id = ${p.id} and status = 'paid'`,
      );
      stale = (o?.n ?? 0) !== s.orders_paid || !new Decimal(o?.pv ?? '0').eq(s.pv);
    }
    if (!stale) continue;
    const t0 = performance.now();
    await db.transaction(async (tx) => {
      const r = await recomputePeriod(tx, p, (await planInForce(tx, p.key)).figures);
      if (p.status === 'closed') {
        await tx.execute(
          sql`update period_stats set members_advancing = (select count(*) from rank_history where period_id = ${p.id} and kind = 'career') where period_id = ${p.id}`,
        );
      }
      log(`volúmenes del periodo ${p.key} calculados: ${r.rows} filas, ${r.active} activos (${Math.round(performance.now() - t0)} ms)`);
    });
    done.push(p.key);
  }
  return done;
}
