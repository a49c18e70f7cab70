import { expect, test, type Browser, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { ADMIN_PASSWORD, changeOwnPassword, login, rpc, screenshot } from './helpers';

/**
 * Two desktops, live (issue 16 item 6): two app instances (browser mode, two processes) on ONE
 * database, two browsers. Instance A starts the embedded cluster with the withdrawal fixtures
 * (e2e/serve.ts, NNP_E2E_FIXTURES=1, its data folder chosen here) and, holding the owner's
 * credentials, runs the engine service; instance B is a staff desktop as a company deploys one: only
 * the server's address (NNP_SERVER_URL, no login or password), sign-in proven by PostgreSQL, every
 * call on the person's own login, the engine's procedures served by A's engine. What one
 * desktop commits reaches the other's screen through LISTEN/NOTIFY within a second, without reload:
 * the withdrawal queue, the dashboard's figures, a period's state, and (issue 16 item 4) the
 * ledger-mismatch banner after a close whose check found a balance drifted by the owner.
 * Ports are the system's free ones (`--port 0`): each instance prints its address.
 */
test.describe.configure({ mode: 'serial' });

const USER = 'tesoreria-live';
const TEMP = 'temporal-tesoreria-live-1';
const FINAL = 'definitiva-tesoreria-live-1';
/**
 * The issue's promise: another desktop hears of committed work within a second (NNP_E2E_LIVE_MS to
 * change it). Its screen then refetches what changed; that time is measured and printed, and
 * bounded only by the assertions' 10 s (on a loaded shared machine it ranged 0.03–1.7 s).
 */
const LIVE_MS = Number(process.env.NNP_E2E_LIVE_MS ?? 1_000);

let dataDir = '';
let dbUrl = '';
let baseA = '';
let baseB = '';
const servers: ChildProcess[] = [];

function startInstance(env: Record<string, string>): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn('npx', ['tsx', 'e2e/serve.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'], detached: true, env: { ...process.env, ...env } });
  servers.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`an app instance did not start: ${out.slice(-500)}`)), 280_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^(http:\/\/127\.0\.0\.1:\d+\/)\s*$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        out = ''; // keep draining the pipe, but forget what it said
        resolve({ base: m[1]!, child });
      }
    });
    child.on('exit', (code) => reject(new Error(`an app instance exited (${code}): ${out.slice(-500)}`)));
  });
}

test.beforeAll(async () => {
  test.setTimeout(420_000);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'nnp-e2e-live-'));
  const a = await startInstance({ NNP_E2E_DATA_DIR: dataDir, NNP_E2E_FIXTURES: '1' });
  baseA = a.base;
  const creds = JSON.parse(readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as { user: string; password: string; port: number };
  dbUrl = `postgres://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${creds.port}/nnprotect`;
  const b = await startInstance({ DATABASE_URL: '', NNP_SERVER_URL: `postgres://127.0.0.1:${creds.port}/nnprotect` });
  baseB = b.base;
  expect(baseB).not.toBe(baseA);
});

