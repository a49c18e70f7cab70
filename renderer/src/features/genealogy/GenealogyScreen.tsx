import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useProcedure } from '../../api/hooks';
import { call } from '../../api/client';
import { useSession } from '../../stores/session';
import type { InputOf, OutputOf } from '../../../../shared/contract';
import type { AppError } from '../../../../shared/errors';
import { ErrorBanner, Loading, Page, Points } from '../common/ui';
import { Count, RankBadge, StatusBadge, fullName, useDebounced } from '../members/parts';
import { Upline } from '../members/MemberProfileScreen';
import { ExportDialog } from './ExportDialog';
import { MoveDialog } from './MoveDialog';
import '../members/members.css';
import { describeError } from '../common/errors';

type Node = OutputOf<'genealogy.children'>['rows'][number];
type Sort = 'enrolled' | 'downline' | 'pvg';
const CHILD_PAGE = 100;
const ROW_HEIGHT = 40;

interface Kids { rows: Node[]; total: number; pages: number; loading: boolean; error?: AppError }
type Line =
  | { kind: 'node'; node: Node; level: number }
  | { kind: 'more'; parent: number; level: number; loaded: number; total: number; loading: boolean }
  | { kind: 'empty'; parent: number; level: number };

/**
 * Genealogy explorer: the tree below any member, loaded level by level and page by page (100
 * recruits a page, more pages as the list scrolls), drawn as one virtualised list, so a member
 * with thousands of recruits stays smooth. Level view, search inside the downline, CSV export and
 * (admins) sponsor correction.
 */
