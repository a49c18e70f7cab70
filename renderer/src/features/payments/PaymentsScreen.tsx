import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useProcedure } from '../../api/hooks';
import { call } from '../../api/client';
import type { OutputOf } from '../../../../shared/contract';
import type { AppError } from '../../../../shared/errors';
import { DataTable, DateTime, ErrorBanner, Loading, Money, Page, Pager } from '../common/ui';
import './payments.css';
import { describeError } from '../common/errors';
import { useDebounced } from '../members/parts';

type Row = OutputOf<'payments.list'>['rows'][number];
type EventRow = OutputOf<'payments.events'>[number];
type Filter = 'all' | 'pending' | 'paid' | 'refunded' | 'failed' | 'cancelled' | 'mismatch' | 'refund_waiting' | 'partial_refund';
const FILTERS: Filter[] = ['all', 'pending', 'paid', 'refunded', 'failed', 'cancelled', 'mismatch', 'refund_waiting', 'partial_refund'];
const col = createColumnHelper<Row>();
const ev = createColumnHelper<EventRow>();

/** Stripe's dashboard page of a PaymentIntent. */
export const stripePaymentUrl = (pi: string) => `https://dashboard.stripe.com/payments/${encodeURIComponent(pi)}`;

export function StripeLink({ id }: { id: string | null }) {
  const { t } = useTranslation();
  if (!id) return <span className="muted">—</span>;
  return (
    <a className="mono stripe-id" href={stripePaymentUrl(id)} target="_blank" rel="noreferrer" title={t('payments.openStripe', { id })}>
      {id}
    </a>
  );
}

const tone = (s: string | null) =>
  s === 'paid' || s === 'succeeded' ? 'ok' : s === 'pending' || s === 'refund_waiting' || s === 'partial_refund' ? 'warn' : s ? 'danger' : '';

interface SyncProgress {
  running: boolean;
  steps: number;
  checked: number;
  applied: number;
  duplicates: number;
  errors: number;
  done: boolean;
  error: AppError | null;
  lastError: string | null;
}
const IDLE: SyncProgress = { running: false, steps: 0, checked: 0, applied: 0, duplicates: 0, errors: 0, done: false, error: null, lastError: null };

