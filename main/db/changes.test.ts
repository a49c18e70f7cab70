import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { sql } from 'drizzle-orm';
import { testApp, type TestApp } from '../../test/app';
import { creditCommission, insertMembers } from '../../test/wallet-fixtures';
import { createBridge } from '../http/bridge';
import { connect, type Database } from './client';
import { startChangeFeed, type ChangeFeed } from './changes';
import { ALL_CHANGE_AREAS, staleAfter, type ChangeArea } from '../../shared/changes';

/**
 * Two desktops, live (issue 16 item 6): instance A (testApp's router and pool) changes things;
 * instance B (its own pool, router, change feed and 127.0.0.1 bridge on the same database) hears
 * about it through PostgreSQL LISTEN/NOTIFY, without polling.
 */
let t: TestApp;
let b: Database;
let feed: ChangeFeed;
let bridge: ReturnType<typeof createBridge>;
let port = 0;
const heard: { at: number; areas: ChangeArea[] }[] = [];

beforeAll(async () => {
  t = await testApp();
  b = connect(t.database.url, { max: 3 });
  feed = startChangeFeed(b.url, { batchMs: 50 });
  await feed.ready;
  feed.subscribe((areas) => heard.push({ at: Date.now(), areas }));
  // The test app's own router: its sessions hold the staff logins' connections (main/db/staff-connections.ts).
  bridge = createBridge({ router: t.router, changes: feed });
  port = (await bridge.listen(0)).port;
});
afterAll(async () => {
  await bridge.close();
  await feed.close();
  await b.close();
  await t.close();
});

/** Waits until the feed has delivered `area` after `since` (ms epoch); answers the delay. */
async function heardArea(area: ChangeArea, since: number, within = 2000): Promise<number> {
  const until = Date.now() + within;
  for (;;) {
    const hit = heard.find((h) => h.at >= since && h.areas.includes(area));
    if (hit) return hit.at - since;
    if (Date.now() > until) throw new Error(`no "${area}" change within ${within} ms (heard: ${JSON.stringify(heard.filter((h) => h.at >= since))})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function pendingWithdrawal(amount = '500.00') {
  const [m] = await insertMembers(t.database.db, [{ enrolledAt: new Date('2025-01-10T12:00:00Z') }]);
  await creditCommission(t.database.db, m!.id, 'MXN', '5000.00');
  return t.must('withdrawals.request', { memberId: m!.id, amount, currency: 'MXN' }, t.tokens.finance);
}

function post(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; json: any }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: data ? JSON.parse(data) : null }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens GET /events?ticket=… and collects the `changed` events it streams. */
function openStream(ticket: string) {
  const events: { at: number; areas: string[] }[] = [];
  return new Promise<{ status: number; events: typeof events; close: () => void; body: () => string }>((resolve, reject) => {
    let body = '';
    const req = http.get({ host: '127.0.0.1', port, path: `/events?ticket=${encodeURIComponent(ticket)}` }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        for (const m of c.matchAll(/event: changed\ndata: (.*)\n\n/g)) events.push({ at: Date.now(), areas: (JSON.parse(m[1]!) as { areas: string[] }).areas });
      });
      resolve({ status: res.statusCode ?? 0, events, close: () => req.destroy(), body: () => body });
    });
    req.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
    });
  });
}

describe('live changes (LISTEN/NOTIFY)', () => {
  it('a withdrawal approved on instance A reaches instance B within a second, as "withdrawals"', async () => {
    const w = await pendingWithdrawal();
    await new Promise((r) => setTimeout(r, 200)); // the request's own notification goes by first
    const since = Date.now();
    await t.must('withdrawals.approve', { id: w.id }, t.tokens.admin);
    const delay = await heardArea('withdrawals', since);
    expect(delay).toBeLessThan(1000);
    // What the screens refetch for it: the queue and the dashboard, not the staff list.
    expect(staleAfter(['withdrawals'], 'withdrawals.list')).toBe(true);
    expect(staleAfter(['withdrawals'], 'dashboard.summary')).toBe(true);
    expect(staleAfter(['withdrawals'], 'staff.list')).toBe(false);
  });

  it('says nothing for a transaction that rolls back, and only after commit for one that commits', async () => {
    const since = Date.now();
    await t.database.db
      .transaction(async (tx) => {
        await tx.execute(sql`update staff set display_name = display_name where username = 'admin'`);
        tx.rollback();
      })
      .catch(() => {});
    await new Promise((r) => setTimeout(r, 600));
    expect(heard.filter((h) => h.at >= since && h.areas.includes('staff'))).toEqual([]);

    let committedAt = 0;
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`update staff set display_name = display_name where username = 'admin'`);
      await new Promise((r) => setTimeout(r, 400));
      expect(heard.filter((h) => h.at >= since && h.areas.includes('staff'))).toEqual([]); // not yet: uncommitted
      committedAt = Date.now();
    });
    await heardArea('staff', committedAt);
  });

  it('hears writes made outside the app (a SQL client on the same server)', async () => {
    const client = connect(t.database.url, { max: 1 });
    try {
      const since = Date.now();
      await client.sql`update members set first_name = first_name where id = (select min(id) from members)`;
      await heardArea('members', since);
      const since2 = Date.now();
      await client.sql`insert into ledger_checks (trigger, mismatches, sample) values ('manual', 0, '[]')`;
      await heardArea('ledger_checks', since2);
    } finally {
      await client.close();
    }
  });

  it('streams the areas to a signed-in screen through the bridge (/events), and to no one else', async () => {
    expect((await post('/events/ticket')).status).toBe(401);
    expect((await post('/events/ticket', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await openStream('made-up')).status).toBe(401);

    const { json } = await post('/events/ticket', { authorization: `Bearer ${t.tokens.support}` });
    const ticket = json.data.ticket as string;
    const stream = await openStream(ticket);
    expect(stream.status).toBe(200);
    expect((await openStream(ticket)).status).toBe(401); // single use
    try {
      const w = await pendingWithdrawal();
      const since = Date.now();
      await t.must('withdrawals.reject', { id: w.id, reason: 'Datos de pago incompletos' }, t.tokens.admin);
      const until = Date.now() + 2000;
      while (!stream.events.some((e) => e.at >= since && e.areas.includes('withdrawals')) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      const hit = stream.events.find((e) => e.at >= since && e.areas.includes('withdrawals'));
      expect(hit, stream.body()).toBeDefined();
      expect(hit!.at - since).toBeLessThan(1000);
      // Area names only, never data.
      const datas = [...stream.body().matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
      expect(datas.length).toBeGreaterThan(0);
      for (const d of datas) {
        expect(Object.keys(d)).toEqual(['areas']);
        for (const a of d.areas as string[]) expect(ALL_CHANGE_AREAS).toContain(a);
      }
    } finally {
      stream.close();
    }
  });

  it('listens again after its connection is cut, and then announces every area (what was missed is unknown)', async () => {
    const since = Date.now();
    const killed = await t.database.sql`select pg_terminate_backend(pid) as ok from pg_stat_activity
      where application_name = 'nnprotect-backoffice-changes' and datname = current_database()`;
    expect(killed.length).toBe(1);
    const until = Date.now() + 5000;
    while (!heard.some((h) => h.at >= since && ALL_CHANGE_AREAS.every((a) => h.areas.includes(a))) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(heard.some((h) => h.at >= since && ALL_CHANGE_AREAS.every((a) => h.areas.includes(a)))).toBe(true);
    const since2 = Date.now();
    await t.database.sql`update periods set status = status where false`; // a statement that changes no row still says "periods"
    await heardArea('periods', since2);
  });
});
