import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import Decimal from 'decimal.js';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import type { OutputOf } from '../../../../shared/contract';
import { formatMoney, formatPoints } from '../../../../shared/format';
import { usePreferences } from '../../stores/preferences';
import { useSession } from '../../stores/session';
import { ErrorBanner, Money, ScrollBox } from '../common/ui';
import { MemberLink, percent } from './parts';

type Result = NonNullable<OutputOf<'plan.simulation'>['result']>;

/** A draft tried on a real period: choose the period, follow the progress, read the differences. */
export function SimulationPanel({ versionId }: { versionId: number }) {
  const { t } = useTranslation();
  const isAdmin = useSession((s) => s.staff?.role) === 'admin';
  const periods = useProcedure('periods.list', {});
  const choices = (periods.data ?? []).filter((p) => p.status !== 'closing');
  const [periodKey, setPeriodKey] = useState('');
  const list = useProcedure('plan.simulations', { versionId });
  const [id, setId] = useState<number | null>(null);
  const current = id ?? list.data?.[0]?.id ?? null;
  const sim = useProcedure(
    'plan.simulation',
    { id: current ?? 1 },
    {
      enabled: current != null,
      refetchInterval: (q) => (q.state.data && (q.state.data.status === 'queued' || q.state.data.status === 'running') ? 500 : false),
    },
  );
  const start = useMutationProcedure('plan.simulate', ['plan.simulations']);
  const cancel = useMutationProcedure('plan.cancelSimulation', ['plan.simulation', 'plan.simulations']);
  const s = sim.data;
  const chosen = periodKey || choices.find((p) => p.status === 'closed')?.key || choices[0]?.key || '';
  return (
    <section className="card stack" aria-label={t('economics.sim.title')} data-testid="simulation">
      <h2>{t('economics.sim.title')}</h2>
      <p className="muted small">{t('economics.sim.intro')}</p>
      <ErrorBanner error={start.error ?? cancel.error ?? sim.error} />
      {isAdmin && (
        <div className="inline-form">
          <label>
            {t('economics.sim.period')}
            <select value={chosen} onChange={(e) => setPeriodKey(e.target.value)}>
              {choices.map((p) => (
                <option key={p.key} value={p.key}>
                  {p.key} · {t(`periods.status.${p.status}`)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="primary"
            disabled={!chosen || start.isPending || s?.status === 'queued' || s?.status === 'running'}
            onClick={() => start.mutate({ versionId, periodKey: chosen }, { onSuccess: (v) => setId(v.id) })}
          >
            {t('economics.sim.run')}
          </button>
        </div>
      )}
      {s && (
        <div role="status" className="muted sim-status">
          <span>
            {s.periodKey} · {t(`economics.sim.status.${s.status}`)}
            {s.status === 'running' && s.stage && (
              <>
                {' '}
                · {t(`economics.sim.stage.${s.stage}`)} · {Math.round(s.progress / 10)} %
              </>
            )}
          </span>
          {(s.status === 'running' || s.status === 'queued') && <progress max={1000} value={s.progress} aria-label={t('economics.sim.title')} />}
          {isAdmin && (s.status === 'running' || s.status === 'queued') && (
            <button type="button" onClick={() => cancel.mutate({ id: s.id })}>
              {t('economics.sim.cancel')}
            </button>
          )}
          {s.error && <div className="banner error">{s.error}</div>}
        </div>
      )}
      {s?.status === 'done' && s.result && <SimulationResult r={s.result} />}
    </section>
  );
}

/** The ratio's change in percentage points ("+2.73 puntos"); nothing when a side has no ratio. */
function points(a: string | null, b: string | null, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (a == null || b == null) return '';
  const d = new Decimal(b).minus(a).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  return t('economics.sim.points', { n: `${d.gt(0) ? '+' : ''}${d.toFixed(2)}` });
}

function SimulationResult({ r }: { r: Result }) {
  const { t } = useTranslation();
  const locale = usePreferences((s) => s.locale);
  const types = [...new Set([...Object.keys(r.base.byType), ...Object.keys(r.draft.byType)])];
  const rows = types.flatMap((type) =>
    [...new Set([...Object.keys(r.base.byType[type] ?? {}), ...Object.keys(r.draft.byType[type] ?? {})])].map((c) => ({ type, c })),
  );
  const diff = (a: string | undefined, b: string | undefined) => new Decimal(b ?? '0').minus(a ?? '0').toFixed(2);
  const w = r.why;
  return (
    <div className="stack">
      <div className="sim-grid">
        <table className="data" aria-label={t('economics.sim.totals')}>
          <thead>
            <tr>
              <th />
              <th>{t('economics.sim.inForce', { name: r.inForce.name })}</th>
              <th>{t('economics.sim.draft')}</th>
              <th>{t('economics.sim.difference')}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{t('economics.sim.ratio')}</th>
              <td className="num">{percent(r.base.ratio)}</td>
              <td className="num">{percent(r.draft.ratio)}</td>
              <td className="num">{points(r.base.ratio, r.draft.ratio, t)}</td>
            </tr>
            <tr>
              <th scope="row">{t('economics.sim.commissionsMxn')}</th>
              <td>
                <Money amount={r.base.commissionsMxn} currency="MXN" />
              </td>
              <td>
                <Money amount={r.draft.commissionsMxn} currency="MXN" />
              </td>
              <td>
                <Money amount={diff(r.base.commissionsMxn, r.draft.commissionsMxn)} currency="MXN" />
              </td>
            </tr>
            <tr>
              <th scope="row">{t('economics.sim.membersPaid')}</th>
              <td className="num">{r.base.membersPaid.toLocaleString('es-MX')}</td>
              <td className="num">{r.draft.membersPaid.toLocaleString('es-MX')}</td>
              <td className="num">{(r.draft.membersPaid - r.base.membersPaid).toLocaleString('es-MX')}</td>
            </tr>
            {rows.map(({ type, c }) => (
              <tr key={`${type}-${c}`}>
                <th scope="row">
                  {t(`commissions.types.${type}`)} · {c}
                </th>
                <td>
                  <Money amount={r.base.byType[type]?.[c] ?? '0.00'} currency={c} />
                </td>
                <td>
                  <Money amount={r.draft.byType[type]?.[c] ?? '0.00'} currency={c} />
                </td>
                <td>
                  <Money amount={diff(r.base.byType[type]?.[c], r.draft.byType[type]?.[c])} currency={c} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {w && (
          <div className="sim-why" aria-label={t('economics.sim.why', { name: w.name, code: w.code })}>
            <h3>{t('economics.sim.why', { name: w.name, code: w.code })}</h3>
            <p>
              {w.rankBefore !== w.rankAfter
                ? t('economics.sim.whyRank', {
                    pv: formatPoints(w.pv),
                    pvg: formatPoints(w.pvg),
                    before: t(`rank.${w.rankBefore}`),
                    after: t(`rank.${w.rankAfter}`),
                  })
                : t('economics.sim.whySameRank', { pv: formatPoints(w.pv), pvg: formatPoints(w.pvg), rank: t(`rank.${w.rankAfter}`) })}
            </p>
            <ul>
              {w.byType.map((x) => (
                <li key={x.type}>
                  {t('economics.sim.whyType', {
                    type: t(`commissions.types.${x.type}`),
                    before: formatMoney(x.before, w.currency, locale),
                    after: formatMoney(x.after, w.currency, locale),
                  })}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <p>{t('economics.sim.ranks', r.ranks)}</p>
      <h3>{t('economics.sim.top')}</h3>
      {r.top.length === 0 ? (
        <p className="muted">{t('economics.sim.noChanges')}</p>
      ) : (
        <ScrollBox>
          <table className="data" aria-label={t('economics.sim.top')}>
            <thead>
              <tr>
                <th>{t('economics.sim.code')}</th>
                <th>{t('economics.sim.name')}</th>
                <th>{t('economics.sim.rank')}</th>
                <th>{t('economics.sim.before')}</th>
                <th>{t('economics.sim.after')}</th>
                <th>{t('economics.sim.difference')}</th>
              </tr>
            </thead>
            <tbody>
              {r.top.map((m) => (
                <tr key={m.memberId}>
                  <td>
                    <MemberLink id={m.memberId} code={m.code} />
                  </td>
                  <td>{m.name}</td>
                  <td>{m.rankBefore === m.rankAfter ? t(`rank.${m.rankAfter}`) : `${t(`rank.${m.rankBefore}`)} → ${t(`rank.${m.rankAfter}`)}`}</td>
                  <td>
                    <Money amount={m.before} currency={m.currency} />
                  </td>
                  <td>
                    <Money amount={m.after} currency={m.currency} />
                  </td>
                  <td className={m.difference.startsWith('-') ? 'diff-down' : 'diff-up'}>
                    <Money amount={m.difference} currency={m.currency} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <p className="muted small">{t('economics.sim.ms', { s: (r.ms / 1000).toFixed(1) })}</p>
    </div>
  );
}
