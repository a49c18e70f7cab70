import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import type { OutputOf } from '../../../../shared/contract';
import { formatInstant, formatLongDateTime, formatPeriodLastDay } from '../../../../shared/format';
import { useSession } from '../../stores/session';
import { usePreferences } from '../../stores/preferences';
import { DataTable, DateTime, ErrorBanner, Loading, Money, Page, Pager, Points } from '../common/ui';
import { CloseWizard, RunProgress } from './CloseWizard';
import { Delta, PeriodName, PeriodStatusBadge, RankBars, periodLabel } from './parts';
import './periods.css';
import { PeriodPayoutCard } from '../economics/parts';

type Summary = OutputOf<'periods.list'>[number];
type Advancing = OutputOf<'periods.advancing'>['rows'][number];
const col = createColumnHelper<Summary>();
const adv = createColumnHelper<Advancing>();

/** The queries a finished run changes. */
export const PERIOD_QUERIES = ['periods.current', 'periods.list', 'periods.get', 'periods.advancing', 'periods.previewClose', 'dashboard.summary'] as const;

/** Period management: the open period with live figures, every period and its state, rank distribution, members advancing, the close. */
export function PeriodsScreen() {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  const lang = locale === 'es-MX' ? 'es' : 'en';
  const isAdmin = useSession((s) => s.staff?.role) === 'admin';
  const qc = useQueryClient();
  const [polling, setPolling] = useState(false);
  const current = useProcedure('periods.current', { lang }, { refetchInterval: polling ? 1000 : 20_000 });
  const list = useProcedure('periods.list', {});
  const [selected, setSelected] = useState<string | null>(null);
  const [wizardFor, setWizardFor] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const recompute = useMutationProcedure('periods.recompute', ['periods.current']);

  const c = current.data;
  const open = c?.period ?? null;
  const lastRun = c?.lastRun ?? null;
  const running = lastRun?.status === 'running';
  useEffect(() => {
    if (polling && !running) void Promise.all(PERIOD_QUERIES.map((n) => qc.invalidateQueries({ queryKey: [n] })));
    setPolling(running);
  }, [running]); // eslint-disable-line react-hooks/exhaustive-deps -- only the edge of `running` matters, not polling/qc

  const key = selected ?? open?.key ?? list.data?.[0]?.key ?? null;
  const detail = useProcedure('periods.get', { key: key ?? '2000-01', lang }, { enabled: !!key });
  const chosen = detail.data?.period ?? null;
  const previousOfChosen = useMemo(() => {
    if (!chosen || !list.data) return null;
    const i = list.data.findIndex((p) => p.key === chosen.key);
    return i >= 0 ? (list.data[i + 1] ?? null) : null;
  }, [chosen, list.data]);

  const columns = useMemo(
    () => [
      col.accessor('key', { header: t('periods.list.key'), cell: (x) => <PeriodName k={x.getValue()} /> }),
      col.accessor('status', { header: t('periods.list.status'), cell: (x) => <PeriodStatusBadge status={x.getValue()} /> }),
      // Days, not instants: a period runs from its first day to its last (ends_at is the next period's first instant).
      col.accessor('startsAt', { header: t('periods.list.startsAt'), cell: (x) => <DateTime iso={x.getValue()} time={false} /> }),
      col.accessor('endsAt', { header: t('periods.list.endsAt'), cell: (x) => formatPeriodLastDay(x.getValue(), locale) }),
      col.display({
        id: 'active',
        header: t('periods.list.active'),
        cell: (x) => <span className="num">{x.row.original.figures?.membersActive.toLocaleString('es-MX') ?? '—'}</span>,
      }),
      col.display({ id: 'pv', header: t('periods.list.pv'), cell: (x) => <Points value={x.row.original.figures?.pv} /> }),
      col.display({ id: 'vn', header: t('periods.list.vn'), cell: (x) => <Money amount={x.row.original.figures?.vnMxn} currency="MXN" /> }),
      col.accessor('closedAt', {
        header: t('periods.list.closed'),
        cell: (x) =>
          x.getValue() ? (
            <span>
              <DateTime iso={x.getValue()} />
              {x.row.original.closedBy && <span className="muted small"> {t('periods.list.by', { who: x.row.original.closedBy })}</span>}
            </span>
          ) : (
            '—'
          ),
      }),
    ],
    [t, locale],
  );

  if (current.isLoading || list.isLoading)
    return (
      <Page title={t('periods.title')}>
        <Loading />
      </Page>
    );
  const closing = c?.closing ?? null;
  const closingRun = closing && lastRun && lastRun.periodKey === closing.key ? lastRun : null;

  return (
    <Page title={t('periods.title')} intro={t('periods.intro')}>
      <ErrorBanner error={current.error ?? list.error ?? recompute.error} />
      {notice && (
        <div className="banner ok" role="status">
          {notice}
        </div>
      )}

      {closing && (
        <div className={`banner ${closingRun?.status === 'failed' || closingRun?.stale ? 'error' : 'warn'}`} role="status">
          {closingRun?.status === 'failed'
            ? t('periods.closing.failed', { key: closing.key, error: closingRun.error ?? '' })
            : closingRun?.stale
              ? t('periods.closing.stale', { key: closing.key })
              : t('periods.closing.banner', { key: closing.key })}
          {closingRun && closingRun.status === 'running' && <RunProgress run={closingRun} />}
          {isAdmin && (closingRun?.status !== 'running' || closingRun?.stale) && (
            <div>
              <button type="button" className="primary" onClick={() => setWizardFor(closing.key)}>
                {t('periods.actions.retry')}
              </button>
            </div>
          )}
        </div>
      )}

      {!open ? (
        <div className="card muted">{t('periods.none')}</div>
      ) : (
        <section className="card period-hero" aria-label={t('periods.open')}>
          <div className="hero-head">
            <div>
              <div className="muted small">{t('periods.open')}</div>
              <h2>
                {periodLabel(open.key, locale)} <span className="muted">({open.key})</span> <PeriodStatusBadge status={open.status} />
              </h2>
              <div className="muted small">
                {t('periods.range', { from: formatInstant(open.startsAt, locale, false), to: formatPeriodLastDay(open.endsAt, locale) })}
              </div>
            </div>
            {isAdmin && (
              <div className="hero-actions">
                <button
                  type="button"
                  disabled={running || recompute.isPending}
                  onClick={() => {
                    if (!window.confirm(t('periods.recomputeConfirm', { key: open.key }))) return;
                    recompute.mutate(
                      { key: open.key, lang },
                      {
                        onSuccess: () => {
                          setNotice(t('periods.recomputeStarted'));
                          setPolling(true);
                        },
                      },
                    );
                  }}
                >
                  {t('periods.actions.recompute')}
                </button>
                <button type="button" className="primary" disabled={running || !!closing} onClick={() => setWizardFor(open.key)}>
                  {t('periods.actions.close')}
                </button>
              </div>
            )}
          </div>
          {c?.ended ? (
            <div className="banner warn">{t('periods.ended')}</div>
          ) : (
            <div className="muted small" role="note">
              {t('periods.closableFrom', { when: formatLongDateTime(open.endsAt, locale) })}
            </div>
          )}
          {lastRun && lastRun.kind === 'recompute' && lastRun.status === 'running' && <RunProgress run={lastRun} />}
          {open.figures && <Figures f={open.figures} prev={c?.previous ?? null} />}
        </section>
      )}

      <div className="period-grid">
        <section className="card" aria-label={t('periods.ranks.title')}>
          <h2>
            {t('periods.ranks.title')} {chosen && <PeriodName k={chosen.key} />}
          </h2>
          {detail.isLoading ? (
            <Loading />
          ) : chosen?.figures ? (
            <RankBars ranks={chosen.figures.ranks} previous={previousOfChosen?.figures?.ranks ?? null} previousKey={previousOfChosen?.key ?? null} />
          ) : (
            <div className="muted">—</div>
          )}
        </section>
        {chosen && <AdvancingCard periodKey={chosen.key} closed={chosen.status === 'closed'} />}
      </div>

      {chosen && <PeriodPayoutCard periodKey={chosen.key} />}

      <section aria-label={t('periods.list.title')}>
        <h2>{t('periods.list.title')}</h2>
        <DataTable data={list.data ?? []} columns={columns} rowKey={(r) => r.key} selectedKey={key} onRowClick={(r) => setSelected(r.key)} />
      </section>

      {wizardFor && (
        <CloseWizard
          periodKey={wizardFor}
          onClose={() => {
            setWizardFor(null);
            void Promise.all(PERIOD_QUERIES.map((n) => qc.invalidateQueries({ queryKey: [n] })));
          }}
        />
      )}
    </Page>
  );
}

