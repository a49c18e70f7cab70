import Papa from 'papaparse';
import { COUNTRIES, type Country } from './money';

/**
 * The catalogue CSV: one row per product, PV once, price and VN per country.
 *   sku,name,kind,pv,active,price_MX,vn_MX,price_US,vn_US,price_CO,vn_CO,price_DO,vn_DO
 * A country whose price and VN are both empty is not sold there.
 */
export interface CatalogueRow {
  sku: string;
  name: string;
  kind: 'kit' | 'product';
  pv: string;
  active: boolean;
  prices: { country: Country; price: string; vn: string }[];
}
export interface RowError {
  row: number;
  field: string | null;
  message: string;
}

const REQUIRED = ['sku', 'name', 'kind', 'pv'] as const;
const DECIMAL_2 = /^\d{1,14}(\.\d{1,2})?$/;

export function parseCatalogueCsv(text: string): { rows: CatalogueRow[]; errors: RowError[] } {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy', transformHeader: (h) => h.trim() });
  const errors: RowError[] = [];
  for (const e of parsed.errors) errors.push({ row: (e.row ?? 0) + 2, field: null, message: `CSV mal formado: ${e.message}` });
  const headers = parsed.meta.fields ?? [];
  for (const h of REQUIRED) if (!headers.includes(h)) errors.push({ row: 1, field: h, message: `Falta la columna «${h}»` });
  if (errors.some((e) => e.row === 1)) return { rows: [], errors };

  const rows: CatalogueRow[] = [];
  const seen = new Map<string, number>();
  parsed.data.forEach((raw, i) => {
    const line = i + 2; // header is line 1
    const get = (k: string) => (raw[k] ?? '').trim();
    const bad = (field: string | null, message: string) => errors.push({ row: line, field, message });
    const sku = get('sku').toUpperCase();
    if (!/^[A-Z0-9][A-Z0-9-]{1,39}$/.test(sku)) bad('sku', 'SKU inválido (letras, números y guiones)');
    else if (seen.has(sku)) bad('sku', `SKU duplicado: ya aparece en la fila ${seen.get(sku)}`);
    else seen.set(sku, line);
    const name = get('name');
    if (name.length < 2 || name.length > 120) bad('name', 'Nombre requerido (2 a 120 caracteres)');
    const kind = get('kind').toLowerCase();
    if (kind !== 'kit' && kind !== 'product') bad('kind', 'Tipo debe ser «kit» o «product»');
    const pv = get('pv');
    if (pv.startsWith('-')) bad('pv', 'El PV no puede ser negativo');
    else if (!DECIMAL_2.test(pv)) bad('pv', 'PV debe ser un número con a lo más 2 decimales');
    const activeRaw = get('active').toLowerCase();
    if (activeRaw && !['true', 'false', '1', '0', 'si', 'sí', 'no'].includes(activeRaw)) bad('active', 'Activo debe ser sí/no');
    const prices: CatalogueRow['prices'] = [];
    for (const c of COUNTRIES) {
      const price = get(`price_${c}`);
      const vn = get(`vn_${c}`);
      if (!price && !vn) continue;
      for (const [field, v] of [
        [`price_${c}`, price],
        [`vn_${c}`, vn],
      ] as const) {
        if (v.startsWith('-')) bad(field, 'No puede ser negativo');
        else if (!DECIMAL_2.test(v)) bad(field, 'Importe con a lo más 2 decimales requerido');
      }
      if (kind === 'kit' && vn && /[1-9]/.test(vn)) bad(`vn_${c}`, 'Un kit no genera VN: debe ser 0');
      prices.push({ country: c, price, vn });
    }
    if (prices.length === 0) bad(null, 'Sin precio en ningún país');
    rows.push({ sku, name, kind: kind as CatalogueRow['kind'], pv, active: !['false', '0', 'no'].includes(activeRaw), prices });
  });
  if (rows.length === 0 && errors.length === 0) errors.push({ row: 1, field: null, message: 'El archivo no tiene filas' });
  return { rows, errors };
}
