/**
 * Secrets per role (issue 16 item 5): the Stripe keys live in the database, in columns only the
 * groups that use them can read (drizzle/0072): the transfer key (creates payouts, reads payments:
 * `sk_…`, or an `rk_…` with those rights) by admin and finance — and the owner, for the engine's
 * payment sync and the webhook receiver —, the restricted key (`rk_…`, Subscriptions only:
 * autoship actions) by every group. A support desktop therefore never receives the transfer key,
 * whatever is configured: PostgreSQL refuses it the column. An admin sets them in Settings; the
 * screens only ever see whether each is set, its mode and last four characters.
 *
 * A key not in the database falls back to the process's environment (NNP_STRIPE_SECRET_KEY,
 * NNP_STRIPE_RESTRICTED_KEY): the one-machine default and the tests' local Stripe stand-in.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import type { Role } from '../../../shared/contract';
import { stripeSettingsFromEnv, withKey, type StripeSettings } from '../withdrawals/stripe';

type Row = { transfer_key?: string | null; restricted_key: string | null };

/** The keys this caller's login may read (support: the restricted key only). */
async function keysFor(db: DbOrTx, role: Role | null): Promise<Row> {
  const rows =
    role === 'support'
      ? await db.execute<Row>(sql`select restricted_key from stripe_keys`)
      : await db.execute<Row>(sql`select transfer_key, restricted_key from stripe_keys`);
  return rows[0] ?? { transfer_key: null, restricted_key: null };
}

/** The transfer key's settings (payouts, payment sync; admin, finance, the owner), or null. */
export async function transferStripeSettings(db: DbOrTx, role: Role | null = null, env: NodeJS.ProcessEnv = process.env): Promise<StripeSettings | null> {
  if (role === 'support') return null;
  return transferOf(await keysFor(db, role), env);
}

/** The transfer key of a row read, else the environment's. */
const transferOf = (k: Row, env: NodeJS.ProcessEnv) => (k.transfer_key ? withKey(k.transfer_key, env) : stripeSettingsFromEnv(env));

/**
 * The settings of an autoship action by `role`: the restricted key first; admin and finance fall
 * back to the transfer key; support never does (it could not read it anyway).
 */
export async function autoshipStripeSettingsFor(db: DbOrTx, role: Role | null, env: NodeJS.ProcessEnv = process.env): Promise<StripeSettings | null> {
  const k = await keysFor(db, role);
  const restricted = k.restricted_key ?? env.NNP_STRIPE_RESTRICTED_KEY;
  if (restricted) return withKey(restricted, env);
  if (role === 'support') return null;
  return transferOf(k, env);
}

/** A key as the audit keeps it: prefix and last four (sk_test_…1234). */
export function maskedKey(key: string | null): string | null {
  if (!key) return null;
  return `${/^[a-z]+_(test|live)_/.exec(key)?.[0] ?? ''}…${key.slice(-4)}`;
}

/** What a screen may know of a key: never the key. */
export function keyView(key: string | null, fromEnv: string | undefined) {
  const k = key ?? (fromEnv || null);
  if (!k) return { configured: false, source: null, mode: null, last4: null };
  return {
    configured: true,
    source: key ? ('database' as const) : ('environment' as const),
    mode: /_live_/.test(k) ? ('live' as const) : ('test' as const),
    last4: k.slice(-4),
  };
}
