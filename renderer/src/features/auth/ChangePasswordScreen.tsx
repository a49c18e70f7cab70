import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../api/client';
import { useSession } from '../../stores/session';
import { AppError } from '../../../../shared/errors';
import { ErrorBanner } from '../common/ui';

export function ChangePasswordScreen() {
  const { t } = useTranslation();
  const { staff, update, signOut } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<AppError | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (next !== repeat) {
      setError(new AppError('VALIDATION', t('changePassword.mismatch'), undefined, { key: 'changePassword.mismatch' }));
      return;
    }
    try {
      await call('auth.changePassword', { currentPassword: current, newPassword: next });
      if (staff) update({ ...staff, mustChangePassword: false });
    } catch (err) {
      setError(err as AppError);
    }
  }
  return (
    <div className="login-screen">
      <form className="login-card" onSubmit={submit}>
        <h1>{t('changePassword.title')}</h1>
        <p className="muted">{t('changePassword.intro')}</p>
        <ErrorBanner error={error} />
        <label>
          {t('changePassword.current')}
          <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </label>
        <label>
          {t('changePassword.next')}
          <input type="password" autoComplete="new-password" minLength={10} value={next} onChange={(e) => setNext(e.target.value)} required />
        </label>
        <label>
          {t('changePassword.repeat')}
          <input type="password" autoComplete="new-password" minLength={10} value={repeat} onChange={(e) => setRepeat(e.target.value)} required />
        </label>
        <button className="primary" type="submit">
          {t('common.save')}
        </button>
        <button type="button" className="link" onClick={signOut}>
          {t('common.logout')}
        </button>
      </form>
    </div>
  );
}
