/**
 * commissions.close — the whole period close as the background close runs it (main/services/periods
 *   close.ts): the composed steps (main/app/composition.ts) in one transaction — volumes and paid-as ranks recomputed, rank
 *   history and career ranks, the commission run (load, engine, every line written under its natural
 *   key, the wallets paid through the ledger, the programmes) and the period marked closed — by the
 *   close's own runner (runCloseSteps: the commission step's load and engine read ahead on the
 *   close's snapshot while volumes and ranks are recomputed) — then
 *   ROLLED BACK so the bench database keeps its open period. `ms` is that one transaction, commit
 *   excluded; the notes give each step's time, the commission step's own breakdown and the backend's
 *   CPU time.
 *   Baseline (the naive way): for every paid order of a sample of members, one query per level up
 *   the sponsor line (the upline's sponsor and paid-as rank), the Uninivel/Directo/Rápido line of
 *   that level computed in the client and written with its own INSERT; the sample's time is
 *   extrapolated to the period's orders (mean per order × orders). Alcance, Matching, Automóvil and
 *   the programmes are left out of the baseline, which makes it a lower bound.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../../db/client';
import type { BenchContext, Metric, MetricResult } from '../types';
import { cpuFloorNote, machineCpu, processCpuMs, round, timeOnce } from '../timing';
import { benchPeriod } from './volumes';
import { abandonSteps, runCloseSteps } from '../../../services/periods/close';
import { previousPeriodRow } from '../../../services/periods/lookup';
import { planInForce } from '../../../services/plan/cached';
import { closeSteps } from '../../../app/composition';

const BASELINE_MEMBERS = Number(process.env.NNP_BENCH_CLOSE_BASELINE ?? 10_000);

class Rollback extends Error {}

/**
 * One close of the bench period in a transaction that is rolled back. `walletsExist`: every member's
 * wallet is created (balance 0, no entries: consistent) in the same transaction before the clock
 * starts — what the close of the NEXT period meets once a first close has created the wallets: the
 * credits raise existing balances instead of inserting accounts.
 */
