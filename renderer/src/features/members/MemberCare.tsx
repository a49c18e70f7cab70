import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import { useSession } from '../../stores/session';
import { DateTime, ErrorBanner, Money, Pager } from '../common/ui';
import { MemberLink } from './parts';
import type { Profile } from './profileTabs';
import type { TimelineEntry } from '../../../../shared/contract/members';

/** Who corrects contact data and leaves notes (support, admin); who suspends (admin): shared/contract/members.ts. */
export const canEdit = (role?: string) => role === 'admin' || role === 'support';
export const canSuspend = (role?: string) => role === 'admin';

function Dialog({ label, children, onSubmit }: { label: string; children: ReactNode; onSubmit: () => void }) {
  return (
    <div className="dialog-backdrop" role="dialog" aria-modal="true" aria-label={label}>
      <form
        className="dialog"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        {children}
      </form>
    </div>
  );
}

const FIELDS = ['firstName', 'lastName', 'email', 'phone', 'address'] as const;

/** Correct a member's name, e-mail, phone or address, with a reason (audited, shown on the timeline). */
export function EditMemberDialog({ m, onClose }: { m: Profile; onClose: () => void }) {
  const { t } = useTranslation();
  const save = useMutationProcedure('members.update', ['members.get', 'members.timeline', 'members.search']);
  const [v, setV] = useState<Record<(typeof FIELDS)[number], string>>({
    firstName: m.firstName,
    lastName: m.lastName,
    email: m.email ?? '',
    phone: m.phone ?? '',
    address: m.address ?? '',
  });
  const [reason, setReason] = useState('');
  const labels = Object.fromEntries([...FIELDS, 'reason'].map((f) => [f, t(`care.fields.${f}`)]));
  const submit = () => {
    const original: Record<string, string> = {
      firstName: m.firstName,
      lastName: m.lastName,
      email: m.email ?? '',
      phone: m.phone ?? '',
      address: m.address ?? '',
    };
    const changed = Object.fromEntries(FIELDS.filter((f) => v[f].trim() !== original[f]).map((f) => [f, v[f].trim()]));
    save.mutate({ id: m.id, ...changed, reason: reason.trim() }, { onSuccess: onClose });
  };
  return (
    <Dialog label={t('care.edit.title')} onSubmit={submit}>
      <h2>{t('care.edit.title')}</h2>
      <p className="muted">{t('care.edit.help')}</p>
      <ErrorBanner error={save.error} labels={labels} />
      <div className="form-grid">
        {FIELDS.map((f) => (
          <label key={f}>
            {labels[f]}
            <input name={f} value={v[f]} onChange={(e) => setV({ ...v, [f]: e.target.value })} maxLength={f === 'address' ? 300 : 200} />
          </label>
        ))}
      </div>
      <label>
        {labels.reason}
        <textarea name="reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('care.edit.reasonPlaceholder')} maxLength={500} />
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button className="primary" type="submit" disabled={save.isPending}>
          {t('common.save')}
        </button>
      </div>
    </Dialog>
  );
}

/** Suspend or reactivate (admin), with a reason. */
export function StatusDialog({ m, onClose }: { m: Profile; onClose: () => void }) {
  const { t } = useTranslation();
  const set = useMutationProcedure('members.setStatus', ['members.get', 'members.timeline', 'members.search']);
  const [reason, setReason] = useState('');
  const next = m.status === 'suspended' ? 'active' : 'suspended';
  const title = t(next === 'suspended' ? 'care.status.suspend' : 'care.status.reactivate');
  return (
    <Dialog label={title} onSubmit={() => set.mutate({ id: m.id, status: next, reason: reason.trim() }, { onSuccess: onClose })}>
      <h2>{title}</h2>
      <p className="muted">{t(next === 'suspended' ? 'care.status.suspendHelp' : 'care.status.reactivateHelp')}</p>
      <ErrorBanner error={set.error} labels={{ reason: t('care.fields.reason') }} />
      <label>
        {t('care.fields.reason')}
        <textarea name="reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button className={next === 'suspended' ? 'danger' : 'primary'} type="submit" disabled={set.isPending}>
          {title}
        </button>
      </div>
    </Dialog>
  );
}

