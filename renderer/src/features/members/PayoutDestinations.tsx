import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import type { InputOf, OutputOf } from '../../../../shared/contract';
import { useSession } from '../../stores/session';
import { DateTime, ErrorBanner, Pending } from '../common/ui';

type View = OutputOf<'payoutDestinations.list'>['inForce'][number];
type Country = View['country'];

/** One destination's facts (CLABE or routing + account, bank, holder, tax id), numbers as the server sent them (masked for support). */
export function DestinationFacts({ d }: { d: Omit<View, 'masked' | 'createdAt' | 'createdBy' | 'supersededAt'> }) {
  const { t } = useTranslation();
  return (
    <dl className="wd-facts">
      <div>
        <dt>{t('destinations.country')}</dt>
        <dd>{t(`destinations.countryName.${d.country}`)}</dd>
      </div>
      <div>
        <dt>{t('destinations.holderName')}</dt>
        <dd>{d.holderName}</dd>
      </div>
      {d.country === 'MX' ? (
        <div>
          <dt>{t('destinations.clabe')}</dt>
          <dd className="mono">{d.accountNumber}</dd>
        </div>
      ) : (
        <div>
          <dt>{t('destinations.accountNumber')}</dt>
          <dd className="mono">{d.accountNumber}</dd>
        </div>
      )}
      {d.routingNumber && (
        <div>
          <dt>{t('destinations.routingNumber')}</dt>
          <dd className="mono">{d.routingNumber}</dd>
        </div>
      )}
      <div>
        <dt>{t('destinations.bank')}</dt>
        <dd>{[d.bankCode, d.bankName].filter(Boolean).join(' · ') || '—'}</dd>
      </div>
      {d.accountType && (
        <div>
          <dt>{t('destinations.accountType')}</dt>
          <dd>{t(`destinations.accountTypeName.${d.accountType}`)}</dd>
        </div>
      )}
      <div>
        <dt>{t(`destinations.taxIdFor.${d.country}`)}</dt>
        <dd className="mono">{d.taxId}</dd>
      </div>
    </dl>
  );
}

/** The member profile's payout accounts: in force and replaced; finance and admin enter or change them. */
export function PayoutDestinationsPanel({ memberId, memberCountry }: { memberId: number; memberCountry: Country }) {
  const { t } = useTranslation();
  const role = useSession((s) => s.staff?.role);
  const q = useProcedure('payoutDestinations.list', { memberId });
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const canEdit = role === 'admin' || role === 'finance';
  if (q.isLoading || !q.data) return <Pending error={q.error} />;
  const d = q.data;
  return (
    <section className="card stack" aria-label={t('destinations.title')}>
      <h3>{t('destinations.title')}</h3>
      <p className="muted small">{t('destinations.intro')}</p>
      {d.masked && <p className="muted small">{t('destinations.masked')}</p>}
      {saved && (
        <div className="banner ok" role="status">
          {t('destinations.saved')}
        </div>
      )}
      {d.changedAt && (
        <p className="small">
          {t('destinations.changedAt')}: <DateTime iso={d.changedAt} />
        </p>
      )}
      {d.inForce.length === 0 ? (
        <p className="muted">{t('destinations.none')}</p>
      ) : (
        d.inForce.map((x) => (
          <div key={x.id}>
            <DestinationFacts d={x} />
            <p className="muted small">
              {t('destinations.since')} <DateTime iso={x.createdAt} />
              {x.createdBy ? ` · ${t('destinations.by')}: ${x.createdBy}` : ''}
            </p>
          </div>
        ))
      )}
      {canEdit && !editing && (
        <div>
          <button
            type="button"
            className="primary"
            onClick={() => {
              setEditing(true);
              setSaved(false);
            }}
          >
            {d.inForce.length ? t('destinations.change') : t('destinations.add')}
          </button>
        </div>
      )}
      {canEdit && editing && (
        <DestinationForm
          memberId={memberId}
          country={memberCountry}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setSaved(true);
          }}
        />
      )}
      {d.history.length > 0 && (
        <details>
          <summary>
            {t('destinations.history')} ({d.history.length})
          </summary>
          {d.history.map((x) => (
            <div key={x.id} className="muted">
              <DestinationFacts d={x} />
              <p className="small">
                {t('destinations.replaced', { at: '' })}
                <DateTime iso={x.supersededAt} />
              </p>
            </div>
          ))}
        </details>
      )}
    </section>
  );
}

