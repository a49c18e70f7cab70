import { and, desc, eq, sql } from 'drizzle-orm';
import { periodRuns, periodStats } from '../../db/schema';
import { mutator, reader, viaEngine } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { OutputOf, ParsedInputOf } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { wordError } from '../../../shared/error-messages';
import { closeTiming, nextPeriod, periodBounds } from '../../domain/period';
import { launchRun, startPeriodRun, type CloseSteps } from './close';
import { listPeriods, openPeriod, periodByKey, previousPeriodRow } from './lookup';
import { lastRunOf, runView, summaries, summaryOf } from './views';

async function list(_: ParsedInputOf<'periods.list'>, ctx: CallContext) {
  return summaries(ctx.db, await listPeriods(ctx.db, 'desc'));
}

async function current(close: CloseSteps, input: ParsedInputOf<'periods.current'>, ctx: CallContext) {
  const [open, all] = await Promise.all([openPeriod(ctx.db), listPeriods(ctx.db, 'desc')]);
  const closing = all.find((p) => p.status === 'closing') ?? null;
  const previous = open ? await previousPeriodRow(ctx.db, open) : null;
  const [sums, run] = await Promise.all([
    summaries(
      ctx.db,
      [open, previous, closing].filter((p): p is NonNullable<typeof p> => !!p),
    ),
    lastRunOf(
      ctx.db,
      [open?.id, closing?.id, previous?.id].filter((x): x is number => typeof x === 'number'),
    ),
  ]);
  const byId = (id: number | undefined) => sums.find((s) => s.id === id) ?? null;
  const runPeriod = run ? all.find((p) => p.id === run.periodId) : null;
  return {
    period: byId(open?.id),
    previous: byId(previous?.id),
    closing: byId(closing?.id),
    lastRun: run && runPeriod ? await runView(ctx.db, close, run, runPeriod.key, input.lang, ctx.now()) : null,
    ended: !!open && ctx.now().getTime() >= open.endsAt.getTime(),
  };
}

async function get(close: CloseSteps, input: ParsedInputOf<'periods.get'>, ctx: CallContext) {
  const p = await periodByKey(ctx.db, input.key);
  if (!p) throw AppError.of('NOT_FOUND', 'period.notFound', { period: input.key });
  const [s, run] = await Promise.all([summaryOf(ctx.db, p), lastRunOf(ctx.db, [p.id])]);
  return { period: s!, lastRun: run ? await runView(ctx.db, close, run, p.key, input.lang, ctx.now()) : null };
}

type AdvRow = { id: string | number; code: string; first_name: string; last_name: string; from_rank: number; to_rank: number; pv: string; pvg: string };

