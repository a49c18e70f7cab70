import { type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import type { AppError } from '../../../../shared/errors';
import { formatInstant, formatMoney, formatPoints } from '../../../../shared/format';
import { usePreferences } from '../../stores/preferences';
import { describeError, describeIssue, errorIssues, type FieldLabels } from './errors';

export function Page({ title, intro, actions, children }: { title: string; intro?: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{title}</h1>
          {intro && <p className="muted">{intro}</p>}
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** An error in the chosen language; `labels` names the screen's fields (key → label). */
export function ErrorBanner({ error, labels }: { error: AppError | null | undefined; labels?: FieldLabels }) {
  const { t } = useTranslation();
  if (!error) return null;
  const issues = errorIssues(error);
  return (
    <div className="banner error" role="alert">
      {describeError(t, error)}
      {issues.length > 0 && (
        <ul>{issues.map((i, k) => <li key={k}>{describeIssue(t, i, labels)}</li>)}</ul>
      )}
    </div>
  );
}

export function Money({ amount, currency }: { amount: string | null | undefined; currency: string }) {
  const locale = usePreferences((s) => s.locale);
  return <span className={`money${amount?.startsWith('-') ? ' negative' : ''}`}>{formatMoney(amount, currency, locale)}</span>;
}

export function Points({ value }: { value: string | null | undefined }) {
  return <span className="num">{formatPoints(value)}</span>;
}

export function DateTime({ iso, time = true }: { iso: string | null | undefined; time?: boolean }) {
  const locale = usePreferences((s) => s.locale);
  return <time dateTime={iso ?? undefined}>{formatInstant(iso, locale, time)}</time>;
}

export function DataTable<T>({ data, columns, empty, onRowClick, rowKey, selectedKey }: {
  // Columns of different value types in one list: TanStack Table's own idiom is ColumnDef<T, any>.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  data: T[]; columns: ColumnDef<T, any>[]; empty?: string; onRowClick?: (row: T) => void; rowKey?: (row: T) => string; selectedKey?: string | null;
}) {
  const { t } = useTranslation();
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), getRowId: rowKey ? (r) => rowKey(r) : undefined });
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>{hg.headers.map((h) => <th key={h.id} style={{ width: h.getSize() !== 150 ? h.getSize() : undefined }}>{flexRender(h.column.columnDef.header, h.getContext())}</th>)}</tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.length === 0 && (
            <tr><td colSpan={columns.length} className="empty">{empty ?? t('common.none')}</td></tr>
          )}
          {table.getRowModel().rows.map((r) => (
            <tr key={r.id} onClick={onRowClick ? () => onRowClick(r.original) : undefined} className={`${onRowClick ? 'clickable' : ''}${selectedKey && r.id === selectedKey ? ' selected' : ''}`}>
              {r.getVisibleCells().map((c) => <td key={c.id}>{flexRender(c.column.columnDef.cell, c.getContext())}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Pager({ page, pageSize, total, onPage }: { page: number; pageSize: number; total: number; onPage: (p: number) => void }) {
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <div className="pager">
      <span className="muted">{t('common.total', { count: total })}</span>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t('common.previous')}</button>
      <span>{t('common.page', { page, pages })}</span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t('common.next')}</button>
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return <div className="loading" aria-busy="true">{t('common.loading')}</div>;
}

export function ComingSoon({ title }: { title: string }) {
  const { t } = useTranslation();
  return <Page title={title}><div className="card muted">{t('common.comingSoon')}</div></Page>;
}
