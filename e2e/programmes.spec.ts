import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { firstSignIn, loginAsAdmin, ownAppInstance, rpc, screenshot } from './helpers';

/**
 * Stored previews, per-country totals, the whole-period CSV and the Programas tab. It enters an
 * order and closes the open period, so it runs against its own instance of the app.
 */
test.describe.configure({ mode: 'serial' });

const { base } = ownAppInstance(89);

async function openCommissions(page: Page) {
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Comisiones' }).click();
  await expect(page.getByRole('heading', { name: 'Comisiones', exact: true })).toBeVisible();
}

let closedKey = '';

test('admin previews twice and sees the difference from the previous preview and the totals per country', async ({ page }) => {
  test.setTimeout(180_000);
  await loginAsAdmin(page, base);
  await openCommissions(page);
  const preview = page.getByRole('region', { name: 'Vista previa del periodo abierto' });
  await page.getByRole('button', { name: 'Vista previa del periodo abierto' }).click();
  await expect(preview.getByText('Es la primera vista previa de este periodo.')).toBeVisible({ timeout: 60_000 });
  await expect(preview.getByRole('table', { name: 'Totales por país del beneficiario' })).toBeVisible();

  // A new paid order between the two previews (a product with VN, paid now): the second differs.
  const products = (await rpc(page, 'catalogue.list', {})).body.data as { id: number; kind: string; active: boolean }[];
  const product = products.find((p) => p.kind === 'product' && p.active)!;
  const order = await rpc(page, 'orders.create', { memberId: 5, lines: [{ productId: product.id, quantity: 10 }] });
  expect(order.status).toBe(200);
  // Paid on the open period's last day (the demo's open period is last month: a payment of today waits for this month's period).
  const open = (await rpc(page, 'periods.current', {})).body.data.period as { endsAt: string };
  const paidAt = new Date(Date.parse(open.endsAt) - 3_600_000).toISOString();
  const paid = await rpc(page, 'orders.recordPayment', { orderId: order.body.data.orderId, paidAt, reference: 'e2e vista previa' });
  expect(paid.status).toBe(200);

  await page.getByRole('button', { name: 'Vista previa del periodo abierto' }).click();
  await expect(preview.getByRole('heading', { name: /Diferencia contra la vista previa anterior/ })).toBeVisible({ timeout: 60_000 });
  const diff = preview.getByRole('table', { name: /Diferencia contra la vista previa anterior/ });
  await expect(diff.getByRole('row').filter({ hasText: 'Bono Directo' }).first()).toBeVisible();
  const previews = await rpc(page, 'commissions.previews', {});
  expect(previews.body.data.rows.length).toBe(2);
  const [last, first] = previews.body.data.rows as { byCurrency: Record<string, string> }[];
  expect(last!.byCurrency.MXN).not.toBe(first!.byCurrency.MXN);
  await preview.getByText(/Vistas previas guardadas de/).click();
  await expect(preview.locator('.stored-previews tbody tr')).toHaveCount(2);
  await page.mouse.move(0, 0);
  await screenshot(page, '54-commission-previews-difference');
});