async function advancing(input: ParsedInputOf<'periods.advancing'>, ctx: CallContext) {
  const p = await periodByKey(ctx.db, input.key);
  if (!p) throw AppError.of('NOT_FOUND', 'period.notFound', { period: input.key });
  const offset = (input.page - 1) * input.pageSize;
  let rows: AdvRow[];
  let total: number;
  if (p.status === 'closed') {
    rows = await ctx.db.execute<AdvRow>(sql`
      select m.id, m.code, m.first_name, m.last_name, h.old_rank::int as from_rank, h.new_rank::int as to_rank,
        coalesce(v.pv, 0)::text as pv, coalesce(v.pvg, 0)::text as pvg
      from rank_history h join members m on m.id = h.member_id
      left join member_volumes v on v.period_id = h.period_id and v.member_id = h.member_id
      where h.period_id = ${p.id} and h.kind = 'career'
      order by h.new_rank desc, v.pvg desc nulls last, m.id limit ${input.pageSize} offset ${offset}`);
    const [c] = await ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from rank_history where period_id = ${p.id} and kind = 'career'`);
    total = c?.n ?? 0;
  } else {
    rows = await ctx.db.execute<AdvRow>(sql`
      select m.id, m.code, m.first_name, m.last_name, m.career_rank::int as from_rank, v.paid_as_rank::int as to_rank, v.pv::text as pv, v.pvg::text as pvg
      from member_volumes v join members m on m.id = v.member_id
      where v.period_id = ${p.id} and v.paid_as_rank > 0 and v.paid_as_rank > m.career_rank
      order by v.paid_as_rank desc, v.pvg desc, m.id limit ${input.pageSize} offset ${offset}`);
    const [s] = await ctx.db.select({ n: periodStats.membersAdvancing }).from(periodStats).where(eq(periodStats.periodId, p.id));
    total = s?.n ?? rows.length;
  }
  return {
    rows: rows.map((r) => ({
      memberId: Number(r.id),
      code: r.code,
      name: `${r.first_name} ${r.last_name}`,
      fromRank: r.from_rank,
      toRank: r.to_rank,
      pv: r.pv,
      pvg: r.pvg,
    })),
    total,
    page: input.page,
    pageSize: input.pageSize,
  };
}

async function previewClose(close: CloseSteps, input: ParsedInputOf<'periods.previewClose'>, ctx: CallContext): Promise<OutputOf<'periods.previewClose'>> {
  const p = await periodByKey(ctx.db, input.key);
  if (!p) throw AppError.of('NOT_FOUND', 'period.notFound', { period: input.key });
  const now = ctx.now();
  const previous = await previousPeriodRow(ctx.db, p);
  const nb = periodBounds(nextPeriod(p.key));
  const [summary, prevSummary, nextRow, all, running] = await Promise.all([
    summaryOf(ctx.db, p),
    summaryOf(ctx.db, previous),
    periodByKey(ctx.db, nb.key),
    listPeriods(ctx.db),
    ctx.db
      .select()
      .from(periodRuns)
      .where(and(eq(periodRuns.periodId, p.id), eq(periodRuns.status, 'running')))
      .orderBy(desc(periodRuns.id))
      .limit(1),
  ]);
  const [orderCounts] = await ctx.db.execute<{ pending: number; waiting: number }>(sql`
    select count(*) filter (where status = 'pending' and created_at >= ${p.startsAt.toISOString()}::timestamptz and created_at < ${p.endsAt.toISOString()}::timestamptz)::int as pending,
      count(*) filter (where status in ('paid', 'refunded') and payment_confirmed_at >= ${p.endsAt.toISOString()}::timestamptz)::int as waiting
    from orders where period_id is null`);
  const [changes] = await ctx.db.execute<{ up: number; down: number }>(sql`
    with cur as (select member_id, paid_as_rank from member_volumes where period_id = ${p.id} and paid_as_rank > 0),
    prev as (select member_id, paid_as_rank from member_volumes where period_id = ${previous?.id ?? -1} and paid_as_rank > 0)
    select count(*) filter (where coalesce(cur.paid_as_rank, 0) > coalesce(prev.paid_as_rank, 0))::int as up,
      count(*) filter (where coalesce(cur.paid_as_rank, 0) < coalesce(prev.paid_as_rank, 0))::int as down
    from cur full join prev on prev.member_id = cur.member_id`);

  const es = input.lang === 'es';
  const warnings: { code: string; message: string }[] = [];
  const otherClosing = all.find((x) => x.status === 'closing' && x.id !== p.id);
  const ended = now.getTime() >= p.endsAt.getTime();
  let canClose = true;
  if (p.status === 'closed') {
    canClose = false;
    warnings.push({ code: 'CLOSED', message: es ? 'El periodo ya está cerrado: es de solo lectura.' : 'The period is already closed: read-only.' });
  }
  if (otherClosing) {
    canClose = false;
    warnings.push({
      code: 'OTHER_CLOSING',
      message: es ? `Primero termine el cierre del periodo ${otherClosing.key}.` : `Finish closing ${otherClosing.key} first.`,
    });
  }
  const run = running[0];
  if (run && Date.now() - run.heartbeatAt.getTime() < 60_000) {
    canClose = false;
    warnings.push({ code: 'RUNNING', message: es ? 'Hay un proceso en curso para este periodo.' : 'A run is in progress for this period.' });
  }
  if (p.status === 'closing') {
    warnings.push({
      code: 'RESUME',
      message: es
        ? 'El cierre anterior no terminó: al confirmar se ejecuta de nuevo desde el principio (sin duplicar nada).'
        : 'The previous close did not finish: confirming runs it again from the start (nothing is duplicated).',
    });
  }
  // The close guard (the server refuses the same in startPeriodRun): the wizard says when it can close.
  const timing = closeTiming(p, now);
  if (!timing.closable && p.status === 'open') {
    canClose = false;
    warnings.unshift({
      code: timing.reason,
      message: wordError(
        timing.reason === 'NOT_STARTED' ? 'period.notStarted' : 'period.notEnded',
        { period: p.key, at: timing.closableFrom.toISOString() },
        input.lang,
      ),
    });
  }
  if ((orderCounts?.pending ?? 0) > 0) {
    const n = orderCounts!.pending;
    warnings.push({
      code: 'PENDING_ORDERS',
      message: es
        ? `${n === 1 ? 'Un pedido del periodo sigue' : `${n} pedidos del periodo siguen`} sin pago: si se paga${n === 1 ? '' : 'n'} después del cierre, contará${n === 1 ? '' : 'n'} en el periodo abierto.`
        : `${n === 1 ? 'One order of the period is' : `${n} orders of the period are`} still unpaid: if paid after the close, ${n === 1 ? 'it counts' : 'they count'} in the open period.`,
    });
  }
  return {
    period: summary!,
    ended,
    canClose,
    closableFrom: timing.closableFrom.toISOString(),
    notStarted: !timing.closable && timing.reason === 'NOT_STARTED',
    warnings,
    steps: close.map((s) => ({ name: s.name, label: s.label[input.lang] })),
    next: { key: nb.key, startsAt: nb.startsAt.toISOString(), endsAt: nb.endsAt.toISOString(), exists: !!nextRow },
    pendingOrders: orderCounts?.pending ?? 0,
    waitingOrders: orderCounts?.waiting ?? 0,
    paidAsUp: changes?.up ?? 0,
    paidAsDown: changes?.down ?? 0,
    careerPromotions: summary?.figures?.membersAdvancing ?? 0,
    previousRanks: prevSummary?.figures?.ranks ?? null,
  };
}

/** A mutation that starts a background run once its transaction has committed. */
function runStarter(close: CloseSteps, kind: 'close' | 'recompute') {
  const inner = mutator(async (input: ParsedInputOf<'periods.close'> | ParsedInputOf<'periods.recompute'>, ctx: MutationContext) => {
    if (kind === 'close' && 'confirmKey' in input && input.confirmKey !== input.key) {
      throw AppError.fields([{ path: 'confirmKey', rule: 'confirmKey', params: { expected: input.key } }], 'period.confirmKey');
    }
    const r = await startPeriodRun(ctx, close, kind, input.key);
    await ctx.audit({
      action: kind === 'close' ? 'periods.close' : 'periods.recompute',
      entity: 'period',
      entityId: r.period.key,
      before: { status: r.previousStatus },
      after:
        kind === 'close'
          ? { status: 'closing', runId: r.run.id, nextPeriod: r.next?.key ?? null, assignedOrders: r.assignedOrders, steps: r.run.steps }
          : { runId: r.run.id, steps: r.run.steps },
    });
    return { run: r.run, key: r.period.key, lang: input.lang };
  });
  // One handler for both procedures: it takes either input (the recompute's merely lacks confirmKey).
  const handler = async (input: ParsedInputOf<'periods.close'> | ParsedInputOf<'periods.recompute'>, ctx: CallContext): Promise<OutputOf<'periods.close'>> => {
    const out = await inner(input, ctx);
    void launchRun(ctx, close, out.run.id);
    return runView(ctx.db, close, out.run, out.key, out.lang, ctx.now());
  };
  return Object.assign(handler, { kind: 'mutation' as const });
}

async function run(close: CloseSteps, input: ParsedInputOf<'periods.run'>, ctx: CallContext) {
  const [r] = await ctx.db.select().from(periodRuns).where(eq(periodRuns.id, input.runId));
  if (!r) throw AppError.of('NOT_FOUND', 'period.runNotFound', {}, { runId: input.runId });
  const all = await listPeriods(ctx.db);
  return runView(ctx.db, close, r, all.find((p) => p.id === r.periodId)?.key ?? '', input.lang, ctx.now());
}

/** The periods' handlers, given the close's steps as the application composes them (main/app/composition.ts). */
/** Issue 16: the close posts commissions to the ledger and writes the period's results. */
const CLOSE = 'a close or recompute posts commission lines to the ledger';
export const periodsHandlers = (close: CloseSteps) => ({
  'periods.list': reader(list),
  'periods.current': reader((input: ParsedInputOf<'periods.current'>, ctx) => current(close, input, ctx)),
  'periods.get': reader((input: ParsedInputOf<'periods.get'>, ctx) => get(close, input, ctx)),
  'periods.advancing': reader(advancing),
  'periods.previewClose': reader((input: ParsedInputOf<'periods.previewClose'>, ctx) => previewClose(close, input, ctx)),
  'periods.close': viaEngine(CLOSE, runStarter(close, 'close')),
  'periods.recompute': viaEngine(CLOSE, runStarter(close, 'recompute')),
  'periods.run': reader((input: ParsedInputOf<'periods.run'>, ctx) => run(close, input, ctx)),
});
