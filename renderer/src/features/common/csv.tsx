/**
 * CSV exports of the screens: text by papaparse (quoting, CRLF) for spreadsheets, and the one
 * paged-export dialog machinery (progress, cancel, download) of the genealogy export (a whole
 * period's commission lines are written by the main process instead: commissions.exportPeriodLines).
 * Values stay the strings the contract carries (decimal amounts are never numbers here).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import Papa from 'papaparse';
import type { AppError } from '../../../../shared/errors';
import { ErrorBanner } from './ui';

export type CsvCell = string | number | null;

/**
 * A text a spreadsheet would run as a formula (starting with = + - @ tab or CR) gets a leading ';
 * a number such as "-12.50" (a clawback) is left as it is.
 */
const FORMULA = /^(?!-?\d)[=+\-@\t\r]/;

/** Rows as CSV lines, each ended by CRLF ('' for no rows). */
export function csvRows(rows: CsvCell[][]): string {
  return rows.length ? `${Papa.unparse(rows, { newline: '\r\n', escapeFormulae: FORMULA })}\r\n` : '';
}

/** The header line, with a byte-order mark so spreadsheets read the file as UTF-8 (accents). */
export const csvHeader = (columns: readonly string[]) => `\uFEFF${csvRows([[...columns]])}`;

export function downloadFile(href: string, fileName: string) {
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** Saves text as a file (browser mode and Electron alike). */
export function saveText(fileName: string, text: string, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  downloadFile(url, fileName);
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** One page of an export: its rows, and the total when the server knows it. */
export interface ExportPage {
  rows: CsvCell[][];
  total?: number | null;
}

export type ExportState = 'idle' | 'working' | 'done' | 'cancelled';

/**
 * A paged export assembled into a Blob in the renderer (nothing big is held by the main process):
 * `run` pulls the pages, shows progress, stops when cancelled, and downloads the file at the end.
 */
export function usePagedExport() {
  const [done, setDone] = useState(0);
  const [total, setTotal] = useState(0);
  const [state, setState] = useState<ExportState>('idle');
  const [error, setError] = useState<AppError | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [fileName, setFileName] = useState('');
  const cancelled = useRef(false);
  useEffect(
    () => () => {
      cancelled.current = true;
      if (url) URL.revokeObjectURL(url);
    },
    [url],
  );

  async function run(o: { fileName: string; header: readonly string[]; total?: number; pages: () => AsyncIterable<ExportPage> }) {
    cancelled.current = false;
    setState('working');
    setDone(0);
    setTotal(o.total ?? 0);
    setError(null);
    setFileName(o.fileName);
    const parts = [csvHeader(o.header)];
    let count = 0;
    try {
      for await (const page of o.pages()) {
        if (cancelled.current) {
          setState('cancelled');
          return;
        }
        if (page.total != null) setTotal(page.total);
        parts.push(csvRows(page.rows));
        count += page.rows.length;
        setDone(count);
      }
    } catch (e) {
      setError(e as AppError);
      setState('idle');
      return;
    }
    if (url) URL.revokeObjectURL(url);
    const href = URL.createObjectURL(new Blob(parts, { type: 'text/csv;charset=utf-8' }));
    setUrl(href);
    setState('done');
    downloadFile(href, o.fileName);
  }
  const pct = state === 'done' ? 100 : Math.min(100, Math.round((done / Math.max(1, total)) * 100));
  return {
    state,
    done,
    total,
    pct,
    error,
    url,
    fileName,
    run,
    cancel: () => {
      cancelled.current = true;
    },
  };
}

/** Progress bar, status line and the dialog's buttons of a paged export; `texts` is an i18n prefix. */
export function ExportProgress({
  exp,
  texts,
  onStart,
  onClose,
  children,
}: {
  exp: ReturnType<typeof usePagedExport>;
  texts: string;
  onStart: () => void;
  onClose: () => void;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const { state, done, total, pct } = exp;
  return (
    <>
      <ErrorBanner error={exp.error} />
      {children}
      {state !== 'idle' && (
        <>
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
            <div style={{ width: `${pct}%`, transition: state === 'done' ? 'none' : undefined }} />
          </div>
          <div className="small" role="status">
            {state === 'working' && t(`${texts}.working`, { done: done.toLocaleString('es-MX'), total: total.toLocaleString('es-MX') })}
            {state === 'done' && t(`${texts}.done`, { count: done })}
            {state === 'cancelled' && t(`${texts}.cancelled`)}
          </div>
        </>
      )}
      <div className="dialog-actions">
        {state === 'working' ? (
          <button type="button" onClick={exp.cancel}>
            {t(`${texts}.cancel`)}
          </button>
        ) : (
          <button type="button" onClick={onClose}>
            {t('common.close')}
          </button>
        )}
        {state === 'done' && exp.url && (
          <button type="button" onClick={() => downloadFile(exp.url!, exp.fileName)}>
            {t(`${texts}.download`)}
          </button>
        )}
        {state !== 'working' && (
          <button type="button" className="primary" onClick={onStart}>
            {t(`${texts}.start`)}
          </button>
        )}
      </div>
    </>
  );
}
