/**
 * Closing a period, and other whole-period runs, in the background of the main process.
 *
 * Lifecycle: `open` → (previews, read-only) → `closing` → steps → `closed`.
 *
 * 1. `startPeriodRun` (inside the admin's audited mutation): the period goes `closing` and the next
 *    one opens in the same transaction, so from that commit on every confirmation lands in the
 *    next period; a `period_runs` row records the run. Two admins at once: the period row is locked
 *    FOR UPDATE and at most one run per period may be `running` (partial unique index) — the second
 *    gets CONFLICT.
 * 2. `executeRun` (after the commit, not awaited by the request): every step runs in ONE
 *    transaction that ends by marking the period `closed`. A failure or a crash rolls all of it
 *    back: the period stays `closing` with nothing half-written, and the close can be started again
 *    (it resumes from the start: every step is idempotent). Progress is written to the run row
 *    through a separate connection, so the screens can poll it while the transaction works.
 *
 * Steps are an ordered list, composed by the application (main/app/composition.ts: volumes, ranks, the
 * commission run, finish) and passed to every function here: a step gets the transaction, the
 * period, the previous period, the plan in force and a progress callback. When it runs, member_volumes of the period are
 * final, members.career_rank is already raised and rank_history has the period's changes
 * (kind 'career' rows hold old → new: the input of Bono por Alcance).
 */
import { and, eq, sql } from 'drizzle-orm';
import { periodRuns, periods, periodStats, orders } from '../../db/schema';
import type { Db, Tx } from '../../db/client';
import type { AppServices, MutationContext } from '../../kernel/context';
import { closeTiming, nextPeriod, periodBounds } from '../../domain/period';
import type { PlanFigures } from '../../domain/plan';
import { AppError } from '../../../shared/errors';
import { planInForce } from '../plan/cached';
import { recomputePeriod } from '../volumes/recompute';
import { assertPeriodWritable, periodById, periodByKey, previousPeriodRow, type PeriodRow } from './lookup';
import { safeMessage } from '../../kernel/redact';
import { runLedgerCheck } from '../ledger/check';

export type RunKind = 'close' | 'recompute';

export interface CloseStepContext {
  tx: Tx;
  period: PeriodRow;
  previous: PeriodRow | null;
  plan: PlanFigures;
  staffId: string | null;
  now: Date;
  /** Progress inside the step, 0..1. */
  progress: (fraction: number) => Promise<void>;
  log: (msg: string) => void;
  /** Results of the steps already run, by step name. */
  results: Record<string, unknown>;
  /** This step's prefetch (see CloseStep.prefetch), when the runner started one. */
  prefetched?: Promise<unknown>;
}

export interface CloseStep {
  name: string;
  label: { es: string; en: string };
  run: (ctx: CloseStepContext) => Promise<Record<string, unknown> | void>;
  /**
   * Optional reading done ahead, while the earlier steps work: started with the run, on its own
   * connection, in a read-only transaction on the close transaction's snapshot (exported at its
   * start, before any step wrote): it sees exactly what the close saw then, nothing the steps
   * write. The step gets its result (or its error) as `ctx.prefetched`. Two cores: the engine
   * computes in this process while PostgreSQL recomputes volumes and ranks.
   */
  prefetch?: (ctx: PrefetchContext) => Promise<unknown>;
  /** Run when a close is asked for, before the period goes closing: throws to refuse the close (nothing written). */
  precheck?: (tx: Tx, period: PeriodRow) => Promise<unknown>;
  /** Called (best effort, after the close's transaction ended: abandonSteps) when a run with this step failed. */
  abandon?: (db: Db, period: PeriodRow) => Promise<void>;
}

export interface PrefetchContext {
  /** Read-only, REPEATABLE READ, on the close transaction's snapshot. */
  tx: Tx;
  /** The pool, for work of the prefetch's own (e.g. a table loaded ahead, committed on its own). */
  db: Db;
  /** Registers work started by the prefetch that the runner must see settle before it returns. */
  defer: (work: Promise<unknown>) => void;
  period: PeriodRow;
  previous: PeriodRow | null;
  plan: PlanFigures;
}

const ADVISORY_CLASS = 7261006;
/** A running run whose heartbeat is older than this may have lost its process. */
export const STALE_AFTER_MS = 60_000;

export const volumesStep: CloseStep = {
  name: 'volumes',
  label: { es: 'Volúmenes y rangos pagados (recálculo completo)', en: 'Volumes and paid-as ranks (full recomputation)' },
  run: async (c) => {
    const r = await recomputePeriod(c.tx, c.period, c.plan, { onProgress: (f) => c.progress(f) });
    return { rows: r.rows, active: r.active, pv: r.pv, vnMxn: r.vnMxn, ranks: r.ranks, advancing: r.advancing, method: r.method, ms: Math.round(r.ms) };
  },
};

