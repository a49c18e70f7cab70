import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import type { OutputOf } from '../../../../shared/contract';
import { usePreferences } from '../../stores/preferences';
import { ErrorBanner, Loading, Money, Points } from '../common/ui';
import { formatLongDateTime } from '../../../../shared/format';
import { Modal } from '../common/dialog';

type Run = OutputOf<'periods.run'>;
const QUERIES = ['periods.current', 'periods.list', 'periods.get', 'periods.advancing', 'periods.previewClose', 'dashboard.summary'] as const;

/** Progress of a run: the bar (thousandths from the run record) and its steps. */
export function RunProgress({ run }: { run: Run }) {
  const { t } = useTranslation();
  const pct = Math.round(run.progress / 10);
  return (
    <div className="run-progress">
      <div className="progress-label">
        <span>{t('periods.wizard.progress')}</span>
        <span>{pct} %</span>
      </div>
      <div className="progress" role="progressbar" aria-label={t('periods.wizard.progress')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div style={{ width: `${pct}%` }} />
      </div>
      <ul className="step-list">
        {run.steps.map((s, i) => {
          const state =
            i < run.stepsDone || run.status === 'succeeded' ? 'done' : s.name === run.currentStep && run.status === 'running' ? 'current' : 'pending';
          return (
            <li key={s.name} className={state}>
              <span className="mark">{state === 'done' ? '✓' : state === 'current' ? '▸' : '·'}</span>
              {s.label}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** Close wizard: preview (read-only) → confirm (type the key) → progress while it runs in the background. */
export function CloseWizard({ periodKey, onClose }: { periodKey: string; onClose: () => void }) {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  const lang = locale === 'es-MX' ? 'es' : 'en';
  const qc = useQueryClient();
  const [step, setStep] = useState<'preview' | 'confirm' | 'run'>('preview');
  const [typed, setTyped] = useState('');
  const [runId, setRunId] = useState<number | null>(null);
  const preview = useProcedure('periods.previewClose', { key: periodKey, lang }, { enabled: step !== 'run', staleTime: 0 });
  const close = useMutationProcedure('periods.close', []);
  const run = useProcedure(
    'periods.run',
    { runId: runId ?? 1, lang },
    {
      enabled: runId !== null,
      refetchInterval: (q) => (q.state.data?.status === 'running' || !q.state.data ? 400 : false),
    },
  );
  const r = run.data;
  const finished = r && r.status !== 'running';
  useEffect(() => {
    if (finished) void Promise.all(QUERIES.map((n) => qc.invalidateQueries({ queryKey: [n] })));
  }, [finished]); // eslint-disable-line react-hooks/exhaustive-deps -- refresh once when the run finishes

  const p = preview.data;
  const nextKey = p?.next.key ?? '';
  // The close guard's refusal (the period has not ended, or not started) stands apart from the other warnings.
  const timing = (p?.warnings ?? []).filter((w) => w.code === 'NOT_ENDED' || w.code === 'NOT_STARTED');
  const others = (p?.warnings ?? []).filter((w) => !timing.includes(w));
  return (
    <Modal className="wizard" label={t('periods.wizard.title', { key: periodKey })} onClose={onClose}>
      <h2>{t('periods.wizard.title', { key: periodKey })}</h2>
      <div className="wizard-steps">
        {(['preview', 'confirm', 'run'] as const).map((s) => (
          <span key={s} className={s === step ? 'current' : ''}>
            {t(`periods.wizard.steps.${s}`)}
          </span>
        ))}
      </div>

      {step === 'preview' &&
        (preview.isLoading ? (
          <Loading />
        ) : !p ? (
          <ErrorBanner error={preview.error} />
        ) : (
          <>
            <p className="wizard-intro">
              <span className="muted">{t('periods.wizard.previewIntro')}</span> {t('periods.wizard.whatHappens', { next: nextKey })}
            </p>
            {p.period.figures && (
              <dl className="kv">
                <div>
                  <dt>{t('periods.figures.membersActive')}</dt>
                  <dd>{p.period.figures.membersActive.toLocaleString('es-MX')}</dd>
                </div>
                <div>
                  <dt>{t('periods.figures.pv')}</dt>
                  <dd>
                    <Points value={p.period.figures.pv} />
                  </dd>
                </div>
                <div>
                  <dt>{t('periods.figures.vnMxn')}</dt>
                  <dd>
                    <Money amount={p.period.figures.vnMxn} currency="MXN" />
                  </dd>
                </div>
                <div>
                  <dt>{t('periods.figures.ordersPaid')}</dt>
                  <dd>{p.period.figures.ordersPaid.toLocaleString('es-MX')}</dd>
                </div>
                <div>
                  <dt>{t('periods.wizard.promotions')}</dt>
                  <dd>{p.careerPromotions.toLocaleString('es-MX')}</dd>
                </div>
                <div>
                  <dt>{t('periods.wizard.paidAsUp')}</dt>
                  <dd>{p.paidAsUp.toLocaleString('es-MX')}</dd>
                </div>
                <div>
                  <dt>{t('periods.wizard.paidAsDown')}</dt>
                  <dd>{p.paidAsDown.toLocaleString('es-MX')}</dd>
                </div>
                <div>
                  <dt>{t('periods.wizard.pendingOrders')}</dt>
                  <dd>{p.pendingOrders.toLocaleString('es-MX')}</dd>
                </div>
                <div>
                  <dt>{t('periods.wizard.waitingOrders')}</dt>
                  <dd>{p.waitingOrders.toLocaleString('es-MX')}</dd>
                </div>
                <div>
                  <dt>{t('periods.wizard.next')}</dt>
                  <dd>
                    {nextKey} <span className="muted small">({p.next.exists ? t('periods.wizard.nextExists') : t('periods.wizard.nextNew')})</span>
                  </dd>
                </div>
              </dl>
            )}
            {timing.length > 0 && (
              <div className="banner error" role="alert" aria-label={t('periods.wizard.notYet')}>
                <strong>{t('periods.wizard.notYet')}</strong>
                {timing.map((w) => (
                  <p key={w.code}>{w.message}</p>
                ))}
              </div>
            )}
            {others.length > 0 && (
              <div className="banner warn" role="note">
                <strong>{t('periods.wizard.warnings')}</strong>
                <ul>
                  {others.map((w) => (
                    <li key={w.code}>{w.message}</li>
                  ))}
                </ul>
              </div>
            )}
            <div>
              <h3>{t('periods.wizard.stepsTitle')}</h3>
              <ol className="wizard-steps-list">
                {p.steps.map((s) => (
                  <li key={s.name}>{s.label}</li>
                ))}
              </ol>
            </div>
            <div className="dialog-actions">
              <button type="button" onClick={onClose}>
                {t('common.cancel')}
              </button>
              <button type="button" className="primary" disabled={!p.canClose} onClick={() => setStep('confirm')}>
                {t('periods.wizard.continue')}
              </button>
            </div>
            {!p.canClose && (
              <p className="muted small">
                {timing.length > 0 ? t('periods.wizard.closableFrom', { when: formatLongDateTime(p.closableFrom, locale) }) : t('periods.wizard.cannot')}
              </p>
            )}
          </>
        ))}

      {step === 'confirm' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            close.mutate(
              { key: periodKey, confirmKey: typed.trim(), lang },
              {
                onSuccess: (out) => {
                  setRunId(out.id);
                  setStep('run');
                },
              },
            );
          }}
        >
          <p>{t('periods.wizard.confirmIntro', { key: periodKey })}</p>
          <ErrorBanner error={close.error} />
          <label>
            {t('periods.wizard.confirmLabel')}
            <input value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={periodKey} autoFocus />
          </label>
          <div className="dialog-actions">
            <button type="button" onClick={() => setStep('preview')}>
              {t('periods.wizard.back')}
            </button>
            <button type="submit" className="danger" disabled={typed.trim() !== periodKey || close.isPending}>
              {t('periods.wizard.start')}
            </button>
          </div>
        </form>
      )}

      {step === 'run' && (
        <>
          {!r ? <Loading /> : <RunProgress run={r} />}
          {r?.status === 'running' && <p className="muted small">{t('periods.wizard.running')}</p>}
          {r?.status === 'succeeded' && (
            <div className="banner ok" role="status">
              {t('periods.wizard.done', { key: periodKey, next: String((r.result as { nextPeriod?: string } | null)?.nextPeriod ?? nextKey) })}
            </div>
          )}
          {r?.status === 'failed' && (
            <div className="banner error" role="alert">
              {t('periods.wizard.failed', { error: r.error ?? '' })}
            </div>
          )}
          <div className="dialog-actions">
            <button type="button" className={finished ? 'primary' : ''} onClick={onClose}>
              {t('common.close')}
            </button>
          </div>
        </>
      )}
    </Modal>
  );
}
