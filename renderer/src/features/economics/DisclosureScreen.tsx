import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import Decimal from 'decimal.js';
import { useProcedure } from '../../api/hooks';
import type { InputOf } from '../../../../shared/contract';
import { ErrorBanner, Loading, Page, ScrollBox } from '../common/ui';
import { formatMoney } from '../../../../shared/format';
import { csvHeader, csvRows, saveText } from '../common/csv';
import { percent } from './parts';
import './economics.css';

/** The income disclosure report: a year or a range of closed periods; CSV and a printable page. */
export function DisclosureScreen() {
  const { t } = useTranslation();
  const thisYear = new Date().getUTCFullYear();
  const [year, setYear] = useState(String(thisYear));
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [input, setInput] = useState<InputOf<'reports.disclosure'>>({ year: thisYear });
  const q = useProcedure('reports.disclosure', input, { retry: false });
  const d = q.data;
  function submit(e: FormEvent) {
    e.preventDefault();
    setInput(from || to ? { from, to } : { year: Number(year) });
  }
  const cols = ['rank', 'members', 'share', 'earners', 'mean', 'median', 'p10', 'p90', 'highest', 'nothing'] as const;
  function exportCsv() {
    if (!d) return;
    const head = cols.map((c) => t(`economics.disclosure.${c}`));
    const body = d.rows.map((r) => [
      t(`rank.${r.rank}`),
      r.members,
      pct(r.shareOfMembers),
      pct(r.shareEarning),
      r.meanMxn,
      r.medianMxn,
      r.p10Mxn,
      r.p90Mxn,
      r.highestMxn,
      r.nonEarners,
    ]);
    saveText(`declaracion-ingresos-${d.from}-${d.to}.csv`, csvHeader(head) + csvRows(body));
  }
  return (
    <Page title={t('economics.disclosure.title')} intro={t('economics.disclosure.intro')}>
      <div className="disclosure-page" data-testid="disclosure">
        <form className="card inline-form no-print" onSubmit={submit}>
          <label>
            {t('economics.disclosure.year')}
            <input value={year} onChange={(e) => setYear(e.target.value)} inputMode="numeric" pattern="\d{4}" />
          </label>
          <label>
            {t('economics.disclosure.from')}
            <input value={from} onChange={(e) => setFrom(e.target.value)} placeholder={t('economics.disclosure.periodFormat')} pattern="\d{4}-\d{2}" />
          </label>
          <label>
            {t('economics.disclosure.to')}
            <input value={to} onChange={(e) => setTo(e.target.value)} placeholder={t('economics.disclosure.periodFormat')} pattern="\d{4}-\d{2}" />
          </label>
          <button type="submit" className="primary">
            {t('economics.disclosure.show')}
          </button>
          <button type="button" onClick={exportCsv} disabled={!d}>
            {t('economics.disclosure.csv')}
          </button>
          <button type="button" onClick={() => window.print()} disabled={!d}>
            {t('economics.disclosure.print')}
          </button>
        </form>
        <ErrorBanner error={q.error} />
        {q.isLoading ? (
          <Loading />
        ) : (
          d && (
            <section className="card" aria-label={t('economics.disclosure.title')}>
              <p>{t('economics.disclosure.periods', { list: d.periods.join(', ') })}</p>
              <p>
                {t('economics.disclosure.summary', {
                  members: d.members.toLocaleString('es-MX'),
                  earners: d.earners.toLocaleString('es-MX'),
                  nothing: d.nonEarners.toLocaleString('es-MX'),
                })}
              </p>
              <ScrollBox>
                <table className="data">
                  <thead>
                    <tr>
                      {cols.map((c) => (
                        <th key={c}>{t(`economics.disclosure.${c}`)}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {d.rows.map((r) => (
                      <tr key={r.rank}>
                        <td>{t(`rank.${r.rank}`)}</td>
                        <td className="num">{r.members.toLocaleString('es-MX')}</td>
                        <td className="num">{percent(r.shareOfMembers)}</td>
                        <td className="num">{percent(r.shareEarning)}</td>
                        <td className="num">{mxn(r.meanMxn)}</td>
                        <td className="num">{mxn(r.medianMxn)}</td>
                        <td className="num">{mxn(r.p10Mxn)}</td>
                        <td className="num">{mxn(r.p90Mxn)}</td>
                        <td className="num">{mxn(r.highestMxn)}</td>
                        <td className="num">{r.nonEarners.toLocaleString('es-MX')}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th scope="row">{t('economics.disclosure.total')}</th>
                      <td className="num">{d.members.toLocaleString('es-MX')}</td>
                      <td className="num">100.00 %</td>
                      <td className="num">{d.members ? percent(new Decimal(d.earners).div(d.members).toFixed(6)) : '—'}</td>
                      <td className="num">{mxn(d.meanMxn)}</td>
                      <td colSpan={4} />
                      <td className="num">{d.nonEarners.toLocaleString('es-MX')}</td>
                    </tr>
                  </tfoot>
                </table>
              </ScrollBox>
              <p className="muted small">{t('economics.disclosure.method')}</p>
            </section>
          )
        )}
      </div>
    </Page>
  );
}

/** An MXN amount without the currency code: the page says once that every amount is in MXN (ten columns fit). */
const mxn = (amount: string | null) => formatMoney(amount, 'MXN').replace(/ MXN$/, '');

const pct = (r: string | null) => (r == null ? '' : new Decimal(r).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2));
