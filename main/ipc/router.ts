import { z } from 'zod';
import { contract, type ProcedureName } from '../../shared/contract';
import { AppError, type AppErrorShape, type RpcResult } from '../../shared/errors';
import type { AppServices, CallContext } from '../kernel/context';
import { mapDbError, type Handlers } from '../kernel/wrappers';
import { resolveSession } from '../services/auth/sessions';

export type { Handlers };

export interface CallMeta {
  transport: 'http' | 'electron';
  token: string | null;
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
  if (!Object.hasOwn(contract, name)) throw new AppError('NOT_FOUND', `Procedimiento desconocido: ${name}`);
  const key = name as ProcedureName;
  const proc = contract[key];

  const ctx: CallContext = { ...app, procedure: key, transport: meta.transport, staff: null, sessionId: null, token: meta.token };
  if (proc.roles !== 'public') {
    const session = meta.token ? await resolveSession(app, meta.token) : null;
    if (!session) throw new AppError('UNAUTHENTICATED', 'Sesión inválida o vencida. Inicie sesión de nuevo.');
    ctx.staff = session.staff;
    ctx.sessionId = session.sessionId;
    if (!(proc.roles as readonly string[]).includes(session.staff.role)) {
      throw new AppError('FORBIDDEN', 'Su rol no permite esta operación.', { role: session.staff.role, procedure: key });
    }
    if (session.staff.mustChangePassword && key !== 'auth.changePassword' && key !== 'auth.me' && key !== 'auth.logout') {
      throw new AppError('FORBIDDEN', 'Debe cambiar su contraseña antes de continuar.', { mustChangePassword: true });
    }
  }

  const parsed = (proc.input as z.ZodType).safeParse(rawInput === undefined || rawInput === null ? {} : rawInput);
  if (!parsed.success) {
    throw new AppError('VALIDATION', 'Datos inválidos.', {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  const handler = handlers[key] as unknown as (input: unknown, ctx: CallContext) => Promise<unknown>;
  const out = await handler(parsed.data, ctx);
  // The output schema strips what the contract does not promise (e.g. password hashes).
  const checked = (proc.output as z.ZodType).safeParse(out);
  if (!checked.success) {
    app.log(`output of ${key} does not match the contract`, checked.error.issues);
    throw new AppError('INTERNAL', 'Error interno: respuesta fuera de contrato.');
  }
  return checked.data;
}

function toErrorShape(e: unknown, app: AppServices, name: string): AppErrorShape {
  if (e instanceof AppError) return e.toJSON();
  const mapped = mapDbError(e);
  if (mapped) return mapped.toJSON();
  app.log(`procedure ${name} failed`, e);
  return { code: 'INTERNAL', message: 'Error interno. El detalle quedó en el registro del sistema.' };
}
