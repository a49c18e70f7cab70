/**
 * Issue 6: "A crash at any point leaves the period either untouched or fully closed; running close
 * again never pays twice."
 *
 * A demo network (seedDemoNetwork, NNP_CRASH_MEMBERS members, default 20,000) with a travel
 * campaign, some orders confirmed through confirmOrder (instant Directo/Rápido already paid) and
 * one refunded (lines voided). The real close runs in a CHILD process (test/close-child.ts:
 * `node --import tsx`), which is SIGKILLed: right after its run row is committed, at probes
 * inside the close's transaction after 'volumes', 'ranks' and 'commissions' (everything written,
 * not committed), and at random instants of the run. After each kill:
 *  - every table the close writes is byte-for-byte as before (fingerprints), the period is
 *    `closing` (or still `open` when the kill came before the start committed) — or, if the kill
 *    came after the commit, fully closed;
 *  - the dead run blocks a new close while its heartbeat is recent (CONFLICT), and once the
 *    heartbeat is older than STALE_AFTER_MS with its advisory lock free (PostgreSQL released it
 *    with the dead connection) a new close marks it failed and starts (the test backdates the
 *    heartbeat instead of waiting 60 s).
 * Then the close runs in this process: lines = the preview computed before any close, every line
 * posted exactly once (natural keys unique, ledger sums per key = line sums, wallet balances =
 * posted lines, company expense = −Σ lines), and a third close attempt changes nothing.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freshDatabase } from '../../../test/db';
import { internalMutationContext, type AppServices, type MutationContext } from '../../kernel/context';
import { AppError } from '../../../shared/errors';
import { Decimal } from '../../domain/money';
import { seedDemoNetwork } from '../seed/generate';
import { executeRun, startPeriodRun, STALE_AFTER_MS } from '../periods/close';
import { periodByKey } from '../periods/lookup';
import { planInForce } from '../plan/cached';
import { recomputePeriod } from '../volumes/recompute';
import { confirmOrder, refundOrder } from '../orders/confirm';
import type { Tx } from '../../db/client';
import { checkCommissionInputs } from './step';
import { loadPeriod, runEngine, totalsOf } from './run';
import { closeSteps } from '../../app/composition';

const NOW = new Date('2026-11-27T18:00:00Z');
const KEY = '2026-11';
/** The close runs once November has ended (the close guard); the network and its orders are of NOW. */
const CLOSE_AT = new Date('2026-12-01T12:00:00Z');
const MEMBERS = Number(process.env.NNP_CRASH_MEMBERS ?? 20_000);
const ADVISORY_CLASS = 7261006;

type Db = Awaited<ReturnType<typeof freshDatabase>>;
let db: Db;
let url: string;
let periodId: number;
let app: AppServices;
let preview: { byCurrency: Record<string, string>; lines: number };
let baseline: Record<string, string>;
const log: string[] = [];

/** Every table a close run writes (or must leave alone), one md5 of all its rows each. */
const RUN_TABLES = [
  'commission_lines',
  'ledger_transactions',
  'ledger_entries',
  'ledger_accounts',
  'member_volumes',
  'members',
  'rank_history',
  'member_programs',
  'cashback_entitlements',
  'loyalty_gifts',
  'travel_points',
  'period_rank_counts',
  'orders',
];
async function fingerprint(): Promise<Record<string, string>> {
  const parts = RUN_TABLES.map((t) => `(select md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) || ':' || count(*) from ${t} x) as ${t}`);
  parts.push(`(select md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) from period_stats x where period_id = ${periodId}) as period_stats`);
  const [row] = await db.sql.unsafe(`select ${parts.join(', ')}`);
  return row as Record<string, string>;
}

async function periodRow() {
  const [p] = await db.sql<{ status: string; closed_at: Date | null }[]>`select status, closed_at from periods where id = ${periodId}`;
  return p!;
}

function mutationCtx(tx: Tx): MutationContext {
  return internalMutationContext(app, tx, 'crash.test');
}

/** startPeriodRun in its own transaction (as periods.close does). */
async function startClose(): Promise<number> {
  return db.db.transaction(async (tx) => (await startPeriodRun(mutationCtx(tx), closeSteps, 'close', KEY)).run.id);
}

interface Child {
  pid: number;
  lines: string[];
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill: () => Promise<void>;
}

const children = new Set<Child>();