async function measureClose(ctx: BenchContext, walletsExist: boolean) {
  const period = await benchPeriod(ctx);
  const [{ n: orderCount } = { n: 0 }] = await ctx.sql<{ n: number }[]>`
      select count(*)::int as n from orders where period_id = ${period.id} and status = 'paid'`;
  const steps = closeSteps;
  const stepMs: Record<string, number> = {};
  const results: Record<string, unknown> = {};
  let cpuMs = 0;
  let closeMs = 0;
  let machine = '';
  try {
    await ctx.db.transaction(async (tx) => {
      if (walletsExist) {
        const w = await tx.execute(sql`insert into ledger_accounts (kind, member_id, currency, balance, updated_at)
            select 'member_wallet', m.id, k.currency, 0, now() from members m join countries k on k.code = m.country
            on conflict (member_id, currency) where kind = 'member_wallet' do nothing`);
        ctx.log(`  carteras creadas antes del cierre: ${w.count}`);
      }
      const [b] = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
      const cpu0 = processCpuMs(b!.pid) ?? 0;
      const m0 = machineCpu();
      const t0 = performance.now();
      await tx.execute(sql`update periods set status = 'closing' where id = ${period.id}`);
      const p = { ...period, status: 'closing' as const };
      const previous = await previousPeriodRow(tx, p);
      const { figures: plan } = await planInForce(tx, p.key);
      await runCloseSteps({
        db: ctx.db,
        tx: tx as Tx,
        period: p,
        previous,
        plan,
        staffId: null,
        now: new Date(),
        steps,
        results,
        stepMs,
        progress: async (_i, f, name) => {
          if (f === 0) ctx.log(`  paso ${name}…`);
        },
        log: (m) => ctx.log(`  ${m}`),
      });
      closeMs = performance.now() - t0;
      cpuMs = (processCpuMs(b!.pid) ?? 0) - cpu0;
      machine = cpuFloorNote(m0, machineCpu(), closeMs);
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  ctx.log(
    `commissions.close${walletsExist ? ' (carteras existentes)' : ''}: ${Math.round(closeMs)} ms (CPU del servidor ${Math.round(cpuMs)} ms) ${JSON.stringify(results.commissions)}`,
  );
  // The lines' table loaded ahead (committed on its own connection) was attached only in the rolled-back transaction.
  await abandonSteps(ctx.db, steps, period, ctx.log);
  // The rolled-back rows are dead tuples: clean them so the next metric or run does not pay for them.
  await ctx.sql.unsafe(
    'vacuum commission_lines, ledger_accounts, ledger_entries, ledger_transactions, member_programs, rank_history, member_volumes, cashback_entitlements, loyalty_gifts',
  );

  const c = results.commissions as { lines?: number; ms?: Record<string, number> } | undefined;
  const notes =
    `${orderCount} paid orders, ${c?.lines ?? '?'} lines; steps ms ${JSON.stringify(stepMs)}; commissions step ms ${JSON.stringify(c?.ms ?? {})}; ` +
    `PostgreSQL backend CPU ${Math.round(cpuMs)} ms (the close's own connection); ${machine}`;
  return { period, orderCount, closeMs, notes };
}

export const commissionsClose: Metric = {
  name: 'commissions.close',
  budget: { ms: 30_000 },
  async run(ctx): Promise<MetricResult> {
    const { period, orderCount, closeMs, notes } = await measureClose(ctx, false);
    const baseline = await naiveBaseline(ctx, period.id, orderCount);
    return {
      ms: round(closeMs),
      baseline_ms: baseline.extrapolatedMs,
      notes:
        `${notes}; baseline: ${baseline.orders} orders of ${baseline.members} members in ${Math.round(baseline.ms)} ms ` +
        `(${round(baseline.ms / Math.max(1, baseline.orders))} ms/order, ${baseline.queries} queries), × ${orderCount} orders`,
    };
  },
};

/** commissions.close.second — the same close with every wallet already there (a period after the first close). */
export const commissionsCloseSecond: Metric = {
  name: 'commissions.close.second',
  budget: { ms: 30_000 },
  async run(ctx): Promise<MetricResult> {
    const { closeMs, notes } = await measureClose(ctx, true);
    return { ms: round(closeMs), notes: `wallets of every member created before the close; ${notes}` };
  },
};

/** The naive close: per order, one query per sponsor level, one INSERT per line (rolled back). */
export async function naiveBaseline(ctx: BenchContext, periodId: number, orderCount: number, opts: { members?: number } = {}) {
  const [{ max } = { max: 0 }] = await ctx.sql<{ max: number }[]>`select max(id)::int as max from members`;
  const ids = new Set<number>();
  while (ids.size < Math.min(opts.members ?? BASELINE_MEMBERS, max)) ids.add(1 + Math.floor(ctx.random() * max));
  let orders = 0;
  let queries = 0;
  const rates = [0, 5, 8, 10, 10, 5, 4, 4, 3, 3];
  const ms = await timeOnce(() =>
    ctx.sql
      .begin(async (tx) => {
        await tx`create temp table naive_lines (type text, beneficiary bigint, source bigint, level int, amount numeric) on commit drop`;
        for (const id of ids) {
          const own = await tx<{ id: string; vn: string; kit_pv: string }[]>`
        select id::text, vn::text, kit_pv::text from orders where member_id = ${id} and period_id = ${periodId} and status = 'paid'`;
          queries++;
          for (const o of own) {
            orders++;
            let current = id;
            for (let level = 1; level <= 60; level++) {
              const [up] = await tx<{ id: string; rank: number | null }[]>`
            select s.id::text as id, v.paid_as_rank as rank from members m join members s on s.id = m.sponsor_id
            left join member_volumes v on v.member_id = s.id and v.period_id = ${periodId}
            where m.id = ${current}`;
              queries++;
              if (!up) break;
              const beneficiary = Number(up.id);
              const rank = up.rank ?? 0;
              // Directo / Rápido at level 1-3, Uninivel where the rank opens the level (a simplified rule).
              const rate = level < rates.length && rank >= Math.ceil(level / 2) ? rates[level]! : level >= 10 && rank >= 5 ? 1 : 0;
              if (rate > 0 || level <= 3) {
                await tx`insert into naive_lines values (${level <= 3 && Number(o.kit_pv) > 0 ? 'rapido' : 'uninivel'}, ${beneficiary}, ${o.id}, ${level}, ${o.vn}::numeric * ${rate} / 100)`;
                queries++;
              }
              current = beneficiary;
            }
          }
        }
        throw new Rollback();
      })
      .catch((e) => {
        if (!(e instanceof Rollback)) throw e;
      }),
  );
  return { members: ids.size, orders, queries, ms, extrapolatedMs: round(orders ? (ms / orders) * orderCount : Number.NaN) };
}

export const commissionsMetrics: Metric[] = [commissionsClose, commissionsCloseSecond];
