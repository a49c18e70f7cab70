import { reader } from '../../kernel/wrappers';
import { stripeSettingsFromEnv } from '../withdrawals/stripe';
import type { ParsedInputOf } from '../../../shared/contract';

export const systemHandlers = {
  'system.info': reader(async (_: ParsedInputOf<'system.info'>, ctx) => ({ version: ctx.config.version, database: ctx.config.database, transport: ctx.transport })),
  // Read per call: the settings come from the environment, which tests change between cases.
  'system.capabilities': reader(async (_: ParsedInputOf<'system.capabilities'>) => ({ stripe: stripeSettingsFromEnv() != null })),
};