test('after the close: posted totals per country, and the whole period exported as CSV', async ({ page }) => {
  test.setTimeout(240_000);
  await loginAsAdmin(page, base);
  closedKey = (await rpc(page, 'periods.current', {})).body.data.period.key as string;
  const run = await rpc(page, 'periods.close', { key: closedKey, confirmKey: closedKey });
  expect(run.status).toBe(200);
  for (const until = Date.now() + 180_000; ;) {
    const r = await rpc(page, 'periods.run', { runId: run.body.data.id });
    if (r.body.data?.status === 'succeeded') break;
    if (r.body.data?.status === 'failed' || Date.now() > until) throw new Error(`close did not finish: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 1000));
  }
  await openCommissions(page);
  await expect(page.getByLabel('Periodo', { exact: true })).toHaveValue(closedKey);
  const countries = page.getByRole('table', { name: `Totales por país del beneficiario ${closedKey}` });
  await expect(countries.getByRole('row').filter({ hasText: 'México' })).toBeVisible();
  const totals = (await rpc(page, 'commissions.periodTotals', { periodKey: closedKey })).body.data[0] as { lines: number; byCurrency: Record<string, string> };
  const byCountry = (await rpc(page, 'commissions.countryTotals', { periodKey: closedKey })).body.data.rows as { country: string; amount: string }[];
  expect(byCountry.find((c) => c.country === 'MX')!.amount).toBe(totals.byCurrency.MXN);

  await page.getByRole('button', { name: 'Exportar CSV del periodo' }).click();
  const dialog = page.getByRole('dialog', { name: `Exportar las líneas de ${closedKey}` });
  // The main process writes the file (streamed from the database) into the exports folder.
  await dialog.getByRole('button', { name: 'Exportar', exact: true }).click();
  const status = dialog.getByRole('status');
  await expect(status).toHaveText(new RegExp(`^Listo: ${totals.lines.toLocaleString('es-MX')} líneas, guardadas en .*comisiones-${closedKey}\\.csv$`));
  const file = (await status.textContent())!.replace(/^.*guardadas en /, '');
  const csv = readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  expect(csv[0]).toBe(
    'id,period,type,kind,beneficiary_id,beneficiary_code,country,source_kind,source_id,level,base,base_currency,rate,amount,currency,fx_from_mxn,fx_to_mxn,created_at',
  );
  expect(csv.length - 1).toBe(totals.lines);
  const head = csv[0]!.split(',');
  const col = (name: string) => head.indexOf(name);
  // Amounts are exact decimal strings: their sum in cents equals the posted MXN total.
  let cents = 0n;
  for (const line of csv.slice(1)) {
    const f = line.split(',');
    expect(f[col('period')]).toBe(closedKey);
    expect(f[col('amount')]).toMatch(/^-?\d+\.\d{2}$/);
    expect(f[col('fx_to_mxn')]).toMatch(/^\d+(\.\d+)?$/);
    if (f[col('currency')] === 'MXN') cents += BigInt(f[col('amount')]!.replace('.', ''));
  }
  const [int, dec] = totals.byCurrency.MXN!.split('.');
  expect(cents).toBe(BigInt(`${int}${dec}`));
  await page.mouse.move(0, 0);
  await screenshot(page, '55-commission-period-export');
  await dialog.getByRole('button', { name: 'Cerrar' }).click();
});

test('the Programas tab: admin creates an NN Travels campaign with a promotion; loyalty and cashback lists', async ({ page }) => {
  test.setTimeout(120_000);
  await loginAsAdmin(page, base);
  await openCommissions(page);
  await page.getByRole('tab', { name: 'Programas' }).click();
  const travel = page.getByRole('region', { name: 'NN Travels' });
  await expect(travel.getByText('Aún no hay campañas.')).toBeVisible();
  const open = (await rpc(page, 'periods.current', {})).body.data.period.key as string;
  const [y, m] = open.split('-').map(Number) as [number, number];
  const plus = (k: number) => {
    const d = new Date(Date.UTC(y, m - 1 + k, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  };

  await travel.getByRole('button', { name: 'Nueva campaña' }).click();
  const form = travel.getByRole('form', { name: 'Nueva campaña' });
  await form.getByLabel('Nombre').fill('Cancún 2027');
  await form.getByLabel('Periodo inicial').first().fill(open);
  // End before start: refused with the field's message, nothing saved.
  await form.getByLabel('Periodo final').first().fill(plus(-1));
  await form.getByRole('button', { name: 'Guardar campaña' }).click();
  await expect(form.getByRole('alert')).toContainText('Periodo final: el periodo final no puede ser anterior al inicial');
  await form.getByLabel('Periodo final').first().fill(plus(5));
  await form.getByRole('button', { name: 'Agregar promoción' }).click();
  const promo = form.getByRole('group', { name: 'Promoción 1' });
  await promo.getByLabel('Periodo final').fill(plus(1));
  await promo.getByLabel('Multiplicador').fill('2');
  await promo.getByLabel('Etiqueta').fill('Doble puntos');
  await page.mouse.move(0, 0);
  await screenshot(page, '56-travel-campaign-form');
  await form.getByRole('button', { name: 'Guardar campaña' }).click();
  await expect(travel.getByText('Campaña guardada.')).toBeVisible();
  const row = travel.getByRole('table', { name: 'Campañas' }).getByRole('row').filter({ hasText: 'Cancún 2027' });
  await expect(row).toContainText(`${open} – ${plus(1)} ×2 (Doble puntos)`);
  await expect(row).toContainText('En curso');
  await expect(travel.getByText('Aún no hay puntos en esta campaña')).toBeVisible();
  const campaigns = (await rpc(page, 'programmes.campaigns', {})).body.data.rows as {
    name: string;
    fromPeriod: string;
    toPeriod: string;
    target: string;
    promotions: unknown[];
  }[];
  expect(campaigns).toMatchObject([
    {
      name: 'Cancún 2027',
      fromPeriod: open,
      toPeriod: plus(5),
      target: '200',
      promotions: [{ fromPeriod: open, toPeriod: plus(1), multiplier: '2', label: 'Doble puntos' }],
    },
  ]);

  await expect(page.getByRole('region', { name: 'Lealtad' })).toBeVisible();
  const cashback = page.getByRole('region', { name: 'Cashback' });
  await expect(cashback).toBeVisible();
  const cb = (await rpc(page, 'programmes.cashbackPeriods', {})).body.data as { periodKey: string; issued: number }[];
  if (cb.length) await expect(cashback.getByRole('row').filter({ hasText: cb[0]!.periodKey }).first()).toBeVisible();
  await page.mouse.move(0, 0);
  await screenshot(page, '57-programmes-tab');
});

test('support sees the posted totals and the programmes, without preview, export or campaign editing', async ({ page }) => {
  test.setTimeout(120_000);
  const TEMP = 'temporal-soporte-1',
    FINAL = 'definitiva-soporte-1';
  await loginAsAdmin(page, base);
  expect((await rpc(page, 'staff.create', { username: 'soporte-programas', displayName: 'Sara Soporte', role: 'support', password: TEMP })).status).toBe(200);
  await page.evaluate(() => sessionStorage.clear());
  await firstSignIn(page, 'soporte-programas', TEMP, FINAL, base);
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeVisible();
  await openCommissions(page);
  await expect(page.getByRole('table', { name: `Totales por país del beneficiario ${closedKey}` })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Vista previa del periodo abierto' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Exportar CSV del periodo' })).toHaveCount(0);
  expect((await rpc(page, 'commissions.periodLines', { periodKey: closedKey })).status).toBe(403);
  expect((await rpc(page, 'commissions.preview', {})).status).toBe(403);
  await page.getByRole('tab', { name: 'Programas' }).click();
  const travel = page.getByRole('region', { name: 'NN Travels' });
  await expect(travel.getByRole('row').filter({ hasText: 'Cancún 2027' })).toBeVisible();
  await expect(travel.getByRole('button', { name: 'Nueva campaña' })).toHaveCount(0);
  await expect(travel.getByRole('button', { name: 'Editar' })).toHaveCount(0);
  expect((await rpc(page, 'programmes.saveCampaign', { name: 'No', fromPeriod: '2030-01', toPeriod: '2030-02' })).status).toBe(403);
});