function startChild(probeAfter = ''): Child {
  const env = { ...process.env, NNP_CRASH_PROBE_AFTER: probeAfter, NNP_CRASH_PROBE_MS: '60000' };
  const proc = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/close-child.ts'), url, KEY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let buf = '';
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters])
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
    }
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const child: Child = {
    pid: proc.pid!,
    lines,
    exited,
    waitFor: (re, timeoutMs = 120_000) =>
      new Promise<string>((resolve, reject) => {
        const hit = lines.find((l) => re.test(l));
        if (hit) return resolve(hit);
        const timer = setTimeout(
          () => reject(new Error(`child: no ${re} within ${timeoutMs} ms; stdout ${lines.join(' | ')}; stderr ${stderr.slice(-2000)}`)),
          timeoutMs,
        );
        void exited.then(() =>
          setTimeout(() => reject(new Error(`child exited before ${re}; stdout ${lines.join(' | ')}; stderr ${stderr.slice(-2000)}`)), 50),
        );
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      }),
    kill: async () => {
      try {
        process.kill(proc.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
    },
  };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

/** Waits until no backend holds the close's advisory lock of the period (the killed connection's backend has ended). */
async function lockReleased(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const [r] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = ${ADVISORY_CLASS} and objid = ${periodId} and objsubid = 2 and granted`;
    if (r!.n === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the advisory lock of the killed run was never released');
}

/** The state after a kill: untouched (the run's tables as at the baseline) or fully closed. */
async function expectUntouchedOrClosed(what: string): Promise<'untouched' | 'closed'> {
  await lockReleased();
  const p = await periodRow();
  if (p.status === 'closed') {
    await expectFullyClosed();
    return 'closed';
  }
  expect(['open', 'closing'], what).toContain(p.status);
  expect(p.closed_at, what).toBeNull();
  expect(await fingerprint(), what).toEqual(baseline);
  return 'untouched';
}

/** Makes a dead run's heartbeat older than the stale limit (what 60 s of waiting would do). */
async function age(): Promise<void> {
  await db.sql`update period_runs set heartbeat_at = heartbeat_at - ${`${Math.ceil(STALE_AFTER_MS / 1000) + 5} seconds`}::interval where status = 'running'`;
}

async function expectFullyClosed(): Promise<void> {
  const p = await periodRow();
  expect(p.status).toBe('closed');
  const runs = await db.sql<
    { status: string; n: number }[]
  >`select status, count(*)::int as n from period_runs where period_id = ${periodId} and kind = 'close' group by status`;
  expect(runs.find((r) => r.status === 'succeeded')?.n).toBe(1);
  expect(runs.find((r) => r.status === 'running')).toBeUndefined();
  // The lines' table of a killed attempt (loaded ahead, never attached) did not survive the close.
  const leftovers = await db.sql`select relname from pg_class where relname like 'commission_lines_%_load'`;
  expect(leftovers).toHaveLength(0);

  // Natural keys unique (the index says so; count anyway) and every line carries the key of a posted ledger transaction.
  const [dups] = await db.sql<
    { n: number }[]
  >`select count(*)::int as n from (select 1 from commission_lines group by period_id, type, kind, beneficiary_id, source_id, level having count(*) > 1) d`;
  expect(dups!.n).toBe(0);
  const [unpaid] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from commission_lines l left join ledger_transactions t on t.idempotency_key = l.ledger_key and t.status = 'posted'
    where t.id is null`;
  expect(unpaid!.n).toBe(0);

  // The close's lines = the preview computed before any close attempt.
  const posted = await db.sql<{ currency: string; amount: string; n: number }[]>`
    select trim(currency) as currency, sum(amount)::text as amount, count(*)::int as n from commission_lines
    where period_id = ${periodId} and kind = 'line' and status = 'posted' group by 1 order by 1`;
  expect(Object.fromEntries(posted.map((r) => [r.currency, new Decimal(r.amount).toFixed(2)]))).toEqual(preview.byCurrency);
  expect(posted.reduce((s, r) => s + r.n, 0)).toBe(preview.lines);

  // Per ledger key: the member-wallet entries of its transaction = the lines paid under it
  // (a voided line was paid under its key, then taken back under commission.void:<order>).
  const perKey = await db.sql<{ key: string; lines: string; entries: string | null }[]>`
    with l as (select ledger_key as key, sum(amount) as s from commission_lines group by ledger_key),
    e as (select t.idempotency_key as key, sum(e.amount) as s from ledger_transactions t join ledger_entries e on e.transaction_id = t.id
      join ledger_accounts a on a.id = e.account_id and a.kind = 'member_wallet' where t.kind in ('commission', 'clawback') group by 1)
    select l.key, l.s::text as lines, e.s::text as entries from l left join e on e.key = l.key where e.s is distinct from l.s`;
  expect(perKey).toEqual([]);
  // Wallet balances = Σ posted lines per (member, currency); the company's expense = −Σ lines per currency.
  const wallets = await db.sql<{ member_id: string; currency: string; balance: string; lines: string | null }[]>`
    with l as (select beneficiary_id, currency, sum(amount) as s from commission_lines where status = 'posted' group by 1, 2)
    select a.member_id, a.currency, a.balance::text as balance, l.s::text as lines from ledger_accounts a
    full join l on l.beneficiary_id = a.member_id and l.currency = a.currency
    where (a.kind = 'member_wallet' or a.id is null) and a.balance is distinct from coalesce(l.s, 0)`;
  expect(wallets).toEqual([]);
  const expense = await db.sql<{ currency: string; balance: string; lines: string }[]>`
    with l as (select currency, sum(amount) as s from commission_lines where status = 'posted' group by 1),
    a as (select currency, sum(balance) as b from ledger_accounts where kind = 'commission_expense' group by 1)
    select l.currency, a.b::text as balance, l.s::text as lines from l left join a on a.currency = l.currency where a.b is distinct from -l.s`;
  expect(expense).toEqual([]);
  // Every ledger transaction balances per currency.
  const [unbalanced] = await db.sql<
    { n: number }[]
  >`select count(*)::int as n from (select transaction_id from ledger_entries group by 1 having sum(amount) <> 0) x`;
  expect(unbalanced!.n).toBe(0);
}

beforeAll(async () => {
  db = await freshDatabase({ max: 6 });
  url = db.url;
  app = {
    db: db.db,
    sql: db.sql,
    config: { version: 'crash-test', database: 'external', sessionIdleMinutes: 60, sessionMaxHours: 12, exportsDir: os.tmpdir() },
    now: () => CLOSE_AT,
    log: (m, e) => log.push(`${m} ${e instanceof Error ? e.message : (e ?? '')}`),
  };
  const t0 = performance.now();
  const seeded = await seedDemoNetwork(db.sql, { members: MEMBERS, periods: 2, seed: 6, now: NOW });
  expect(seeded.periods).toEqual(['2026-10', KEY]);
  periodId = (await periodByKey(db.db, KEY))!.id;
  await db.sql`insert into travel_campaigns (name, from_period, to_period, multiplier) values ('NN Travels', '2026-10', '2027-03', 1.5)`;
  // The open period's volumes as the confirmations keep them.
  await db.db.transaction(async (tx) => {
    await recomputePeriod(tx, (await periodByKey(tx, KEY))!, (await planInForce(tx, KEY)).figures);
  });
  // Orders confirmed now: their Directo/Rápido are paid at confirmation (before the close).
  const pending = await db.sql<{ id: string }[]>`select id from orders where status = 'pending' order by id limit 40`;
  const confirmed: number[] = [];
  for (const p of pending) {
    await db.db.transaction(async (tx) => {
      await confirmOrder(tx, Number(p.id), { confirmedAt: NOW.toISOString(), method: 'manual' });
    });
    confirmed.push(Number(p.id));
  }
  const [instant] = await db.sql<{ n: number }[]>`select count(*)::int as n from commission_lines where period_id = ${periodId}`;
  expect(instant!.n).toBeGreaterThan(0);
  // One refunded in the open period: its lines voided and taken back.
  const [withLines] = await db.sql<
    { id: string }[]
  >`select source_id as id from commission_lines where source_kind = 'order' and source_id = any(${confirmed}::bigint[]) limit 1`;
  await db.db.transaction(async (tx) => {
    await refundOrder(tx, Number(withLines!.id), { refundedAt: NOW.toISOString() });
  });
  const [voided] = await db.sql<{ n: number }[]>`select count(*)::int as n from commission_lines where status = 'voided'`;
  expect(voided!.n).toBeGreaterThan(0);

  // The preview (the close's own load + engine, nothing written): what the close must post.
  await db.db.transaction(async (tx) => {
    const period = (await periodByKey(tx, KEY))!;
    const { plan, rates } = await checkCommissionInputs(tx, period);
    const loaded = await loadPeriod(tx, period, plan, rates);
    const totals = totalsOf(runEngine(loaded.input), loaded.input.members, rates, 1);
    preview = { byCurrency: totals.byCurrency, lines: totals.lines };
  });
  baseline = await fingerprint();
  log.push(`set-up ${Math.round(performance.now() - t0)} ms, ${seeded.orders} orders, preview ${preview.lines} lines`);
}, 600_000);

afterAll(async () => {
  for (const c of children) await c.kill();
  if (process.env.NNP_CRASH_LOG) console.log(log.join('\n'));
  await db?.drop();
});

describe('a close killed at any point leaves the period untouched or fully closed; a re-run pays once', () => {
  let closeMs = 0;

  it('killed right after its run row is committed: untouched, the dead run blocks a new close until it is stale', { timeout: 300_000 }, async () => {
    const child = startChild();
    const runLine = await child.waitFor(/^RUN \d+/);
    await child.kill();
    expect(await expectUntouchedOrClosed('after RUN')).toBe('untouched');
    expect((await periodRow()).status).toBe('closing');
    // The heartbeat is recent: a second close is refused while the first one might still be alive.
    const refused = await startClose().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('CONFLICT');
    expect((refused as AppError).message).toMatch(/en curso/);
    // A live run (its advisory lock held) is never taken over, even with an old heartbeat.
    await age();
    const holder = await db.sql.reserve();
    try {
      await holder`begin`;
      await holder`select pg_advisory_xact_lock(${ADVISORY_CLASS}, ${periodId})`;
      const stillRefused = await startClose().catch((e: unknown) => e);
      expect((stillRefused as AppError).code).toBe('CONFLICT');
      await holder`rollback`;
    } finally {
      holder.release();
    }
    expect(await fingerprint()).toEqual(baseline);
    const id = Number(runLine.split(' ')[1]);
    const [run] = await db.sql<{ status: string }[]>`select status from period_runs where id = ${id}`;
    expect(run!.status).toBe('running'); // recovered by the next close attempt (below)
  });

  for (const step of ['volumes', 'ranks', 'commissions']) {
    it(`killed inside the close's transaction after '${step}': untouched; the next close marks the dead run failed`, { timeout: 300_000 }, async () => {
      const before = await db.sql<{ id: number }[]>`select id from period_runs where period_id = ${periodId} and status = 'running'`;
      await age();
      const child = startChild(step);
      const t0 = performance.now();
      await child.waitFor(/^RUN \d+/);
      const tRun = performance.now();
      await child.waitFor(new RegExp(`^PROBE ${step}$`)).catch(async (e) => {
        await child.kill();
        throw e;
      });
      if (step === 'commissions') closeMs = performance.now() - tRun;
      await child.kill();
      log.push(`kill after ${step}: ${Math.round(performance.now() - t0)} ms after spawn`);
      expect(await expectUntouchedOrClosed(`after ${step}`)).toBe('untouched');
      // The previous dead run was taken over: failed, with the reason.
      for (const r of before) {
        const [row] = await db.sql<{ status: string; error: string | null }[]>`select status, error from period_runs where id = ${r.id}`;
        expect(row).toMatchObject({ status: 'failed', error: expect.stringMatching(/Interrumpido/) });
      }
    });
  }

  it('killed at random instants of the run: each time untouched or fully closed', { timeout: 600_000 }, async () => {
    expect(closeMs).toBeGreaterThan(0);
    log.push(`close (RUN → all written) ${Math.round(closeMs)} ms`);
    // A fixed pseudo-random sequence (reproducible), spread over 0–110 % of the close's duration.
    let s = 20261127;
    const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 4; i++) {
      await age();
      const child = startChild();
      await child.waitFor(/^RUN \d+/);
      const delay = Math.round(rand() * 1.1 * closeMs);
      await Promise.race([new Promise((r) => setTimeout(r, delay)), child.exited]);
      await child.kill();
      const outcome = await expectUntouchedOrClosed(`random kill ${i} at ${delay} ms`);
      log.push(`random kill ${i} at ${delay} ms: ${outcome} (${child.lines.join(' | ')})`);
      if (outcome === 'closed') return;
    }
  });

  it('the close run again (in this process) posts every line exactly once', { timeout: 300_000 }, async () => {
    if ((await periodRow()).status !== 'closed') {
      await age();
      const t0 = performance.now();
      const id = await startClose();
      await executeRun(app, closeSteps, id);
      log.push(`in-process close ${Math.round(performance.now() - t0)} ms`);
      const [run] = await db.sql<{ status: string; error: string | null }[]>`select status, error from period_runs where id = ${id}`;
      expect(run).toMatchObject({ status: 'succeeded', error: null });
    }
    await expectFullyClosed();
    const failed = await db.sql<{ error: string }[]>`select error from period_runs where period_id = ${periodId} and status = 'failed'`;
    expect(failed.length).toBeGreaterThanOrEqual(4);
    expect(failed.every((f) => /Interrumpido/.test(f.error))).toBe(true);
  });

  it('a third close attempt changes nothing', { timeout: 300_000 }, async () => {
    const closed = await fingerprint();
    const refused = await startClose().catch((e: unknown) => e);
    expect((refused as AppError).code).toBe('CONFLICT');
    expect((refused as AppError).message).toMatch(/ya está cerrado/);
    // Re-executing an old run (e.g. a retried launch) does nothing either.
    const runs = await db.sql<{ id: number }[]>`select id from period_runs where period_id = ${periodId}`;
    for (const r of runs) await executeRun(app, closeSteps, r.id);
    // And a close from another process is refused before writing.
    const child = startChild();
    await child.exited;
    expect(child.lines.join('\n')).toMatch(/ERROR .*ya está cerrado/);
    expect(await fingerprint()).toEqual(closed);
    await expectFullyClosed();
  });
});
