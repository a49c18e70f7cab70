import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutationProcedure } from '../../api/hooks';
import type { OutputOf } from '../../../../shared/contract';
import { ErrorBanner } from '../common/ui';
import { Modal } from '../common/dialog';

export type AutoshipRow = OutputOf<'autoship.list'>['rows'][number];
export type AutoshipAction = 'pause' | 'resume' | 'cancel' | 'change_day';

const TONE: Record<string, string> = { active: 'ok', paused: 'warn', past_due: 'danger', canceled: '' };

export function AutoshipStatusBadge({ status, testId }: { status: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge ${TONE[status] ?? ''}`} data-testid={testId}>
      {t(`autoship.status.${status}`, { defaultValue: status })}
    </span>
  );
}

/** Stripe's dashboard page of a subscription. */
export function StripeSubscriptionLink({ id }: { id: string }) {
  const { t } = useTranslation();
  return (
    <a
      className="mono"
      href={`https://dashboard.stripe.com/subscriptions/${encodeURIComponent(id)}`}
      target="_blank"
      rel="noreferrer"
      title={t('autoship.openStripe', { id })}
    >
      {id}
    </a>
  );
}

/** Which actions fit a status (the main process refuses the others with CONFLICT anyway). */
export function actionsFor(status: string): AutoshipAction[] {
  if (status === 'canceled') return [];
  return [...(status === 'paused' ? ['resume' as const] : ['pause' as const]), 'change_day', 'cancel'];
}

const PROCEDURE = { pause: 'autoship.pause', resume: 'autoship.resume', cancel: 'autoship.cancel', change_day: 'autoship.changeDay' } as const;
const INVALIDATES = ['autoship.list', 'autoship.forMember', 'audit.list'] as const;

/**
 * Confirmation of one action, with a required reason (and the new day for change_day). The request
 * id is made once per dialog: confirming again after an error (a timeout) retries the SAME request,
 * which the main process and Stripe apply at most once.
 */
export function AutoshipActionDialog({
  sub,
  action,
  onClose,
}: {
  sub: Pick<AutoshipRow, 'id' | 'memberName' | 'memberCode' | 'stripeSubscriptionId' | 'chargeDay'>;
  action: AutoshipAction;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [requestId] = useState(() => crypto.randomUUID());
  const [reason, setReason] = useState('');
  const [day, setDay] = useState<number>(sub.chargeDay === 1 ? 2 : 1);
  const [done, setDone] = useState<string | null>(null);
  const m = useMutationProcedure(PROCEDURE[action], [...INVALIDATES] as never);

  function submit(e: FormEvent) {
    e.preventDefault();
    const input = action === 'change_day' ? { id: sub.id, reason, requestId, day } : { id: sub.id, reason, requestId };
    m.mutate(input as never, {
      onSuccess: (r) => {
        const res = r as OutputOf<'autoship.pause'>;
        setDone(res.duplicate ? t('autoship.dialog.duplicate') : t(`autoship.dialog.done.${action}`, { day: res.subscription.chargeDay }));
      },
    });
  }
  const danger = action === 'cancel';
  return (
    <Modal label={t(`autoship.dialog.title.${action}`)} onClose={onClose} onSubmit={submit}>
      <h2>{t(`autoship.dialog.title.${action}`)}</h2>
      <p>
        <strong>{t('autoship.dialog.member', { name: sub.memberName, code: sub.memberCode })}</strong> ·{' '}
        <span className="mono muted">{sub.stripeSubscriptionId}</span>
      </p>
      <p className={danger ? 'banner warn' : 'muted'}>{t(`autoship.dialog.intro.${action}`)}</p>
      <ErrorBanner error={m.error} />
      {done && (
        <div className="banner ok" role="status">
          {done}
        </div>
      )}
      {action === 'change_day' && (
        <label>
          {t('autoship.dialog.day')}
          <select value={day} onChange={(e) => setDay(Number(e.target.value))} disabled={!!done}>
            {Array.from({ length: 28 }, (_, i) => i + 1).map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t('autoship.dialog.reason')}
        <textarea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} maxLength={500} disabled={!!done} />
        <small className="muted">{t('autoship.dialog.reasonHint')}</small>
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {done ? t('common.close') : t('autoship.dialog.back')}
        </button>
        {!done && (
          <button className={danger ? 'danger' : 'primary'} type="submit" disabled={reason.trim().length < 3 || m.isPending}>
            {m.isPending ? t('autoship.dialog.working') : t(`autoship.dialog.confirm.${action}`)}
          </button>
        )}
      </div>
    </Modal>
  );
}
