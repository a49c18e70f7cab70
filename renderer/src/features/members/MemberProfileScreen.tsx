import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import * as Tabs from '@radix-ui/react-tabs';
import { useProcedure } from '../../api/hooks';
import { useSession } from '../../stores/session';
import { DateTime, ErrorBanner, Loading, Money, Page, Pager, Points, ScrollBox } from '../common/ui';
import { Count, MemberLink, RankBadge, StatusBadge, fullName } from './parts';
import { extraProfileTabs, type Profile } from './profileTabs';
import { MoveDialog } from '../genealogy/MoveDialog';
import { EditMemberDialog, StatusDialog, TimelinePanel, canEdit, canSuspend } from './MemberCare';
import './members.css';

const BASE_TABS = ['details', 'timeline', 'volumes', 'orders', 'recruits', 'moves'] as const;

/** A member's profile: identity, upline, ranks, volumes per period, orders, recruits, sponsor changes. */
export function MemberProfileScreen() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const role = useSession((s) => s.staff?.role);
  const q = useProcedure('members.get', { id }, { enabled: Number.isInteger(id) && id > 0 });
  const [tab, setTab] = useState<string>('details');
  const [moving, setMoving] = useState(false);
  const [editing, setEditing] = useState(false);
  const [statusing, setStatusing] = useState(false);
  const m = q.data;
  const extra = extraProfileTabs.filter((x) => role && x.roles.includes(role));

  if (q.isLoading) return <Loading />;
  if (!m)
    return (
      <Page title={t('members.title')}>
        <ErrorBanner error={q.error} />
        <Link to="/members">{t('profile.back')}</Link>
      </Page>
    );
  const cur = m.current;

  return (
    <section className="page member-page" data-ready={q.isPlaceholderData ? undefined : 'profile'}>
      <div className="profile-head">
        <div>
          <Link to="/members" className="small">
            ← {t('profile.back')}
          </Link>
          <h1>
            {fullName(m)} <span className="code">{m.code}</span> <StatusBadge status={m.status} />
          </h1>
          <Upline upline={m.upline} self={m} />
        </div>
        <div className="page-actions">
          <Link className="button-link" to={`/genealogy/${m.id}`}>
            {t('profile.viewTree')}
          </Link>
          {canEdit(role) && (
            <button type="button" onClick={() => setEditing(true)}>
              {t('care.edit.open')}
            </button>
          )}
          {canSuspend(role) && (
            <button type="button" className={m.status === 'suspended' ? '' : 'danger'} onClick={() => setStatusing(true)}>
              {t(m.status === 'suspended' ? 'care.status.reactivate' : 'care.status.suspend')}
            </button>
          )}
          {role === 'admin' && m.sponsor && (
            <button type="button" onClick={() => setMoving(true)}>
              {t('profile.correct')}
            </button>
          )}
        </div>
      </div>
      <ErrorBanner error={q.error} />
      <div className="cards member-cards">
        <Stat label={t('profile.careerRank')} value={<RankBadge rank={m.careerRank} />} />
        <Stat
          label={t('profile.paidAsRank')}
          value={<RankBadge rank={cur?.paidAsRank ?? 0} />}
          sub={cur ? t('profile.periodOf', { key: cur.period.key }) : t('profile.noPeriod')}
        />
        <Stat label={t('profile.pv')} value={<Points value={cur?.pv ?? '0'} />} sub={cur ? t('profile.periodOf', { key: cur.period.key }) : undefined} />
        <Stat label={t('profile.pvg')} value={<Points value={cur?.pvg ?? '0'} />} sub={cur ? t('profile.periodOf', { key: cur.period.key }) : undefined} />
        <Stat label={t('profile.vn')} value={<Money amount={cur?.vn ?? '0'} currency={m.currency} />} />
        <Stat label={t('profile.downline')} value={<Count n={m.downlineSize} />} />
        <Stat label={t('profile.directRecruits')} value={<Count n={m.directRecruits} />} />
      </div>
      {/* Radix Tabs: ← → Home End move between the tabs, one Tab stop, the panel labelled by its tab. */}
      <Tabs.Root value={tab} onValueChange={setTab}>
        <Tabs.List className="tabs">
          {[...BASE_TABS.map((k) => ({ key: k, label: `profile.tabs.${k}` })), ...extra].map((x) => (
            <Tabs.Trigger key={x.key} value={x.key}>
              {t(x.label)}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value={tab} className="tab-panel">
          {tab === 'details' && <Details m={m} />}
          {tab === 'timeline' && <TimelinePanel m={m} />}
          {tab === 'volumes' && <Volumes m={m} />}
          {tab === 'orders' && <Orders memberId={m.id} />}
          {tab === 'recruits' && <Recruits memberId={m.id} />}
          {tab === 'moves' && <Moves m={m} />}
          {extra
            .filter((x) => x.key === tab)
            .map((x) => (
              <div key={x.key}>{x.render(m)}</div>
            ))}
        </Tabs.Content>
      </Tabs.Root>
      {editing && <EditMemberDialog m={m} onClose={() => setEditing(false)} />}
      {statusing && <StatusDialog m={m} onClose={() => setStatusing(false)} />}
      {moving && <MoveDialog member={{ ...m, downlineSize: m.downlineSize }} onClose={() => setMoving(false)} />}
    </section>
  );
}

function Stat({ label, value, sub }: { label: string; value: React.ReactNode; sub?: string }) {
  return (
    <div className="stat">
      <div className="label">{label}</div>
      <div className="value">{value}</div>
      {sub && <div className="delta">{sub}</div>}
    </div>
  );
}

/** Root → … → sponsor → this member; long uplines fold their middle. */
export function Upline({
  upline,
  self,
  onPick,
}: {
  upline: Profile['upline'];
  self: { firstName: string; lastName: string; code: string };
  onPick?: (id: number) => void;
}) {
  const { t } = useTranslation();
  const [all, setAll] = useState(false);
  const fold = !all && upline.length > 8;
  const shown = fold ? [...upline.slice(0, 2), null, ...upline.slice(-4)] : upline;
  return (
    <nav className="breadcrumb" aria-label={t('profile.upline')}>
      {shown.map((u, i) => (
        <span key={u ? u.id : `fold-${i}`}>
          {u === null ? (
            <button type="button" className="link" onClick={() => setAll(true)}>
              … {t('profile.showAll', { count: upline.length })}
            </button>
          ) : onPick ? (
            <button type="button" className="link" onClick={() => onPick(u.id)}>
              {fullName(u)}
            </button>
          ) : (
            <Link to={`/members/${u.id}`} title={u.code}>
              {fullName(u)}
            </Link>
          )}
          <span className="sep"> › </span>
        </span>
      ))}
      <span className="here">{upline.length === 0 ? t('profile.rootMember') : fullName(self)}</span>
    </nav>
  );
}

function Details({ m }: { m: Profile }) {
  const { t } = useTranslation();
  return (
    <div className="card">
      <dl className="member-facts">
        <div>
          <dt>{t('profile.code')}</dt>
          <dd className="mono">{m.code}</dd>
        </div>
        <div>
          <dt>{t('profile.email')}</dt>
          <dd>{m.email ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('profile.phone')}</dt>
          <dd>{m.phone ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('care.fields.address')}</dt>
          <dd>{m.address ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('profile.country')}</dt>
          <dd>
            {m.countryName} ({m.country})
          </dd>
        </div>
        <div>
          <dt>{t('profile.currency')}</dt>
          <dd>{m.currency}</dd>
        </div>
        <div>
          <dt>{t('profile.status')}</dt>
          <dd>
            <StatusBadge status={m.status} />
          </dd>
        </div>
        <div>
          <dt>{t('profile.enrolledAt')}</dt>
          <dd>
            <DateTime iso={m.enrolledAt} />
          </dd>
        </div>
        <div>
          <dt>{t('profile.sponsor')}</dt>
          <dd>
            {m.sponsor ? (
              <>
                <MemberLink m={m.sponsor} /> <span className="mono muted">{m.sponsor.code}</span>
              </>
            ) : (
              t('profile.none')
            )}
          </dd>
        </div>
        <div>
          <dt>{t('profile.depth')}</dt>
          <dd>{m.depth}</dd>
        </div>
      </dl>
    </div>
  );
}

function Volumes({ m }: { m: Profile }) {
  const { t } = useTranslation();
  return (
    <ScrollBox>
      <table className="data">
        <thead>
          <tr>
            <th>{t('profile.period')}</th>
            <th>{t('profile.periodStatus')}</th>
            <th className="num-cell">PV</th>
            <th className="num-cell">PVG</th>
            <th className="num-cell">VN</th>
            <th>{t('profile.paidAsRank')}</th>
          </tr>
        </thead>
        <tbody>
          {m.volumes.length === 0 && (
            <tr>
              <td colSpan={6} className="empty">
                {t('profile.noPeriod')}
              </td>
            </tr>
          )}
          {m.volumes.map((v) => (
            <tr key={v.period.id}>
              <td className="mono">{v.period.key}</td>
              <td>
                {t(`periodStatus.${v.period.status}`)}
                {!v.cached && <span className="muted small"> · {t('profile.notComputed')}</span>}
              </td>
              <td className="num-cell">
                <Points value={v.pv} />
              </td>
              <td className="num-cell">
                <Points value={v.pvg} />
              </td>
              <td className="num-cell">
                <Money amount={v.vn} currency={m.currency} />
              </td>
              <td>
                <RankBadge rank={v.paidAsRank} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

function Orders({ memberId }: { memberId: number }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const q = useProcedure('members.orders', { memberId, page, pageSize: 25 });
  if (q.isLoading) return <Loading />;
  return (
    <>
      <ErrorBanner error={q.error} />
      <ScrollBox>
        <table className="data">
          <thead>
            <tr>
              <th>{t('profile.order')}</th>
              <th>{t('profile.orderStatus')}</th>
              <th>{t('profile.createdAt')}</th>
              <th>{t('profile.confirmedAt')}</th>
              <th>{t('profile.period')}</th>
              <th className="num-cell">{t('profile.total')}</th>
              <th className="num-cell">PV</th>
              <th className="num-cell">VN</th>
              <th>{t('profile.method')}</th>
            </tr>
          </thead>
          <tbody>
            {(q.data?.rows.length ?? 0) === 0 && (
              <tr>
                <td colSpan={9} className="empty">
                  {t('common.none')}
                </td>
              </tr>
            )}
            {q.data?.rows.map((o) => (
              <tr key={o.id}>
                <td className="mono">#{o.id}</td>
                <td>
                  <span className={`badge ${o.status === 'paid' ? 'ok' : o.status === 'refunded' || o.status === 'failed' ? 'danger' : ''}`}>
                    {t(`orderStatus.${o.status}`)}
                  </span>
                </td>
                <td>
                  <DateTime iso={o.createdAt} />
                </td>
                <td>
                  <DateTime iso={o.paymentConfirmedAt} />
                </td>
                <td className="mono">{o.periodKey ?? '—'}</td>
                <td className="num-cell">
                  <Money amount={o.total} currency={o.currency} />
                </td>
                <td className="num-cell">
                  <Points value={o.pv} />
                </td>
                <td className="num-cell">
                  <Money amount={o.vn} currency={o.currency} />
                </td>
                <td>{o.paymentMethod ? t(`paymentMethod.${o.paymentMethod}`) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <Pager page={page} pageSize={25} total={q.data?.total ?? 0} onPage={setPage} />
    </>
  );
}

function Recruits({ memberId }: { memberId: number }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const q = useProcedure('genealogy.children', { memberId, page, pageSize: 50 });
  if (q.isLoading) return <Loading />;
  return (
    <>
      <ErrorBanner error={q.error} />
      <ScrollBox>
        <table className="data">
          <thead>
            <tr>
              <th>{t('members.code')}</th>
              <th>{t('members.name')}</th>
              <th>{t('members.status')}</th>
              <th>{t('genealogy.paidAsRank')}</th>
              <th className="num-cell">PV</th>
              <th className="num-cell">PVG</th>
              <th className="num-cell">{t('members.downline')}</th>
            </tr>
          </thead>
          <tbody>
            {(q.data?.rows.length ?? 0) === 0 && (
              <tr>
                <td colSpan={7} className="empty">
                  {t('genealogy.noChildren')}
                </td>
              </tr>
            )}
            {q.data?.rows.map((c) => (
              <tr key={c.id}>
                <td className="mono">{c.code}</td>
                <td>
                  <MemberLink m={c} />
                </td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
                <td>
                  <RankBadge rank={c.paidAsRank} />
                </td>
                <td className="num-cell">
                  <Points value={c.pv} />
                </td>
                <td className="num-cell">
                  <Points value={c.pvg} />
                </td>
                <td className="num-cell">
                  <Count n={c.downlineSize} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <Pager page={page} pageSize={50} total={q.data?.total ?? 0} onPage={setPage} />
    </>
  );
}

function Moves({ m }: { m: Profile }) {
  const { t } = useTranslation();
  if (m.moves.length === 0) return <div className="card muted">{t('profile.noMoves')}</div>;
  return (
    <ScrollBox>
      <table className="data">
        <thead>
          <tr>
            <th>{t('profile.movedAt')}</th>
            <th>{t('profile.period')}</th>
            <th>{t('profile.from')}</th>
            <th>{t('profile.to')}</th>
            <th className="num-cell">{t('profile.moved')}</th>
            <th>{t('profile.by')}</th>
            <th>{t('profile.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {m.moves.map((g, i) => (
            <tr key={i}>
              <td>
                <DateTime iso={g.at} />
              </td>
              <td className="mono">{g.periodKey}</td>
              <td>{g.oldSponsor ? <MemberLink m={g.oldSponsor} /> : '—'}</td>
              <td>
                <MemberLink m={g.newSponsor} />
              </td>
              <td className="num-cell">
                <Count n={g.movedMembers} />
              </td>
              <td>{g.staffUsername ?? '—'}</td>
              <td>{g.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}
