import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { ADMIN_PASSWORD, changeOwnPassword, login, ownAppInstance, rpc, screenshot } from './helpers';

/**
 * Plan economics (issue 18): the payout ratio on the dashboard and the period screen, a draft plan
 * tried on a closed period (progress, cancel, the differences, finance reading them), and the income
 * disclosure report (CSV, printable page, bad ranges). Its own app instance: the simulation's stages
 * pause (NNP_SIMULATION_STAGE_PAUSE_MS) so that its progress can be seen and a running one cancelled
 * — the demo period is computed in milliseconds — and the draft it creates is left to nobody else.
 */
test.describe.configure({ mode: 'serial' });

const { base } = ownAppInstance(137, { NNP_SIMULATION_STAGE_PAUSE_MS: '1500' });
const TEMP = 'temporal-economia-1';
const FINAL = 'definitiva-economia-1';
const DRAFT = 'Plan 2027 (Emprendedor a 3 000 PVG)';

let closedKey = '';
let planName = '';

async function asAdmin(page: Page) {
  await login(page, 'admin', ADMIN_PASSWORD, base);
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeVisible();
}

async function firstSignIn(page: Page, username: string) {
  await page.evaluate(() => sessionStorage.clear());
  await login(page, username, TEMP, base);
  await changeOwnPassword(page, TEMP, FINAL);
}

/** "23.73 %": a ratio as the screens show it. */
const PERCENT = /^\d{1,3}\.\d{2} %$/;

test('the dashboard charts the payout ratio of the last 12 periods with the plan in force; the period screen splits it by bonus and country', async ({
  page,
}) => {
  await asAdmin(page);
  const history = (await rpc(page, 'economics.payoutHistory', {})).body.data as {
    periodKey: string;
    status: string;
    ratio: string | null;
    plan: string | null;
  }[];
  const closed = history.filter((h) => h.status === 'closed');
  expect(closed.length).toBeGreaterThanOrEqual(2);
  closedKey = closed.at(-1)!.periodKey;
  planName = closed.at(-1)!.plan!;
  expect(closed.at(-1)!.ratio).toMatch(/^0\.\d{6}$/);

  const card = page.getByRole('region', { name: 'Razón de pago: comisiones ÷ VN (últimos 12 periodos)' });
  await expect(card.locator('.recharts-line-curve')).toBeVisible();
  // The figures behind the chart, for the keyboard and the screen reader: period, ratio, MXN, plan.
  await card.getByText('Comisiones pagadas (todos los bonos').click();
  const row = card.getByRole('row').filter({ hasText: closedKey });
  await expect(row.getByRole('cell').nth(1)).toHaveText(PERCENT);
  await expect(row.getByRole('cell').nth(2)).toContainText('$');
  await expect(row.getByRole('cell').nth(4)).toHaveText(planName);
  await page.mouse.move(0, 0);
  await screenshot(page, '18-01-dashboard-payout-ratio');

  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Periodos' }).click();
  await page.getByRole('region', { name: 'Todos los periodos' }).getByRole('row').filter({ hasText: closedKey }).click();
  const payout = page.getByRole('region', { name: 'Razón de pago', exact: true });
  await expect(payout).toContainText(closedKey);
  await expect(payout.getByText('Líneas publicadas del periodo cerrado.')).toBeVisible();
  await expect(payout.getByRole('table', { name: 'Por bono' }).getByRole('row').nth(1)).toBeVisible();
  await expect(payout.getByRole('table', { name: 'Por país' }).getByRole('cell', { name: 'México' })).toBeVisible();
  await expect(payout).toContainText(planName);
  await screenshot(page, '18-02-period-payout');
});

