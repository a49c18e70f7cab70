/**
 * The engine service (issue 16): the procedures that run the commission engine over many tables —
 * a close, a recompute, a genealogy move, an order's payment or refund, a Stripe sync — are not run
 * with a staff desktop's login, and no staff desktop needs the owner's credentials for them.
 *
 * A desktop asks on its person's own login (`askEngine`): `nnp_engine_request` (drizzle/0070) writes
 * the request with who asked as PostgreSQL saw it and refuses a group the procedure is not for. The
 * engine service (`startEngine`) is the one process holding the owner's credentials — the app itself
 * on the one-machine default, `npm run engine` beside a shared server — and takes requests one by one
 * (`FOR UPDATE SKIP LOCKED`), checks the person and the input again against the contract (a request
 * can be written from a SQL client too), runs the procedure's handler as that person and writes the
 * answer into the row; the desktop waits for it, so the screens see the same answers as before.
 *
 * One engine per database works at a time (a session advisory lock); another waits on standby and
 * takes over when the first stops. A request is marked running before it runs and is never run
 * twice: one found running when an engine takes over was interrupted, and is answered so (the
 * procedure's audit rows say whether it was done).
 */
import type postgres from 'postgres';
import { contract, type ProcedureName } from '../../shared/contract';
import { AppError, type AppErrorShape } from '../../shared/errors';
import type { AppServices, CallContext, SessionStaff } from '../kernel/context';
import type { Handlers } from '../kernel/wrappers';
import { checkedInput, checkedOutput, handlerOf, toErrorShape } from './router';

/** Session advisory lock key of the working engine (per database). */
const ENGINE_LOCK = 7261002;

export interface EngineService {
  /** Stops taking requests and waits for the ones running; releases the lock. */
  stop(): Promise<void>;
  /** Whether this process is the database's working engine (false while on standby). */
  working(): boolean;
}

export interface EngineOptions {
  log?: (m: string, extra?: unknown) => void;
  /** How often the queue is looked at besides the notifications, ms. */
  pollMs?: number;
  /** How often a standby engine tries to take over, ms. */
  standbyMs?: number;
  /** Requests run at once (a Stripe sync waits on the network; a move on the database). */
  concurrency?: number;
}

type RequestRow = { id: string; procedure: string; input: string; staff_id: string };
type StaffRow = { id: string; username: string; display_name: string; role: SessionStaff['role']; active: boolean; must_change_password: boolean };

