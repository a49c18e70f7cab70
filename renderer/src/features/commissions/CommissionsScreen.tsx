import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useProcedure } from '../../api/hooks';
import { call } from '../../api/client';
import type { OutputOf } from '../../../../shared/contract';
import type { AppError } from '../../../../shared/errors';
import { useSession } from '../../stores/session';
import { usePreferences } from '../../stores/preferences';
import { DateTime, ErrorBanner, Loading, Money, Page } from '../common/ui';
import { CommissionLines } from './CommissionLines';
import { PeriodExportDialog } from './PeriodExport';
import { ProgrammesPanel } from './ProgrammesPanel';
import './commissions.css';

type ByType = Record<string, Record<string, string>>;
type ByCountry = OutputOf<'commissions.countryTotals'>['rows'];

function CountryTable({ rows, label }: { rows: ByCountry; label?: string }) {
  const { t } = useTranslation();
  return (
    <table className="commission-table" aria-label={label ?? t('commissions.byCountry')}>
      <thead>
        <tr>
          <th>{t('commissions.country')}</th>
          <th>{t('commissions.currency')}</th>
          <th className="num">{t('commissions.amount')}</th>
          <th className="num">{t('commissions.beneficiaries')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.country}-${r.currency}`}>
            <td>{t(`commissions.countries.${r.country}`, { defaultValue: r.country })}</td>
            <td>{r.currency}</td>
            <td className="num">
              <Money amount={r.amount} currency={r.currency} />
            </td>
            <td className="num">{r.beneficiaries.toLocaleString('es-MX')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Previous and current totals per type and currency with their difference (stored previews). */
function PreviewDiff({ data }: { data: OutputOf<'commissions.preview'> }) {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  const prev = data.previousPreview;
  const diff = data.differenceFromPreviousPreview;
  if (!prev || !diff) return <p className="muted">{t('commissions.stored.first')}</p>;
  // With seconds: two previews a minute apart must be told apart. Display in Mexico City time.
  const at = new Intl.DateTimeFormat(locale === 'es-MX' ? 'es-MX' : 'en-US', {
    timeZone: 'America/Mexico_City',
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(new Date(prev.at));
  const rows: { type: string; currency: string }[] = [];
  for (const [type, v] of Object.entries(diff.byType)) for (const currency of Object.keys(v).sort()) rows.push({ type, currency });
  return (
    <>
      <h3>{t('commissions.stored.diffTitle', { at, by: prev.staffName ?? '—' })}</h3>
      <table className="commission-table" aria-label={t('commissions.stored.diffLabel')}>
        <thead>
          <tr>
            <th>{t('commissions.type')}</th>
            <th>{t('commissions.currency')}</th>
            <th className="num">{t('commissions.stored.previousCol')}</th>
            <th className="num">{t('commissions.stored.currentCol')}</th>
            <th className="num">{t('commissions.preview.difference')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ type, currency }) => (
            <tr key={`${type}-${currency}`}>
              <td>{t(`commissions.types.${type}`, { defaultValue: type })}</td>
              <td>{currency}</td>
              <td className="num">
                <Money amount={prev.byType[type]?.[currency] ?? '0.00'} currency={currency} />
              </td>
              <td className="num">
                <Money amount={data.byType[type]?.[currency] ?? '0.00'} currency={currency} />
              </td>
              <td className="num">
                <Money amount={diff.byType[type]![currency]} currency={currency} />
              </td>
            </tr>
          ))}
          {Object.entries(diff.byCurrency).map(([c, d]) => (
            <tr key={`total-${c}`} className="total">
              <th>{t('commissions.byCurrency')}</th>
              <th>{c}</th>
              <th className="num">
                <Money amount={prev.byCurrency[c] ?? '0.00'} currency={c} />
              </th>
              <th className="num">
                <Money amount={data.byCurrency[c] ?? '0.00'} currency={c} />
              </th>
              <th className="num">
                <Money amount={d} currency={c} />
              </th>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {t('commissions.lines')}: {prev.lines} → {data.lines} · {t('commissions.beneficiaries')}: {prev.beneficiaries} → {data.beneficiaries}
      </p>
    </>
  );
}

function StoredPreviews() {
  const { t } = useTranslation();
  const list = useProcedure('commissions.previews', {});
  const rows = list.data?.rows ?? [];
  if (!list.data?.periodKey) return null;
  return (
    <details className="stored-previews">
      <summary>
        {t('commissions.stored.title', { period: list.data.periodKey })} ({rows.length})
      </summary>
      {rows.length === 0 ? (
        <p className="muted">{t('commissions.stored.none')}</p>
      ) : (
        <table className="commission-table">
          <thead>
            <tr>
              <th>{t('commissions.stored.at')}</th>
              <th>{t('commissions.stored.by')}</th>
              <th className="num">{t('commissions.lines')}</th>
              <th className="num">{t('commissions.beneficiaries')}</th>
              {['MXN', 'USD', 'COP', 'DOP'].map((c) => (
                <th key={c} className="num">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <DateTime iso={r.at} />
                </td>
                <td>{r.staffName ?? '—'}</td>
                <td className="num">{r.lines}</td>
                <td className="num">{r.beneficiaries}</td>
                {['MXN', 'USD', 'COP', 'DOP'].map((c) => (
                  <td key={c} className="num">
                    {r.byCurrency[c] ? <Money amount={r.byCurrency[c]} currency={c} /> : '—'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}

function TotalsTable({ byType, byCurrency }: { byType: ByType; byCurrency: Record<string, string> }) {
  const { t } = useTranslation();
  const currencies = Object.keys(byCurrency).sort();
  return (
    <table className="commission-table">
      <thead>
        <tr>
          <th>{t('commissions.type')}</th>
          {currencies.map((c) => (
            <th key={c} className="num">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Object.entries(byType).map(([type, v]) => (
          <tr key={type}>
            <td>{t(`commissions.types.${type}`, { defaultValue: type })}</td>
            {currencies.map((c) => (
              <td key={c} className="num">
                {v[c] ? <Money amount={v[c]} currency={c} /> : '—'}
              </td>
            ))}
          </tr>
        ))}
        <tr className="total">
          <th>{t('commissions.byCurrency')}</th>
          {currencies.map((c) => (
            <th key={c} className="num">
              <Money amount={byCurrency[c]} currency={c} />
            </th>
          ))}
        </tr>
      </tbody>
    </table>
  );
}

function Preview() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [data, setData] = useState<OutputOf<'commissions.preview'> | null>(null);
  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      const r = await call('commissions.preview', {});
      setData(r);
      await qc.invalidateQueries({ queryKey: ['commissions.previews'] });
    } catch (e) {
      setError(e as AppError);
    } finally {
      setRunning(false);
    }
  };
  return (
    <section className="card commission-preview" aria-label={t('commissions.preview.button')}>
      <button type="button" className="primary" disabled={running} onClick={() => void run()}>
        {running ? t('commissions.preview.running') : t('commissions.preview.button')}
      </button>
      <ErrorBanner error={error} />
      {data && (
        <div>
          <h2>{t('commissions.preview.title', { period: data.periodKey })}</h2>
          <p className="muted">
            {t('commissions.preview.computedAt')}: <DateTime iso={data.computedAt} /> · {t('commissions.lines')}: {data.lines} ·{' '}
            {t('commissions.beneficiaries')}: {data.beneficiaries} · {t('commissions.preview.ms', { ms: data.ms })}
          </p>
          <TotalsTable byType={data.byType} byCurrency={data.byCurrency} />
          <h3>{t('commissions.byCountry')}</h3>
          <CountryTable rows={data.byCountry} />
          <PreviewDiff data={data} />
          <h3>{data.previous ? t('commissions.preview.previous', { period: data.previous.periodKey }) : t('commissions.preview.noPrevious')}</h3>
          {data.previous && (
            <table className="commission-table">
              <thead>
                <tr>
                  <th>{t('commissions.currency')}</th>
                  <th className="num">{data.previous.periodKey}</th>
                  <th className="num">{data.periodKey}</th>
                  <th className="num">{t('commissions.preview.difference')}</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(data.differenceByCurrency).map(([c, d]) => (
                  <tr key={c}>
                    <td>{c}</td>
                    <td className="num">
                      <Money amount={data.previous!.byCurrency[c] ?? '0.00'} currency={c} />
                    </td>
                    <td className="num">
                      <Money amount={data.byCurrency[c] ?? '0.00'} currency={c} />
                    </td>
                    <td className="num">
                      <Money amount={d} currency={c} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>{t('commissions.preview.top')}</h3>
          <table className="commission-table">
            <thead>
              <tr>
                <th>{t('commissions.cols.member')}</th>
                <th className="num">{t('commissions.amount')}</th>
              </tr>
            </thead>
            <tbody>
              {data.top.map((x) => (
                <tr key={x.memberId}>
                  <td>
                    <Link to={`/members/${x.memberId}`}>
                      {x.code} · {x.name}
                    </Link>
                  </td>
                  <td className="num">
                    <Money amount={x.amount} currency={x.currency} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <StoredPreviews />
    </section>
  );
}

function PostedCountries({ periodKey }: { periodKey: string }) {
  const { t } = useTranslation();
  const q = useProcedure('commissions.countryTotals', { periodKey });
  if (q.error) return <ErrorBanner error={q.error} />;
  if (!q.data) return <Loading />;
  return (
    <>
      <h3>{t('commissions.byCountry')}</h3>
      <CountryTable rows={q.data.rows} label={`${t('commissions.byCountry')} ${periodKey}`} />
    </>
  );
}

export function CommissionsScreen() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<'summary' | 'programmes'>('summary');
  return (
    <Page title={t('commissions.title')} intro={t('commissions.intro')}>
      <div className="tabs" role="tablist">
        {(['summary', 'programmes'] as const).map((k) => (
          <button key={k} type="button" role="tab" className={tab === k ? 'active' : ''} aria-selected={tab === k} onClick={() => setTab(k)}>
            {t(`commissions.tabs.${k}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="stack">
        {tab === 'summary' ? <Summary /> : <ProgrammesPanel />}
      </div>
    </Page>
  );
}

