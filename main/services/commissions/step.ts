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

export const commissionsStep: CloseStep = {
  name: 'commissions',
  label: { es: 'Comisiones: cálculo, líneas y pago a monederos', en: 'Commissions: computation, lines and wallet postings' },
  run: async (c) => {
    const t0 = performance.now();
    const { plan, rates } = await checkCommissionInputs(c.tx, c.period);
    await resetTravelPointsAtCampaignStart(c.tx, c.period.key);
    const loaded = await loadPeriod(c.tx, c.period, plan, rates);
    await c.progress(0.15);
    const t1 = performance.now();
    const result = runEngine(loaded.input);
    const engineMs = performance.now() - t1;
    await c.progress(0.3);
    const w = await writeClose(c.tx, c.period, loaded, result, c.now, (f) => c.progress(0.3 + 0.7 * f));
    c.log(`${w.lines} lines (${w.inserted} new, ${w.alreadyPosted} instant already posted, ${w.instantMismatches} differing), ${w.postings} postings`);
    return {
      lines: w.lines, inserted: w.inserted, alreadyPosted: w.alreadyPosted, instantMismatches: w.instantMismatches, postings: w.postings, paid: w.paid,
      programs: w.programs, ms: { load: Math.round(loaded.ms), engine: Math.round(engineMs), ...w.ms, total: Math.round(performance.now() - t0) },
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
