import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_PASSWORD, screenshot, ownAppInstance } from './helpers';

/**
 * An admin syncs payments: a pending order whose PaymentIntent succeeded at Stripe (the local
 * stand-in; no webhook was delivered) becomes paid, and its Bono Directo reaches the sponsor's
 * wallet. Own app instance (e2e/serve.ts with NNP_STRIPE_STUB=1 and NNP_E2E_PAYMENTS=1), own port.
 */
test.describe.configure({ mode: 'serial' });

const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'nnp-e2e-payments-')), 'payments.json');
const { base } = ownAppInstance(77, { NNP_STRIPE_STUB: '1', NNP_E2E_PAYMENTS: '1', NNP_E2E_PAYMENTS_OUT: out });

async function rpc(page: Page, name: string, input: unknown) {
  return page.evaluate(
    async ({ name, input, base }) => {
      const t = JSON.parse(sessionStorage.getItem('nnp-session') ?? '{}')?.state?.token;
      const res = await fetch(`${base}rpc/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` },
        body: JSON.stringify(input),
      });
      return (await res.json()) as { ok: boolean; data: any };
    },
    { name, input, base },
  );
}

test("an admin syncs payments and sees the order paid and its Bono Directo in the sponsor's wallet", async ({ page }) => {
  test.setTimeout(120_000);
  const fx = JSON.parse(readFileSync(out, 'utf8')) as { orderId: number; memberId: number; sponsorId: number; paymentIntentId: string };
  await page.goto(base);
  await page.getByLabel('Usuario').fill('admin');
  await page.getByLabel('Contraseña').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeVisible();
  const walletBefore = await rpc(page, 'wallet.summary', { memberId: fx.sponsorId });

  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Pagos' }).click();
  await expect(page.getByRole('heading', { name: 'Pagos', level: 1 })).toBeVisible();
  await page.getByTestId('filter-pending').click();
  await expect(page.getByTestId(`order-status-${fx.orderId}`)).toHaveText('Pendiente');
  await screenshot(page, '60-payments-pending');

  await page.getByTestId('sync-payments').click();
  await expect(page.getByTestId('sync-done')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('sync-progress')).toContainText('1 aplicados');
  await screenshot(page, '61-payments-synced');

  await page.getByTestId('filter-paid').click();
  await expect(page.getByTestId(`order-status-${fx.orderId}`)).toHaveText('Pagado');
  const link = page.getByRole('link', { name: fx.paymentIntentId }).first();
  await expect(link).toHaveAttribute('href', `https://dashboard.stripe.com/payments/${fx.paymentIntentId}`);
  await expect(page.getByRole('table').last()).toContainText('Pedido confirmado');
  await screenshot(page, '62-payments-paid');

  // Syncing again changes nothing.
  await page.getByTestId('sync-payments').click();
  await expect(page.getByTestId('sync-done')).toContainText('0 eventos aplicados');

  // Bono Directo (25% of the order's VN) in the sponsor's wallet.
  const entries = await rpc(page, 'wallet.entries', { memberId: fx.sponsorId });
  expect(entries.ok).toBe(true);
  expect(JSON.stringify(entries.data.rows)).toMatch(/directo|commission/i);
  const walletAfter = await rpc(page, 'wallet.summary', { memberId: fx.sponsorId });
  expect(JSON.stringify(walletAfter.data)).not.toBe(JSON.stringify(walletBefore.data));
  await page.goto(`${base}#/members/${fx.sponsorId}`);
  await expect(page.getByText('Cargando…')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page
    .getByRole('button', { name: 'Billetera' })
    .or(page.getByRole('tab', { name: 'Billetera' }))
    .first()
    .click();
  await page.waitForLoadState('networkidle');
  // The profile's wallet tab shows the commission credited by the confirmation.
  await expect(page.getByRole('cell', { name: /Comisión/ }).first()).toBeVisible();
  await screenshot(page, '63-payments-sponsor-wallet');
});
