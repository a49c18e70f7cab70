import { reader } from '../../kernel/wrappers';
import { autoshipStripeSettings, stripeSettingsFromEnv } from '../withdrawals/stripe';
import type { ParsedInputOf } from '../../../shared/contract';

export const systemHandlers = {
  'system.info': reader(async (_: ParsedInputOf<'system.info'>, ctx) => ({
    version: ctx.config.version,
    database: ctx.config.database,
    transport: ctx.transport,
  })),
  // Read per call: the settings come from the environment, which tests change between cases.
  // Support's only Stripe use is autoship actions, on the restricted key (issue 16 item 5).
  'system.capabilities': reader(async (_: ParsedInputOf<'system.capabilities'>, ctx) => ({
    stripe: ctx.staff?.role === 'support' ? autoshipStripeSettings('support') != null : stripeSettingsFromEnv() != null,
  })),
};
