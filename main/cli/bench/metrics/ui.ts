/**
 * ui.* — what a person waits for: Chromium (/usr/bin/chromium, Playwright) against the app in
 * browser mode started on the bench database (`main/cli/start.ts --browser`, DATABASE_URL at the
 * bench cluster, its own process), signed in as the bench's admin. Each sample opens a fresh
 * document on a light screen (so nothing is cached in the page), then navigates in the app to the
 * screen under test and times, inside the page, from the navigation to the frame after the screen
 * set its `data-ready` marker (set when the screen's own data is rendered, never a placeholder).
 *   ui.dashboard    the dashboard
 *   ui.profile      the profile of the biggest leader (largest downline below the root)
 *   ui.genealogy    the genealogy at the root, with its first 100 recruits
 *   ui.withdrawals  the withdrawal queue (first page and totals) over ≥ 100,000 withdrawals
 *   ui.search       search as you type: from the last keystroke of a query to its results shown
 * No baseline (there is no naive screen); the SQL figures of the other groups are the floor.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { BenchContext, Metric, MetricResult } from '../types';
import { percentile, round } from '../timing';
import { BENCH_ADMIN, ensureBenchAdmin } from '../app';
import { syntheticPeriodFigures } from './economics';
import { ensureQueue } from './wallet';
import { projectRoot } from '../../../db/paths';

const SAMPLES = Number(process.env.NNP_BENCH_UI_SAMPLES ?? 25);
const WARMUP = 3;
/** A screen with little data to start each sample from. */
const START = '/staff';

interface Ui {
  base: string;
  browser: Browser;
  page: Page;
  stop: () => Promise<void>;
}
let shared: Promise<Ui> | null = null;

function benchUrl(ctx: BenchContext): string {
  const o = ctx.sql.options as unknown as { host: string[]; port: number[]; user: string; pass: string | null | (() => string); database: string };
  const pass = typeof o.pass === 'function' ? o.pass() : (o.pass ?? '');
  return `postgres://${encodeURIComponent(o.user)}:${encodeURIComponent(pass)}@${o.host[0]}:${o.port[0]}/${o.database}`;
}

/** The app in browser mode on the bench database, and a signed-in Chromium page: once per bench run. */
function ui(ctx: BenchContext): Promise<Ui> {
  shared ??= (async () => {
    await ensureBenchAdmin(ctx);
    await syntheticPeriodFigures(ctx);
    const child: ChildProcess = spawn(
      process.execPath,
      [path.join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(projectRoot, 'main', 'cli', 'start.ts'), '--browser', '--no-seed'],
      {
        cwd: projectRoot,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DATABASE_URL: benchUrl(ctx), NNP_PORT: process.env.NNP_BENCH_UI_PORT ?? '0' },
      },
    );
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 20_000) err = err.slice(-10_000);
    });
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`la app no arrancó en 5 min: ${err.slice(-2000)}`)), 300_000);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const url = out.split('\n').find((l) => /^https?:\/\//.test(l.trim()));
        if (url) {
          clearTimeout(timer);
          resolve(url.trim().replace(/\/?$/, '/'));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`la app terminó (${code}): ${err.slice(-2000)}`));
      });
    });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    };
    process.once('exit', kill);
    ctx.log(`ui: app en ${base}`);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const context = await browser.newContext({ locale: 'es-MX', timezoneId: 'America/Mexico_City', viewport: { width: 1440, height: 900 } });
    // tsx compiles with esbuild's keepNames: functions passed to page.evaluate call its __name helper.
    await context.addInitScript('globalThis.__name = (f) => f;');
    const page = await context.newPage();
    await page.goto(base);
    await page.getByLabel('Usuario').fill(BENCH_ADMIN.username);
    await page.getByLabel('Contraseña').fill(BENCH_ADMIN.password);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.getByRole('navigation', { name: 'principal' }).waitFor({ timeout: 60_000 });
    return {
      base,
      browser,
      page,
      stop: async () => {
        await browser.close().catch(() => {});
        kill();
      },
    };
  })();
  return shared;
}

/** Closes Chromium and stops the app after the last ui metric. */
async function stopUi() {
  if (!shared) return;
  const u = await shared.catch(() => null);
  shared = null;
  await u?.stop();
}

/** A fresh document on the start screen, settled. */
async function fresh(u: Ui) {
  await u.page.goto('about:blank');
  await u.page.goto(`${u.base}#${START}`);
  await u.page.getByRole('navigation', { name: 'principal' }).waitFor();
  await u.page.waitForLoadState('networkidle');
}

/** In the page: navigate to `hash` and answer the ms until the frame after `[data-ready=marker]` appears. */
async function navigateAndTime(u: Ui, hash: string, marker: string): Promise<number> {
  return u.page.evaluate(
    ({ hash, marker }) =>
      new Promise<number>((resolve, reject) => {
        const sel = `[data-ready="${marker}"]`;
        if (document.querySelector(sel)) {
          reject(new Error(`${marker} ya estaba listo`));
          return;
        }
        const timer = setTimeout(() => {
          obs.disconnect();
          reject(new Error(`${marker}: sin data-ready en 30 s`));
        }, 30_000);
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (!document.querySelector(sel)) return;
          obs.disconnect();
          clearTimeout(timer);
          requestAnimationFrame(() => resolve(performance.now() - t0));
        });
        obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready'] });
        location.hash = hash;
      }),
    { hash, marker },
  );
}

