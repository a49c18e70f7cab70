import { z } from 'zod';
import { contract, type ProcedureName } from '../../shared/contract';
import { AppError, type AppErrorShape, type MessageParams, type RpcResult, type RuleKey } from '../../shared/errors';
import { ruleOfMessage } from '../../shared/error-messages';
import type { AppServices, CallContext } from '../kernel/context';
import { mapDbError, type Handlers } from '../kernel/wrappers';
import { resolveSession } from '../services/auth/sessions';
import { askEngine } from './engine';

export type { Handlers };

export interface CallMeta {
  transport: 'http' | 'electron';
  token: string | null;
  /** The caller's machine and address, e.g. 'http:host:127.0.0.1' (failed logins count per source). */
  source?: string;
}

export interface Router {
  call(name: string, input: unknown, meta: CallMeta): Promise<RpcResult<unknown>>;
}

export function createRouter(app: AppServices, handlers: Handlers): Router {
  return {
    async call(name, rawInput, meta) {
      try {
        return { ok: true, data: await dispatch(app, handlers, name, rawInput, meta) };
      } catch (e) {
        return { ok: false, error: toErrorShape(e, app, name) };
      }
    },
  };
}

async function dispatch(app: AppServices, handlers: Handlers, name: string, rawInput: unknown, meta: CallMeta) {
  if (!Object.hasOwn(contract, name)) throw AppError.of('NOT_FOUND', 'router.unknownProcedure', { name });
  const key = name as ProcedureName;
  const proc = contract[key];

  const ctx: CallContext = {
    ...app,
    // A staff desktop without owner credentials has no pool of its own: background work uses the person's.
    appDb: app.serverSignIn ? undefined : app.db,
    procedure: key,
    transport: meta.transport,
    staff: null,
    sessionId: null,
    token: meta.token,
    source: meta.source,
  };
  if (proc.roles !== 'public') {
    const session = meta.token ? await resolveSession(app, meta.token) : null;
    if (!session) throw AppError.of('UNAUTHENTICATED', 'router.session');
    ctx.staff = session.staff;
    ctx.sessionId = session.sessionId;
    if (!(proc.roles as readonly string[]).includes(session.staff.role)) {
      throw AppError.of('FORBIDDEN', 'router.role', {}, { role: session.staff.role, procedure: key });
    }
    if (session.staff.mustChangePassword && key !== 'auth.changePassword' && key !== 'auth.me' && key !== 'auth.logout') {
      throw AppError.of('FORBIDDEN', 'router.mustChangePassword', {}, { mustChangePassword: true });
    }
  }

  const parsed = checkedInput(key, rawInput);
  const handler = handlerOf(handlers, key);
  let out: unknown;
  if (ctx.sessionId && app.connections) {
    const own = app.connections.get(ctx.sessionId);
    // No connection for a live session: the app was restarted since the login, and only the
    // person's password (never stored) opens their login again. The session is not live in this
    // process for any procedure: a token alone never acts without its login.
    if (!own) throw AppError.of('UNAUTHENTICATED', 'router.session');
    if (handler.engine) {
      // Asked of the engine service on the person's own login (main/ipc/engine.ts): the input as
      // sent, which the engine checks again against the contract.
      out = await askEngine(own.sql, key, rawInput ?? {});
    } else {
      // A signed-in person's reads and changes run on their own PostgreSQL login: the database checks them too.
      ctx.db = own.db;
      ctx.sql = own.sql;
      out = await handler(parsed, ctx);
    }
  } else {
    // No staff connections (a bench's services over a bare handle): the handler runs on the app's pool.
    out = await handler(parsed, ctx);
  }
  return checkedOutput(app, key, out);
}

/** A procedure's handler, called with its already-checked input (the map's types are per procedure). */
export function handlerOf(handlers: Handlers, key: ProcedureName) {
  return handlers[key] as unknown as ((input: unknown, ctx: CallContext) => Promise<unknown>) & { kind: 'query' | 'mutation'; engine?: string };
}

