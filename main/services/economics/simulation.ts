/**
 * A draft plan tried on a real period (the open one or any closed one): the period is loaded once
 * as the close loads it (commissions/run.ts loadPeriod), the engine runs with the plan in force and
 * with the draft's figures, and the two results are compared — totals per bonus and currency,
 * payout ratio, members paid, members whose paid-as rank changes, the 50 members whose pay changes
 * most and the "why" of the first. Read-only: nothing is written but the simulation's own row
 * (plan_simulations: status, progress, the figures); never lines, never wallets.
 *
 * Runs in the background, one engine at a time in the process (a queue: a second simulation waits
 * its turn), at most one queued or running per staff member (a partial unique index: CONFLICT).
 * Cancelling takes effect between stages (the engine itself runs to its end).
 *
 * A closed period is loaded as it stood before its close where the close changed it: career ranks
 * come from rank_history (loadPeriod), and the car down payment already made from the Automóvil
 * lines of earlier periods (member_programs holds the state after the latest close). The sponsor
 * tree is today's (a genealogy correction since the close moves the simulation too).
 */
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { rows } from '../../db/rows';
import { centsConverter, CURRENCY_OF_COUNTRY, Decimal } from '../../domain/money';
import { checkPlan, validatePlan, type PlanFigures } from '../../domain/plan';
import { LINE_TYPE_BY_CODE, type EngineInput, type PeriodResult } from '../../domain/engine';
import { figuresFromTotals, payoutRatio } from '../../domain/economics/payout';
import { AppError } from '../../../shared/errors';
import { wordError } from '../../../shared/error-messages';
import { checkRunInputs, KIT_PART, loadPeriod, periodRates, runEngine, totalsOf, type LoadedPeriod } from '../commissions/run';
import { parseScaled } from '../../domain/engine/exact';
import type { PayoutSales } from '../../domain/economics/payout';
import { planWithKits } from '../commissions/kits';
import { periodById, type PeriodRow } from '../periods/lookup';
import { versionById, versionInForce } from '../plan/versions';
import { salesFigures } from './payout';

export const TOP_CHANGES = 50;

type Stage = 'load' | 'engineInForce' | 'engineDraft' | 'compare';
export class SimulationCancelled extends Error {}

export interface SimulationHooks {
  progress?: (fraction: number, stage: Stage) => Promise<void>;
  /** Answers true when the run should stop (checked between stages). */
  cancelled?: () => Promise<boolean>;
}

/** The draft's figures, refused (VALIDATION, with the paths at fault) when they are not a consistent plan. */
export function draftFigures(figures: unknown, periodKey: string, rates: Record<string, string>): PlanFigures {
  const checked = checkPlan(figures);
  if (!checked.ok)
    throw new AppError('VALIDATION', wordError('economics.draftInconsistent'), { issues: checked.issues }, { key: 'economics.draftInconsistent' });
  return checkRunInputs(checked.plan, rates, periodKey);
}

/** Members whose car down payment was paid before `period` (a closed period: the lines of earlier periods). */
async function carPaidBefore(db: DbOrTx, period: PeriodRow, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const found = await rows<{ id: string }>(
    db,
    sql`
    select distinct l.beneficiary_id::text as id from commission_lines l join periods p on p.id = l.period_id
    where l.beneficiary_id = any(${sql.raw(`array[${ids.map((i) => Number(i)).join(',')}]::bigint[]`)})
      and l.type = 'automovil' and l.level = 1 and l.kind = 'line' and l.status = 'posted' and p.starts_at < ${period.startsAt.toISOString()}::timestamptz`,
  );
  return new Set(found.map((r) => r.id));
}

/** The period as its close saw it (see the header), with the plan in force. */
export async function loadForSimulation(db: DbOrTx, period: PeriodRow, inForce: PlanFigures, rates: Record<string, string>): Promise<LoadedPeriod> {
  const loaded = await loadPeriod(db, period, inForce, rates);
  if (period.status === 'closed') {
    const changed = await rows<{ id: string }>(
      db,
      sql`
      select member_id::text as id from member_programs where car_down_payment_paid and period_id >= ${period.id}`,
    );
    if (changed.length) {
      const before = await carPaidBefore(
        db,
        period,
        changed.map((r) => r.id),
      );
      const byId = new Set(changed.map((r) => r.id));
      const members = loaded.input.members.map((m) => (byId.has(m.id) ? { ...m, carDownPaymentPaid: before.has(m.id) } : m));
      return { ...loaded, input: { ...loaded.input, members } };
    }
  }
  return loaded;
}

