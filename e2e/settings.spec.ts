import { expect, test } from '@playwright/test';
import { expectAccessible, loginAsAdmin, rpc, screenshot, slowProcedure } from './helpers';

test.describe.configure({ mode: 'serial' });

const HEADER = 'sku,name,kind,pv,active,price_MX,vn_MX,price_US,vn_US,price_CO,vn_CO,price_DO,vn_DO';

test('an admin adds a USD rate effective next period after reviewing its impact', async ({ page }) => {
  await loginAsAdmin(page);
  await page.getByRole('link', { name: 'Configuración' }).click();
  await expect(page.getByRole('tab', { name: 'Tipos de cambio' })).toHaveAttribute('aria-selected', 'true');
  const form = page.getByRole('form', { name: 'Nuevo tipo de cambio' });
  await form.getByLabel('Moneda').selectOption('USD');
  await form.getByLabel('MXN por unidad').fill('18.1234567');
  await form.getByLabel('Vigente desde (hora del centro)').fill('2030-01-01T00:00');
  await form.getByRole('button', { name: 'Revisar impacto' }).click();
  await expect(page.getByRole('alert')).toContainText('a lo más 6 decimales');
  await form.getByLabel('MXN por unidad').fill('19.25');
  await form.getByRole('button', { name: 'Revisar impacto' }).click();
  const impact = page.getByLabel('Impacto en el periodo abierto');
  await expect(impact).toContainText('No afecta las comisiones del periodo abierto');
  await screenshot(page, '81-rate-impact');
  await impact.getByRole('button', { name: 'Registrar tipo de cambio' }).click();
  await expect(page.getByRole('status')).toContainText('Tipo de cambio registrado');
  await expect(page.getByRole('cell', { name: '19.250000' })).toBeVisible();
  await screenshot(page, '82-rates');
});