/** Everything that happened to the member, newest first: notes, orders, withdrawals, autoship, sponsor, staff actions. */
export function TimelinePanel({ m }: { m: Profile }) {
  const { t } = useTranslation();
  const role = useSession((s) => s.staff?.role);
  const [page, setPage] = useState(1);
  const q = useProcedure('members.timeline', { memberId: m.id, page, pageSize: 20 });
  const add = useMutationProcedure('members.addNote', ['members.timeline']);
  const [note, setNote] = useState('');
  return (
    <div className="card timeline" data-ready={q.data && !q.isPlaceholderData ? 'timeline' : undefined}>
      {canEdit(role) && (
        <form
          className="note-form"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate(
              { memberId: m.id, text: note.trim() },
              {
                onSuccess: () => {
                  setNote('');
                  setPage(1);
                },
              },
            );
          }}
        >
          <label>
            {t('care.note.label')}
            <textarea name="note" value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('care.note.placeholder')} maxLength={2000} />
          </label>
          <ErrorBanner error={add.error} labels={{ text: t('care.note.label') }} />
          <button type="submit" className="primary" disabled={add.isPending || note.trim() === ''}>
            {t('care.note.add')}
          </button>
        </form>
      )}
      <ErrorBanner error={q.error} />
      {q.data && q.data.rows.length === 0 && <p className="muted">{t('care.timeline.empty')}</p>}
      <ol className="timeline-list">
        {q.data?.rows.map((r, i) => (
          <li key={`${r.at}-${i}`} className={`tl-${r.kind}`}>
            <TimelineItem r={r} currency={m.currency} />
          </li>
        ))}
      </ol>
      {q.data && <Pager page={page} pageSize={q.data.pageSize} total={q.data.total} onPage={setPage} />}
    </div>
  );
}

function TimelineItem({ r, currency }: { r: TimelineEntry; currency: string }) {
  const { t } = useTranslation();
  const who = r.staff ? <span className="muted"> · {t('care.timeline.by', { who: r.staff })}</span> : null;
  let body: ReactNode;
  switch (r.kind) {
    case 'note':
      body = (
        <>
          <strong>{t('care.timeline.note')}</strong>
          {who}
          <blockquote>{r.text}</blockquote>
        </>
      );
      break;
    case 'order':
      body = (
        <>
          <strong>{t('care.timeline.order', { id: r.ref })}</strong> · {t(`orderStatus.${r.status}`)} ·{' '}
          <Money amount={r.amount} currency={r.currency ?? currency} />
        </>
      );
      break;
    case 'withdrawal':
      body = (
        <>
          <strong>{t('care.timeline.withdrawal', { id: r.ref })}</strong> · {t(`srv.state.${r.status}`)} ·{' '}
          <Money amount={r.amount} currency={r.currency ?? currency} />
        </>
      );
      break;
    case 'autoship':
      body = (
        <>
          <strong>{t(`care.timeline.autoship.${r.status}`, { day: r.day })}</strong>
          {who}
        </>
      );
      break;
    case 'sponsor':
      body = (
        <>
          <strong>{t('care.timeline.sponsor')}</strong>
          {who}: {r.from ? <MemberLink m={r.from} /> : '—'} → {r.to ? <MemberLink m={r.to} /> : '—'}
          {r.text && <div className="muted">{t('care.timeline.reason', { reason: r.text })}</div>}
        </>
      );
      break;
    case 'status':
      body = (
        <>
          <strong>{t(r.status === 'suspended' ? 'care.timeline.suspended' : 'care.timeline.reactivated')}</strong>
          {who}
          {r.text && <div className="muted">{t('care.timeline.reason', { reason: r.text })}</div>}
        </>
      );
      break;
    default:
      body = (
        <>
          <strong>{t('care.timeline.edit')}</strong>
          {who}
          <table className="data compact changes">
            <thead>
              <tr>
                <th>{t('care.timeline.field')}</th>
                <th>{t('care.timeline.before')}</th>
                <th>{t('care.timeline.after')}</th>
              </tr>
            </thead>
            <tbody>
              {r.changes.map((c) => (
                <tr key={c.field}>
                  <td>{t(`care.fields.${c.field}`, { defaultValue: t('fields.unknown') })}</td>
                  <td>{c.before ?? '—'}</td>
                  <td>{c.after ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {r.text && <div className="muted">{t('care.timeline.reason', { reason: r.text })}</div>}
        </>
      );
  }
  return (
    <>
      <DateTime iso={r.at} /> <div className="tl-body">{body}</div>
    </>
  );
}
