import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import type { OutputOf } from '../../../../shared/contract';
import { formatInstant, formatMoney } from '../../../../shared/format';
import { usePreferences } from '../../stores/preferences';
import { useCapabilities } from '../common/capabilities';
import { DateTime, ErrorBanner, Loading, Money } from '../common/ui';
import { CloseButton, Drawer } from '../common/dialog';
import { WalletPanel } from '../wallet/WalletPanel';
import { BankFileDialog, PayoutDialog, ReasonDialog } from './dialogs';
import { DestinationFacts } from '../members/PayoutDestinations';
import { RiskBadges, StatusBadge, useRefreshWithdrawals, type Row } from './parts';

type Detail = OutputOf<'withdrawals.get'>;

/** The flag's facts in words, with money and dates formatted for the reader. */
function useFlagText() {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  return (flag: Detail['risk'][number], currency: string) => {
    const d = flag.detail as Record<string, string | number | null>;
    const money = (v: unknown) => formatMoney(v == null ? null : String(v), currency, locale);
    const date = (v: unknown) => formatInstant(v == null ? null : String(v), locale);
    return t(`withdrawals.flagExplain.${flag.flag}`, {
      ...d,
      ...(d.average !== undefined ? { average: money(d.average), threshold: money(d.threshold) } : {}),
      ...(d.total !== undefined ? { total: money(d.total) } : {}),
      ...(d.amount !== undefined ? { amount: money(d.amount) } : {}),
      ...(d.changedAt !== undefined ? { changedAt: date(d.changedAt) } : {}),
      ...(d.enrolledAt !== undefined ? { enrolledAt: date(d.enrolledAt) } : {}),
    });
  };
}

