/**
 * The composition root: what the application is made of, in one file a reader can open.
 * Each area declares its own typed handler map; this is the one place they meet. The transports
 * (main/ipc, main/http, main/electron) and the cli stand above and take it from here (through
 * main/app.ts); the services below never import it.
 */
import type { Handlers } from './kernel/wrappers';
import { authHandlers } from './services/auth/app';
import { staffHandlers } from './services/staff/app';
import { auditHandlers } from './services/audit/app';
import { systemHandlers } from './services/system/app';
import { membersHandlers } from './services/members/app';
import { genealogyHandlers } from './services/genealogy/app';
import { ratesHandlers } from './services/rates/app';
import { catalogueHandlers } from './services/catalogue/app';
import { planEditorHandlers } from './services/plan/editor';
import { walletHandlers } from './services/wallet/app';
import { withdrawalsHandlers } from './services/withdrawals/app';
import { periodsHandlers } from './services/periods/app';
import { dashboardHandlers } from './services/dashboard/app';
import { planHandlers } from './services/plan/app';
import { ordersHandlers } from './services/orders/app';
// The commission run plugs itself into every period close (issue 6).
import './services/commissions';
import { paymentsHandlers } from './services/payments/app';
import { commissionsHandlers } from './services/commissions/app';
import { autoshipHandlers } from './services/autoship/app';

export const handlers: Handlers = {
  ...authHandlers,
  ...staffHandlers,
  ...auditHandlers,
  ...systemHandlers,
  ...membersHandlers,
  ...genealogyHandlers,
  ...ratesHandlers,
  ...catalogueHandlers,
  ...planEditorHandlers,
  ...walletHandlers,
  ...withdrawalsHandlers,
  ...periodsHandlers,
  ...dashboardHandlers,
  ...planHandlers,
  ...ordersHandlers,
  ...paymentsHandlers,
  ...commissionsHandlers,
  ...autoshipHandlers,
};