export const ranksStep: CloseStep = {
  name: 'ranks',
  label: { es: 'Historial de rangos y rangos de carrera', en: 'Rank history and career ranks' },
  run: async (c) => {
    // Paid-as changes against the previous period (a member without a row there had Sin rango).
    // A first run of the step finds none of the period's rows: a plain insert in member order, the
    // key's own order (period, kind, member), so every row lands at the key's right edge (half the
    // time of the upsert's speculative insertions at a million members); a re-run upserts.
    const [again] = await c.tx.execute<{ any: boolean }>(
      sql`select exists (select 1 from rank_history where period_id = ${c.period.id} and kind = 'paid_as') as any`,
    );
    const paidAs = await c.tx.execute<{ n: number }>(sql`
      with cur as (select member_id, paid_as_rank from member_volumes where period_id = ${c.period.id} and paid_as_rank > 0),
      prev as (select member_id, paid_as_rank from member_volumes where period_id = ${c.previous?.id ?? -1} and paid_as_rank > 0),
      ins as (
        insert into rank_history (member_id, period_id, kind, old_rank, new_rank, at)
        select coalesce(cur.member_id, prev.member_id), ${c.period.id}, 'paid_as', coalesce(prev.paid_as_rank, 0), coalesce(cur.paid_as_rank, 0), ${c.now.toISOString()}::timestamptz
        from cur full join prev on prev.member_id = cur.member_id
        where coalesce(cur.paid_as_rank, 0) <> coalesce(prev.paid_as_rank, 0)
        ${again?.any ? sql`on conflict (member_id, period_id, kind) do update set old_rank = excluded.old_rank, new_rank = excluded.new_rank` : sql`order by 1`}
        returning 1
      ) select count(*)::int as n from ins`);
    await c.progress(0.5);
    // Career rank: the highest paid-as rank ever; it never goes down. The promotions are listed
    // once (old rank kept for the history), then members are updated by key.
    await c.tx.execute(sql`drop table if exists close_promotions`);
    await c.tx.execute(sql`
      create temp table close_promotions on commit drop as
      select v.member_id, m.career_rank as old_rank, v.paid_as_rank as new_rank
      from member_volumes v join members m on m.id = v.member_id
      where v.period_id = ${c.period.id} and v.paid_as_rank > 0 and v.paid_as_rank > m.career_rank`);
    // Its size, for the update's plan (a few thousand rows: by key, not a hash of every member).
    await c.tx.execute(sql`analyze close_promotions`);
    const up = await c.tx.execute(sql`
      update members m set career_rank = x.new_rank from close_promotions x where m.id = x.member_id and m.career_rank < x.new_rank`);
    const ins = await c.tx.execute(sql`
      insert into rank_history (member_id, period_id, kind, old_rank, new_rank, at)
      select member_id, ${c.period.id}, 'career', old_rank, new_rank, ${c.now.toISOString()}::timestamptz from close_promotions
      order by member_id
      on conflict (member_id, period_id, kind) do nothing`);
    const career = [{ promoted: Number(up.count), n: Number(ins.count) }];
    return { paidAsChanges: paidAs[0]?.n ?? 0, careerPromotions: career[0]?.promoted ?? 0 };
  },
};

export const finishStep: CloseStep = {
  name: 'finish',
  label: { es: 'Cerrar el periodo', en: 'Close the period' },
  run: async (c) => {
    const done = await c.tx
      .update(periods)
      .set({ status: 'closed', closedAt: c.now, closedBy: c.staffId })
      .where(and(eq(periods.id, c.period.id), eq(periods.status, 'closing')))
      .returning({ id: periods.id });
    if (done.length !== 1) throw AppError.of('CONFLICT', 'period.notClosing', { period: c.period.key });
    return { closedAt: c.now.toISOString() };
  },
};

/** The steps of a close, in order, composed by the application (main/app/composition.ts). */
export type CloseSteps = readonly CloseStep[];

/** A recomputation runs the volumes step alone, whatever the close is made of. */
const recomputeSteps: CloseSteps = [volumesStep];