/** The same input with another plan (its kits and the campaign's target applied as loadPeriod applies them). */
export function inputWithPlan(loaded: LoadedPeriod, plan: PlanFigures): EngineInput {
  const skus = new Set(loaded.input.orders.map((o) => o.sku).filter((s): s is string => !!s));
  const withCampaign = loaded.campaignTarget ? { ...plan, travel: { ...plan.travel, targetPoints: loaded.campaignTarget } } : plan;
  return { ...loaded.input, plan: planWithKits(withCampaign, skus) };
}

/** Cents per member (index of input.members) of a result. */
function perMemberCents(result: PeriodResult, n: number): Float64Array {
  const out = new Float64Array(n);
  const L = result.lines;
  for (let i = 0; i < L.length; i++) out[L.beneficiary[i]!]! += L.amountCents[i]!;
  return out;
}

/** Cents per type of one member. */
function memberByType(result: PeriodResult, member: number): Record<string, string> {
  const L = result.lines;
  const cents = new Float64Array(LINE_TYPE_BY_CODE.length);
  for (let i = 0; i < L.length; i++) if (L.beneficiary[i] === member) cents[L.type[i]!]! += L.amountCents[i]!;
  const out: Record<string, string> = {};
  LINE_TYPE_BY_CODE.forEach((t, k) => {
    if (cents[k]) out[t] = new Decimal(cents[k]!).div(100).toFixed(2);
  });
  return out;
}

export interface ComputedSimulation {
  loaded: LoadedPeriod;
  base: PeriodResult;
  sim: PeriodResult;
  summary: SimulationResult;
}

export async function computeSimulation(db: DbOrTx, period: PeriodRow, draft: unknown, hooks: SimulationHooks = {}): Promise<ComputedSimulation> {
  const t0 = performance.now();
  const step = async (f: number, stage: Stage) => {
    if (await hooks.cancelled?.()) throw new SimulationCancelled();
    await hooks.progress?.(f, stage);
  };
  const rates = await periodRates(db, period);
  const draftPlan = draftFigures(draft, period.key, rates);
  const version = await versionInForce(db, period.key);
  const inForce = checkRunInputs(validatePlan(version.figures), rates, period.key);
  await step(0.05, 'load');
  const loaded = await loadForSimulation(db, period, inForce, rates);
  // The VN figures: an open period's from the orders just loaded (the same sums as salesFigures,
  // without a second pass over the period's orders on the server: 1.8 s at 1M members, and beside
  // the load, on two cores, it slowed the load more than that); a closed period's as its payout
  // ratio kept them (they count orders refunded after the close, which the load leaves out).
  const sales = (period.status !== 'closed' && salesOfLoaded(loaded, rates)) || (await periodSales(db, period));
  await step(0.35, 'engineInForce');
  const base = runEngine(loaded.input);
  await step(0.6, 'engineDraft');
  const sim = runEngine(inputWithPlan(loaded, draftPlan));
  await step(0.85, 'compare');
  const summary = await compare(db, loaded, base, sim, rates, sales, { id: version.id, name: version.name });
  summary.ms = Math.round(performance.now() - t0);
  return { loaded, base, sim, summary };
}

/** The period's VN per country and currency: a closed period's as kept in period_payouts, else summed now. */
async function periodSales(db: DbOrTx, period: PeriodRow): Promise<Awaited<ReturnType<typeof salesFigures>>> {
  if (period.status === 'closed') {
    const [kept] = await rows<{ sales: Awaited<ReturnType<typeof salesFigures>> | null }>(
      db,
      sql`select figures->'sales' as sales from period_payouts where period_id = ${period.id}`,
    );
    if (kept?.sales) return kept.sales;
  }
  return salesFigures(db, period);
}

/**
 * The VN of the loaded paid orders per buyer country and currency, each order converted at `rates`
 * and rounded half-up to the cent, summed exactly in integer cents: salesFigures (payout.ts) over
 * orders already in memory (simulation.test.ts asserts the two equal). null when an order's buyer
 * is not among the loaded members (then the SQL counts it).
 */
