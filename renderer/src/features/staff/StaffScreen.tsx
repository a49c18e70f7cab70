import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import type { OutputOf, Role } from '../../../../shared/contract';
import { DataTable, DateTime, ErrorBanner, Loading, Page } from '../common/ui';
import { useSession } from '../../stores/session';
import { Modal } from '../common/dialog';

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

  const columns = useMemo(() => [
    col.accessor('username', { header: t('staff.username') }),
    col.accessor('displayName', { header: t('staff.displayName') }),
    col.accessor('role', {
      header: t('staff.role'),
      cell: (c) => (
        <select aria-label={t('staff.changeRole')} value={c.getValue()} disabled={c.row.original.id === me?.id}
          onChange={(e) => update.mutate({ id: c.row.original.id, role: e.target.value as Role })}>
          {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
        </select>
      ),
    }),
    col.accessor('active', { header: t('staff.active'), cell: (c) => (c.getValue() ? t('common.yes') : t('common.no')) }),
    col.accessor('lockedUntil', { header: t('staff.locked'), cell: (c) => (c.getValue() ? <DateTime iso={c.getValue()} /> : '—') }),
    col.accessor('createdAt', { header: t('staff.createdAt'), cell: (c) => <DateTime iso={c.getValue()} time={false} /> }),
    col.display({
      id: 'actions', header: t('common.actions'),
      cell: (c) => (
        <div className="row-actions">
          <button type="button" disabled={c.row.original.id === me?.id} onClick={() => update.mutate({ id: c.row.original.id, active: !c.row.original.active })}>
            {c.row.original.active ? t('staff.deactivate') : t('staff.activate')}
          </button>
          <button type="button" onClick={() => setResetFor(c.row.original)}>{t('staff.resetPassword')}</button>
        </div>
      ),
    }),
  ], [t, me?.id, update]);

  return (
    <Page title={t('staff.title')} intro={t('staff.intro')}>
      <ErrorBanner error={list.error ?? update.error ?? reset.error} />
      {notice && <div className="banner ok" role="status">{notice}</div>}
      <CreateStaffForm onCreated={() => setNotice(t('staff.created'))} />
      {list.isLoading ? <Loading /> : <DataTable data={list.data ?? []} columns={columns} rowKey={(r) => r.id} />}
      {resetFor && (
        <ResetPasswordDialog account={resetFor} onClose={() => setResetFor(null)}
          onSubmit={(pw) => reset.mutate({ id: resetFor.id, newPassword: pw }, { onSuccess: () => { setResetFor(null); setNotice(t('staff.resetDone')); } })} />
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
    create.mutate(form, { onSuccess: () => { setForm({ username: '', displayName: '', role: 'support', password: '' }); onCreated(); } });
  }
  return (
    <form className="card inline-form" onSubmit={submit} aria-label={t('staff.create')}>
      <h2>{t('staff.create')}</h2>
      <ErrorBanner error={create.error} />
      <label>{t('staff.username')}<input value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} required /></label>
      <label>{t('staff.displayName')}<input value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} required /></label>
      <label>{t('staff.role')}
        <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
          {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
        </select>
      </label>
      <label>{t('staff.initialPassword')}<input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required /></label>
      <button className="primary" type="submit" disabled={create.isPending}>{t('common.save')}</button>
    </form>
  );
}

function ResetPasswordDialog({ account, onClose, onSubmit }: { account: Account; onClose: () => void; onSubmit: (pw: string) => void }) {
  const { t } = useTranslation();
  const [pw, setPw] = useState('');
  return (
    <Modal label={t('staff.resetPassword')} onClose={onClose} onSubmit={() => onSubmit(pw)}>
        <h2>{t('staff.resetPassword')}: {account.username}</h2>
        <label>{t('staff.newPassword')}<input type="password" autoComplete="new-password" minLength={10} value={pw} onChange={(e) => setPw(e.target.value)} required /></label>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>{t('common.cancel')}</button>
          <button className="primary" type="submit">{t('common.confirm')}</button>
        </div>
    </Modal>
  );
}