function stepsOf(close: CloseSteps, kind: RunKind): CloseSteps {
  if (kind === 'recompute') return recomputeSteps;
  // The runner's invariants: volumes first (the later steps read member_volumes), finish last, names unique (results are keyed by name).
  const names = close.map((s) => s.name);
  if (names[0] !== 'volumes' || names.at(-1) !== 'finish' || new Set(names).size !== names.length) {
    throw new Error(`close steps must be volumes, …, finish with unique names: ${names.join(', ')}`);
  }
  return close;
}

export type RunRow = typeof periodRuns.$inferSelect;

/**
 * Starts a run on a period inside the caller's mutation (audited there). For a close: the period
 * goes `closing`, the next one opens (created if needed) and orders already paid inside the next
 * period (confirmed after the open period's end) are assigned to it. Answers the run row; the
 * caller launches `executeRun` after its transaction commits.
 */
export async function startPeriodRun(
  ctx: MutationContext,
  close: CloseSteps,
  kind: RunKind,
  key: string,
): Promise<{ run: RunRow; period: PeriodRow; previousStatus: PeriodRow['status']; next: PeriodRow | null; assignedOrders: number }> {
  const tx = ctx.tx;
  const period = await periodByKey(tx, key, 'update');
  if (!period) throw AppError.of('NOT_FOUND', 'period.notFound', { period: key });
  if (kind === 'close' && period.status === 'closed') {
    throw AppError.of('CONFLICT', 'period.alreadyClosed', { period: key }, { period: key, status: period.status });
  }
  if (kind === 'recompute') assertPeriodWritable(period);
  // The close guard: an open period closes only once it has ended (never a future one). A period
  // already `closing` passed this check when its close started: resuming it is always allowed.
  if (kind === 'close' && period.status === 'open') assertCloseTime(period, ctx.now());
  // The steps' own checks (e.g. the commission run's plan and rates): refuse before writing anything.
  const steps = stepsOf(close, kind);
  if (kind === 'close') for (const step of steps) await step.precheck?.(tx, period);

  // A run marked running is in progress unless its heartbeat stopped long ago AND no process holds
  // its advisory lock: then its runner is gone (a crash) and the run is marked failed.
  const [running] = await tx
    .select()
    .from(periodRuns)
    .where(and(eq(periodRuns.periodId, period.id), eq(periodRuns.status, 'running')))
    .for('update');
  if (running) {
    // Heartbeats are wall-clock instants written by the runner.
    const stale = Date.now() - running.heartbeatAt.getTime() > STALE_AFTER_MS;
    const [free] = stale ? await tx.execute<{ ok: boolean }>(sql`select pg_try_advisory_xact_lock(${ADVISORY_CLASS}, ${period.id}) as ok`) : [{ ok: false }];
    if (!free?.ok) {
      throw AppError.of('CONFLICT', 'period.runBusy', { period: key }, { runId: running.id });
    }
    await tx
      .update(periodRuns)
      .set({ status: 'failed', finishedAt: ctx.now(), error: 'Interrumpido: el proceso que lo ejecutaba terminó.' })
      .where(eq(periodRuns.id, running.id));
  }

  let next: PeriodRow | null = null;
  let assignedOrders = 0;
  if (kind === 'close' && period.status === 'open') {
    const [otherClosing] = await tx.select({ key: periods.key }).from(periods).where(eq(periods.status, 'closing'));
    if (otherClosing) throw AppError.of('CONFLICT', 'period.finishOther', { period: otherClosing.key }, { period: otherClosing.key });
    await tx.update(periods).set({ status: 'closing' }).where(eq(periods.id, period.id));
    const nb = periodBounds(nextPeriod(key));
    const existingNext = await periodByKey(tx, nb.key, 'update');
    if (existingNext && existingNext.status !== 'open') {
      throw AppError.of('CONFLICT', 'period.nextExists', { period: nb.key }, { period: nb.key });
    }
    if (existingNext) next = existingNext;
    else {
      const [row] = await tx.insert(periods).values({ key: nb.key, startsAt: nb.startsAt, endsAt: nb.endsAt, status: 'open', openedAt: ctx.now() }).returning();
      next = row!;
    }
    await tx.insert(periodStats).values({ periodId: next.id }).onConflictDoNothing();
    const assigned = await tx
      .update(orders)
      .set({ periodId: next.id })
      .where(
        sql`${orders.periodId} is null and ${orders.status} in ('paid', 'refunded') and ${orders.paymentConfirmedAt} >= ${next.startsAt.toISOString()}::timestamptz and ${orders.paymentConfirmedAt} < ${next.endsAt.toISOString()}::timestamptz`,
      )
      .returning({ id: orders.id });
    assignedOrders = assigned.length;
  }
  const [run] = await tx
    .insert(periodRuns)
    .values({
      periodId: period.id,
      kind,
      steps: steps.map((s) => s.name),
      startedBy: ctx.staff?.id ?? null,
      startedAt: ctx.now(),
      heartbeatAt: new Date(),
      result: next ? { nextPeriod: next.key, assignedOrders } : null,
    })
    .returning();
  return { run: run!, period: { ...period, status: kind === 'close' ? 'closing' : period.status }, previousStatus: period.status, next, assignedOrders };
}

