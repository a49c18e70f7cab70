import { expect, test, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E2E_PORT } from './browser';

export const ADMIN_PASSWORD = process.env.NNP_E2E_ADMIN_PASSWORD ?? 'admin-e2e-password';
const shots = path.join(import.meta.dirname, 'screenshots');
mkdirSync(shots, { recursive: true });

/** Every screen the journeys visit is kept as a PNG under e2e/screenshots (a CI artifact). */
export async function screenshot(page: Page, name: string) {
  // Chromium reports network idle once per document, after 500 ms without requests: when the live
  // feed's EventSource (never finished) opens inside that window, it never does — a CI run waited
  // out a journey's 4 minutes here. The journeys assert what a screen shows before taking it; this
  // wait only lets the last requests settle.
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/**
 * axe-core (WCAG 2.0/2.1 A and AA rules) over the page as it is now, dialogs included: the test
 * fails on any critical or serious violation, listing each rule and its first elements. Call it on
 * every screen state a journey reaches.
 */
export async function expectAccessible(page: Page, state: string) {
  await page.waitForLoadState('networkidle');
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  expect(
    bad.map(
      (v) =>
        `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    ),
    `axe on ${state}`,
  ).toEqual([]);
}

/** The viewport as the person sees it (focus ring included), kept as e2e/screenshots/<name>.png. */
export async function focusShot(page: Page, name: string) {
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

/** Presses Tab (or Shift+Tab) until `target` has focus; fails if it is not reached in `max` presses. */
export async function tabTo(page: Page, target: Locator, max = 60, back = false) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement)).catch(() => false)) return i;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  await expect(target).toBeFocused();
  return max;
}

/** Signs in on the app at `at` (the shared instance by default, or a journey's own `base`). */
export async function login(page: Page, username: string, password: string, at = '/') {
  await page.goto(at);
  await page.getByLabel('Usuario').fill(username);
  await page.getByLabel('Contraseña').fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
}

/**
 * A staff account's first sign-in: the app asks for a new password before anything else. Leaves
 * the page signed in as that user, on its home screen.
 */
export async function firstSignIn(page: Page, username: string, temporary: string, final: string, at = '/') {
  await login(page, username, temporary, at);
  await changeOwnPassword(page, temporary, final);
}

/** Fills the forced password change (the screen already shown) and waits for the app's menu. */
export async function changeOwnPassword(page: Page, current: string, next: string) {
  await page.getByLabel('Contraseña actual').fill(current);
  await page.getByLabel('Contraseña nueva (mínimo 10 caracteres)').fill(next);
  await page.getByLabel('Repita la contraseña nueva').fill(next);
  await page.getByRole('button', { name: 'Guardar' }).click();
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeVisible();
}

export async function loginAsAdmin(page: Page, at = '/') {
  await login(page, 'admin', ADMIN_PASSWORD, at);
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeVisible();
}

/** Calls a procedure over the bridge as a script would, with the page's own session token. */
export async function rpc(page: Page, name: string, input: unknown, token?: string) {
  return page.evaluate(
    async ({ name, input, token }) => {
      const t = token ?? JSON.parse(sessionStorage.getItem('nnp-session') ?? '{}')?.state?.token;
      const res = await fetch(`rpc/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) },
        body: JSON.stringify(input),
      });
      return { status: res.status, body: await res.json() };
    },
    { name, input, token },
  );
}

/**
 * A journey that changes what others rely on (closing a period, paying out) runs against its own
 * app: e2e/serve.ts on a new data folder and port, started before the file's tests and stopped after.
 */
export function ownAppInstance(portOffset: number, env: Record<string, string> = {}) {
  // (At 47123 + 93, inside the ephemeral range, an app once found its own database on its port.)
  const port = Number(process.env.NNP_E2E_PORT ?? E2E_PORT) + portOffset;
  const base = `http://127.0.0.1:${port}/`;
  let server: ChildProcess | null = null;
  test.beforeAll(async () => {
    test.setTimeout(300_000);
    // Its output goes to a file, shown when it does not start (a start that fails says why).
    const log = path.join(os.tmpdir(), `nnp-e2e-serve-${port}.log`);
    const out = openSync(log, 'w');
    server = spawn('npx', ['tsx', 'e2e/serve.ts', '--port', String(port)], { stdio: ['ignore', out, out], detached: true, env: { ...process.env, ...env } });
    const until = Date.now() + 280_000;
    for (;;) {
      try {
        if ((await fetch(base)).ok) break;
      } catch {
        /* not up yet */
      }
      const ended = server.exitCode !== null || server.signalCode !== null;
      if (ended || Date.now() > until)
        throw new Error(
          `the app ${ended ? 'ended before it started' : 'did not start'} on ${base}; its output (${log}) ends:\n${readFileSync(log, 'utf8').slice(-3000)}`,
        );
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
  test.afterAll(async () => {
    if (server?.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  });
  return { port, base };
}

/** Every call of procedure `name` answers `ms` later (a slow server, for the races of a screen). */
export async function slowProcedure(page: Page, name: string, ms: number) {
  await page.route(`**/rpc/${name}`, async (r) => {
    await new Promise((ok) => setTimeout(ok, ms));
    await r.continue();
  });
}
