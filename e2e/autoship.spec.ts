import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_PASSWORD, changeOwnPassword, login, ownAppInstance, rpc, screenshot } from './helpers';

/**
 * Support pauses a member's autoship: the list of autoships, the member found by code, the profile's
 * Autoship tab (next charge, items, status, failed attempts), the pause with a required reason, and
 * the status paused — at Stripe (the local stand-in, through the SDK) and here. Own app instance
 * (e2e/serve.ts with NNP_STRIPE_STUB=1 and NNP_E2E_AUTOSHIP=1), own port.
 */
test.describe.configure({ mode: 'serial' });

const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'nnp-e2e-autoship-')), 'autoship.json');
const { base } = ownAppInstance(85, { NNP_STRIPE_STUB: '1', NNP_E2E_AUTOSHIP: '1', NNP_E2E_AUTOSHIP_OUT: out });
const TEMP = 'temporal-autoship-1';
const FINAL = 'definitiva-autoship-1';

test('support finds a member, opens the Autoship tab and pauses it with a reason', async ({ page }) => {
  test.setTimeout(120_000);
  const fx = JSON.parse(readFileSync(out, 'utf8')) as { memberId: number; code: string; name: string; subscriptionId: number; stripeSubscriptionId: string };

  // An admin opens a support account.
  await login(page, 'admin', ADMIN_PASSWORD, base);
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeVisible();
  expect((await rpc(page, 'staff.create', { username: 'soporte-autoenvio', displayName: 'Silvia Soporte', role: 'support', password: TEMP })).status).toBe(200);
  await page.evaluate(() => sessionStorage.clear());

  // Support signs in (first sign-in: a new password).
  await login(page, 'soporte-autoenvio', TEMP, base);
  await changeOwnPassword(page, TEMP, FINAL);
  const nav = page.getByRole('navigation', { name: 'principal' });
  await expect(nav).toBeVisible();

  // The autoship list: every status, the ones with failed charges.
  await nav.getByRole('link', { name: 'Autoenvíos' }).click();
  await expect(page.getByRole('heading', { name: 'Autoenvíos', level: 1 })).toBeVisible();
  await expect(page.getByTestId(`autoship-row-status-${fx.subscriptionId}`)).toHaveText('Activo');
  await expect(page.getByTestId('autoship-filter-past_due')).toContainText('1');
  await screenshot(page, '90-autoship-list');
  const rows = page.locator('table.data tbody tr');
  await expect(rows).toHaveCount(12);
  await page.getByTestId('autoship-filter-past_due').click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('fondos insuficientes');
  // The member with failed charges: support sees the attempts and the reason on the profile.
  await rows.first().getByRole('link').first().click();
  await page.getByRole('tab', { name: 'Autoenvío' }).click();
  await expect(page.getByTestId('autoship-failure')).toContainText('fondos insuficientes');
  await expect(page.getByTestId('autoship-failed')).toHaveText('2');
  await expect(page.getByTestId('autoship-status')).toHaveText('Cobro fallido');
  await screenshot(page, '95-autoship-failed-charges');
  await nav.getByRole('link', { name: 'Autoenvíos' }).click();
  await expect(rows).toHaveCount(12);

  // Finds the member by code and opens the profile's Autoship tab.
  await nav.getByRole('link', { name: 'Socios' }).click();
  await page.getByLabel('Buscar socio').fill(fx.code);
  await page
    .getByRole('listbox', { name: /resultados?/ })
    .getByRole('option')
    .filter({ hasText: fx.code })
    .first()
    .click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(fx.code);
  await page.getByRole('tab', { name: 'Autoenvío' }).click();
  const card = page.getByTestId(`autoship-${fx.subscriptionId}`);
  await expect(card.getByTestId('autoship-status')).toHaveText('Activo');
  await expect(card.getByTestId('autoship-next')).toContainText(/\d{2}\/\d{2}\/\d{4}/);
  await expect(card.getByTestId('autoship-failed')).toHaveText('0');
  await expect(card.getByRole('table').first()).toContainText(/SUP-|SKIN-/);
  await screenshot(page, '91-autoship-profile-tab');

  // Pause: the dialog needs a reason.
  await card.getByTestId('autoship-pause').click();
  const dialog = page.getByRole('dialog', { name: 'Pausar el autoenvío' });
  await expect(dialog).toBeVisible();
  const confirm = dialog.getByRole('button', { name: 'Pausar' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Motivo (obligatorio)').fill('El socio sale de viaje en diciembre y pidió pausar su pedido mensual.');
  await screenshot(page, '92-autoship-pause-dialog');
  await confirm.click();
  await expect(dialog.getByRole('status')).toHaveText('Autoenvío pausado.');
  await dialog.getByRole('button', { name: 'Cerrar' }).click();
  await expect(card.getByTestId('autoship-status')).toHaveText('Pausado');
  await expect(card.getByTestId('autoship-next')).toContainText('Sin cobro programado');
  await expect(card.getByTestId('autoship-resume')).toBeVisible();
  await screenshot(page, '93-autoship-paused');

  // The same state through the bridge; support may not move money, and finance-only areas stay hidden.
  const mine = await rpc(page, 'autoship.forMember', { memberId: fx.memberId });
  expect(mine.body.data.find((s: { id: number }) => s.id === fx.subscriptionId)).toMatchObject({
    status: 'paused',
    nextChargeAt: null,
    stripeSubscriptionId: fx.stripeSubscriptionId,
  });
  await expect(nav.getByRole('link', { name: 'Pagos' })).toHaveCount(0);

  // The list shows it among the paused ones.
  await nav.getByRole('link', { name: 'Autoenvíos' }).click();
  await page.getByTestId('autoship-filter-paused').click();
  await expect(page.locator('table.data tbody tr')).toHaveCount(2);
  await expect(page.getByTestId(`autoship-row-status-${fx.subscriptionId}`)).toHaveText('Pausado');
  await expect(page.getByTestId('autoship-filter-paused')).toContainText('2');
  await screenshot(page, '94-autoship-list-paused');
});
