import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { useProcedure } from '../../api/hooks';
import type { OutputOf } from '../../../../shared/contract';
import { SEARCH_CAP } from '../../../../shared/contract/members';
import { ErrorBanner, Loading, Page, Pager, ScrollBox } from '../common/ui';
import { Count, RankBadge, StatusBadge, answersText, fullName, useDebounced, useEnterWhenAnswered } from './parts';
import './members.css';

type Hit = OutputOf<'members.search'>['rows'][number];
const PAGE_SIZE = 20;

/** Member lookup: one box, ranked results, keyboard-navigable (↑ ↓ Intro), paged. */
export function MembersScreen() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('q') ?? '');
  const [page, setPage] = useState(Number(params.get('page') ?? 1) || 1);
  const [active, setActive] = useState(0);
  // Short: a person waits for results from their last key (ui.search budget 150 ms at 1M; 80 ms gave
  // p95 159–256 ms). Most people type slower than one key per 50 ms, so a longer wait would not save
  // queries, only time; a burst faster than that still sends one. The search answers in ~7–20 ms.
  const q = useDebounced(text.trim(), 50);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setParams(q ? { q, ...(page > 1 ? { page: String(page) } : {}) } : {}, { replace: true });
  }, [q, page, setParams]);
  useEffect(() => {
    input.current?.focus();
  }, []);

  const search = useProcedure('members.search', { q, page, pageSize: PAGE_SIZE }, { enabled: q.length > 0 });
  const rows = useMemo(() => (q ? (search.data?.rows ?? []) : []), [q, search.data]);
  // Enter while the rows still answer an earlier prefix opens the first member of the answer to
  // what was typed, when it arrives.
  const enter = useEnterWhenAnswered(answersText(text, q, search), rows, (h) => navigate(`/members/${h.id}`));
  useEffect(() => {
    setActive(0);
  }, [search.data]);
  // The highlighted result stays in view as the arrows move it (the window may show only a few rows).
  useEffect(() => {
    if (rows[active]) document.getElementById(`hit-${rows[active]!.id}`)?.scrollIntoView({ block: 'nearest' });
  }, [active, rows]);

  const open = (h: Hit | undefined) => {
    if (h) navigate(`/members/${h.id}`);
  };
  function onKey(e: KeyboardEvent) {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => Math.min(a + 1, rows.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (text.trim()) enter.enter(rows[active]);
    } else if (e.key === 'PageDown' && search.data && page * PAGE_SIZE < search.data.total) {
      e.preventDefault();
      setPage(page + 1);
    } else if (e.key === 'PageUp' && page > 1) {
      e.preventDefault();
      setPage(page - 1);
    }
  }

  return (
    <Page title={t('members.title')} intro={t('members.intro')}>
      <div className="card member-search">
        <label htmlFor="member-q">{t('members.searchLabel')}</label>
        <input
          id="member-q"
          ref={input}
          type="search"
          className="big-search"
          value={text}
          autoComplete="off"
          spellCheck={false}
          placeholder={t('members.searchPlaceholder')}
          onKeyDown={onKey}
          onChange={(e) => {
            setText(e.target.value);
            enter.cancel();
            setPage(1);
          }}
          role="combobox"
          aria-expanded={rows.length > 0}
          aria-controls="member-results"
          aria-activedescendant={rows[active] ? `hit-${rows[active]!.id}` : undefined}
        />
        <small className="muted">{t('members.keyboardHint')}</small>
      </div>
      <ErrorBanner error={search.error} />
      {!q ? (
        <div className="card muted">{t('members.typeToSearch')}</div>
      ) : search.isLoading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <div className="card muted" role="status">
          {t('members.noResults', { q })}
        </div>
      ) : (
        <>
          {search.data?.capped && (
            <div className="banner warn" role="status">
              {t('members.capped', { count: SEARCH_CAP })}
            </div>
          )}
          {/* A combobox's listbox of options (ARIA 1.2): the arrows move the highlight, the pointer
                never does (clicking opens); the column heads are drawn for the eye only. */}
          <ScrollBox className="hits" data-ready={search.isPlaceholderData || search.isFetching ? undefined : 'search'} data-query={q}>
            <div className="hit-row hit-head" aria-hidden="true">
              <span>{t('members.code')}</span>
              <span>{t('members.name')}</span>
              <span>{t('members.email')}</span>
              <span>{t('members.phone')}</span>
              <span>{t('members.country')}</span>
              <span>{t('members.status')}</span>
              <span>{t('members.careerRank')}</span>
              <span className="num-cell">{t('members.downline')}</span>
              <span>{t('members.matched')}</span>
            </div>
            <div id="member-results" role="listbox" aria-label={t('members.results', { count: search.data?.total ?? 0 })}>
              {rows.map((h, i) => (
                <div
                  key={h.id}
                  id={`hit-${h.id}`}
                  role="option"
                  aria-selected={i === active}
                  className={`hit-row clickable${i === active ? ' active' : ''}`}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => open(h)}
                >
                  <span className="mono">{h.code}</span>
                  <span>
                    <strong>{fullName(h)}</strong>
                  </span>
                  <span className="wrap-any">{h.email ?? '—'}</span>
                  <span className="nowrap">{h.phone ?? '—'}</span>
                  <span>{h.country}</span>
                  <span>
                    <StatusBadge status={h.status} />
                  </span>
                  <span>
                    <RankBadge rank={h.careerRank} />
                  </span>
                  <span className="num-cell">
                    <Count n={h.downlineSize} />
                  </span>
                  <span>
                    <span className="badge">{t(`members.matchedBy.${h.matchedBy}`)}</span>
                  </span>
                </div>
              ))}
            </div>
          </ScrollBox>
          <Pager page={page} pageSize={PAGE_SIZE} total={search.data?.total ?? 0} onPage={setPage} />
        </>
      )}
    </Page>
  );
}
