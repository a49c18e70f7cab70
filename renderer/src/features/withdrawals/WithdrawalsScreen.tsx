import { useEffect, useMemo, useState } from 'react';
import { AmountField } from '../common/AmountField';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { call } from '../../api/client';
import { useProcedure } from '../../api/hooks';
import type { InputOf } from '../../../../shared/contract';
import type { AppError } from '../../../../shared/errors';
import { useCapabilities } from '../common/capabilities';
import { DataTable, DateTime, ErrorBanner, Loading, Money, Page, Pager } from '../common/ui';
import { ApproveManyDialog, BankFileDialog, PayoutDialog, RequestDialog } from './dialogs';
import { WithdrawalDrawer } from './WithdrawalDrawer';
import { dayEndMx, dayStartMx, download, RiskBadges, StatusBadge, totalsOf, type Row } from './parts';
import './withdrawals.css';

const col = createColumnHelper<Row>();
const STATUSES = ['pending', 'approved', 'processing', 'paid', 'rejected', 'failed'] as const;
const COUNTRIES = ['MX', 'US', 'CO', 'DO'] as const;
const FLAGS = ['frequent', 'large', 'destination_changed', 'new_member'] as const;
const PAGE_SIZE = 50;

interface Filters {
  status: string;
  country: string;
  minAmount: string;
  maxAmount: string;
  from: string;
  to: string;
  risk: string;
  sort: 'requestedAt' | 'amount' | 'member' | 'status';
  dir: 'asc' | 'desc';
}
const EMPTY: Filters = { status: 'pending', country: '', minAmount: '', maxAmount: '', from: '', to: '', risk: '', sort: 'requestedAt', dir: 'desc' };
interface SelMeta {
  selected: Map<number, Row>;
  allOnPage: boolean;
  toggle: (r: Row) => void;
  togglePage: () => void;
}
const amountOk = (s: string) => /^\d{1,16}(\.\d{1,2})?$/.test(s);

