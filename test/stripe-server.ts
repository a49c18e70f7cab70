/**
 * A local stand-in for Stripe's API (node:http, 127.0.0.1 only) for tests and e2e: the official
 * SDK is pointed at it with host/port/protocol settings, so nothing leaves the machine.
 *
 *   const stub = await startStripeStub();
 *   process.env.NNP_STRIPE_API_HOST = '127.0.0.1'; ...PORT = String(stub.port); ...PROTOCOL = 'http';
 *   stub.script('transfers', { kind: 'delay', ms: 3000 });   // next POST /v1/transfers answers late
 *   stub.script('transfers', { kind: 'decline', code: 'balance_insufficient' });
 *   stub.script('transfers', { kind: 'error', status: 500 });
 *   stub.transfers  // what was created
 *   await stub.close();
 *
 * Like Stripe: form-encoded bodies (a[b]=c), `Authorization: Bearer sk_…`, JSON answers, errors as
 * { error: { type, code, message, param } } with Stripe's status codes, and idempotency — a POST
 * with an `Idempotency-Key` seen before answers the saved response (header Idempotent-Replayed:
 * true) when the parameters are the same, and a 400 idempotency_error when they differ. A
 * scripted 5xx is not saved (a retry may succeed); a delayed answer is saved before the delay, as
 * Stripe would have done the work.
 *
 * Destinations can script themselves (useful from e2e data): an account id containing `decline`
 * is refused, `slow` answers after `slowMs`, `fail500` answers 500.
 *
 * Other engineers add endpoints with `stub.route('POST', /^\/v1\/payment_intents$/, handler)`:
 * the handler gets the parsed body and answers { status, body }; idempotency applies to every POST.
 *
 * Payments (issue 7): `stub.createPaymentIntent({ amount, currency, metadata })`, then `stub.succeed(pi.id, at)`,
 * `stub.fail(pi.id, at)`, `stub.refund(pi.id, at)` change the objects as Stripe would and record the
 * matching event; GET /v1/events pages through them (newest first, starting_after / ending_before,
 * type, created[...] filters), GET /v1/payment_intents/:id, /v1/charges/:id and /v1/charges answer them.
 *
 * Standalone: `npx tsx test/stripe-server.ts [--port N]` prints the port and runs until stopped.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { installSubscriptions, type SubscriptionStubApi } from './stripe-subscriptions';

export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'decline'; code?: string; message?: string; status?: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'error'; status: number; message?: string }
  | { kind: 'hang' };

/** `apiKey`: the key the request was made with (secret sk_… or restricted rk_…), so a test can tell which one a role used. */
export interface StubRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  status: number;
  replayed: boolean;
  at: number;
  body: Record<string, unknown>;
  apiKey: string;
}

export interface StubResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
export type RouteHandler = (req: {
  method: string;
  path: string;
  match: RegExpMatchArray;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}) => StubResponse | Promise<StubResponse>;

export interface StripeTransfer {
  id: string;
  object: 'transfer';
  amount: number;
  amount_reversed: number;
  balance_transaction: string;
  created: number;
  currency: string;
  description: string | null;
  destination: string;
  destination_payment: string;
  livemode: false;
  metadata: Record<string, string>;
  reversals: { object: 'list'; data: []; has_more: false; total_count: 0; url: string };
  reversed: false;
  source_transaction: null;
  source_type: 'card';
  transfer_group: string | null;
}

export interface StubPaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: string;
  created: number;
  latest_charge: string | null;
  metadata: Record<string, string>;
  livemode: false;
  last_payment_error: { code?: string; decline_code?: string; message?: string; type: string } | null;
}
export interface StubCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_refunded: number;
  amount_captured: number;
  currency: string;
  created: number;
  paid: boolean;
  captured: boolean;
  refunded: boolean;
  status: 'succeeded' | 'failed';
  payment_intent: string;
  metadata: Record<string, string>;
  livemode: false;
}
export interface StubEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  type: string;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  data: { object: unknown };
}