/** Orders by payment state, Stripe payments needing attention, the events received, and "sync payments". */
export function PaymentsScreen() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [filter, setFilter] = useState<Filter>('all');
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 200);
  const list = useProcedure('payments.list', { filter, page, pageSize: 50, ...(q ? { q } : {}) });
  const status = useProcedure('payments.syncStatus', {});
  const events = useProcedure('payments.events', { limit: 20 });
  const [sync, setSync] = useState<SyncProgress>(IDLE);

  async function runSync() {
    let p: SyncProgress = { ...IDLE, running: true };
    setSync(p);
    try {
      for (let first = true; ; first = false) {
        const s = await call('payments.syncStep', { first, pageSize: 100 });
        p = {
          ...p,
          steps: p.steps + 1,
          checked: p.checked + s.checked + s.retried,
          applied: p.applied + s.applied,
          duplicates: p.duplicates + s.duplicates,
          errors: p.errors + s.errors,
          lastError: s.lastError ?? p.lastError,
          done: s.done,
        };
        setSync(p);
        if (s.done || p.steps >= 10_000) break;
      }
      p = { ...p, running: false };
    } catch (e) {
      p = { ...p, running: false, error: e as AppError };
    }
    setSync(p);
    await Promise.all(
      (['payments.list', 'payments.syncStatus', 'payments.events', 'orders.list', 'members.orders', 'wallet.summary'] as const).map((n) =>
        qc.invalidateQueries({ queryKey: [n] }),
      ),
    );
  }

  const columns = useMemo(
    () => [
      col.accessor('orderId', { header: t('payments.cols.order'), cell: (x) => <span className="num">{t('payments.orderNo', { id: x.getValue() })}</span> }),
      col.accessor('memberName', {
        header: t('payments.cols.member'),
        cell: (x) => (
          <Link to={`/members/${x.row.original.memberId}`}>
            {x.row.original.memberCode} · {x.getValue()}
          </Link>
        ),
      }),
      col.accessor('total', { header: t('payments.cols.total'), cell: (x) => <Money amount={x.getValue()} currency={x.row.original.currency} /> }),
      col.accessor('status', {
        header: t('payments.cols.status'),
        cell: (x) => (
          <span className={`badge ${tone(x.getValue())}`} data-testid={`order-status-${x.row.original.orderId}`}>
            {t(`payments.status.${x.getValue()}`, { defaultValue: x.getValue() })}
          </span>
        ),
      }),
      col.accessor('method', { header: t('payments.cols.method'), cell: (x) => (x.getValue() ? t(`payments.method.${x.getValue()}`) : '—') }),
      col.accessor('paidAt', { header: t('payments.cols.paidAt'), cell: (x) => <DateTime iso={x.getValue()} /> }),
      col.accessor('periodKey', { header: t('payments.cols.period'), cell: (x) => x.getValue() ?? '—' }),
      // Stripe's side in one cell (state, PaymentIntent, failure or review) so the table fits the page.
      col.accessor('paymentState', {
        header: t('payments.cols.payment'),
        cell: (x) => {
          const r = x.row.original;
          const note = r.review ?? r.failure;
          return (
            <div className="payments-stripe">
              {r.paymentState ? <span className={`badge ${tone(r.paymentState)}`}>{t(`payments.state.${r.paymentState}`)}</span> : null}
              {r.paymentIntentId && <StripeLink id={r.paymentIntentId} />}
              {note && <span className="payments-detail">{note}</span>}
              {r.refundedAt && (
                <span className="payments-detail">
                  {t('payments.cols.refundedAt')}: <DateTime iso={r.refundedAt} />
                </span>
              )}
              {!r.paymentState && !r.paymentIntentId && !note && !r.refundedAt && <span className="muted">—</span>}
            </div>
          );
        },
      }),
    ],
    [t],
  );

  const eventColumns = useMemo(
    () => [
      ev.accessor('created', { header: t('payments.events.created'), cell: (x) => <DateTime iso={x.getValue()} /> }),
      ev.accessor('type', { header: t('payments.events.type'), cell: (x) => <span className="mono">{x.getValue()}</span> }),
      ev.accessor('outcome', {
        header: t('payments.events.outcome'),
        cell: (x) =>
          x.row.original.error ? (
            <span className="badge danger" title={x.row.original.error}>
              {t('payments.outcome.error')}
            </span>
          ) : x.getValue() ? (
            t(`payments.outcome.${x.getValue()}`, { defaultValue: x.getValue() })
          ) : (
            '—'
          ),
      }),
      ev.accessor('orderId', { header: t('payments.events.order'), cell: (x) => (x.getValue() ? `#${x.getValue()}` : '—') }),
      ev.accessor('paymentIntentId', { header: t('payments.cols.stripe'), cell: (x) => <StripeLink id={x.getValue()} /> }),
      ev.accessor('source', { header: t('payments.events.source'), cell: (x) => t(`payments.events.sources.${x.getValue()}`, { defaultValue: x.getValue() }) }),
      ev.accessor('id', { header: t('payments.events.id'), cell: (x) => <span className="mono muted">{x.getValue()}</span> }),
    ],
    [t],
  );

  const st = status.data;
  const counts = list.data?.counts ?? {};
  const pct = sync.done ? 100 : Math.min(90, 10 + sync.steps * 15);
  return (
    <Page
      title={t('payments.title')}
      intro={t('payments.intro')}
      actions={
        <button className="primary" onClick={() => void runSync()} disabled={sync.running || st?.configured === false} data-testid="sync-payments">
          {sync.running ? t('payments.sync.running') : t('payments.sync.button')}
        </button>
      }
    >
      <div className="card payments-sync" data-testid="sync-panel">
        <strong>{t('payments.sync.title')}</strong>
        <span className="muted">
          {st?.lastSyncAt ? (
            <>
              {t('payments.sync.last')} <DateTime iso={st.lastSyncAt} />
            </>
          ) : (
            t('payments.sync.never')
          )}
          {st?.lastEventId && <> · {t('payments.sync.lastEvent', { id: st.lastEventId })}</>}
        </span>
        {st?.configured === false && <div className="banner warn">{t('payments.sync.notConfigured')}</div>}
        {!!st?.unprocessed && <div className="banner warn">{t('payments.sync.unprocessed', { count: st.unprocessed })}</div>}
        {(sync.running || sync.steps > 0) && (
          <div className="payments-progress" data-testid="sync-progress">
            <div className="progress" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
              <div style={{ width: `${pct}%` }} />
            </div>
            <span>{t('payments.sync.progress', { checked: sync.checked, applied: sync.applied, duplicates: sync.duplicates, errors: sync.errors })}</span>
            {!sync.running && sync.done && !sync.error && (
              <div className="banner ok" data-testid="sync-done">
                {t('payments.sync.done', { applied: sync.applied, duplicates: sync.duplicates })}
              </div>
            )}
            {sync.lastError && <div className="banner warn">{sync.lastError}</div>}
          </div>
        )}
        {sync.error && <div className="banner error">{t('payments.sync.failed', { error: describeError(t, sync.error) })}</div>}
      </div>

      <label className="payments-search">
        {t('payments.search')}
        <input
          type="search"
          value={search}
          placeholder={t('payments.searchPlaceholder')}
          onChange={(e) => {
            setSearch(e.target.value);
            setPage(1);
          }}
        />
      </label>
      <div className="tabs" role="tablist">
        {FILTERS.map((f) => (
          <button
            key={f}
            role="tab"
            className={filter === f ? 'active' : ''}
            aria-selected={filter === f}
            onClick={() => {
              setFilter(f);
              setPage(1);
            }}
            data-testid={`filter-${f}`}
          >
            {t(`payments.filters.${f}`)}
            {counts[f] != null && <span className="badge">{counts[f]}</span>}
          </button>
        ))}
      </div>
      <ErrorBanner error={list.error} />
      {list.isLoading ? (
        <Loading />
      ) : (
        <>
          <DataTable
            data={list.data?.rows ?? []}
            columns={columns}
            empty={q ? t('payments.emptySearch', { q }) : t('payments.empty')}
            rowKey={(r) => String(r.orderId)}
          />
          <Pager page={page} pageSize={50} total={list.data?.total ?? 0} onPage={setPage} />
        </>
      )}

      <h2>{t('payments.events.title')}</h2>
      <ErrorBanner error={events.error} />
      <DataTable data={events.data ?? []} columns={eventColumns} empty={t('payments.events.empty')} rowKey={(r) => r.id} />
    </Page>
  );
}
