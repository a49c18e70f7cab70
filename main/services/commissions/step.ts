/**
 * The commission run as a step of the period close (main/services/periods/close.ts): it runs after
 * 'volumes' and 'ranks', inside the close's one transaction, and a precheck refuses the close before
 * anything is written when the plan in force or the period's exchange rates cannot be used.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { AppError } from '../../../shared/errors';
import { registerCloseStep, registerClosePrecheck, type CloseStep } from '../periods/close';
import type { PeriodRow } from '../periods/lookup';
import { checkRunInputs, loadPeriod, periodRates, runEngine, writeClose } from './run';
import { resetTravelPointsAtCampaignStart } from './travel';

/** The raw figures of the published plan version in force in a period (not yet validated). */
export async function rawPlanInForce(tx: Tx, periodKey: string): Promise<unknown> {
  const [row] = (await tx.execute(sql`
    select figures from plan_versions where status = 'published' and effective_from_period <= ${periodKey}
    order by effective_from_period desc limit 1`)) as unknown as { figures: unknown }[];
  if (!row) throw new AppError('NOT_FOUND', `No hay una versión del plan publicada vigente en ${periodKey}.`, { periodKey });
  return row.figures;
}

/** Plan and rates usable for the period's commission run (throws a VALIDATION AppError otherwise). */
export async function checkCommissionInputs(tx: Tx, period: PeriodRow) {
  const rates = await periodRates(tx, period);
  const used = ((await tx.execute(sql`select distinct c.currency from countries c where exists (select 1 from members m where m.country = c.code)`)) as unknown as { currency: string }[]).map((r) => r.currency.trim());
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

export const commissionsStep: CloseStep = {
  name: 'commissions',
  label: { es: 'Comisiones: cálculo, líneas y pago a monederos', en: 'Commissions: computation, lines and wallet postings' },
  // The load and the engine need nothing the earlier steps write (a member's career rank before
  // the period is read the same way before and after 'ranks'; the campaign's travel reset is
  // applied in memory by loadPeriod): they run on the close's snapshot while 'volumes' and
  // 'ranks' work in the database.
  prefetch: async (p) => computeRun(p.tx, p.period),
  run: async (c) => {
    const t0 = performance.now();
    // Checked again in the close's transaction: a plan or rates changed since the snapshot
    // (they cannot be, for a closing period — then this is the cheap confirmation) means computing again.
    const inputs = await checkCommissionInputs(c.tx, c.period);
    await resetTravelPointsAtCampaignStart(c.tx, c.period.key);
    let computed = c.prefetched ? ((await c.prefetched) as Awaited<ReturnType<typeof computeRun>>) : null;
    const prefetched = computed != null;
    if (computed && JSON.stringify([computed.plan, computed.rates]) !== JSON.stringify([inputs.plan, inputs.rates])) {
      c.log('plan or rates changed since the close started: computing again');
      computed = null;
    }
    computed ??= await computeRun(c.tx, c.period);
    const { loaded, result } = computed;
    await c.progress(0.3);
    const waited = performance.now() - t0;
    const w = await writeClose(c.tx, c.period, loaded, result, c.now, (f) => c.progress(0.3 + 0.7 * f));
    c.log(`${w.lines} lines (${w.inserted} new, ${w.alreadyPosted} instant already posted, ${w.instantMismatches} differing), ${w.postings} postings`);
    return {
      lines: w.lines, inserted: w.inserted, alreadyPosted: w.alreadyPosted, instantMismatches: w.instantMismatches, postings: w.postings, paid: w.paid,
      programs: w.programs,
      ms: { load: Math.round(loaded.ms), engine: Math.round(computed.engineMs), prefetched: prefetched ? 1 : 0, waited: Math.round(waited), ...w.ms, total: Math.round(performance.now() - t0) },
    };
  },
};

let registered = false;
/** Plugs the commission run into the close (idempotent). */
export function registerCommissionsStep(): void {
  if (registered) return;
  registered = true;
  registerCloseStep(commissionsStep, { after: 'ranks' });
  registerClosePrecheck(async (tx, period) => { await checkCommissionInputs(tx, period); });
}
