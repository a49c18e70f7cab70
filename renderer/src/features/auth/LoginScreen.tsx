import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../api/client';
import { useSession } from '../../stores/session';
import { AppError } from '../../../../shared/errors';
import { ErrorBanner } from '../common/ui';
import { LanguageSwitch } from '../shell/LanguageSwitch';

export function LoginScreen() {
  const { t } = useTranslation();
  const signIn = useSession((s) => s.signIn);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await call('auth.login', { username, password });
      signIn(window.nnp ? null : r.token, r.staff);
    } catch (err) {
      setError(err instanceof AppError ? err : AppError.of('INTERNAL', 'generic.INTERNAL', {}, { cause: String(err) }));
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="login-screen">
      <form className="login-card" onSubmit={submit} aria-label={t('login.title')}>
        <div className="brand big">
          <span className="logo">NN</span>
          <div>
            <strong>{t('app.name')}</strong>
            <small>{t('app.subtitle')}</small>
          </div>
        </div>
        <h1>{t('login.title')}</h1>
        <ErrorBanner error={error} />
        <label>
          {t('login.username')}
          <input name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <button className="primary" type="submit" disabled={busy}>
          {busy ? t('login.working') : t('login.submit')}
        </button>
        <p className="muted small">{t('login.help')}</p>
        <LanguageSwitch />
      </form>
    </div>
  );
}