test('an admin drafts a plan, tries it on a closed period: progress, a second run refused, cancel, then the differences and the why', async ({ page }) => {
  test.setTimeout(180_000);
  await asAdmin(page);
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Configuración' }).click();
  await page.getByRole('tab', { name: 'Plan de compensación' }).click();
  const form = page.getByRole('form', { name: 'Nueva versión del plan (borrador)' });
  await form.getByLabel('Nombre').fill(DRAFT);
  await form.getByLabel('Vigente desde el periodo').fill('2027-01');
  await form.getByRole('button', { name: 'Crear borrador' }).click();
  const editor = page.getByLabel('Borrador', { exact: false }).filter({ has: page.getByRole('heading', { name: /Emprendedor a 3 000/ }) });
  // The editor has the draft's full figures (its JSON filled) before a figure is typed: arriving
  // later, they would replace what was typed.
  await expect(editor.getByLabel('Todas las cifras (JSON)')).toHaveValue(/"ranks"/);
  await expect(editor.getByLabel('PVG Emprendedor')).toHaveValue(/^21000/);
  await editor.getByLabel('PVG Emprendedor').fill('3000');
  await editor.getByLabel('Motivo').fill('Probar un umbral más bajo para Emprendedor');
  await editor.getByRole('button', { name: 'Guardar borrador' }).click();
  await expect(page.getByText('Borrador guardado.')).toBeVisible();
  expect(
    (await rpc(page, 'plan.get', { id: (await rpc(page, 'plan.versions', {})).body.data.find((v: { name: string }) => v.name === DRAFT).id })).body.data.ranks,
  ).toContainEqual(expect.objectContaining({ rank: 2, pvg: '3000' }));

  const sim = page.getByRole('region', { name: 'Probar el borrador en un periodo real' });
  await expect(sim.getByLabel('Periodo')).toHaveValue(closedKey);
  await expect(sim.getByLabel('Periodo').locator('option:checked')).toHaveText(`${closedKey} · Cerrado`);

  // A first run, cancelled while it computes.
  await sim.getByRole('button', { name: 'Probar' }).click();
  const status = sim.getByRole('status');
  await expect(status).toContainText(`${closedKey} · Calculando`);
  await expect(sim.getByRole('progressbar', { name: 'Probar el borrador en un periodo real' })).toBeVisible();
  await expect(sim.getByRole('button', { name: 'Probar' })).toBeDisabled();
  // One engine per person: a second run asked for directly is refused while this one runs.
  const versionId = (await rpc(page, 'plan.simulations', {})).body.data[0].versionId as number;
  const twice = await rpc(page, 'plan.simulate', { versionId, periodKey: closedKey });
  expect(twice.status).toBe(409);
  expect(twice.body.error.code).toBe('CONFLICT');
  await screenshot(page, '18-03-simulation-running');
  await status.getByRole('button', { name: 'Cancelar' }).click();
  await expect(status).toContainText(`${closedKey} · Cancelada`);
  await expect(sim.getByRole('progressbar')).toHaveCount(0);
  await screenshot(page, '18-04-simulation-cancelled');

  // The run to its end: progress by stage, then the plan in force beside the draft.
  await sim.getByRole('button', { name: 'Probar' }).click();
  await expect(status).toContainText(/Calculando · (cargando el periodo|motor con el plan vigente|motor con el borrador|comparando) · \d+ %/);
  await expect(status).toContainText(`${closedKey} · Terminada`, { timeout: 60_000 });
  const totals = sim.getByRole('table', { name: 'Totales por bono y moneda' });
  await expect(totals.getByRole('columnheader', { name: `Plan vigente (${planName})` })).toBeVisible();
  await expect(
    totals
      .getByRole('row', { name: /^Razón de pago/ })
      .getByRole('cell')
      .nth(0),
  ).toHaveText(PERCENT);
  await expect(
    totals
      .getByRole('row', { name: /^Razón de pago/ })
      .getByRole('cell')
      .nth(2),
  ).toHaveText(/^[+-]?\d+\.\d{2} puntos$/);
  await expect(totals.getByRole('row', { name: /^Socios con pago/ })).toBeVisible();
  await expect(totals.getByRole('row', { name: /^Uninivel · MXN/ })).toBeVisible();
  await expect(sim.getByText(/^Socios cuyo rango cambiaría: \d+ \(\d+ suben, \d+ bajan\)$/)).toBeVisible();
  const top = sim.getByRole('table', { name: 'Los 50 socios cuyo pago cambia más' });
  await expect(top.getByRole('row').nth(1)).toBeVisible();
  expect(await top.getByRole('row').count()).toBeLessThanOrEqual(51);
  // The why of the first: its code and name, PV/PVG, the ranks in words, the money per bonus.
  const first = top.getByRole('row').nth(1);
  const code = (await first.getByRole('cell').nth(0).innerText()).trim();
  expect(code).toMatch(/^NN\d{7}$/);
  const why = sim.getByRole('heading', { name: new RegExp(`^Por qué cambia el pago de .+ \\(${code}\\)$`) });
  await expect(why).toBeVisible();
  await expect(sim.locator('.sim-why')).toContainText(/Con PV [\d,]+ y PVG [\d,]+/);
  await expect(sim.locator('.sim-why li').first()).toContainText('→');
  // Read-only: the closed period's lines are what its close posted.
  const result = (await rpc(page, 'plan.simulation', { id: (await rpc(page, 'plan.simulations', {})).body.data[0].id })).body.data;
  expect(result.status).toBe('done');
  expect(result.result.top.length).toBeGreaterThan(0);
  await page.mouse.move(0, 0);
  await screenshot(page, '18-05-simulation-differences');

  await page.getByLabel('Idioma').selectOption('en');
  const en = page.getByRole('region', { name: 'Try the draft on a real period' });
  await expect(en.getByRole('status')).toContainText(`${closedKey} · Finished`);
  await expect(
    en.getByRole('table', { name: 'Totals by bonus and currency' }).getByRole('columnheader', { name: `Plan in force (${planName})` }),
  ).toBeVisible();
  await expect(en.getByText(/^Members whose rank would change: \d+ \(\d+ up, \d+ down\)$/)).toBeVisible();
  await screenshot(page, '18-06-simulation-differences-en');
  await page.getByLabel('Language').selectOption('es-MX');
});