function Figures({ f, prev }: { f: NonNullable<Summary['figures']>; prev: Summary | null }) {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  const p = prev?.figures ?? null;
  const vs = (node: ReactNode) =>
    prev ? (
      <div className="sub">
        {node} <span>{t('dashboard.vsPrevious', { key: prev.key })}</span>
      </div>
    ) : null;
  return (
    <>
      <div className="stat-grid">
        <div className="stat">
          <div className="label">{t('periods.figures.membersTotal')}</div>
          <div className="value num">{f.membersTotal.toLocaleString('es-MX')}</div>
        </div>
        <div className="stat">
          <div className="label">{t('periods.figures.membersActive')}</div>
          <div className="value num">{f.membersActive.toLocaleString('es-MX')}</div>
          {vs(<Delta current={f.membersActive} previous={p?.membersActive} />)}
        </div>
        <div className="stat">
          <div className="label">{t('periods.figures.membersNew')}</div>
          <div className="value num">{f.membersNew.toLocaleString('es-MX')}</div>
          {vs(<Delta current={f.membersNew} previous={p?.membersNew} />)}
        </div>
        <div className="stat">
          <div className="label">{t('periods.figures.pv')}</div>
          <div className="value">
            <Points value={f.pv} />
          </div>
          {vs(<Delta current={f.pv} previous={p?.pv} />)}
        </div>
        <div className="stat">
          <div className="label">{t('periods.figures.vnMxn')}</div>
          <div className="value">
            <Money amount={f.vnMxn} currency="MXN" />
          </div>
          {vs(<Delta current={f.vnMxn} previous={p?.vnMxn} />)}
        </div>
        <div className="stat">
          <div className="label">{t('periods.figures.ordersPaid')}</div>
          <div className="value num">{f.ordersPaid.toLocaleString('es-MX')}</div>
          {vs(<Delta current={f.ordersPaid} previous={p?.ordersPaid} />)}
        </div>
        <div className="stat">
          <div className="label">{t('periods.figures.advancing')}</div>
          <div className="value num">{f.membersAdvancing.toLocaleString('es-MX')}</div>
        </div>
      </div>
      {f.updatedAt && <div className="muted small">{t('periods.figures.updatedAt', { at: formatInstant(f.updatedAt, locale) })}</div>}
    </>
  );
}

