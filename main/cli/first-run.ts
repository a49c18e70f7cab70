import { sql } from 'drizzle-orm';
import type { OpenedDatabase } from '../app';

/** A demo network on the very first run, so a new installation has something to look at. */
export async function seedIfEmpty(database: OpenedDatabase, log: (m: string) => void) {
  const [row] = await database.db.execute<{ n: number }>(sql`select count(*)::int as n from members`);
  if ((row?.n ?? 0) > 0) return;
  const members = Number(process.env.NNP_SEED_MEMBERS ?? 2000);
  if (!(members > 0)) return;
  log(`primera ejecución: generando una red de demostración de ${members} miembros…`);
  const { seedDemoNetwork } = await import('../services/seed/generate');
  const r = await seedDemoNetwork(database.sql, { members, periods: 4, seed: 1, log });
  log(`red de demostración lista: ${r.members} miembros, ${r.orders} pedidos (${Math.round(r.ms)} ms)`);
  const { ensurePeriodAggregates } = await import('../services/volumes/backfill');
  await ensurePeriodAggregates(database.db, log);
  const { seedDemoAutoships } = await import('../services/seed/autoship');
  const autoships = await seedDemoAutoships(database.db, new Date());
  log(`autoenvíos de demostración: ${autoships.length}`);
}