test.afterAll(async () => {
  // B first (a client of A's cluster), then A (which stops the cluster).
  for (const s of servers.reverse()) {
    if (!s.pid || s.exitCode !== null) continue;
    const gone = new Promise((r) => s.once('exit', r));
    try {
      process.kill(-s.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
  }
  if (dataDir) {
    // The launcher may exit before the server it started has finished: PostgreSQL still writes at
    // shutdown (its checkpoint, autoprewarm's block list). Its pid file goes last.
    const pidFile = path.join(dataDir, 'pgdata', 'postmaster.pid');
    for (let waited = 0; existsSync(pidFile) && waited < 30_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
});

let pageA: Page; // finance, on instance A
let pageB: Page; // admin, on instance B

async function newPage(browser: Browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  // A full page load would reset this count: 1 at the end proves nothing was reloaded. Each change
  // notice the page receives on its live stream (/events) is kept with the instant it arrived.
  await page.addInitScript(() => {
    const w = window as unknown as { __loads?: number; __changes: { at: number; areas: string[] }[]; EventSource: typeof EventSource };
    w.__loads = (w.__loads ?? 0) + 1;
    w.__changes = [];
    const Original = w.EventSource;
    w.EventSource = class extends Original {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        this.addEventListener('changed', (e) => {
          try {
            w.__changes.push({ at: Date.now(), areas: (JSON.parse((e as MessageEvent<string>).data) as { areas: string[] }).areas });
          } catch {
            /* not ours */
          }
        });
      }
    };
  });
  return page;
}
const loads = (page: Page) => page.evaluate(() => (window as unknown as { __loads: number }).__loads);
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name }).click();

/**
 * The other desktop heard about the change: the first (or, for a run of several commits, the last
 * so far) notice naming `area` that reached `page` after `from` (just before the action), at most
 * LIVE_MS after `done` (the action's answer, which follows its commit). Answers that delay
 * (negative: the notice came before the answer).
 */
async function heard(page: Page, area: string, from: number, done: number, which: 'first' | 'last' = 'first'): Promise<number> {
  let at = 0;
  await expect
    .poll(
      async () => {
        const list = (await page.evaluate(() => (window as unknown as { __changes: { at: number; areas: string[] }[] }).__changes)).filter(
          (c) => c.at >= from && c.areas.includes(area),
        );
        at = (which === 'first' ? list[0] : list.at(-1))?.at ?? 0;
        return at > 0;
      },
      { timeout: 10_000, intervals: [25] },
    )
    .toBe(true);
  const ms = at - done;
  expect(ms, `the '${area}' notice reached the other desktop within a second`).toBeLessThanOrEqual(LIVE_MS);
  return ms;
}

/** Milliseconds from now until `check` passes: how long the other screen took to show it. */
async function shown(check: () => Promise<void>): Promise<number> {
  const t0 = Date.now();
  await check();
  return Date.now() - t0;
}

test('a withdrawal approved on desktop A leaves desktop B’s pending queue without reloading', async ({ browser }) => {
  test.setTimeout(180_000);
  pageA = await newPage(browser);
  pageB = await newPage(browser);
  // On A the admin opens a finance account; finance signs in there. On B the admin watches the queue.
  await login(pageA, 'admin', ADMIN_PASSWORD, baseA);
  await expect(pageA.getByRole('navigation', { name: 'principal' })).toBeVisible();
  expect((await rpc(pageA, 'staff.create', { username: USER, displayName: 'Teresa en vivo', role: 'finance', password: TEMP })).status).toBe(200);
  await pageA.evaluate(() => sessionStorage.clear());
  await login(pageA, USER, TEMP, baseA);
  await changeOwnPassword(pageA, TEMP, FINAL);

  // B proves passwords through PostgreSQL: a wrong one is refused in plain words (no lock promised
  // there: the server's auth_delay slows guessing), in either language.
  await login(pageB, 'admin', 'contrasena-equivocada', baseB);
  await expect(pageB.getByRole('alert')).toHaveText(/^Usuario o contraseña incorrectos\.$/);
  await screenshot(pageB, '16-live-b-wrong-password');
  await pageB.getByLabel('Idioma').selectOption('en');
  await pageB.getByLabel('Username').fill('admin');
  await pageB.getByLabel('Password').fill('contrasena-equivocada');
  await pageB.getByRole('button', { name: 'Sign in' }).click();
  await expect(pageB.getByRole('alert')).toHaveText(/^Wrong username or password\.$/);
  await screenshot(pageB, '16-live-b-wrong-password-en');
  await pageB.getByLabel('Language').selectOption('es-MX');
  await login(pageB, 'admin', ADMIN_PASSWORD, baseB);
  await expect(pageB.getByRole('navigation', { name: 'principal' })).toBeVisible();
  await nav(pageB, 'Retiros');
  const summaryB = pageB.getByRole('region', { name: 'Total del filtro' });
  await expect(summaryB).toContainText('6 retiros');
  await expect(pageB.getByRole('table')).toContainText('$1,500.00');
  await screenshot(pageB, '16-live-b-queue-before');

  await nav(pageA, 'Retiros');
  await pageA.getByLabel('Ordenar por', { exact: true }).selectOption({ label: 'Importe · Ascendente' });
  const firstRow = pageA.getByRole('table').getByRole('row').nth(1);
  await expect(firstRow).toContainText('$1,500.00');
  await firstRow.click();
  const drawer = pageA.getByRole('dialog', { name: 'Detalle del retiro' });
  const from = Date.now();
  await drawer.getByRole('button', { name: 'Aprobar' }).click();
  await expect(drawer.getByRole('status')).toContainText('aprobado');
  const done = Date.now();

  // B's queue, never reloaded: told within a second of A's answer, and the request is gone.
  const ms = await shown(async () => {
    await expect(summaryB).toContainText('5 retiros', { timeout: 10_000 });
    await expect(pageB.getByRole('table')).not.toContainText('$1,500.00', { timeout: 10_000 });
  });
  const notice = await heard(pageB, 'withdrawals', from, done);
  console.log(`[live] queue: B told ${notice} ms after A's answer, its screen showed it ${ms} ms after`);
  await screenshot(pageA, '16-live-a-approved');
  await drawer.getByRole('button', { name: 'Cerrar' }).click();
  await expect(drawer).toHaveCount(0);
  await screenshot(pageB, '16-live-b-queue-after');
  expect(await loads(pageB)).toBe(1);
});

test('the dashboard’s pending-withdrawals figure on B follows an approval on A', async () => {
  test.setTimeout(60_000);
  await nav(pageB, 'Tablero');
  const cardsB = pageB.getByRole('region', { name: 'Tablero' });
  await expect(cardsB.getByText('5 solicitudes', { exact: true })).toBeVisible();
  const list = await rpc(pageA, 'withdrawals.list', { status: 'pending', sort: 'amount', dir: 'asc' });
  expect(list.status).toBe(200);
  const next = list.body.data.rows.find((w: { amount: string }) => w.amount === '1800.00');
  expect(next, 'the 1,800.00 request is pending').toBeTruthy();
  const from = Date.now();
  expect((await rpc(pageA, 'withdrawals.approve', { id: next.id })).status).toBe(200);
  const done = Date.now();
  const ms = await shown(() => expect(cardsB.getByText('4 solicitudes', { exact: true })).toBeVisible({ timeout: 10_000 }));
  const notice = await heard(pageB, 'withdrawals', from, done);
  console.log(`[live] dashboard: B told ${notice} ms after A's answer, its screen showed it ${ms} ms after`);
  await pageB.mouse.move(0, 0);
  await screenshot(pageB, '16-live-b-dashboard');
  expect(await loads(pageB)).toBe(1);
});

test('a period closed on A shows closed on B; the close’s ledger check finds the owner’s drift and both dashboards warn', async ({ browser }) => {
  test.setTimeout(240_000);
  // The owner (the database's superuser, as a SQL client would) drifts one wallet's cached balance.
  const owner = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [w] = await owner<{ id: string }[]>`
      select a.id from ledger_accounts a where a.kind = 'member_wallet' and a.balance > 0 order by a.id limit 1`;
    expect(w, 'a wallet with money').toBeTruthy();
    await owner`update ledger_accounts set balance = balance + 1000 where id = ${w!.id}`;
  } finally {
    await owner.end();
  }

  await nav(pageB, 'Periodos');
  const heroB = pageB.getByRole('region', { name: 'Periodo abierto' });
  await expect(heroB.getByText('Abierto', { exact: true })).toBeVisible();
  // An admin on A closes the open period (the wizard's own procedure).
  const adminA = await newPage(browser);
  await login(adminA, 'admin', ADMIN_PASSWORD, baseA);
  await expect(adminA.getByRole('navigation', { name: 'principal' })).toBeVisible();
  const current = (await rpc(adminA, 'periods.current', {})).body.data;
  const openKey: string = current.period.key;
  await expect(heroB).toContainText(`(${openKey})`);
  const from = Date.now();
  const started = await rpc(adminA, 'periods.close', { key: openKey, confirmKey: openKey });
  expect(started.status).toBe(200);
  // Follow the run on A until it is done; B must hear of its last commit within a second of that.
  for (let i = 0; ; i++) {
    const run = (await rpc(adminA, 'periods.run', { runId: started.body.data.id })).body.data;
    if (run.status === 'succeeded') break;
    expect(run.status, JSON.stringify(run)).not.toBe('failed');
    expect(i, 'the close finished').toBeLessThan(360);
    await adminA.waitForTimeout(100);
  }
  const done = Date.now();
  const nextKey: string = (await rpc(adminA, 'periods.current', {})).body.data.period.key;
  expect(nextKey).not.toBe(openKey);
  const listB = pageB.getByRole('region', { name: 'Todos los periodos' });
  const ms = await shown(async () => {
    await expect(listB.getByRole('row').filter({ hasText: openKey }).getByText('Cerrado', { exact: true })).toBeVisible({ timeout: 10_000 });
    await expect(heroB).toContainText(`(${nextKey})`, { timeout: 10_000 });
  });
  // The run's last commit (state closed) came before A saw it succeeded.
  const notice = await heard(pageB, 'periods', from, done, 'last');
  console.log(`[live] period: B told ${notice} ms after A saw the close succeed, its screen showed it ${ms} ms after`);
  await screenshot(pageB, '16-live-b-period-closed');

  // B holds no owner credentials: its admin's recompute of the new period is asked of A's engine
  // (as that admin, on B's own login) and followed on B like any run.
  const recompute = await rpc(pageB, 'periods.recompute', { key: nextKey });
  expect(recompute.status, JSON.stringify(recompute.body)).toBe(200);
  for (let i = 0; ; i++) {
    const run = (await rpc(pageB, 'periods.run', { runId: recompute.body.data.id })).body.data;
    if (run.status === 'succeeded') break;
    expect(run.status, JSON.stringify(run)).not.toBe('failed');
    expect(i, 'the recompute finished').toBeLessThan(600);
    await pageB.waitForTimeout(100);
  }
  const ownerCheck = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [req] = await ownerCheck<{ procedure: string; db_login: string; status: string }[]>`
      select procedure, db_login, status from engine_requests order by id desc limit 1`;
    expect(req).toEqual({ procedure: 'periods.recompute', db_login: 'nnp_admin_user', status: 'done' });
  } finally {
    await ownerCheck.end();
  }

  // The check after the close kept its result: B's admin and A's finance see the warning live.
  await nav(pageB, 'Tablero');
  await nav(pageA, 'Tablero');
  for (const [page, who] of [
    [pageB, 'admin'],
    [pageA, 'finance'],
  ] as const) {
    const banner = page.getByRole('alert').filter({ hasText: 'Atención: 1 cuenta del monedero tiene un saldo distinto de la suma de sus movimientos' });
    await expect(banner).toBeVisible();
    await page.mouse.move(0, 0);
    await screenshot(page, `16-ledger-banner-${who}`);
  }
  expect(await loads(pageA)).toBe(1);
  expect(await loads(pageB)).toBe(1);
});
