import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { parseCatalogueCsv } from '../../domain/catalogue';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

const HEADER = 'sku,name,kind,pv,active,price_MX,vn_MX,price_US,vn_US,price_CO,vn_CO,price_DO,vn_DO';
const GOOD = [
  HEADER,
  'FULL-SUPPLEMENT,Kit Full Supplement,kit,1670,sí,1996,0,120,0,479000,0,,',
  'OMEGA-3,Omega 3 Premium,product,293,sí,349.00,293.00,20.00,16.00,80000,67400.00,1150,950',
].join('\n');

describe('catalogue CSV', () => {
  it('parses a valid file', () => {
    const { rows, errors } = parseCatalogueCsv(GOOD);
    expect(errors).toEqual([]);
    expect(rows[1]).toMatchObject({ sku: 'OMEGA-3', kind: 'product', pv: '293', active: true });
    expect(rows[1]!.prices).toHaveLength(4);
    expect(rows[0]!.prices.map((p) => p.country)).toEqual(['MX', 'US', 'CO']);
  });

  it('names the row and field of every error', () => {
    const { errors } = parseCatalogueCsv(
      [
        HEADER,
        'A-1,Uno,product,-5,sí,10,8,,,,,,',
        'A-1,Dos,product,10,sí,10,8,,,,,,',
        'B-1,Tres,kit,10,sí,10,3,,,,,,',
        'C-1,Cuatro,product,10,sí,10.001,8,,,,,,',
      ].join('\n'),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 2, field: 'pv' }),
        expect.objectContaining({ row: 3, field: 'sku', message: expect.stringContaining('duplicado') }),
        expect.objectContaining({ row: 4, field: 'vn_MX' }),
        expect.objectContaining({ row: 5, field: 'price_MX' }),
      ]),
    );
  });

  it('applies nothing when one row is bad, everything when all are good', async () => {
    const bad = GOOD + '\nBAD-ONE,Malo,product,-1,sí,10,8,,,,,,';
    const preview = await t.must('catalogue.importPreview', { csv: bad }, t.tokens.admin);
    expect(preview.valid).toBe(false);
    expect(preview.errors).toEqual([expect.objectContaining({ row: 4, field: 'pv' })]);
    const refused = await t.call('catalogue.importApply', { csv: bad }, t.tokens.admin);
    expect(!refused.ok && refused.error.code).toBe('VALIDATION');
    expect(await t.must('catalogue.list', {}, t.tokens.admin)).toEqual([]);

    const ok = await t.must('catalogue.importApply', { csv: GOOD }, t.tokens.admin);
    expect(ok.changes.map((c) => c.change)).toEqual(['new', 'new']);
    const list = await t.must('catalogue.list', {}, t.tokens.support);
    expect(list.map((p) => p.sku).sort()).toEqual(['FULL-SUPPLEMENT', 'OMEGA-3']);

    const again = await t.must('catalogue.importPreview', { csv: GOOD.replace('349.00,293.00', '359.00,293.00') }, t.tokens.admin);
    expect(again.changes.find((c) => c.sku === 'OMEGA-3')).toEqual({ sku: 'OMEGA-3', change: 'changed', fields: ['price_MX'] });
    expect(again.changes.find((c) => c.sku === 'FULL-SUPPLEMENT')!.change).toBe('unchanged');
  });

  it('only admins import; support and finance get FORBIDDEN', async () => {
    for (const role of ['support', 'finance'] as const) {
      const r = await t.call('catalogue.importApply', { csv: GOOD }, t.tokens[role]);
      expect(!r.ok && r.error.code).toBe('FORBIDDEN');
    }
  });

  it('deactivates a product, audited', async () => {
    const [p] = await t.must('catalogue.list', {}, t.tokens.admin);
    await t.must('catalogue.setActive', { id: p!.id, active: false }, t.tokens.admin);
    expect((await t.must('catalogue.list', { includeInactive: false }, t.tokens.admin)).some((x) => x.id === p!.id)).toBe(false);
    const audit = await t.must('audit.list', { action: 'catalogue.setActive' }, t.tokens.admin);
    expect(audit.rows[0]!.entityId).toBe(String(p!.id));
  });
});
