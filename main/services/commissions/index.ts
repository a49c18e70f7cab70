/** Commissions: public API for other areas (payments, periods). See docs/engine.md. */
export { postInstantCommissions, reverseOrderCommissions, type ReverseResult, type InstantOrder } from './instant';
export { commissionsStep, registerCommissionsStep, checkCommissionInputs } from './step';
import { registerCommissionsStep } from './step';

// The commission run is part of every period close of this process.
registerCommissionsStep();
