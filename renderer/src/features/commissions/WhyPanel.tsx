import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useProcedure } from '../../api/hooks';
import { usePreferences } from '../../stores/preferences';
import { formatRate } from '../../../../shared/format';
import { RankBadge } from '../members/parts';
import { ErrorBanner, Loading, Money, Points } from '../common/ui';
import './commissions.css';

/**
 * Why an order paid what it paid: the buyer's sponsor line upward (rank names, PV/PVG of the period)
 * and the lines paid on the order (beneficiaries by code and name, rates as percentages).
 */
export function WhyPanel({ orderId, onClose }: { orderId: number; onClose: () => void }) {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  const why = useProcedure('commissions.why', { orderId });
  const w = why.data;
  return (
    <section className="card commission-why" aria-label={t('commissions.why.title', { id: orderId })}>
      <h3>
        {t('commissions.why.title', { id: orderId })}{' '}
        <button type="button" onClick={onClose}>
          {t('commissions.why.close')}
        </button>
      </h3>
      <ErrorBanner error={why.error} />
      {why.isLoading ? (
        <Loading />
      ) : (
        w && (
          <>
            <p className="muted">
              {t('commissions.why.buyer')}:{' '}
              <Link to={`/members/${w.buyer.id}`}>
                {w.buyer.code} · {w.buyer.name}
              </Link>{' '}
              · {t('commissions.period')}: {w.periodKey ?? '—'} · PV <Points value={w.pv} /> · VN <Money amount={w.vn} currency={w.currency} />
            </p>
            <table className="commission-table">
              <thead>
                <tr>
                  <th>{t('commissions.cols.level')}</th>
                  <th>{t('commissions.cols.member')}</th>
                  <th>{t('commissions.why.rank')}</th>
                  <th className="num">PV</th>
                  <th className="num">PVG</th>
                  <th className="num">{t('commissions.why.opens')}</th>
                  <th>{t('commissions.why.paysLevel')}</th>
                </tr>
              </thead>
              <tbody>
                {w.uplines.map((u) => (
                  <tr key={u.memberId}>
                    <td>{u.level}</td>
                    <td>
                      <Link to={`/members/${u.memberId}`}>
                        {u.code} · {u.name}
                      </Link>
                    </td>
                    <td>
                      <RankBadge rank={u.paidAsRank} />
                    </td>
                    <td className="num">
                      <Points value={u.pv} />
                    </td>
                    <td className="num">
                      <Points value={u.pvg} />
                    </td>
                    <td className="num">{u.opensLevels}</td>
                    <td>{u.opensThisLevel ? t('commissions.why.yes') : t('commissions.why.no')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h4>{t('commissions.why.paid')}</h4>
            <table className="commission-table">
              <thead>
                <tr>
                  <th>{t('commissions.cols.type')}</th>
                  <th>{t('commissions.cols.level')}</th>
                  <th>{t('commissions.cols.member')}</th>
                  <th className="num">{t('commissions.cols.base')}</th>
                  <th className="num">{t('commissions.cols.rate')}</th>
                  <th className="num">{t('commissions.cols.amount')}</th>
                </tr>
              </thead>
              <tbody>
                {w.lines.map((l) => (
                  <tr key={l.id}>
                    <td>{t(`commissions.types.${l.type}`)}</td>
                    <td>{l.level}</td>
                    <td>
                      <Link to={`/members/${l.beneficiaryId}`}>
                        {l.beneficiaryCode} · {l.beneficiaryName}
                      </Link>
                    </td>
                    <td className="num">
                      <Money amount={l.base} currency={l.baseCurrency} />
                    </td>
                    <td className="num">{formatRate(l.rate, locale)}</td>
                    <td className="num">
                      <Money amount={l.amount} currency={l.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )
      )}
    </section>
  );
}