/** A call's input as its procedure's schema reads it, or the VALIDATION error naming each field (the engine checks a request the same way). */
export function checkedInput(key: ProcedureName, rawInput: unknown): unknown {
  const nul = findNul(rawInput);
  if (nul != null) {
    // PostgreSQL text cannot hold U+0000: refused here as bad input instead of failing in the driver.
    throw AppError.fields([{ path: nul, rule: 'nulChar' }]);
  }
  const parsed = (contract[key].input as z.ZodType).safeParse(rawInput === undefined || rawInput === null ? {} : rawInput);
  if (!parsed.success) throw AppError.fields(parsed.error.issues.map(fieldIssue));
  return parsed.data;
}

/** The output schema strips what the contract does not promise (e.g. password hashes); an answer outside it is INTERNAL. */
export function checkedOutput(app: Pick<AppServices, 'log'>, key: ProcedureName, out: unknown): unknown {
  const checked = (contract[key].output as z.ZodType).safeParse(out);
  if (!checked.success) {
    app.log(`output of ${key} does not match the contract`, checked.error.issues);
    throw AppError.of('INTERNAL', 'router.outputContract');
  }
  return checked.data;
}

/** The path of the first string (value or key) holding a NUL character, or null. */
export function findNul(v: unknown, path = '', depth = 0): string | null {
  if (typeof v === 'string') return v.includes('\u0000') ? path : null;
  if (v == null || typeof v !== 'object' || depth > 32) return null;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    if (k.includes('\u0000')) return p;
    const hit = findNul(x, p, depth + 1);
    if (hit != null) return hit;
  }
  return null;
}

export function toErrorShape(e: unknown, app: Pick<AppServices, 'log'>, name: string): AppErrorShape {
  if (e instanceof AppError) return e.toJSON();
  const mapped = mapDbError(e);
  // A privilege the database refused to the app's own procedure is a gap in the grants: worth a log line.
  if (mapped?.code === 'FORBIDDEN') app.log(`procedure ${name} refused by the database`, e);
  if (mapped) return mapped.toJSON();
  app.log(`procedure ${name} failed`, e);
  return AppError.of('INTERNAL', 'generic.INTERNAL').toJSON();
}

/**
 * One zod issue as a field problem the screen can word in either language: the field key, a rule
 * of the catalogue and its numbers. A schema's own message (written with `rule()`) keeps its rule;
 * zod's English wording never leaves the main process.
 */
export function fieldIssue(i: z.core.$ZodIssue): { path: string; rule: RuleKey; params?: MessageParams } {
  const path = i.path.map(String).join('.');
  const own = ruleOfMessage(i.message);
  if (own) return { path, rule: own };
  const n = (v: unknown) => (typeof v === 'bigint' ? Number(v) : (v as number));
  switch (i.code) {
    case 'too_big':
      if (i.origin === 'string') return { path, rule: 'tooLongString', params: { maximum: n(i.maximum) } };
      if (i.origin === 'array' || i.origin === 'set') return { path, rule: 'tooBigArray', params: { maximum: n(i.maximum) } };
      return { path, rule: 'tooBigNumber', params: { maximum: n(i.maximum) } };
    case 'too_small':
      if (i.origin === 'string') return n(i.minimum) <= 1 ? { path, rule: 'required' } : { path, rule: 'tooShortString', params: { minimum: n(i.minimum) } };
      if (i.origin === 'array' || i.origin === 'set') return { path, rule: 'tooSmallArray', params: { minimum: n(i.minimum) } };
      return { path, rule: 'tooSmallNumber', params: { minimum: n(i.minimum) } };
    case 'invalid_type':
      if (/received undefined/.test(i.message)) return { path, rule: 'required' };
      if (i.expected === 'int') return { path, rule: 'integer' };
      return { path, rule: 'type' };
    case 'invalid_format':
      if (i.format === 'email') return { path, rule: 'email' };
      if (i.format === 'datetime' || i.format === 'date' || i.format === 'time') return { path, rule: 'datetime' };
      return { path, rule: 'format' };
    case 'invalid_value':
      return { path, rule: 'oneOf' };
    case 'unrecognized_keys':
      return { path: i.keys.join(', '), rule: 'unknownField' };
    default:
      return { path, rule: 'invalid' };
  }
}
