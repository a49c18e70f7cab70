import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { useProcedure } from '../../api/hooks';
import type { OutputOf } from '../../../../shared/contract';
import { DataTable, DateTime, ErrorBanner, Loading, Money, Pager } from '../common/ui';
import '../withdrawals/withdrawals.css';

type Entry = OutputOf<'wallet.entries'>['rows'][number];
const col = createColumnHelper<Entry>();

/** The label of a ledger posting kind ('withdrawal.hold' → wallet.kinds.withdrawal_hold). */
export function useKindLabel() {
  const { t } = useTranslation();
  return (kind: string) => t(`wallet.kinds.${kind.replace(/\./g, '_')}`, { defaultValue: kind });
}

/**
 * A member's wallet: balance, amount held by open withdrawals, available, and the ledger history.
 * Mounted by the member profile (`<WalletPanel memberId={id} />`) and the withdrawal detail.
 * Readable by every staff role (support sees wallet history; only finance/admin move money).
 */
export function WalletPanel({ memberId, pageSize = 15, title = true }: { memberId: number; pageSize?: number; title?: boolean }) {
  const { t } = useTranslation();
  const kindLabel = useKindLabel();
  const [page, setPage] = useState(1);
  const summary = useProcedure('wallet.summary', { memberId });
  const entries = useProcedure('wallet.entries', { memberId, page, pageSize });

  const columns = useMemo(
    () => [
      col.accessor('at', { header: t('wallet.at'), cell: (c) => <DateTime iso={c.getValue()} /> }),
      col.accessor('kind', {
        header: t('wallet.kind'),
        cell: (c) => {
          const ref = c.row.original.reference as { withdrawalId?: number } | null;
          return (
            <span>
              {kindLabel(c.getValue())}
              {ref?.withdrawalId ? <span className="muted"> · #{ref.withdrawalId}</span> : null}
            </span>
          );
        },
      }),
      col.accessor('periodKey', { header: t('wallet.period'), cell: (c) => c.getValue() ?? '—' }),
      col.accessor('status', {
        header: t('wallet.status'),
        cell: (c) => (
          <span className={`badge ${c.getValue() === 'pending' ? 'warn' : c.getValue() === 'voided' ? '' : 'ok'}`}>
            {t(`wallet.entryStatus.${c.getValue()}`)}
          </span>
        ),
      }),
      col.accessor('amount', {
        header: () => <span className="right-head">{t('wallet.amount')}</span>,
        cell: (c) => (
          <span className={`right-cell${c.row.original.status === 'voided' ? ' struck' : ''}`}>
            <Money amount={c.getValue()} currency={c.row.original.currency} />
          </span>
        ),
      }),
    ],
    [t, kindLabel],
  );

  const s = summary.data;
  return (
    <section className="wallet-panel" aria-label={t('wallet.title')}>
      {title && <h2>{t('wallet.title')}</h2>}
      <ErrorBanner error={summary.error ?? entries.error} />
      {summary.isLoading ? (
        <Loading />
      ) : (
        s && (
          <div className="cards wallet-cards">
            <div className="stat">
              <div className="label">{t('wallet.balance')}</div>
              <div className="value">
                <Money amount={s.balance} currency={s.currency} />
              </div>
            </div>
            <div className="stat">
              <div className="label">{t('wallet.held')}</div>
              <div className="value">
                <Money amount={s.held} currency={s.currency} />
              </div>
              <div className="delta">
                {t('wallet.openWithdrawals')}: {s.openWithdrawals}
              </div>
            </div>
            <div className="stat">
              <div className="label">{t('wallet.available')}</div>
              <div className="value">
                <Money amount={s.available} currency={s.currency} />
              </div>
            </div>
          </div>
        )
      )}
      <h3>{t('wallet.history')}</h3>
      {entries.isLoading ? (
        <Loading />
      ) : (
        <>
          <DataTable data={entries.data?.rows ?? []} columns={columns} rowKey={(r) => String(r.id)} empty={t('wallet.empty')} />
          {(entries.data?.total ?? 0) > pageSize && <Pager page={page} pageSize={pageSize} total={entries.data?.total ?? 0} onPage={setPage} />}
        </>
      )}
    </section>
  );
}
