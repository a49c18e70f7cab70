import { useEffect, useState } from 'react';
import { usePreferences } from '../../stores/preferences';
import { amountProblem, formatMoney } from '../../../../shared/format';
import { AmountField } from '../common/AmountField';
import { useTranslation } from 'react-i18next';
import { call } from '../../api/client';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import type { AppError } from '../../../../shared/errors';
import { ErrorBanner, Money } from '../common/ui';
import { Modal as Dialog } from '../common/dialog';
import { download, totalsOf, TotalsList, useRefreshWithdrawals, type Row } from './parts';
import { describeError } from '../common/errors';

/** A decision that needs a written reason (reject, mark failed) or a reference (mark paid). */
export function ReasonDialog({
  title,
  help,
  label,
  confirm,
  danger,
  pending,
  error,
  onClose,
  onConfirm,
  placeholder,
}: {
  title: string;
  help?: string;
  label: string;
  confirm: string;
  danger?: boolean;
  pending: boolean;
  error: AppError | null;
  placeholder?: string;
  onClose: () => void;
  onConfirm: (text: string) => void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  return (
    <Dialog label={title} onClose={onClose} onSubmit={() => onConfirm(text.trim())}>
      <h2>{title}</h2>
      {help && <p className="muted">{help}</p>}
      <ErrorBanner error={error} />
      <label>
        {label}
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={placeholder ?? t('withdrawals.reasonPlaceholder')}
          required
          minLength={3}
          maxLength={500}
          autoFocus
        />
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button className={danger ? 'danger' : 'primary'} type="submit" disabled={pending || text.trim().length < 3}>
          {confirm}
        </button>
      </div>
    </Dialog>
  );
}

export function ApproveManyDialog({ rows, onClose, onDone }: { rows: Row[]; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const refresh = useRefreshWithdrawals();
  const approve = useMutationProcedure('withdrawals.approveMany');
  const [note, setNote] = useState('');
  const submit = () =>
    approve.mutate(
      { ids: rows.map((r) => r.id), ...(note.trim() ? { note: note.trim() } : {}) },
      {
        onSuccess: async (r) => {
          await refresh();
          const list = (xs: { id: number; memberCode: string }[]) => xs.map((x) => `#${x.id} (${x.memberCode})`).join(', ');
          onDone(
            [
              t('withdrawals.approvedMany', { count: r.count }),
              r.firstApprovals.length ? t('withdrawals.firstApprovedMany', { list: list(r.firstApprovals) }) : '',
              r.needsSomeoneElse.length ? t('withdrawals.needsSomeoneElse', { list: list(r.needsSomeoneElse) }) : '',
            ]
              .filter(Boolean)
              .join(' '),
          );
        },
      },
    );
  return (
    <Dialog label={t('withdrawals.approveManyTitle', { count: rows.length })} onClose={onClose} onSubmit={submit}>
      <h2>{t('withdrawals.approveManyTitle', { count: rows.length })}</h2>
      <p className="muted">{t('withdrawals.approveManyHelp')}</p>
      <ErrorBanner error={approve.error} />
      <div>
        <h3>{t('withdrawals.approveManyTotal')}</h3>
        <TotalsList totals={totalsOf(rows)} />
      </div>
      <label>
        {t('withdrawals.note')}
        <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} />
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button className="primary" type="submit" disabled={approve.isPending}>
          {t('withdrawals.confirmApprove', { count: rows.length })}
        </button>
      </div>
    </Dialog>
  );
}

type PayState = { id: number; row: Row; result?: 'paid' | 'declined' | 'unknown' | 'error'; message?: string | null; transfer?: string | null };

/**
 * Pays the given approved (or unknown-outcome) withdrawals one by one through Stripe Connect,
 * showing the progress and each outcome. Each call is its own procedure: a failure of one does
 * not stop the others, and a retry of any of them uses the same idempotency key.
 */
export function PayoutDialog({ rows, onClose }: { rows: Row[]; onClose: () => void }) {
  const { t } = useTranslation();
  const refresh = useRefreshWithdrawals();
  const [items, setItems] = useState<PayState[]>(() => rows.map((r) => ({ id: r.id, row: r })));
  const [running, setRunning] = useState(false);
  const done = items.filter((i) => i.result).length;
  const finished = done === items.length && done > 0;

  async function run() {
    setRunning(true);
    for (const [k, item] of items.entries()) {
      if (item.result === 'paid' || item.result === 'declined') continue;
      let next: PayState;
      try {
        const r = await call('withdrawals.payout', { id: item.id });
        next = { ...item, result: r.outcome, message: r.message, transfer: r.stripeTransferId };
      } catch (e) {
        next = { ...item, result: 'error', message: describeError(t, e as AppError) };
      }
      setItems((prev) => prev.map((p, i) => (i === k ? next : p)));
    }
    setRunning(false);
    await refresh();
  }

  const count = (r: PayState['result']) => items.filter((i) => i.result === r).length;
  return (
    <Dialog label={t('withdrawals.payTitle')} onClose={onClose} busy={running} onSubmit={() => void run()}>
      <h2>{t('withdrawals.payTitle')}</h2>
      <p className="muted">{t('withdrawals.payHelp')}</p>
      {!finished && !running && <TotalsList totals={totalsOf(rows)} />}
      {(running || done > 0) && (
        <div aria-live="polite">
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={items.length} aria-valuenow={done}>
            <div style={{ width: `${(done / Math.max(1, items.length)) * 100}%` }} />
          </div>
          <p>
            {finished
              ? t('withdrawals.payDone', { paid: count('paid'), failed: count('declined'), unknown: count('unknown') + count('error') })
              : t('withdrawals.payProgress', { done, count: items.length })}
          </p>
        </div>
      )}
      <ul className="wd-results">
        {items.map((i) => (
          <li key={i.id}>
            <span>
              #{i.id} · {i.row.memberCode} · <Money amount={i.row.net} currency={i.row.currency} />
            </span>
            <span>
              {i.result ? (
                <span className={`badge ${i.result === 'paid' ? 'ok' : i.result === 'declined' ? 'danger' : 'warn'}`}>
                  {t(`withdrawals.payResult.${i.result}`)}
                </span>
              ) : (
                <span className="muted">…</span>
              )}
              {i.transfer && <span className="msg mono"> {i.transfer}</span>}
              {i.message && i.result !== 'paid' && <div className="msg">{i.message}</div>}
            </span>
          </li>
        ))}
      </ul>
      <div className="dialog-actions">
        <button type="button" onClick={onClose} disabled={running}>
          {finished ? t('common.close') : t('common.cancel')}
        </button>
        {!finished && (
          <button className="primary" type="submit" disabled={running}>
            {t('withdrawals.payConfirm', { count: items.length })}
          </button>
        )}
        {finished && items.some((i) => i.result === 'unknown' || i.result === 'error') && (
          <button className="primary" type="submit" disabled={running}>
            {t('common.retry')}
          </button>
        )}
      </div>
    </Dialog>
  );
}

export function BankFileDialog({ rows, onClose, onDone }: { rows: Row[]; onClose: () => void; onDone: (msg: string) => void }) {
  const { t } = useTranslation();
  const refresh = useRefreshWithdrawals();
  const bank = useMutationProcedure('withdrawals.bankFile');
  const submit = () =>
    bank.mutate(
      { ids: rows.map((r) => r.id) },
      {
        onSuccess: async (r) => {
          download(r.fileName, r.csv);
          await refresh();
          onDone(t('withdrawals.bankDone', { file: r.fileName, count: r.count }));
        },
      },
    );
  return (
    <Dialog label={t('withdrawals.bankTitle')} onClose={onClose} onSubmit={submit}>
      <h2>{t('withdrawals.bankTitle')}</h2>
      <p className="muted">{t('withdrawals.bankHelp')}</p>
      <ErrorBanner error={bank.error} />
      <TotalsList totals={totalsOf(rows)} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button className="primary" type="submit" disabled={bank.isPending}>
          {t('withdrawals.bankConfirm', { count: rows.length })}
        </button>
      </div>
    </Dialog>
  );
}

/** Enter a withdrawal request on a member's behalf: find the member, type the amount, see fee, net and available. */
export function RequestDialog({ onClose, onDone }: { onClose: () => void; onDone: (id: number) => void }) {
  const { t } = useTranslation();
  const refresh = useRefreshWithdrawals();
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  const [member, setMember] = useState<{ id: number; code: string; name: string; country: string } | null>(null);
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [requestKey] = useState(() => crypto.randomUUID());
  useEffect(() => {
    const h = setTimeout(() => setDebounced(q.trim()), 250);
    return () => clearTimeout(h);
  }, [q]);
  const hits = useProcedure('members.search', { q: debounced, pageSize: 8 }, { enabled: debounced.length >= 2 && !member });
  const locale = usePreferences((s) => s.locale);
  const validAmount = amountProblem(amount) === null;
  const quote = useProcedure('withdrawals.quote', { memberId: member?.id ?? 1, amount: validAmount ? amount : '1' }, { enabled: !!member && validAmount });
  const request = useMutationProcedure('withdrawals.request');
  const submit = () => {
    if (!member || !quote.data) return;
    request.mutate(
      { memberId: member.id, amount, currency: quote.data.currency, requestKey, ...(note.trim() ? { note: note.trim() } : {}) },
      {
        onSuccess: async (w) => {
          await refresh();
          onDone(w.id);
        },
      },
    );
  };
  return (
    <Dialog label={t('withdrawals.requestTitle')} onClose={onClose} onSubmit={submit}>
      <h2>{t('withdrawals.requestTitle')}</h2>
      <p className="muted">{t('withdrawals.requestHelp')}</p>
      <ErrorBanner error={request.error ?? hits.error} />
      {member ? (
        <ul className="wd-totals-list">
          <li>
            <span>
              <strong>{member.code}</strong> · {member.name} · {member.country}
            </span>
            <button
              type="button"
              className="link"
              onClick={() => {
                setMember(null);
                setQ('');
              }}
            >
              {t('common.clear')}
            </button>
          </li>
        </ul>
      ) : (
        <>
          <label>
            {t('withdrawals.searchMember')}
            <input value={q} onChange={(e) => setQ(e.target.value)} autoFocus />
          </label>
          {(hits.data?.rows.length ?? 0) > 0 && (
            <ul className="wd-hits">
              {hits.data!.rows.map((h) => (
                <li key={h.id}>
                  <button type="button" onClick={() => setMember({ id: h.id, code: h.code, name: `${h.firstName} ${h.lastName}`, country: h.country })}>
                    <span>
                      <strong>{h.code}</strong> {h.firstName} {h.lastName}
                    </span>
                    <span className="muted">{h.country}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <AmountField label={t('withdrawals.amount')} value={amount} onChange={(v) => setAmount(v.trim())} disabled={!member} />
      {member && validAmount && quote.data && (
        <>
          <div className="wd-quote">
            <div>
              <span>{t('withdrawals.minimum')}</span>
              <Money amount={quote.data.minimum} currency={quote.data.currency} />
            </div>
            <div>
              <span>{t('withdrawals.fee')}</span>
              <Money amount={quote.data.fee} currency={quote.data.currency} />
            </div>
            <div>
              <span>{t('withdrawals.col.net')}</span>
              <Money amount={quote.data.net} currency={quote.data.currency} />
            </div>
            <div>
              <span>{t('withdrawals.available')}</span>
              <Money amount={quote.data.available} currency={quote.data.currency} />
            </div>
          </div>
          {quote.data.problemCode && (
            <div className="banner warn">
              {t(`withdrawals.quoteProblem.${quote.data.problemCode}`, { amount: formatMoney(quote.data.problemAmount, quote.data.currency, locale) })}
            </div>
          )}
        </>
      )}
      <label>
        {t('withdrawals.note')}
        <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} disabled={!member} />
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button className="primary" type="submit" disabled={!member || !quote.data?.ok || request.isPending}>
          {t('withdrawals.submitRequest')}
        </button>
      </div>
    </Dialog>
  );
}