function DestinationForm({ memberId, country: initial, onCancel, onSaved }: { memberId: number; country: Country; onCancel: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const save = useMutationProcedure('payoutDestinations.set', ['payoutDestinations.list', 'withdrawals.get']);
  const [f, setF] = useState({
    country: initial,
    holderName: '',
    taxId: '',
    clabe: '',
    routingNumber: '',
    accountNumber: '',
    bankName: '',
    accountType: '',
    reason: '',
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input: InputOf<'payoutDestinations.set'> = { memberId, country: f.country, holderName: f.holderName, taxId: f.taxId };
    if (f.country === 'MX') input.clabe = f.clabe;
    else {
      input.accountNumber = f.accountNumber;
      if (f.bankName.trim()) input.bankName = f.bankName;
      if (f.accountType) input.accountType = f.accountType as 'checking' | 'savings';
      if (f.country === 'US') input.routingNumber = f.routingNumber;
    }
    if (f.reason.trim()) input.reason = f.reason.trim();
    save.mutate(input, { onSuccess: onSaved });
  };
  const issues = new Set(((save.error?.details as { issues?: { path: string }[] } | undefined)?.issues ?? []).map((i) => i.path));
  const invalid = (k: string) => (issues.has(k) ? { 'aria-invalid': true as const } : {});
  return (
    <form className="inline-form" onSubmit={submit} aria-label={t('destinations.formTitle')}>
      <h2>{t('destinations.formTitle')}</h2>
      <p className="muted small" style={{ width: '100%', margin: 0 }}>
        {t('destinations.formHelp')}
      </p>
      <div style={{ width: '100%' }}>
        <ErrorBanner
          error={save.error}
          labels={{
            holderName: t('destinations.holderName'),
            taxId: t(`destinations.taxIdFor.${f.country}`),
            clabe: t('destinations.clabe'),
            routingNumber: t('destinations.routingNumber'),
            accountNumber: t('destinations.accountNumber'),
            bankName: t('destinations.bank'),
            accountType: t('destinations.accountType'),
          }}
        />
      </div>
      <label>
        {t('destinations.country')}
        <select value={f.country} onChange={set('country')}>
          {(['MX', 'US', 'CO', 'DO'] as const).map((c) => (
            <option key={c} value={c}>
              {t(`destinations.countryName.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('destinations.holderName')}
        <input value={f.holderName} onChange={set('holderName')} maxLength={200} {...invalid('holderName')} />
      </label>
      <label>
        {t(`destinations.taxIdFor.${f.country}`)}
        <input value={f.taxId} onChange={set('taxId')} maxLength={40} {...invalid('taxId')} />
      </label>
      {f.country === 'MX' ? (
        <label>
          {t('destinations.clabe')}
          <input value={f.clabe} onChange={set('clabe')} inputMode="numeric" maxLength={40} {...invalid('clabe')} />
        </label>
      ) : (
        <>
          {f.country === 'US' && (
            <label>
              {t('destinations.routingNumber')}
              <input value={f.routingNumber} onChange={set('routingNumber')} inputMode="numeric" maxLength={20} {...invalid('routingNumber')} />
            </label>
          )}
          <label>
            {t('destinations.bank')}
            <input value={f.bankName} onChange={set('bankName')} maxLength={120} {...invalid('bankName')} />
          </label>
          <label>
            {t('destinations.accountType')}
            <select value={f.accountType} onChange={set('accountType')} {...invalid('accountType')}>
              <option value="">{t('destinations.chooseType')}</option>
              <option value="checking">{t('destinations.accountTypeName.checking')}</option>
              <option value="savings">{t('destinations.accountTypeName.savings')}</option>
            </select>
          </label>
          <label>
            {t('destinations.accountNumber')}
            <input value={f.accountNumber} onChange={set('accountNumber')} inputMode="numeric" maxLength={40} {...invalid('accountNumber')} />
          </label>
        </>
      )}
      <label>
        {t('destinations.reason')}
        <input value={f.reason} onChange={set('reason')} maxLength={500} />
      </label>
      <button type="button" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      <button className="primary" type="submit" disabled={save.isPending}>
        {t('destinations.save')}
      </button>
    </form>
  );
}