export function GenealogyScreen() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const role = useSession((s) => s.staff?.role);
  const param = useParams().id;
  const rootId = param ? Number(param) : undefined;
  const [periodKey, setPeriodKey] = useState<string | undefined>(undefined);
  const [sort, setSort] = useState<Sort>('enrolled');
  const [view, setView] = useState<'tree' | 'levels'>('tree');
  const [dialog, setDialog] = useState<null | { kind: 'export' | 'move'; node: Node }>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const head = useProcedure('genealogy.node', { ...(rootId ? { memberId: rootId } : {}), ...(periodKey ? { periodKey } : {}) });
  const root = head.data?.node;

  // Expanded nodes and the pages of children loaded so far, reset when the root, period or order changes.
  const [expanded, setExpanded] = useState<Set<number>>(new Set());
  const [kids, setKids] = useState<Map<number, Kids>>(new Map());
  const generation = useRef(0);
  useEffect(() => {
    generation.current++;
    setKids(new Map());
    setExpanded(root ? new Set([root.id]) : new Set());
  }, [root?.id, periodKey, sort]); // eslint-disable-line react-hooks/exhaustive-deps -- reset on a new root id, not a new root object

  const loadPage = useCallback(async (parent: number, page: number) => {
    const gen = generation.current;
    setKids((m) => new Map(m).set(parent, { ...(m.get(parent) ?? { rows: [], total: 0, pages: 0 }), loading: true, error: undefined }));
    const input: InputOf<'genealogy.children'> = { memberId: parent, page, pageSize: CHILD_PAGE, sort, ...(periodKey ? { periodKey } : {}) };
    try {
      const r = await qc.fetchQuery({ queryKey: ['genealogy.children', input], queryFn: () => call('genealogy.children', input), staleTime: 30_000 });
      if (gen !== generation.current) return;
      setKids((m) => {
        const prev = m.get(parent) ?? { rows: [], total: 0, pages: 0, loading: false };
        if (prev.pages >= page) return new Map(m).set(parent, { ...prev, loading: false });
        return new Map(m).set(parent, { rows: [...prev.rows, ...r.rows], total: r.total, pages: page, loading: false });
      });
    } catch (e) {
      if (gen !== generation.current) return;
      setKids((m) => new Map(m).set(parent, { ...(m.get(parent) ?? { rows: [], total: 0, pages: 0 }), loading: false, error: e as AppError }));
    }
  }, [qc, sort, periodKey]);

  // Every expanded node whose first page is not there yet gets it.
  useEffect(() => {
    for (const id of expanded) if (!kids.has(id)) void loadPage(id, 1);
  }, [expanded, kids, loadPage]);

  const lines = useMemo(() => {
    const out: Line[] = [];
    if (!root) return out;
    const walk = (n: Node, level: number) => {
      out.push({ kind: 'node', node: n, level });
      if (!expanded.has(n.id)) return;
      const k = kids.get(n.id);
      if (!k || (k.loading && k.rows.length === 0)) { out.push({ kind: 'more', parent: n.id, level: level + 1, loaded: 0, total: n.downlineSize, loading: true }); return; }
      if (k.total === 0) { out.push({ kind: 'empty', parent: n.id, level: level + 1 }); return; }
      for (const c of k.rows) walk(c, level + 1);
      if (k.rows.length < k.total) out.push({ kind: 'more', parent: n.id, level: level + 1, loaded: k.rows.length, total: k.total, loading: k.loading });
    };
    walk(root, 0);
    return out;
  }, [root, expanded, kids]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: lines.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtual.getVirtualItems();

  // A "load more" line that scrolls into view fetches the next page of that node's recruits.
  useEffect(() => {
    for (const it of items) {
      const l = lines[it.index];
      if (l?.kind === 'more' && !l.loading && l.loaded > 0) {
        const k = kids.get(l.parent);
        if (k && !k.loading && !k.error) void loadPage(l.parent, k.pages + 1);
      }
    }
  }, [items, lines, kids, loadPage]);

  const toggle = (id: number) => setExpanded((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  const reroot = (id: number) => navigate(`/genealogy/${id}`);

  if (head.isLoading) return <Loading />;
  if (!root || !head.data) return <Page title={t('genealogy.title')}><ErrorBanner error={head.error} /></Page>;
  const period = head.data.period;

  return (
    <Page title={t('genealogy.title')} intro={t('genealogy.intro')}>
      <div className="gen-page">
      <Upline upline={head.data.upline} self={root} onPick={reroot} />
      <ErrorBanner error={head.error} />
      {notice && <div className="banner ok" role="status">{notice}</div>}
      <div className="card gen-root">
        <div className="profile-head">
          <div>
            <h2 style={{ display: 'flex', gap: 10, alignItems: 'center', flexWrap: 'wrap' }}>
              {fullName(root)} <span className="mono muted">{root.code}</span> <StatusBadge status={root.status} /> <RankBadge rank={root.paidAsRank} />
            </h2>
            <div className="muted small">
              {t('genealogy.nodeCount', { count: root.downlineSize })} · {t('genealogy.directRecruits', { count: head.data.directRecruits })} ·
              {' '}PV <Points value={root.pv} /> · PVG <Points value={root.pvg} />
            </div>
          </div>
          <div className="page-actions">
            <Link to={`/members/${root.id}`}><button type="button">{t('genealogy.profile')}</button></Link>
            <button type="button" onClick={() => setDialog({ kind: 'export', node: root })}>{t('genealogy.exportCsv')}</button>
            {role === 'admin' && head.data.upline.length > 0 && <button type="button" onClick={() => setDialog({ kind: 'move', node: root })}>{t('profile.correct')}</button>}
          </div>
        </div>
      </div>
      <div className="gen-toolbar">
        <DownlineSearch rootId={root.id} onPick={reroot} />
        <label>{t('genealogy.period')}
          <select value={periodKey ?? period?.key ?? ''} onChange={(e) => setPeriodKey(e.target.value || undefined)}>
            {head.data.periods.map((p) => <option key={p.id} value={p.key}>{p.key} ({t(`periodStatus.${p.status}`)})</option>)}
          </select>
        </label>
        <label>{t('genealogy.sort')}
          <select value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
            <option value="enrolled">{t('genealogy.sortEnrolled')}</option>
            <option value="downline">{t('genealogy.sortDownline')}</option>
            <option value="pvg">{t('genealogy.sortPvg')}</option>
          </select>
        </label>
        <div className="grow" />
        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={view === 'tree'} onClick={() => setView('tree')}>{t('genealogy.tree')}</button>
          <button type="button" role="tab" aria-selected={view === 'levels'} onClick={() => setView('levels')}>{t('genealogy.levels')}</button>
        </div>
      </div>
      {view === 'levels' ? <Levels memberId={root.id} periodKey={periodKey} /> : (
        <div className="tree">
          <div className="tree-head" aria-hidden="true">
            <span>{t('members.name')}</span><span>{t('genealogy.paidAsRank')}</span><span className="num">PV</span><span className="num">PVG</span>
            <span>{t('members.status')}</span><span className="num">{t('genealogy.downline')}</span><span />
          </div>
          <div className="tree-scroll" ref={scroller} role="tree" aria-label={t('genealogy.tree')}
            data-ready={(kids.get(root.id)?.pages ?? 0) > 0 && !kids.get(root.id)?.loading && !head.isPlaceholderData ? 'genealogy' : undefined}>
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {items.map((it) => {
                const l = lines[it.index]!;
                const style = { position: 'absolute' as const, top: 0, left: 0, width: '100%', height: ROW_HEIGHT, transform: `translateY(${it.start}px)` };
                if (l.kind === 'node') {
                  return <TreeRow key={`n-${l.node.id}`} style={style} node={l.node} level={l.level} isRoot={l.level === 0}
                    open={expanded.has(l.node.id)} onToggle={() => toggle(l.node.id)} onReroot={() => reroot(l.node.id)}
                    error={kids.get(l.node.id)?.error} />;
                }
                if (l.kind === 'empty') return <div key={`e-${l.parent}`} style={style} className="tree-row muted"><span style={{ paddingLeft: l.level * 22 + 30 }}>{t('genealogy.noChildren')}</span></div>;
                return (
                  <div key={`m-${l.parent}`} style={style} className="tree-row more-row">
                    <span style={{ paddingLeft: l.level * 22 + 30 }}>
                      {l.loading ? t('genealogy.loadingChildren')
                        : <button type="button" className="link" onClick={() => void loadPage(l.parent, (kids.get(l.parent)?.pages ?? 0) + 1)}>{t('genealogy.moreChildren', { loaded: l.loaded, total: l.total })}</button>}
                    </span>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
      <p className="muted small">{t('genealogy.activeLegend')}</p>
      {dialog?.kind === 'export' && <ExportDialog member={dialog.node} periodKey={periodKey ?? period?.key} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'move' && <MoveDialog member={dialog.node} onClose={() => setDialog(null)} onDone={setNotice} />}
      </div>
    </Page>
  );
}

function TreeRow({ node, level, isRoot, open, onToggle, onReroot, style, error }: {
  node: Node; level: number; isRoot: boolean; open: boolean; onToggle: () => void; onReroot: () => void; style: React.CSSProperties; error?: AppError;
}) {
  const { t } = useTranslation();
  const name = fullName(node);
  const hasKids = node.downlineSize > 0;
  function onKey(e: KeyboardEvent) {
    if (e.key === 'ArrowRight' && hasKids && !open) { e.preventDefault(); onToggle(); }
    if (e.key === 'ArrowLeft' && open) { e.preventDefault(); onToggle(); }
  }
  return (
    <div style={style} className={`tree-row${isRoot ? ' root-row' : ''}`} role="treeitem" aria-level={level + 1} aria-expanded={hasKids ? open : undefined}
      aria-label={`${name} ${node.code}`} tabIndex={-1} onKeyDown={onKey}>
      <span className="who" style={{ paddingLeft: level * 22 }}>
        <button type="button" className={`toggle${hasKids ? '' : ' leaf'}`} onClick={onToggle} aria-label={`${open ? t('genealogy.collapse') : t('genealogy.expand')} ${name}`} disabled={!hasKids}>
          {open ? '▾' : '▸'}
        </button>
        <span className={`dot${node.active ? ' on' : ''}`} title={node.active ? t('genealogy.active') : t('genealogy.inactive')} />
        <span className="name" title={name}>{name}</span>
        <span className="code">{node.code}</span>
        {error && <span className="badge danger" title={describeError(t, error)}>!</span>}
      </span>
      <span><RankBadge rank={node.paidAsRank} /></span>
      <span className="num"><Points value={node.pv} /></span>
      <span className="num"><Points value={node.pvg} /></span>
      <span><StatusBadge status={node.status} /></span>
      <span className="num"><Count n={node.downlineSize} /></span>
      <span className="acts">
        <Link to={`/members/${node.id}`}><button type="button" tabIndex={-1}>{t('genealogy.profile')}</button></Link>
        {!isRoot && <button type="button" onClick={onReroot}>{t('genealogy.rootHere')}</button>}
      </span>
    </div>
  );
}

function DownlineSearch({ rootId, onPick }: { rootId: number; onPick: (id: number) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const q = useDebounced(text.trim(), 200);
  const r = useProcedure('members.search', { q, withinMemberId: rootId, pageSize: 10 }, { enabled: q.length > 0 });
  const rows = q ? r.data?.rows ?? [] : [];
  useEffect(() => setActive(0), [r.data]);
  const pick = (id: number | undefined) => { if (id) { setText(''); onPick(id); } };
  return (
    <div className="gen-search">
      <label>{t('genealogy.searchInside')}
        <input type="search" value={text} placeholder={t('genealogy.searchInsidePlaceholder')} onChange={(e) => { setText(e.target.value); setOpen(true); }}
          onFocus={() => setOpen(true)} onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => Math.min(a + 1, rows.length - 1)); }
            else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(a - 1, 0)); }
            else if (e.key === 'Enter') { e.preventDefault(); pick(rows[active]?.id); }
            else if (e.key === 'Escape') { setText(''); setOpen(false); }
          }} />
      </label>
      {q && open && (
        <div className="results" role="listbox" aria-label={t('genealogy.searchResults')}>
          {rows.length === 0 && !r.isFetching && <div className="muted" style={{ padding: 10 }}>{t('members.noResults', { q })}</div>}
          {rows.map((h, i) => (
            <button key={h.id} type="button" role="option" aria-selected={i === active} className={i === active ? 'active' : ''} onMouseEnter={() => setActive(i)} onClick={() => pick(h.id)}>
              <span>{fullName(h)} <span className="mono muted">{h.code}</span></span>
              <span className="muted small">{t('genealogy.jumpTo')}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

function Levels({ memberId, periodKey }: { memberId: number; periodKey?: string }) {
  const { t } = useTranslation();
  const q = useProcedure('genealogy.levels', { memberId, ...(periodKey ? { periodKey } : {}) });
  if (q.isLoading) return <Loading />;
  const d = q.data;
  const max = Math.max(1, ...(d?.levels ?? []).map((l) => l.members));
  return (
    <>
      <ErrorBanner error={q.error} />
      <div className="table-wrap">
        <table className="data" aria-label={t('genealogy.levels')}>
          <thead><tr><th>{t('genealogy.level')}</th><th className="num-cell">{t('genealogy.members')}</th><th style={{ width: '30%' }} />
            <th className="num-cell">{t('genealogy.activeMembers')}</th><th className="num-cell">PV</th></tr></thead>
          <tbody>
            {(d?.levels.length ?? 0) === 0 && <tr><td colSpan={5} className="empty">{t('genealogy.noChildren')}</td></tr>}
            {d?.levels.map((l) => (
              <tr key={l.level}>
                <td>{l.level}</td>
                <td className="num-cell"><Count n={l.members} /></td>
                <td><div className="level-bar" style={{ width: `${(l.members / max) * 100}%` }} /></td>
                <td className="num-cell"><Count n={l.active} /></td>
                <td className="num-cell"><Points value={l.pv} /></td>
              </tr>
            ))}
          </tbody>
          {d && d.levels.length > 0 && (
            <tfoot><tr><th>{t('genealogy.total')}</th><th className="num-cell"><Count n={d.totalMembers} /></th><th /><th className="num-cell"><Count n={d.totalActive} /></th><th className="num-cell"><Points value={d.totalPv} /></th></tr></tfoot>
          )}
        </table>
      </div>
    </>
  );
}
