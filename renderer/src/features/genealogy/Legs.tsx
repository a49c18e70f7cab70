import { useTranslation } from 'react-i18next';
import Decimal from 'decimal.js';
import { useProcedure } from '../../api/hooks';
import { ErrorBanner, Loading, Points, ScrollBox } from '../common/ui';
import { Count, RankBadge, fullName } from '../members/parts';

/**
 * The leg view: each direct recruit with the whole downline below it — the leg's PVG, its share of
 * the member's group volume, how many are active (the one rule: bought in the period and not
 * suspended) and at each paid-as rank. What leaders and support read to answer "why didn't I rank".
 */
export function Legs({
  member,
  periodKey,
  onPick,
}: {
  member: { id: number; firstName: string; lastName: string };
  periodKey?: string;
  onPick: (id: number) => void;
}) {
  const { t } = useTranslation();
  const q = useProcedure('genealogy.legs', { memberId: member.id, ...(periodKey ? { periodKey } : {}) });
  if (q.isLoading) return <Loading />;
  const d = q.data;
  const total = new Decimal(d?.totalPvg ?? '0');
  return (
    <section className="legs" aria-labelledby="legs-title">
      <h2 id="legs-title">{t('legs.title', { name: fullName(member) })}</h2>
      <p className="muted small">{t('legs.intro')}</p>
      <ErrorBanner error={q.error} />
      <ScrollBox>
        <table className="data">
          <thead>
            <tr>
              <th>{t('legs.recruit')}</th>
              <th className="num-cell">{t('legs.pvg')}</th>
              <th className="num-cell">{t('legs.share')}</th>
              <th className="num-cell">{t('legs.members')}</th>
              <th className="num-cell">{t('legs.active')}</th>
              <th>{t('legs.ranks')}</th>
            </tr>
          </thead>
          <tbody>
            {(d?.legs.length ?? 0) === 0 && (
              <tr>
                <td colSpan={6} className="empty">
                  {t('legs.none')}
                </td>
              </tr>
            )}
            {d?.legs.map((l) => (
              <tr key={l.recruit.id}>
                <td>
                  <button type="button" className="link" onClick={() => onPick(l.recruit.id)} title={t('legs.open', { name: fullName(l.recruit) })}>
                    {fullName(l.recruit)}
                  </button>{' '}
                  <span className="mono muted small">{l.recruit.code}</span>
                </td>
                <td className="num-cell">
                  <Points value={l.pvg} />
                </td>
                <td className="num-cell">{total.isZero() ? '—' : `${new Decimal(l.pvg).div(total).times(100).toFixed(1)} %`}</td>
                <td className="num-cell">
                  <Count n={l.members} />
                </td>
                <td className="num-cell">
                  <Count n={l.active} />
                </td>
                <td>
                  <span className="leg-ranks">
                    {l.ranks
                      .filter((r) => r.rank > 0)
                      .map((r) => (
                        <span key={r.rank} className="leg-rank">
                          <RankBadge rank={r.rank} /> × {r.members}
                        </span>
                      ))}
                    {l.ranks.every((r) => r.rank === 0) && <span className="muted">{t('rank.0')}</span>}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
          {d && d.legs.length > 0 && (
            <tfoot>
              <tr>
                <th>{t('genealogy.total')}</th>
                <th className="num-cell">
                  <Points value={d.totalPvg} />
                </th>
                <th />
                <th className="num-cell">
                  <Count n={d.legs.reduce((a, l) => a + l.members, 0)} />
                </th>
                <th className="num-cell">
                  <Count n={d.legs.reduce((a, l) => a + l.active, 0)} />
                </th>
                <th />
              </tr>
            </tfoot>
          )}
        </table>
      </ScrollBox>
    </section>
  );
}
