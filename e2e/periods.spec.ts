import { expect, test } from '@playwright/test';
import { loginAsAdmin, ownAppInstance, rpc, screenshot } from './helpers';

/**
 * Closing a period cannot be undone, and the other journeys expect the seeded open period: this
 * journey runs against its own instance of the app (a new data folder, the same seeded demo
 * network, browser mode), started here on the next free port after the shared one.
 */
test.describe.configure({ mode: 'serial' });

const { base } = ownAppInstance(50);

let openKey = '';
let nextKey = '';

test('the dashboard is the first screen: members, PV/VN against the previous period, ranks, withdrawals, the last periods', async ({ page }) => {
  await loginAsAdmin(page, base);
  await expect(page.getByRole('heading', { name: 'Tablero' })).toBeVisible();
  const cards = page.getByRole('region', { name: 'Tablero' });
  for (const label of ['Miembros', 'Activos este periodo', 'Nuevos este periodo', 'PV del periodo', 'VN del periodo (MXN)', 'Retiros pendientes']) {
    await expect(cards.getByText(label, { exact: true })).toBeVisible();
  }
  await expect(cards.getByText('400', { exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Últimos 12 periodos' }).locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Rangos pagados del periodo' }).getByRole('cell', { name: 'Visionario' })).toBeVisible();
  const summary = await rpc(page, 'dashboard.summary', {});
  expect(summary.status).toBe(200);
  openKey = summary.body.data.period.key;
  expect(summary.body.data.members.total).toBe(400);
  expect(summary.body.data.ms).toBeLessThan(150);
  await page.mouse.move(0, 0);
  await screenshot(page, '40-dashboard');
});

test('an admin previews the close of the open period, confirms it, follows the progress and sees the next period open', async ({ page }) => {
  await loginAsAdmin(page, base);
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Periodos' }).click();
  const hero = page.getByRole('region', { name: 'Periodo abierto' });
  await expect(hero).toContainText(openKey);
  await expect(hero.getByText('Abierto', { exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Miembros que avanzan de rango' }).getByRole('row').nth(1)).toBeVisible();
  await screenshot(page, '41-periods-open');

  await hero.getByRole('button', { name: 'Cerrar periodo…' }).click();
  const wizard = page.getByRole('dialog', { name: `Cerrar el periodo ${openKey}` });
  await expect(wizard.getByText('Nada cambia todavía')).toBeVisible();
  await expect(wizard.getByText('Nuevos rangos de carrera')).toBeVisible();
  await expect(wizard.getByRole('listitem').filter({ hasText: 'Historial de rangos y rangos de carrera' })).toBeVisible();
  nextKey = (await rpc(page, 'periods.previewClose', { key: openKey })).body.data.next.key;
  await screenshot(page, '42-close-preview');
  // The preview wrote nothing: the period is still open.
  expect((await rpc(page, 'periods.current', {})).body.data.period.status).toBe('open');

  await wizard.getByRole('button', { name: 'Continuar' }).click();
  const start = wizard.getByRole('button', { name: 'Cerrar el periodo' });
  await expect(start).toBeDisabled();
  await wizard.getByLabel('Clave del periodo').fill(openKey);
  await screenshot(page, '43-close-confirm');
  await start.click();
  await expect(wizard.getByRole('progressbar', { name: 'Avance del cierre' })).toBeVisible();
  await expect(wizard.getByText(`Periodo ${openKey} cerrado. Periodo abierto: ${nextKey}.`)).toBeVisible({ timeout: 60_000 });
  await expect(wizard.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await screenshot(page, '44-close-done');

  await wizard.getByRole('button', { name: 'Cerrar', exact: true }).click();
  await expect(hero).toContainText(nextKey);
  const list = page.getByRole('region', { name: 'Todos los periodos' });
  await expect(list.getByRole('row').filter({ hasText: openKey }).getByText('Cerrado', { exact: true })).toBeVisible();
  await expect(list.getByRole('row').filter({ hasText: nextKey }).getByText('Abierto', { exact: true })).toBeVisible();
  await list.getByRole('row').filter({ hasText: openKey }).click();
  await expect(page.getByRole('region', { name: 'Miembros que avanzan de rango' })).toContainText('Promociones de rango de carrera registradas');
  await screenshot(page, '45-periods-after-close');
});

test('the closed period is read-only: closing it again is a conflict, recomputing it is refused', async ({ page }) => {
  await loginAsAdmin(page, base);
  const again = await rpc(page, 'periods.close', { key: openKey, confirmKey: openKey });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('CONFLICT');
  const recompute = await rpc(page, 'periods.recompute', { key: openKey });
  expect(recompute.body.error.code).toBe('PERIOD_CLOSED');
  await expect(page.getByRole('heading', { name: 'Tablero' })).toBeVisible();
  await expect(page.getByText(`Periodo ${nextKey} · `)).toBeVisible();
  await page.mouse.move(0, 0);
  await screenshot(page, '46-dashboard-next-period');
});