/** Subscriptions and invoices (autoship, issue 8): see test/stripe-subscriptions.ts. */
export interface StripeStub extends SubscriptionStubApi {
  port: number;
  url: string;
  transfers: StripeTransfer[];
  requests: StubRequest[];
  /** Queue a behaviour for the next request(s) of a resource ('transfers', or a route's name). */
  script(resource: string, ...behaviours: Behaviour[]): void;
  route(method: string, pattern: RegExp, handler: RouteHandler, resource?: string): void;
  /** Delay used for destinations containing "slow". */
  slowMs: number;
  /** Payments side (issue 7): PaymentIntents, charges and the event log GET /v1/events pages through. */
  paymentIntents: Map<string, StubPaymentIntent>;
  charges: Map<string, StubCharge>;
  /** Events in creation order (GET /v1/events answers newest first, as Stripe). */
  events: StubEvent[];
  /** A PaymentIntent waiting for payment (status requires_payment_method), e.g. for an order's checkout. */
  createPaymentIntent(p: { amount: number; currency: string; metadata?: Record<string, string>; created?: number }): StubPaymentIntent;
  /** The PaymentIntent succeeds at `at` (unix seconds): a charge and a payment_intent.succeeded event. */
  succeed(piId: string, at?: number): StubEvent;
  /** A failed attempt: last_payment_error and a payment_intent.payment_failed event. */
  fail(piId: string, at?: number, error?: { code?: string; decline_code?: string; message?: string }): StubEvent;
  /** Refunds the PaymentIntent's charge (full unless `amount` is given): a charge.refunded event. */
  refund(piId: string, at?: number, amount?: number): StubEvent;
  /** Records any event (its id and created given or generated). */
  addEvent(type: string, object: unknown, at?: number): StubEvent;
  reset(): void;
  /** Stripe forgets idempotency keys after about 24 hours: forget every saved one now. */
  expireIdempotencyKeys(): void;
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

/** Parses Stripe's form encoding: a=1&b[c]=2&d[0]=x → { a: '1', b: { c: '2' }, d: { '0': 'x' } }. */
export function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const parts = k.replace(/\]/g, '').split('[');
    let cur = out;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) cur[p] = v;
      else cur = (cur[p] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

const stripeError = (status: number, type: string, message: string, code?: string, param?: string): StubResponse => ({
  status,
  body: { error: { type, message, ...(code ? { code } : {}), ...(param ? { param } : {}) } },
});

export async function startStripeStub(opts: { port?: number; log?: (m: string) => void } = {}): Promise<StripeStub> {
  const scripts = new Map<string, Behaviour[]>();
  const saved = new Map<string, { fingerprint: string; response: StubResponse }>();
  const routes: { method: string; pattern: RegExp; handler: RouteHandler; resource: string }[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const stub = {
    port: 0,
    url: '',
    transfers: [],
    requests: [],
    slowMs: 3_000,
    paymentIntents: new Map(),
    charges: new Map(),
    events: [],
    createPaymentIntent: (p) => {
      const pi: StubPaymentIntent = {
        id: id('pi'),
        object: 'payment_intent',
        amount: p.amount,
        amount_received: 0,
        currency: p.currency.toLowerCase(),
        status: 'requires_payment_method',
        created: p.created ?? Math.floor(Date.now() / 1000),
        latest_charge: null,
        metadata: p.metadata ?? {},
        livemode: false,
        last_payment_error: null,
      };
      stub.paymentIntents.set(pi.id, pi);
      return pi;
    },
    succeed: (piId, at) => {
      const pi = mustPi(piId);
      const created = at ?? Math.floor(Date.now() / 1000);
      const ch: StubCharge = {
        id: id('ch'),
        object: 'charge',
        amount: pi.amount,
        amount_refunded: 0,
        amount_captured: pi.amount,
        currency: pi.currency,
        created,
        paid: true,
        captured: true,
        refunded: false,
        status: 'succeeded',
        payment_intent: pi.id,
        metadata: { ...pi.metadata },
        livemode: false,
      };
      stub.charges.set(ch.id, ch);
      Object.assign(pi, { status: 'succeeded', amount_received: pi.amount, latest_charge: ch.id, last_payment_error: null });
      return stub.addEvent('payment_intent.succeeded', pi, created);
    },
    fail: (piId, at, error) => {
      const pi = mustPi(piId);
      Object.assign(pi, {
        status: 'requires_payment_method',
        last_payment_error: {
          type: 'card_error',
          code: error?.code ?? 'card_declined',
          decline_code: error?.decline_code ?? 'insufficient_funds',
          message: error?.message ?? 'Your card has insufficient funds.',
        },
      });
      return stub.addEvent('payment_intent.payment_failed', pi, at);
    },
    refund: (piId, at, amount) => {
      const pi = mustPi(piId);
      const ch = pi.latest_charge ? stub.charges.get(pi.latest_charge) : undefined;
      if (!ch) throw new Error(`stripe stub: ${piId} has no charge to refund`);
      ch.amount_refunded = Math.min(ch.amount, ch.amount_refunded + (amount ?? ch.amount));
      ch.refunded = ch.amount_refunded === ch.amount;
      return stub.addEvent('charge.refunded', ch, at);
    },
    addEvent: (type, object, at) => {
      const e: StubEvent = {
        id: id('evt'),
        object: 'event',
        api_version: '2025-01-01',
        created: at ?? Math.floor(Date.now() / 1000),
        type,
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        data: { object: JSON.parse(JSON.stringify(object)) as unknown },
      };
      stub.events.push(e);
      return e;
    },
    script(resource, ...behaviours) {
      scripts.set(resource, [...(scripts.get(resource) ?? []), ...behaviours]);
    },
    route(method, pattern, handler, resource) {
      routes.unshift({ method, pattern, handler, resource: resource ?? pattern.source });
    },
    expireIdempotencyKeys() {
      saved.clear();
    },
    reset() {
      scripts.clear();
      saved.clear();
      stub.transfers.length = 0;
      stub.requests.length = 0;
      stub.paymentIntents.clear();
      stub.charges.clear();
      stub.events.length = 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  } as Omit<StripeStub, keyof SubscriptionStubApi> as StripeStub;
  installSubscriptions(stub);

  // POST /v1/transfers, GET /v1/transfers/:id, GET /v1/transfers
  stub.route(
    'POST',
    /^\/v1\/transfers$/,
    ({ body }) => {
      const amount = Number(body.amount);
      if (!Number.isInteger(amount) || amount <= 0)
        return stripeError(400, 'invalid_request_error', 'Invalid positive integer', 'parameter_invalid_integer', 'amount');
      if (typeof body.currency !== 'string' || !/^[a-z]{3}$/.test(body.currency))
        return stripeError(400, 'invalid_request_error', 'Invalid currency', 'parameter_invalid', 'currency');
      const destination = String(body.destination ?? '');
      if (!/^acct_[A-Za-z0-9_]+$/.test(destination))
        return stripeError(400, 'invalid_request_error', `No such destination: '${destination}'`, 'resource_missing', 'destination');
      if (destination.includes('decline')) {
        return stripeError(
          400,
          'invalid_request_error',
          'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
          'insufficient_capabilities_for_transfer',
          'destination',
        );
      }
      const t: StripeTransfer = {
        id: id('tr'),
        object: 'transfer',
        amount,
        amount_reversed: 0,
        balance_transaction: id('txn'),
        created: Math.floor(Date.now() / 1000),
        currency: body.currency,
        description: (body.description as string | undefined) ?? null,
        destination,
        destination_payment: id('py'),
        livemode: false,
        metadata: (body.metadata as Record<string, string> | undefined) ?? {},
        reversals: { object: 'list', data: [], has_more: false, total_count: 0, url: '' },
        reversed: false,
        source_transaction: null,
        source_type: 'card',
        transfer_group: (body.transfer_group as string | undefined) ?? null,
      };
      t.reversals.url = `/v1/transfers/${t.id}/reversals`;
      stub.transfers.push(t);
      return { status: 200, body: t };
    },
    'transfers',
  );
  stub.route(
    'GET',
    /^\/v1\/transfers\/(tr_[A-Za-z0-9]+)$/,
    ({ match }) => {
      const t = stub.transfers.find((x) => x.id === match[1]);
      return t ? { status: 200, body: t } : stripeError(404, 'invalid_request_error', `No such transfer: '${match[1]}'`, 'resource_missing', 'id');
    },
    'transfers.get',
  );
  // As Stripe: newest first, filtered by transfer_group when given.
  stub.route(
    'GET',
    /^\/v1\/transfers$/,
    ({ body }) => {
      const group = body.transfer_group as string | undefined;
      const data = [...stub.transfers].reverse().filter((t) => group === undefined || t.transfer_group === group);
      return { status: 200, body: { object: 'list', data, has_more: false, url: '/v1/transfers' } };
    },
    'transfers.list',
  );

  const mustPi = (piId: string) => {
    const pi = stub.paymentIntents.get(piId);
    if (!pi) throw new Error(`stripe stub: no PaymentIntent ${piId}`);
    return pi;
  };
  // GET /v1/events: newest first; limit (1-100, default 10), starting_after (older than the cursor),
  // ending_before (newer than the cursor: the `limit` closest to it), type, created[gt|gte|lt|lte]; as Stripe.
  stub.route(
    'GET',
    /^\/v1\/events$/,
    ({ body }) => {
      const q = body as Record<string, string>;
      const limit = q.limit === undefined ? 10 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        return stripeError(400, 'invalid_request_error', 'Invalid integer: limit must be between 1 and 100', 'parameter_invalid_integer', 'limit');
      if (q.starting_after && q.ending_before)
        return stripeError(400, 'invalid_request_error', 'You may only specify one of these parameters: ending_before, starting_after.');
      const bound = (k: string) => (q[`created[${k}]`] === undefined ? null : Number(q[`created[${k}]`]));
      const gt = bound('gt'),
        gte = bound('gte'),
        lt = bound('lt'),
        lte = bound('lte');
      const types = Object.entries(q)
        .filter(([k]) => k === 'type' || /^types\[\d+\]$/.test(k))
        .map(([, v]) => v);
      const matches = (t: string) => types.length === 0 || types.some((p) => (p.endsWith('*') ? t.startsWith(p.slice(0, -1)) : t === p));
      const all = stub.events
        .map((e, i) => ({ e, i }))
        .sort((a, b) => b.i - a.i)
        .map((x) => x.e) // creation order (Stripe's created only grows with it)
        .filter(
          (e) =>
            matches(e.type) &&
            (gt == null || e.created > gt) &&
            (gte == null || e.created >= gte) &&
            (lt == null || e.created < lt) &&
            (lte == null || e.created <= lte),
        );
      let data: StubEvent[];
      let hasMore: boolean;
      const cursor = q.starting_after ?? q.ending_before;
      if (cursor) {
        const at = all.findIndex((e) => e.id === cursor);
        if (at < 0)
          return stripeError(
            400,
            'invalid_request_error',
            `No such event: '${cursor}'`,
            'resource_missing',
            q.starting_after ? 'starting_after' : 'ending_before',
          );
        if (q.starting_after) {
          data = all.slice(at + 1, at + 1 + limit);
          hasMore = at + 1 + limit < all.length;
        } else {
          data = all.slice(Math.max(0, at - limit), at);
          hasMore = at - limit > 0;
        }
      } else {
        data = all.slice(0, limit);
        hasMore = limit < all.length;
      }
      return { status: 200, body: { object: 'list', data, has_more: hasMore, url: '/v1/events' } };
    },
    'events.list',
  );
  stub.route(
    'GET',
    /^\/v1\/events\/(evt_[A-Za-z0-9]+)$/,
    ({ match }) => {
      const e = stub.events.find((x) => x.id === match[1]);
      return e ? { status: 200, body: e } : stripeError(404, 'invalid_request_error', `No such event: '${match[1]}'`, 'resource_missing', 'id');
    },
    'events.get',
  );
  stub.route(
    'GET',
    /^\/v1\/payment_intents\/(pi_[A-Za-z0-9]+)$/,
    ({ match }) => {
      const pi = stub.paymentIntents.get(match[1]!);
      return pi ? { status: 200, body: pi } : stripeError(404, 'invalid_request_error', `No such payment_intent: '${match[1]}'`, 'resource_missing', 'intent');
    },
    'payment_intents.get',
  );
  stub.route(
    'GET',
    /^\/v1\/charges\/(ch_[A-Za-z0-9]+)$/,
    ({ match }) => {
      const ch = stub.charges.get(match[1]!);
      return ch ? { status: 200, body: ch } : stripeError(404, 'invalid_request_error', `No such charge: '${match[1]}'`, 'resource_missing', 'charge');
    },
    'charges.get',
  );
  stub.route(
    'GET',
    /^\/v1\/charges$/,
    ({ body }) => {
      const pi = (body as Record<string, string>).payment_intent;
      const data = [...stub.charges.values()].filter((c) => !pi || c.payment_intent === pi).reverse();
      return { status: 200, body: { object: 'list', data, has_more: false, url: '/v1/charges' } };
    },
    'charges.list',
  );

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      void handle(req, res, raw).catch((e) => {
        opts.log?.(`stripe stub: ${String(e)}`);
        try {
          send(res, { status: 500, body: { error: { type: 'api_error', message: 'stub failure' } } });
        } catch {
          /* gone */
        }
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function send(res: http.ServerResponse, r: StubResponse, extra: Record<string, string> = {}) {
    if (res.destroyed || res.writableEnded) return;
    const body = JSON.stringify(r.body);
    res.writeHead(r.status, { 'content-type': 'application/json', 'request-id': id('req'), 'stripe-version': '2025-01-01', ...(r.headers ?? {}), ...extra });
    res.end(body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://stub');
    const body = method === 'GET' ? Object.fromEntries(url.searchParams) : parseForm(raw);
    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const auth = req.headers.authorization ?? '';
    const log = (status: number, replayed: boolean) =>
      stub.requests.push({ method, path: url.pathname, idempotencyKey: key, status, replayed, at: Date.now(), body, apiKey: auth.replace(/^Bearer /, '') });

    if (!/^Bearer (sk|rk)_(test|live)_\S+$/.test(auth)) {
      log(401, false);
      return send(res, stripeError(401, 'invalid_request_error', 'Invalid API Key provided'));
    }
    const route = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    if (!route) {
      log(404, false);
      return send(res, stripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${url.pathname})`));
    }
    const fingerprint = `${method} ${url.pathname} ${JSON.stringify(body)}`;
    if ((method === 'POST' || method === 'DELETE') && key && saved.has(key)) {
      const s = saved.get(key)!;
      if (s.fingerprint !== fingerprint) {
        log(400, false);
        return send(
          res,
          stripeError(
            400,
            'idempotency_error',
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          ),
        );
      }
      log(s.response.status, true);
      return send(res, s.response, { 'idempotent-replayed': 'true', 'original-request': 'req_saved' });
    }
    // Scripted behaviour, from the queue or from the destination's name.
    let b: Behaviour = scripts.get(route.resource)?.shift() ?? { kind: 'ok' };
    const dest = String(body.destination ?? '');
    if (b.kind === 'ok' && dest.includes('slow')) b = { kind: 'delay', ms: stub.slowMs };
    if (b.kind === 'ok' && dest.includes('fail500')) b = { kind: 'error', status: 500 };
    if (b.kind === 'hang') {
      log(0, false);
      return;
    }
    if (b.kind === 'error') {
      log(b.status, false);
      return send(res, { status: b.status, body: { error: { type: 'api_error', message: b.message ?? 'An unknown error occurred' } } });
    }
    let response: StubResponse;
    if (b.kind === 'decline') {
      response = stripeError(
        b.status ?? 400,
        'invalid_request_error',
        b.message ??
          'Insufficient funds in Stripe account. In test mode, you can add funds to your available balance (bypassing your pending balance) by creating a charge with 4000 0000 0000 0077 as the test card.',
        b.code ?? 'balance_insufficient',
      );
    } else {
      response = await route.handler({ method, path: url.pathname, match: url.pathname.match(route.pattern)!, body, headers: req.headers });
    }
    // Stripe saves the result of a request that started executing (success or 4xx).
    if ((method === 'POST' || method === 'DELETE') && key && response.status < 500) saved.set(key, { fingerprint, response });
    log(response.status, false);
    if (b.kind === 'delay') await new Promise((r) => setTimeout(r, b.ms));
    send(res, response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  stub.port = typeof addr === 'object' && addr ? addr.port : 0;
  stub.url = `http://127.0.0.1:${stub.port}`;
  return stub;
}

/** The settings that point the app's Stripe SDK at a stub. */
/** Sets these environment variables for a test file; the returned function puts the old values back. */
export function applyEnv(env: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

export function stubEnv(stub: { port: number }, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NNP_STRIPE_SECRET_KEY: 'sk_test_local_stub',
    // Support's autoship actions use the restricted key, never the secret one (issue 16 item 5).
    NNP_STRIPE_RESTRICTED_KEY: 'rk_test_local_stub',
    NNP_STRIPE_API_HOST: '127.0.0.1',
    NNP_STRIPE_API_PORT: String(stub.port),
    NNP_STRIPE_API_PROTOCOL: 'http',
    ...overrides,
  };
}

if (path.resolve(process.argv[1] ?? '') === path.resolve(new URL(import.meta.url).pathname)) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 0;
  void startStripeStub({ port, log: console.error }).then((s) => {
    console.log(`stripe stub on ${s.url}`);
    const stop = () => void s.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
