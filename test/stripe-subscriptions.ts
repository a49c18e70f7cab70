/**
 * Subscriptions and their invoices for the local Stripe stand-in (test/stripe-server.ts), as the
 * API version the SDK pins (2026-10-28): the billing period lives on each subscription item
 * (`items.data[].current_period_end`; also copied on the subscription for older readers), an
 * invoice names its subscription in `parent.subscription_details.subscription` (and `subscription`).
 *
 *   const sub = stub.createSubscription({ customer: 'cus_1', currency: 'mxn', items: [{ sku: 'SUP-OMEGA3', quantity: 2, unitAmount: 34900 }],
 *     periodEnd: unixSecondsOfNextCharge, metadata: { member_id: '42' } });
 *   stub.payInvoice(sub.id, at)   // an invoice paid: invoice.paid (+ customer.subscription.updated) events, the period moves a month
 *   stub.failInvoice(sub.id, at)  // a failed attempt: invoice.payment_failed, the subscription past_due
 *
 * Endpoints: GET /v1/subscriptions (status, customer, limit, starting_after), GET/POST/DELETE
 * /v1/subscriptions/:id (update: pause_collection (object or '' to clear), trial_end + proration_behavior,
 * metadata; DELETE cancels), GET /v1/invoices/:id. Updates record customer.subscription.updated /
 * .deleted events with previous_attributes, as Stripe does.
 */
import { randomBytes } from 'node:crypto';
import type { RouteHandler, StubEvent, StubResponse } from './stripe-server';

export interface StubSubscriptionItem {
  id: string;
  object: 'subscription_item';
  quantity: number;
  current_period_start: number;
  current_period_end: number;
  metadata: Record<string, string>;
  price: {
    id: string;
    object: 'price';
    currency: string;
    unit_amount: number;
    product: string;
    recurring: { interval: 'month'; interval_count: 1 };
    metadata: Record<string, string>;
  };
}
export interface StubSubscription {
  id: string;
  object: 'subscription';
  customer: string;
  status: 'active' | 'trialing' | 'past_due' | 'unpaid' | 'canceled';
  currency: string;
  created: number;
  billing_cycle_anchor: number;
  current_period_start: number;
  current_period_end: number;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  ended_at: number | null;
  pause_collection: { behavior: 'keep_as_draft' | 'mark_uncollectible' | 'void'; resumes_at: number | null } | null;
  trial_end: number | null;
  latest_invoice: string | null;
  metadata: Record<string, string>;
  livemode: false;
  items: { object: 'list'; data: StubSubscriptionItem[]; has_more: false; url: string };
}
export interface StubInvoice {
  id: string;
  object: 'invoice';
  customer: string;
  subscription: string;
  status: 'paid' | 'open';
  currency: string;
  created: number;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  total: number;
  attempt_count: number;
  attempted: boolean;
  next_payment_attempt: number | null;
  billing_reason: 'subscription_cycle';
  payment_intent: string;
  period_start: number;
  period_end: number;
  last_finalization_error: { message: string; code?: string } | null;
  status_transitions: { paid_at: number | null; finalized_at: number };
  parent: { type: 'subscription_details'; subscription_details: { subscription: string; metadata: Record<string, string> } };
  lines: {
    object: 'list';
    data: {
      id: string;
      object: 'line_item';
      amount: number;
      currency: string;
      quantity: number;
      period: { start: number; end: number };
      metadata: Record<string, string>;
    }[];
    has_more: false;
  };
  metadata: Record<string, string>;
  livemode: false;
}

export interface SubscriptionStubApi {
  subscriptions: Map<string, StubSubscription>;
  invoices: Map<string, StubInvoice>;
  /** The stand-in's "now" for subscriptions (unix seconds; a test with a pinned app clock pins this too). */
  clock: () => number;
  /** A subscription whose next charge is `periodEnd` (unix seconds; default in a month). */
  createSubscription(p: {
    id?: string;
    customer?: string;
    currency: string;
    items: { sku: string; quantity: number; unitAmount: number }[];
    periodEnd?: number;
    status?: StubSubscription['status'];
    paused?: boolean;
    metadata?: Record<string, string>;
    created?: number;
  }): StubSubscription;
  /** The current period's invoice is paid at `at`: invoice.paid, then the subscription's next period. */
  payInvoice(subId: string, at?: number): StubEvent;
  /** A failed charge attempt of the current period's invoice: invoice.payment_failed; the subscription past_due. */
  failInvoice(subId: string, at?: number, message?: string): StubEvent;
}

