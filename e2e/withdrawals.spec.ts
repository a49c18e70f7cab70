import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { ADMIN_PASSWORD, changeOwnPassword, expectAccessible, focusShot, login, ownAppInstance, rpc, screenshot, tabTo } from './helpers';

/**
 * Finance's withdrawal journey. It needs wallet money and the local Stripe stand-in, so it runs
 * against its own instance of the app (e2e/serve.ts with NNP_STRIPE_STUB=1 and NNP_E2E_FIXTURES=1:
 * commission credits posted through the ledger API, requests entered through the real procedure),
 * on its own port. Nothing leaves the machine.
 */
test.describe.configure({ mode: 'serial' });

const { base } = ownAppInstance(73, { NNP_STRIPE_STUB: '1', NNP_E2E_FIXTURES: '1' });
const USER = 'tesoreria';
const TEMP = 'temporal-tesoreria-1';
const FINAL = 'definitiva-tesoreria-1';

const queue = (page: Page) => page.getByRole('table');

test('finance filters the queue, rejects a flagged request, batch-approves three and pays them through Stripe', async ({ page }) => {
  test.setTimeout(180_000);
  // The admin opens a finance account; finance signs in and sets its own password.
  await login(page, 'admin', ADMIN_PASSWORD, base);
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeVisible();
  const created = await rpc(page, 'staff.create', { username: USER, displayName: 'Teresa Tesorería', role: 'finance', password: TEMP });
  expect(created.status).toBe(200);
  await page.evaluate(() => sessionStorage.clear());
  await login(page, USER, TEMP, base);
  await changeOwnPassword(page, TEMP, FINAL);
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Retiros' }).click();

  // The queue opens on the pending requests, with the totals of the filtered set.
  await expect(page.getByRole('heading', { name: 'Retiros' })).toBeVisible();
  const summary = page.getByRole('region', { name: 'Total del filtro' });
  await expect(summary).toContainText('6 retiros');
  await expect(summary).toContainText('$22,000.00 MXN');
  await screenshot(page, '30-withdrawals-queue');

  // Only the flagged ones.
  await page.getByLabel('Riesgo', { exact: true }).selectOption({ label: 'Con alguna alerta' });
  await expect(summary).toContainText('1 retiro');
  await expect(queue(page).getByRole('row')).toHaveCount(2);
  await expect(queue(page)).toContainText('Destino cambiado');
  await expect(queue(page)).toContainText('Importe alto');
  await screenshot(page, '31-withdrawals-flagged');

  // Its detail: member, wallet, ledger history, the flags and why.
  await queue(page).getByRole('row').nth(1).click();
  const drawer = page.getByRole('dialog', { name: 'Detalle del retiro' });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByText(/Cambió su destino de pago el/)).toBeVisible();
  await expect(drawer.getByText(/Más de 3× su comisión mensual promedio: promedio \$3,000.00 MXN, umbral \$9,000.00 MXN/)).toBeVisible();
  await expect(drawer.getByRole('region', { name: 'Monedero' })).toContainText('$18,000.00 MXN');
  await expect(drawer.getByRole('region', { name: 'Monedero' })).toContainText('Retención por retiro');
  await screenshot(page, '32-withdrawal-flagged-detail');
  await drawer.getByRole('region', { name: 'Retiros anteriores' }).scrollIntoViewIfNeeded();
  await screenshot(page, '32b-withdrawal-flagged-wallet');

  // Reject it with a reason: the hold goes back to the wallet.
  await drawer.getByRole('button', { name: 'Rechazar' }).click();
  const reject = page.getByRole('dialog', { name: /Rechazar el retiro/ });
  await reject.getByLabel('Motivo').fill('Cambio de cuenta reciente sin verificar; se contactará al miembro.');
  await screenshot(page, '33-withdrawal-reject-reason');
  await reject.getByRole('button', { name: 'Rechazar retiro' }).click();
  await expect(page.getByRole('status')).toContainText('rechazado');
  await expect(drawer.getByText('Rechazado').first()).toBeVisible();
  await expect(drawer.getByText('Cambio de cuenta reciente sin verificar').first()).toBeVisible();
  await expect(drawer.getByRole('region', { name: 'Monedero' }).getByText('Liberado').first()).toBeVisible();
  await drawer.getByRole('button', { name: 'Cerrar' }).click();

  // Three of the others, approved together after a confirmation with count and total.
  await page.getByLabel('Riesgo', { exact: true }).selectOption({ label: 'Sin alertas' });
  await page.getByLabel('Ordenar por', { exact: true }).selectOption({ label: 'Importe · Ascendente' });
  await expect(summary).toContainText('5 retiros');
  // The sorted page is in (the smallest first) before rows are picked by position.
  await expect(queue(page).getByRole('row').nth(1)).toContainText('$1,500.00');
  for (const n of [1, 2, 3]) await queue(page).getByRole('row').nth(n).getByRole('checkbox').check();
  const selection = page.locator('.wd-selection');
  await expect(selection).toContainText('3 seleccionados');
  await selection.getByRole('button', { name: /Aprobar seleccionados/ }).click();
  const approve = page.getByRole('dialog', { name: 'Aprobar 3 retiros' });
  await expect(approve).toContainText('3 retiros');
  await expect(approve).toContainText('$5,300.00 MXN'); // 1,500 + 1,800 + 2,000
  await screenshot(page, '34-withdrawals-batch-approve');
  await approve.getByRole('button', { name: 'Aprobar 3' }).click();
  await expect(page.getByRole('status')).toContainText('3 retiros aprobados');

  // Pay them out through Stripe Connect (the local stand-in), with progress.
  await page.getByLabel('Riesgo', { exact: true }).selectOption({ label: 'Con o sin alertas' });
  await page.getByLabel('Estado', { exact: true }).selectOption({ label: 'Aprobado' });
  await expect(summary).toContainText('3 retiros');
  await queue(page).getByRole('checkbox', { name: 'Seleccionar la página' }).check();
  await page
    .locator('.wd-selection')
    .getByRole('button', { name: /Pagar con Stripe/ })
    .click();
  const pay = page.getByRole('dialog', { name: 'Pago por Stripe Connect' });
  await expect(pay).toContainText('$5,300.00 MXN');
  await pay.getByRole('button', { name: 'Pagar 3' }).click();
  await expect(pay).toContainText('Listo: 3 pagados, 0 rechazados, 0 sin respuesta.', { timeout: 60_000 });
  await expect(pay.getByText(/tr_/).first()).toBeVisible();
  await screenshot(page, '35-withdrawals-payout-done');
  await pay.getByRole('button', { name: 'Cerrar' }).click();

  await page.getByLabel('Estado', { exact: true }).selectOption({ label: 'Pagado' });
  await expect(summary).toContainText('3 retiros');
  await expect(summary).toContainText('$5,300.00 MXN');
  await queue(page).getByRole('row').nth(1).click();
  await expect(drawer.getByText('Transferencia Stripe')).toBeVisible();
  await expect(drawer.getByText(/withdrawal-\d+ → tr_/)).toBeVisible();
  await screenshot(page, '36-withdrawal-paid-detail');
  await drawer.getByRole('button', { name: 'Cerrar' }).click();

  // The filtered queue as CSV.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exportar CSV' }).click()]);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.split('\r\n').filter(Boolean)).toHaveLength(4);
  expect(csv).toContain('paid');
});

