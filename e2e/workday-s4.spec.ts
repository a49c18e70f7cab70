import { expect, test, type Page } from '@playwright/test';
import { loginAsAdmin, rpc, screenshot } from './helpers';

/**
 * Issue 20, second part — screens a reviewer reads without knowing the database: the audit log in
 * business words (es and en), the "¿Por qué?" panel after a real close, the payments tabs and search,
 * an amount field that says why it is invalid.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The page never scrolls sideways, and neither does the table's own box. */
async function expectFits(page: Page) {
  const { page: p, tables } = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    tables: [...document.querySelectorAll('.table-wrap')].map((el) => el.scrollWidth - el.clientWidth),
  }));
  expect(p).toBeLessThanOrEqual(0);
  for (const over of tables) expect(over).toBeLessThanOrEqual(1);
}

test('the audit log reads in business words: the action, the member by code and name, a before/after table; in English too', async ({ page }) => {
  test.setTimeout(180_000);
  await loginAsAdmin(page);
  const m = (await rpc(page, 'members.search', { q: '120' })).body.data.rows[0];
  const edit = await rpc(page, 'members.update', { id: m.id, phone: '+52 55 4000 1200', reason: 'El socio dictó su teléfono nuevo por teléfono' });
  expect(edit.status).toBe(200);
  // A new sponsor high in the tree (never in the member's own downline, maybe its sponsor already: then the next).
  let target: { id: number; code: string; firstName: string; lastName: string } | null = null;
  for (const q of ['3', '4', '5']) {
    const cand = (await rpc(page, 'members.search', { q })).body.data.rows[0];
    if ((await rpc(page, 'genealogy.move', { memberId: m.id, newSponsorId: cand.id, reason: 'Alta con el patrocinador equivocado' })).status === 200) {
      target = cand;
      break;
    }
  }
  if (!target) throw new Error('no sponsor change was accepted');

  await page.goto('/#/audit');
  await page.getByLabel('Acción').selectOption({ label: 'Cambio de patrocinador' });
  const row = page.getByRole('row').filter({ hasText: 'Cambio de patrocinador' }).first();
  await expect(row).toContainText(`${m.code} · ${m.firstName} ${m.lastName}`);
  await row.getByRole('cell').nth(2).click(); // the action's cell (the subject's cell holds the profile link)
  const detail = page.getByTestId('audit-detail');
  await expect(detail.getByRole('heading')).toContainText('Cambio de patrocinador');
  await expect(detail.getByRole('row', { name: /Patrocinador/ })).toContainText(`${target.code} · ${target.firstName} ${target.lastName}`);
  await expect(detail).toContainText('Motivo: Alta con el patrocinador equivocado');
  await expect(detail).not.toContainText('genealogy.move');
  await expect(detail).not.toContainText(/\d+\/\d+\/\d+\/\d+\//); // the tree path ("1/3/5/7/") stays internal
  await expect(detail).not.toContainText(UUID);
  await expect(detail).not.toContainText('{');
  await page.mouse.move(0, 0);
  await screenshot(page, '20-10-audit-sponsor-change');

  await page.getByLabel('Acción').selectOption({ label: 'Datos del socio corregidos' });
  await page.getByRole('row').filter({ hasText: 'Datos del socio corregidos' }).first().getByRole('cell').nth(2).click();
  await expect(detail.getByRole('row', { name: /Teléfono/ })).toContainText('+52 55 4000 1200');
  await expect(page.locator('main')).not.toContainText('members.update');
  await screenshot(page, '20-11-audit-member-corrected');

  await page.getByLabel('Idioma').selectOption('en');
  await page.getByLabel('Action').selectOption({ label: 'Sponsor change' });
  await page.getByRole('row').filter({ hasText: 'Sponsor change' }).first().getByRole('cell').nth(2).click();
  await expect(detail.getByRole('heading')).toContainText('Sponsor change');
  await expect(detail.getByRole('row', { name: /Sponsor/ })).toContainText(target.code);
  await expect(detail).not.toContainText(/Patrocinador|Motivo:/);
  await screenshot(page, '20-12-audit-english');
  await page.getByLabel('Language').selectOption('es-MX');
});

test('payments: the failed tab lists exactly the failed orders, a cancelled tab, search by order or member; the table fits the page', async ({ page }) => {
  test.setTimeout(120_000);
  await loginAsAdmin(page);
  await page.goto('/#/payments');
  await page.getByTestId('filter-failed').click();
  const statuses = page.locator('[data-testid^="order-status-"]');
  await expect(statuses.first()).toBeVisible();
  for (const s of await statuses.allInnerTexts()) expect(s).toBe('Fallido');
  const failed = (await rpc(page, 'payments.list', { filter: 'failed', pageSize: 5 })).body.data;
  const all = (await rpc(page, 'payments.list', { filter: 'all', pageSize: 200 })).body.data;
  expect(failed.total).toBe(all.counts.failed);
  expect(failed.total).toBeGreaterThan(0);
  await expectFits(page);
  await page.mouse.move(0, 0);
  await screenshot(page, '20-13-payments-failed-tab');

  await page.getByTestId('filter-cancelled').click();
  await expect(statuses.first()).toHaveText('Cancelado');

  // Search by the member of a failed order: the failed tab keeps only that member's failed orders.
  const one = failed.rows[0];
  await page.getByTestId('filter-failed').click();
  await page.getByLabel('Buscar pedido o socio').fill(one.memberCode.replace(/^NN0*/, ''));
  await expect(page.getByRole('link', { name: new RegExp(`^${one.memberCode} · `) }).first()).toBeVisible();
  for (const s of await statuses.allInnerTexts()) expect(s).toBe('Fallido');
  await screenshot(page, '20-14-payments-search-member');
  await page.getByTestId('filter-all').click();
  await page.getByLabel('Buscar pedido o socio').fill(`#${one.orderId}`);
  await expect(page.getByText(`Núm. ${one.orderId}`, { exact: true })).toBeVisible();

  await page.getByLabel('Buscar pedido o socio').fill('');
  await page.setViewportSize({ width: 1280, height: 720 });
  await expect(statuses.first()).toBeVisible();
  await expectFits(page);
  await screenshot(page, '20-15-payments-1280');
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('the "¿Por qué?" panel of a closed period\'s line reads in business words', async ({ page }) => {
  test.setTimeout(120_000);
  await loginAsAdmin(page);
  const periods = (await rpc(page, 'periods.list', {})).body.data as { key: string; status: string }[];
  const closed = periods.find((p) => p.status === 'closed')!;
  const lines = (await rpc(page, 'commissions.periodLines', { periodKey: closed.key, type: 'uninivel', limit: 500 })).body.data.rows as {
    beneficiaryId: number;
    sourceKind: string;
    sourceId: number;
    level: number;
  }[];
  const line = lines.find((l) => l.sourceKind === 'order' && l.level >= 2) ?? lines.find((l) => l.sourceKind === 'order')!;
  await page.goto(`/#/members/${line.beneficiaryId}`);
  await page.getByRole('tab', { name: 'Comisiones' }).click();
  const panel = page.getByRole('tabpanel');
  await panel
    .getByRole('button', { name: /^Pedido #\d+$/ })
    .first()
    .click();
  const why = page.getByRole('region', { name: /¿Por qué\? Pedido #\d+/ });
  await expect(why.getByRole('row').nth(1)).toBeVisible();
  await expect(why).not.toContainText(/#\d+ ·|PV \d+\.\d\d\b|\b0\.\d+\b/);
  await page.mouse.move(0, 0);
  await why.scrollIntoViewIfNeeded();
  await screenshot(page, '20-16-why-panel');
});

test("an amount field says why it is invalid, beside the field with its label; the quote's money is formatted", async ({ page }) => {
  test.setTimeout(120_000);
  await loginAsAdmin(page);
  await page.goto('/#/withdrawals');
  await page.getByRole('button', { name: 'Nueva solicitud' }).click();
  const dialog = page.getByRole('dialog', { name: 'Nueva solicitud de retiro' });
  await dialog.getByLabel('Buscar socio (código, nombre, correo o teléfono)').fill('NN0000120');
  await dialog.getByRole('button', { name: /NN0000120/ }).click();
  const amount = dialog.getByLabel('Importe', { exact: true });
  const cases: [string, string][] = [
    ['-100', 'Importe: no puede ser negativo.'],
    ['0', 'Importe: debe ser mayor que cero.'],
    ['abc', 'Importe: escriba solo números, con hasta dos decimales (por ejemplo 1500.00).'],
    ['12,5', 'Importe: use punto para los centavos (12.50), no coma.'],
  ];
  for (const [typed, why] of cases) {
    await amount.fill(typed);
    await expect(dialog.getByRole('alert')).toHaveText(why);
    await expect(amount).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog.getByRole('button', { name: 'Registrar solicitud' })).toBeDisabled();
  }
  await screenshot(page, '20-17-amount-inline-error');
  // Too much for the wallet: the reason with the balance as money ("$1,234.56 MXN"), never "(1234.56 MXN)".
  await amount.fill('9999999');
  const warn = dialog.locator('.banner.warn');
  await expect(warn).toContainText(/\$[\d,]+\.\d\d [A-Z]{3}/);
  await expect(warn).not.toContainText(/\(\d+\.\d\d [A-Z]{3}\)/);
  await screenshot(page, '20-18-quote-money-formatted');
});
