import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { ADMIN_PASSWORD, changeOwnPassword, login, ownAppInstance, rpc, screenshot } from './helpers';

/**
 * Four eyes on a withdrawal and a bank file that carries the member's CLABE (issue 14): finance A
 * enters a withdrawal on a member's behalf and cannot approve it; finance B approves it and saves
 * the bank file, read back here. Its own app instance (wallet money from e2e/fixtures.ts).
 */
test.describe.configure({ mode: 'serial' });

const { base } = ownAppInstance(93, { NNP_E2E_FIXTURES: '1' });
const TEMP = 'temporal-dinero-1';
const FINAL = 'definitiva-dinero-1';
const CLABE = '002180123456789013';

async function newFinanceUser(page: import('@playwright/test').Page, username: string, displayName: string) {
  const r = await rpc(page, 'staff.create', { username, displayName, role: 'finance', password: TEMP });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

async function signInFirstTime(page: import('@playwright/test').Page, username: string) {
  await page.evaluate(() => sessionStorage.clear());
  await login(page, username, TEMP, base);
  await changeOwnPassword(page, TEMP, FINAL);
}

test('finance A enters a withdrawal and cannot approve it; finance B approves it and saves a bank file with the CLABE', async ({ page }) => {
  test.setTimeout(240_000);
  await login(page, 'admin', ADMIN_PASSWORD, base);
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeVisible();
  await newFinanceUser(page, 'finanzas.a', 'Andrea Arriaga');
  await newFinanceUser(page, 'finanzas.b', 'Bruno Barrera');
  // A member of the fixtures with wallet money (one of the pending requests' members).
  const pending = await rpc(page, 'withdrawals.list', { status: 'pending', sort: 'amount', dir: 'asc' });
  const memberId: number = pending.body.data.rows[0].memberId;
  const memberCode: string = pending.body.data.rows[0].memberCode;

  // Finance A enters the member's CLABE on the profile.
  await signInFirstTime(page, 'finanzas.a');
  await page.goto(`${base}#/members/${memberId}`);
  await page.getByRole('tab', { name: 'Cuentas de pago' }).click();
  const accounts = page.getByRole('region', { name: 'Cuentas de pago' });
  await accounts.getByRole('button', { name: /Registrar cuenta|Cambiar cuenta/ }).click();
  const form = page.getByRole('form', { name: 'Cuenta de pago' });
  await form.getByLabel('País').selectOption('MX');
  await form.getByLabel('Titular').fill('Ana López Pérez');
  await form.getByLabel('RFC', { exact: true }).fill('LOPA800101AB1');
  // A wrong check digit first: the field's message, nothing saved.
  await form.getByLabel('CLABE').fill('002180123456789012');
  await form.getByRole('button', { name: 'Guardar cuenta' }).click();
  await expect(form.getByRole('alert')).toContainText('dígito verificador no corresponde (debería ser 3)');
  await screenshot(page, '90-money-clabe-wrong-check-digit');
  await form.getByLabel('CLABE').fill(CLABE);
  await form.getByRole('button', { name: 'Guardar cuenta' }).click();
  await expect(accounts.getByRole('status')).toContainText('Cuenta de pago guardada');
  await expect(accounts).toContainText(CLABE);
  await expect(accounts).toContainText('Banco Nacional de México');
  await screenshot(page, '91-money-member-payout-account');

  // Finance A enters a withdrawal on the member's behalf, then tries to approve it.
  const req = await rpc(page, 'withdrawals.request', { memberId, amount: '1200.00', currency: 'MXN', note: 'Solicitud por teléfono' });
  expect(req.status, JSON.stringify(req.body)).toBe(200);
  const id: number = req.body.data.id;
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Retiros' }).click();
  await page
    .getByRole('table')
    .getByRole('row')
    .filter({ hasText: `#${id}` })
    .click();
  const drawer = page.getByRole('dialog', { name: 'Detalle del retiro' });
  await drawer.getByRole('button', { name: 'Aprobar', exact: true }).click();
  await expect(drawer.getByRole('alert')).toContainText(`No puede aprobar el retiro ${id}: usted lo registró a nombre del socio. Debe aprobarlo otra persona.`);
  await expect(drawer.getByText('Pendiente').first()).toBeVisible();
  await screenshot(page, '92-money-same-person-refused');

  // Finance B approves it; the destination in force is kept on the withdrawal.
  await signInFirstTime(page, 'finanzas.b');
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Retiros' }).click();
  await page
    .getByRole('table')
    .getByRole('row')
    .filter({ hasText: `#${id}` })
    .click();
  await drawer.getByRole('button', { name: 'Aprobar', exact: true }).click();
  await expect(page.getByRole('status')).toContainText(`Retiro #${id} aprobado`);
  const trail = drawer.getByRole('region', { name: 'Decisiones' });
  await expect(trail).toContainText('por Andrea Arriaga');
  await expect(trail).toContainText('por Bruno Barrera');
  const account = drawer.getByRole('region', { name: 'Cuenta de pago' });
  await expect(account).toContainText('Cuenta que se paga (la vigente al aprobar)');
  await expect(account).toContainText(CLABE);
  await screenshot(page, '93-money-approved-by-another');

  // The bank file: saved, read back, the CLABE on the withdrawal's line.
  await drawer.getByRole('button', { name: 'Archivo bancario' }).click();
  const bank = page.getByRole('dialog', { name: 'Archivo bancario' });
  const [download] = await Promise.all([page.waitForEvent('download'), bank.getByRole('button', { name: /Generar archivo/ }).click()]);
  const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toBe('lote,folio,referencia,codigo_miembro,pais,moneda,importe_neto,titular,id_fiscal,banco_clave,banco,tipo_cuenta,clabe,ruta_aba,cuenta');
  const line = lines.find((l) => l.includes(`,${id},NNP-RET-${id},`))!;
  expect(line).toContain(`,${memberCode},MX,MXN,1176.00,Ana López Pérez,LOPA800101AB1,002,Banco Nacional de México,,${CLABE},,`);
  await screenshot(page, '94-money-bank-file-saved');

  // The same trail in English.
  await drawer.getByRole('button', { name: 'Cerrar' }).click();
  await page.getByLabel('Idioma').selectOption('en');
  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Paying' });
  await page
    .getByRole('table')
    .getByRole('row')
    .filter({ hasText: `#${id}` })
    .click();
  const en = page.getByRole('dialog', { name: 'Withdrawal detail' });
  await expect(en.getByRole('region', { name: 'Payout account' })).toContainText(CLABE);
  await screenshot(page, '95-money-detail-english');
  await page.getByLabel('Language').selectOption('es-MX');
});

test('support sees the payout account masked', async ({ page }) => {
  await login(page, 'admin', ADMIN_PASSWORD, base);
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeVisible();
  const r = await rpc(page, 'staff.create', { username: 'soporte.dinero', displayName: 'Silvia Soporte', role: 'support', password: TEMP });
  expect(r.status).toBe(200);
  const withDest = await rpc(page, 'withdrawals.list', { status: 'processing' });
  const memberId: number = withDest.body.data.rows[0].memberId;
  await page.evaluate(() => sessionStorage.clear());
  await login(page, 'soporte.dinero', TEMP, base);
  await changeOwnPassword(page, TEMP, FINAL);
  await page.goto(`${base}#/members/${memberId}`);
  await page.getByRole('tab', { name: 'Cuentas de pago' }).click();
  const accounts = page.getByRole('region', { name: 'Cuentas de pago' });
  await expect(accounts).toContainText('•••• 9013');
  await expect(accounts).not.toContainText(CLABE);
  await expect(accounts.getByRole('button', { name: /Registrar cuenta|Cambiar cuenta/ })).toHaveCount(0);
  await screenshot(page, '96-money-support-masked');
});
