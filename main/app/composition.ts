/**
 * The composition root: what the application is made of, in one file a reader can open.
 * Each area declares its own typed handler map; this is the one place they meet. The transports
 * (main/ipc, main/http, main/electron) and the cli stand above and take it from here (through
 * main/app/index.ts); the services below never import it.
 */
import type { Handlers } from '../kernel/wrappers';
import { authHandlers } from '../services/auth/app';
import { staffHandlers } from '../services/staff/app';
import { auditHandlers } from '../services/audit/app';
import { systemHandlers } from '../services/system/app';
import { membersHandlers } from '../services/members/app';
import { genealogyHandlers } from '../services/genealogy/app';
import { ratesHandlers } from '../services/rates/app';
import { catalogueHandlers } from '../services/catalogue/app';
import { planEditorHandlers } from '../services/plan/editor';
import { walletHandlers } from '../services/wallet/app';
import { withdrawalsHandlers } from '../services/withdrawals/app';
import { periodsHandlers } from '../services/periods/app';
import { finishStep, ranksStep, volumesStep, type CloseSteps } from '../services/periods/close';
import { commissionsStep } from '../services/commissions/step';
import { dashboardHandlers } from '../services/dashboard/app';
import { planHandlers } from '../services/plan/app';
import { ordersHandlers } from '../services/orders/app';
import { paymentsHandlers } from '../services/payments/app';
import { commissionsHandlers } from '../services/commissions/app';
import { autoshipHandlers } from '../services/autoship/app';
import { economicsHandlers } from '../services/economics/app';

/**
 * The period close: these steps, in this order, in ONE transaction (main/services/periods/close.ts).
 * volumes: member_volumes recomputed and paid-as ranks; ranks: rank history and career ranks;
 * commissions: the commission run (its precheck refuses a close whose plan or rates cannot be used;
 * its prefetch reads ahead on the close's snapshot), lines and wallet postings; finish: closed.
 * The app, the bench (main/cli/bench), the engine-case runner and the tests all use this list.
 */
export const closeSteps: CloseSteps = [volumesStep, ranksStep, commissionsStep, finishStep];

/** Each area's typed handler map, met in one object; `close` defaults to the close above (tests pass their own). */
export function composeHandlers(close: CloseSteps = closeSteps): Handlers {
  return {
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
    ...periodsHandlers(close),
    ...dashboardHandlers,
    ...planHandlers,
    ...ordersHandlers,
    ...paymentsHandlers,
    ...commissionsHandlers,
    ...autoshipHandlers,
    ...economicsHandlers,
  };
}

export const handlers: Handlers = composeHandlers();
