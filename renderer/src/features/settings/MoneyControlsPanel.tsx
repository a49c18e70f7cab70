import { useEffect, useRef, useState, type FormEvent } from 'react';
import { AmountField } from '../common/AmountField';
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
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState(false);
  // The threshold in force fills the field once, when it first loads: filling it whenever the field
  // was empty put the old amount back as soon as the admin erased it to type a new one.
  const filled = useRef(false);
  useEffect(() => {
    if (!q.data || filled.current) return;
    filled.current = true;
    setValue(q.data.secondApprovalThresholdMxn);
  }, [q.data]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    save.mutate(
      { secondApprovalThresholdMxn: value.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}) },
      {
        onSuccess: (s) => {
          setValue(s.secondApprovalThresholdMxn);
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
            setValue(v);
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
