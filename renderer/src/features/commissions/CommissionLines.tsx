import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { useProcedure } from '../../api/hooks';
import { call } from '../../api/client';
import type { OutputOf } from '../../../../shared/contract';
import { DataTable, DateTime, ErrorBanner, Loading, Money, Pager } from '../common/ui';
import './commissions.css';
import { WhyPanel } from './WhyPanel';
import { usePreferences } from '../../stores/preferences';
import { formatRate } from '../../../../shared/format';
import { csvHeader, csvRows, saveText } from '../common/csv';

type Line = OutputOf<'commissions.memberLines'>['rows'][number];
const col = createColumnHelper<Line>();

/** All of a member's lines (optionally one period) through paged calls, as CSV text. Amounts stay decimal strings. */
export async function memberLinesCsv(memberId: number, periodKey?: string): Promise<string> {
  const out = [
    csvHeader([
      'id',
      'period',
      'type',
      'kind',
      'beneficiary',
      'source_kind',
      'source_id',
      'level',
      'base',
      'base_currency',
      'rate',
      'amount',
      'currency',
      'created_at',
    ]),
  ];
  for (let page = 1; ; page++) {
    const r = await call('commissions.memberLines', { memberId, periodKey, page, pageSize: 500 });
    out.push(
      csvRows(
        r.rows.map((l) => [
          l.id,
          l.periodKey,
          l.type,
          l.kind,
          l.beneficiaryId,
          l.sourceKind,
          l.sourceId,
          l.level,
          l.base,
          l.baseCurrency,
          l.rate,
          l.amount,
          l.currency,
          l.createdAt,
        ]),
      ),
    );
    if (page * r.pageSize >= r.total) break;
  }
  return out.join('');
}

/** A member's commission lines, paged, with a CSV export. Used by the Comisiones screen and the profile tab. */
export function CommissionLines({ memberId, periodKey, pageSize = 15 }: { memberId: number; periodKey?: string; pageSize?: number }) {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  const [page, setPage] = useState(1);
  const [exporting, setExporting] = useState(false);
  const [whyOrder, setWhyOrder] = useState<number | null>(null);
  const lines = useProcedure('commissions.memberLines', { memberId, periodKey, page, pageSize });
  const columns = useMemo(
    () => [
      col.accessor('periodKey', { header: t('commissions.cols.period') }),
      col.accessor('type', { header: t('commissions.cols.type'), cell: (c) => t(`commissions.types.${c.getValue()}`) }),
      col.accessor('kind', { header: t('commissions.cols.kind'), cell: (c) => t(`commissions.kind.${c.getValue()}`) }),
      col.accessor('sourceId', {
        header: t('commissions.cols.source'),
        cell: (c) =>
          c.row.original.sourceKind === 'order' ? (
            <button
              type="button"
              className="link"
              onClick={(e) => {
                e.stopPropagation();
                setWhyOrder(c.getValue());
              }}
            >
              {t('commissions.source.order', { id: c.getValue() })}
            </button>
          ) : (
            t('commissions.source.member', { code: c.row.original.sourceCode ?? '—' })
          ),
      }),
      col.accessor('level', { header: t('commissions.cols.level') }),
      col.accessor('base', { header: t('commissions.cols.base'), cell: (c) => <Money amount={c.getValue()} currency={c.row.original.baseCurrency} /> }),
      col.accessor('rate', { header: t('commissions.cols.rate'), cell: (c) => formatRate(c.getValue(), locale) }),
      col.accessor('amount', {
        header: () => <span className="right-head">{t('commissions.cols.amount')}</span>,
        cell: (c) => (
          <span className="right-cell">
            <Money amount={c.getValue()} currency={c.row.original.currency} />
          </span>
        ),
      }),
      col.accessor('createdAt', { header: t('commissions.cols.at'), cell: (c) => <DateTime iso={c.getValue()} /> }),
    ],
    [t, locale],
  );
  const exportCsv = async () => {
    setExporting(true);
    try {
      saveText(`comisiones-${memberId}${periodKey ? `-${periodKey}` : ''}.csv`, await memberLinesCsv(memberId, periodKey));
    } finally {
      setExporting(false);
    }
  };
  return (
    <section className="commission-lines" aria-label={t('commissions.lines')}>
      <ErrorBanner error={lines.error} />
      <div className="row-actions">
        <button type="button" disabled={exporting || !lines.data?.total} onClick={() => void exportCsv()}>
          {exporting ? t('commissions.exporting') : t('commissions.csv')}
        </button>
      </div>
      {whyOrder !== null && <WhyPanel key={whyOrder} orderId={whyOrder} onClose={() => setWhyOrder(null)} />}
      {lines.isLoading ? (
        <Loading />
      ) : (
        <>
          <DataTable data={lines.data?.rows ?? []} columns={columns} rowKey={(r) => String(r.id)} empty={t('commissions.empty')} />
          {(lines.data?.total ?? 0) > pageSize && <Pager page={page} pageSize={pageSize} total={lines.data?.total ?? 0} onPage={setPage} />}
        </>
      )}
    </section>
  );
}
