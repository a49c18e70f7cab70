import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import { call } from '../../api/client';
import type { OutputOf } from '../../../../shared/contract';
import { AppError } from '../../../../shared/errors';
import { DataTable, DateTime, ErrorBanner, Loading, Money } from '../common/ui';

type Rate = OutputOf<'rates.list'>[number];
type Impact = OutputOf<'rates.impact'>;
const col = createColumnHelper<Rate>();

/** A Mexico-Central wall time from a datetime-local input as a UTC instant (UTC-6 all year since 2022). */
const mexicoLocalToIso = (v: string) => new Date(`${v}:00-06:00`).toISOString();

export function RatesPanel() {
  const { t } = useTranslation();
  const list = useProcedure('rates.list', {});
  const add = useMutationProcedure('rates.add', ['rates.list']);
  const [form, setForm] = useState({ currency: 'USD' as 'USD' | 'COP' | 'DOP', rateToMxn: '', from: '' });
  const [impact, setImpact] = useState<Impact | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState(false);

  const input = () => ({ currency: form.currency, rateToMxn: form.rateToMxn, effectiveFrom: form.from ? mexicoLocalToIso(form.from) : '' });
  async function review(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setDone(false);
    try {
      setImpact(await call('rates.impact', input()));
    } catch (err) {
      setImpact(null);
      setError(err as AppError);
    }
  }
  function confirm() {
    add.mutate(input(), {
      onSuccess: () => {
        setImpact(null);
        setDone(true);
        setForm({ ...form, rateToMxn: '', from: '' });
      },
    });
  }

  const columns = useMemo(
    () => [
      col.accessor('currency', { header: t('settings.rates.currency') }),
      col.accessor('rateToMxn', { header: t('settings.rates.rate'), cell: (c) => <span className="num">{c.getValue()}</span> }),
      col.accessor('effectiveFrom', { header: t('settings.rates.from'), cell: (c) => <DateTime iso={c.getValue()} /> }),
      col.accessor('inForce', { header: t('settings.rates.inForce'), cell: (c) => (c.getValue() ? <span className="badge ok">{t('common.yes')}</span> : '') }),
      col.accessor('createdAt', { header: t('settings.rates.createdAt'), cell: (c) => <DateTime iso={c.getValue()} /> }),
    ],
    [t],
  );

  return (
    <div className="stack">
      <form className="card inline-form" onSubmit={review} aria-label={t('settings.rates.add')}>
        <h2>{t('settings.rates.add')}</h2>
        <p className="muted small" style={{ width: '100%', margin: 0 }}>
          {t('settings.rates.intro')}
        </p>
        <ErrorBanner error={error ?? add.error} />
        {done && (
          <div className="banner ok" role="status" style={{ width: '100%' }}>
            {t('settings.rates.added')}
          </div>
        )}
        <label>
          {t('settings.rates.currency')}
          <select
            value={form.currency}
            onChange={(e) => {
              setForm({ ...form, currency: e.target.value as 'USD' });
              setImpact(null);
            }}
          >
            <option value="USD">USD</option>
            <option value="COP">COP</option>
            <option value="DOP">DOP</option>
          </select>
        </label>
        <label>
          {t('settings.rates.rate')}
          <input
            inputMode="decimal"
            value={form.rateToMxn}
            onChange={(e) => {
              setForm({ ...form, rateToMxn: e.target.value });
              setImpact(null);
            }}
            required
          />
        </label>
        <label>
          {t('settings.rates.from')}
          <input
            type="datetime-local"
            value={form.from}
            onChange={(e) => {
              setForm({ ...form, from: e.target.value });
              setImpact(null);
            }}
            required
          />
        </label>
        <button type="submit">{t('settings.rates.preview')}</button>
      </form>
      {impact && (
        <div className="card" aria-label={t('settings.rates.impactTitle')}>
          <h2>{t('settings.rates.impactTitle')}</h2>
          <dl className="facts">
            <dt>{t('settings.rates.openPeriod')}</dt>
            <dd>{impact.openPeriod ?? '—'}</dd>
            <dt>{t('settings.rates.current')}</dt>
            <dd className="num">{impact.currentRate ?? '—'}</dd>
            <dt>{t('settings.rates.orders')}</dt>
            <dd className="num">{impact.ordersInOpenPeriod}</dd>
            <dt>{t('settings.rates.vn')}</dt>
            <dd>
              <Money amount={impact.vnInOpenPeriod} currency={form.currency} />
            </dd>
            <dt>{t('settings.rates.members')}</dt>
            <dd className="num">{impact.membersInCurrency}</dd>
          </dl>
          <div className={`banner ${impact.affectsOpenPeriodCommissions ? 'warn' : 'ok'}`}>
            {impact.affectsOpenPeriodCommissions ? t('settings.rates.affectsPeriod') : t('settings.rates.affectsPeriodNo')}
          </div>
          <div className="dialog-actions">
            <button type="button" onClick={() => setImpact(null)}>
              {t('common.cancel')}
            </button>
            <button type="button" className="primary" onClick={confirm} disabled={add.isPending}>
              {t('settings.rates.confirm')}
            </button>
          </div>
        </div>
      )}
      {list.isLoading ? <Loading /> : <DataTable data={list.data ?? []} columns={columns} rowKey={(r) => String(r.id)} />}
    </div>
  );
}
