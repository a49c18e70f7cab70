import { NavLink, Outlet } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../stores/session';
import { call } from '../../api/client';
import { LanguageSwitch } from './LanguageSwitch';
import { areas } from '../routes';

export function Layout() {
  const { t } = useTranslation();
  const { staff, signOut } = useSession();
  const qc = useQueryClient();
  if (!staff) return null;
  const visible = areas.filter((a) => a.roles.includes(staff.role));
  async function logout() {
    try { await call('auth.logout', {}); } catch { /* the session may already be gone */ }
    qc.clear();
    signOut();
  }
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand"><span className="logo">NN</span><div><strong>{t('app.name')}</strong><small>{t('app.subtitle')}</small></div></div>
        <nav aria-label="principal">
          {visible.map((a) => (
            <NavLink key={a.path} to={`/${a.path}`} className={({ isActive }) => (isActive ? 'active' : '')}>
              <span className="nav-icon" aria-hidden="true">{a.icon}</span>{t(a.label)}
            </NavLink>
          ))}
        </nav>
        <div className="sidebar-foot">
          <div className="who"><strong>{staff.displayName}</strong><small>{staff.username} · {t(`role.${staff.role}`)}</small></div>
          <LanguageSwitch />
          <button type="button" onClick={logout}>{t('common.logout')}</button>
        </div>
      </aside>
      <main className="content"><Outlet /></main>
    </div>
  );
}
