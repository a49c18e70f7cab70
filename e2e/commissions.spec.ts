import { expect, test } from '@playwright/test';
import { loginAsAdmin, ownAppInstance, rpc, screenshot } from './helpers';

/**
 * Commissions journey. It closes the open period (the seeded orders are written straight into the
 * tables, so no instant Directo/Rápido lines exist before a close): it runs against its own instance
 * of the app (a new data folder, the seeded demo network, browser mode) like e2e/periods.spec.ts.
 */
test.describe.configure({ mode: 'serial' });

const { base } = ownAppInstance(61);

let topMember = 0;
let topCode = '';

test('admin opens Comisiones and previews the open period: totals by type and currency, top earners', async ({ page }) => {
  test.setTimeout(120_000);
  await loginAsAdmin(page, base);
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Comisiones' }).click();
  await expect(page.getByRole('heading', { name: 'Comisiones', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Vista previa del periodo abierto' }).click();
  const preview = page.getByRole('region', { name: 'Vista previa del periodo abierto' });
  await expect(preview.getByRole('heading', { name: /Vista previa de \d{4}-\d{2}/ })).toBeVisible({ timeout: 60_000 });
  await expect(preview.getByText('Total por moneda').first()).toBeVisible();
  await expect(preview.getByText('Los 10 que más ganan')).toBeVisible();
  const p = await rpc(page, 'commissions.preview', {});
  expect(p.status).toBe(200);
  expect(p.body.data.lines).toBeGreaterThan(0);
  topMember = p.body.data.top[0].memberId;
  topCode = p.body.data.top[0].code;
  await page.mouse.move(0, 0);
  await screenshot(page, '50-commissions-preview');
});

test('after the close, the period totals are posted and the member profile Comisiones tab lists the lines', async ({ page }) => {
  test.setTimeout(180_000);
  await loginAsAdmin(page, base);
  const key = (await rpc(page, 'periods.current', {})).body.data.period.key as string;
  const run = await rpc(page, 'periods.close', { key, confirmKey: key });
  expect(run.status).toBe(200);
  for (const until = Date.now() + 120_000; ;) {
    const r = await rpc(page, 'periods.run', { runId: run.body.data.id });
    if (r.body.data?.status === 'succeeded') break;
    if (r.body.data?.status === 'failed' || Date.now() > until) throw new Error(`close did not finish: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 1000));
  }
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Comisiones' }).click();
  await expect(page.getByLabel('Periodo', { exact: true })).toHaveValue(key);
  await expect(page.getByText('Uninivel').first()).toBeVisible();
  // The member number is the code as staff know it: an unknown one says so; the digits alone find it.
  await page.getByLabel('Número de socio').fill('9999999');
  await page.getByRole('button', { name: 'Ver líneas' }).click();
  await expect(page.getByText('No hay ningún socio con el número NN9999999.')).toBeVisible();
  await page.getByLabel('Número de socio').fill(String(Number(topCode.slice(2))));
  await page.getByRole('button', { name: 'Ver líneas' }).click();
  await expect(page.getByRole('link', { name: new RegExp(`^${topCode} · `) })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Líneas' }).getByRole('row').nth(1)).toBeVisible();
  await page.mouse.move(0, 0);
  await screenshot(page, '51-commissions-period-totals');

  await page.goto(`${base}#/members/${topMember}`);
  await page.getByRole('tab', { name: 'Comisiones' }).click();
  const panel = page.getByRole('tabpanel');
  await expect(panel.getByRole('row').nth(1)).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Exportar CSV' })).toBeEnabled();
  await page.mouse.move(0, 0);
  await screenshot(page, '52-member-commissions-tab');

  // Why: an order line's source opens the sponsor line upward and the lines paid on the order.
  await panel
    .getByRole('button', { name: /^Pedido #\d+$/ })
    .first()
    .click();
  const why = page.getByRole('region', { name: /¿Por qué\? Pedido #\d+/ });
  await expect(why.getByRole('columnheader', { name: '¿Cobra este nivel?' })).toBeVisible();
  await expect(why.getByText('Líneas pagadas por este pedido')).toBeVisible();
  await expect(why.getByRole('row').nth(1)).toBeVisible();
  await page.mouse.move(0, 0);
  await screenshot(page, '53-commission-why');
});