export function WithdrawalDrawer({
  id,
  onClose,
  onNotice,
  notice,
}: {
  id: number;
  onClose: () => void;
  onNotice: (m: string) => void;
  notice?: string | null;
}) {
  const { t } = useTranslation();
  const q = useProcedure('withdrawals.get', { id });
  const refresh = useRefreshWithdrawals();
  const approve = useMutationProcedure('withdrawals.approve');
  const reject = useMutationProcedure('withdrawals.reject');
  const markPaid = useMutationProcedure('withdrawals.markPaid');
  const markFailed = useMutationProcedure('withdrawals.markFailed');
  const [dialog, setDialog] = useState<null | 'reject' | 'pay' | 'bank' | 'paid' | 'failed'>(null);
  const flagText = useFlagText();
  const noStripe = useCapabilities().stripe === false;

  const d = q.data;
  const w = d?.withdrawal;
  const asRow: Row | null = w ? { ...w } : null;
  const lastAttempt = d?.attempts.at(-1);
  const canRetry = w?.status === 'processing' && w.payoutMethod === 'stripe' && lastAttempt?.outcome !== null && lastAttempt?.outcome !== undefined;

  return (
    <>
      <Drawer className="wd-drawer" label={t('withdrawals.detail')} onClose={onClose}>
        <header>
          <h2>
            {t('withdrawals.withdrawalNo', { id })} {w && <StatusBadge status={w.status} awaiting={w.awaitingSecondApproval} />}
          </h2>
          <span className="spacer" />
          <CloseButton type="button" aria-label={t('withdrawals.close')}>
            ✕
          </CloseButton>
        </header>
        <div className="wd-body">
          {/* The page behind a modal drawer is hidden from assistive tech: the outcome is said here. */}
          {notice && (
            <div className="banner ok" role="status">
              {notice}
            </div>
          )}
          <ErrorBanner error={q.error ?? approve.error} />
          {q.isLoading || !d || !w ? (
            <Loading />
          ) : (
            <>
              {(w.status === 'pending' || w.status === 'approved' || canRetry || (w.status === 'processing' && w.payoutMethod === 'bank_file')) && (
                <div className="wd-actions">
                  {w.status === 'pending' && (
                    <>
                      <button
                        className="primary"
                        type="button"
                        disabled={approve.isPending}
                        onClick={() =>
                          approve.mutate(
                            { id },
                            {
                              onSuccess: async (r) => {
                                await refresh();
                                onNotice(t(r.awaitingSecondApproval ? 'withdrawals.firstApproved' : 'withdrawals.approved', { id }));
                              },
                            },
                          )
                        }
                      >
                        {w.awaitingSecondApproval ? t('withdrawals.approveSecond') : t('withdrawals.approve')}
                      </button>
                      <button className="danger" type="button" onClick={() => setDialog('reject')}>
                        {t('withdrawals.reject')}
                      </button>
                    </>
                  )}
                  {w.status === 'approved' && (
                    <>
                      <button
                        className="primary"
                        type="button"
                        onClick={() => setDialog('pay')}
                        disabled={!d.member.stripeAccountId || noStripe}
                        aria-describedby={noStripe ? 'wd-drawer-no-stripe' : undefined}
                        title={d.member.stripeAccountId || noStripe ? undefined : t('withdrawals.noStripeAccount')}
                      >
                        {t('withdrawals.payStripe')}
                      </button>
                      <button type="button" onClick={() => setDialog('bank')}>
                        {t('withdrawals.bankFile')}
                      </button>
                    </>
                  )}
                  {canRetry && (
                    <button
                      className="primary"
                      type="button"
                      disabled={noStripe}
                      aria-describedby={noStripe ? 'wd-drawer-no-stripe' : undefined}
                      onClick={() => setDialog('pay')}
                    >
                      {t('withdrawals.retryPayout')}
                    </button>
                  )}
                  {w.status === 'processing' && w.payoutMethod === 'bank_file' && (
                    <>
                      <button className="primary" type="button" onClick={() => setDialog('paid')}>
                        {t('withdrawals.markPaid')}
                      </button>
                      <button className="danger" type="button" onClick={() => setDialog('failed')}>
                        {t('withdrawals.markFailed')}
                      </button>
                    </>
                  )}
                  {noStripe && (w.status === 'approved' || canRetry) && (
                    <p className="wd-note muted" id="wd-drawer-no-stripe" data-testid="wd-drawer-no-stripe">
                      {t('common.stripeMissing')}
                    </p>
                  )}
                </div>
              )}

              <div className="wd-amounts">
                <div className="stat">
                  <div className="label">{t('withdrawals.col.amount')}</div>
                  <div className="value">
                    <Money amount={w.amount} currency={w.currency} />
                  </div>
                </div>
                <div className="stat">
                  <div className="label">{t('withdrawals.col.fee')}</div>
                  <div className="value">
                    <Money amount={w.fee} currency={w.currency} />
                  </div>
                </div>
                <div className="stat">
                  <div className="label">{t('withdrawals.col.net')}</div>
                  <div className="value">
                    <Money amount={w.net} currency={w.currency} />
                  </div>
                </div>
              </div>
              {w.awaitingSecondApproval && (
                <div className="banner warn" role="note">
                  {t('withdrawals.awaitingSecondHelp', { who: d.decisions.find((x) => x.action === 'first_approved')?.by ?? '—' })}
                </div>
              )}
              {w.lastPayoutError && w.status === 'processing' && (
                <div className="banner warn">
                  <strong>{t('withdrawals.lastError')}:</strong> {w.lastPayoutError}
                </div>
              )}
              {w.failureReason && (
                <div className="banner error">
                  <strong>{t('withdrawals.failureReason')}:</strong> {w.failureReason}
                </div>
              )}
              {w.rejectionReason && (
                <div className="banner error">
                  <strong>{t('withdrawals.rejectionReason')}:</strong> {w.rejectionReason}
                </div>
              )}

              <section className="card" aria-label={t('withdrawals.risk')}>
                <h3>{t('withdrawals.risk')}</h3>
                {d.risk.length === 0 ? (
                  <p className="muted">{t('withdrawals.noFlags')}</p>
                ) : (
                  <ul className="wd-risk">
                    {d.risk.map((f) => (
                      <li key={f.flag}>
                        <RiskBadges flags={[f.flag]} />
                        <span>{flagText(f, w.currency)}</span>
                        <span className="when">
                          {[f.atRequest ? t('withdrawals.flagAtRequest') : null, f.now ? t('withdrawals.flagNow') : null].filter(Boolean).join(' · ')}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
                <p className="muted small">{t('withdrawals.riskNote')}</p>
              </section>

              <section className="card" aria-label={t('withdrawals.destination')}>
                <h3>{t('withdrawals.destination')}</h3>
                {w.destination ? (
                  <>
                    <p className="muted small">{t('withdrawals.destinationAtApproval')}</p>
                    <DestinationFacts d={w.destination} />
                    {d.member.destination?.id !== w.destination.id && <div className="banner warn">{t('withdrawals.destinationDiffers')}</div>}
                  </>
                ) : w.status === 'pending' ? (
                  d.member.destination ? (
                    <>
                      <p className="muted small">{t('withdrawals.destinationNow')}</p>
                      <DestinationFacts d={d.member.destination} />
                    </>
                  ) : (
                    <p className="muted">{t('withdrawals.noDestination')}</p>
                  )
                ) : w.status === 'approved' ? (
                  <div className="banner warn">{t('withdrawals.noDestinationAtApproval')}</div>
                ) : (
                  <p className="muted">—</p>
                )}
              </section>

              <section className="card" aria-label={t('withdrawals.member')}>
                <h3>{t('withdrawals.member')}</h3>
                <dl className="wd-facts">
                  <div>
                    <dt>{t('withdrawals.name')}</dt>
                    <dd>
                      {d.member.name} · <Link to={`/members/${d.member.id}`}>{t('withdrawals.openProfile')}</Link>
                    </dd>
                  </div>
                  <div>
                    <dt>{t('withdrawals.code')}</dt>
                    <dd className="mono">{d.member.code}</dd>
                  </div>
                  <div>
                    <dt>{t('withdrawals.country')}</dt>
                    <dd>{t(`destinations.countryName.${d.member.country}`, { defaultValue: d.member.country })}</dd>
                  </div>
                  <div>
                    <dt>{t('withdrawals.enrolledAt')}</dt>
                    <dd>
                      <DateTime iso={d.member.enrolledAt} time={false} />
                    </dd>
                  </div>
                  <div>
                    <dt>{t('withdrawals.email')}</dt>
                    <dd>{d.member.email ?? '—'}</dd>
                  </div>
                  <div>
                    <dt>{t('withdrawals.phone')}</dt>
                    <dd>{d.member.phone ?? '—'}</dd>
                  </div>
                  <div>
                    <dt>{t('withdrawals.stripeAccount')}</dt>
                    <dd className="mono">{d.member.stripeAccountId ?? t('withdrawals.noStripeAccount')}</dd>
                  </div>
                  <div>
                    <dt>{t('withdrawals.destinationChangedAt')}</dt>
                    <dd>
                      <DateTime iso={d.member.payoutDestinationChangedAt} />
                    </dd>
                  </div>
                  <div>
                    <dt>{t('withdrawals.source')}</dt>
                    <dd>{t(`withdrawals.sourceName.${w.source}`)}</dd>
                  </div>
                  {w.stripeTransferId && (
                    <div>
                      <dt>{t('withdrawals.transferId')}</dt>
                      <dd className="mono">{w.stripeTransferId}</dd>
                    </div>
                  )}
                  {w.payoutReference && w.payoutMethod === 'bank_file' && (
                    <div>
                      <dt>{t('withdrawals.payoutReference')}</dt>
                      <dd>{w.payoutReference}</dd>
                    </div>
                  )}
                </dl>
              </section>

              <section className="card" aria-label={t('withdrawals.decisions')}>
                <h3>{t('withdrawals.decisions')}</h3>
                <ol className="wd-timeline">
                  {d.decisions.map((x, i) => (
                    <li key={i}>
                      <span className="muted">
                        <DateTime iso={x.at} />
                      </span>
                      <span>
                        <span className="what">{t(`withdrawals.action.${x.action}`)}</span>{' '}
                        <span className="muted">{x.by ? t('withdrawals.by', { who: x.by }) : x.action === 'requested' ? t('withdrawals.byMember') : ''}</span>
                        {x.note && <div className="note">{x.note}</div>}
                      </span>
                    </li>
                  ))}
                </ol>
                {d.attempts.length > 0 && (
                  <>
                    <h3 style={{ marginTop: 12 }}>{t('withdrawals.attempts')}</h3>
                    <ol className="wd-timeline">
                      {d.attempts.map((a) => (
                        <li key={a.id}>
                          <span className="muted">
                            <DateTime iso={a.startedAt} />
                          </span>
                          <span>
                            <span className="what">{a.outcome ? t(`withdrawals.outcome.${a.outcome}`, { defaultValue: a.outcome }) : '…'}</span>{' '}
                            <span className="muted">
                              {t(`withdrawals.method.${a.method}`)} · {a.startedBy ? t('withdrawals.by', { who: a.startedBy }) : ''}
                            </span>
                            <div className="note mono small">
                              {a.idempotencyKey}
                              {a.stripeTransferId ? ` → ${a.stripeTransferId}` : ''}
                            </div>
                            {a.errorMessage && (
                              <div className="note">
                                {a.errorCode}: {a.errorMessage}
                              </div>
                            )}
                          </span>
                        </li>
                      ))}
                    </ol>
                  </>
                )}
              </section>

              <section className="card">
                <WalletPanel memberId={d.member.id} pageSize={8} />
              </section>

              <section className="card" aria-label={t('withdrawals.previous')}>
                <h3>{t('withdrawals.previous')}</h3>
                {d.previous.length === 0 ? (
                  <p className="muted">{t('withdrawals.noPrevious')}</p>
                ) : (
                  <table className="data">
                    <thead>
                      <tr>
                        <th>{t('withdrawals.col.id')}</th>
                        <th>{t('withdrawals.col.requestedAt')}</th>
                        <th className="right">{t('withdrawals.col.amount')}</th>
                        <th>{t('withdrawals.col.status')}</th>
                        <th>{t('withdrawals.col.risk')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.previous.map((p) => (
                        <tr key={p.id}>
                          <td className="mono">#{p.id}</td>
                          <td>
                            <DateTime iso={p.requestedAt} />
                          </td>
                          <td className="right">
                            <Money amount={p.amount} currency={p.currency} />
                          </td>
                          <td>
                            <StatusBadge status={p.status} />
                          </td>
                          <td>
                            <RiskBadges flags={p.riskFlags} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </section>
            </>
          )}
        </div>
        {dialog === 'reject' && (
          <ReasonDialog
            title={t('withdrawals.rejectTitle', { id })}
            help={t('withdrawals.rejectHelp')}
            label={t('withdrawals.reason')}
            confirm={t('withdrawals.confirmReject')}
            danger
            pending={reject.isPending}
            error={reject.error}
            onClose={() => setDialog(null)}
            onConfirm={(reason) =>
              reject.mutate(
                { id, reason },
                {
                  onSuccess: async () => {
                    setDialog(null);
                    await refresh();
                    onNotice(t('withdrawals.rejected', { id }));
                  },
                },
              )
            }
          />
        )}
        {dialog === 'failed' && (
          <ReasonDialog
            title={t('withdrawals.markFailedTitle', { id })}
            help={t('withdrawals.rejectHelp')}
            label={t('withdrawals.reason')}
            confirm={t('withdrawals.markFailed')}
            danger
            pending={markFailed.isPending}
            error={markFailed.error}
            onClose={() => setDialog(null)}
            onConfirm={(reason) =>
              markFailed.mutate(
                { id, reason },
                {
                  onSuccess: async () => {
                    setDialog(null);
                    await refresh();
                    onNotice(t('withdrawals.markedFailed', { id }));
                  },
                },
              )
            }
          />
        )}
        {dialog === 'paid' && (
          <ReasonDialog
            title={t('withdrawals.markPaidTitle', { id })}
            label={t('withdrawals.reference')}
            confirm={t('withdrawals.markPaid')}
            placeholder="SPEI / folio"

            pending={markPaid.isPending}
            error={markPaid.error}
            onClose={() => setDialog(null)}
            onConfirm={(reference) =>
              markPaid.mutate(
                { id, reference },
                {
                  onSuccess: async () => {
                    setDialog(null);
                    await refresh();
                    onNotice(t('withdrawals.markedPaid', { id }));
                  },
                },
              )
            }
          />
        )}
        {dialog === 'pay' && asRow && (
          <PayoutDialog
            rows={[asRow]}
            onClose={() => {
              setDialog(null);
              void refresh();
            }}
          />
        )}
        {dialog === 'bank' && asRow && (
          <BankFileDialog
            rows={[asRow]}
            onClose={() => setDialog(null)}
            onDone={(m) => {
              setDialog(null);
              onNotice(m);
            }}
          />
        )}
      </Drawer>
    </>
  );
}
