import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/** Small pieces the member and genealogy screens share. */

export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

export function RankBadge({ rank }: { rank: number }) {
  const { t } = useTranslation();
  return <span className={`badge rank rank-${rank}`}>{t(`rank.${rank}`)}</span>;
}

export function StatusBadge({ status }: { status: 'active' | 'inactive' | 'suspended' }) {
  const { t } = useTranslation();
  const cls = status === 'active' ? 'ok' : status === 'suspended' ? 'danger' : 'warn';
  return <span className={`badge ${cls}`}>{t(`memberStatus.${status}`)}</span>;
}

export const fullName = (m: { firstName: string; lastName: string }) => `${m.firstName} ${m.lastName}`;

export function MemberLink({ m }: { m: { id: number; code: string; firstName: string; lastName: string } }) {
  return <Link to={`/members/${m.id}`}>{fullName(m)}</Link>;
}

/** A count with thousands separators (a count of members, never money). */
export function Count({ n }: { n: number }) {
  return <span className="num">{n.toLocaleString('es-MX')}</span>;
}
