import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../api/client';
import type { AppError } from '../../../../shared/errors';
import type { OutputOf } from '../../../../shared/contract';
import { ErrorBanner } from '../common/ui';
import { fullName } from '../members/parts';

type Row = OutputOf<'genealogy.exportPage'>['rows'][number];
const PAGE = 5000;

const HEADER = ['id', 'codigo', 'nombre', 'apellidos', 'correo', 'telefono', 'pais', 'estado', 'patrocinador', 'nivel', 'alta',
  'rango_carrera', 'rango_pagado', 'pv', 'pvg', 'vn', 'red'];

/** One CSV field: quoted when it holds a separator, a quote or a line break; formulas neutralised. */
function field(v: string | number | null): string {
  let s = v == null ? '' : String(v);
  if (/^[=+\-@]/.test(s) && typeof v === 'string' && !/^-?\d/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLines(rows: Row[]): string {
  return rows.map((r) => [r.id, r.code, r.firstName, r.lastName, r.email, r.phone, r.country, r.status, r.sponsorCode, r.level,
    r.enrolledAt, r.careerRank, r.paidAsRank, r.pv, r.pvg, r.vn, r.downlineSize].map(field).join(',')).join('\r\n') + '\r\n';
}

/**
 * Export of a downline, pulled page by page (5,000 rows, keyset on the path) and assembled into a
 * Blob in the renderer, with progress; cancellable. Nothing big is ever held by the main process.
 */
export function ExportDialog({ member, periodKey, onClose }: {
  member: { id: number; code: string; firstName: string; lastName: string; downlineSize: number }; periodKey?: string; onClose: () => void;
}) {
  const { t } = useTranslation();
  const [done, setDone] = useState(0);
  const [state, setState] = useState<'idle' | 'working' | 'done' | 'cancelled'>('idle');
  const [error, setError] = useState<AppError | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const cancel = useRef(false);
  const total = member.downlineSize + 1;
  const fileName = `red-${member.code}${periodKey ? `-${periodKey}` : ''}.csv`;
  useEffect(() => () => { cancel.current = true; if (url) URL.revokeObjectURL(url); }, [url]);

  async function run() {
    cancel.current = false;
    setState('working'); setDone(0); setError(null);
    const parts: string[] = ['\uFEFF' + HEADER.join(',') + '\r\n'];
    let cursor: string | undefined;
    let count = 0;
    try {
      do {
        const page = await call('genealogy.exportPage', { memberId: member.id, limit: PAGE, ...(periodKey ? { periodKey } : {}), ...(cursor ? { cursor } : {}) });
        if (cancel.current) { setState('cancelled'); return; }
        parts.push(csvLines(page.rows));
        count += page.rows.length;
        setDone(count);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    } catch (e) {
      setError(e as AppError); setState('idle'); return;
    }
    const blob = new Blob(parts, { type: 'text/csv;charset=utf-8' });
    const href = URL.createObjectURL(blob);
    setUrl(href);
    setState('done');
    download(href);
  }
  function download(href: string) {
    const a = document.createElement('a');
    a.href = href; a.download = fileName; document.body.appendChild(a); a.click(); a.remove();
  }
  const pct = state === 'done' ? 100 : Math.min(100, Math.round((done / Math.max(1, total)) * 100));

  return (
    <div className="dialog-backdrop" role="dialog" aria-modal="true" aria-label={t('genealogy.export.title')}>
      <div className="dialog">
        <h2>{t('genealogy.export.title')}</h2>
        <p className="muted">{fullName(member)} ({member.code}) — {t('genealogy.export.intro', { count: total, period: periodKey ?? '—' })}</p>
        <ErrorBanner error={error} />
        {state !== 'idle' && (
          <>
            <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}><div style={{ width: `${pct}%`, transition: state === 'done' ? 'none' : undefined }} /></div>
            <div className="small" role="status">
              {state === 'working' && t('genealogy.export.working', { done: done.toLocaleString('es-MX'), total: total.toLocaleString('es-MX') })}
              {state === 'done' && t('genealogy.export.done', { count: done })}
              {state === 'cancelled' && t('genealogy.export.cancelled')}
            </div>
          </>
        )}
        <div className="dialog-actions">
          {state === 'working'
            ? <button type="button" onClick={() => { cancel.current = true; }}>{t('genealogy.export.cancel')}</button>
            : <button type="button" onClick={onClose}>{t('common.close')}</button>}
          {state === 'done' && url && <button type="button" onClick={() => download(url)}>{t('genealogy.export.download')}</button>}
          {(state === 'idle' || state === 'cancelled') && <button type="button" className="primary" onClick={run}>{t('genealogy.export.start')}</button>}
        </div>
      </div>
    </div>
  );
}
