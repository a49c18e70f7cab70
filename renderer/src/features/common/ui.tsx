import { useEffect, useRef, useState, type HTMLAttributes, type KeyboardEvent, type ReactNode } from 'react';
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
          <h1 tabIndex={-1}>{title}</h1>
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
        <ul>
          {issues.map((i, k) => (
            <li key={k}>{describeIssue(t, i, labels)}</li>
          ))}
        </ul>
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

/**
 * A table on TanStack Table. With `onRowClick` its rows are a keyboard list: one Tab stop (the
 * current row), ↑ ↓ Home End move, Enter opens (onRowClick), Space calls `onRowSpace` (e.g. select)
 * and focus stays on the row. Per-render state the cells read (a selection) goes in `meta`
 * (`cell: (c) => c.table.options.meta`), so the columns stay the same and nothing is re-created.
 */
export function DataTable<T>({
  data,
  columns,
  empty,
  onRowClick,
  onRowSpace,
  rowKey,
  selectedKey,
  meta,
  label,
}: {
  data: T[];
  // Columns of different value types in one list: TanStack Table's own idiom is ColumnDef<T, any>.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  columns: ColumnDef<T, any>[];
  empty?: string;
  onRowClick?: (row: T) => void;
  onRowSpace?: (row: T) => void;
  rowKey?: (row: T) => string;
  selectedKey?: string | null;
  meta?: Record<string, unknown>;
  label?: string;
}) {
  const { t } = useTranslation();
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), getRowId: rowKey ? (r) => rowKey(r) : undefined, meta });
  const rows = table.getRowModel().rows;
  const [cursor, setCursor] = useState(0);
  const body = useRef<HTMLTableSectionElement>(null);
  const current = Math.min(cursor, Math.max(0, rows.length - 1));
  const focusRow = (i: number) => {
    const n = Math.max(0, Math.min(rows.length - 1, i));
    setCursor(n);
    body.current?.querySelectorAll<HTMLTableRowElement>(':scope > tr')[n]?.focus();
  };
  function onKey(e: KeyboardEvent<HTMLTableRowElement>, i: number, row: T) {
    if (e.target !== e.currentTarget) return; // a control inside the row handles its own keys
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      focusRow(i + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      focusRow(i - 1);
    } else if (e.key === 'Home') {
      e.preventDefault();
      focusRow(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      focusRow(rows.length - 1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      onRowClick?.(row);
    } else if (e.key === ' ' && onRowSpace) {
      e.preventDefault();
      onRowSpace(row);
    }
  }
  return (
    <ScrollBox label={label}>
      <table className="data" aria-label={label}>
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => (
                <th key={h.id} style={{ width: h.getSize() !== 150 ? h.getSize() : undefined }}>
                  {flexRender(h.column.columnDef.header, h.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody ref={body}>
          {rows.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="empty">
                {empty ?? t('common.none')}
              </td>
            </tr>
          )}
          {rows.map((r, i) => (
            <tr
              key={r.id}
              onClick={
                onRowClick
                  ? () => {
                      setCursor(i);
                      onRowClick(r.original);
                    }
                  : undefined
              }
              tabIndex={onRowClick ? (i === current ? 0 : -1) : undefined}
              onKeyDown={onRowClick ? (e) => onKey(e, i, r.original) : undefined}
              onFocus={onRowClick ? () => setCursor(i) : undefined}
              className={`${onRowClick ? 'clickable' : ''}${selectedKey && r.id === selectedKey ? ' selected' : ''}`}
            >
              {r.getVisibleCells().map((c) => (
                <td key={c.id}>{flexRender(c.column.columnDef.cell, c.getContext())}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {onRowClick && rows.length > 0 && <p className="table-keys muted small">{t(onRowSpace ? 'keys.queue' : 'keys.rows')}</p>}
    </ScrollBox>
  );
}

const TABBABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex="0"]';

/**
 * The box a table scrolls in (`.table-wrap`). While its content overflows and holds nothing the
 * keyboard can reach, the box itself is a named Tab stop (a region), so the arrow keys scroll it
 * (WCAG 2.1.1; axe's scrollable-region-focusable). Use it instead of a bare `<div className="table-wrap">`.
 */
export function ScrollBox({
  label,
  className,
  children,
  ...rest
}: { label?: string; className?: string; children: ReactNode } & HTMLAttributes<HTMLDivElement>) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const [stop, setStop] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const check = () => setStop((el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) && !el.querySelector(TABBABLE));
    const sizes = new ResizeObserver(check);
    sizes.observe(el);
    for (const c of el.children) sizes.observe(c);
    const rows = new MutationObserver(check);
    rows.observe(el, { childList: true, subtree: true, attributes: true, attributeFilter: ['tabindex', 'disabled', 'href'] });
    check();
    return () => {
      sizes.disconnect();
      rows.disconnect();
    };
  }, []);
  return (
    <div
      ref={ref}
      {...rest}
      className={`table-wrap${className ? ` ${className}` : ''}`}
      {...(stop ? { tabIndex: 0, role: 'region', 'aria-label': label ?? t('keys.scrollBox') } : {})}
    >
      {children}
    </div>
  );
}

export function Pager({ page, pageSize, total, onPage }: { page: number; pageSize: number; total: number; onPage: (p: number) => void }) {
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <div className="pager">
      <span className="muted">{t('common.total', { count: total })}</span>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t('common.previous')}
      </button>
      <span>{t('common.page', { page, pages })}</span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t('common.next')}
      </button>
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <div className="loading" aria-busy="true">
      {t('common.loading')}
    </div>
  );
}

/** What a panel shows until its query has data: the query's error if it failed, else "loading". */
export function Pending({ error }: { error: AppError | null | undefined }) {
  return (
    <>
      <ErrorBanner error={error} />
      <Loading />
    </>
  );
}
