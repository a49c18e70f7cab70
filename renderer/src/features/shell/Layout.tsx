import { useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { useLiveChanges } from '../../api/live';
import { useSession } from '../../stores/session';
import { usePreferences } from '../../stores/preferences';
import { call } from '../../api/client';
import { LanguageSwitch } from './LanguageSwitch';
import { CommandPalette } from './CommandPalette';
import { areas } from '../routes';

/** Below this width (1280 px at 200 % zoom is 640) the menu starts folded to its icons. */
const NARROW = '(max-width: 1000px)';

function useMedia(query: string) {
  const [on, setOn] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const m = window.matchMedia(query);
    const f = () => setOn(m.matches);
    m.addEventListener('change', f);
    return () => m.removeEventListener('change', f);
  }, [query]);
  return on;
}

/**
 * After each route change focus goes to the new screen's heading (once it is drawn), so a keyboard
 * or screen-reader user starts on the screen they asked for, not on the menu. A screen that puts
 * focus somewhere inside itself first (the member search box) keeps it.
 */
function useFocusHeadingOnRouteChange() {
  const { pathname } = useLocation();
  const prev = useRef<string | null>(null);
  useEffect(() => {
    // On the first screen after sign-in (and the redirect from "/" to it) the document starts at
    // the top: Tab reaches the skip link first.
    const from = prev.current;
    prev.current = pathname;
    if (from === null || from === '/') return;
    let frame = 0;
    // Runs every frame until the person does something (a key, a click) or for at most 15 s: the
    // new screen may render after a lazy load and a slow first fetch, the old screen's heading may
    // be the one found first and then unmount, and a closing dialog (the command palette that
    // navigated) hands focus back on its own, to an element of the old screen or to <main>. Whenever
    // focus has fallen to the body or <main> meanwhile, it goes to the heading on screen. Focus the
    // screen itself put somewhere inside the page (the member search box) is left where it is.
    const until = performance.now() + 15_000;
    let acted = false;
    const onAct = () => {
      acted = true;
    };
    window.addEventListener('keydown', onAct, true);
    window.addEventListener('pointerdown', onAct, true);
    let placed: HTMLElement | null = null;
    const tick = () => {
      if (acted || performance.now() > until) return;
      if (!document.querySelector('[role="dialog"]')) {
        const main = document.querySelector('main');
        const active = document.activeElement;
        // Focus on <main> itself (a closing dialog's fallback) is as good as lost: not a place anyone chose.
        const lost = !active || active === document.body || active === main || !active.isConnected;
        const inPage = !!main && !!active && active !== main && main.contains(active);
        // Before the heading was placed, focus inside the page on anything but a heading is the screen's choice.
        const chosen = placed ? !lost && active !== placed && inPage : inPage && active?.tagName !== 'H1';
        if (!chosen && (lost || !placed)) {
          const h1 = main?.querySelector<HTMLElement>('h1');
          if (h1 && active !== h1) {
            h1.tabIndex = -1;
            h1.focus({ preventScroll: false });
            placed = h1;
          }
        }
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('keydown', onAct, true);
      window.removeEventListener('pointerdown', onAct, true);
    };
  }, [pathname]);
}

export function Layout() {
  const { t } = useTranslation();
  const { staff, signOut } = useSession();
  const narrow = useMedia(NARROW);
  const { sidebar, setSidebar } = usePreferences();
  const qc = useQueryClient();
  useFocusHeadingOnRouteChange();
  useLiveChanges();
  if (!staff) return null;
  const collapsed = sidebar === 'auto' ? narrow : sidebar === 'collapsed';
  const visible = areas.filter((a) => a.roles.includes(staff.role));
  async function logout() {
    try {
      await call('auth.logout', {});
    } catch {
      /* the session may already be gone */
    }
    qc.clear();
    signOut();
  }
  return (
    <div className={`shell${collapsed ? ' collapsed' : ''}`}>
      <a
        className="skip-link"
        href="#content"
        onClick={(e) => {
          e.preventDefault();
          const m = document.getElementById('content');
          (m?.querySelector<HTMLElement>('h1') ?? m)?.focus();
        }}
      >
        {t('shell.skip')}
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            NN
          </span>
          <div>
            <strong>{t('app.name')}</strong>
            <small>{t('app.subtitle')}</small>
          </div>
        </div>
        <button
          type="button"
          className="sidebar-toggle"
          aria-expanded={!collapsed}
          aria-controls="main-menu"
          onClick={() => setSidebar(collapsed ? 'open' : 'collapsed')}
          title={collapsed ? t('shell.expandMenu') : t('shell.collapseMenu')}
        >
          <span aria-hidden="true">{collapsed ? '»' : '«'}</span>
          <span className="nav-label">{collapsed ? t('shell.expandMenu') : t('shell.collapseMenu')}</span>
        </button>
        <nav id="main-menu" aria-label={t('shell.menu')}>
          {visible.map((a) => (
            <NavLink key={a.path} to={`/${a.path}`} className={({ isActive }) => (isActive ? 'active' : '')} title={collapsed ? t(a.label) : undefined}>
              <span className="nav-icon" aria-hidden="true">
                {a.icon}
              </span>
              <span className="nav-label">{t(a.label)}</span>
            </NavLink>
          ))}
        </nav>
        <div className="sidebar-foot">
          <button type="button" className="palette-hint" onClick={() => window.dispatchEvent(new Event('nnp:palette'))} title={t('palette.title')}>
            <span aria-hidden="true">⌕</span>
            <span className="nav-label">
              {t('palette.open')} <kbd>{/Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl'}+K</kbd>
            </span>
          </button>
          <div className="who">
            <strong>{staff.displayName}</strong>
            <small>
              {staff.username} · {t(`role.${staff.role}`)}
            </small>
          </div>
          <LanguageSwitch />
          <button type="button" className="logout" onClick={logout}>
            {t('common.logout')}
          </button>
        </div>
      </aside>
      <main className="content" id="content" tabIndex={-1}>
        <Outlet />
      </main>
      <CommandPalette />
    </div>
  );
}
