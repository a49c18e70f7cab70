import { z } from 'zod';
import { ALL_STAFF, Empty, query } from './define';

export const systemContract = {
  'system.info': query({
    roles: ALL_STAFF,
    summary: 'Version and database mode, for the status bar and support.',
    input: Empty,
    output: z.object({ version: z.string(), database: z.enum(['embedded', 'external']), transport: z.enum(['electron', 'http']) }),
  }),
  'system.capabilities': query({
    roles: ALL_STAFF,
    summary:
      'What this installation can do, so screens disable what cannot work: stripe = the Stripe key this role uses is configured (admin/finance: the secret key for payouts, autoship actions, payment sync; support: the restricted key NNP_STRIPE_RESTRICTED_KEY for autoship actions).',
    input: Empty,
    output: z.object({ stripe: z.boolean() }),
  }),
};
