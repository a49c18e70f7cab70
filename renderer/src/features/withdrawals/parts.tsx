import Decimal from 'decimal.js';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import type { OutputOf } from '../../../../shared/contract';
import { Money } from '../common/ui';
import { saveText } from '../common/csv';

export type Row = OutputOf<'withdrawals.list'>['rows'][number];
export type Status = Row['status'];
export type Flag = Row['riskFlags'][number];

export function StatusBadge({ status, awaiting }: { status: Status; awaiting?: boolean }) {
  const { t } = useTranslation();
  if (status === 'pending' && awaiting) return <span className="badge warn">{t('withdrawals.awaitingSecond')}</span>;
  return <span className={`badge st-${status}`}>{t(`withdrawals.statusName.${status}`)}</span>;
}

export function RiskBadges({ flags }: { flags: Flag[] }) {
  const { t } = useTranslation();
  if (!flags.length) return <span className="muted">—</span>;
  return (
    <span className="wd-flags">
      {flags.map((f) => (
        <span key={f} className="badge warn" title={t(`withdrawals.flag.${f}`)}>
          ⚠ {t(`withdrawals.flag.${f}`)}
        </span>
      ))}
    </span>
  );
}

export interface CurrencyTotal {
  currency: string;
  count: number;
  amount: string;
  net: string;
}

/** Totals per currency of some rows, exact (decimal strings, never JS numbers). */
export function totalsOf(rows: Pick<Row, 'currency' | 'amount' | 'net'>[]): CurrencyTotal[] {
  const m = new Map<string, { count: number; amount: Decimal; net: Decimal }>();
  for (const r of rows) {
    const cur = m.get(r.currency) ?? { count: 0, amount: new Decimal(0), net: new Decimal(0) };
    cur.count++;
    cur.amount = cur.amount.plus(r.amount);
    cur.net = cur.net.plus(r.net);
    m.set(r.currency, cur);
  }
  return [...m.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, v]) => ({ currency, count: v.count, amount: v.amount.toFixed(2), net: v.net.toFixed(2) }));
}

export function TotalsList({ totals }: { totals: CurrencyTotal[] }) {
  const { t } = useTranslation();
  return (
    <ul className="wd-totals-list">
      {totals.map((x) => (
        <li key={x.currency}>
          <span>{t('withdrawals.totalsCount', { count: x.count })}</span>
          <span>
            <strong>
              <Money amount={x.amount} currency={x.currency} />
            </strong>{' '}
            <span className="muted">
              ({t('withdrawals.net')} <Money amount={x.net} currency={x.currency} />)
            </span>
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Saves text as a file, with a BOM so that spreadsheet programs read the accents right. */
export function download(fileName: string, text: string, type = 'text/csv;charset=utf-8') {
  saveText(fileName, `\uFEFF${text}`, type);
}

/** After any change: the queue, the open detail and the wallets are read again. */
export function useRefreshWithdrawals() {
  const qc = useQueryClient();
  return () => Promise.all(['withdrawals.list', 'withdrawals.get', 'wallet.summary', 'wallet.entries'].map((k) => qc.invalidateQueries({ queryKey: [k] })));
}

/** A Mexico-Central calendar day (YYYY-MM-DD) as UTC instants; Mexico is UTC-6 all year. */
export const dayStartMx = (d: string) => new Date(`${d}T00:00:00-06:00`).toISOString();
export const dayEndMx = (d: string) => new Date(new Date(`${d}T00:00:00-06:00`).getTime() + 86_400_000).toISOString();
