import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useProcedure } from '../../api/hooks';
import { call } from '../../api/client';
import type { OutputOf } from '../../../../shared/contract';
import type { AppError } from '../../../../shared/errors';
import { useSession } from '../../stores/session';
import { DateTime, ErrorBanner, Loading, Money, Page } from '../common/ui';
import { CommissionLines } from './CommissionLines';
import './commissions.css';

type ByType = Record<string, Record<string, string>>;

function TotalsTable({ byType, byCurrency }: { byType: ByType; byCurrency: Record<string, string> }) {
  const { t } = useTranslation();
  const currencies = Object.keys(byCurrency).sort();
  return (
    <table className="commission-table">
      <thead><tr><th>{t('commissions.type')}</th>{currencies.map((c) => <th key={c} className="num">{c}</th>)}</tr></thead>
      <tbody>
        {Object.entries(byType).map(([type, v]) => (
          <tr key={type}><td>{t(`commissions.types.${type}`, { defaultValue: type })}</td>
            {currencies.map((c) => <td key={c} className="num">{v[c] ? <Money amount={v[c]} currency={c} /> : '—'}</td>)}</tr>
        ))}
        <tr className="total"><th>{t('commissions.byCurrency')}</th>{currencies.map((c) => <th key={c} className="num"><Money amount={byCurrency[c]} currency={c} /></th>)}</tr>
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
      qc.setQueryData(['commissions.preview', {}], r);
    } catch (e) {
      setError(e as AppError);
    } finally {
      setRunning(false);
    }
  };
  return (
    <section className="card commission-preview" aria-label={t('commissions.preview.button')}>
      <button type="button" className="primary" disabled={running} onClick={() => void run()}>{running ? t('commissions.preview.running') : t('commissions.preview.button')}</button>
      <ErrorBanner error={error} />
      {data && (
        <div>
          <h2>{t('commissions.preview.title', { period: data.periodKey })}</h2>
          <p className="muted">{t('commissions.preview.computedAt')}: <DateTime iso={data.computedAt} /> · {t('commissions.lines')}: {data.lines} · {t('commissions.beneficiaries')}: {data.beneficiaries} · {t('commissions.preview.ms', { ms: data.ms })}</p>
          <TotalsTable byType={data.byType} byCurrency={data.byCurrency} />
          <h3>{data.previous ? t('commissions.preview.previous', { period: data.previous.periodKey }) : t('commissions.preview.noPrevious')}</h3>
          {data.previous && (
            <table className="commission-table">
              <thead><tr><th>{t('commissions.currency')}</th><th className="num">{data.previous.periodKey}</th><th className="num">{data.periodKey}</th><th className="num">{t('commissions.preview.difference')}</th></tr></thead>
              <tbody>{Object.entries(data.differenceByCurrency).map(([c, d]) => (
                <tr key={c}><td>{c}</td><td className="num"><Money amount={data.previous!.byCurrency[c] ?? '0.00'} currency={c} /></td>
                  <td className="num"><Money amount={data.byCurrency[c] ?? '0.00'} currency={c} /></td><td className="num"><Money amount={d} currency={c} /></td></tr>
              ))}</tbody>
            </table>
          )}
          <h3>{t('commissions.preview.top')}</h3>
          <table className="commission-table">
            <thead><tr><th>{t('commissions.cols.member')}</th><th className="num">{t('commissions.amount')}</th></tr></thead>
            <tbody>{data.top.map((x) => (
              <tr key={x.memberId}><td><Link to={`/members/${x.memberId}`}>{x.code} · {x.name}</Link></td><td className="num"><Money amount={x.amount} currency={x.currency} /></td></tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function CommissionsScreen() {
  const { t } = useTranslation();
  const role = useSession((s) => s.staff?.role);
  const totals = useProcedure('commissions.periodTotals', {});
  const [key, setKey] = useState<string>('');
  const [memberInput, setMemberInput] = useState('');
  const [memberId, setMemberId] = useState<number | null>(null);
  const rows = totals.data ?? [];
  useEffect(() => { if (!key && rows[0]) setKey(rows[0].periodKey); }, [key, rows]);
  const selected = rows.find((r) => r.periodKey === key) ?? null;
  return (
    <Page title={t('commissions.title')} intro={t('commissions.intro')}>
      <ErrorBanner error={totals.error} />
      {(role === 'admin' || role === 'finance') && <Preview />}
      <section className="card">
        <h2>{t('commissions.totals')}</h2>
        {totals.isLoading ? <Loading /> : rows.length === 0 ? <p className="muted">{t('commissions.noPeriods')}</p> : (
          <>
            <label>{t('commissions.period')}{' '}
              <select aria-label={t('commissions.period')} value={key} onChange={(e) => setKey(e.target.value)}>
                {rows.map((r) => <option key={r.periodKey} value={r.periodKey}>{r.periodKey}</option>)}
              </select>
            </label>
            {selected && (
              <>
                <p className="muted">{t('commissions.lines')}: {selected.lines} · {t('commissions.beneficiaries')}: {selected.beneficiaries}</p>
                <TotalsTable byType={selected.byType} byCurrency={selected.byCurrency} />
              </>
            )}
          </>
        )}
      </section>
      <section className="card">
        <h2>{t('commissions.member.title')}</h2>
        <form onSubmit={(e) => { e.preventDefault(); const n = Number(memberInput); setMemberId(Number.isInteger(n) && n > 0 ? n : null); }}>
          <label>{t('commissions.member.id')}{' '}<input aria-label={t('commissions.member.id')} inputMode="numeric" value={memberInput} onChange={(e) => setMemberInput(e.target.value)} /></label>{' '}
          <button type="submit">{t('commissions.member.show')}</button>
          {memberId && <>{' '}<Link to={`/members/${memberId}`}>{t('commissions.member.open')}</Link></>}
        </form>
        {memberId && <CommissionLines key={`${memberId}-${key}`} memberId={memberId} periodKey={key || undefined} />}
      </section>
    </Page>
  );
}
