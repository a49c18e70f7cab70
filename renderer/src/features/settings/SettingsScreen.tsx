import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Page } from '../common/ui';
import { RatesPanel } from './RatesPanel';
import { CataloguePanel } from './CataloguePanel';
import { PlanPanel } from './PlanPanel';
import { MoneyControlsPanel } from './MoneyControlsPanel';

type Tab = 'rates' | 'catalogue' | 'plan' | 'moneyControls';

export function SettingsScreen() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<Tab>('rates');
  return (
    <Page title={t('settings.title')} intro={t('settings.intro')}>
      <div className="tabs" role="tablist">
        {(['rates', 'catalogue', 'plan', 'moneyControls'] as Tab[]).map((k) => (
          <button key={k} role="tab" aria-selected={tab === k} className={tab === k ? 'active' : ''} onClick={() => setTab(k)}>{t(`settings.tabs.${k}`)}</button>
        ))}
      </div>
      {tab === 'rates' && <RatesPanel />}
      {tab === 'catalogue' && <CataloguePanel />}
      {tab === 'plan' && <PlanPanel />}
      {tab === 'moneyControls' && <MoneyControlsPanel />}
    </Page>
  );
}
