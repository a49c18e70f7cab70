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
 * Standalone: `npx tsx test/stripe-server.ts [--port N]` prints the port and runs until stopped.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'decline'; code?: string; message?: string; status?: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'error'; status: number; message?: string }
  | { kind: 'hang' };

export interface StubRequest { method: string; path: string; idempotencyKey: string | null; status: number; replayed: boolean; at: number; body: Record<string, unknown> }

export interface StubResponse { status: number; body: unknown; headers?: Record<string, string> }
export type RouteHandler = (req: { method: string; path: string; match: RegExpMatchArray; body: Record<string, unknown>; headers: http.IncomingHttpHeaders }) => StubResponse | Promise<StubResponse>;

export interface StripeTransfer {
  id: string; object: 'transfer'; amount: number; amount_reversed: number; balance_transaction: string; created: number; currency: string;
  description: string | null; destination: string; destination_payment: string; livemode: false; metadata: Record<string, string>;
  reversals: { object: 'list'; data: []; has_more: false; total_count: 0; url: string }; reversed: false; source_transaction: null; source_type: 'card'; transfer_group: string | null;
}

export interface StripeStub {
  port: number;
  url: string;
  transfers: StripeTransfer[];
  requests: StubRequest[];
  /** Queue a behaviour for the next request(s) of a resource ('transfers', or a route's name). */
  script(resource: string, ...behaviours: Behaviour[]): void;
  route(method: string, pattern: RegExp, handler: RouteHandler, resource?: string): void;
  /** Delay used for destinations containing "slow". */
  slowMs: number;
  reset(): void;
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
  status, body: { error: { type, message, ...(code ? { code } : {}), ...(param ? { param } : {}) } },
});

export async function startStripeStub(opts: { port?: number; log?: (m: string) => void } = {}): Promise<StripeStub> {
  const scripts = new Map<string, Behaviour[]>();
  const saved = new Map<string, { fingerprint: string; response: StubResponse }>();
  const routes: { method: string; pattern: RegExp; handler: RouteHandler; resource: string }[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const stub: StripeStub = {
    port: 0, url: '', transfers: [], requests: [], slowMs: 3_000,
    script(resource, ...behaviours) { scripts.set(resource, [...(scripts.get(resource) ?? []), ...behaviours]); },
    route(method, pattern, handler, resource) { routes.unshift({ method, pattern, handler, resource: resource ?? pattern.source }); },
    reset() { scripts.clear(); saved.clear(); stub.transfers.length = 0; stub.requests.length = 0; },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  // POST /v1/transfers, GET /v1/transfers/:id, GET /v1/transfers
  stub.route('POST', /^\/v1\/transfers$/, ({ body }) => {
    const amount = Number(body.amount);
    if (!Number.isInteger(amount) || amount <= 0) return stripeError(400, 'invalid_request_error', 'Invalid positive integer', 'parameter_invalid_integer', 'amount');
    if (typeof body.currency !== 'string' || !/^[a-z]{3}$/.test(body.currency)) return stripeError(400, 'invalid_request_error', 'Invalid currency', 'parameter_invalid', 'currency');
    const destination = String(body.destination ?? '');
    if (!/^acct_[A-Za-z0-9_]+$/.test(destination)) return stripeError(400, 'invalid_request_error', `No such destination: '${destination}'`, 'resource_missing', 'destination');
    if (destination.includes('decline')) {
      return stripeError(400, 'invalid_request_error', 'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments', 'insufficient_capabilities_for_transfer', 'destination');
    }
    const t: StripeTransfer = {
      id: id('tr'), object: 'transfer', amount, amount_reversed: 0, balance_transaction: id('txn'), created: Math.floor(Date.now() / 1000),
      currency: body.currency, description: (body.description as string | undefined) ?? null, destination, destination_payment: id('py'), livemode: false,
      metadata: (body.metadata as Record<string, string> | undefined) ?? {}, reversals: { object: 'list', data: [], has_more: false, total_count: 0, url: '' },
      reversed: false, source_transaction: null, source_type: 'card', transfer_group: (body.transfer_group as string | undefined) ?? null,
    };
    t.reversals.url = `/v1/transfers/${t.id}/reversals`;
    stub.transfers.push(t);
    return { status: 200, body: t };
  }, 'transfers');
  stub.route('GET', /^\/v1\/transfers\/(tr_[A-Za-z0-9]+)$/, ({ match }) => {
    const t = stub.transfers.find((x) => x.id === match[1]);
    return t ? { status: 200, body: t } : stripeError(404, 'invalid_request_error', `No such transfer: '${match[1]}'`, 'resource_missing', 'id');
  }, 'transfers.get');
  stub.route('GET', /^\/v1\/transfers$/, () => ({ status: 200, body: { object: 'list', data: [...stub.transfers].reverse(), has_more: false, url: '/v1/transfers' } }), 'transfers.list');

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { raw += c; });
    req.on('end', () => { void handle(req, res, raw).catch((e) => { opts.log?.(`stripe stub: ${String(e)}`); try { send(res, { status: 500, body: { error: { type: 'api_error', message: 'stub failure' } } }); } catch { /* gone */ } }); });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

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
    const log = (status: number, replayed: boolean) => stub.requests.push({ method, path: url.pathname, idempotencyKey: key, status, replayed, at: Date.now(), body });

    const auth = req.headers.authorization ?? '';
    if (!/^Bearer sk_(test|live)_\S+$/.test(auth)) {
      log(401, false);
      return send(res, stripeError(401, 'invalid_request_error', 'Invalid API Key provided'));
    }
    const route = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    if (!route) {
      log(404, false);
      return send(res, stripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${url.pathname})`));
    }
    const fingerprint = `${method} ${url.pathname} ${JSON.stringify(body)}`;
    if (method === 'POST' && key && saved.has(key)) {
      const s = saved.get(key)!;
      if (s.fingerprint !== fingerprint) {
        log(400, false);
        return send(res, stripeError(400, 'idempotency_error', `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`));
      }
      log(s.response.status, true);
      return send(res, s.response, { 'idempotent-replayed': 'true', 'original-request': 'req_saved' });
    }
    // Scripted behaviour, from the queue or from the destination's name.
    let b: Behaviour = scripts.get(route.resource)?.shift() ?? { kind: 'ok' };
    const dest = String(body.destination ?? '');
    if (b.kind === 'ok' && dest.includes('slow')) b = { kind: 'delay', ms: stub.slowMs };
    if (b.kind === 'ok' && dest.includes('fail500')) b = { kind: 'error', status: 500 };
    if (b.kind === 'hang') { log(0, false); return; }
    if (b.kind === 'error') {
      log(b.status, false);
      return send(res, { status: b.status, body: { error: { type: 'api_error', message: b.message ?? 'An unknown error occurred' } } });
    }
    let response: StubResponse;
    if (b.kind === 'decline') {
      response = stripeError(b.status ?? 400, 'invalid_request_error', b.message ?? 'Insufficient funds in Stripe account. In test mode, you can add funds to your available balance (bypassing your pending balance) by creating a charge with 4000 0000 0000 0077 as the test card.', b.code ?? 'balance_insufficient');
    } else {
      response = await route.handler({ method, path: url.pathname, match: url.pathname.match(route.pattern)!, body, headers: req.headers });
    }
    // Stripe saves the result of a request that started executing (success or 4xx).
    if (method === 'POST' && key && response.status < 500) saved.set(key, { fingerprint, response });
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
export function stubEnv(stub: { port: number }, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NNP_STRIPE_SECRET_KEY: 'sk_test_local_stub',
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
