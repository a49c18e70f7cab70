import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useProcedure } from '../../api/hooks';
import { formatMoney, formatPoints, periodProgress } from '../../../../shared/format';
import { usePreferences } from '../../stores/preferences';
import { useSession } from '../../stores/session';
import { DateTime, ErrorBanner, Loading, Money, Page, Points } from '../common/ui';
import { Delta, PeriodName, RankBars, periodLabel } from '../periods/parts';
import '../periods/periods.css';
import { PayoutHistoryCard } from '../economics/parts';

/** The first screen after login: the open period at a glance, from cached aggregates. */
export function DashboardScreen() {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  const role = useSession((s) => s.staff?.role);
  const q = useProcedure('dashboard.summary', {}, { refetchInterval: 30_000 });
  const d = q.data;
  if (q.isLoading)
    return (
      <Page title={t('dashboard.title')}>
        <Loading />
      </Page>
    );
  if (!d)
    return (
      <Page title={t('dashboard.title')}>
        <ErrorBanner error={q.error} />
      </Page>
    );
  if (!d.period)
    return (
      <Page title={t('dashboard.title')}>
        <div className="card muted">{t('dashboard.noPeriod')}</div>
      </Page>
    );

  const prev = d.previousKey;
  // A period still running is compared with a whole one: say so (day N of M) instead of a bare −88 %.
  const partial = periodProgress(d.period.startsAt, d.period.endsAt, Date.now());
  // The chart plots the figures; the numbers it draws are for the picture only, the labels show the exact strings.
  const chart = d.history.map((h) => ({ key: h.key, pv: Number(h.pv), vn: Number(h.vnMxn), active: h.membersActive, pvText: h.pv, vnText: h.vnMxn }));
  return (
    <Page
      title={t('dashboard.title')}
      intro={t('dashboard.intro', {
        key: `${d.period.key} · ${periodLabel(d.period.key, locale)}`,
        status: t(`periods.status.${d.period.status}`).toLowerCase(),
      })}
      actions={role === 'admin' || role === 'finance' ? <Link to="/periods">{t('dashboard.goPeriods')}</Link> : undefined}
    >
      <ErrorBanner error={q.error} />
      {partial && prev && (
        <div className="banner warn" role="note" data-testid="partial-period">
          {t('dashboard.partial', { key: d.period.key, day: partial.day, days: partial.days, prev })}
        </div>
      )}
      {d.ledgerCheck && d.ledgerCheck.mismatches > 0 && (
        <div className="banner error" role="alert" data-testid="ledger-mismatch">
          {t('dashboard.ledgerMismatch', { count: d.ledgerCheck.mismatches })} <DateTime iso={d.ledgerCheck.at} />.
        </div>
      )}
      {/* data-ready: the figures shown are the answer to this load (the bench times navigation to it) */}
      <div className="stat-grid" role="region" aria-label={t('dashboard.title')} data-ready={q.isPlaceholderData ? undefined : 'dashboard'}>
        <div className="stat">
          <div className="label">{t('dashboard.members')}</div>
          <div className="value num">{d.members.total.toLocaleString('es-MX')}</div>
          <div className="sub">{t('dashboard.membersHint')}</div>
        </div>
        <div className="stat">
          <div className="label">{t('dashboard.active')}</div>
          <div className="value num">{d.members.active.toLocaleString('es-MX')}</div>
          <div className="sub">
            <Delta current={d.members.active} previous={d.members.activePrevious} />
            {prev && <span>{t('dashboard.vsPrevious', { key: prev })}</span>}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t('dashboard.fresh')}</div>
          <div className="value num">{d.members.new.toLocaleString('es-MX')}</div>
          <div className="sub">
            <Delta current={d.members.new} previous={d.members.newPrevious} />
            {prev && <span>{t('dashboard.vsPrevious', { key: prev })}</span>}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t('dashboard.advancing')}</div>
          <div className="value num">{d.advancing.toLocaleString('es-MX')}</div>
          <div className="sub">{t('periods.advancing.introOpen')}</div>
        </div>
        <div className="stat">
          <div className="label">{t('dashboard.pv')}</div>
          <div className="value">
            <Points value={d.volumes.pv} />
          </div>
          <div className="sub">
            <Delta current={d.volumes.pv} previous={d.volumes.pvPrevious} />
            {prev && <span>{t('dashboard.vsPrevious', { key: prev })}</span>}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t('dashboard.vn')}</div>
          <div className="value">
            <Money amount={d.volumes.vnMxn} currency="MXN" />
          </div>
          <div className="sub">
            <Delta current={d.volumes.vnMxn} previous={d.volumes.vnMxnPrevious} />
            {prev && <span>{t('dashboard.vsPrevious', { key: prev })}</span>}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t('dashboard.orders')}</div>
          <div className="value num">{d.volumes.ordersPaid.toLocaleString('es-MX')}</div>
          <div className="sub">
            <Delta current={d.volumes.ordersPaid} previous={d.volumes.ordersPaidPrevious} />
            {prev && <span>{t('dashboard.vsPrevious', { key: prev })}</span>}
          </div>
        </div>
        {d.withdrawals && (
          <div className="stat">
            <div className="label">{t('dashboard.withdrawals')}</div>
            <div className="value num">{t('dashboard.withdrawalsCount', { count: d.withdrawals.pendingCount })}</div>
            <div className="sub">
              <span>
                {t('dashboard.withdrawalsMxn')} <Money amount={d.withdrawals.pendingMxn} currency="MXN" />
              </span>
            </div>
            {/* The breakdown only says something when another currency is waiting beside MXN. */}
            {d.withdrawals.byCurrency.some((c) => c.currency !== 'MXN') && (
              <div className="sub">
                {d.withdrawals.byCurrency.map((c) => (
                  <span key={c.currency}>
                    <Money amount={c.amount} currency={c.currency} /> ({c.count})
                  </span>
                ))}
              </div>
            )}
            <Link to="/withdrawals">{t('dashboard.goWithdrawals')}</Link>
          </div>
        )}
      </div>

      <div className="dash-grid">
        <section className="card" aria-label={t('dashboard.chart.title')}>
          <h2>{t('dashboard.chart.title')}</h2>
          {/* The chart is a picture: no Tab stops (recharts' accessibilityLayer made the SVG a stop
              with unnamed arrow-key tooltips), hidden from assistive technology; the same figures are
              in the table below it, one named stop (its summary) for keyboard and screen-reader users. */}
          <div className="chart-box" aria-hidden="true">
            <ResponsiveContainer width="100%" height="100%">
              <ComposedChart data={chart} margin={{ top: 8, right: 16, bottom: 4, left: 8 }} accessibilityLayer={false}>
                <CartesianGrid stroke="#eef1f5" vertical={false} />
                <XAxis dataKey="key" tick={{ fontSize: 12 }} />
                <YAxis yAxisId="v" tick={{ fontSize: 12 }} tickFormatter={(v: number) => compact(v, locale)} width={56} />
                <YAxis yAxisId="m" orientation="right" tick={{ fontSize: 12 }} tickFormatter={(v: number) => compact(v, locale)} width={48} />
                <Tooltip
                  itemStyle={{ color: '#1d2433' }}
                  formatter={(value, name, item) => {
                    const p = item?.payload as (typeof chart)[number] | undefined;
                    if (name === t('dashboard.chart.pv')) return formatPoints(p?.pvText);
                    if (name === t('dashboard.chart.vn')) return formatMoney(p?.vnText, 'MXN', locale);
                    return String(value);
                  }}
                />
                <Legend />
                <Bar yAxisId="v" dataKey="pv" name={t('dashboard.chart.pv')} fill="#0b6e4f" radius={[3, 3, 0, 0]} isAnimationActive={false} />
                <Bar yAxisId="v" dataKey="vn" name={t('dashboard.chart.vn')} fill="#7fb8a4" radius={[3, 3, 0, 0]} isAnimationActive={false} />
                <Line
                  yAxisId="m"
                  dataKey="active"
                  name={t('dashboard.chart.active')}
                  stroke="#1f5fbf"
                  strokeWidth={2}
                  dot={{ r: 3 }}
                  isAnimationActive={false}
                />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
          <details className="chart-table">
            <summary>{t('dashboard.chart.asTable')}</summary>
            <table className="data">
              <thead>
                <tr>
                  <th>{t('dashboard.chart.period')}</th>
                  <th>{t('dashboard.chart.pv')}</th>
                  <th>{t('dashboard.chart.vn')}</th>
                  <th>{t('dashboard.chart.active')}</th>
                </tr>
              </thead>
              <tbody>
                {d.history.map((h) => (
                  <tr key={h.key}>
                    <td className="mono">{h.key}</td>
                    <td className="num">
                      <Points value={h.pv} />
                    </td>
                    <td>
                      <Money amount={h.vnMxn} currency="MXN" />
                    </td>
                    <td className="num">{h.membersActive.toLocaleString(locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </section>
        <section className="card" aria-label={t('dashboard.ranks.title')}>
          <h2>
            {t('dashboard.ranks.title')} <PeriodName k={d.period.key} />
          </h2>
          <RankBars ranks={d.ranks} />
        </section>
      </div>
      <PayoutCardFor />
    </Page>
  );
}

/** Axis ticks only: 1.2 M, 350 k. */
function compact(v: number, locale: 'es-MX' | 'en'): string {
  return new Intl.NumberFormat(locale === 'es-MX' ? 'es-MX' : 'en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(v);
}

/** The payout ratio of the last 12 periods: for the roles that see money (admin, finance). */
function PayoutCardFor() {
  const role = useSession((s) => s.staff?.role);
  return role === 'admin' || role === 'finance' ? <PayoutHistoryCard /> : null;
}
