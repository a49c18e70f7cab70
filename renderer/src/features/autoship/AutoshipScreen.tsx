import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { Link } from 'react-router';
import { useProcedure } from '../../api/hooks';
import { DataTable, DateTime, ErrorBanner, Loading, Money, Page, Pager } from '../common/ui';
import { useDebounced } from '../members/parts';
import { AutoshipStatusBadge, type AutoshipRow } from './parts';
import './autoship.css';

type Filter = 'all' | 'active' | 'paused' | 'past_due' | 'canceled';
const FILTERS: Filter[] = ['all', 'active', 'past_due', 'paused', 'canceled'];
const PAGE = 50;
const col = createColumnHelper<AutoshipRow>();

/** Every autoship, soonest charge first: filter by status, member and charge day. */
export function AutoshipScreen() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<Filter>('all');
  const [member, setMember] = useState('');
  const [day, setDay] = useState<number | ''>('');
  const [page, setPage] = useState(1);
  const q = useDebounced(member.trim(), 250);
  const list = useProcedure('autoship.list', { status, page, pageSize: PAGE, ...(q ? { member: q } : {}), ...(day ? { chargeDay: day } : {}) });
  const counts = list.data?.counts ?? {};

  const columns = useMemo(
    () => [
      col.accessor('memberName', {
        header: t('autoship.cols.member'),
        cell: (x) => (
          <Link className="autoship-member" to={`/members/${x.row.original.memberId}`}>
            {x.row.original.memberCode} · {x.getValue()}
          </Link>
        ),
      }),
      col.accessor('status', {
        header: t('autoship.cols.status'),
        cell: (x) => <AutoshipStatusBadge status={x.getValue()} testId={`autoship-row-status-${x.row.original.id}`} />,
      }),
      col.accessor('chargeDay', { header: t('autoship.cols.chargeDay'), cell: (x) => <span className="num">{x.getValue()}</span> }),
      col.accessor('nextChargeAt', { header: t('autoship.cols.nextCharge'), cell: (x) => (x.getValue() ? <DateTime iso={x.getValue()} time={false} /> : '—') }),
      col.accessor('amount', { header: t('autoship.cols.amount'), cell: (x) => <Money amount={x.getValue()} currency={x.row.original.currency} /> }),
      col.accessor('items', { header: t('autoship.cols.items'), cell: (x) => <span className="num">{x.getValue()}</span> }),
      col.accessor('failedAttempts', {
        header: t('autoship.cols.failed'),
        cell: (x) => <span className={`num${x.getValue() > 0 ? ' autoship-bad' : ''}`}>{x.getValue()}</span>,
      }),
      col.accessor('lastFailureReason', {
        header: t('autoship.cols.lastFailure'),
        cell: (x) =>
          x.getValue() && x.row.original.status === 'past_due' ? (
            <span className="autoship-reason autoship-reason-wide" title={x.getValue() ?? ''}>
              {x.getValue()}
            </span>
          ) : (
            ''
          ),
      }),
    ],
    [t],
  );

  return (
    <Page title={t('autoship.title')} intro={t('autoship.intro')}>
      <div className="filters">
        <label>
          {t('autoship.member')}
          <input
            value={member}
            onChange={(e) => {
              setMember(e.target.value);
              setPage(1);
            }}
            placeholder={t('autoship.memberPlaceholder')}
            data-testid="autoship-member-filter"
          />
        </label>
        <label>
          {t('autoship.chargeDay')}
          <select
            value={day}
            onChange={(e) => {
              setDay(e.target.value ? Number(e.target.value) : '');
              setPage(1);
            }}
            data-testid="autoship-day-filter"
          >
            <option value="">{t('autoship.anyDay')}</option>
            {Array.from({ length: 28 }, (_, i) => i + 1).map((d) => (
              <option key={d} value={d}>
                {t('autoship.dayN', { day: d })}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="tabs" role="tablist">
        {FILTERS.map((f) => (
          <button
            key={f}
            type="button"
            role="tab"
            className={status === f ? 'active' : ''}
            aria-selected={status === f}
            onClick={() => {
              setStatus(f);
              setPage(1);
            }}
            data-testid={`autoship-filter-${f}`}
          >
            {t(`autoship.filters.${f}`)}
            <span className="badge">{counts[f] ?? 0}</span>
          </button>
        ))}
      </div>
      <ErrorBanner error={list.error} />
      {list.isLoading ? (
        <Loading />
      ) : (
        <>
          <DataTable data={list.data?.rows ?? []} columns={columns} empty={t('autoship.empty')} rowKey={(r) => String(r.id)} />
          <Pager page={page} pageSize={PAGE} total={list.data?.total ?? 0} onPage={setPage} />
        </>
      )}
    </Page>
  );
}
