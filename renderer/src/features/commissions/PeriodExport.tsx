import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../api/client';
import type { AppError } from '../../../../shared/errors';
import type { InputOf, OutputOf } from '../../../../shared/contract';
import { ErrorBanner } from '../common/ui';

type Line = OutputOf<'commissions.periodLines'>['rows'][number];
const PAGE = 5000;
const TYPES = ['directo', 'rapido', 'uninivel', 'alcance', 'matching', 'automovil'] as const;
const CURRENCIES = ['MXN', 'USD', 'COP', 'DOP'] as const;
const COUNTRIES = ['MX', 'US', 'CO', 'DO'] as const;

/** Columns of the period CSV: the line, its beneficiary, and the exchange rates used (MXN per unit). */
export const PERIOD_CSV_HEADER = ['id', 'period', 'type', 'kind', 'beneficiary_id', 'beneficiary_code', 'country', 'source_kind', 'source_id', 'level',
  'base', 'base_currency', 'rate', 'amount', 'currency', 'fx_from_mxn', 'fx_to_mxn', 'created_at'];

function field(v: string | number | null): string {
  let s = v == null ? '' : String(v);
  if (/^[=+\-@]/.test(s) && typeof v === 'string' && !/^-?\d/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Amounts, bases, rates and exchange rates are written as the decimal strings the contract carries. */
export function periodCsvLines(rows: Line[]): string {
  return rows.map((l) => [l.id, l.periodKey, l.type, l.kind, l.beneficiaryId, l.beneficiaryCode, l.country, l.sourceKind, l.sourceId, l.level,
    l.base, l.baseCurrency, l.rate, l.amount, l.currency, l.fxFrom, l.fxTo, l.createdAt].map(field).join(',')).join('\r\n') + (rows.length ? '\r\n' : '');
}

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
  const [done, setDone] = useState(0);
  const [total, setTotal] = useState(0);
  const [state, setState] = useState<'idle' | 'working' | 'done' | 'cancelled'>('idle');
  const [error, setError] = useState<AppError | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const cancel = useRef(false);
  const fileName = `comisiones-${periodKey}${type ? `-${type}` : ''}${currency ? `-${currency}` : ''}${country ? `-${country}` : ''}.csv`;
  useEffect(() => () => { cancel.current = true; if (url) URL.revokeObjectURL(url); }, [url]);

  async function run() {
    cancel.current = false;
    setState('working'); setDone(0); setTotal(0); setError(null);
    const parts: string[] = ['\uFEFF' + PERIOD_CSV_HEADER.join(',') + '\r\n'];
    const filters = { periodKey, ...(type ? { type } : {}), ...(currency ? { currency } : {}), ...(country ? { country } : {}) } as InputOf<'commissions.periodLines'>;
    let after: number | undefined;
    let upTo: number | undefined;
    let count = 0;
    try {
      for (;;) {
        const page = await call('commissions.periodLines', { ...filters, limit: PAGE, ...(after !== undefined ? { after, upTo } : {}) });
        if (cancel.current) { setState('cancelled'); return; }
        if (page.total !== null) setTotal(page.total);
        if (page.upTo !== null) upTo = page.upTo;
        parts.push(periodCsvLines(page.rows));
        count += page.rows.length;
        setDone(count);
        if (page.nextAfter === null) break;
        after = page.nextAfter;
      }
    } catch (e) {
      setError(e as AppError); setState('idle'); return;
    }
    const href = URL.createObjectURL(new Blob(parts, { type: 'text/csv;charset=utf-8' }));
    setUrl(href);
    setState('done');
    download(href);
  }
  function download(href: string) {
    const a = document.createElement('a');
    a.href = href; a.download = fileName; document.body.appendChild(a); a.click(); a.remove();
  }
  const pct = state === 'done' ? 100 : Math.min(100, Math.round((done / Math.max(1, total)) * 100));
  const select = (label: string, value: string, set: (v: string) => void, options: readonly string[], text: (o: string) => string) => (
    <label>{label}
      <select aria-label={label} value={value} disabled={state === 'working'} onChange={(e) => set(e.target.value)}>
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
        <ErrorBanner error={error} />
        {state !== 'idle' && (
          <>
            <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}><div style={{ width: `${pct}%`, transition: state === 'done' ? 'none' : undefined }} /></div>
            <div className="small" role="status">
              {state === 'working' && t('commissions.export.working', { done: done.toLocaleString('es-MX'), total: total.toLocaleString('es-MX') })}
              {state === 'done' && t('commissions.export.done', { count: done })}
              {state === 'cancelled' && t('commissions.export.cancelled')}
            </div>
          </>
        )}
        <div className="dialog-actions">
          {state === 'working'
            ? <button type="button" onClick={() => { cancel.current = true; }}>{t('commissions.export.cancel')}</button>
            : <button type="button" onClick={onClose}>{t('common.close')}</button>}
          {state === 'done' && url && <button type="button" onClick={() => download(url)}>{t('commissions.export.download')}</button>}
          {(state === 'idle' || state === 'cancelled' || state === 'done') && <button type="button" className="primary" onClick={() => void run()}>{t('commissions.export.start')}</button>}
        </div>
      </div>
    </div>
  );
}
