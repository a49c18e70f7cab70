import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { TFunction } from 'i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { useProcedure } from '../../api/hooks';
import type { InputOf, OutputOf } from '../../../../shared/contract';
import type { AuditChange, AuditSubject, AuditValue } from '../../../../shared/contract/audit';
import { AUDIT_ENTITIES } from '../../../../shared/audit';
import { formatInstant, formatMoney, formatPoints } from '../../../../shared/format';
import { usePreferences } from '../../stores/preferences';
import { DataTable, DateTime, ErrorBanner, Loading, Page, Pager } from '../common/ui';

type Row = OutputOf<'audit.list'>['rows'][number];
const col = createColumnHelper<Row>();

/** A Mexico-Central calendar day (YYYY-MM-DD from a date input) as a UTC instant; Mexico is UTC-6 all year. */
const dayStartMx = (d: string) => new Date(`${d}T00:00:00-06:00`).toISOString();
const dayEndMx = (d: string) => new Date(new Date(`${d}T00:00:00-06:00`).getTime() + 86_400_000).toISOString();

/** An action in words: its own label, else a generic one (never the procedure's name). */
export function actionLabel(t: TFunction, action: string): string {
  return t(`auditLog.actions.${action}`, { defaultValue: t(action.startsWith('stripe.') ? 'auditLog.actions.stripeOther' : 'auditLog.actions.other') });
}

function fieldLabel(t: TFunction, c: AuditChange): string {
  if (c.field === 'figure') return t('auditLog.fields.figure', { path: c.sub ?? '' });
  if (c.field === 'rankPv' || c.field === 'rankPvg') return t(`auditLog.fields.${c.field}`, { rank: t(`rank.${c.sub ?? '0'}`) });
  return t(`auditLog.fields.${c.field}`, { defaultValue: c.field });
}

/** What the row is about: a member by code and name (linked to the profile), a withdrawal by folio… */
function Subject({ s }: { s: AuditSubject }) {
  const { t } = useTranslation();
  const member = s.memberCode ? (
    <Link to={`/members/${s.memberId}`} onClick={(e) => e.stopPropagation()} aria-label={t('auditLog.openProfile', { code: s.memberCode })}>
      {s.memberCode} · {s.name}
    </Link>
  ) : null;
  if (s.kind === 'member' || s.kind === 'payout_destination' || s.kind === 'member_note') {
    return (
      <span>
        {s.kind !== 'member' && <>{t(`auditLog.entities.${s.kind}`)} · </>}
        {member ?? t(`auditLog.entities.${s.kind}`)}
      </span>
    );
  }
  const own =
    s.ref != null
      ? t(`auditLog.refs.${s.kind}`, { ref: s.ref, defaultValue: `${t(`auditLog.entities.${s.kind}`, { defaultValue: '' })} ${s.ref}` })
      : t(`auditLog.entities.${s.kind}`, { defaultValue: t('auditLog.actions.other') });
  const name = !member && s.name ? ` · ${s.name}` : '';
  return (
    <span>
      {own}
      {name}
      {member && <> · {member}</>}
    </span>
  );
}

function Value({ field, v }: { field: string; v: AuditValue | null }) {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  if (!v) return <span className="muted">—</span>;
  switch (v.type) {
    case 'money':
    case 'moneyMxn':
      return <span className="money">{formatMoney(v.value, v.currency ?? 'MXN', locale)}</span>;
    case 'datetime':
      return <span>{formatInstant(v.value, locale)}</span>;
    case 'count':
    case 'points':
    case 'decimal':
      return <span className="num">{formatPoints(v.value)}</span>;
    case 'bool':
      return <span>{t(v.value === 'true' ? 'common.yes' : 'common.no')}</span>;
    case 'enum':
      return <span>{t(`auditLog.values.${field}.${v.value}`, { defaultValue: v.value })}</span>;
    case 'day':
      return <span>{t('auditLog.values.day', { day: v.value })}</span>;
    case 'member':
      return v.memberId ? (
        <Link to={`/members/${v.memberId}`}>
          {v.value}
          {v.name ? ` · ${v.name}` : ''}
        </Link>
      ) : (
        <span>{v.value}</span>
      );
    case 'staff':
      return (
        <span>
          {v.value}
          {v.name ? ` (${v.name})` : ''}
        </span>
      );
    default:
      return <span>{v.value}</span>;
  }
}