test('finance, keyboard only at 1280×720: rows open with Enter, Space selects and keeps focus, approve and reject from the drawer, a withdrawal by folio', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await login(page, USER, FINAL, base);
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeVisible();
  const mod = process.platform === 'darwin' ? 'Meta' : 'Control';
  const focused = page.locator(':focus');
  await page.keyboard.press(`${mod}+k`);
  await page.keyboard.type('Retiros');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Retiros' })).toBeFocused();
  const summary = page.getByRole('region', { name: 'Total del filtro' });
  await expect(summary).toContainText('2 retiros'); // the two ordinary requests the first journey left pending
  await expectAccessible(page, 'withdrawal queue');

  // The queue's rows are one Tab stop; Space selects and focus stays on the row.
  const first = queue(page).getByRole('row').nth(1);
  await tabTo(page, first);
  await page.keyboard.press('Space');
  await expect(first.getByRole('checkbox')).toBeChecked();
  await expect(first).toBeFocused();
  await expect(page.locator('.wd-selection')).toContainText('1 seleccionado');
  await focusShot(page, '37-kb-queue-row-selected');
  await page.keyboard.press('Space');
  await expect(first.getByRole('checkbox')).not.toBeChecked();

  // Enter opens the detail; focus is inside it and Tab stays there.
  await page.keyboard.press('Enter');
  const drawer = page.getByRole('dialog', { name: 'Detalle del retiro' });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole('button', { name: 'Aprobar' })).toBeVisible();
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab');
    expect(await focused.evaluate((el) => !!el.closest('[role="dialog"]')), `Tab ${i + 1} stays in the drawer`).toBe(true);
  }
  await expectAccessible(page, 'withdrawal drawer');
  await tabTo(page, drawer.getByRole('button', { name: 'Aprobar' }));
  await focusShot(page, '38-kb-drawer-approve');
  await page.keyboard.press('Enter');
  await expect(drawer.getByRole('status')).toContainText('aprobado');
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);
  // The approved row left the pending list: focus is on the screen's heading, not lost on the body.
  await expect(page.getByRole('heading', { level: 1, name: 'Retiros' })).toBeFocused();
  await expect(summary).toContainText('1 retiro');

  // The other one: rejected with a reason, all by keyboard.
  await tabTo(page, queue(page).getByRole('row').nth(1));
  await page.keyboard.press('Enter');
  await expect(drawer).toBeVisible();
  await tabTo(page, drawer.getByRole('button', { name: 'Rechazar' }));
  await page.keyboard.press('Enter');
  const reject = page.getByRole('dialog', { name: /Rechazar el retiro/ });
  await expect(reject.getByLabel('Motivo')).toBeFocused();
  await page.keyboard.type('Datos bancarios por confirmar con el miembro (prueba de teclado).');
  await focusShot(page, '39-kb-reject-dialog');
  await expectAccessible(page, 'reject dialog');
  // Escape closes only the reject dialog, focus back on its button; then reject for real.
  await page.keyboard.press('Escape');
  await expect(reject).toHaveCount(0);
  await expect(drawer.getByRole('button', { name: 'Rechazar' })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.type('Datos bancarios por confirmar con el miembro (prueba de teclado).');
  await tabTo(page, reject.getByRole('button', { name: 'Rechazar retiro' }));
  await page.keyboard.press('Enter');
  await expect(drawer.getByRole('status')).toContainText('rechazado');
  expect(await focused.evaluate((el) => !!el.closest('[role="dialog"]'))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);

  // A withdrawal by its folio, from the palette.
  const flagged = (await rpc(page, 'withdrawals.list', { risk: 'any' })).body.data.rows[0];
  await page.keyboard.press(`${mod}+k`);
  await page.keyboard.type(`#${flagged.id}`);
  await expect(page.getByRole('option', { name: `Abrir el retiro #${flagged.id}` })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole('heading', { name: new RegExp(`Retiro #${flagged.id}`) })).toBeVisible();
  // The outcome of the withdrawal rejected just before belongs to that one: not said above this one.
  await expect(drawer.getByRole('status').filter({ hasText: /rechazado/ })).toHaveCount(0);
  await focusShot(page, '39b-kb-withdrawal-by-folio');
  await page.keyboard.press('Escape');
});

test('support does not see withdrawals and the bridge refuses them', async ({ page }) => {
  await login(page, 'admin', ADMIN_PASSWORD, base);
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeVisible();
  await rpc(page, 'staff.create', { username: 'soporte2', displayName: 'Sergio Soporte', role: 'support', password: TEMP });
  await page.evaluate(() => sessionStorage.clear());
  await login(page, 'soporte2', TEMP, base);
  await changeOwnPassword(page, TEMP, FINAL);
  const nav = page.getByRole('navigation', { name: 'principal' });
  await expect(nav).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Retiros' })).toHaveCount(0);
  for (const [name, input] of [
    ['withdrawals.list', {}],
    ['withdrawals.approve', { id: 1 }],
    ['withdrawals.payout', { id: 1 }],
  ] as const) {
    const res = await rpc(page, name, input);
    expect(res.status, name).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  }
});
