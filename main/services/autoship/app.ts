/**
 * Autoship procedures. Reads for every staff role; pause / resume / cancel / change day for support
 * and admin (the contract's roles, enforced by the router in main). Each action talks to Stripe
 * before its own audited transaction (./actions.ts explains the order and the compensation).
 */
import { reader } from '../../kernel/wrappers';
import type { ParsedInputOf } from '../../../shared/contract';
import { listAutoships, memberAutoships } from './queries';
import { actionHandler } from './actions';

export const autoshipHandlers = {
  'autoship.list': reader(listAutoships),
  'autoship.forMember': reader(memberAutoships),
  'autoship.pause': actionHandler<ParsedInputOf<'autoship.pause'>>('pause'),
  'autoship.resume': actionHandler<ParsedInputOf<'autoship.resume'>>('resume'),
  'autoship.cancel': actionHandler<ParsedInputOf<'autoship.cancel'>>('cancel'),
  'autoship.changeDay': actionHandler<ParsedInputOf<'autoship.changeDay'>>('change_day'),
};
