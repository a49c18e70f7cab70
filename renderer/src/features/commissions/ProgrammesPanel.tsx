import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import type { InputOf, OutputOf } from '../../../../shared/contract';
import { useSession } from '../../stores/session';
import { DataTable, DateTime, ErrorBanner, Loading, Pager, Points } from '../common/ui';
import { describeError } from '../common/errors';

const PAGE = 10;

/** Cashback: entitlements per period and per member (recorded by each close). */
function Cashback() {
  const { t } = useTranslation();
  const periods = useProcedure('programmes.cashbackPeriods', {});
  const [periodKey, setPeriodKey] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const list = useProcedure('programmes.cashbackList', {
    page,
    pageSize: PAGE,
    ...(periodKey ? { periodKey } : {}),
    ...(status ? { status: status as 'issued' } : {}),
  });
  type Row = OutputOf<'programmes.cashbackList'>['rows'][number];
  const col = createColumnHelper<Row>();
  const columns = useMemo(
    () => [
      col.accessor('code', {
        header: t('commissions.cols.member'),
        cell: (c) => (
          <Link to={`/members/${c.row.original.memberId}`}>
            {c.getValue()} · {c.row.original.name}
          </Link>
        ),
      }),
      col.accessor('periodKey', { header: t('commissions.cols.period') }),
      col.accessor('status', {
        header: t('commissions.programmes.cashback.status'),
        cell: (c) => (
          <span className={`badge ${c.getValue() === 'used' ? 'ok' : c.getValue() === 'expired' ? '' : 'warn'}`}>
            {t(`commissions.programmes.cashback.states.${c.getValue()}`)}
          </span>
        ),
      }),
      col.accessor('discountRate', { header: t('commissions.programmes.cashback.discount'), cell: (c) => `${(Number(c.getValue()) * 100).toFixed(0)} %` }),
      col.accessor('issuedAt', { header: t('commissions.programmes.cashback.issuedAt'), cell: (c) => <DateTime iso={c.getValue()} time={false} /> }),
      col.accessor('usedOrderId', { header: t('commissions.programmes.cashback.usedOrder'), cell: (c) => c.getValue() ?? '—' }),
      col.accessor('expiredAt', { header: t('commissions.programmes.cashback.expiredAt'), cell: (c) => <DateTime iso={c.getValue()} time={false} /> }),
    ],
    [t],
  );
  return (
    <section className="card" aria-label={t('commissions.programmes.cashback.title')}>
      <h2>{t('commissions.programmes.cashback.title')}</h2>
      <p className="muted small">{t('commissions.programmes.cashback.intro')}</p>
      <ErrorBanner error={periods.error ?? list.error} />
      {periods.isLoading ? (
        <Loading />
      ) : (periods.data ?? []).length === 0 ? (
        <p className="muted">{t('commissions.programmes.cashback.none')}</p>
      ) : (
        <table className="commission-table">
          <thead>
            <tr>
              <th>{t('commissions.period')}</th>
              <th className="num">{t('commissions.programmes.cashback.issued')}</th>
              <th className="num">{t('commissions.programmes.cashback.used')}</th>
              <th className="num">{t('commissions.programmes.cashback.expired')}</th>
              <th className="num">{t('commissions.programmes.cashback.open')}</th>
            </tr>
          </thead>
          <tbody>
            {periods.data!.map((r) => (
              <tr key={r.periodKey}>
                <td>{r.periodKey}</td>
                <td className="num">{r.issued}</td>
                <td className="num">{r.used}</td>
                <td className="num">{r.expired}</td>
                <td className="num">{r.open}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('commissions.programmes.cashback.list')}</h3>
      <div className="filters">
        <label>
          {t('commissions.period')}
          <select
            aria-label={`${t('commissions.programmes.cashback.title')} ${t('commissions.period')}`}
            value={periodKey}
            onChange={(e) => {
              setPeriodKey(e.target.value);
              setPage(1);
            }}
          >
            <option value="">{t('commissions.programmes.cashback.allPeriods')}</option>
            {(periods.data ?? []).map((p) => (
              <option key={p.periodKey} value={p.periodKey}>
                {p.periodKey}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('commissions.programmes.cashback.status')}
          <select
            aria-label={t('commissions.programmes.cashback.status')}
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setPage(1);
            }}
          >
            <option value="">{t('commissions.programmes.cashback.allStatus')}</option>
            {(['issued', 'used', 'expired'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`commissions.programmes.cashback.states.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <DataTable data={list.data?.rows ?? []} columns={columns} rowKey={(r) => String(r.id)} empty={t('commissions.programmes.cashback.none')} />
      {(list.data?.total ?? 0) > PAGE && <Pager page={page} pageSize={PAGE} total={list.data!.total} onPage={setPage} />}
    </section>
  );
}

function ShipGift({ id }: { id: number }) {
  const { t } = useTranslation();
  const [choice, setChoice] = useState('');
  const ship = useMutationProcedure('programmes.shipGift', ['programmes.gifts']);
  return (
    <span className="row-actions">
      <select aria-label={t('commissions.programmes.loyalty.choose')} value={choice} onChange={(e) => setChoice(e.target.value)}>
        <option value="">{t('commissions.programmes.loyalty.choose')}</option>
        {(['supplements', 'serums_creams'] as const).map((c) => (
          <option key={c} value={c}>
            {t(`commissions.programmes.loyalty.choices.${c}`)}
          </option>
        ))}
      </select>
      <button type="button" disabled={!choice || ship.isPending} onClick={() => ship.mutate({ giftId: id, choice: choice as 'supplements' })}>
        {t('commissions.programmes.loyalty.ship')}
      </button>
      {ship.error && <span className="badge danger">{describeError(t, ship.error)}</span>}
    </span>
  );
}

/** Lealtad: points per member and the gifts to ship (admin/support mark them shipped). */
function Loyalty() {
  const { t } = useTranslation();
  const role = useSession((s) => s.staff?.role);
  const canShip = role === 'admin' || role === 'support';
  const [mPage, setMPage] = useState(1);
  const [gPage, setGPage] = useState(1);
  const [gStatus, setGStatus] = useState<'to_ship' | 'shipped' | ''>('to_ship');
  const members = useProcedure('programmes.loyaltyMembers', { page: mPage, pageSize: PAGE });
  const gifts = useProcedure('programmes.gifts', { page: gPage, pageSize: PAGE, ...(gStatus ? { status: gStatus } : {}) });
  type G = OutputOf<'programmes.gifts'>['rows'][number];
  type M = OutputOf<'programmes.loyaltyMembers'>['rows'][number];
  const gc = createColumnHelper<G>();
  const mc = createColumnHelper<M>();
  const giftColumns = useMemo(
    () => [
      gc.accessor('code', {
        header: t('commissions.cols.member'),
        cell: (c) => (
          <Link to={`/members/${c.row.original.memberId}`}>
            {c.getValue()} · {c.row.original.name}
          </Link>
        ),
      }),
      gc.accessor('periodKey', { header: t('commissions.programmes.loyalty.earned') }),
      gc.accessor('status', {
        header: t('commissions.programmes.cashback.status'),
        cell: (c) => (
          <span className={`badge ${c.getValue() === 'shipped' ? 'ok' : 'warn'}`}>{t(`commissions.programmes.loyalty.states.${c.getValue()}`)}</span>
        ),
      }),
      gc.accessor('choice', {
        header: t('commissions.programmes.loyalty.choice'),
        cell: (c) => (c.getValue() ? t(`commissions.programmes.loyalty.choices.${c.getValue()}`) : '—'),
      }),
      gc.accessor('shippedAt', { header: t('commissions.programmes.loyalty.shippedAt'), cell: (c) => (c.getValue() ? <DateTime iso={c.getValue()} /> : '—') }),
      gc.display({ id: 'ship', header: '', cell: (c) => (canShip && c.row.original.status === 'to_ship' ? <ShipGift id={c.row.original.id} /> : null) }),
    ],
    [t, canShip],
  );
  const memberColumns = useMemo(
    () => [
      mc.accessor('code', {
        header: t('commissions.cols.member'),
        cell: (c) => (
          <Link to={`/members/${c.row.original.memberId}`}>
            {c.getValue()} · {c.row.original.name}
          </Link>
        ),
      }),
      mc.accessor('country', { header: t('commissions.country'), cell: (c) => t(`commissions.countries.${c.getValue()}`, { defaultValue: c.getValue() }) }),
      mc.accessor('points', { header: t('commissions.programmes.loyalty.points') }),
      mc.accessor('periodKey', { header: t('commissions.programmes.loyalty.lastPeriod'), cell: (c) => c.getValue() ?? '—' }),
    ],
    [t],
  );
  return (
    <section className="card" aria-label={t('commissions.programmes.loyalty.title')}>
      <h2>{t('commissions.programmes.loyalty.title')}</h2>
      <p className="muted small">{t('commissions.programmes.loyalty.intro')}</p>
      <ErrorBanner error={members.error ?? gifts.error} />
      <div className="two-col">
        <div>
          <h3>
            {t('commissions.programmes.loyalty.gifts')}{' '}
            <span className="badge warn">{t('commissions.programmes.loyalty.toShip', { n: gifts.data?.toShip ?? 0 })}</span>{' '}
            <span className="badge ok">{t('commissions.programmes.loyalty.shipped', { n: gifts.data?.shipped ?? 0 })}</span>
          </h3>
          <div className="filters">
            <label>
              {t('commissions.programmes.cashback.status')}
              <select
                aria-label={`${t('commissions.programmes.loyalty.gifts')} ${t('commissions.programmes.cashback.status')}`}
                value={gStatus}
                onChange={(e) => {
                  setGStatus(e.target.value as 'to_ship');
                  setGPage(1);
                }}
              >
                <option value="">{t('commissions.programmes.cashback.allStatus')}</option>
                {(['to_ship', 'shipped'] as const).map((s) => (
                  <option key={s} value={s}>
                    {t(`commissions.programmes.loyalty.states.${s}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <DataTable data={gifts.data?.rows ?? []} columns={giftColumns} rowKey={(r) => String(r.id)} empty={t('commissions.programmes.loyalty.noGifts')} />
          {(gifts.data?.total ?? 0) > PAGE && <Pager page={gPage} pageSize={PAGE} total={gifts.data!.total} onPage={setGPage} />}
        </div>
        <div>
          <h3>{t('commissions.programmes.loyalty.members')}</h3>
          <p className="small muted">
            {(members.data?.byPoints ?? []).map((b) => t('commissions.programmes.loyalty.byPoints', { members: b.members, points: b.points })).join(' · ')}
          </p>
          <DataTable
            data={members.data?.rows ?? []}
            columns={memberColumns}
            rowKey={(r) => String(r.memberId)}
            empty={t('commissions.programmes.loyalty.noMembers')}
          />
          {(members.data?.total ?? 0) > PAGE && <Pager page={mPage} pageSize={PAGE} total={members.data!.total} onPage={setMPage} />}
        </div>
      </div>
    </section>
  );
}

type Campaign = OutputOf<'programmes.campaigns'>['rows'][number];
type Draft = {
  id?: number;
  name: string;
  fromPeriod: string;
  toPeriod: string;
  target: string;
  active: boolean;
  promotions: { fromPeriod: string; toPeriod: string; multiplier: string; label?: string }[];
};

function CampaignForm({ initial, onDone }: { initial: Draft; onDone: (c: Campaign) => void }) {
  const { t } = useTranslation();
  const [d, setD] = useState<Draft>(initial);
  const save = useMutationProcedure('programmes.saveCampaign', ['programmes.campaigns', 'programmes.campaignRanking']);
  // An edit clears the last refusal (it described the values before the edit).
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    if (save.error) save.reset();
    setD((x) => ({ ...x, [k]: v }));
  };
  const setPromo = (i: number, k: 'fromPeriod' | 'toPeriod' | 'multiplier' | 'label', v: string) => {
    if (save.error) save.reset();
    setD((x) => ({ ...x, promotions: x.promotions.map((p, j) => (j === i ? { ...p, [k]: v } : p)) }));
  };
  const submit = async () => {
    const input: InputOf<'programmes.saveCampaign'> = {
      ...(d.id ? { id: d.id } : {}),
      name: d.name,
      fromPeriod: d.fromPeriod,
      toPeriod: d.toPeriod,
      target: d.target,
      active: d.active,
      promotions: d.promotions.map((p) => ({
        fromPeriod: p.fromPeriod,
        toPeriod: p.toPeriod,
        multiplier: p.multiplier,
        ...(p.label ? { label: p.label } : {}),
      })),
    };
    try {
      onDone(await save.mutateAsync(input));
    } catch {
      /* shown by the banner */
    }
  };
  const title = d.id ? `${t('commissions.programmes.travel.edit')}: ${initial.name}` : t('commissions.programmes.travel.new');
  return (
    <form
      className="card stack campaign-form"
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>{title}</h3>
      <ErrorBanner error={save.error} />
      <div className="filters">
        <label>
          {t('commissions.programmes.travel.name')}
          <input value={d.name} onChange={(e) => set('name', e.target.value)} />
        </label>
        <label>
          {t('commissions.programmes.travel.from')}
          <input placeholder="AAAA-MM" value={d.fromPeriod} onChange={(e) => set('fromPeriod', e.target.value)} />
        </label>
        <label>
          {t('commissions.programmes.travel.to')}
          <input placeholder="AAAA-MM" value={d.toPeriod} onChange={(e) => set('toPeriod', e.target.value)} />
        </label>
        <label>
          {t('commissions.programmes.travel.target')}
          <input inputMode="decimal" value={d.target} onChange={(e) => set('target', e.target.value)} />
        </label>
        <label className="lang">
          <input type="checkbox" checked={d.active} onChange={(e) => set('active', e.target.checked)} />
          {t('commissions.programmes.travel.active')}
        </label>
      </div>
      <h3>{t('commissions.programmes.travel.promotions')}</h3>
      {d.promotions.length === 0 && <p className="muted small">{t('commissions.programmes.travel.noPromotions')}</p>}
      {d.promotions.map((p, i) => (
        <fieldset key={i} className="filters promo-row" aria-label={`${t('commissions.programmes.travel.promotion')} ${i + 1}`}>
          <label>
            {t('commissions.programmes.travel.from')}
            <input placeholder="AAAA-MM" value={p.fromPeriod} onChange={(e) => setPromo(i, 'fromPeriod', e.target.value)} />
          </label>
          <label>
            {t('commissions.programmes.travel.to')}
            <input placeholder="AAAA-MM" value={p.toPeriod} onChange={(e) => setPromo(i, 'toPeriod', e.target.value)} />
          </label>
          <label>
            {t('commissions.programmes.travel.multiplier')}
            <input inputMode="decimal" value={p.multiplier} onChange={(e) => setPromo(i, 'multiplier', e.target.value)} />
          </label>
          <label>
            {t('commissions.programmes.travel.label')}
            <input value={p.label ?? ''} onChange={(e) => setPromo(i, 'label', e.target.value)} />
          </label>
          <button type="button" onClick={() => setD((x) => ({ ...x, promotions: x.promotions.filter((_, j) => j !== i) }))}>
            {t('commissions.programmes.travel.remove')}
          </button>
        </fieldset>
      ))}
      <div className="row-actions">
        <button
          type="button"
          onClick={() => setD((x) => ({ ...x, promotions: [...x.promotions, { fromPeriod: x.fromPeriod, toPeriod: x.fromPeriod, multiplier: '2' }] }))}
        >
          {t('commissions.programmes.travel.addPromotion')}
        </button>
      </div>
      <div className="dialog-actions">
        <button type="button" onClick={() => onDone(null as unknown as Campaign)}>
          {t('commissions.programmes.travel.cancel')}
        </button>
        <button type="submit" className="primary" disabled={save.isPending}>
          {t('commissions.programmes.travel.save')}
        </button>
      </div>
    </form>
  );
}

function Ranking({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const r = useProcedure('programmes.campaignRanking', { campaignId: campaign.id, page, pageSize: PAGE });
  type Row = OutputOf<'programmes.campaignRanking'>['rows'][number];
  const col = createColumnHelper<Row>();
  const columns = useMemo(
    () => [
      col.accessor('position', { header: t('commissions.programmes.travel.position') }),
      col.accessor('code', {
        header: t('commissions.cols.member'),
        cell: (c) => (
          <Link to={`/members/${c.row.original.memberId}`}>
            {c.getValue()} · {c.row.original.name}
          </Link>
        ),
      }),
      col.accessor('points', { header: t('commissions.programmes.travel.points'), cell: (c) => <Points value={c.getValue()} /> }),
      col.accessor('reached', {
        header: t('commissions.programmes.travel.reached'),
        cell: (c) => (c.getValue() ? <span className="badge ok">{t('commissions.programmes.travel.reachedYes')}</span> : ''),
      }),
      col.accessor('periodKey', { header: t('commissions.programmes.travel.lastPeriod') }),
    ],
    [t],
  );
  return (
    <section aria-label={t('commissions.programmes.travel.ranking', { name: campaign.name })}>
      <h3>
        {t('commissions.programmes.travel.ranking', { name: campaign.name })} · {t('commissions.programmes.travel.target')}: {campaign.target}
      </h3>
      <ErrorBanner error={r.error} />
      <DataTable data={r.data?.rows ?? []} columns={columns} rowKey={(x) => String(x.memberId)} empty={t('commissions.programmes.travel.noRanking')} />
      {(r.data?.total ?? 0) > PAGE && <Pager page={page} pageSize={PAGE} total={r.data!.total} onPage={setPage} />}
    </section>
  );
}

/** NN Travels: campaigns (admins create and edit them) and a campaign's ranking. */
function Travel() {
  const { t } = useTranslation();
  const role = useSession((s) => s.staff?.role);
  const isAdmin = role === 'admin';
  const list = useProcedure('programmes.campaigns', {});
  const [editing, setEditing] = useState<Draft | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [saved, setSaved] = useState(false);
  const rows = list.data?.rows ?? [];
  const shown = rows.find((c) => c.id === selected) ?? rows.find((c) => c.state === 'running') ?? rows[0] ?? null;
  const open = list.data?.openPeriod ?? '';
  return (
    <section className="card" aria-label={t('commissions.programmes.travel.title')}>
      <h2>{t('commissions.programmes.travel.title')}</h2>
      <p className="muted small">{t('commissions.programmes.travel.intro')}</p>
      <ErrorBanner error={list.error} />
      {saved && (
        <div className="banner ok" role="status">
          {t('commissions.programmes.travel.saved')}
        </div>
      )}
      {isAdmin && !editing && (
        <div className="row-actions travel-actions">
          <button
            type="button"
            className="primary"
            onClick={() => {
              setSaved(false);
              setEditing({ name: '', fromPeriod: open, toPeriod: open, target: '200', active: true, promotions: [] });
            }}
          >
            {t('commissions.programmes.travel.new')}
          </button>
        </div>
      )}
      {editing && (
        <CampaignForm
          key={editing.id ?? 'new'}
          initial={editing}
          onDone={(c) => {
            setEditing(null);
            if (c) {
              setSaved(true);
              setSelected(c.id);
            }
          }}
        />
      )}
      <h3>{t('commissions.programmes.travel.campaigns')}</h3>
      {list.isLoading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <p className="muted">{t('commissions.programmes.travel.none')}</p>
      ) : (
        <table className="commission-table" aria-label={t('commissions.programmes.travel.campaigns')}>
          <thead>
            <tr>
              <th>{t('commissions.programmes.travel.name')}</th>
              <th>{t('commissions.programmes.travel.from')}</th>
              <th>{t('commissions.programmes.travel.to')}</th>
              <th className="num">{t('commissions.programmes.travel.target')}</th>
              <th>{t('commissions.programmes.travel.promotions')}</th>
              <th>{t('commissions.programmes.travel.state')}</th>
              <th className="num">{t('commissions.programmes.travel.participants')}</th>
              <th className="num">{t('commissions.programmes.travel.reached')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id} className={shown?.id === c.id ? 'selected' : ''}>
                <td>{c.name}</td>
                <td>{c.fromPeriod}</td>
                <td>{c.toPeriod}</td>
                <td className="num">{c.target}</td>
                <td>
                  {c.promotions.length === 0
                    ? '—'
                    : c.promotions
                        .map((p) => `${p.fromPeriod}${p.toPeriod !== p.fromPeriod ? ` – ${p.toPeriod}` : ''} ×${p.multiplier}${p.label ? ` (${p.label})` : ''}`)
                        .join('; ')}
                </td>
                <td>
                  <span className={`badge ${c.active && c.state === 'running' ? 'ok' : ''}`}>
                    {c.active ? t(`commissions.programmes.travel.states.${c.state}`) : t('commissions.programmes.travel.inactive')}
                  </span>
                </td>
                <td className="num">{c.participants}</td>
                <td className="num">{c.reachedTarget}</td>
                <td className="campaign-actions">
                  <button type="button" className="link" onClick={() => setSelected(c.id)}>
                    {t('commissions.programmes.travel.show')}
                  </button>
                  {isAdmin && (
                    <button
                      type="button"
                      className="link"
                      onClick={() => {
                        setSaved(false);
                        setEditing({
                          id: c.id,
                          name: c.name,
                          fromPeriod: c.fromPeriod,
                          toPeriod: c.toPeriod,
                          target: c.target,
                          active: c.active,
                          promotions: c.promotions,
                        });
                      }}
                    >
                      {t('commissions.programmes.travel.edit')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown && <Ranking key={shown.id} campaign={shown} />}
    </section>
  );
}

/** The "Programas" tab of Comisiones: Cashback, Lealtad, NN Travels. */
export function ProgrammesPanel() {
  return (
    <>
      <Travel />
      <Loyalty />
      <Cashback />
    </>
  );
}
