/** Plan economics procedures (shared/contract/economics.ts): payout ratio, income disclosure. */
import { sql } from 'drizzle-orm';
import { mutator, reader } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { Db, DbOrTx } from '../../db/client';
import { rows } from '../../db/rows';
import { versionById } from '../plan/versions';
import { periodRates } from '../commissions/run';
import { draftFigures, pumpSimulations } from './simulation';
import type { ParsedInputOf } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { openPeriod, periodByKey } from '../periods/lookup';
import { payoutHistory, periodPayout } from './payout';
import { disclosureReport } from './disclosure';

async function payout(input: ParsedInputOf<'economics.payout'>, ctx: CallContext) {
  const period = input.periodKey ? await periodByKey(ctx.db, input.periodKey) : await openPeriod(ctx.db);
  if (input.periodKey && !period) throw AppError.of('NOT_FOUND', 'period.notFound', { period: input.periodKey }, { periodKey: input.periodKey });
  return period ? periodPayout(ctx.db, period) : null;
}

// ---- draft plans tried on a real period (simulation.ts) ----------------------------------------

type SimRow = {
  id: number;
  plan_version_id: number;
  version_name: string;
  period_key: string;
  period_status: 'open' | 'closing' | 'closed';
  status: 'queued';
  stage: string | null;
  progress: number;
  staff_name: string | null;
  created_at: Date | string;
  finished_at: Date | string | null;
  error: string | null;
  result?: unknown;
};
const SIM_COLUMNS = sql`s.id, s.plan_version_id, v.name as version_name, p.key as period_key, p.status::text as period_status, s.status, s.stage, s.progress,
  st.display_name as staff_name, s.created_at, s.finished_at, s.error`;
const SIM_FROM = sql`plan_simulations s join plan_versions v on v.id = s.plan_version_id join periods p on p.id = s.period_id left join staff st on st.id = s.staff_id`;
function simView(r: SimRow) {
  return {
    id: Number(r.id),
    versionId: Number(r.plan_version_id),
    versionName: r.version_name,
    periodKey: r.period_key,
    periodStatus: r.period_status,
    status: r.status,
    stage: r.stage,
    progress: Number(r.progress),
    staffName: r.staff_name,
    createdAt: new Date(r.created_at).toISOString(),
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    error: r.error,
    result: (r.result ?? null) as never,
  };
}
async function simById(db: DbOrTx, id: number, withResult = true) {
  const [r] = await rows<SimRow>(db, sql`select ${SIM_COLUMNS} ${withResult ? sql`, s.result` : sql``} from ${SIM_FROM} where s.id = ${id}`);
  if (!r) throw AppError.of('NOT_FOUND', 'economics.simNotFound', {}, { id });
  return simView(r);
}

const enqueue = mutator(async (input: ParsedInputOf<'plan.simulate'>, ctx: MutationContext) => {
  const version = await versionById(ctx.tx, input.versionId);
  if (version.status !== 'draft') throw AppError.of('CONFLICT', 'economics.simPublished', {}, { id: input.versionId });
  const period = await periodByKey(ctx.tx, input.periodKey);
  if (!period) throw AppError.of('NOT_FOUND', 'period.notFound', { period: input.periodKey }, { periodKey: input.periodKey });
  if (period.status === 'closing') throw AppError.of('CONFLICT', 'economics.simClosing', { period: period.key }, { periodKey: period.key });
  draftFigures(version.figures, period.key, await periodRates(ctx.tx, period));
  const staffId = ctx.staff?.id ?? null;
  const [busy] = await rows<{ id: number }>(
    ctx.tx,
    sql`select id from plan_simulations where staff_id = ${staffId} and status in ('queued', 'running') limit 1`,
  );
  if (busy) throw AppError.of('CONFLICT', 'economics.simBusy', {}, { id: Number(busy.id) });
  const [row] = await rows<{ id: number }>(
    ctx.tx,
    sql`insert into plan_simulations (plan_version_id, period_id, staff_id) values (${version.id}, ${period.id}, ${staffId}) returning id`,
  );
  const id = Number(row!.id);
  await ctx.audit({ entity: 'plan_simulation', entityId: id, after: { versionId: version.id, name: version.name, periodKey: period.key } });
  return simById(ctx.tx, id);
});

const simulate = Object.assign(
  async (input: ParsedInputOf<'plan.simulate'>, ctx: CallContext) => {
    const view = await enqueue(input, ctx);
    void pumpSimulations((ctx.appDb ?? ctx.db) as Db);
    return view;
  },
  { kind: 'mutation' as const },
);

const cancel = mutator(async (input: ParsedInputOf<'plan.cancelSimulation'>, ctx: MutationContext) => {
  const before = await simById(ctx.tx, input.id, false);
  if (before.status !== 'queued' && before.status !== 'running') throw AppError.of('CONFLICT', 'economics.simEnded', {}, { status: before.status });
  await ctx.tx.execute(sql`update plan_simulations set cancel_requested = 1,
    status = case when status = 'queued' then 'cancelled' else status end, finished_at = case when status = 'queued' then now() else finished_at end where id = ${input.id}`);
  await ctx.audit({ entity: 'plan_simulation', entityId: input.id, before: { status: before.status }, after: { cancelRequested: true } });
  return simById(ctx.tx, input.id);
});

async function list(input: ParsedInputOf<'plan.simulations'>, ctx: CallContext) {
  const list = await rows<SimRow>(
    ctx.db,
    sql`select ${SIM_COLUMNS} from ${SIM_FROM}
    ${input.versionId ? sql`where s.plan_version_id = ${input.versionId}` : sql``} order by s.id desc limit 20`,
  );
  return list.map((r) => {
    const { result: _r, ...v } = simView(r);
    return v;
  });
}

export const simulationHandlers = {
  'plan.simulate': simulate,
  'plan.simulation': reader((input: ParsedInputOf<'plan.simulation'>, ctx: CallContext) => simById(ctx.db, input.id)),
  'plan.simulations': reader(list),
  'plan.cancelSimulation': cancel,
};

export const economicsHandlers = {
  'economics.payout': reader(payout),
  'economics.payoutHistory': reader((_: ParsedInputOf<'economics.payoutHistory'>, ctx: CallContext) => payoutHistory(ctx.db)),
  'reports.disclosure': reader((input: ParsedInputOf<'reports.disclosure'>, ctx: CallContext) => disclosureReport(ctx.db, input)),
  ...simulationHandlers,
};
