import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useProcedure } from '../../api/hooks';
import { useSession } from '../../stores/session';
import type { OutputOf } from '../../../../shared/contract';
import { useCapabilities } from '../common/capabilities';
import { DateTime, ErrorBanner, Loading, Money, ScrollBox } from '../common/ui';
import { AutoshipActionDialog, AutoshipStatusBadge, StripeSubscriptionLink, actionsFor, type AutoshipAction } from './parts';
import './autoship.css';

type Detail = OutputOf<'autoship.forMember'>[number];

/** The member profile's Autoship tab: next charge, items, status, failed attempts, charges; actions for support/admin. */
export function AutoshipPanel({ memberId }: { memberId: number }) {
  const { t } = useTranslation();
  const q = useProcedure('autoship.forMember', { memberId });
  if (q.isLoading) return <Loading />;
  if (q.error) return <ErrorBanner error={q.error} />;
  const subs = q.data ?? [];
  if (subs.length === 0)
    return (
      <div className="card muted" data-testid="autoship-none">
        {t('autoship.profile.none')}
      </div>
    );
  return (
    <div className="autoship-panel">
      {subs.map((s) => (
        <Subscription key={s.id} s={s} />
      ))}
    </div>
  );
}

function Subscription({ s }: { s: Detail }) {
  const { t } = useTranslation();
  const role = useSession((x) => x.staff?.role);
  const canAct = role === 'admin' || role === 'support';
  const [action, setAction] = useState<AutoshipAction | null>(null);
  // Every action goes to Stripe: without it configured, offer nothing that would only fail.
  const noStripe = useCapabilities().stripe === false;
  const actions = actionsFor(s.status);
  return (
    <section className="card autoship-card" data-testid={`autoship-${s.id}`}>
      <header className="autoship-head">
        <div>
          <AutoshipStatusBadge status={s.status} testId="autoship-status" /> <StripeSubscriptionLink id={s.stripeSubscriptionId} />
        </div>
        {canAct && (
          <div className="row-actions">
            {actions.map((a) => (
              <button
                key={a}
                type="button"
                disabled={noStripe}
                aria-describedby={noStripe ? `autoship-nostripe-${s.id}` : undefined}
                className={a === 'cancel' ? 'danger' : a === 'pause' || a === 'resume' ? 'primary' : ''}
                onClick={() => setAction(a)}
                data-testid={`autoship-${a}`}
              >
                {t(`autoship.actions.${a}`)}
              </button>
            ))}
          </div>
        )}
      </header>
      {canAct && noStripe && actions.length > 0 && (
        <p className="banner warn" id={`autoship-nostripe-${s.id}`} data-testid="autoship-no-stripe">
          {t('common.stripeMissing')}
        </p>
      )}
      {s.status === 'past_due' && s.lastFailureReason && (
        <div className="banner error" role="alert" data-testid="autoship-failure">
          {t('autoship.profile.lastFailure', { count: s.failedAttempts, reason: s.lastFailureReason })}{' '}
          {s.lastFailureAt && (
            <>
              (<DateTime iso={s.lastFailureAt} />)
            </>
          )}
        </div>
      )}
      <dl className="autoship-facts">
        <div>
          <dt>{t('autoship.profile.nextCharge')}</dt>
          <dd data-testid="autoship-next">
            {s.nextChargeAt ? <DateTime iso={s.nextChargeAt} /> : <span className="muted">{t('autoship.profile.nextChargeNone')}</span>}
            {s.nextChargeAt && <small className="muted autoship-tz">{t('autoship.profile.timeZone')}</small>}
          </dd>
        </div>
        <div>
          <dt>{t('autoship.profile.chargeDay')}</dt>
          <dd data-testid="autoship-day">{t('autoship.profile.chargeDayValue', { day: s.chargeDay })}</dd>
        </div>
        <div>
          <dt>{t('autoship.profile.amount')}</dt>
          <dd>
            <Money amount={s.amount} currency={s.currency} />
          </dd>
        </div>
        <div>
          <dt>{t('autoship.profile.failedAttempts')}</dt>
          <dd data-testid="autoship-failed" className={s.failedAttempts > 0 ? 'autoship-bad' : ''}>
            {s.failedAttempts}
          </dd>
        </div>
        {s.pausedAt && (
          <div>
            <dt>{t('autoship.profile.pausedSince')}</dt>
            <dd>
              <DateTime iso={s.pausedAt} />
            </dd>
          </div>
        )}
        {s.canceledAt && (
          <div>
            <dt>{t('autoship.profile.canceledAt')}</dt>
            <dd>
              <DateTime iso={s.canceledAt} />
            </dd>
          </div>
        )}
      </dl>
      <h3>{t('autoship.profile.items')}</h3>
      <ScrollBox>
        <table className="data">
          <thead>
            <tr>
              <th>{t('autoship.profile.item.sku')}</th>
              <th>{t('autoship.profile.item.name')}</th>
              <th>{t('autoship.profile.item.quantity')}</th>
              <th>{t('autoship.profile.item.unitPrice')}</th>
              <th>{t('autoship.profile.item.pv')}</th>
            </tr>
          </thead>
          <tbody>
            {s.items.map((i) => (
              <tr key={i.productId}>
                <td className="mono">{i.sku}</td>
                <td>{i.name}</td>
                <td className="num">{i.quantity}</td>
                <td>{i.unitPrice ? <Money amount={i.unitPrice} currency={s.currency} /> : '—'}</td>
                <td className="num">{i.pv}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <h3>{t('autoship.profile.charges')}</h3>
      {s.charges.length === 0 ? (
        <p className="muted">{t('autoship.profile.noCharges')}</p>
      ) : (
        <ScrollBox>
          <table className="data">
            <thead>
              <tr>
                <th>{t('autoship.profile.charge.at')}</th>
                <th>{t('autoship.profile.charge.outcome')}</th>
                <th>{t('autoship.profile.charge.attempt')}</th>
                <th>{t('autoship.profile.charge.amount')}</th>
                <th>{t('autoship.profile.charge.order')}</th>
                <th>{t('autoship.profile.charge.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {s.charges.map((c) => (
                <tr key={c.eventId}>
                  <td>
                    <DateTime iso={c.at} />
                  </td>
                  <td>
                    <span className={`badge ${c.outcome === 'paid' ? 'ok' : c.outcome === 'failed' ? 'danger' : 'warn'}`}>
                      {t(`autoship.profile.outcome.${c.outcome}`)}
                    </span>
                  </td>
                  <td className="num">{c.attempt ?? '—'}</td>
                  <td>{c.amount ? <Money amount={c.amount} currency={c.currency ?? s.currency} /> : '—'}</td>
                  <td>{c.orderId ? <span className="mono">#{c.orderId}</span> : '—'}</td>
                  <td className="autoship-reason">{c.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {!canAct && <p className="muted small">{t('autoship.profile.readOnly')}</p>}
      {action && <AutoshipActionDialog sub={s} action={action} onClose={() => setAction(null)} />}
    </section>
  );
}
