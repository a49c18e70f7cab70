import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, changeOwnPassword, login, loginAsAdmin, rpc, screenshot } from './helpers';

test.describe.configure({ mode: 'serial' });

const TEMP = 'temporal-12345';
const FINAL = 'definitiva-12345';

test('the login screen speaks Spanish and refuses a wrong password without saying why', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Iniciar sesión' })).toBeVisible();
  await screenshot(page, '01-login');
  await login(page, 'admin', 'wrong-password');
  await expect(page.getByRole('alert')).toContainText('Usuario o contraseña incorrectos');
  await login(page, 'nobody-here', 'wrong-password');
  await expect(page.getByRole('alert')).toContainText('Usuario o contraseña incorrectos');
});

test('an admin creates a finance and a support account, and sees them in the audit log', async ({ page }) => {
  await loginAsAdmin(page);
  await screenshot(page, '02-admin-home');
  await page.getByRole('link', { name: 'Personal' }).click();
  await expect(page.getByRole('heading', { name: 'Personal' })).toBeVisible();
  for (const [username, name, role] of [
    ['fernanda', 'Fernanda Ruiz', 'Finanzas'],
    ['sofia', 'Sofía Núñez', 'Soporte'],
  ] as const) {
    const form = page.getByRole('form', { name: 'Nueva cuenta' });
    await form.getByLabel('Usuario').fill(username);
    await form.getByLabel('Nombre').fill(name);
    await form.getByLabel('Rol').selectOption({ label: role });
    await form.getByLabel('Contraseña inicial').fill(TEMP);
    await form.getByRole('button', { name: 'Guardar' }).click();
    await expect(page.getByRole('cell', { name: username, exact: true })).toBeVisible();
  }
  await screenshot(page, '03-staff');
  await page.getByRole('link', { name: 'Auditoría' }).click();
  // The audit log names the action in words, never the procedure's name.
  await expect(page.getByRole('cell', { name: 'Alta de cuenta del personal' }).first()).toBeVisible();
  await expect(page.getByRole('cell', { name: 'staff.create' })).toHaveCount(0);
  await page.getByRole('cell', { name: 'Alta de cuenta del personal' }).first().click();
  await expect(page.getByRole('columnheader', { name: 'Después' })).toBeVisible();
  await screenshot(page, '04-audit');
});

test('finance must change the temporary password, then sees only the finance areas', async ({ page }) => {
  await login(page, 'fernanda', TEMP);
  await expect(page.getByRole('heading', { name: 'Cambiar contraseña' })).toBeVisible();
  await screenshot(page, '05-change-password');
  await changeOwnPassword(page, TEMP, FINAL);
  const nav = page.getByRole('navigation', { name: 'principal' });
  await expect(nav).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Retiros' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Personal' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Auditoría' })).toHaveCount(0);
  // The home's figures, not its loading line (a busy machine showed "Cargando…" here once).
  await expect(page.locator('[data-ready="dashboard"]')).toBeVisible({ timeout: 30_000 });
  await screenshot(page, '06-finance-home');
  // Hidden in the menu is not enough: the main process refuses it too.
  const r = await rpc(page, 'staff.list', {});
  expect(r.status).toBe(403);
  expect(r.body.error.code).toBe('FORBIDDEN');
});

test('support sees member areas only and cannot reach staff or money procedures', async ({ page }) => {
  await login(page, 'sofia', TEMP);
  await changeOwnPassword(page, TEMP, FINAL);
  const nav = page.getByRole('navigation', { name: 'principal' });
  await expect(nav.getByRole('link', { name: 'Socios' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Genealogía' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Retiros' })).toHaveCount(0);
  // The home's figures, not its loading line (a busy machine showed "Cargando…" here once).
  await expect(page.locator('[data-ready="dashboard"]')).toBeVisible({ timeout: 30_000 });
  await screenshot(page, '07-support-home');
  expect((await rpc(page, 'staff.create', { username: 'x', displayName: 'x', role: 'admin', password: 'abcdefghijk' })).status).toBe(403);
  expect((await rpc(page, 'audit.list', {})).status).toBe(403);
});

test('the interface switches to English and back', async ({ page }) => {
  await loginAsAdmin(page);
  await page.getByLabel('Idioma').selectOption('en');
  await expect(page.getByRole('link', { name: 'Staff' })).toBeVisible();
  await page.getByRole('link', { name: 'Staff' }).click();
  await screenshot(page, '08-english-staff');
  await page.getByLabel('Language').selectOption('es-MX');
  await expect(page.getByRole('link', { name: 'Personal' })).toBeVisible();
});

test('the bridge refuses calls without a session and lists the contract', async ({ page, request }) => {
  const anon = await request.post('rpc/staff.list', { data: {} });
  expect(anon.status()).toBe(401);
  const list = await request.get('rpc');
  const body = await list.json();
  expect(body.ok).toBe(true);
  expect(body.data.map((p: { name: string }) => p.name)).toContain('auth.login');
  void page;
  void ADMIN_PASSWORD;
});