/** The slowest samples with their places in the run ("#3 4089.1"): a cold start shows as the first ones, a stall elsewhere as any. */
function slowest(times: number[], n = 3): string {
  return times
    .map((ms, i) => ({ ms, i }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n)
    .map((x) => `#${x.i + 1} ${round(x.ms)} ms`)
    .join(', ');
}

function summary(times: number[], notes: string): MetricResult {
  return {
    p50_ms: round(percentile(times, 50)),
    p95_ms: round(percentile(times, 95)),
    samples: times.length,
    notes: `${notes}; max ${round(Math.max(...times))} ms; slowest samples (in the order taken) ${slowest(times)}`,
  };
}

function screenMetric(name: string, marker: string, target: (ctx: BenchContext) => Promise<{ hash: string; what: string }>): Metric {
  return {
    name,
    budget: { p95_ms: 300 },
    after: stopUi,
    async run(ctx) {
      const u = await ui(ctx);
      const { hash, what } = await target(ctx);
      const times: number[] = [];
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        await fresh(u);
        const ms = await navigateAndTime(u, hash, marker);
        if (i >= WARMUP) times.push(ms);
      }
      return summary(
        times,
        `${what}: navigation from ${START} in a fresh document to data-ready="${marker}" (+1 frame), ${SAMPLES} samples after ${WARMUP} warm-up`,
      );
    },
  };
}

const uiDashboard = screenMetric('ui.dashboard', 'dashboard', async () => ({ hash: '/dashboard', what: 'dashboard' }));
const uiProfile = screenMetric('ui.profile', 'profile', async (ctx) => {
  const [m] = await ctx.sql<
    { id: string; n: number }[]
  >`select id::text, downline_size as n from members where sponsor_id is not null order by downline_size desc limit 1`;
  return { hash: `/members/${m!.id}`, what: `profile of member ${m!.id} (${m!.n} below)` };
});
const uiGenealogy = screenMetric('ui.genealogy', 'genealogy', async (ctx) => {
  const [r] = await ctx.sql<
    { n: number }[]
  >`select count(*)::int as n from members where sponsor_id = (select id from members where sponsor_id is null order by id limit 1)`;
  return { hash: '/genealogy', what: `genealogy at the root (${r!.n} direct recruits; first page of 100)` };
});
const uiWithdrawals = screenMetric('ui.withdrawals', 'withdrawals', async (ctx) => {
  await ensureQueue(ctx);
  const [w] = await ctx.sql<{ n: number }[]>`select count(*)::int as n from withdrawals`;
  return { hash: '/withdrawals', what: `withdrawal queue over ${w!.n} withdrawals` };
});

const uiSearch: Metric = {
  name: 'ui.search',
  budget: { p95_ms: 150 },
  async run(ctx) {
    const u = await ui(ctx);
    try {
      // Queries as support types them: first name + the start of the surname, a surname, a code.
      const picks = await ctx.sql<{ first_name: string; last_name: string; code: string }[]>`
        select first_name, last_name, code from members tablesample system (1) repeatable (${ctx.seed}) limit ${WARMUP + SAMPLES}`;
      const queries = picks
        .map((p, i) =>
          (i % 3 === 0 ? `${p.first_name} ${p.last_name.slice(0, 3)}` : i % 3 === 1 ? p.last_name : p.code).toLowerCase().replace(/[^a-z0-9]+$/, ''),
        )
        .filter((q) => q.length >= 3);
      const times: number[] = [];
      await fresh(u);
      await u.page.goto(`${u.base}#/members`);
      const box = u.page.locator('#member-q');
      await box.waitFor();
      for (const [i, q] of queries.entries()) {
        await box.fill('');
        await u.page.getByText('Escriba al menos un dato para buscar.').waitFor();
        await box.pressSequentially(q.slice(0, -1), { delay: 40 });
        // The last keystroke is timed in the page, from its keydown to the frame after the results of the whole query are shown.
        const done = u.page.evaluate(
          (query) =>
            new Promise<number>((resolve, reject) => {
              const sel = () => [...document.querySelectorAll('[data-ready="search"]')].some((e) => e.getAttribute('data-query') === query);
              let t0 = 0;
              const input = document.getElementById('member-q')!;
              input.addEventListener(
                'keydown',
                (e) => {
                  t0 = e.timeStamp;
                },
                { once: true },
              );
              const timer = setTimeout(() => {
                obs.disconnect();
                reject(new Error(`búsqueda "${query}": sin resultados en 30 s`));
              }, 30_000);
              const obs = new MutationObserver(() => {
                if (!t0 || !sel()) return;
                obs.disconnect();
                clearTimeout(timer);
                requestAnimationFrame(() => resolve(performance.now() - t0));
              });
              obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready', 'data-query'] });
            }),
          q.trim(),
        );
        done.catch(() => {}); // awaited below; a rejection meanwhile is not unhandled
        await u.page.waitForTimeout(10);
        await box.press(q.slice(-1));
        const ms = await done;
        if (i >= WARMUP) times.push(ms);
      }
      return summary(
        times,
        `members screen, search as you type (${SAMPLES} queries typed at 40 ms a key: name + start of surname, surname, code): last keydown to the frame after the results of the whole query`,
      );
    } finally {
      await stopUi();
    }
  },
  after: stopUi,
};

export const uiMetrics: Metric[] = [uiDashboard, uiProfile, uiGenealogy, uiWithdrawals, uiSearch];
