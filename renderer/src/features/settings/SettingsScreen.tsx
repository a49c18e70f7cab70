import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Page } from '../common/ui';
import { RatesPanel } from './RatesPanel';
import { CataloguePanel } from './CataloguePanel';
import { PlanPanel } from './PlanPanel';
import { MoneyControlsPanel } from './MoneyControlsPanel';
import { StripeKeysPanel } from './StripeKeysPanel';
import { useSession } from '../../stores/session';

type Tab = 'rates' | 'catalogue' | 'plan' | 'moneyControls' | 'stripe';

export function SettingsScreen() {
  const { t } = useTranslation();
  const isAdmin = useSession((s) => s.staff?.role) === 'admin';
  // Finance reads the compensation plan and its drafts' trials; the other tabs are an admin's.
  const tabs: Tab[] = isAdmin ? ['rates', 'catalogue', 'plan', 'moneyControls', 'stripe'] : ['plan'];
  const [chosen, setTab] = useState<Tab>('rates');
  const tab = tabs.includes(chosen) ? chosen : tabs[0]!;
  return (
    <Page title={t('settings.title')} intro={t('settings.intro')}>
      <div className="tabs" role="tablist">
        {tabs.map((k) => (
          <button key={k} role="tab" aria-selected={tab === k} className={tab === k ? 'active' : ''} onClick={() => setTab(k)}>
            {t(`settings.tabs.${k}`)}
          </button>
        ))}
      </div>
      {tab === 'rates' && <RatesPanel />}
      {tab === 'catalogue' && <CataloguePanel />}
      {tab === 'plan' && <PlanPanel />}
      {tab === 'moneyControls' && <MoneyControlsPanel />}
      {tab === 'stripe' && <StripeKeysPanel />}
    </Page>
  );
}
