import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../api/client';
import type { InputOf, OutputOf } from '../../../../shared/contract';
import { ExportProgress, usePagedExport, type CsvCell } from '../common/csv';

type Line = OutputOf<'commissions.periodLines'>['rows'][number];
const PAGE = 5000;
const TYPES = ['directo', 'rapido', 'uninivel', 'alcance', 'matching', 'automovil'] as const;
const CURRENCIES = ['MXN', 'USD', 'COP', 'DOP'] as const;
const COUNTRIES = ['MX', 'US', 'CO', 'DO'] as const;

/** Columns of the period CSV: the line, its beneficiary, and the exchange rates used (MXN per unit). */
export const PERIOD_CSV_HEADER = ['id', 'period', 'type', 'kind', 'beneficiary_id', 'beneficiary_code', 'country', 'source_kind', 'source_id', 'level',
  'base', 'base_currency', 'rate', 'amount', 'currency', 'fx_from_mxn', 'fx_to_mxn', 'created_at'];

/** Amounts, bases, rates and exchange rates are written as the decimal strings the contract carries. */
const cells = (l: Line): CsvCell[] => [l.id, l.periodKey, l.type, l.kind, l.beneficiaryId, l.beneficiaryCode, l.country, l.sourceKind, l.sourceId, l.level,
  l.base, l.baseCurrency, l.rate, l.amount, l.currency, l.fxFrom, l.fxTo, l.createdAt];

/**
 * Export of a whole period's posted lines, pulled page by page (5,000 lines, keyset on the line id)
 * and assembled into a Blob in the renderer, with progress; cancellable. Optional filters by type,
 * currency and beneficiary country.
 */
export function PeriodExportDialog({ periodKey, onClose }: { periodKey: string; onClose: () => void }) {
  const { t } = useTranslation();
  const [type, setType] = useState('');
  const [currency, setCurrency] = useState('');
  const [country, setCountry] = useState('');
  const exp = usePagedExport();
  const fileName = `comisiones-${periodKey}${type ? `-${type}` : ''}${currency ? `-${currency}` : ''}${country ? `-${country}` : ''}.csv`;

  async function* pages() {
    const filters = { periodKey, ...(type ? { type } : {}), ...(currency ? { currency } : {}), ...(country ? { country } : {}) } as InputOf<'commissions.periodLines'>;
    let after: number | undefined;
    let upTo: number | undefined;
    for (;;) {
      const page = await call('commissions.periodLines', { ...filters, limit: PAGE, ...(after !== undefined ? { after, upTo } : {}) });
      if (page.upTo !== null) upTo = page.upTo;
      yield { rows: page.rows.map(cells), total: page.total };
      if (page.nextAfter === null) return;
      after = page.nextAfter;
    }
  }
  const start = () => void exp.run({ fileName, header: PERIOD_CSV_HEADER, pages });
  const select = (label: string, value: string, set: (v: string) => void, options: readonly string[], text: (o: string) => string) => (
    <label>{label}
      <select aria-label={label} value={value} disabled={exp.state === 'working'} onChange={(e) => set(e.target.value)}>
        <option value="">{t('commissions.export.all')}</option>
        {options.map((o) => <option key={o} value={o}>{text(o)}</option>)}
      </select>
    </label>
  );

  return (
    <div className="dialog-backdrop" role="dialog" aria-modal="true" aria-label={t('commissions.export.title', { period: periodKey })}>
      <div className="dialog">
        <h2>{t('commissions.export.title', { period: periodKey })}</h2>
        <p className="muted">{t('commissions.export.intro')}</p>
        <div className="filters">
          {select(t('commissions.type'), type, setType, TYPES, (o) => t(`commissions.types.${o}`))}
          {select(t('commissions.currency'), currency, setCurrency, CURRENCIES, (o) => o)}
          {select(t('commissions.country'), country, setCountry, COUNTRIES, (o) => t(`commissions.countries.${o}`))}
        </div>
        <ExportProgress exp={exp} texts="commissions.export" onStart={start} onClose={onClose} />
      </div>
    </div>
  );
}
