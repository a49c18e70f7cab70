import { reader } from '../../kernel/wrappers';
import type { CallContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import { walletEntries, walletSummary } from '../ledger/history';

async function summary(input: ParsedInputOf<'wallet.summary'>, ctx: CallContext) {
  return walletSummary(ctx.db, input.memberId);
}

async function entries(input: ParsedInputOf<'wallet.entries'>, ctx: CallContext) {
  return walletEntries(ctx.db, input.memberId, input.page, input.pageSize, input.kind);
}

export const walletHandlers = {
  'wallet.summary': reader(summary),
  'wallet.entries': reader(entries),
};
