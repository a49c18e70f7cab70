import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../api/client';
import type { InputOf, OutputOf } from '../../../../shared/contract';
import type { AppError } from '../../../../shared/errors';
import { ErrorBanner } from '../common/ui';
import { Modal } from '../common/dialog';

const TYPES = ['directo', 'rapido', 'uninivel', 'alcance', 'matching', 'automovil'] as const;
const CURRENCIES = ['MXN', 'USD', 'COP', 'DOP'] as const;
const COUNTRIES = ['MX', 'US', 'CO', 'DO'] as const;

/**
 * Export of a whole period's posted lines (optionally of one type, currency or beneficiary
 * country). The main process writes the file, streamed from the database into the Downloads
 * folder (commissions.exportPeriodLines): millions of lines never pass through the screen, which
 * only shows where the file went.
 */
export function PeriodExportDialog({ periodKey, onClose }: { periodKey: string; onClose: () => void }) {
  const { t } = useTranslation();
  const [type, setType] = useState('');
  const [currency, setCurrency] = useState('');
  const [country, setCountry] = useState('');
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState<OutputOf<'commissions.exportPeriodLines'> | null>(null);

  async function start() {
    setWorking(true);
    setError(null);
    setDone(null);
    try {
      const input = {
        periodKey,
        ...(type ? { type } : {}),
        ...(currency ? { currency } : {}),
        ...(country ? { country } : {}),
      } as InputOf<'commissions.exportPeriodLines'>;
      setDone(await call('commissions.exportPeriodLines', input));
    } catch (e) {
      setError(e as AppError);
    } finally {
      setWorking(false);
    }
  }
  const select = (label: string, value: string, set: (v: string) => void, options: readonly string[], text: (o: string) => string) => (
    <label>
      {label}
      <select aria-label={label} value={value} disabled={working} onChange={(e) => set(e.target.value)}>
        <option value="">{t('commissions.export.all')}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {text(o)}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <Modal label={t('commissions.export.title', { period: periodKey })} onClose={onClose} busy={working}>
      <h2>{t('commissions.export.title', { period: periodKey })}</h2>
      <p className="muted">{t('commissions.export.intro')}</p>
      <div className="filters">
        {select(t('commissions.type'), type, setType, TYPES, (o) => t(`commissions.types.${o}`))}
        {select(t('commissions.currency'), currency, setCurrency, CURRENCIES, (o) => o)}
        {select(t('commissions.country'), country, setCountry, COUNTRIES, (o) => t(`commissions.countries.${o}`))}
      </div>
      <ErrorBanner error={error} />
      {(working || done) && (
        <div className="small" role="status">
          {working
            ? t('commissions.export.working')
            : t('commissions.export.done', { count: done!.rows, formatted: done!.rows.toLocaleString('es-MX'), path: done!.path })}
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose} disabled={working}>
          {t('common.close')}
        </button>
        <button type="button" className="primary" onClick={() => void start()} disabled={working}>
          {t('commissions.export.start')}
        </button>
      </div>
    </Modal>
  );
}
