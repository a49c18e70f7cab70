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
  for (const label of ['Socios', 'Activos este periodo', 'Nuevos este periodo', 'PV del periodo', 'VN del periodo (MXN)', 'Retiros pendientes']) {
    await expect(cards.getByText(label, { exact: true })).toBeVisible();
  }
  // The open period is last month (the demo leaves it open: it has ended, it can be closed); members
  // who enrolled this month count from this month's period on.
  const early = (await rpc(page, 'dashboard.summary', {})).body.data;
  expect(early.members.total).toBeGreaterThan(380);
  expect(early.members.total).toBeLessThanOrEqual(400);
  await expect(cards.getByText(String(early.members.total), { exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Últimos 12 periodos' }).locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Rangos pagados del periodo' }).getByRole('cell', { name: 'Visionario' })).toBeVisible();
  const summary = await rpc(page, 'dashboard.summary', {});
  expect(summary.status).toBe(200);
  openKey = summary.body.data.period.key;
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
  await expect(page.getByRole('region', { name: 'Socios que avanzan de rango' }).getByRole('row').nth(1)).toBeVisible();
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
  await expect(page.getByRole('region', { name: 'Socios que avanzan de rango' })).toContainText('Promociones de rango de carrera registradas');
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

test('the new open period has not ended: the wizard says when it can close, the close is disabled, the server refuses it', async ({ page }) => {
  await loginAsAdmin(page, base);
  // The server is the guard: a close asked for directly is a CONFLICT naming the rule and the instant.
  const early = await rpc(page, 'periods.close', { key: nextKey, confirmKey: nextKey });
  expect(early.status).toBe(409);
  expect(early.body.error.details).toMatchObject({ rule: 'PERIOD_NOT_ENDED', period: nextKey });
  expect(early.body.error.message).toMatch(
    new RegExp(
      `^El periodo ${nextKey} aún no termina: solo se cierra un periodo ya terminado\\. Se podrá cerrar a partir del 1 de .+ 00:00 \\(hora del centro de México\\)\\.$`,
    ),
  );
  expect((await rpc(page, 'periods.current', {})).body.data.period).toMatchObject({ key: nextKey, status: 'open' });

  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Periodos' }).click();
  const hero = page.getByRole('region', { name: 'Periodo abierto' });
  await expect(hero).toContainText(nextKey);
  await expect(hero.getByRole('note')).toContainText('Se podrá cerrar a partir del 1 de');
  await hero.getByRole('button', { name: 'Cerrar periodo…' }).click();
  const wizard = page.getByRole('dialog', { name: `Cerrar el periodo ${nextKey}` });
  const refusal = wizard.getByRole('alert', { name: 'Aún no se puede cerrar' });
  await expect(refusal).toContainText(`El periodo ${nextKey} aún no termina`);
  await expect(wizard.getByRole('button', { name: 'Continuar' })).toBeDisabled();
  await expect(wizard.getByText(/^Se podrá cerrar a partir del 1 de .+, 00:00 \(hora del centro de México\)\.$/)).toBeVisible();
  await screenshot(page, '47-close-refused-es');
  await wizard.getByRole('button', { name: 'Cancelar' }).click();

  await page.getByLabel('Idioma').selectOption('en');
  await page.getByRole('region', { name: 'Open period' }).getByRole('button', { name: 'Close period…' }).click();
  const en = page.getByRole('dialog', { name: `Close period ${nextKey}` });
  await expect(en.getByRole('alert', { name: 'Cannot be closed yet' })).toContainText(`The period ${nextKey} has not ended`);
  await expect(en.getByRole('button', { name: 'Continue' })).toBeDisabled();
  await screenshot(page, '48-close-refused-en');
  await en.getByRole('button', { name: 'Cancel' }).click();
  await page.getByLabel('Language').selectOption('es-MX');
});