/** The finance queue: filters, totals of the filtered set, selection with batch actions, the detail drawer. */
export function WithdrawalsScreen() {
  const { t } = useTranslation();
  const noStripe = useCapabilities().stripe === false;
  const [f, setF] = useState<Filters>(EMPTY);
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Map<number, Row>>(new Map());
  const [open, setOpen] = useState<number | null>(null);
  const [dialog, setDialog] = useState<null | 'approve' | 'pay' | 'bank' | 'request'>(null);
  // The last outcome, and the withdrawal it is about (null: several, from the queue's bulk actions).
  // A drawer shows it only for its own withdrawal: opened on another one (a row, the palette's
  // folio), it never says "#4 rejected" above #1.
  const [notice, setNotice] = useState<{ text: string; about: number | null } | null>(null);
  const [exportError, setExportError] = useState<AppError | null>(null);
  const [exporting, setExporting] = useState(false);
  // "/withdrawals?open=123" (the command palette's "open withdrawal by folio") opens that detail.
  const [params, setParams] = useSearchParams();
  useEffect(() => {
    const id = Number(params.get('open'));
    if (Number.isInteger(id) && id > 0) {
      setOpen(id);
      setParams({}, { replace: true });
    }
  }, [params, setParams]);

  const filters = {
    ...(f.status ? { status: f.status as Row['status'] } : {}),
    ...(f.country ? { country: f.country as Row['country'] } : {}),
    ...(amountOk(f.minAmount) ? { minAmount: f.minAmount } : {}),
    ...(amountOk(f.maxAmount) ? { maxAmount: f.maxAmount } : {}),
    ...(f.from ? { from: dayStartMx(f.from) } : {}),
    ...(f.to ? { to: dayEndMx(f.to) } : {}),
    ...(f.risk ? { risk: f.risk as 'any' } : {}),
    sort: f.sort,
    dir: f.dir,
  };
  const input: InputOf<'withdrawals.list'> = { ...filters, page, pageSize: PAGE_SIZE };
  const q = useProcedure('withdrawals.list', input);
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => {
    setF({ ...f, [k]: v });
    setPage(1);
    setSelected(new Map());
  };

  const rows = q.data?.rows ?? [];
  const allOnPage = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const toggle = (r: Row) =>
    setSelected((prev) => {
      const next = new Map(prev);
      if (next.has(r.id)) next.delete(r.id);
      else next.set(r.id, r);
      return next;
    });
  const togglePage = () =>
    setSelected((prev) => {
      const next = new Map(prev);
      if (allOnPage) rows.forEach((r) => next.delete(r.id));
      else rows.forEach((r) => next.set(r.id, r));
      return next;
    });

  const sel = [...selected.values()];
  const selPending = sel.filter((r) => r.status === 'pending');
  const selApproved = sel.filter((r) => r.status === 'approved');

  const columns = useMemo(
    () => [
      col.display({
        id: 'select',
        header: (c) => {
          const m = c.table.options.meta as SelMeta;
          return (
            <span className="check-head">
              <input type="checkbox" aria-label={t('withdrawals.col.selectPage')} checked={m.allOnPage} onChange={m.togglePage} />
            </span>
          );
        },
        // The row's checkbox is not a Tab stop: Space on the focused row selects it (one stop per row list).
        cell: (c) => {
          const m = c.table.options.meta as SelMeta;
          return (
            <input
              type="checkbox"
              tabIndex={-1}
              aria-label={`${t('withdrawals.col.select')} #${c.row.original.id}`}
              checked={m.selected.has(c.row.original.id)}
              onClick={(e) => e.stopPropagation()}
              onChange={() => m.toggle(c.row.original)}
            />
          );
        },
        size: 36,
      }),
      col.accessor('id', { header: t('withdrawals.col.id'), cell: (c) => <span className="mono">#{c.getValue()}</span> }),
      col.accessor('requestedAt', { header: t('withdrawals.col.requestedAt'), cell: (c) => <DateTime iso={c.getValue()} /> }),
      col.accessor('memberName', {
        header: t('withdrawals.col.member'),
        cell: (c) => (
          <span className="wd-member">
            <span>{c.getValue()}</span>
            <span className="code">{c.row.original.memberCode}</span>
          </span>
        ),
      }),
      col.accessor('country', { header: t('withdrawals.col.country') }),
      col.accessor('amount', {
        header: () => <span className="right-head">{t('withdrawals.col.amount')}</span>,
        cell: (c) => (
          <span className="right-cell">
            <Money amount={c.getValue()} currency={c.row.original.currency} />
          </span>
        ),
      }),
      col.accessor('fee', {
        header: () => <span className="right-head">{t('withdrawals.col.fee')}</span>,
        cell: (c) => (
          <span className="right-cell">
            <Money amount={c.getValue()} currency={c.row.original.currency} />
          </span>
        ),
      }),
      col.accessor('net', {
        header: () => <span className="right-head">{t('withdrawals.col.net')}</span>,
        cell: (c) => (
          <span className="right-cell">
            <Money amount={c.getValue()} currency={c.row.original.currency} />
          </span>
        ),
      }),
      col.accessor('status', {
        header: t('withdrawals.col.status'),
        cell: (c) => <StatusBadge status={c.getValue()} awaiting={c.row.original.awaitingSecondApproval} />,
      }),
      col.accessor('riskFlags', { header: t('withdrawals.col.risk'), cell: (c) => <RiskBadges flags={c.getValue()} /> }),
    ],
    [t],
  );
  const meta: SelMeta = { selected, allOnPage, toggle, togglePage };

  async function exportCsv() {
    setExporting(true);
    setExportError(null);
    try {
      const r = await call('withdrawals.export', filters);
      download(r.fileName, r.csv);
    } catch (e) {
      setExportError(e as AppError);
    } finally {
      setExporting(false);
    }
  }

  const done = (msg: string) => {
    setDialog(null);
    setSelected(new Map());
    setNotice({ text: msg, about: null });
  };

  return (
    <div className="wd-page">
      <Page
        title={t('withdrawals.title')}
        intro={t('withdrawals.intro')}
        actions={
          <>
            <button type="button" onClick={() => setDialog('request')}>
              {t('withdrawals.newRequest')}
            </button>
            <button type="button" onClick={() => void exportCsv()} disabled={exporting}>
              {exporting ? t('withdrawals.exporting') : t('withdrawals.exportCsv')}
            </button>
          </>
        }
      >
        <form className="card wd-filters" aria-label={t('withdrawals.filters')} onSubmit={(e) => e.preventDefault()}>
          <label>
            {t('withdrawals.status')}
            <select aria-label={t('withdrawals.status')} value={f.status} onChange={(e) => set('status', e.target.value)}>
              <option value="">{t('withdrawals.anyStatus')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`withdrawals.statusName.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('withdrawals.country')}
            <select aria-label={t('withdrawals.country')} value={f.country} onChange={(e) => set('country', e.target.value)}>
              <option value="">{t('withdrawals.anyCountry')}</option>
              {COUNTRIES.map((c) => (
                <option key={c} value={c}>
                  {t(`destinations.countryName.${c}`, { defaultValue: c })}
                </option>
              ))}
            </select>
          </label>
          <AmountField label={t('withdrawals.amountFrom')} value={f.minAmount} onChange={(v) => set('minAmount', v.trim())} allowZero />
          <AmountField label={t('withdrawals.amountTo')} value={f.maxAmount} onChange={(v) => set('maxAmount', v.trim())} allowZero />
          <label>
            {t('withdrawals.from')}
            <input aria-label={t('withdrawals.from')} type="date" value={f.from} onChange={(e) => set('from', e.target.value)} />
          </label>
          <label>
            {t('withdrawals.to')}
            <input aria-label={t('withdrawals.to')} type="date" value={f.to} onChange={(e) => set('to', e.target.value)} />
          </label>
          <label>
            {t('withdrawals.risk')}
            <select aria-label={t('withdrawals.risk')} value={f.risk} onChange={(e) => set('risk', e.target.value)}>
              <option value="">{t('withdrawals.anyRisk')}</option>
              <option value="any">{t('withdrawals.withRisk')}</option>
              <option value="none">{t('withdrawals.withoutRisk')}</option>
              {FLAGS.map((fl) => (
                <option key={fl} value={fl}>
                  ⚠ {t(`withdrawals.flag.${fl}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="wd-sort">
            {t('withdrawals.sort')}
            <select
              aria-label={t('withdrawals.sort')}
              value={`${f.sort}:${f.dir}`}
              onChange={(e) => {
                const [s, d] = e.target.value.split(':');
                setF({ ...f, sort: s as Filters['sort'], dir: d as Filters['dir'] });
                setPage(1);
              }}
            >
              {(['requestedAt', 'amount', 'member', 'status'] as const).flatMap((s) =>
                (['desc', 'asc'] as const).map((d) => (
                  <option key={`${s}:${d}`} value={`${s}:${d}`}>
                    {t(`withdrawals.sortBy.${s}`)} · {t(`withdrawals.dir.${d}`)}
                  </option>
                )),
              )}
            </select>
          </label>
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                setF({ ...EMPTY, status: '' });
                setPage(1);
                setSelected(new Map());
              }}
            >
              {t('withdrawals.clearFilters')}
            </button>
          </div>
        </form>

        {notice && (
          <div className="banner ok" role="status">
            {notice.text}
          </div>
        )}
        <ErrorBanner error={q.error ?? exportError} />

        <div className="card wd-summary" role="region" aria-label={t('withdrawals.totalsLabel')}>
          <span className="label">{t('withdrawals.totalsLabel')}</span>
          <span className="total">{t('withdrawals.totalsCount', { count: q.data?.total ?? 0 })}</span>
          {(q.data?.totals ?? []).map((x) => (
            <span key={x.currency} className="total">
              <Money amount={x.amount} currency={x.currency} />{' '}
              <small>
                ({t('withdrawals.net')} <Money amount={x.net} currency={x.currency} />)
              </small>
            </span>
          ))}
        </div>

        {sel.length > 0 && (
          <div className="card wd-selection" role="region" aria-label={t('withdrawals.selected', { count: sel.length })}>
            <strong>{t('withdrawals.selected', { count: sel.length })}</strong>
            {totalsOf(sel).map((x) => (
              <span key={x.currency}>
                <Money amount={x.amount} currency={x.currency} />
              </span>
            ))}
            <span className="spacer" />
            <button
              className="primary"
              type="button"
              disabled={selPending.length === 0}
              title={t('withdrawals.onlyPending')}
              onClick={() => setDialog('approve')}
            >
              {t('withdrawals.approveSelected')} ({selPending.length})
            </button>
            <button
              type="button"
              disabled={selApproved.length === 0 || noStripe}
              title={noStripe ? undefined : t('withdrawals.onlyApproved')}
              aria-describedby={noStripe ? 'wd-no-stripe' : undefined}
              onClick={() => setDialog('pay')}
              data-testid="pay-selected"
            >
              {t('withdrawals.paySelected')} ({selApproved.length})
            </button>
            <button type="button" disabled={selApproved.length === 0} title={t('withdrawals.onlyApproved')} onClick={() => setDialog('bank')}>
              {t('withdrawals.bankFile')} ({selApproved.length})
            </button>
            <button type="button" className="link" onClick={() => setSelected(new Map())}>
              {t('withdrawals.clearSelection')}
            </button>
            {noStripe && selApproved.length > 0 && (
              <p className="wd-note muted" id="wd-no-stripe" data-testid="wd-no-stripe">
                {t('common.stripeMissing')}
              </p>
            )}
          </div>
        )}

        {q.isLoading ? (
          <Loading />
        ) : (
          <>
            <div className="wd-queue" data-ready={q.data && !q.isPlaceholderData ? 'withdrawals' : undefined}>
              <DataTable
                data={rows}
                columns={columns}
                meta={meta as unknown as Record<string, unknown>}
                label={t('withdrawals.title')}
                rowKey={(r) => String(r.id)}
                onRowClick={(r) => {
                  setNotice(null);
                  setOpen(r.id);
                }}
                onRowSpace={toggle}
                selectedKey={open ? String(open) : null}
                empty={t('withdrawals.empty')}
              />
            </div>
            <Pager page={page} pageSize={PAGE_SIZE} total={q.data?.total ?? 0} onPage={setPage} />
          </>
        )}

        {open !== null && (
          <WithdrawalDrawer
            id={open}
            onClose={() => setOpen(null)}
            onNotice={(text) => setNotice({ text, about: open })}
            notice={notice?.about === open ? notice.text : null}
          />
        )}
        {dialog === 'approve' && <ApproveManyDialog rows={selPending} onClose={() => setDialog(null)} onDone={(m) => done(m)} />}
        {dialog === 'pay' && (
          <PayoutDialog
            rows={selApproved}
            onClose={() => {
              setDialog(null);
              setSelected(new Map());
            }}
          />
        )}
        {dialog === 'bank' && <BankFileDialog rows={selApproved} onClose={() => setDialog(null)} onDone={done} />}
        {dialog === 'request' && (
          <RequestDialog
            onClose={() => setDialog(null)}
            onDone={(id) => {
              setDialog(null);
              setNotice({ text: t('withdrawals.requested', { id }), about: id });
              setOpen(id);
            }}
          />
        )}
      </Page>
    </div>
  );
}
