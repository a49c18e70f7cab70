/**
 * Stripe webhook receiver: POST /stripe/webhook on its own port (127.0.0.1 unless a host is given,
 * for a server that stays online). The signature is verified on the RAW body with the official
 * SDK (stripe.webhooks.constructEvent, endpoint secret NNP_STRIPE_WEBHOOK_SECRET, tolerance
 * NNP_STRIPE_WEBHOOK_TOLERANCE_S, default 300 s): a missing or bad signature, or a replay older
 * than the tolerance — or more than the tolerance in the future —, answers 400 and stores nothing.
 * A correctly signed body that is not an event we can apply (no evt_ id / type / created /
 * data.object, or an object of the wrong kind for its type) is stored as processed with outcome
 * 'ignored' and its reason, and answered 200: Stripe would otherwise redeliver it for days, and it
 * could never apply. A verified event is stored by its id and
 * applied exactly once (../services/payments/apply.ts); a redelivery answers 200 and changes
 * nothing; an event that could not be applied answers 500 so Stripe delivers it again.
 */
import http from 'node:http';
import type { AppServices } from '../kernel/context';
import { applyStripeEvent, eventShapeProblem, recordMalformedEvent, systemContext, WEBHOOK_ACTOR } from '../services/payments/apply';
import { stripeClient, stripeSettingsFromEnv } from '../services/withdrawals/stripe';
import { safeMessage } from '../kernel/redact';

export const WEBHOOK_PATH = '/stripe/webhook';
const MAX_BODY = 1024 * 1024;

export interface WebhookOptions {
  services: AppServices;
  secret: string;
  toleranceSeconds?: number;
  host?: string;
  port?: number;
}

export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv = process.env) {
  return {
    secret: env.NNP_STRIPE_WEBHOOK_SECRET ?? '',
    toleranceSeconds: env.NNP_STRIPE_WEBHOOK_TOLERANCE_S ? Number(env.NNP_STRIPE_WEBHOOK_TOLERANCE_S) : 300,
    host: env.NNP_WEBHOOK_HOST || '127.0.0.1',
    port: Number(env.NNP_WEBHOOK_PORT ?? 47720),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function rawBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error('too-large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The `t=` of a Stripe-Signature header (the last one, as the SDK reads it), or null. */
export function signedAt(header: string): number | null {
  let t: number | null = null;
  for (const item of header.split(',')) {
    const [k, v] = item.split('=');
    if (k?.trim() === 't' && v && /^\d{1,12}$/.test(v.trim())) t = Number(v.trim());
  }
  return t;
}

export function createWebhookServer(opts: WebhookOptions) {
  if (!opts.secret) throw new Error('NNP_STRIPE_WEBHOOK_SECRET no está configurado: el receptor no puede verificar firmas.');
  const tolerance = opts.toleranceSeconds ?? 300;
  // The SDK client from the shared factory; verifying a signature needs no API key, only the endpoint secret.
  const stripe = stripeClient(stripeSettingsFromEnv() ?? { secretKey: 'sk_test_webhook_verification_only', timeoutMs: 20_000, maxNetworkRetries: 0 });
  const log = opts.services.log;
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://receiver');
      if (url.pathname === '/health' && req.method === 'GET') return send(res, 200, { ok: true });
      if (url.pathname !== WEBHOOK_PATH) return send(res, 404, { error: 'not found' });
      if (req.method !== 'POST') return send(res, 405, { error: 'use POST' });
      let body: Buffer;
      try {
        body = await rawBody(req);
      } catch {
        return send(res, 413, { error: 'body too large' });
      }
      const signature = req.headers['stripe-signature'];
      if (typeof signature !== 'string' || signature.length === 0) return send(res, 400, { error: 'missing Stripe-Signature' });
      // The SDK refuses only old timestamps; one from the future (a clock far off, or a header
      // forged for later replay) is refused too, with the same tolerance.
      const t = signedAt(signature);
      if (t != null && t > Math.floor(Date.now() / 1000) + tolerance) {
        log('webhook: firma con fecha futura rechazada');
        return send(res, 400, { error: 'timestamp in the future' });
      }
      let event: unknown;
      try {
        event = stripe.webhooks.constructEvent(body, signature, opts.secret, tolerance);
      } catch (e) {
        log(`webhook: firma rechazada: ${e instanceof Error ? e.message : String(e)}`);
        return send(res, 400, { error: 'invalid signature' });
      }
      const problem = eventShapeProblem(event);
      if (problem) {
        // Signed by Stripe but not an event we can apply: on record, acknowledged (see the header).
        const m = await recordMalformedEvent({ body, reason: problem, actor: WEBHOOK_ACTOR }, systemContext(opts.services, 'stripe.webhook'));
        log(`webhook: evento con forma inválida (${problem}), guardado como ${m.eventId} sin efecto`);
        return send(res, 200, { received: true, duplicate: false, outcome: 'ignored' });
      }
      const r = await applyStripeEvent(systemContext(opts.services, 'stripe.webhook'), event, 'webhook', WEBHOOK_ACTOR);
      if (r.outcome === 'error') {
        log(`webhook: ${r.eventId} no se aplicó: ${r.error}`);
        return send(res, 500, { received: true, applied: false, error: r.error });
      }
      return send(res, 200, { received: true, duplicate: r.duplicate, outcome: r.outcome });
    } catch (e) {
      log(`webhook: error interno: ${safeMessage(e)}`);
      if (!res.headersSent) send(res, 500, { error: 'internal' });
      else res.end();
    }
  });
  return {
    server,
    listen: (port = opts.port ?? 0, host = opts.host ?? '127.0.0.1') =>
      new Promise<{ port: number; url: string }>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const addr = server.address();
          const p = typeof addr === 'object' && addr ? addr.port : port;
          resolve({ port: p, url: `http://${host.includes(':') ? `[${host}]` : host}:${p}${WEBHOOK_PATH}` });
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