/** Refuses (CONFLICT, nothing written) the close of a period that has not ended at `now`. */
export function assertCloseTime(period: Pick<PeriodRow, 'key' | 'startsAt' | 'endsAt'>, now: Date): void {
  const t = closeTiming(period, now);
  if (t.closable) return;
  throw AppError.of(
    'CONFLICT',
    t.reason === 'NOT_STARTED' ? 'period.notStarted' : 'period.notEnded',
    { period: period.key, at: t.closableFrom.toISOString() },
    {
      rule: t.reason === 'NOT_STARTED' ? 'PERIOD_NOT_STARTED' : 'PERIOD_NOT_ENDED',
      period: period.key,
      closableFrom: t.closableFrom.toISOString(),
    },
  );
}

/** What the steps share (CloseStepContext less the per-step parts), the steps and how to report. */
export interface StepsRun extends Pick<CloseStepContext, 'tx' | 'period' | 'previous' | 'plan' | 'staffId' | 'now' | 'results'> {
  /** A pool for the prefetches' own connections (the close transaction holds one). */
  db: Db;
  steps: readonly CloseStep[];
  progress: (stepIndex: number, fraction: number, step: string) => Promise<void>;
  log: (msg: string) => void;
  /** Milliseconds per step, filled as they end. */
  stepMs?: Record<string, number>;
}

/**
 * Runs the steps in order inside `tx`, the steps' prefetches started first on the snapshot the
 * transaction has now (so before anything is written). Every prefetch (and the work it deferred)
 * has settled when this returns or throws: nothing is left running behind a failed close (whose
 * caller then runs abandonSteps, once the transaction has ended).
 */
