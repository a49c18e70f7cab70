/**
 * The autoship's Stripe side, through the official SDK (the shared client of
 * ../withdrawals/stripe.ts; tests and e2e point it at the local stub). Every write carries an
 * idempotency key made of (subscription, action, request id): a retry of the same request —
 * a double click, a timeout, the SDK's own retries — is answered by Stripe with the first result
 * and never acts twice.
 */
import type Stripe from 'stripe';
import { AppError } from '../../../shared/errors';
import { stripeClient, type StripeSettings } from '../withdrawals/stripe';
import type { AutoshipStatus } from '../../../shared/contract/autoship';
import { chargeDayOf } from './schedule';

export type AutoshipAction = 'pause' | 'resume' | 'cancel' | 'change_day';

export const idempotencyKey = (stripeSubscriptionId: string, action: AutoshipAction, requestId: string) =>
  `autoship:${stripeSubscriptionId}:${action}:${requestId}`;

/** What we keep of a Stripe Subscription object (any API version: the period is on the items since 2025). */
export interface SubscriptionState {
  status: AutoshipStatus;
  nextChargeAt: Date | null;
  chargeDay: number | null;
  canceledAt: Date | null;
  paused: boolean;
}

type SubLike = Partial<Stripe.Subscription> & { current_period_end?: number; items?: { data?: { current_period_end?: number }[] } };

const at = (s: number | null | undefined) => (typeof s === 'number' && Number.isFinite(s) ? new Date(s * 1000) : null);

export function readSubscription(raw: unknown): SubscriptionState {
  const s = raw as SubLike;
  const periodEnd = at(s.items?.data?.[0]?.current_period_end ?? s.current_period_end ?? null);
  const paused = s.pause_collection != null;
  let status: AutoshipStatus;
  if (s.status === 'canceled' || s.status === 'incomplete_expired') status = 'canceled';
  else if (paused) status = 'paused';
  else if (s.status === 'past_due' || s.status === 'unpaid' || s.status === 'incomplete') status = 'past_due';
  else status = 'active';
  const anchor = periodEnd ?? at(s.billing_cycle_anchor);
  return {
    status,
    nextChargeAt: status === 'canceled' || status === 'paused' ? null : periodEnd,
    chargeDay: anchor ? chargeDayOf(anchor) : null,
    canceledAt: status === 'canceled' ? (at(s.canceled_at) ?? new Date()) : null,
    paused,
  };
}

/** The client for an autoship action: never the transfer key for support (main/services/system/stripe-keys.ts). */
export function autoshipStripe(s: StripeSettings | null): Stripe {
  if (!s) throw AppError.of('CONFLICT', 'stripe.notConfigured');
  return stripeClient(s);
}

/** Stripe's refusals become typed errors; nothing was changed at Stripe by a refused request. */
export function stripeError(e: unknown): AppError {
  const err = e as { type?: string; code?: string; message?: string; statusCode?: number; raw?: { message?: string } };
  const message = err?.raw?.message ?? err?.message ?? String(e);
  if (err?.type === 'StripeInvalidRequestError' && err.statusCode === 404) {
    return AppError.of('NOT_FOUND', 'stripe.notFound', {}, { stripe: err.code ?? null, stripeMessage: message });
  }
  if (
    err?.type === 'StripeInvalidRequestError' ||
    err?.type === 'StripeCardError' ||
    err?.type === 'StripePermissionError' ||
    err?.type === 'StripeIdempotencyError'
  ) {
    return AppError.of('CONFLICT', 'stripe.refused', { reason: message }, { stripe: err.code ?? err.type });
  }
  return new AppError('INTERNAL', `Stripe no respondió (${err?.type ?? 'error'}): intente de nuevo; repetir la misma solicitud no actúa dos veces.`, {
    stripe: err?.type ?? null,
    retryable: true,
  });
}

export async function callStripe(
  settings: StripeSettings | null,
  action: AutoshipAction,
  stripeSubscriptionId: string,
  requestId: string,
  nextChargeAt?: Date,
): Promise<Stripe.Subscription> {
  const stripe = autoshipStripe(settings);
  const opts = { idempotencyKey: idempotencyKey(stripeSubscriptionId, action, requestId) };
  try {
    switch (action) {
      case 'pause':
        return await stripe.subscriptions.update(stripeSubscriptionId, { pause_collection: { behavior: 'void' } }, opts);
      case 'resume':
        return await stripe.subscriptions.update(stripeSubscriptionId, { pause_collection: '' }, opts);
      case 'cancel':
        return await stripe.subscriptions.cancel(stripeSubscriptionId, {}, opts);
      case 'change_day':
        // billing_cycle_anchor can only be 'now' or 'unchanged' on an update: a free period up to
        // the new day (trial_end) moves the anchor there, and nothing is prorated or charged now.
        return await stripe.subscriptions.update(
          stripeSubscriptionId,
          { trial_end: Math.floor(nextChargeAt!.getTime() / 1000), proration_behavior: 'none' },
          opts,
        );
    }
  } catch (e) {
    throw stripeError(e);
  }
}