export function salesOfLoaded(loaded: LoadedPeriod, rates: Record<string, string>): PayoutSales[] | null {
  const { members, orders } = loaded.input;
  const scaled = new Map<string, (cents: number) => number>();
  for (const [c, rate] of Object.entries(rates)) {
    const convert = centsConverter(rate);
    if (convert) scaled.set(c, convert);
  }
  const groups = new Map<string, { country: string; currency: string; vn: number; vnMxn: number; converted: boolean; orders: number }>();
  for (const o of orders) {
    const hint = o.memberIndex;
    const m = hint !== undefined && hint >= 0 ? members[hint] : undefined;
    if (!m || m.id !== o.member) return null;
    const cents = parseScaled(o.vn, 2);
    if (Number.isNaN(cents)) return null;
    const key = `${m.country}|${o.currency}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { country: m.country, currency: o.currency, vn: 0, vnMxn: 0, converted: false, orders: 0 }));
    g.vn += cents;
    const k = scaled.get(o.currency);
    if (k) {
      g.vnMxn += k(cents);
      g.converted = true;
    }
    if (!o.id.endsWith(KIT_PART)) g.orders++;
  }
  const text = (c: number) => {
    if (!Number.isSafeInteger(c)) throw new Error('salesOfLoaded: a sum beyond exact integers');
    return new Decimal(c).div(100).toFixed(2);
  };
  return [...groups.values()]
    .sort((a, b) => (a.country < b.country ? -1 : a.country > b.country ? 1 : a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0))
    .map((g) => ({ country: g.country, currency: g.currency, vn: text(g.vn), vnMxn: g.converted ? text(g.vnMxn) : '0', orders: g.orders }));
}

type SideSummary = ReturnType<typeof side>;
function side(result: PeriodResult, loaded: LoadedPeriod, rates: Record<string, string>, sales: Awaited<ReturnType<typeof salesFigures>>) {
  const t = totalsOf(result, loaded.input.members, rates, 0);
  const byType: Record<string, Record<string, string>> = {};
  for (const [k, v] of Object.entries(t.byType)) if (Object.keys(v).length) byType[k] = v;
  const r = payoutRatio(figuresFromTotals(byType, rates, [], sales));
  return { byType, byCurrency: t.byCurrency, lines: t.lines, membersPaid: t.beneficiaries, commissionsMxn: r.commissionsMxn, vnMxn: r.vnMxn, ratio: r.ratio };
}

export interface SimulationResult {
  periodKey: string;
  inForce: { id: number; name: string };
  base: SideSummary;
  draft: SideSummary;
  ranks: { changed: number; up: number; down: number };
  top: {
    memberId: number;
    code: string;
    name: string;
    currency: string;
    before: string;
    after: string;
    difference: string;
    differenceMxn: string;
    rankBefore: number;
    rankAfter: number;
  }[];
  why: null | {
    memberId: number;
    code: string;
    name: string;
    currency: string;
    pv: string;
    pvg: string;
    rankBefore: number;
    rankAfter: number;
    byType: { type: string; before: string; after: string }[];
  };
  ms: number;
}

async function compare(
  db: DbOrTx,
  loaded: LoadedPeriod,
  base: PeriodResult,
  sim: PeriodResult,
  rates: Record<string, string>,
  sales: Awaited<ReturnType<typeof salesFigures>>,
  inForce: { id: number; name: string },
): Promise<SimulationResult> {
  const members = loaded.input.members;
  const n = members.length;
  const a = perMemberCents(base, n);
  const b = perMemberCents(sim, n);
  const ra = base.volumes.paidAsRank;
  const rb = sim.volumes.paidAsRank;
  let changed = 0;
  let up = 0;
  let down = 0;
  for (let i = 0; i < n; i++)
    if (ra[i] !== rb[i]) {
      changed++;
      if (rb[i]! > ra[i]!) up++;
      else down++;
    }
  // The biggest changes by their MXN value (cents × the period's rate: an ordering, the figures shown are exact strings).
  const rateN = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, Number(v)]));
  const heap: { i: number; mxn: number }[] = [];
  for (let i = 0; i < n; i++) {
    const d = b[i]! - a[i]!;
    if (d === 0) continue;
    const mxn = Math.abs(d) * (rateN[CURRENCY_OF_COUNTRY[members[i]!.country]] ?? 1);
    if (heap.length < TOP_CHANGES) {
      heap.push({ i, mxn });
      if (heap.length === TOP_CHANGES) heap.sort((x, y) => y.mxn - x.mxn);
      continue;
    }
    if (mxn <= heap[TOP_CHANGES - 1]!.mxn) continue;
    heap[TOP_CHANGES - 1] = { i, mxn };
    heap.sort((x, y) => y.mxn - x.mxn);
  }
  heap.sort((x, y) => y.mxn - x.mxn || Number(members[x.i]!.id) - Number(members[y.i]!.id));
  const ids = heap.map((h) => Number(members[h.i]!.id));
  const names = ids.length
    ? await rows<{ id: string; code: string; first_name: string; last_name: string }>(
        db,
        sql`select id::text as id, code, first_name, last_name from members where id = any(${sql.raw(`array[${ids.join(',')}]::bigint[]`)})`,
      )
    : [];
  const byId = new Map(names.map((r) => [Number(r.id), r]));
  const cents = (c: number) => new Decimal(c).div(100).toFixed(2);
  const top = heap.map((h) => {
    const m = members[h.i]!;
    const row = byId.get(Number(m.id));
    const currency = CURRENCY_OF_COUNTRY[m.country];
    const diff = new Decimal(b[h.i]! - a[h.i]!).div(100);
    return {
      memberId: Number(m.id),
      code: row?.code ?? m.id,
      name: row ? `${row.first_name} ${row.last_name}` : '',
      currency,
      before: cents(a[h.i]!),
      after: cents(b[h.i]!),
      difference: diff.toFixed(2),
      differenceMxn: diff
        .times(rates[currency] ?? '1')
        .toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
        .toFixed(2),
      rankBefore: ra[h.i]!,
      rankAfter: rb[h.i]!,
    };
  });
  let why: SimulationResult['why'] = null;
  if (heap.length) {
    const i = heap[0]!.i;
    const before = memberByType(base, i);
    const after = memberByType(sim, i);
    const vol = sim.volumes.row(i);
    why = {
      memberId: top[0]!.memberId,
      code: top[0]!.code,
      name: top[0]!.name,
      currency: top[0]!.currency,
      pv: vol.pv,
      pvg: vol.pvg,
      rankBefore: ra[i]!,
      rankAfter: rb[i]!,
      byType: LINE_TYPE_BY_CODE.filter((t) => before[t] || after[t]).map((t) => ({ type: t, before: before[t] ?? '0.00', after: after[t] ?? '0.00' })),
    };
  }
  return {
    periodKey: loaded.input.period,
    inForce,
    base: side(base, loaded, rates, sales),
    draft: side(sim, loaded, rates, sales),
    ranks: { changed, up, down },
    top,
    why,
    ms: 0,
  };
}

// ---- the background queue --------------------------------------------------------------------

const STALE_MS = 120_000;
/**
 * A pause after each stage's progress, in ms (NNP_SIMULATION_STAGE_PAUSE_MS; 0, none, unless set):
 * the e2e journey's demo period is computed in milliseconds, too fast to see the progress or cancel.
 */
const STAGE_PAUSE_MS = Math.max(0, Number(process.env.NNP_SIMULATION_STAGE_PAUSE_MS ?? 0) || 0);
let pumping: Promise<void> | null = null;

/** Runs queued simulations one after the other (one engine at a time in the process). */
export function pumpSimulations(db: Db, log: (m: string) => void = () => {}): Promise<void> {
  if (pumping) return pumping;
  pumping = (async () => {
    try {
      // A run whose process died (no heartbeat for a while) is not coming back.
      await db.execute(sql`update plan_simulations set status = 'failed', error = 'Interrumpida: el proceso que la calculaba terminó.', finished_at = now()
        where status = 'running' and heartbeat_at < now() - make_interval(secs => ${STALE_MS / 1000})`);
      for (;;) {
        const [next] = await rows<{ id: number; plan_version_id: number; period_id: number }>(
          db,
          sql`
          update plan_simulations set status = 'running', started_at = now(), heartbeat_at = now(), stage = 'load'
          where id = (select id from plan_simulations where status = 'queued' order by id limit 1 for update skip locked)
          returning id::int as id, plan_version_id::int as plan_version_id, period_id::int as period_id`,
        );
        if (!next) break;
        await runOne(db, next.id, next.plan_version_id, next.period_id, log);
      }
    } finally {
      pumping = null;
    }
  })();
  return pumping;
}

async function runOne(db: Db, id: number, versionId: number, periodId: number, log: (m: string) => void) {
  try {
    const period = await periodById(db, periodId);
    if (!period) throw new AppError('NOT_FOUND', 'El periodo ya no existe.');
    const version = await versionById(db, versionId);
    const { summary } = await computeSimulation(db, period, version.figures, {
      progress: async (f, stage) => {
        await db.execute(sql`update plan_simulations set progress = ${Math.round(f * 1000)}, stage = ${stage}, heartbeat_at = now() where id = ${id}`);
        if (STAGE_PAUSE_MS) await new Promise((r) => setTimeout(r, STAGE_PAUSE_MS));
      },
      cancelled: async () => {
        const [r] = await rows<{ cancel_requested: number }>(db, sql`select cancel_requested::int as cancel_requested from plan_simulations where id = ${id}`);
        return (r?.cancel_requested ?? 0) > 0;
      },
    });
    await db.execute(
      sql`update plan_simulations set status = 'done', progress = 1000, stage = null, finished_at = now(), heartbeat_at = now(), result = ${JSON.stringify(summary)}::jsonb where id = ${id}`,
    );
  } catch (e) {
    const cancelled = e instanceof SimulationCancelled;
    const message = cancelled ? null : e instanceof AppError ? e.message : `Error al calcular: ${e instanceof Error ? e.message : String(e)}`;
    if (!cancelled) log(`simulation ${id} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    await db.execute(sql`update plan_simulations set status = ${cancelled ? 'cancelled' : 'failed'}, error = ${message}, finished_at = now() where id = ${id}`);
  }
}