test('a catalogue CSV with one bad row is refused with the row named; a good one applies', async ({ page }) => {
  await loginAsAdmin(page);
  await page.getByRole('link', { name: 'Configuración' }).click();
  await page.getByRole('tab', { name: 'Catálogo' }).click();
  const bad = [
    HEADER,
    'GEL-ALOE,Gel de Aloe Vera,product,150,sí,199.00,160.00,11.00,9.00,45000,38000.00,,',
    'CREMA-NOCHE,Crema de Noche,product,-20,sí,250,200,,,,,,',
  ].join('\n');
  await page.getByLabel('Archivo CSV').setInputFiles({ name: 'catalogo.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await expect(page.getByRole('alert')).toContainText('no se aplicará nada');
  await expect(page.getByRole('cell', { name: 'El PV no puede ser negativo' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Aplicar importación' })).toBeDisabled();
  await screenshot(page, '83-catalogue-row-error');
  const good = bad.replace(',-20,', ',20,');
  await page.getByLabel('Archivo CSV').setInputFiles({ name: 'catalogo.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await expect(page.getByText('El archivo es válido: 2 filas.')).toBeVisible();
  await page.getByRole('button', { name: 'Aplicar importación' }).click();
  await expect(page.getByText('Catálogo actualizado.')).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Gel de Aloe Vera' })).toBeVisible();
  await screenshot(page, '84-catalogue');
});

test('an admin drafts a plan version, changes a threshold, publishes it and sees the diff', async ({ page }) => {
  await loginAsAdmin(page);
  await page.getByRole('link', { name: 'Configuración' }).click();
  await page.getByRole('tab', { name: 'Plan de compensación' }).click();
  const form = page.getByRole('form', { name: 'Nueva versión del plan (borrador)' });
  await form.getByLabel('Nombre').fill('Plan 2027');
  await form.getByLabel('Vigente desde el periodo').fill('2027-01');
  // The draft's whole document arrives late (held 800 ms), as on a slow link: the editor shows the
  // list's copy of the ranks meanwhile, and what the admin types is never overwritten when it arrives
  // (it was: CI on 2026-12-07 saved the old 21000 instead of the 1000 typed).
  await slowProcedure(page, 'plan.get', 800);
  await form.getByRole('button', { name: 'Crear borrador' }).click();
  const editor = page.getByLabel('Borrador', { exact: false }).filter({ has: page.getByRole('heading', { name: /Plan 2027/ }) });
  await expect(editor.getByLabel('PVG Emprendedor')).toHaveValue(/^21000/);
  await editor.getByLabel('PVG Emprendedor').fill('1000');
  await page.unrouteAll({ behavior: 'wait' });
  await editor.getByLabel('Motivo').fill('Ajuste aprobado por dirección');
  await editor.getByRole('button', { name: 'Guardar borrador' }).click();
  await expect(page.getByRole('alert')).toContainText('no son coherentes');
  await editor.getByLabel('PVG Emprendedor').fill('22000');
  await editor.getByRole('button', { name: 'Guardar borrador' }).click();
  await expect(page.getByText('Borrador guardado.')).toBeVisible();
  await screenshot(page, '85-plan-draft');
  await editor.getByRole('button', { name: 'Publicar' }).click();
  const diff = page.getByLabel('Diferencias entre versiones');
  await expect(diff.getByRole('cell', { name: 'ranks[rank=2].pvg' })).toBeVisible();
  await expect(diff.getByRole('cell', { name: '22000' })).toBeVisible();
  await screenshot(page, '86-plan-diff');
});

test('an admin keeps the Stripe keys in the database: the screen shows mode and last four, never a key', async ({ page }) => {
  await loginAsAdmin(page);
  await page.getByRole('link', { name: 'Configuración' }).click();
  await page.getByRole('tab', { name: 'Stripe' }).click();
  const keys = page.getByRole('region', { name: 'Claves de Stripe' });
  await expect(keys.getByRole('row', { name: /Clave de transferencias/ })).toContainText('Sin configurar');
  const form = page.getByRole('form', { name: 'Guardar o reemplazar claves' });
  // A publishable key is no secret key: refused in words, on its field.
  await form.getByLabel('Clave de transferencias').fill('pk_test_publicable1234');
  await form.getByRole('button', { name: 'Guardar claves' }).click();
  await expect(page.getByRole('alert')).toContainText('Clave de transferencias: debe ser una clave de Stripe');
  await form.getByLabel('Clave de transferencias').fill('sk_test_e2eTransferenciasA1b2');
  await form.getByLabel('Clave restringida (autoenvíos)').fill('rk_test_e2eRestringidaC3d4');
  await form.getByLabel('Motivo (opcional)').fill('Alta de las claves de prueba');
  await form.getByRole('button', { name: 'Guardar claves' }).click();
  await expect(page.getByRole('status')).toContainText('Claves guardadas');
  await expect(keys.getByRole('row', { name: /Clave de transferencias/ })).toContainText('Configurada en la base de datos · modo de prueba · termina en A1b2');
  await expect(keys.getByRole('row', { name: /Clave restringida/ })).toContainText('termina en C3d4');
  await expect(page.locator('body')).not.toContainText('e2eTransferencias');
  await expect(form.getByLabel('Clave de transferencias')).toHaveValue('');
  await expectAccessible(page, 'settings: stripe keys');
  await screenshot(page, '87-stripe-keys');

  await page.getByLabel('Idioma').selectOption('en');
  await expect(page.getByRole('region', { name: 'Stripe keys' }).getByRole('row', { name: /Transfer key/ })).toContainText(
    'Set in the database · test mode · ends in A1b2',
  );
  await screenshot(page, '87-stripe-keys-en');
  await page.getByLabel('Language').selectOption('es-MX');

  // The audit log names the change and keeps prefix and last four only.
  await page.getByRole('link', { name: 'Auditoría' }).click();
  const row = page.getByRole('cell', { name: 'Claves de Stripe cambiadas' }).first();
  await row.click();
  await expect(page.getByRole('columnheader', { name: 'Después' })).toBeVisible();
  await expect(page.getByRole('row', { name: /Clave de transferencias/ }).last()).toContainText('sk_test_…A1b2');
  await expect(page.locator('body')).not.toContainText('e2eTransferencias');
  await screenshot(page, '87-stripe-keys-audit');
  await page.getByLabel('Idioma').selectOption('en');
  await expect(page.getByRole('row', { name: /Transfer key/ }).last()).toContainText('sk_test_…A1b2');
  await expect(page.getByRole('heading', { name: /Stripe keys changed/ })).toBeVisible();
  await screenshot(page, '87-stripe-keys-audit-en');
  await page.getByLabel('Language').selectOption('es-MX');
  await page.getByRole('link', { name: 'Configuración' }).click();
  await page.getByRole('tab', { name: 'Stripe' }).click();

  // Removed again: the journeys after this one run without Stripe, as before.
  await keys.getByRole('button', { name: 'Quitar Clave de transferencias' }).click();
  await expect(page.getByRole('status')).toContainText('Clave quitada');
  await expect(keys.getByRole('row', { name: /Clave de transferencias/ })).toContainText('Sin configurar');
  await keys.getByRole('button', { name: 'Quitar Clave restringida (autoenvíos)' }).click();
  await expect(keys.getByRole('row', { name: /Clave restringida/ })).toContainText('Sin configurar');
  await expect(keys.getByRole('row', { name: /Clave de transferencias/ })).toContainText('Sin configurar');
});

test('an admin retypes the second-approval threshold from the keyboard; neither the amount in force nor a change from another desktop overwrites the typing', async ({
  page,
}) => {
  await loginAsAdmin(page);
  await page.getByRole('link', { name: 'Configuración' }).click();
  await page.getByRole('tab', { name: 'Retiros' }).click();
  const form = page.getByRole('form', { name: 'Doble aprobación de retiros' });
  const field = form.getByLabel('Umbral (MXN)');
  await expect(field).not.toHaveValue('');
  const inForce = await field.inputValue();
  // Erased key by key, as a person does: the field stays empty (it used to refill itself at once).
  await field.click();
  await field.press('End');
  for (let i = 0; i < inForce.length; i++) await field.press('Backspace');
  await expect(field).toHaveValue('');
  await field.pressSequentially('15000');
  await expect(field).toHaveValue('15000');
  // Meanwhile another desktop sets 17000 (here a call over the bridge): the live change refreshes
  // the panel's equivalents, and the amount being typed stays as typed.
  const equivalents = page.getByRole('region', { name: 'Equivalencias con los tipos de cambio vigentes' });
  const shown = (await equivalents.textContent()) ?? '';
  expect((await rpc(page, 'withdrawals.setSettings', { secondApprovalThresholdMxn: '17000.00', reason: 'Otro escritorio' })).status).toBe(200);
  await expect(equivalents).not.toHaveText(shown);
  await expect(field).toHaveValue('15000');
  await form.getByLabel('Motivo (opcional)').fill('Prueba de teclado');
  await form.getByRole('button', { name: 'Guardar umbral' }).click();
  await expect(form.getByRole('status')).toContainText('Umbral guardado');
  // Back to the amount in force before, for the journeys that follow.
  await field.fill(inForce);
  await form.getByRole('button', { name: 'Guardar umbral' }).click();
  await expect(field).toHaveValue(inForce);
  await expect(form.getByRole('status')).toContainText('Umbral guardado');
});
