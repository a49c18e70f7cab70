import type { InputOf, OutputOf, ProcedureName } from '../../../shared/contract';
import { AppError, type RpcResult } from '../../../shared/errors';
import { useSession } from '../stores/session';

/** What the Electron preload exposes: one function, nothing else. */
interface DesktopBridge {
  invoke(procedure: string, input: unknown): Promise<RpcResult<unknown>>;
  /** Live updates: called with the names of the areas another desktop changed; answers the unsubscribe. */
  onChanged?(fn: (areas: string[]) => void): () => void;
}
declare global {
  interface Window {
    nnp?: DesktopBridge;
  }
}

export const transport: 'electron' | 'http' = typeof window !== 'undefined' && window.nnp ? 'electron' : 'http';

async function send(name: string, input: unknown): Promise<RpcResult<unknown>> {
  if (window.nnp) return window.nnp.invoke(name, input); // the main process keeps the session token
  const token = useSession.getState().token;
  const res = await fetch(`rpc/${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input ?? {}),
  });
  try {
    return (await res.json()) as RpcResult<unknown>;
  } catch {
    return { ok: false, error: AppError.of('INTERNAL', 'transport.badAnswer', { status: res.status }).toJSON() };
  }
}

/** Calls one procedure of the contract; rejects with AppError when it answers an error. */
export async function call<K extends ProcedureName>(name: K, input: InputOf<K>): Promise<OutputOf<K>> {
  let result: RpcResult<unknown>;
  try {
    result = await send(name, input);
  } catch {
    throw AppError.of('INTERNAL', 'transport.unreachable');
  }
  if (result.ok) return result.data as OutputOf<K>;
  const err = AppError.fromShape(result.error);
  if (err.code === 'UNAUTHENTICATED' && name !== 'auth.login') useSession.getState().signOut();
  throw err;
}
