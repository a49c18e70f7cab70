import { useState, type FormEvent } from 'react';
import { AmountField } from '../common/AmountField';
import { useEditableCopy } from '../common/editable';
import { useTranslation } from 'react-i18next';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import { formatInstant } from '../../../../shared/format';
import { usePreferences } from '../../stores/preferences';
import { ErrorBanner, Money, Pending } from '../common/ui';

/** The second-approval threshold for withdrawals (admin), with its equivalents at the rates in force. */
export function MoneyControlsPanel() {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  const q = useProcedure('withdrawals.settings', {});
  const save = useMutationProcedure('withdrawals.setSettings', ['withdrawals.settings']);
  // The threshold in force, as an editable copy (useEditableCopy): erasing it to type a new one used
  // to bring the old amount straight back.
  const { copy: value, edit, accept } = useEditableCopy(q.data, (s) => s.secondApprovalThresholdMxn, '');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    save.mutate(
      { secondApprovalThresholdMxn: value.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}) },
      {
        onSuccess: (s) => {
          accept(s);
          setReason('');
          setDone(true);
        },
      },
    );
  };
  if (q.isLoading || !q.data) return <Pending error={q.error} />;
  const s = q.data;
  return (
    <div className="stack">
      <form className="card inline-form" onSubmit={submit} aria-label={t('moneyControls.title')}>
        <h2>{t('moneyControls.title')}</h2>
        <p className="muted small" style={{ width: '100%', margin: 0 }}>
          {t('moneyControls.intro')}
        </p>
        <ErrorBanner error={save.error} />
        {done && (
          <div className="banner ok" role="status" style={{ width: '100%' }}>
            {t('moneyControls.saved')}
          </div>
        )}
        <AmountField
          label={t('moneyControls.threshold')}
          value={value}
          onChange={(v) => {
            edit(v);
            setDone(false);
          }}
          allowZero
          required
        />
        <label>
          {t('moneyControls.reason')}
          <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
        </label>
        <button className="primary" type="submit" disabled={save.isPending}>
          {t('moneyControls.save')}
        </button>
        <p className="muted small" style={{ width: '100%', margin: 0 }}>
          {s.updatedAt ? t('moneyControls.updated', { who: s.updatedBy ?? '—', at: formatInstant(s.updatedAt, locale) }) : t('moneyControls.never')}
        </p>
      </form>
      <section className="card" aria-label={t('moneyControls.equivalents')}>
        <h3>{t('moneyControls.equivalents')}</h3>
        <ul className="plain-list">
          {s.equivalents.map((e) => (
            <li key={e.currency}>
              {e.amount ? (
                <Money amount={e.amount} currency={e.currency} />
              ) : (
                <span className="muted">
                  {e.currency}: {t('moneyControls.noRate')}
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