export function startEngine(app: AppServices, handlers: Handlers, opts: EngineOptions = {}): EngineService {
  const log = opts.log ?? app.log;
  const concurrency = opts.concurrency ?? 2;
  let stopped = false;
  let holder: postgres.ReservedSql | null = null;
  let listening: { unlisten: () => Promise<void> } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running = 0;
  let pumping = false;
  let again = false;
  const inFlight = new Set<Promise<void>>();

  async function takeOver(): Promise<void> {
    if (stopped) return;
    let reserved: postgres.ReservedSql | null = null;
    try {
      reserved = await app.sql.reserve();
      const [got] = await reserved<{ ok: boolean }[]>`select pg_try_advisory_lock(${ENGINE_LOCK}) as ok`;
      if (!got?.ok || stopped) {
        if (got?.ok) await reserved`select pg_advisory_unlock(${ENGINE_LOCK})`;
        reserved.release();
        reserved = null;
        schedule(takeOver, opts.standbyMs ?? 5_000);
        return;
      }
      holder = reserved;
      // Only the lock's holder gets here: a request still marked running was left by an engine that stopped.
      const left = await app.sql`
        update engine_requests set status = 'failed', finished_at = now(), error = ${JSON.stringify(AppError.of('INTERNAL', 'engine.interrupted').toJSON())}::text::jsonb
         where status = 'running' returning id`;
      for (const r of left) void app.sql`select pg_notify('nnp_engine_done', ${String(r.id)})`.catch(() => {});
      listening = await app.sql.listen('nnp_engine', () => pump());
      schedule(poll, opts.pollMs ?? 1_000);
      pump();
    } catch (e) {
      if (reserved && reserved !== holder) reserved.release();
      if (!stopped) {
        log('engine: could not take over; trying again', e);
        schedule(takeOver, opts.standbyMs ?? 5_000);
      }
    }
  }

  function schedule(fn: () => unknown, ms: number) {
    if (stopped) return;
    timer = setTimeout(() => void fn(), ms);
    timer.unref();
  }

  function poll() {
    pump();
    schedule(poll, opts.pollMs ?? 1_000);
  }

  /** Takes waiting requests while there is room. Notifications arriving meanwhile ask for one more look. */
  function pump() {
    if (stopped || !holder) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    void (async () => {
      try {
        do {
          again = false;
          while (!stopped && running < concurrency) {
            const [req] = await app.sql<RequestRow[]>`
              update engine_requests set status = 'running', started_at = now()
               where id = (select id from engine_requests where status = 'waiting' order by id limit 1 for update skip locked)
               returning id, procedure, input::text as input, staff_id`;
            if (!req) break;
            running++;
            const p = answer(req).finally(() => {
              running--;
              inFlight.delete(p);
              pump();
            });
            inFlight.add(p);
          }
        } while (again && !stopped);
      } catch (e) {
        if (!stopped) log('engine: could not read the queue', e);
      } finally {
        pumping = false;
      }
    })();
  }

  async function answer(req: RequestRow): Promise<void> {
    let output: unknown = null;
    let error: AppErrorShape | null = null;
    try {
      output = await run(req);
    } catch (e) {
      error = toErrorShape(e, { log }, req.procedure);
    }
    try {
      await app.sql`
        update engine_requests set status = ${error ? 'failed' : 'done'}, finished_at = now(),
               output = ${error ? null : JSON.stringify(output ?? null)}::text::jsonb, error = ${error ? JSON.stringify(error) : null}::text::jsonb
         where id = ${req.id}`;
      await app.sql`select pg_notify('nnp_engine_done', ${String(req.id)})`;
    } catch (e) {
      log(`engine: could not write the answer to request ${req.id}`, e);
    }
  }

  /** The request checked again as the router checks a call, then its handler run as the person who asked. */
  async function run(req: RequestRow): Promise<unknown> {
    if (!Object.hasOwn(contract, req.procedure)) throw AppError.of('NOT_FOUND', 'router.unknownProcedure', { name: req.procedure });
    const key = req.procedure as ProcedureName;
    const proc = contract[key];
    const handler = handlerOf(handlers, key);
    if (!handler.engine) throw AppError.of('FORBIDDEN', 'engine.refused', {}, { procedure: key });
    const [s] = await app.sql<StaffRow[]>`
      select id, username, display_name, role, active, must_change_password from staff where id = ${req.staff_id}`;
    // The account as it is now, not as it was when the request was written.
    if (!s || !s.active || s.must_change_password || proc.roles === 'public' || !(proc.roles as readonly string[]).includes(s.role)) {
      throw AppError.of('FORBIDDEN', 'engine.refused', {}, { procedure: key });
    }
    const parsed = checkedInput(key, JSON.parse(req.input));
    const ctx: CallContext = {
      ...app,
      appDb: app.db,
      procedure: key,
      transport: 'http',
      staff: { id: s.id, username: s.username, displayName: s.display_name, role: s.role, mustChangePassword: s.must_change_password },
      sessionId: null,
      token: null,
      source: `engine:${req.id}`,
    };
    // Written as JSON into the row: what the desktop receives goes through JSON anyway (IPC, the bridge).
    return checkedOutput({ log }, key, await handler(parsed, ctx)) ?? null;
  }

  void takeOver();

  return {
    working: () => holder != null && !stopped,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await listening?.unlisten().catch(() => {});
      await Promise.allSettled([...inFlight]);
      const h = holder;
      holder = null;
      if (h) {
        await h`select pg_advisory_unlock(${ENGINE_LOCK})`.catch(() => {});
        h.release();
      }
    },
  };
}

export interface AskOptions {
  /** How long a request may wait for an engine to take it before it is withdrawn, ms. */
  takeWithinMs?: number;
}

/**
 * Asks the engine for `procedure` on the person's own connection and waits for the answer: the
 * output, or the engine's typed error rethrown. A request no engine took in time is withdrawn (it
 * will not run later, when nobody is looking) and answered UNAVAILABLE.
 */
export async function askEngine(sql: postgres.Sql, procedure: string, input: unknown, opts: AskOptions = {}): Promise<unknown> {
  // JSON as text both ways: the app's connections parse no types (main/db/client.ts).
  const [made] = await sql<{ id: string }[]>`select nnp_engine_request(${procedure}, ${JSON.stringify(input ?? {})}::text::jsonb) as id`;
  const id = made!.id;
  const started = Date.now();
  const takeWithin = opts.takeWithinMs ?? 30_000;
  let pause = 4;
  for (;;) {
    const [a] = await sql<{ status: string; output: string | null; error: string | null }[]>`
      select status, output::text as output, error::text as error from nnp_engine_answer(${id})`;
    if (!a) throw AppError.of('INTERNAL', 'generic.INTERNAL');
    if (a.status === 'done') return a.output == null ? null : JSON.parse(a.output);
    if (a.status === 'failed' && a.error) throw AppError.fromShape(JSON.parse(a.error) as AppErrorShape);
    if (a.status === 'cancelled') throw AppError.of('UNAVAILABLE', 'engine.unavailable');
    if (a.status === 'waiting' && Date.now() - started > takeWithin) {
      const [c] = await sql<{ ok: boolean }[]>`select nnp_engine_cancel(${id}) as ok`;
      if (c?.ok) throw AppError.of('UNAVAILABLE', 'engine.unavailable');
    }
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 100);
  }
}
