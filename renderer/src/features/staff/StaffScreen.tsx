import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import type { OutputOf, Role } from '../../../../shared/contract';
import { DataTable, DateTime, ErrorBanner, Loading, Page } from '../common/ui';
import { useSession } from '../../stores/session';
import { Modal } from '../common/dialog';
import type { AppError } from '../../../../shared/errors';

type Account = OutputOf<'staff.list'>[number];
const col = createColumnHelper<Account>();
const ROLES: Role[] = ['admin', 'finance', 'support'];

export function StaffScreen() {
  const { t } = useTranslation();
  const me = useSession((s) => s.staff);
  const list = useProcedure('staff.list', {});
  const update = useMutationProcedure('staff.update', ['staff.list']);
  const reset = useMutationProcedure('staff.resetPassword', ['staff.list']);
  const [resetFor, setResetFor] = useState<Account | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // A role change or a (de)activation waits here for its confirmation and reason.
  const [pending, setPending] = useState<{ account: Account; role?: Role; active?: boolean } | null>(null);

  const columns = useMemo(
    () => [
      col.accessor('username', { header: t('staff.username') }),
      col.accessor('displayName', { header: t('staff.displayName') }),
      col.accessor('role', {
        header: t('staff.role'),
        cell: (c) => (
          <select
            aria-label={t('staff.changeRole')}
            value={c.getValue()}
            disabled={c.row.original.id === me?.id}
            onChange={(e) => setPending({ account: c.row.original, role: e.target.value as Role })}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        ),
      }),
      col.accessor('active', { header: t('staff.active'), cell: (c) => (c.getValue() ? t('common.yes') : t('common.no')) }),
      col.accessor('lockedUntil', { header: t('staff.locked'), cell: (c) => (c.getValue() ? <DateTime iso={c.getValue()} /> : '—') }),
      col.accessor('createdAt', { header: t('staff.createdAt'), cell: (c) => <DateTime iso={c.getValue()} time={false} /> }),
      col.display({
        id: 'actions',
        header: t('common.actions'),
        cell: (c) => (
          <div className="row-actions">
            <button
              type="button"
              disabled={c.row.original.id === me?.id}
              onClick={() => setPending({ account: c.row.original, active: !c.row.original.active })}
            >
              {c.row.original.active ? t('staff.deactivate') : t('staff.activate')}
            </button>
            <button type="button" onClick={() => setResetFor(c.row.original)}>
              {t('staff.resetPassword')}
            </button>
          </div>
        ),
      }),
    ],
    [t, me?.id],
  );

  return (
    <Page title={t('staff.title')} intro={t('staff.intro')}>
      <ErrorBanner error={list.error ?? (pending ? null : update.error)} />
      {notice && (
        <div className="banner ok" role="status">
          {notice}
        </div>
      )}
      <CreateStaffForm onCreated={() => setNotice(t('staff.created'))} />
      {list.isLoading ? <Loading /> : <DataTable data={list.data ?? []} columns={columns} rowKey={(r) => r.id} />}
      {resetFor && (
        <ResetPasswordDialog
          account={resetFor}
          error={reset.error}
          onClose={() => {
            setResetFor(null);
            reset.reset();
          }}
          onSubmit={(pw, reason) =>
            reset.mutate(
              { id: resetFor.id, newPassword: pw, reason },
              {
                onSuccess: () => {
                  setResetFor(null);
                  setNotice(t('staff.resetDoneFor', { user: resetFor.username }));
                },
              },
            )
          }
        />
      )}
      {pending && (
        <ReasonDialog
          title={
            pending.role
              ? t('staff.confirmRole', { user: pending.account.username, from: t(`role.${pending.account.role}`), to: t(`role.${pending.role}`) })
              : pending.active
                ? t('staff.confirmActivate', { user: pending.account.username })
                : t('staff.confirmDeactivate', { user: pending.account.username })
          }
          busy={update.isPending}
          onClose={() => {
            setPending(null);
            update.reset();
          }}
          error={update.error}
          onSubmit={(reason) =>
            update.mutate(
              { id: pending.account.id, role: pending.role, active: pending.active, reason },
              {
                onSuccess: (a) => {
                  setPending(null);
                  setNotice(
                    pending.role
                      ? t('staff.roleChanged', { user: a.username, role: t(`role.${a.role}`) })
                      : a.active
                        ? t('staff.activated', { user: a.username })
                        : t('staff.deactivated', { user: a.username }),
                  );
                },
              },
            )
          }
        />
      )}
    </Page>
  );
}

function CreateStaffForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useTranslation();
  const create = useMutationProcedure('staff.create', ['staff.list']);
  const [form, setForm] = useState({ username: '', displayName: '', role: 'support' as Role, password: '' });
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(form, {
      onSuccess: () => {
        setForm({ username: '', displayName: '', role: 'support', password: '' });
        onCreated();
      },
    });
  }
  return (
    <form className="card inline-form" onSubmit={submit} aria-label={t('staff.create')}>
      <h2>{t('staff.create')}</h2>
      <ErrorBanner error={create.error} />
      <label>
        {t('staff.username')}
        <input value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} required />
      </label>
      <label>
        {t('staff.displayName')}
        <input value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} required />
      </label>
      <label>
        {t('staff.role')}
        <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('staff.initialPassword')}
        <input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required />
      </label>
      <button className="primary" type="submit" disabled={create.isPending}>
        {t('common.save')}
      </button>
    </form>
  );
}

/** Confirms a change of someone's account and asks why (the reason goes to the audit row). */
function ReasonDialog({
  title,
  busy,
  error,
  onClose,
  onSubmit,
}: {
  title: string;
  busy: boolean;
  error: AppError | null;
  onClose: () => void;
  onSubmit: (reason: string) => void;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  return (
    <div className="dialog-backdrop" role="dialog" aria-modal="true" aria-label={title}>
      <form
        className="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(reason.trim());
        }}
      >
        <h2>{title}</h2>
        <p className="muted small">{t('staff.reasonHint')}</p>
        <ErrorBanner error={error} />
        <label>
          {t('staff.reason')}
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} minLength={3} maxLength={500} required autoFocus />
        </label>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button className="primary" type="submit" disabled={busy || reason.trim().length < 3}>
            {t('common.confirm')}
          </button>
        </div>
      </form>
    </div>
  );
}

function ResetPasswordDialog({
  account,
  error,
  onClose,
  onSubmit,
}: {
  account: Account;
  error: AppError | null;
  onClose: () => void;
  onSubmit: (pw: string, reason: string) => void;
}) {
  const { t } = useTranslation();
  const [pw, setPw] = useState('');
  const [reason, setReason] = useState('');
  return (
    <Modal label={t('staff.resetPassword')} onClose={onClose} onSubmit={() => onSubmit(pw, reason.trim())}>
      <h2>
        {t('staff.resetPassword')}: {account.username}
      </h2>
      <p className="muted small">{t('staff.resetHint')}</p>
      <ErrorBanner error={error} />
      <label>
        {t('staff.newPassword')}
        <input type="password" autoComplete="new-password" minLength={10} value={pw} onChange={(e) => setPw(e.target.value)} required />
      </label>
      <label>
        {t('staff.reason')}
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} minLength={3} maxLength={500} required />
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button className="primary" type="submit">
          {t('common.confirm')}
        </button>
      </div>
    </Modal>
  );
}