test('the income disclosure of the closed periods: by paid-as rank, as CSV and as a printable page; bad ranges are refused in words', async ({ page }) => {
  await asAdmin(page);
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Declaración de ingresos' }).click();
  await expect(page.getByRole('heading', { name: 'Declaración de ingresos de los socios' })).toBeVisible();
  const year = closedKey.slice(0, 4);
  await page.getByRole('textbox', { name: 'Año', exact: true }).fill(year);
  await page.getByRole('button', { name: 'Consultar' }).click();
  const report = page.getByRole('region', { name: 'Declaración de ingresos de los socios', exact: true });
  await expect(report).toContainText(`Periodos cerrados incluidos:`);
  await expect(report).toContainText(closedKey);
  const table = report.getByRole('table');
  await expect(table.getByRole('row').filter({ hasText: 'Sin rango' }).getByRole('cell').nth(2)).toHaveText(PERCENT);
  const data = (await rpc(page, 'reports.disclosure', { year: Number(year) })).body.data;
  expect(data.members).toBeGreaterThan(300);
  await expect(report).toContainText(`${data.members.toLocaleString('es-MX')} socios; ${data.earners.toLocaleString('es-MX')} ganaron algo`);
  await screenshot(page, '18-07-disclosure');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Exportar CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`declaracion-ingresos-${data.from}-${data.to}.csv`);
  const csv = readFileSync((await file.path())!, 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(csv[0]).toContain('Rango pagado');
  expect(csv[0]).toContain('Mediana');
  expect(csv).toHaveLength(data.rows.length + 1);
  expect(csv.some((l) => l.startsWith('Sin rango,'))).toBe(true);

  // The printable page: the report alone, without the menu or the form.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: 'principal' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Consultar' })).toBeHidden();
  await expect(table).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Declaración de ingresos de los socios' })).toBeVisible();
  await screenshot(page, '18-08-disclosure-print');
  await page.emulateMedia({ media: 'screen' });

  // A range without a closed period, and one longer than 24 periods: typed errors, in words.
  await page.getByRole('textbox', { name: 'Desde', exact: true }).fill('2019-01');
  await page.getByRole('textbox', { name: 'Hasta', exact: true }).fill('2019-06');
  await page.getByRole('button', { name: 'Consultar' }).click();
  await expect(page.getByRole('alert')).toHaveText('No hay periodos cerrados entre 2019-01 y 2019-06: la declaración solo usa periodos cerrados.');
  const none = await rpc(page, 'reports.disclosure', { from: '2019-01', to: '2019-06' });
  expect(none.body.error.code).toBe('VALIDATION');
  await screenshot(page, '18-09-disclosure-no-closed-period');
  await page.getByRole('textbox', { name: 'Desde', exact: true }).fill('2024-01');
  await page.getByRole('textbox', { name: 'Hasta', exact: true }).fill(closedKey);
  await page.getByRole('button', { name: 'Consultar' }).click();
  const months = (Number(closedKey.slice(0, 4)) - 2024) * 12 + Number(closedKey.slice(5));
  await expect(page.getByRole('alert')).toHaveText(`El rango abarca ${months} periodos; el máximo es 24. Acórtelo.`);
  const long = await rpc(page, 'reports.disclosure', { from: '2024-01', to: closedKey });
  expect(long.body.error.code).toBe('VALIDATION');
  await screenshot(page, '18-10-disclosure-too-long');

  await page.getByLabel('Idioma').selectOption('en');
  await page.getByRole('textbox', { name: 'From', exact: true }).fill('');
  await page.getByRole('textbox', { name: 'To', exact: true }).fill('');
  await page.getByRole('textbox', { name: 'Year', exact: true }).fill(year);
  await page.getByRole('button', { name: 'Show' }).click();
  const en = page.getByRole('region', { name: 'Member income disclosure', exact: true });
  await expect(en.getByRole('table').getByRole('row').filter({ hasText: 'No rank' })).toBeVisible();
  await expect(en).toContainText('earned something');
  await screenshot(page, '18-11-disclosure-en');
  await page.getByLabel('Language').selectOption('es-MX');
});

