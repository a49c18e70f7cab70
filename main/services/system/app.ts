import { reader } from '../../kernel/wrappers';
import type { ParsedInputOf } from '../../../shared/contract';

export const systemHandlers = {
  'system.info': reader(async (_: ParsedInputOf<'system.info'>, ctx) => ({ version: ctx.config.version, database: ctx.config.database, transport: ctx.transport })),
};
