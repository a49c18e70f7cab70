import { expect, test } from '@playwright/test';
import { firstSignIn, loginAsAdmin, rpc, screenshot } from './helpers';

/**
 * Issue 20 — a staff member's working day: find anyone by code digits or part of an e-mail, correct
 * a member with a reason and see it on the member's history, errors worded in the chosen language,
 * screens a role can't use not rendered.
 */
const TEMP = 'temporal-20-abcde';
const FINAL = 'definitiva-20-abcde';

test('support finds members by "194" and by "gmail", corrects a phone with a reason and sees it on the history', async ({ page }) => {
  test.setTimeout(240_000);
  await loginAsAdmin(page);
  expect((await rpc(page, 'staff.create', { username: 'soporte-dia', displayName: 'Sara Soporte', role: 'support', password: TEMP })).status).toBe(200);
  await page.getByRole('button', { name: 'Cerrar sesión' }).click();
  await firstSignIn(page, 'soporte-dia', TEMP, FINAL);

  const nav = page.getByRole('navigation', { name: 'principal' });
  await nav.getByRole('link', { name: 'Socios' }).click();
  // Digits without the prefix and zeros: the member NN0000194 comes first.
  await page.getByLabel('Buscar socio').fill('194');
  const results = page.getByRole('listbox', { name: /resultado/ });
  await expect(results.getByRole('option').first()).toContainText('NN0000194');
  await screenshot(page, '20-01-search-by-digits');

  // Part of an e-mail: every hit has gmail in its address.
  await page.getByLabel('Buscar socio').fill('gmail');
  await expect(results.getByRole('option').first()).toContainText('gmail');
  const emails = await results.getByRole('option').allInnerTexts();
  expect(emails.length).toBeGreaterThan(1);
  for (const e of emails) expect(e.toLowerCase()).toContain('gmail');
  await screenshot(page, '20-02-search-by-gmail');

  // The member's profile: correct the phone with a reason.
  await page.getByLabel('Buscar socio').fill('NN194');
  await results.getByRole('option').filter({ hasText: 'NN0000194' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('NN0000194');
  await page.getByRole('button', { name: 'Editar datos' }).click();
  const dialog = page.getByRole('dialog', { name: 'Corregir datos del socio' });
  // A phone of letters and an e-mail without @: typed errors naming the field, nothing saved.
  await dialog.getByLabel('Teléfono').fill('cinco cinco');
  await dialog.getByLabel('Correo').fill('sin-arroba.example.com');
  await dialog.getByLabel('Motivo del cambio').fill('La socia llamó para corregir sus datos');
  await dialog.getByRole('button', { name: 'Guardar' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Teléfono: use solo dígitos');
  await expect(dialog.getByRole('alert')).toContainText('Correo: no es un correo válido');
  await expect(dialog.getByRole('alert')).not.toContainText(/Invalid|expected|Too big/);
  await screenshot(page, '20-03-edit-typed-errors');
  const original = (await rpc(page, 'members.search', { q: 'NN0000194' })).body.data.rows[0];
  await dialog.getByLabel('Correo').fill(original.email ?? '');
  await dialog.getByLabel('Teléfono').fill('+52 55 1234 9999');
  await dialog.getByRole('button', { name: 'Guardar' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText('+52 55 1234 9999')).toBeVisible();

  // A note, then the history: newest first, the correction with its before/after and reason.
  await page.getByRole('tab', { name: 'Historia' }).click();
  await page.getByLabel('Nota').fill('llamó el 3/12, se le explicó el Bono Rápido');
  await page.getByRole('button', { name: 'Agregar nota' }).click();
  const items = page.locator('.timeline-list li');
  await expect(items.first()).toContainText('llamó el 3/12, se le explicó el Bono Rápido');
  await expect(items.nth(1)).toContainText('Datos corregidos');
  await expect(items.nth(1)).toContainText('Teléfono');
  await expect(items.nth(1)).toContainText('+52 55 1234 9999');
  await expect(items.nth(1)).toContainText('Motivo: La socia llamó para corregir sus datos');
  await screenshot(page, '20-04-history-after-edit');

  // Support can't suspend (admin's decision): no button, and the bridge refuses it.
  await expect(page.getByRole('button', { name: 'Suspender' })).toHaveCount(0);
  expect((await rpc(page, 'members.setStatus', { id: original.id, status: 'suspended', reason: 'no puede' })).status).toBe(403);

  // Screens of other roles don't render: a plain no-permission page.
  await page.goto('/#/staff');
  await expect(page.getByTestId('no-permission')).toContainText('Sin permiso');
  await expect(page.getByRole('button', { name: 'Nueva cuenta' })).toHaveCount(0);
  await screenshot(page, '20-05-support-opens-staff');
  await page.goto('/#/withdrawals');
  await expect(page.getByTestId('no-permission')).toBeVisible();
  await page.goto('/#/dashboard');
  await expect(page.getByRole('link', { name: 'Ir a periodos' })).toHaveCount(0);
});

test('with English chosen, server errors read in English; an admin suspends a member with a reason', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Idioma').selectOption('en');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Wrong username or password');
  await expect(alert).not.toContainText('Usuario');
  await screenshot(page, '20-06-english-login-error');

  await page.getByLabel('Password').fill(process.env.NNP_E2E_ADMIN_PASSWORD ?? 'admin-e2e-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto('/#/members');
  await page.getByLabel('Search members').fill('195');
  await page.getByRole('listbox').getByRole('option').filter({ hasText: 'NN0000195' }).click();
  await page.getByRole('button', { name: 'Edit details' }).click();
  const dialog = page.getByRole('dialog', { name: 'Correct member details' });
  await dialog.getByLabel('Phone').fill('abc');
  await dialog.getByLabel('Reason for the change').fill('Test of a wrong phone');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Phone: use only digits');
  await expect(dialog.getByRole('alert')).not.toContainText(/Teléfono|dígitos|Datos inválidos/);
  await screenshot(page, '20-07-english-field-error');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('button', { name: 'Suspend' }).click();
  const sus = page.getByRole('dialog', { name: 'Suspend' });
  await sus.getByLabel('Reason for the change').fill('Documents pending');
  await sus.getByRole('button', { name: 'Suspend' }).click();
  await expect(page.getByRole('button', { name: 'Reactivate' })).toBeVisible();
  await page.getByRole('tab', { name: 'History' }).click();
  await expect(page.locator('.timeline-list li').first()).toContainText('Member suspended');
  await expect(page.locator('.timeline-list li').first()).toContainText('Reason: Documents pending');
  await screenshot(page, '20-08-english-suspended-history');
  await page.getByLabel('Language').selectOption('es-MX');
});
