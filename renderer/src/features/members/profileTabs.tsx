import type { ReactNode } from 'react';
import type { OutputOf, Role } from '../../../../shared/contract';
import { WalletPanel } from '../wallet/WalletPanel';
import { CommissionLines } from '../commissions/CommissionLines';
import { AutoshipPanel } from '../autoship/AutoshipPanel';
import { PayoutDestinationsPanel } from './PayoutDestinations';

export type Profile = OutputOf<'members.get'>;

/** Extra tabs of the member profile, one entry per area (commissions, wallet, autoship). */
export interface ProfileTab {
  key: string;
  /** i18n key of the tab's label. */
  label: string;
  roles: Role[];
  render: (member: Profile) => ReactNode;
}

export const extraProfileTabs: ProfileTab[] = [
  { key: 'commissions', label: 'profile.tabs.commissions', roles: ['admin', 'finance', 'support'], render: (m) => <CommissionLines memberId={m.id} /> },
  { key: 'wallet', label: 'profile.tabs.wallet', roles: ['admin', 'finance', 'support'], render: (m) => <WalletPanel memberId={m.id} /> },
  {
    key: 'payoutAccounts',
    label: 'destinations.title',
    roles: ['admin', 'finance', 'support'],
    render: (m) => <PayoutDestinationsPanel memberId={m.id} memberCountry={m.country} />,
  },
  { key: 'autoship', label: 'autoship.tab', roles: ['admin', 'finance', 'support'], render: (m) => <AutoshipPanel memberId={m.id} /> },
];
