/** Plan economics procedures (shared/contract/economics.ts): payout ratio, income disclosure. */
import { reader } from '../../kernel/wrappers';
import type { CallContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { openPeriod, periodByKey } from '../periods/lookup';
import { payoutHistory, periodPayout } from './payout';
import { disclosureReport } from './disclosure';

async function payout(input: ParsedInputOf<'economics.payout'>, ctx: CallContext) {
  const period = input.periodKey ? await periodByKey(ctx.db, input.periodKey) : await openPeriod(ctx.db);
  if (input.periodKey && !period) throw new AppError('NOT_FOUND', `El periodo ${input.periodKey} no existe.`, { periodKey: input.periodKey });
  return period ? periodPayout(ctx.db, period) : null;
}

export const economicsHandlers = {
  'economics.payout': reader(payout),
  'economics.payoutHistory': reader((_: ParsedInputOf<'economics.payoutHistory'>, ctx: CallContext) => payoutHistory(ctx.db)),
  'reports.disclosure': reader((input: ParsedInputOf<'reports.disclosure'>, ctx: CallContext) => disclosureReport(ctx.db, input)),
};
