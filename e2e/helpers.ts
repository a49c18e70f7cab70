import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const ADMIN_PASSWORD = process.env.NNP_E2E_ADMIN_PASSWORD ?? 'admin-e2e-password';
const shots = path.join(import.meta.dirname, 'screenshots');
mkdirSync(shots, { recursive: true });

/** Every screen the journeys visit is kept as a PNG under e2e/screenshots (a CI artifact). */
export async function screenshot(page: Page, name: string) {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
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
  return page.evaluate(async ({ name, input, token }) => {
    const t = token ?? JSON.parse(sessionStorage.getItem('nnp-session') ?? '{}')?.state?.token;
    const res = await fetch(`rpc/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) }, body: JSON.stringify(input) });
    return { status: res.status, body: await res.json() };
  }, { name, input, token });
}

/**
 * A journey that changes what others rely on (closing a period, paying out) runs against its own
 * app: e2e/serve.ts on a new data folder and port, started before the file's tests and stopped after.
 */
export function ownAppInstance(portOffset: number, env: Record<string, string> = {}) {
  const port = Number(process.env.NNP_E2E_PORT ?? 47123) + portOffset;
  const base = `http://127.0.0.1:${port}/`;
  let server: ChildProcess | null = null;
  test.beforeAll(async () => {
    test.setTimeout(300_000);
    server = spawn('npx', ['tsx', 'e2e/serve.ts', '--port', String(port)], { stdio: 'ignore', detached: true, env: { ...process.env, ...env } });
    const until = Date.now() + 280_000;
    for (;;) {
      try {
        if ((await fetch(base)).ok) break;
      } catch { /* not up yet */ }
      if (Date.now() > until) throw new Error(`the app did not start on ${base}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
  test.afterAll(async () => {
    if (server?.pid) {
      try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
    }
  });
  return { port, base };
}
