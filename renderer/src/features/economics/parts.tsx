import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import Decimal from 'decimal.js';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useProcedure } from '../../api/hooks';
import { formatInstant } from '../../../../shared/format';
import { usePreferences } from '../../stores/preferences';
import { ErrorBanner, Loading, Money } from '../common/ui';
import './economics.css';

/** "0.237267" → "23.73 %" (the ratio is a decimal string; shown as a percentage, 2 decimals). */
export function percent(ratio: string | null | undefined): string {
  if (ratio == null) return '—';
  return `${new Decimal(ratio).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2)} %`;
}

/**
 * The dashboard's card: the payout ratio of the last 12 periods. The chart is a picture (no tab
 * stops: accessibilityLayer off, hidden from assistive technology); the same figures are in the
 * table under it, which keyboard and screen-reader users read.
 */
export function PayoutHistoryCard() {
  const { t } = useTranslation();
  const q = useProcedure('economics.payoutHistory', {});
  const rows = q.data ?? [];
  const chart = rows.map((r) => ({ key: r.periodKey, ratio: r.ratio == null ? null : new Decimal(r.ratio).times(100).toNumber() }));
  return (
    <section className="card payout-card" aria-label={t('economics.payout.chartTitle')} data-testid="payout-history">
      <h2>{t('economics.payout.chartTitle')}</h2>
      <ErrorBanner error={q.error} />
      {q.isLoading ? (
        <Loading />
      ) : (
        <>
          <div className="chart-box" aria-hidden="true">
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={chart} margin={{ top: 8, right: 16, bottom: 4, left: 8 }} accessibilityLayer={false}>
                <CartesianGrid stroke="#eef1f5" vertical={false} />
                <XAxis dataKey="key" tick={{ fontSize: 12 }} padding={{ left: 32, right: 32 }} />
                <YAxis tick={{ fontSize: 12 }} tickFormatter={(v: number) => `${v} %`} width={56} />
                <Tooltip formatter={(v) => `${Number(v).toFixed(2)} %`} />
                <Line
                  dataKey="ratio"
                  name={t('economics.payout.ratio')}
                  stroke="#b4532a"
                  strokeWidth={2}
                  dot={{ r: 3 }}
                  connectNulls
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </div>
          <details className="payout-table">
            <summary>{t('economics.payout.intro')}</summary>
            <table className="data">
              <thead>
                <tr>
                  <th>{t('economics.payout.period')}</th>
                  <th>{t('economics.payout.ratio')}</th>
                  <th>{t('economics.payout.commissions')}</th>
                  <th>{t('economics.payout.vn')}</th>
                  <th>{t('economics.payout.plan')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.periodKey}>
                    <td className="mono">{r.periodKey}</td>
                    <td className="num">{r.source === 'none' ? <span className="muted">{t('economics.payout.noPreview')}</span> : percent(r.ratio)}</td>
                    <td>
                      <Money amount={r.commissionsMxn} currency="MXN" />
                    </td>
                    <td>
                      <Money amount={r.vnMxn} currency="MXN" />
                    </td>
                    <td>{r.plan ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}

/** The period screen's card: the chosen period's ratio overall, per bonus and per country, and the plan in force. */
export function PeriodPayoutCard({ periodKey }: { periodKey: string }) {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  const q = useProcedure('economics.payout', { periodKey });
  const p = q.data;
  return (
    <section className="card payout-card" aria-label={t('economics.payout.title')} data-testid="period-payout">
      <h2>
        {t('economics.payout.title')} <span className="muted">{periodKey}</span>
      </h2>
      <ErrorBanner error={q.error} />
      {q.isLoading || !p ? (
        <Loading />
      ) : (
        <>
          <div className="stat-grid">
            <div className="stat">
              <div className="label">{t('economics.payout.ratio')}</div>
              <div className="value num">{percent(p.ratio)}</div>
            </div>
            <div className="stat">
              <div className="label">{t('economics.payout.commissions')}</div>
              <div className="value">
                <Money amount={p.commissionsMxn} currency="MXN" />
              </div>
            </div>
            <div className="stat">
              <div className="label">{t('economics.payout.vn')}</div>
              <div className="value">
                <Money amount={p.vnMxn} currency="MXN" />
              </div>
            </div>
            <div className="stat">
              <div className="label">{t('economics.payout.plan')}</div>
              <div className="value small">{p.plan ? `${p.plan.name} (${p.plan.effectiveFromPeriod})` : '—'}</div>
            </div>
          </div>
          <p className="muted small">
            {p.source === 'lines'
              ? t('economics.payout.sourceLines')
              : p.source === 'preview'
                ? t('economics.payout.sourcePreview', { at: formatInstant(p.previewAt, locale) })
                : t('economics.payout.sourceNone')}
          </p>
          <div className="payout-split">
            <table className="data" aria-label={t('economics.payout.byBonus')}>
              <thead>
                <tr>
                  <th>{t('economics.payout.bonus')}</th>
                  <th>{t('economics.payout.commissions')}</th>
                  <th>{t('economics.payout.ratio')}</th>
                </tr>
              </thead>
              <tbody>
                {p.byBonus.map((b) => (
                  <tr key={b.type}>
                    <td>{t(`commissions.types.${b.type}`)}</td>
                    <td>
                      <Money amount={b.commissionsMxn} currency="MXN" />
                    </td>
                    <td className="num">{percent(b.ratio)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table className="data" aria-label={t('economics.payout.byCountry')}>
              <thead>
                <tr>
                  <th>{t('economics.payout.country')}</th>
                  <th>{t('economics.payout.commissions')}</th>
                  <th>{t('economics.payout.vn')}</th>
                  <th>{t('economics.payout.ratio')}</th>
                </tr>
              </thead>
              <tbody>
                {p.byCountry.map((c) => (
                  <tr key={c.country}>
                    <td>{t(`economics.countries.${c.country}`, { defaultValue: c.country })}</td>
                    <td>
                      <Money amount={c.commissionsMxn} currency="MXN" />
                    </td>
                    <td>
                      <Money amount={c.vnMxn} currency="MXN" />
                    </td>
                    <td className="num">{percent(c.ratio)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

export const MemberLink = ({ id, code }: { id: number; code: string }) => <Link to={`/members/${id}`}>{code}</Link>;