test('finance reads the trial without starting one; support reaches neither the trials nor the disclosure', async ({ page }) => {
  test.setTimeout(120_000);
  await asAdmin(page);
  for (const [username, displayName, role] of [
    ['finanzas.eco', 'Elena Finanzas', 'finance'],
    ['soporte.eco', 'Saúl Soporte', 'support'],
  ] as const) {
    const r = await rpc(page, 'staff.create', { username, displayName, role, password: TEMP });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  const last = (await rpc(page, 'plan.simulations', {})).body.data[0] as { id: number; versionId: number };

  await firstSignIn(page, 'finanzas.eco');
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Configuración' }).click();
  await expect(page.getByRole('tab')).toHaveCount(1);
  await page.getByRole('tab', { name: 'Plan de compensación' }).click();
  await expect(page.getByRole('form', { name: 'Nueva versión del plan (borrador)' })).toHaveCount(0);
  await page.getByRole('row').filter({ hasText: DRAFT }).getByRole('button', { name: 'Ver pruebas' }).click();
  const sim = page.getByRole('region', { name: 'Probar el borrador en un periodo real' });
  await expect(sim.getByRole('status')).toContainText(`${closedKey} · Terminada`);
  await expect(sim.getByRole('table', { name: 'Los 50 socios cuyo pago cambia más' }).getByRole('row').nth(1)).toBeVisible();
  await expect(sim.getByRole('button', { name: 'Probar' })).toHaveCount(0);
  await expect(page.getByLabel('PVG Emprendedor')).toHaveCount(0);
  const refused = await rpc(page, 'plan.simulate', { versionId: last.versionId, periodKey: closedKey });
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('FORBIDDEN');
  await page.mouse.move(0, 0);
  await screenshot(page, '18-12-finance-reads-trial');

  await firstSignIn(page, 'soporte.eco');
  const nav = page.getByRole('navigation', { name: 'principal' });
  await expect(nav.getByRole('link', { name: 'Socios' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Declaración de ingresos' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Configuración' })).toHaveCount(0);
  for (const [name, input] of [
    ['reports.disclosure', { year: 2026 }],
    ['plan.simulation', { id: last.id }],
    ['plan.simulations', {}],
    ['economics.payoutHistory', {}],
  ] as const) {
    const r = await rpc(page, name, input);
    expect(r.status, name).toBe(403);
  }
  await page.goto(`${base}#/disclosure`);
  await expect(page.getByTestId('no-permission')).toBeVisible();
  await screenshot(page, '18-13-support-no-disclosure');
});
