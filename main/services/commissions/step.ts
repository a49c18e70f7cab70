/**
 * The commission run as a step of the period close (main/services/periods/close.ts): it runs after
 * 'volumes' and 'ranks', inside the close's one transaction, and a precheck refuses the close before
 * anything is written when the plan in force or the period's exchange rates cannot be used.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import { AppError } from '../../../shared/errors';
import type { CloseStep } from '../periods/close';
import type { PeriodRow } from '../periods/lookup';
import {
  checkRunInputs,
  countInstantLines,
  dropStagedLines,
  loadLinesTable,
  loadPeriod,
  periodRates,
  planLines,
  runEngine,
  stagedPartition,
  writeClose,
  type LinesAhead,
} from './run';
import { resetTravelPointsAtCampaignStart } from './travel';
import { safeMessage } from '../../kernel/redact';

/** The raw figures of the published plan version in force in a period (not yet validated). */
export async function rawPlanInForce(tx: DbOrTx, periodKey: string): Promise<unknown> {
  const [row] = await tx.execute<{ figures: unknown }>(sql`
    select figures from plan_versions where status = 'published' and effective_from_period <= ${periodKey}
    order by effective_from_period desc limit 1`);
  if (!row) throw new AppError('NOT_FOUND', `No hay una versión del plan publicada vigente en ${periodKey}.`, { periodKey });
  return row.figures;
}

/** Plan and rates usable for the period's commission run (throws a VALIDATION AppError otherwise). */
export async function checkCommissionInputs(tx: DbOrTx, period: PeriodRow) {
  const rates = await periodRates(tx, period);
  const used = (
    await tx.execute<{ currency: string }>(sql`select distinct c.currency from countries c where exists (select 1 from members m where m.country = c.code)`)
  ).map((r) => r.currency.trim());
  const plan = checkRunInputs(await rawPlanInForce(tx, period.key), rates, period.key, used);
  return { plan, rates };
}

/** Plan, rates, the period loaded and the engine's result: what the run computes before writing. */
async function computeRun(tx: Tx, period: PeriodRow) {
  const { plan, rates } = await checkCommissionInputs(tx, period);
  const loaded = await loadPeriod(tx, period, plan, rates);
  const t1 = performance.now();
  const result = runEngine(loaded.input);
  return { plan, rates, loaded, result, engineMs: performance.now() - t1 };
}

/** What the close read ahead: the computation and the lines (their table loading, committed on its own). */
type Ahead = Awaited<ReturnType<typeof computeRun>> & LinesAhead;

export const commissionsStep: CloseStep = {
  name: 'commissions',
  label: { es: 'Comisiones: cálculo, líneas y pago a monederos', en: 'Commissions: computation, lines and wallet postings' },
  // Refuses the close before anything is written when the plan or the period's rates cannot be used.
  precheck: (tx, period) => checkCommissionInputs(tx, period),
  // Ahead of the step, on the close's snapshot, while 'volumes' and 'ranks' work in the database:
  // load and engine (they need nothing those steps write: a member's career rank before the period
  // reads the same before and after 'ranks'; the campaign's travel reset is applied in memory by
  // loadPeriod), the lines planned, and their table loaded and indexed on its own connection —
  // committed as a plain table nobody reads, made the period's partition only by the close's
  // transaction (attachLines). A close that fails or dies leaves at most that unattached table,
  // which abandon (or the next attempt) drops.
  prefetch: async (p): Promise<Ahead> => {
    await dropStagedLines(p.db, p.period.id);
    const computed = await computeRun(p.tx, p.period);
    const planned = await planLines(p.tx, p.period, computed.loaded, computed.result);
    const now = new Date();
    const staged = p.db.transaction((tx) =>
      loadLinesTable(tx, stagedPartition(p.period.id), p.period, computed.loaded, computed.result, planned, now, { freeze: true }),
    );
    p.defer(staged);
    return { ...computed, planned, staged };
  },
  abandon: async (db, period) => {
    await dropStagedLines(db, period.id);
  },
  run: async (c) => {
    const t0 = performance.now();
    const inputs = await checkCommissionInputs(c.tx, c.period);
    await resetTravelPointsAtCampaignStart(c.tx, c.period.key);
    let ahead: Ahead | null = null;
    try {
      ahead = c.prefetched ? ((await c.prefetched) as Ahead) : null;
    } catch (e) {
      if (e instanceof AppError) throw e; // the period's data refused by the engine: the close's answer
      c.log(`reading ahead failed (${safeMessage(e)}): computing in the close`);
    }
    // Used only if the close's transaction confirms it: same plan and rates (they cannot change for
    // a closing period), same instant lines (none can be written or voided while it is closing:
    // confirmations go to the next period, refunds wait) — else dropped and computed again here.
    const changed = !ahead
      ? null
      : JSON.stringify([ahead.plan, ahead.rates]) !== JSON.stringify([inputs.plan, inputs.rates])
        ? 'plan or rates'
        : (await countInstantLines(c.tx, c.period.id)) !== ahead.planned.instantLines
          ? 'instant lines'
          : null;
    if (ahead && changed) {
      c.log(`${changed} changed since the close started: computing again`);
      await ahead.staged.catch(() => {});
      await dropStagedLines(c.tx, c.period.id);
      ahead = null;
    }
    const waited = Math.round(performance.now() - t0);
    await c.progress(0.3);
    const { loaded, result, engineMs } = ahead ?? (await computeRun(c.tx, c.period));
    const w = await writeClose(c.tx, c.period, loaded, result, c.now, (f) => c.progress(0.3 + 0.7 * f), ahead ?? undefined);
    c.log(`${w.lines} lines (${w.inserted} new, ${w.alreadyPosted} instant already posted, ${w.instantMismatches} differing), ${w.postings} postings`);
    return {
      lines: w.lines,
      inserted: w.inserted,
      alreadyPosted: w.alreadyPosted,
      instantMismatches: w.instantMismatches,
      postings: w.postings,
      paid: w.paid,
      programs: w.programs,
      ms: { load: Math.round(loaded.ms), engine: Math.round(engineMs), prefetched: ahead ? 1 : 0, waited, ...w.ms, total: Math.round(performance.now() - t0) },
    };
  },
};
