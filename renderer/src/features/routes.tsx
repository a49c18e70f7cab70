import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../stores/session';
import type { Role } from '../../../shared/contract';
import { StaffScreen } from './staff/StaffScreen';
import { AuditScreen } from './audit/AuditScreen';
import { SettingsScreen } from './settings/SettingsScreen';
import { MembersScreen } from './members/MembersScreen';
import { MemberProfileScreen } from './members/MemberProfileScreen';
import { GenealogyScreen } from './genealogy/GenealogyScreen';
import { DashboardScreen } from './dashboard/DashboardScreen';
import { PeriodsScreen } from './periods/PeriodsScreen';
import { WithdrawalsScreen } from './withdrawals/WithdrawalsScreen';
import { PaymentsScreen } from './payments/PaymentsScreen';
import { CommissionsScreen } from './commissions/CommissionsScreen';
import { AutoshipScreen } from './autoship/AutoshipScreen';
import { DisclosureScreen } from './economics/DisclosureScreen';

export interface Area {
  path: string;
  label: string;
  icon: string;
  /** Who sees it in the menu; the main process enforces the same roles on every procedure. */
  roles: Role[];
  element: ReactNode;
  /** Extra routes of the area (e.g. a member's profile). */
  children?: { path: string; element: ReactNode }[];
}

const ALL: Role[] = ['admin', 'finance', 'support'];

/** The navigation of the app, in menu order. Each area adds its screens here. */
export const areas: Area[] = [
  { path: 'dashboard', label: 'nav.dashboard', icon: '▦', roles: ALL, element: <DashboardScreen /> },
  {
    path: 'members',
    label: 'nav.members',
    icon: '☺',
    roles: ALL,
    element: <MembersScreen />,
    children: [{ path: 'members/:id', element: <MemberProfileScreen /> }],
  },
  {
    path: 'genealogy',
    label: 'nav.genealogy',
    icon: '⌥',
    roles: ALL,
    element: <GenealogyScreen />,
    children: [{ path: 'genealogy/:id', element: <GenealogyScreen /> }],
  },
  { path: 'autoship', label: 'autoship.nav', icon: '↻', roles: ALL, element: <AutoshipScreen /> },
  { path: 'payments', label: 'nav.payments', icon: '$', roles: ['admin', 'finance'], element: <PaymentsScreen /> },
  { path: 'withdrawals', label: 'nav.withdrawals', icon: '⇄', roles: ['admin', 'finance'], element: <WithdrawalsScreen /> },
  { path: 'periods', label: 'nav.periods', icon: '◷', roles: ['admin', 'finance'], element: <PeriodsScreen /> },
  { path: 'commissions', label: 'nav.commissions', icon: '%', roles: ALL, element: <CommissionsScreen /> },
  { path: 'disclosure', label: 'economics.disclosure.nav', icon: '≡', roles: ['admin', 'finance'], element: <DisclosureScreen /> },
  // Finance: the compensation plan only (read-only, with the drafts' trials); SettingsScreen shows it that tab.
  { path: 'settings', label: 'nav.settings', icon: '⚙', roles: ['admin', 'finance'], element: <SettingsScreen /> },
  { path: 'staff', label: 'nav.staff', icon: '☰', roles: ['admin'], element: <StaffScreen /> },
  { path: 'audit', label: 'nav.audit', icon: '✎', roles: ['admin'], element: <AuditScreen /> },
];

/** A screen only for `roles`: anyone else (e.g. support opening /staff by URL) sees a plain no-permission page. */
export function RoleGate({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { t } = useTranslation();
  const role = useSession((s) => s.staff?.role);
  if (role && roles.includes(role)) return <>{children}</>;
  return (
    <section className="page no-permission" data-testid="no-permission">
      <h1>{t('noPermission.title')}</h1>
      <p>{t('noPermission.body', { role: role ? t(`role.${role}`) : '' })}</p>
      <p>
        <Link to="/dashboard">{t('noPermission.back')}</Link>
      </p>
    </section>
  );
}
