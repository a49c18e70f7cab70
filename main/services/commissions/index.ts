/** Commissions: public API for other areas (payments, periods). See docs/engine.md. */
export { postInstantCommissions, reverseOrderCommissions, type ReverseResult, type InstantOrder } from './instant';
export { commissionsStep, checkCommissionInputs } from './step';