export function AuditScreen() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState({ action: '', staffUsername: '', entity: '', from: '', to: '' });
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<Row | null>(null);
  const input: InputOf<'audit.list'> = {
    page,
    pageSize: 50,
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.staffUsername ? { staffUsername: filters.staffUsername } : {}),
    ...(filters.entity ? { entity: filters.entity } : {}),
    ...(filters.from ? { from: dayStartMx(filters.from) } : {}),
    ...(filters.to ? { to: dayEndMx(filters.to) } : {}),
  };
  const q = useProcedure('audit.list', input);
  const set = (k: keyof typeof filters, v: string) => {
    setFilters({ ...filters, [k]: v });
    setPage(1);
  };

  const columns = useMemo(
    () => [
      col.accessor('at', { header: t('audit.at'), cell: (c) => <DateTime iso={c.getValue()} /> }),
      col.accessor('staffUsername', { header: t('audit.who'), cell: (c) => c.getValue() ?? t('auditLog.system') }),
      col.accessor('action', { header: t('audit.action'), cell: (c) => actionLabel(t, c.getValue()) }),
      col.accessor('subject', { header: t('auditLog.subjectCol'), cell: (c) => <Subject s={c.getValue()} /> }),
      col.accessor('changes', {
        header: t('auditLog.changesCol'),
        cell: (c) => (c.getValue().length ? t('auditLog.changedFields', { count: c.getValue().length }) : '—'),
      }),
      col.accessor('reason', { header: t('common.reason'), cell: (c) => c.getValue() ?? '' }),
    ],
    [t],
  );

  return (
    <Page title={t('audit.title')} intro={t('audit.intro')}>
      <div className="filters card">
        <label>
          {t('audit.action')}
          <select value={filters.action} onChange={(e) => set('action', e.target.value)}>
            <option value="">{t('audit.anyAction')}</option>
            {(q.data?.actions ?? []).map((a) => (
              <option key={a} value={a}>
                {actionLabel(t, a)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.who')}
          <input value={filters.staffUsername} onChange={(e) => set('staffUsername', e.target.value)} />
        </label>
        <label>
          {t('auditLog.entityFilter')}
          <select value={filters.entity} onChange={(e) => set('entity', e.target.value)}>
            <option value="">{t('auditLog.anyEntity')}</option>
            {AUDIT_ENTITIES.map((e) => (
              <option key={e} value={e}>
                {t(`auditLog.entities.${e}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.from')}
          <input type="date" value={filters.from} onChange={(e) => set('from', e.target.value)} />
        </label>
        <label>
          {t('audit.to')}
          <input type="date" value={filters.to} onChange={(e) => set('to', e.target.value)} />
        </label>
      </div>
      <ErrorBanner error={q.error} />
      {q.isLoading ? (
        <Loading />
      ) : (
        <>
          <DataTable data={q.data?.rows ?? []} columns={columns} rowKey={(r) => r.id} onRowClick={setOpen} selectedKey={open?.id} />
          <Pager page={page} pageSize={50} total={q.data?.total ?? 0} onPage={setPage} />
        </>
      )}
      {open && (
        <div className="card detail" data-testid="audit-detail">
          <h2>
            {actionLabel(t, open.action)} · <DateTime iso={open.at} />
          </h2>
          <p>
            <strong>{t('auditLog.subjectCol')}:</strong> <Subject s={open.subject} />
          </p>
          <p>
            <strong>{t('auditLog.by')}:</strong> {open.staffUsername ?? t('auditLog.system')}
          </p>
          {open.reason && (
            <p>
              <strong>{t('auditLog.reason')}:</strong> {open.reason}
            </p>
          )}
          {open.changes.length === 0 ? (
            <p className="muted">{t('auditLog.noChanges')}</p>
          ) : (
            <table className="data">
              <thead>
                <tr>
                  <th>{t('auditLog.field')}</th>
                  <th>{t('audit.before')}</th>
                  <th>{t('audit.after')}</th>
                </tr>
              </thead>
              <tbody>
                {open.changes.map((c) => (
                  <tr key={`${c.field}:${c.sub ?? ''}`}>
                    <th scope="row">{fieldLabel(t, c)}</th>
                    <td className="diff-before">
                      <Value field={c.field} v={c.before} />
                    </td>
                    <td className="diff-after">
                      <Value field={c.field} v={c.after} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <button type="button" onClick={() => setOpen(null)}>
            {t('common.close')}
          </button>
        </div>
      )}
    </Page>
  );
}
