import Decimal from 'decimal.js';
import { useTranslation } from 'react-i18next';
import { usePreferences } from '../../stores/preferences';

/** Pieces the period screens and the dashboard share. */

/** "Noviembre de 2026" for '2026-11' (the period's calendar month). */
export function periodLabel(key: string, locale: 'es-MX' | 'en'): string {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (!m) return key;
  const s = new Intl.DateTimeFormat(locale === 'es-MX' ? 'es-MX' : 'en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 15)),
  );
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function PeriodName({ k }: { k: string }) {
  const locale = usePreferences((s) => s.locale);
  return (
    <span className="period-name">
      <strong>{k}</strong> <span className="muted">{periodLabel(k, locale)}</span>
    </span>
  );
}

export function PeriodStatusBadge({ status }: { status: 'open' | 'closing' | 'closed' }) {
  const { t } = useTranslation();
  const cls = status === 'open' ? 'ok' : status === 'closing' ? 'warn' : '';
  return <span className={`badge ${cls}`}>{t(`periods.status.${status}`)}</span>;
}

/** Relative change between two decimal strings (or counts), exact, shown with one decimal. */
export function Delta({ current, previous }: { current: string | number; previous: string | number | null | undefined }) {
  if (previous === null || previous === undefined) return null;
  const p = new Decimal(previous);
  const c = new Decimal(current);
  if (p.isZero()) return c.isZero() ? <span className="delta flat">±0 %</span> : <span className="delta up">▲ —</span>;
  const pct = c.minus(p).div(p).times(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
  const cls = pct.isPositive() && !pct.isZero() ? 'up' : pct.isNegative() && !pct.isZero() ? 'down' : 'flat';
  const sign = cls === 'up' ? '▲ +' : cls === 'down' ? '▼ ' : '±';
  return (
    <span className={`delta ${cls}`}>
      {sign}
      {pct.toFixed(1)} %
    </span>
  );
}

/** Members by paid-as rank as horizontal bars (counts of members, never money). */
export function RankBars({
  ranks,
  previous,
  previousKey,
}: {
  ranks: { rank: number; members: number }[];
  previous?: { rank: number; members: number }[] | null;
  previousKey?: string | null;
}) {
  const { t } = useTranslation();
  const max = Math.max(1, ...ranks.filter((r) => r.rank > 0).map((r) => r.members));
  const total = ranks.reduce((a, r) => a + r.members, 0);
  return (
    <table className="data rank-bars">
      <thead>
        <tr>
          <th>{t('periods.ranks.rank')}</th>
          <th>{t('periods.ranks.members')}</th>
          <th className="bar-col" />
          {previous && <th>{previousKey}</th>}
        </tr>
      </thead>
      <tbody>
        {ranks.map((r) => (
          <tr key={r.rank}>
            <td>{t(`rank.${r.rank}`)}</td>
            <td className="num">
              {r.members.toLocaleString('es-MX')}
              {total > 0 && <span className="muted small"> · {((r.members * 100) / total).toFixed(1)} %</span>}
            </td>
            <td className="bar-col">
              {r.rank > 0 && (
                <div className="bar">
                  <div style={{ width: `${Math.max(r.members > 0 ? 1 : 0, (r.members * 100) / max)}%` }} />
                </div>
              )}
            </td>
            {previous && <td className="num muted">{(previous.find((p) => p.rank === r.rank)?.members ?? 0).toLocaleString('es-MX')}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
