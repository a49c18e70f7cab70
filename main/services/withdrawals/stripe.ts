/**
 * Stripe Connect payouts through the official SDK. Where the SDK talks to comes from settings
 * (environment): NNP_STRIPE_SECRET_KEY, NNP_STRIPE_API_HOST / _PORT / _PROTOCOL (tests and e2e
 * point it at the local stub of test/stripe-server.ts; nothing leaves the machine),
 * NNP_STRIPE_TIMEOUT_MS (default 20000) and NNP_STRIPE_MAX_RETRIES (default 2; the SDK retries
 * timeouts, 409 and 5xx with the SAME idempotency key).
 */
import Stripe from 'stripe';
import { Decimal } from '../../domain/money';

export interface StripeSettings {
  secretKey: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  timeoutMs: number;
  maxNetworkRetries: number;
}

/** Where the SDK talks to and how patiently: everything but the key. */
function connectionFromEnv(env: NodeJS.ProcessEnv): Omit<StripeSettings, 'secretKey'> {
  const protocol = env.NNP_STRIPE_API_PROTOCOL;
  return {
    host: env.NNP_STRIPE_API_HOST || undefined,
    port: env.NNP_STRIPE_API_PORT ? Number(env.NNP_STRIPE_API_PORT) : undefined,
    protocol: protocol === 'http' || protocol === 'https' ? protocol : undefined,
    timeoutMs: Number(env.NNP_STRIPE_TIMEOUT_MS ?? 20_000),
    maxNetworkRetries: Number(env.NNP_STRIPE_MAX_RETRIES ?? 2),
  };
}

/** The settings of `key` (kept in the database: main/services/system/stripe-keys.ts), connection from the environment. */
export function withKey(key: string, env: NodeJS.ProcessEnv = process.env): StripeSettings {
  return { secretKey: key, ...connectionFromEnv(env) };
}

export function stripeSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): StripeSettings | null {
  return env.NNP_STRIPE_SECRET_KEY ? withKey(env.NNP_STRIPE_SECRET_KEY, env) : null;
}

// Secrets per role (issue 16 item 5): which key a role uses, from the database first, is
// main/services/system/stripe-keys.ts; the environment's keys are its fallback.

const clients = new Map<string, Stripe>();

/** One SDK client per distinct settings (the settings can change between tests). */
export function stripeClient(s: StripeSettings): Stripe {
  const key = JSON.stringify(s);
  let c = clients.get(key);
  if (!c) {
    c = new Stripe(s.secretKey, {
      host: s.host,
      port: s.port,
      protocol: s.protocol,
      timeout: s.timeoutMs,
      maxNetworkRetries: s.maxNetworkRetries,
      telemetry: false,
      appInfo: { name: 'NNProtect Back Office' },
    });
    clients.set(key, c);
  }
  return c;
}

export interface TransferRequest {
  withdrawalId: number;
  memberId: number;
  idempotencyKey: string;
  destination: string;
  currency: string;
  /** Net amount, decimal string with 2 decimals. */
  net: string;
  /** An earlier attempt exists (its outcome unknown): look the transfer up at Stripe before creating one. */
  retry?: boolean;
}

export type TransferOutcome =
  | { outcome: 'paid'; transferId: string }
  /** Stripe answered no (4xx): nothing was transferred; the withdrawal fails and the hold is released. */
  | { outcome: 'declined'; code: string; message: string }
  /** No answer (timeout, connection), 5xx, rate limit, credentials: retry later with the same key. */
  | { outcome: 'unknown'; code: string; message: string };

/** Amount in the currency's minor unit (cents: every plan currency has 2 decimals). */
export function minorUnits(net: string): number {
  const cents = new Decimal(net).times(100);
  if (!cents.isInteger() || cents.lte(0) || !cents.lt(Number.MAX_SAFE_INTEGER)) throw new Error(`importe no transferible: ${net}`);
  return cents.toNumber();
}

/**
 * The transfer Stripe already holds for this withdrawal, if any. Stripe forgets an idempotency key
 * after about 24 hours, so a retry days later must not rely on the key alone: the transfer group
 * (one per withdrawal) and the metadata find a transfer created by any earlier attempt.
 */
export async function findTransfer(s: StripeSettings, withdrawalId: number): Promise<{ id: string } | null> {
  const group = `withdrawal-${withdrawalId}`;
  for await (const tr of stripeClient(s).transfers.list({ transfer_group: group, limit: 100 })) {
    if (tr.transfer_group === group && tr.metadata?.withdrawal_id === String(withdrawalId) && !tr.reversed) return { id: tr.id };
  }
  return null;
}

export async function createTransfer(s: StripeSettings, t: TransferRequest): Promise<TransferOutcome> {
  try {
    if (t.retry) {
      const existing = await findTransfer(s, t.withdrawalId);
      if (existing) return { outcome: 'paid', transferId: existing.id };
    }
    const tr = await stripeClient(s).transfers.create(
      {
        amount: minorUnits(t.net),
        currency: t.currency.toLowerCase(),
        destination: t.destination,
        transfer_group: `withdrawal-${t.withdrawalId}`,
        description: `Retiro ${t.withdrawalId} NNProtect`,
        metadata: { withdrawal_id: String(t.withdrawalId), member_id: String(t.memberId) },
      },
      { idempotencyKey: t.idempotencyKey },
    );
    return { outcome: 'paid', transferId: tr.id };
  } catch (e) {
    return classify(e);
  }
}

export function classify(e: unknown): TransferOutcome {
  const err = e as { type?: string; code?: string; message?: string; statusCode?: number; raw?: { message?: string } };
  const message = err?.raw?.message ?? err?.message ?? String(e);
  switch (err?.type) {
    case 'StripeInvalidRequestError':
    case 'StripeCardError':
    case 'StripePermissionError':
      return { outcome: 'declined', code: err.code ?? err.type, message };
    case 'StripeAuthenticationError':
      return { outcome: 'unknown', code: 'authentication', message: `Stripe rechazó las credenciales: ${message}` };
    case 'StripeIdempotencyError':
      return { outcome: 'unknown', code: 'idempotency', message };
    case 'StripeRateLimitError':
      return { outcome: 'unknown', code: 'rate_limit', message };
    case 'StripeConnectionError':
      return { outcome: 'unknown', code: 'connection', message };
    case 'StripeAPIError':
      return { outcome: 'unknown', code: `api_${err.statusCode ?? 'error'}`, message };
    default:
      return { outcome: 'unknown', code: 'error', message };
  }
}
