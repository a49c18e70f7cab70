import { z } from 'zod';
import { ALL_STAFF, Empty, mutation, query } from './define';
import { Instant } from '../money';
import { rule } from '../error-messages';

const StripeKeyView = z.object({
  configured: z.boolean(),
  /** Where the key in use comes from: the database (set in Settings) or this computer's environment. */
  source: z.enum(['database', 'environment']).nullable(),
  mode: z.enum(['test', 'live']).nullable(),
  last4: z.string().nullable(),
});
const StripeKeys = z.object({ transfer: StripeKeyView, restricted: StripeKeyView, updatedAt: Instant.nullable(), updatedBy: z.string().nullable() });
const TransferKey = z
  .string()
  .trim()
  .regex(/^(sk|rk)_(test|live)_[0-9A-Za-z_]{8,200}$/, rule('stripeSecretKey'));
const RestrictedKey = z
  .string()
  .trim()
  .regex(/^rk_(test|live)_[0-9A-Za-z_]{8,200}$/, rule('stripeRestrictedKey'));

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
  'system.stripeKeys': query({
    roles: ['admin'],
    summary:
      'The Stripe keys as a screen may know them: for each, whether it is set, where from (database or environment), its mode and last four characters. Never a key.',
    input: Empty,
    output: StripeKeys,
  }),
  'system.setStripeKeys': mutation({
    roles: ['admin'],
    summary:
      'Saves, replaces or removes (null) the transfer key and the restricted key in the database, each in a column only its groups can read; audited with the mode and last four characters only.',
    input: z
      .object({
        transferKey: TransferKey.nullable().optional(),
        restrictedKey: RestrictedKey.nullable().optional(),
        reason: z.string().trim().max(500).optional(),
      })
      .strict()
      .refine((x) => x.transferKey !== undefined || x.restrictedKey !== undefined, { message: rule('stripeKeyMissing'), path: ['transferKey'] }),
    output: StripeKeys,
  }),
};
