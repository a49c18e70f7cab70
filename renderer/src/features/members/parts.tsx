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

/**
 * Whether a search-as-you-type answer is for the text in the box now. A debounced query keeps the
 * answer for an earlier prefix on screen while the next one loads (keepPreviousData): Enter must
 * not act on it ("pe" listed while "periodos" was typed took Enter to a member, 2026-12-07).
 */
export function answersText(text: string, q: string, query: { isPlaceholderData: boolean }): boolean {
  return q === text.trim() && !query.isPlaceholderData;
}

/**
 * Enter in a search-as-you-type box whose rows are picked by keyboard: acts on the highlighted row
 * when the rows answer the text typed; otherwise waits for that answer and acts on its first row
 * (typing on cancels the wait: call `cancel` from onChange).
 */
export function useEnterWhenAnswered<R>(answered: boolean, rows: readonly R[], act: (row: R) => void) {
  const [waiting, setWaiting] = useState(false);
  const first = answered ? rows[0] : undefined;
  useEffect(() => {
    if (!waiting || !answered) return;
    setWaiting(false);
    if (first !== undefined) act(first);
    // act is the caller's (a new function each render); only the answer's arrival matters here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [waiting, answered, first]);
  return {
    enter: (highlighted: R | undefined) => {
      if (answered) {
        if (highlighted !== undefined) act(highlighted);
      } else setWaiting(true);
    },
    cancel: () => setWaiting(false),
  };
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