function Summary() {
  const { t } = useTranslation();
  const role = useSession((s) => s.staff?.role);
  const totals = useProcedure('commissions.periodTotals', {});
  const [key, setKey] = useState<string>('');
  const [memberInput, setMemberInput] = useState('');
  // The code as staff know it (NN0000008, or its digits): the server resolves it, NOT_FOUND says so.
  const [memberCode, setMemberCode] = useState<string | null>(null);
  const member = useProcedure('members.byCode', { code: memberCode ?? '' }, { enabled: memberCode !== null, placeholderData: undefined, retry: false });
  const memberId = memberCode !== null && member.data && !member.isPlaceholderData ? member.data.id : null;
  const rows = totals.data ?? [];
  useEffect(() => {
    if (!key && rows[0]) setKey(rows[0].periodKey);
  }, [key, rows]);
  const selected = rows.find((r) => r.periodKey === key) ?? null;
  const canExport = role === 'admin' || role === 'finance';
  const [exporting, setExporting] = useState(false);
  return (
    <>
      <ErrorBanner error={totals.error} />
      {(role === 'admin' || role === 'finance') && <Preview />}
      <section className="card">
        <h2>{t('commissions.totals')}</h2>
        {totals.isLoading ? (
          <Loading />
        ) : rows.length === 0 ? (
          <p className="muted">{t('commissions.noPeriods')}</p>
        ) : (
          <>
            <div className="filters">
              <label>
                {t('commissions.period')}
                <select aria-label={t('commissions.period')} value={key} onChange={(e) => setKey(e.target.value)}>
                  {rows.map((r) => (
                    <option key={r.periodKey} value={r.periodKey}>
                      {r.periodKey}
                    </option>
                  ))}
                </select>
              </label>
              {selected && canExport && (
                <button type="button" onClick={() => setExporting(true)}>
                  {t('commissions.export.button')}
                </button>
              )}
            </div>
            {selected && (
              <>
                <p className="muted">
                  {t('commissions.lines')}: {selected.lines} · {t('commissions.beneficiaries')}: {selected.beneficiaries}
                </p>
                <TotalsTable byType={selected.byType} byCurrency={selected.byCurrency} />
                <PostedCountries periodKey={selected.periodKey} />
                {exporting && <PeriodExportDialog periodKey={selected.periodKey} onClose={() => setExporting(false)} />}
              </>
            )}
          </>
        )}
      </section>
      <section className="card">
        <h2>{t('commissions.member.title')}</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const c = memberInput.trim();
            setMemberCode(c || null);
          }}
        >
          <label>
            {t('commissions.member.id')}{' '}
            <input
              aria-label={t('commissions.member.id')}
              placeholder={t('commissions.member.placeholder')}
              value={memberInput}
              onChange={(e) => setMemberInput(e.target.value)}
            />
          </label>{' '}
          <button type="submit">{t('commissions.member.show')}</button>
          <p className="muted small">{t('commissions.member.hint')}</p>
        </form>
        {memberCode !== null && member.isFetching && !member.data && <Loading />}
        {memberCode !== null && <ErrorBanner error={member.error} />}
        {memberId && member.data && (
          <>
            <p>
              {t('commissions.member.showing')}:{' '}
              <Link to={`/members/${memberId}`}>
                {member.data.code} · {member.data.firstName} {member.data.lastName}
              </Link>
            </p>
            <CommissionLines key={`${memberId}-${key}`} memberId={memberId} periodKey={key || undefined} />
          </>
        )}
      </section>
    </>
  );
}
