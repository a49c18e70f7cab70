import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import * as Tabs from '@radix-ui/react-tabs';
import * as Menu from '@radix-ui/react-dropdown-menu';
import { useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useProcedure } from '../../api/hooks';
import { call } from '../../api/client';
import { useSession } from '../../stores/session';
import type { InputOf, OutputOf } from '../../../../shared/contract';
import type { AppError } from '../../../../shared/errors';
import { ErrorBanner, Loading, Page, Points, ScrollBox } from '../common/ui';
import { Count, RankBadge, StatusBadge, answersText, fullName, useDebounced, useEnterWhenAnswered } from '../members/parts';
import { Legs } from './Legs';
import { Upline } from '../members/MemberProfileScreen';
import { ExportDialog } from './ExportDialog';
import { MoveDialog } from './MoveDialog';
import '../members/members.css';
import { describeError } from '../common/errors';

type Node = OutputOf<'genealogy.children'>['rows'][number];
type Sort = 'enrolled' | 'downline' | 'pvg';
const CHILD_PAGE = 100;
const ROW_HEIGHT = 40;

interface Kids {
  rows: Node[];
  total: number;
  pages: number;
  loading: boolean;
  error?: AppError;
}
type Line = (
  { kind: 'node'; node: Node } | { kind: 'more'; parent: number; loaded: number; total: number; loading: boolean } | { kind: 'empty'; parent: number }
) & { level: number; key: string; /** index of the parent node's line */ up: number };
const indent = (level: number) => (level <= 4 ? level * 20 : 80 + (level - 4) * 8);

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
  const [view, setView] = useState<'tree' | 'levels' | 'legs'>('tree');
  const [dialog, setDialog] = useState<null | { kind: 'export' | 'move'; node: Node }>(null);
  const [menuFor, setMenuFor] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const head = useProcedure('genealogy.node', { ...(rootId ? { memberId: rootId } : {}), ...(periodKey ? { periodKey } : {}) });
  const root = head.data?.node;

  // Expanded nodes and the pages of children loaded so far, reset when the root, period or order changes.
  const [expanded, setExpanded] = useState<Set<number>>(new Set());
  const [kids, setKids] = useState<Map<number, Kids>>(new Map());
  const generation = useRef(0);
  /** One page of a member's recruits in the current order and period, as a cached query. */
  const childrenQuery = useCallback(
    (parent: number, page: number) => {
      const input: InputOf<'genealogy.children'> = { memberId: parent, page, pageSize: CHILD_PAGE, sort, ...(periodKey ? { periodKey } : {}) };
      return { queryKey: ['genealogy.children', input], queryFn: () => call('genealogy.children', input), staleTime: 30_000 };
    },
    [sort, periodKey],
  );
  useEffect(() => {
    generation.current++;
    setKids(new Map());
    setExpanded(root ? new Set([root.id]) : new Set());
    // The root's first page is asked for now, not one render later when the expanded root's effect
    // runs; loadPage's fetchQuery then joins this request (same key) instead of sending another.
    if (root) void qc.prefetchQuery(childrenQuery(root.id, 1));
  }, [root?.id, periodKey, sort]); // eslint-disable-line react-hooks/exhaustive-deps -- reset on a new root id, not a new root object

  const loadPage = useCallback(
    async (parent: number, page: number) => {
      const gen = generation.current;
      setKids((m) => new Map(m).set(parent, { ...(m.get(parent) ?? { rows: [], total: 0, pages: 0 }), loading: true, error: undefined }));
      try {
        const r = await qc.fetchQuery(childrenQuery(parent, page));
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
    },
    [qc, childrenQuery],
  );

  // Every expanded node whose first page is not there yet gets it.
  useEffect(() => {
    for (const id of expanded) if (!kids.has(id)) void loadPage(id, 1);
  }, [expanded, kids, loadPage]);

  const lines = useMemo(() => {
    const out: Line[] = [];
    if (!root) return out;
    const walk = (n: Node, level: number, up: number) => {
      const me = out.length;
      out.push({ kind: 'node', node: n, level, key: `n-${n.id}`, up });
      if (!expanded.has(n.id)) return;
      const k = kids.get(n.id);
      if (!k || (k.loading && k.rows.length === 0)) {
        out.push({ kind: 'more', parent: n.id, level: level + 1, loaded: 0, total: n.downlineSize, loading: true, key: `m-${n.id}`, up: me });
        return;
      }
      if (k.total === 0) {
        out.push({ kind: 'empty', parent: n.id, level: level + 1, key: `e-${n.id}`, up: me });
        return;
      }
      for (const c of k.rows) walk(c, level + 1, me);
      if (k.rows.length < k.total)
        out.push({ kind: 'more', parent: n.id, level: level + 1, loaded: k.rows.length, total: k.total, loading: k.loading, key: `m-${n.id}`, up: me });
    };
    walk(root, 0, -1);
    return out;
  }, [root, expanded, kids]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollPaddingStart: 36,
  });
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

  const toggle = (id: number) =>
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const reroot = (id: number) => navigate(`/genealogy/${id}`);

  // ARIA tree: one Tab stop (the current item), arrows move it; the item is followed by key, so it
  // survives expanding, collapsing and new pages, and the virtual list scrolls it into view.
  const [focusKey, setFocusKey] = useState<string>('');
  const wantFocus = useRef(false);
  const lastKey = useRef(0);
  const current = Math.max(
    0,
    lines.findIndex((l) => l.key === focusKey),
  );
  const moveTo = (i: number) => {
    const l = lines[i];
    if (!l) return;
    setFocusKey(l.key);
    wantFocus.current = true;
    virtual.scrollToIndex(i, { align: 'auto' });
  };
  useEffect(() => {
    if (!wantFocus.current) return;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-index="${current}"]`);
    if (el) {
      wantFocus.current = false;
      el.focus({ preventScroll: true });
    }
  });
  // The focused line can vanish: the "loading…" line under a node just expanded is replaced by its
  // recruits (→ pressed before they arrived). Focus goes to the first of them, else to the node,
  // instead of falling to the page's body with the unmounted row.
  useEffect(() => {
    if (!focusKey || lines.some((l) => l.key === focusKey)) return;
    const m = /^[me]-(\d+)$/.exec(focusKey);
    const parent = m ? lines.findIndex((l) => l.key === `n-${m[1]}`) : -1;
    const next = parent < 0 ? 0 : lines[parent + 1]?.up === parent ? parent + 1 : parent;
    const active = document.activeElement;
    if (!active || active === document.body || scroller.current?.contains(active)) wantFocus.current = true;
    setFocusKey(lines[next]?.key ?? '');
  }, [lines, focusKey]);
  const step = (from: number, dir: 1 | -1) => {
    for (let i = from + dir; i >= 0 && i < lines.length; i += dir) if (lines[i]!.kind !== 'empty') return i;
    return from;
  };
  function onTreeKey(e: KeyboardEvent<HTMLDivElement>) {
    const target = e.target as HTMLElement;
    if (target.getAttribute('role') !== 'treeitem') return;
    // The keys act from the focused row: in the render where its line was just replaced (a
    // "loading…" line by the recruits) the focus key lags one render behind, and a key pressed
    // then was lost.
    const at = lines[current] ? current : Number(target.dataset.index ?? -1);
    const l = lines[at];
    if (!l) return;
    lastKey.current = performance.now();
    const isNode = l.kind === 'node';
    const open = isNode && expanded.has(l.node.id);
    const hasKids = isNode && l.node.downlineSize > 0;
    switch (e.key) {
      case 'ArrowDown':
        moveTo(step(at, 1));
        break;
      case 'ArrowUp':
        moveTo(step(at, -1));
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(step(lines.length, -1));
        break;
      case 'ArrowRight':
        if (isNode && hasKids && !open) toggle(l.node.id);
        else if (isNode && open) moveTo(step(at, 1));
        break;
      case 'ArrowLeft':
        if (isNode && open && l.level > 0) toggle(l.node.id);
        else if (l.up >= 0) moveTo(l.up);
        break;
      case 'Enter':
        if (isNode) setMenuFor(l.node.id);
        else if (l.kind === 'more' && !l.loading) void loadPage(l.parent, (kids.get(l.parent)?.pages ?? 0) + 1);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  // The path to the branch in view: the focused item's ancestors, or those of the first row
  // scrolled to with the mouse. Kept above the rows, so it never scrolls away.
  const [topIdx, setTopIdx] = useState(0);
  const [anchor, setAnchor] = useState<'focus' | 'scroll'>('focus');
  const onScroll = () => {
    if (performance.now() - lastKey.current < 400) return;
    setTopIdx(Math.floor((scroller.current?.scrollTop ?? 0) / ROW_HEIGHT));
    setAnchor('scroll');
  };
  const pathOf = (i: number) => {
    const chain: Node[] = [];
    for (let k = lines[i]?.up ?? -1; k >= 0; k = lines[k]!.up) {
      const x = lines[k]!;
      if (x.kind === 'node') chain.unshift(x.node);
    }
    const self = lines[i];
    if (self?.kind === 'node') chain.push(self.node);
    return chain;
  };
  const branch = pathOf(anchor === 'focus' ? current : Math.min(topIdx, lines.length - 1));

  // The tree fills the window below its toolbar (at least 280 px), whatever the window's height.
  const [height, setHeight] = useState(480);
  useEffect(() => {
    const fit = () => {
      const top = scroller.current?.getBoundingClientRect().top;
      if (top === undefined) return;
      setHeight(Math.max(280, Math.round(window.innerHeight - (top + window.scrollY) - 56)));
    };
    fit();
    window.addEventListener('resize', fit);
    return () => window.removeEventListener('resize', fit);
  }, [view, head.data]);

  if (head.isLoading) return <Loading />;
  if (!root || !head.data)
    return (
      <Page title={t('genealogy.title')}>
        <ErrorBanner error={head.error} />
      </Page>
    );
  const period = head.data.period;

  return (
    <Page title={t('genealogy.title')} intro={t('genealogy.intro')}>
      <div className="gen-page">
        <Upline upline={head.data.upline} self={root} onPick={reroot} />
        <ErrorBanner error={head.error} />
        {notice && (
          <div className="banner ok" role="status">
            {notice}
          </div>
        )}
        <div className="card gen-root">
          <div className="profile-head">
            <div>
              <h2 style={{ display: 'flex', gap: 10, alignItems: 'center', flexWrap: 'wrap' }}>
                {fullName(root)} <span className="mono muted">{root.code}</span> <StatusBadge status={root.status} /> <RankBadge rank={root.paidAsRank} />
              </h2>
              <div className="muted small">
                {t('genealogy.nodeCount', { count: root.downlineSize })} · {t('genealogy.directRecruits', { count: head.data.directRecruits })} · PV{' '}
                <Points value={root.pv} /> · PVG <Points value={root.pvg} />
              </div>
            </div>
            <div className="page-actions">
              <Link className="button-link" to={`/members/${root.id}`}>
                {t('genealogy.profile')}
              </Link>
              <button type="button" onClick={() => setDialog({ kind: 'export', node: root })}>
                {t('genealogy.exportCsv')}
              </button>
              {role === 'admin' && head.data.upline.length > 0 && (
                <button type="button" onClick={() => setDialog({ kind: 'move', node: root })}>
                  {t('profile.correct')}
                </button>
              )}
            </div>
          </div>
        </div>
        <div className="gen-toolbar">
          <DownlineSearch rootId={root.id} onPick={reroot} />
          <label>
            {t('genealogy.period')}
            <select value={periodKey ?? period?.key ?? ''} onChange={(e) => setPeriodKey(e.target.value || undefined)}>
              {head.data.periods.map((p) => (
                <option key={p.id} value={p.key}>
                  {p.key} ({t(`periodStatus.${p.status}`)})
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('genealogy.sort')}
            <select value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
              <option value="enrolled">{t('genealogy.sortEnrolled')}</option>
              <option value="downline">{t('genealogy.sortDownline')}</option>
              <option value="pvg">{t('genealogy.sortPvg')}</option>
            </select>
          </label>
          <div className="grow" />
        </div>
        <Tabs.Root value={view} onValueChange={(v) => setView(v as typeof view)} className="gen-views">
          <Tabs.List className="tabs" aria-label={t('tree.view')}>
            <Tabs.Trigger value="tree">{t('genealogy.tree')}</Tabs.Trigger>
            <Tabs.Trigger value="levels">{t('genealogy.levels')}</Tabs.Trigger>
            <Tabs.Trigger value="legs">{t('tree.legsTab')}</Tabs.Trigger>
          </Tabs.List>
          <Tabs.Content value="levels">{view === 'levels' && <Levels memberId={root.id} periodKey={periodKey} />}</Tabs.Content>
          <Tabs.Content value="legs">{view === 'legs' && <Legs member={root} periodKey={periodKey} onPick={reroot} />}</Tabs.Content>
          <Tabs.Content value="tree">
            <div className="tree">
              <nav className="branch-path" aria-label={t('tree.path')}>
                <span className="muted">{t('tree.pathHere')}</span>
                {branch.map((n, i) => (
                  <span key={n.id}>
                    {i > 0 && (
                      <span className="sep" aria-hidden="true">
                        {' '}
                        ›{' '}
                      </span>
                    )}
                    <button
                      type="button"
                      className="link"
                      aria-current={i === branch.length - 1 ? 'location' : undefined}
                      onClick={() => moveTo(lines.findIndex((l) => l.key === `n-${n.id}`))}
                    >
                      {fullName(n)}
                    </button>
                  </span>
                ))}
              </nav>
              <div
                className="tree-scroll"
                ref={scroller}
                style={{ height }}
                onScroll={onScroll}
                data-ready={(kids.get(root.id)?.pages ?? 0) > 0 && !kids.get(root.id)?.loading && !head.isPlaceholderData ? 'genealogy' : undefined}
              >
                <div className="tree-head" aria-hidden="true">
                  <span>{t('members.name')}</span>
                  <span className="num">{t('tree.level')}</span>
                  <span>{t('genealogy.paidAsRank')}</span>
                  <span className="num">PV</span>
                  <span className="num">PVG</span>
                  <span>{t('tree.activity')}</span>
                  <span className="num">{t('genealogy.downline')}</span>
                  <span />
                </div>
                <div
                  role="tree"
                  aria-label={t('genealogy.tree')}
                  onKeyDown={onTreeKey}
                  onFocus={() => setAnchor('focus')}
                  style={{ height: virtual.getTotalSize(), position: 'relative' }}
                  className="tree-body"
                >
                  {items.map((it) => {
                    const l = lines[it.index]!;
                    const style = { position: 'absolute' as const, top: 0, left: 0, width: '100%', height: ROW_HEIGHT, transform: `translateY(${it.start}px)` };
                    const tab = it.index === current ? 0 : -1;
                    if (l.kind === 'node') {
                      return (
                        <TreeRow
                          key={l.key}
                          index={it.index}
                          tabIndex={tab}
                          style={style}
                          node={l.node}
                          level={l.level}
                          isRoot={l.level === 0}
                          open={expanded.has(l.node.id)}
                          onToggle={() => toggle(l.node.id)}
                          onFocusRow={() => setFocusKey(l.key)}
                          menuOpen={menuFor === l.node.id}
                          onMenu={(o) => setMenuFor(o ? l.node.id : null)}
                          onMenuClosed={() => {
                            wantFocus.current = true;
                            setFocusKey(l.key);
                          }}
                          actions={[
                            { label: t('tree.profile'), run: () => navigate(`/members/${l.node.id}`) },
                            ...(l.level > 0 ? [{ label: t('tree.rootHere'), run: () => reroot(l.node.id) }] : []),
                            {
                              label: t('tree.legs'),
                              run: () => {
                                if (l.level > 0) reroot(l.node.id);
                                setView('legs');
                              },
                            },
                            { label: t('genealogy.exportCsv'), run: () => setDialog({ kind: 'export', node: l.node }) },
                            ...(role === 'admin' && (l.level > 0 || head.data!.upline.length > 0)
                              ? [{ label: t('profile.correct'), run: () => setDialog({ kind: 'move', node: l.node }) }]
                              : []),
                          ]}
                          error={kids.get(l.node.id)?.error}
                        />
                      );
                    }
                    if (l.kind === 'empty')
                      return (
                        <div key={l.key} style={style} className="tree-row muted" role="none">
                          <span style={{ paddingLeft: indent(l.level) + 30 }}>{t('genealogy.noChildren')}</span>
                        </div>
                      );
                    return (
                      <div
                        key={l.key}
                        style={style}
                        className="tree-row more-row"
                        role="treeitem"
                        aria-level={l.level + 1}
                        tabIndex={tab}
                        data-index={it.index}
                        onFocus={() => setFocusKey(l.key)}
                      >
                        <span style={{ paddingLeft: indent(l.level) + 30 }}>
                          {l.loading ? (
                            t('genealogy.loadingChildren')
                          ) : (
                            <span className="link" onClick={() => void loadPage(l.parent, (kids.get(l.parent)?.pages ?? 0) + 1)}>
                              {t('genealogy.moreChildren', { loaded: l.loaded, total: l.total })}
                            </span>
                          )}
                        </span>
                      </div>
                    );
                  })}
                </div>
              </div>
              <p className="table-keys muted small">{t('keys.tree')}</p>
            </div>
          </Tabs.Content>
        </Tabs.Root>
        <p className="muted small">{t('tree.legend')}</p>
        {dialog?.kind === 'export' && <ExportDialog member={dialog.node} periodKey={periodKey ?? period?.key} onClose={() => setDialog(null)} />}
        {dialog?.kind === 'move' && <MoveDialog member={dialog.node} onClose={() => setDialog(null)} onDone={setNotice} />}
      </div>
    </Page>
  );
}

interface Action {
  label: string;
  run: () => void;
}

/**
 * One treeitem. Its name is its visible text (name, code, figures); the toggle and the buttons are
 * for the mouse and are not Tab stops: the keyboard uses → ← to open and close and Enter for the
 * actions menu (Radix DropdownMenu), which hands focus back to the row when it closes.
 */
function TreeRow({
  node,
  level,
  isRoot,
  open,
  onToggle,
  style,
  error,
  index,
  tabIndex,
  onFocusRow,
  menuOpen,
  onMenu,
  onMenuClosed,
  actions,
}: {
  node: Node;
  level: number;
  isRoot: boolean;
  open: boolean;
  onToggle: () => void;
  style: React.CSSProperties;
  error?: AppError;
  index: number;
  tabIndex: number;
  onFocusRow: () => void;
  menuOpen: boolean;
  onMenu: (open: boolean) => void;
  onMenuClosed: () => void;
  actions: Action[];
}) {
  const { t } = useTranslation();
  const name = fullName(node);
  const hasKids = node.downlineSize > 0;
  const activity = node.status === 'suspended' ? 'suspended' : node.active ? 'active' : 'inactive';
  const row = useRef<HTMLDivElement>(null);
  return (
    <div
      ref={row}
      style={style}
      className={`tree-row${isRoot ? ' root-row' : ''}`}
      role="treeitem"
      aria-level={level + 1}
      aria-expanded={hasKids ? open : undefined}
      aria-selected={tabIndex === 0}
      tabIndex={tabIndex}
      data-index={index}
      onFocus={(e) => {
        if (e.target === e.currentTarget) onFocusRow();
      }}
      onClick={onFocusRow}
    >
      <span className="who" style={{ paddingLeft: indent(level) }}>
        <span
          className={`toggle${hasKids ? '' : ' leaf'}`}
          aria-hidden="true"
          onClick={(e) => {
            e.stopPropagation();
            if (hasKids) onToggle();
          }}
        >
          {open ? '▾' : '▸'}
        </span>
        <span className="name" title={name}>
          {name}
        </span>
        <span className="code">{node.code}</span>
        {error && (
          <span className="badge danger" title={describeError(t, error)}>
            !
          </span>
        )}
      </span>
      <span className="num level-cell">{level}</span>
      <span>
        <RankBadge rank={node.paidAsRank} />
      </span>
      <span className="num">
        <Points value={node.pv} />
      </span>
      <span className="num">
        <Points value={node.pvg} />
      </span>
      <span>
        <span className={`badge ${activity === 'active' ? 'ok' : activity === 'suspended' ? 'danger' : 'warn'}`}>{t(`tree.${activity}`)}</span>
      </span>
      <span className="num">
        <Count n={node.downlineSize} />
      </span>
      <span className="acts">
        <Link to={`/members/${node.id}`} tabIndex={-1} className="button-link small-btn">
          {t('genealogy.profile')}
        </Link>
        {/* Not modal: a modal menu hides the whole app (aria-hidden on #root) while its rows stay
            focusable (axe aria-hidden-focus); the menu still takes focus, Escape hands it back to the row. */}
        <Menu.Root open={menuOpen} onOpenChange={onMenu} modal={false}>
          <Menu.Trigger asChild>
            <button type="button" tabIndex={-1} className="small-btn">
              {t('common.actions')} ▾
            </button>
          </Menu.Trigger>
          <Menu.Portal>
            <Menu.Content
              className="menu"
              align="end"
              collisionPadding={8}
              aria-label={t('tree.actionsFor', { name })}
              onCloseAutoFocus={(e) => {
                e.preventDefault();
                onMenuClosed();
                row.current?.focus({ preventScroll: true });
              }}
            >
              {actions.map((a) => (
                <Menu.Item key={a.label} className="menu-item" onSelect={a.run}>
                  {a.label}
                </Menu.Item>
              ))}
            </Menu.Content>
          </Menu.Portal>
        </Menu.Root>
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
  const rows = useMemo(() => (q ? (r.data?.rows ?? []) : []), [q, r.data]);
  useEffect(() => setActive(0), [r.data]);
  useEffect(() => {
    if (rows[active]) document.getElementById(`dl-${rows[active]!.id}`)?.scrollIntoView({ block: 'nearest' });
  }, [active, rows]);
  const pick = (id: number | undefined) => {
    if (id) {
      setText('');
      onPick(id);
    }
  };
  // Enter before the answer to the whole text arrived picks that answer's first member, not the
  // highlighted one of an earlier prefix.
  const enter = useEnterWhenAnswered(answersText(text, q, r), rows, (h) => pick(h.id));
  return (
    <div className="gen-search">
      <label>
        {t('genealogy.searchInside')}
        <input
          type="search"
          value={text}
          placeholder={t('genealogy.searchInsidePlaceholder')}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={!!q && open && rows.length > 0}
          aria-controls="downline-results"
          aria-activedescendant={open && rows[active] ? `dl-${rows[active]!.id}` : undefined}
          onChange={(e) => {
            setText(e.target.value);
            enter.cancel();
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((a) => Math.min(a + 1, rows.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => Math.max(a - 1, 0));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              if (text.trim()) enter.enter(rows[active]);
            } else if (e.key === 'Escape') {
              setText('');
              setOpen(false);
            }
          }}
        />
      </label>
      {q && open && (
        <div className="results">
          {rows.length === 0 && !r.isFetching && (
            <div className="muted" role="status" style={{ padding: 10 }}>
              {t('members.noResults', { q })}
            </div>
          )}
          <div role="listbox" id="downline-results" aria-label={t('genealogy.searchResults')}>
            {rows.map((h, i) => (
              <div
                key={h.id}
                id={`dl-${h.id}`}
                role="option"
                aria-selected={i === active}
                className={`opt${i === active ? ' active' : ''}`}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => pick(h.id)}
              >
                <span>
                  {fullName(h)} <span className="mono muted">{h.code}</span>
                </span>
                <span className="muted small">{t('genealogy.jumpTo')}</span>
              </div>
            ))}
          </div>
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
      <ScrollBox>
        <table className="data" aria-label={t('genealogy.levels')}>
          <thead>
            <tr>
              <th>{t('genealogy.level')}</th>
              <th className="num-cell">{t('genealogy.members')}</th>
              <th style={{ width: '30%' }} />
              <th className="num-cell">{t('genealogy.activeMembers')}</th>
              <th className="num-cell">PV</th>
            </tr>
          </thead>
          <tbody>
            {(d?.levels.length ?? 0) === 0 && (
              <tr>
                <td colSpan={5} className="empty">
                  {t('genealogy.noChildren')}
                </td>
              </tr>
            )}
            {d?.levels.map((l) => (
              <tr key={l.level}>
                <td>{l.level}</td>
                <td className="num-cell">
                  <Count n={l.members} />
                </td>
                <td>
                  <div className="level-bar" style={{ width: `${(l.members / max) * 100}%` }} />
                </td>
                <td className="num-cell">
                  <Count n={l.active} />
                </td>
                <td className="num-cell">
                  <Points value={l.pv} />
                </td>
              </tr>
            ))}
          </tbody>
          {d && d.levels.length > 0 && (
            <tfoot>
              <tr>
                <th>{t('genealogy.total')}</th>
                <th className="num-cell">
                  <Count n={d.totalMembers} />
                </th>
                <th />
                <th className="num-cell">
                  <Count n={d.totalActive} />
                </th>
                <th className="num-cell">
                  <Points value={d.totalPv} />
                </th>
              </tr>
            </tfoot>
          )}
        </table>
      </ScrollBox>
    </>
  );
}
