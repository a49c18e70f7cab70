/**
 * Issue 16: the engine service. The procedures that run the commission engine are asked of it on the
 * person's own login (nnp_engine_request), never run with a desktop's login; the database stamps who
 * asked and refuses a group the procedure is not for; the engine checks the person and the input
 * again, runs the handler as that person and answers in the row; an untaken request is withdrawn,
 * an interrupted one is never run twice, and a second engine waits on standby.
 */
import { refusal, staffLogins } from '../../test/logins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/app';
import { loadSmallNetwork } from '../../test/small-network';
import { composeHandlers } from '../app/composition';
import { contract, type ProcedureName } from '../../shared/contract';
import { askEngine, startEngine, type EngineService } from './engine';
import { waitForRun } from '../services/periods/close';

let t: TestApp;
const logins = staffLogins(() => t);
const as = logins.as;
const LOGINS = { admin: 'nnp_admin_user', finance: 'nnp_finanzas', support: 'nnp_soporte' } as const;

async function until(what: () => Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
const requestRow = async (id: string | number) =>
  (
    await t.database.sql<{ status: string; db_login: string; username: string; error: string | null }[]>`
    select r.status, r.db_login, s.username, r.error::text as error from engine_requests r join staff s on s.id = r.staff_id where r.id = ${id}`
  )[0]!;

beforeAll(async () => {
  t = await testApp({ now: () => new Date('2026-12-02T18:00:00Z') });
  await loadSmallNetwork(t.database.sql);
}, 120_000);
afterAll(async () => {
  await logins.closeAll();
  await t?.close();
});

describe('the procedures the engine runs', () => {
  it('are the viaEngine handlers, and the database lets exactly the contract’s roles ask for each', async () => {
    const handlers = composeHandlers();
    const viaEngine = Object.entries(handlers)
      .filter(([, h]) => (h as { engine?: string }).engine)
      .map(([k]) => k)
      .sort();
    expect(viaEngine).toEqual(['genealogy.move', 'orders.recordPayment', 'orders.refund', 'payments.syncStep', 'periods.close', 'periods.recompute']);
    for (const name of Object.keys(contract) as ProcedureName[]) {
      const [g] = await t.database.sql<{ groups: string[] | null }[]>`select nnp_engine_groups(${name}) as groups`;
      const roles = contract[name].roles;
      const expected = viaEngine.includes(name) && roles !== 'public' ? roles.map((r) => `nnp_${r}`).sort() : null;
      expect(g!.groups ? [...g!.groups].sort() : null, name).toEqual(expected);
    }
  });
});

describe('asking from outside the app, on a staff login', () => {
  it('only a group the procedure is for may ask; nothing else is an engine request; the table is closed to every staff login', async () => {
    const support = as(LOGINS.support);
    const finance = as(LOGINS.finance);
    const admin = as(LOGINS.admin);
    expect(await refusal(support, `select nnp_engine_request('periods.close', '{}')`)).toBe('42501');
    expect(await refusal(support, `select nnp_engine_request('payments.syncStep', '{}')`)).toBe('42501');
    expect(await refusal(finance, `select nnp_engine_request('genealogy.move', '{}')`)).toBe('42501');
    expect(await refusal(finance, `select nnp_engine_request('periods.recompute', '{}')`)).toBe('42501');
    expect(await refusal(admin, `select nnp_engine_request('withdrawals.approve', '{}')`)).toBe('22023');
    expect(await refusal(admin, `select nnp_engine_request('periods.recompute', '[1]')`)).toBe('22023');
    expect(await refusal(admin, `select nnp_engine_request('periods.recompute', '"x"')`)).toBe('22023');
    for (const c of [support, finance, admin]) {
      for (const stmt of [
        `select * from engine_requests`,
        `insert into engine_requests (procedure, input, staff_id, db_login) select 'periods.close', '{}', id, 'x' from staff limit 1`,
        `update engine_requests set status = 'done'`,
        `delete from engine_requests`,
        `truncate engine_requests`,
        `select nextval('engine_requests_id_seq')`,
      ]) {
        expect(await refusal(c, stmt), stmt).toBe('42501');
      }
    }
  });

  it('who asked is the login PostgreSQL saw; the answer reaches only the person who asked', async () => {
    const finance = as(LOGINS.finance);
    const admin = as(LOGINS.admin);
    // A Stripe sync without Stripe set up: the engine answers with the procedure's own typed refusal.
    const [mine] = await finance<{ id: string }[]>`select nnp_engine_request('payments.syncStep', '{}') as id`;
    const row = await requestRow(mine!.id);
    expect([row.db_login, row.username]).toEqual([t.login(LOGINS.finance), 'finanzas']);
    await until(async () => (await requestRow(mine!.id)).status !== 'waiting' && (await requestRow(mine!.id)).status !== 'running');
    const [answer] = await finance`select status, error->>'code' as code from nnp_engine_answer(${mine!.id})`;
    expect(answer!.status).toBe('failed');
    expect(answer!.code).not.toBe('INTERNAL');
    // Another person sees nothing of it and cannot withdraw it.
    expect(await admin`select * from nnp_engine_answer(${mine!.id})`).toHaveLength(0);
    expect((await admin`select nnp_engine_cancel(${mine!.id}) as ok`)[0]!.ok).toBe(false);
  });

  it('the engine checks the input against the contract again: what the router would refuse is refused', async () => {
    const admin = as(LOGINS.admin);
    const [r] = await admin<
      { id: string }[]
    >`select nnp_engine_request('genealogy.move', '{"memberId": "cuatro", "newSponsorId": 3, "reason": "x", "extra": 1}') as id`;
    await until(async () => (await requestRow(r!.id)).status === 'failed');
    const [a] = await admin`select error->>'code' as code, error->>'key' as key, error->'details'->'issues' as issues from nnp_engine_answer(${r!.id})`;
    // The contract's own field problems, as the router words them — not a database error further on.
    expect([a!.code, a!.key]).toEqual(['VALIDATION', 'validation.invalid']);
    expect((a!.issues as { path: string }[]).map((i) => i.path).sort()).toEqual(['extra', 'memberId', 'reason']);
    expect(await t.database.sql`select 1 from audit_log where action = 'genealogy.move'`).toHaveLength(0);
  });
});

describe('through the app', () => {
  it('a recompute asked by the admin runs in the engine as the admin: the answer, the run, the audit row and the request agree', async () => {
    const before = Number((await t.database.sql`select coalesce(max(id), 0) as n from engine_requests`)[0]!.n);
    const out = await t.must('periods.recompute', { key: '2026-11' }, t.tokens.admin);
    await waitForRun(out.id);
    const [req] = await t.database.sql<{ id: string; status: string; db_login: string; procedure: string }[]>`
      select id, status, db_login, procedure from engine_requests where id > ${before} order by id`;
    expect(req).toMatchObject({ status: 'done', db_login: t.login(LOGINS.admin), procedure: 'periods.recompute' });
    const [audit] = await t.database.sql`select staff_username from audit_log where action = 'periods.recompute' order by id desc limit 1`;
    expect(audit!.staff_username).toBe('admin');
    const [run] = await t.database.sql`select status from period_runs where id = ${out.id}`;
    expect(run!.status).toBe('succeeded');
  });

  it('what the router refuses before asking (a role outside the procedure, a wrong input) is refused as before, nothing asked', async () => {
    const asked = Number((await t.database.sql`select count(*) as n from engine_requests`)[0]!.n);
    const support = await t.call('periods.recompute', { key: '2026-11' }, t.tokens.support);
    expect(support.ok ? null : support.error.code).toBe('FORBIDDEN');
    const bad = await t.call('periods.close', { key: '2026-13', confirmKey: '2026-13' }, t.tokens.admin);
    expect(bad.ok ? null : bad.error.code).toBe('VALIDATION');
    expect(Number((await t.database.sql`select count(*) as n from engine_requests`)[0]!.n)).toBe(asked);
    // A refusal of the handler itself (the confirmation is another period) comes back from the engine, typed.
    const unconfirmed = await t.call('periods.close', { key: '2026-11', confirmKey: '2026-10' }, t.tokens.admin);
    expect(unconfirmed.ok ? null : [unconfirmed.error.code, unconfirmed.error.key]).toEqual(['VALIDATION', 'period.confirmKey']);
    expect(Number((await t.database.sql`select count(*) as n from engine_requests`)[0]!.n)).toBe(asked + 1);
  });
});

describe('the engine service itself', () => {
  let second: EngineService | null = null;
  afterAll(async () => {
    await second?.stop();
  });

  it('a request no engine takes is withdrawn and never runs later; one found running is answered interrupted, not run again', async () => {
    await t.router.stop();
    const admin = as(LOGINS.admin);
    const asked = askEngine(admin, 'periods.recompute', { key: '2026-11' }, { takeWithinMs: 300 });
    await expect(asked).rejects.toMatchObject({ code: 'UNAVAILABLE', key: 'engine.unavailable' });
    const [withdrawn] = await t.database.sql`select id, status from engine_requests order by id desc limit 1`;
    expect(withdrawn!.status).toBe('cancelled');

    // Left running by an engine that stopped (as if its process died mid-way).
    const [left] = await admin<{ id: string }[]>`select nnp_engine_request('periods.recompute', '{"key": "2026-11"}') as id`;
    await t.database.sql`update engine_requests set status = 'running', started_at = now() where id = ${left!.id}`;
    // And one properly waiting, which the new engine does run.
    const [waiting] = await admin<{ id: string }[]>`select nnp_engine_request('periods.recompute', '{"key": "2026-11"}') as id`;
    const runsBefore = Number((await t.database.sql`select count(*) as n from period_runs`)[0]!.n);

    // A person made to change their password meanwhile: their waiting request is refused.
    await t.database.sql`update staff set must_change_password = true where username = 'finanzas'`;
    const finance = as(LOGINS.finance);
    const [stale] = await finance<{ id: string }[]>`select nnp_engine_request('payments.syncStep', '{}') as id`;

    const services = t.services;
    second = startEngine(services, composeHandlers(), { pollMs: 50, standbyMs: 50 });
    await until(async () => (await requestRow(waiting!.id)).status === 'done' && (await requestRow(stale!.id)).status === 'failed');
    await t.database.sql`update staff set must_change_password = false where username = 'finanzas'`;
    const interrupted = await requestRow(left!.id);
    expect(interrupted.status).toBe('failed');
    expect(JSON.parse(interrupted.error!)).toMatchObject({ key: 'engine.interrupted' });
    expect(JSON.parse((await requestRow(stale!.id)).error!)).toMatchObject({ code: 'FORBIDDEN', key: 'engine.refused' });
    expect((await requestRow(withdrawn!.id)).status).toBe('cancelled');
    // Exactly one new run: the waiting request's, not the withdrawn one's nor the interrupted one's.
    expect(Number((await t.database.sql`select count(*) as n from period_runs`)[0]!.n)).toBe(runsBefore + 1);
  });

  it('one engine works per database; another waits on standby and takes over when the first stops', async () => {
    const standby = startEngine(t.services, composeHandlers(), { pollMs: 50, standbyMs: 50 });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect([second!.working(), standby.working()]).toEqual([true, false]);
      await second!.stop();
      second = null;
      await until(async () => standby.working());
      const admin = as(LOGINS.admin);
      const out = (await askEngine(admin, 'periods.recompute', { key: '2026-11' })) as { id: number };
      await waitForRun(out.id);
    } finally {
      await standby.stop();
    }
  });
});