export async function runCloseSteps(r: StepsRun): Promise<void> {
  const fetching = new Map<string, Promise<unknown>>();
  const deferred: Promise<unknown>[] = [];
  const defer = (w: Promise<unknown>) => {
    w.catch(() => {});
    deferred.push(w);
  };
  if (r.steps.some((s) => s.prefetch)) {
    const [snap] = await r.tx.execute<{ id: string }>(sql`select pg_export_snapshot() as id`);
    for (const step of r.steps) {
      if (!step.prefetch) continue;
      const p = r.db.transaction(
        async (rtx) => {
          await rtx.execute(sql.raw(`set transaction snapshot '${snap!.id.replace(/'/g, "''")}'`));
          return step.prefetch!({ tx: rtx, db: r.db, defer, period: r.period, previous: r.previous, plan: r.plan });
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      );
      p.catch(() => {}); // awaited by its step; a close failing earlier must not leave it unhandled
      fetching.set(step.name, p);
    }
  }
  try {
    for (const [i, step] of r.steps.entries()) {
      await r.progress(i, 0, step.name);
      const t0 = performance.now();
      const out = await step.run({
        tx: r.tx,
        period: r.period,
        previous: r.previous,
        plan: r.plan,
        staffId: r.staffId,
        now: r.now,
        results: r.results,
        progress: (f) => r.progress(i, f, step.name),
        log: (m) => r.log(`[${step.name}] ${m}`),
        prefetched: fetching.get(step.name),
      });
      r.results[step.name] = out ?? {};
      if (r.stepMs) r.stepMs[step.name] = Math.round(performance.now() - t0);
    }
  } finally {
    await Promise.allSettled(fetching.values());
    await Promise.allSettled(deferred);
  }
}

/**
 * After a failed run's transaction has ended (never inside it: what a step left may be locked by
 * that transaction until then), each step's `abandon` cleans what its prefetch committed.
 */
export async function abandonSteps(db: Db, steps: readonly CloseStep[], period: PeriodRow, log: (m: string) => void): Promise<void> {
  for (const step of steps) await step.abandon?.(db, period).catch((e) => log(`[${step.name}] abandon: ${String(e)}`));
}

const inFlight = new Map<number, Promise<void>>();

/** Launches a run without waiting for it (the request answers at once; the screen polls the run row). */
export function launchRun(app: AppServices, close: CloseSteps, runId: number): Promise<void> {
  const p = executeRun(app, close, runId)
    .catch((e) => app.log(`period run ${runId} failed`, e))
    .finally(() => inFlight.delete(runId));
  inFlight.set(runId, p);
  return p;
}

/** Resolves when a run launched by this process has ended (tests, shutdown). */
export async function waitForRun(runId: number): Promise<void> {
  await inFlight.get(runId);
}

/** Executes the steps of a run in one transaction; see the module comment. */
export async function executeRun(app: AppServices, close: CloseSteps, runId: number): Promise<void> {
  const [run0] = await app.db.select().from(periodRuns).where(eq(periodRuns.id, runId));
  if (!run0 || run0.status !== 'running') return;
  const steps = stepsOf(close, run0.kind as RunKind).filter((s) => run0.steps.includes(s.name));
  const results: Record<string, unknown> = { ...((run0.result as Record<string, unknown> | null) ?? {}) };
  let lastBeat = 0;
  const report = async (done: number, fraction: number, step: string | null, force = false) => {
    const now = Date.now();
    if (!force && now - lastBeat < 250) return;
    lastBeat = now;
    const progress = Math.max(0, Math.min(999, Math.round(((done + Math.max(0, Math.min(1, fraction))) / steps.length) * 1000)));
    await app.db
      .update(periodRuns)
      .set({ stepsDone: done, currentStep: step, progress, heartbeatAt: new Date() })
      .where(and(eq(periodRuns.id, runId), eq(periodRuns.status, 'running')));
  };
  try {
    const outcome = await app.db.transaction(async (tx) => {
      const [lock] = await tx.execute<{ ok: boolean }>(sql`select pg_try_advisory_xact_lock(${ADVISORY_CLASS}, ${run0.periodId}) as ok`);
      if (!lock?.ok) return 'busy' as const;
      const [run] = await tx.select().from(periodRuns).where(eq(periodRuns.id, runId));
      if (!run || run.status !== 'running') return 'gone' as const;
      const period = await periodById(tx, run.periodId, run.kind === 'close' ? 'update' : 'share');
      if (!period) throw new Error(`period ${run.periodId} vanished`);
      if (run.kind === 'close' && period.status !== 'closing') throw AppError.of('CONFLICT', 'period.notClosing', { period: period.key });
      if (run.kind === 'recompute') assertPeriodWritable(period);
      const previous = await previousPeriodRow(tx, period);
      const { figures: plan } = await planInForce(tx, period.key);
      await runCloseSteps({
        db: app.db,
        tx,
        period,
        previous,
        plan,
        staffId: run.startedBy,
        now: app.now(),
        steps,
        results,
        progress: (i, f, name) => report(i, f, name, f === 0),
        log: (m) => app.log(`[${period.key}] ${m}`),
      });
      await report(steps.length, 0, null, true);
      await tx
        .update(periodRuns)
        .set({
          status: 'succeeded',
          stepsDone: steps.length,
          currentStep: null,
          progress: 1000,
          finishedAt: new Date(),
          heartbeatAt: new Date(),
          result: results,
        })
        .where(eq(periodRuns.id, runId));
      return { period };
    });
    if (outcome === 'busy' || outcome === 'gone') return;
    // Orders paid inside the next period before it opened were assigned at the start of the close:
    // count them now (a recomputation of that young period, in its own transaction).
    if (run0.kind === 'close' && Number(results.assignedOrders ?? 0) > 0 && typeof results.nextPeriod === 'string') {
      const next = await periodByKey(app.db, results.nextPeriod);
      if (next && next.status === 'open') {
        await app.db.transaction(async (tx) => recomputePeriod(tx, next, (await planInForce(tx, next.key)).figures));
      }
    }
    if (run0.kind === 'close') {
      // Balances against their entries, after every close (the dashboard shows a non-zero result).
      const check = await runLedgerCheck(app.db, 'close').catch((e) => {
        app.log('ledger check after the close failed', e);
        return null;
      });
      if (check && check.mismatches > 0) app.log(`ledger: ${check.mismatches} cuentas con saldo distinto de sus movimientos tras el cierre`);
    }
  } catch (e) {
    const message = e instanceof AppError ? e.message : safeMessage(e);
    app.log(`period run ${runId} (${run0.kind}) failed`, e);
    const period = await periodById(app.db, run0.periodId).catch(() => null);
    if (period) await abandonSteps(app.db, steps, period, (m) => app.log(m));
    await app.db
      .update(periodRuns)
      .set({ status: 'failed', error: message.slice(0, 2000), finishedAt: new Date(), heartbeatAt: new Date() })
      .where(and(eq(periodRuns.id, runId), eq(periodRuns.status, 'running')));
  }
}
