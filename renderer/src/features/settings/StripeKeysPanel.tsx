import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import { formatInstant } from '../../../../shared/format';
import type { OutputOf } from '../../../../shared/contract';
import { usePreferences } from '../../stores/preferences';
import { ErrorBanner, Pending } from '../common/ui';

type Keys = OutputOf<'system.stripeKeys'>;
type Which = 'transfer' | 'restricted';

/**
 * The Stripe keys (admin): kept in the database, each in a column only the groups that use it can
 * read (issue 16). The screen never receives a key: whether each is set, its mode and last four.
 */
export function StripeKeysPanel() {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  const q = useProcedure('system.stripeKeys', {});
  const save = useMutationProcedure('system.setStripeKeys', ['system.stripeKeys', 'system.capabilities']);
  const [transfer, setTransfer] = useState('');
  const [restricted, setRestricted] = useState('');
  const [reason, setReason] = useState('');
  // The key of the last outcome, worded at render: a language switch rewords it too.
  const [done, setDone] = useState<'stripeKeys.saved' | 'stripeKeys.removed' | null>(null);

  const send = (input: { transferKey?: string | null; restrictedKey?: string | null }, message: 'stripeKeys.saved' | 'stripeKeys.removed') => {
    setDone(null);
    save.mutate(
      { ...input, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      {
        onSuccess: () => {
          setTransfer('');
          setRestricted('');
          setReason('');
          setDone(message);
        },
      },
    );
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send(
      { ...(transfer.trim() ? { transferKey: transfer.trim() } : {}), ...(restricted.trim() ? { restrictedKey: restricted.trim() } : {}) },
      'stripeKeys.saved',
    );
  };
  if (q.isLoading || !q.data) return <Pending error={q.error} />;
  const keys = q.data;
  const state = (which: Which) => {
    const k = keys[which];
    if (!k.configured) return t('stripeKeys.notSet');
    return t(k.source === 'database' ? 'stripeKeys.setInDatabase' : 'stripeKeys.setInEnvironment', {
      mode: t(`stripeKeys.mode.${k.mode}`),
      last4: k.last4,
    });
  };
  return (
    <div className="stack">
      <section className="card" aria-labelledby="stripe-keys-title">
        <h2 id="stripe-keys-title">{t('stripeKeys.title')}</h2>
        <p className="muted small">{t('stripeKeys.intro')}</p>
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('stripeKeys.key')}</th>
                <th scope="col">{t('stripeKeys.state')}</th>
                <th scope="col">{t('stripeKeys.readBy')}</th>
                <th scope="col">
                  <span className="sr-only">{t('stripeKeys.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(['transfer', 'restricted'] as Which[]).map((which) => (
                <tr key={which}>
                  <th scope="row">{t(`stripeKeys.name.${which}`)}</th>
                  <td>{state(which)}</td>
                  <td>{t(`stripeKeys.readers.${which}`)}</td>
                  <td>
                    {keys[which].source === 'database' && (
                      <button
                        type="button"
                        aria-label={t('stripeKeys.remove', { name: t(`stripeKeys.name.${which}`) })}
                        disabled={save.isPending}
                        onClick={() => send(which === 'transfer' ? { transferKey: null } : { restrictedKey: null }, 'stripeKeys.removed')}
                      >
                        {t('stripeKeys.removeShort')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted small">{updated(keys, t, locale)}</p>
      </section>
      <form className="card inline-form" onSubmit={submit} aria-label={t('stripeKeys.formTitle')}>
        <h3 style={{ width: '100%', margin: 0 }}>{t('stripeKeys.formTitle')}</h3>
        <p className="muted small" style={{ width: '100%', margin: 0 }}>
          {t('stripeKeys.formHelp')}
        </p>
        <ErrorBanner error={save.error} />
        {done && (
          <div className="banner ok" role="status" style={{ width: '100%' }}>
            {t(done)}
          </div>
        )}
        <label>
          {t('stripeKeys.name.transfer')}
          <input type="password" autoComplete="off" spellCheck={false} value={transfer} onChange={(e) => setTransfer(e.target.value)} placeholder="sk_live_…" />
        </label>
        <label>
          {t('stripeKeys.name.restricted')}
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={restricted}
            onChange={(e) => setRestricted(e.target.value)}
            placeholder="rk_live_…"
          />
        </label>
        <label>
          {t('stripeKeys.reason')}
          <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
        </label>
        <button className="primary" type="submit" disabled={save.isPending || (!transfer.trim() && !restricted.trim())}>
          {t('stripeKeys.save')}
        </button>
      </form>
    </div>
  );
}

function updated(keys: Keys, t: (k: string, o?: Record<string, unknown>) => string, locale: string) {
  return keys.updatedAt ? t('stripeKeys.updated', { who: keys.updatedBy ?? '—', at: formatInstant(keys.updatedAt, locale as never) }) : t('stripeKeys.never');
}
