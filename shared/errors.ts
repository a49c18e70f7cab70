/** Error codes that cross the IPC boundary; never a stack trace. */
export const ERROR_CODES = [
  'VALIDATION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PERIOD_CLOSED',
  'INSUFFICIENT_FUNDS',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorShape {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PERIOD_CLOSED: 409,
  INSUFFICIENT_FUNDS: 409,
  INTERNAL: 500,
};

/** Thrown by services, mapped by the router; the renderer's client rethrows the same class. */
export class AppError extends Error implements AppErrorShape {
  constructor(public readonly code: ErrorCode, message: string, public readonly details?: unknown) {
    super(message);
    this.name = 'AppError';
  }
  toJSON(): AppErrorShape {
    return { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }
}

export type RpcResult<T> = { ok: true; data: T } | { ok: false; error: AppErrorShape };
