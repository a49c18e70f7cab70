import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { useProcedure } from '../../api/hooks';
import type { InputOf, OutputOf } from '../../../../shared/contract';
import { DataTable, DateTime, ErrorBanner, Loading, Page, Pager } from '../common/ui';

type Row = OutputOf<'audit.list'>['rows'][number];
const col = createColumnHelper<Row>();

/** A Mexico-Central calendar day (YYYY-MM-DD from a date input) as a UTC instant; Mexico is UTC-6 all year. */
const dayStartMx = (d: string) => new Date(`${d}T00:00:00-06:00`).toISOString();
const dayEndMx = (d: string) => new Date(new Date(`${d}T00:00:00-06:00`).getTime() + 86_400_000).toISOString();

export function AuditScreen() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState({ action: '', staffUsername: '', entity: '', entityId: '', from: '', to: '' });
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<Row | null>(null);
  const input: InputOf<'audit.list'> = {
    page, pageSize: 50,
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.staffUsername ? { staffUsername: filters.staffUsername } : {}),
    ...(filters.entity ? { entity: filters.entity } : {}),
    ...(filters.entityId ? { entityId: filters.entityId } : {}),
    ...(filters.from ? { from: dayStartMx(filters.from) } : {}),
    ...(filters.to ? { to: dayEndMx(filters.to) } : {}),
  };
  const q = useProcedure('audit.list', input);
  const set = (k: keyof typeof filters, v: string) => { setFilters({ ...filters, [k]: v }); setPage(1); };

  const columns = useMemo(() => [
    col.accessor('at', { header: t('audit.at'), cell: (c) => <DateTime iso={c.getValue()} /> }),
    col.accessor('staffUsername', { header: t('audit.who'), cell: (c) => c.getValue() ?? '—' }),
    col.accessor('action', { header: t('audit.action'), cell: (c) => <code>{c.getValue()}</code> }),
    col.accessor('entity', { header: t('audit.entity') }),
    col.accessor('entityId', { header: t('audit.entityId'), cell: (c) => <span className="mono">{c.getValue() ?? '—'}</span> }),
    col.accessor('reason', { header: t('common.reason'), cell: (c) => c.getValue() ?? '' }),
  ], [t]);

  return (
    <Page title={t('audit.title')} intro={t('audit.intro')}>
      <div className="filters card">
        <label>{t('audit.action')}
          <select value={filters.action} onChange={(e) => set('action', e.target.value)}>
            <option value="">{t('audit.anyAction')}</option>
            {(q.data?.actions ?? []).map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
        <label>{t('audit.who')}<input value={filters.staffUsername} onChange={(e) => set('staffUsername', e.target.value)} /></label>
        <label>{t('audit.entity')}<input value={filters.entity} onChange={(e) => set('entity', e.target.value)} /></label>
        <label>{t('audit.entityId')}<input value={filters.entityId} onChange={(e) => set('entityId', e.target.value)} /></label>
        <label>{t('audit.from')}<input type="date" value={filters.from} onChange={(e) => set('from', e.target.value)} /></label>
        <label>{t('audit.to')}<input type="date" value={filters.to} onChange={(e) => set('to', e.target.value)} /></label>
      </div>
      <ErrorBanner error={q.error} />
      {q.isLoading ? <Loading /> : (
        <>
          <DataTable data={q.data?.rows ?? []} columns={columns} rowKey={(r) => r.id} onRowClick={setOpen} selectedKey={open?.id} />
          <Pager page={page} pageSize={50} total={q.data?.total ?? 0} onPage={setPage} />
        </>
      )}
      {open && (
        <div className="card detail">
          <h2>{open.action} · <DateTime iso={open.at} /></h2>
          <div className="two-col">
            <div><h3>{t('audit.before')}</h3><pre>{JSON.stringify(open.before, null, 2)}</pre></div>
            <div><h3>{t('audit.after')}</h3><pre>{JSON.stringify(open.after, null, 2)}</pre></div>
          </div>
          <button type="button" onClick={() => setOpen(null)}>{t('common.close')}</button>
        </div>
      )}
    </Page>
  );
}
