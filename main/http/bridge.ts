import http from 'node:http';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { contract } from '../../shared/contract';
import { HTTP_STATUS, type RpcResult } from '../../shared/errors';
import type { Router } from '../ipc/router';
import type { ChangeFeed } from '../db/changes';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

const MAX_BODY = 2 * 1024 * 1024;
const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/i;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json',
};

export interface BridgeOptions {
  router: Router;
  /** The built renderer (dist/renderer); omitted for a headless API server. */
  staticDir?: string;
  port?: number;
  /** Live changes from the database (GET /events, Server-Sent Events); omitted: no live updates. */
  changes?: ChangeFeed;
}

/** The contract as data: every procedure with its roles and input JSON Schema. */
export function describeContract() {
  return Object.entries(contract).map(([name, p]) => ({
    name,
    kind: p.kind,
    roles: p.roles,
    summary: p.summary,
    input: z.toJSONSchema(p.input as z.ZodType, { io: 'input', unrepresentable: 'any' }),
  }));
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error('too-large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createBridge(opts: BridgeOptions) {
  const tickets = new Map<string, { token: string; until: number }>();
  const server = http.createServer(async (req, res) => {
    try {
      // DNS rebinding: a page on another name that resolves to 127.0.0.1 must not reach us.
      if (!LOOPBACK_HOST.test(req.headers.host ?? '')) {
        send(res, 403, { ok: false, error: { code: 'FORBIDDEN', message: 'Host no permitido.' } });
        return;
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/rpc' && req.method === 'GET') {
        send(res, 200, { ok: true, data: describeContract() });
        return;
      }
      if (url.pathname === '/events' || url.pathname === '/events/ticket') {
        await handleEvents(opts, tickets, url, req, res);
        return;
      }
      if (url.pathname.startsWith('/rpc/')) {
        if (req.method !== 'POST') {
          send(res, 405, { ok: false, error: { code: 'VALIDATION', message: 'Use POST.' } });
          return;
        }
        let name: string;
        try {
          name = decodeURIComponent(url.pathname.slice(5));
        } catch {
          // A malformed escape (/rpc/%ZZ) names no procedure.
          send(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'Procedimiento desconocido.' } });
          return;
        }
        await handleRpc(opts.router, name, req, res);
        return;
      }
      if (opts.staticDir && (req.method === 'GET' || req.method === 'HEAD')) {
        serveStatic(opts.staticDir, url.pathname, res);
        return;
      }
      send(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'No encontrado.' } });
    } catch {
      if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'INTERNAL', message: 'Error interno.' } });
      else res.end();
    }
  });
  return {
    server,
    listen: (port = opts.port ?? 0) =>
      new Promise<{ port: number; url: string }>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          const addr = server.address();
          const p = typeof addr === 'object' && addr ? addr.port : port;
          resolve({ port: p, url: `http://127.0.0.1:${p}/` });
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handleRpc(router: Router, name: string, req: http.IncomingMessage, res: http.ServerResponse) {
  // JSON only: a cross-site form or text/plain post cannot reach a procedure without a CORS preflight.
  const ctype = String(req.headers['content-type'] ?? '');
  let input: unknown = {};
  let text: string;
  try {
    text = await readBody(req);
  } catch {
    send(res, 413, { ok: false, error: { code: 'VALIDATION', message: 'Solicitud demasiado grande.' } });
    return;
  }
  if (text.length > 0) {
    if (!ctype.startsWith('application/json')) {
      send(res, 415, { ok: false, error: { code: 'VALIDATION', message: 'Se espera application/json.' } });
      return;
    }
    try {
      input = JSON.parse(text);
    } catch {
      send(res, 400, { ok: false, error: { code: 'VALIDATION', message: 'JSON inválido.' } });
      return;
    }
  }
  const auth = String(req.headers.authorization ?? '');
  const token = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : null;
  const result: RpcResult<unknown> = await router.call(name, input, {
    transport: 'http',
    token,
    source: `http:${hostname()}:${req.socket.remoteAddress ?? '?'}`,
  });
  send(res, result.ok ? 200 : HTTP_STATUS[result.error.code], result);
}

/**
 * Live changes for one signed-in screen (issue 16 item 6). The renderer reads them with
 * EventSource (a stream the browser keeps open and that tools waiting for an idle network ignore),
 * which cannot send the bearer token, so: `POST /events/ticket` with the token answers a single-use
 * ticket valid 30 s; `GET /events?ticket=…` checks the session again and streams `event: changed`
 * with `{"areas":[…]}` whenever the database reports a committed change (main/db/changes.ts), plus a
 * comment every 25 s. Only area names travel, never data.
 */
const TICKET_MS = 30_000;

async function sessionOf(router: Router, token: string | null, req: http.IncomingMessage) {
  return router.call('auth.me', {}, { transport: 'http', token, source: `http:${hostname()}:${req.socket.remoteAddress ?? '?'}` });
}

async function handleEvents(
  opts: BridgeOptions,
  tickets: Map<string, { token: string; until: number }>,
  url: URL,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  const changes = opts.changes;
  if (!changes) {
    send(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'No encontrado.' } });
    return;
  }
  const now = Date.now();
  for (const [k, v] of tickets) if (v.until < now) tickets.delete(k);
  if (url.pathname === '/events/ticket') {
    if (req.method !== 'POST') {
      send(res, 405, { ok: false, error: { code: 'VALIDATION', message: 'Use POST.' } });
      return;
    }
    const auth = String(req.headers.authorization ?? '');
    const token = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : null;
    const me = await sessionOf(opts.router, token, req);
    if (!me.ok || !token) {
      send(res, me.ok ? 401 : HTTP_STATUS[me.error.code], me.ok ? { ok: false, error: { code: 'UNAUTHENTICATED', message: 'Sesión no válida.' } } : me);
      return;
    }
    const ticket = randomBytes(24).toString('base64url');
    tickets.set(ticket, { token, until: now + TICKET_MS });
    send(res, 200, { ok: true, data: { ticket } });
    return;
  }
  if (req.method !== 'GET') {
    send(res, 405, { ok: false, error: { code: 'VALIDATION', message: 'Use GET.' } });
    return;
  }
  const ticket = url.searchParams.get('ticket') ?? '';
  const held = tickets.get(ticket);
  tickets.delete(ticket);
  const me = held ? await sessionOf(opts.router, held.token, req) : null;
  if (!me?.ok) {
    send(
      res,
      me && !me.ok ? HTTP_STATUS[me.error.code] : 401,
      me && !me.ok ? me : { ok: false, error: { code: 'UNAUTHENTICATED', message: 'Sesión no válida.' } },
    );
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'keep-alive',
  });
  res.write(': nnprotect\n\n');
  const unsubscribe = changes.subscribe((areas) => res.write(`event: changed\ndata: ${JSON.stringify({ areas })}\n\n`));
  const beat = setInterval(() => res.write(': .\n\n'), 25_000);
  beat.unref();
  const end = () => {
    clearInterval(beat);
    unsubscribe();
  };
  req.on('close', end);
  res.on('close', end);
}

function serveStatic(root: string, pathname: string, res: http.ServerResponse) {
  const rootAbs = path.resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    decoded = '/';
  }
  let file = path.resolve(rootAbs, '.' + path.posix.normalize(decoded));
  if (!file.startsWith(rootAbs)) file = path.join(rootAbs, 'index.html');
  if (!existsSync(file) || statSync(file).isDirectory()) file = path.join(rootAbs, 'index.html'); // single-page app
  if (!existsSync(file)) {
    send(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'La interfaz no está construida (npm run build).' } });
    return;
  }
  const ext = path.extname(file);
  res.writeHead(200, {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': ext === '.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  createReadStream(file).pipe(res);
}