interface Host {
  events: StubEvent[];
  addEvent(type: string, object: unknown, at?: number): StubEvent;
  route(method: string, pattern: RegExp, handler: RouteHandler, resource?: string): void;
  reset(): void;
}

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
const nowS = () => Math.floor(Date.now() / 1000);
const err = (status: number, message: string, code?: string, param?: string): StubResponse => ({
  status,
  body: { error: { type: 'invalid_request_error', message, ...(code ? { code } : {}), ...(param ? { param } : {}) } },
});
/** The same instant `n` months later (UTC; every charge day is 1–28). */
export const addMonths = (unix: number, n: number) => {
  const d = new Date(unix * 1000);
  d.setUTCMonth(d.getUTCMonth() + n);
  return Math.floor(d.getTime() / 1000);
};
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

export function installSubscriptions<S extends Host>(stub: S): S & SubscriptionStubApi {
  const s = stub as S & SubscriptionStubApi;
  s.subscriptions = new Map();
  s.invoices = new Map();
  s.clock = nowS;
  const openInvoice = new Map<string, string>();
  const baseReset = stub.reset.bind(stub);
  s.reset = () => {
    baseReset();
    s.subscriptions.clear();
    s.invoices.clear();
    openInvoice.clear();
  };

  const setPeriod = (sub: StubSubscription, start: number, end: number) => {
    sub.current_period_start = start;
    sub.current_period_end = end;
    for (const it of sub.items.data) {
      it.current_period_start = start;
      it.current_period_end = end;
    }
  };
  const mustSub = (id: string) => {
    const sub = s.subscriptions.get(id);
    if (!sub) throw new Error(`stripe stub: no subscription ${id}`);
    return sub;
  };
  const updated = (sub: StubSubscription, previous: Record<string, unknown>, at?: number) => {
    const e = s.addEvent('customer.subscription.updated', sub, at);
    (e.data as { previous_attributes?: unknown }).previous_attributes = previous;
    return e;
  };
  const amountOf = (sub: StubSubscription) => sub.items.data.reduce((a, it) => a + it.price.unit_amount * it.quantity, 0);

  s.createSubscription = (p) => {
    const created = p.created ?? s.clock();
    const end = p.periodEnd ?? addMonths(created, 1);
    const sub: StubSubscription = {
      id: p.id ?? newId('sub'),
      object: 'subscription',
      customer: p.customer ?? newId('cus'),
      status: p.status ?? 'active',
      currency: p.currency.toLowerCase(),
      created,
      billing_cycle_anchor: end,
      current_period_start: addMonths(end, -1),
      current_period_end: end,
      cancel_at_period_end: false,
      canceled_at: p.status === 'canceled' ? created : null,
      ended_at: p.status === 'canceled' ? created : null,
      pause_collection: p.paused ? { behavior: 'void', resumes_at: null } : null,
      trial_end: null,
      latest_invoice: null,
      metadata: p.metadata ?? {},
      livemode: false,
      items: { object: 'list', has_more: false, url: '', data: [] },
    };
    sub.items.url = `/v1/subscription_items?subscription=${sub.id}`;
    sub.items.data = p.items.map((i) => ({
      id: newId('si'),
      object: 'subscription_item',
      quantity: i.quantity,
      current_period_start: sub.current_period_start,
      current_period_end: end,
      metadata: { sku: i.sku },
      price: {
        id: newId('price'),
        object: 'price',
        currency: sub.currency,
        unit_amount: i.unitAmount,
        product: `prod_${i.sku.replace(/[^A-Za-z0-9]/g, '')}`,
        recurring: { interval: 'month', interval_count: 1 },
        metadata: { sku: i.sku },
      },
    }));
    s.subscriptions.set(sub.id, sub);
    return sub;
  };

  function invoiceFor(sub: StubSubscription, at: number): StubInvoice {
    const open = openInvoice.get(sub.id);
    if (open) return s.invoices.get(open)!;
    const amount = amountOf(sub);
    const start = sub.current_period_end;
    const end = addMonths(start, 1);
    const inv: StubInvoice = {
      id: newId('in'),
      object: 'invoice',
      customer: sub.customer,
      subscription: sub.id,
      status: 'open',
      currency: sub.currency,
      created: at,
      amount_due: amount,
      amount_paid: 0,
      amount_remaining: amount,
      total: amount,
      attempt_count: 0,
      attempted: false,
      next_payment_attempt: at,
      billing_reason: 'subscription_cycle',
      payment_intent: newId('pi'),
      period_start: sub.current_period_start,
      period_end: start,
      last_finalization_error: null,
      status_transitions: { paid_at: null, finalized_at: at },
      parent: { type: 'subscription_details', subscription_details: { subscription: sub.id, metadata: { ...sub.metadata } } },
      lines: {
        object: 'list',
        has_more: false,
        data: sub.items.data.map((it) => ({
          id: newId('il'),
          object: 'line_item',
          amount: it.price.unit_amount * it.quantity,
          currency: sub.currency,
          quantity: it.quantity,
          period: { start, end },
          metadata: { ...it.price.metadata },
        })),
      },
      metadata: {},
      livemode: false,
    };
    s.invoices.set(inv.id, inv);
    openInvoice.set(sub.id, inv.id);
    sub.latest_invoice = inv.id;
    return inv;
  }

  s.payInvoice = (subId, at) => {
    const sub = mustSub(subId);
    const when = at ?? s.clock();
    const inv = invoiceFor(sub, when);
    Object.assign(inv, {
      status: 'paid',
      amount_paid: inv.amount_due,
      amount_remaining: 0,
      attempt_count: inv.attempt_count + 1,
      attempted: true,
      next_payment_attempt: null,
    });
    inv.status_transitions.paid_at = when;
    openInvoice.delete(sub.id);
    const e = s.addEvent('invoice.paid', inv, when);
    const start = sub.current_period_end;
    setPeriod(sub, start, addMonths(start, 1));
    sub.status = sub.trial_end && sub.trial_end > when ? 'trialing' : 'active';
    updated(sub, {}, when);
    return e;
  };

  s.failInvoice = (subId, at, message) => {
    const sub = mustSub(subId);
    const when = at ?? s.clock();
    const inv = invoiceFor(sub, when);
    Object.assign(inv, { attempt_count: inv.attempt_count + 1, attempted: true, next_payment_attempt: when + 3 * 86_400 });
    if (message) inv.last_finalization_error = { message, code: 'card_declined' };
    const e = s.addEvent('invoice.payment_failed', inv, when);
    if (sub.status !== 'past_due') {
      sub.status = 'past_due';
      updated(sub, { status: 'active' }, when);
    }
    return e;
  };

  stub.route(
    'GET',
    /^\/v1\/subscriptions$/,
    ({ body }) => {
      const q = body as Record<string, string>;
      const limit = q.limit === undefined ? 10 : Number(q.limit);
      let all = [...s.subscriptions.values()]
        .reverse()
        .filter((x) => (q.status && q.status !== 'all' ? x.status === q.status : q.status === 'all' || x.status !== 'canceled'))
        .filter((x) => !q.customer || x.customer === q.customer);
      if (q.starting_after) {
        const i = all.findIndex((x) => x.id === q.starting_after);
        all = all.slice(i + 1);
      }
      return { status: 200, body: { object: 'list', data: all.slice(0, limit), has_more: all.length > limit, url: '/v1/subscriptions' } };
    },
    'subscriptions.list',
  );
  stub.route(
    'GET',
    /^\/v1\/subscriptions\/(sub_[A-Za-z0-9_]+)$/,
    ({ match }) => {
      const sub = s.subscriptions.get(match[1]!);
      return sub ? { status: 200, body: sub } : err(404, `No such subscription: '${match[1]}'`, 'resource_missing', 'id');
    },
    'subscriptions.get',
  );
  stub.route(
    'POST',
    /^\/v1\/subscriptions\/(sub_[A-Za-z0-9_]+)$/,
    ({ match, body }) => {
      const sub = s.subscriptions.get(match[1]!);
      if (!sub) return err(404, `No such subscription: '${match[1]}'`, 'resource_missing', 'id');
      if (sub.status === 'canceled') return err(400, 'A canceled subscription can only update its cancellation_details and metadata.');
      const previous: Record<string, unknown> = {};
      const next = clone(sub);
      if ('pause_collection' in body) {
        const pc = body.pause_collection;
        if (pc === '') next.pause_collection = null;
        else if (pc && typeof pc === 'object') {
          const b = (pc as Record<string, string>).behavior;
          if (!['keep_as_draft', 'mark_uncollectible', 'void'].includes(b ?? ''))
            return err(400, 'Invalid pause_collection[behavior]', 'parameter_invalid', 'pause_collection[behavior]');
          const r = (pc as Record<string, string>).resumes_at;
          next.pause_collection = { behavior: b as 'void', resumes_at: r ? Number(r) : null };
        } else return err(400, 'Invalid pause_collection', 'parameter_invalid', 'pause_collection');
        previous.pause_collection = sub.pause_collection;
      }
      if ('trial_end' in body) {
        const te = body.trial_end === 'now' ? s.clock() : Number(body.trial_end);
        if (!Number.isInteger(te) || te < s.clock() - 60)
          return err(400, 'Invalid timestamp: must be an integer Unix timestamp in the future.', 'parameter_invalid_integer', 'trial_end');
        if (body.proration_behavior !== undefined && !['none', 'create_prorations', 'always_invoice'].includes(String(body.proration_behavior)))
          return err(400, 'Invalid proration_behavior', 'parameter_invalid', 'proration_behavior');
        previous.trial_end = sub.trial_end;
        previous.current_period_end = sub.current_period_end;
        next.trial_end = te;
        next.billing_cycle_anchor = te;
        next.status = next.status === 'active' ? 'trialing' : next.status;
        for (const it of next.items.data) {
          it.current_period_end = te;
        }
        next.current_period_end = te;
      }
      if (body.metadata && typeof body.metadata === 'object') {
        previous.metadata = sub.metadata;
        next.metadata = { ...sub.metadata, ...(body.metadata as Record<string, string>) };
      }
      Object.assign(sub, next);
      if (Object.keys(previous).length > 0) updated(sub, previous);
      return { status: 200, body: clone(sub) };
    },
    'subscriptions.update',
  );
  stub.route(
    'DELETE',
    /^\/v1\/subscriptions\/(sub_[A-Za-z0-9_]+)$/,
    ({ match }) => {
      const sub = s.subscriptions.get(match[1]!);
      if (!sub) return err(404, `No such subscription: '${match[1]}'`, 'resource_missing', 'id');
      if (sub.status === 'canceled') return err(400, `This subscription has already been canceled: '${sub.id}'`, 'resource_missing');
      Object.assign(sub, { status: 'canceled', canceled_at: s.clock(), ended_at: s.clock(), pause_collection: null });
      openInvoice.delete(sub.id);
      s.addEvent('customer.subscription.deleted', sub);
      return { status: 200, body: clone(sub) };
    },
    'subscriptions.cancel',
  );
  stub.route(
    'GET',
    /^\/v1\/invoices\/(in_[A-Za-z0-9_]+)$/,
    ({ match }) => {
      const inv = s.invoices.get(match[1]!);
      return inv ? { status: 200, body: inv } : err(404, `No such invoice: '${match[1]}'`, 'resource_missing', 'id');
    },
    'invoices.get',
  );
  return s;
}
