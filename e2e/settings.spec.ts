import { expect, test } from '@playwright/test';
import { loginAsAdmin, screenshot } from './helpers';

test.describe.configure({ mode: 'serial' });

const HEADER = 'sku,name,kind,pv,active,price_MX,vn_MX,price_US,vn_US,price_CO,vn_CO,price_DO,vn_DO';

test('an admin adds a USD rate effective next period after reviewing its impact', async ({ page }) => {
  await loginAsAdmin(page);
  await page.getByRole('link', { name: 'Configuración' }).click();
  await expect(page.getByRole('tab', { name: 'Tipos de cambio' })).toHaveAttribute('aria-selected', 'true');
  const form = page.getByRole('form', { name: 'Nuevo tipo de cambio' });
  await form.getByLabel('Moneda').selectOption('USD');
  await form.getByLabel('MXN por unidad').fill('18.1234567');
  await form.getByLabel('Vigente desde (hora del centro)').fill('2030-01-01T00:00');
  await form.getByRole('button', { name: 'Revisar impacto' }).click();
  await expect(page.getByRole('alert')).toContainText('a lo más 6 decimales');
  await form.getByLabel('MXN por unidad').fill('19.25');
  await form.getByRole('button', { name: 'Revisar impacto' }).click();
  const impact = page.getByLabel('Impacto en el periodo abierto');
  await expect(impact).toContainText('No afecta las comisiones del periodo abierto');
  await screenshot(page, '81-rate-impact');
  await impact.getByRole('button', { name: 'Registrar tipo de cambio' }).click();
  await expect(page.getByRole('status')).toContainText('Tipo de cambio registrado');
  await expect(page.getByRole('cell', { name: '19.250000' })).toBeVisible();
  await screenshot(page, '82-rates');
});

test('a catalogue CSV with one bad row is refused with the row named; a good one applies', async ({ page }) => {
  await loginAsAdmin(page);
  await page.getByRole('link', { name: 'Configuración' }).click();
  await page.getByRole('tab', { name: 'Catálogo' }).click();
  const bad = [HEADER, 'GEL-ALOE,Gel de Aloe Vera,product,150,sí,199.00,160.00,11.00,9.00,45000,38000.00,,', 'CREMA-NOCHE,Crema de Noche,product,-20,sí,250,200,,,,,,'].join('\n');
  await page.getByLabel('Archivo CSV').setInputFiles({ name: 'catalogo.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await expect(page.getByRole('alert')).toContainText('no se aplicará nada');
  await expect(page.getByRole('cell', { name: 'El PV no puede ser negativo' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Aplicar importación' })).toBeDisabled();
  await screenshot(page, '83-catalogue-row-error');
  const good = bad.replace(',-20,', ',20,');
  await page.getByLabel('Archivo CSV').setInputFiles({ name: 'catalogo.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await expect(page.getByText('El archivo es válido: 2 filas.')).toBeVisible();
  await page.getByRole('button', { name: 'Aplicar importación' }).click();
  await expect(page.getByText('Catálogo actualizado.')).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Gel de Aloe Vera' })).toBeVisible();
  await screenshot(page, '84-catalogue');
});