function AdvancingCard({ periodKey, closed }: { periodKey: string; closed: boolean }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  useEffect(() => setPage(1), [periodKey]);
  const q = useProcedure('periods.advancing', { key: periodKey, page, pageSize: 10 });
  const columns = useMemo(
    () => [
      adv.accessor('code', { header: t('periods.advancing.code'), cell: (x) => <Link to={`/members/${x.row.original.memberId}`}>{x.getValue()}</Link> }),
      adv.accessor('name', { header: t('periods.advancing.name') }),
      adv.accessor('toRank', {
        header: `${t('periods.advancing.from')} → ${t('periods.advancing.to')}`,
        cell: (x) => (
          <span className="rank-move">
            {t(`rank.${x.row.original.fromRank}`)} → <strong>{t(`rank.${x.getValue()}`)}</strong>
          </span>
        ),
      }),
      adv.accessor('pv', { header: t('periods.advancing.pv'), cell: (x) => <Points value={x.getValue()} /> }),
      adv.accessor('pvg', { header: t('periods.advancing.pvg'), cell: (x) => <Points value={x.getValue()} /> }),
    ],
    [t],
  );
  return (
    <section className="card" aria-label={t('periods.advancing.title')}>
      <h2>
        {t('periods.advancing.title')} <PeriodName k={periodKey} />
      </h2>
      <p className="muted small">{closed ? t('periods.advancing.introClosed') : t('periods.advancing.introOpen')}</p>
      <ErrorBanner error={q.error} />
      {q.isLoading ? (
        <Loading />
      ) : (
        <div className="advancing-table">
          <DataTable data={q.data?.rows ?? []} columns={columns} rowKey={(r) => String(r.memberId)} empty={t('periods.advancing.none')} />
          {(q.data?.total ?? 0) > 10 && <Pager page={page} pageSize={10} total={q.data?.total ?? 0} onPage={setPage} />}
        </div>
      )}
    </section>
  );
}
