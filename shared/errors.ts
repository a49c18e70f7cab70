import { wordError, type MessageKey, type MessageParams, type RuleKey } from './error-messages';
export type { MessageKey, MessageParams, RuleKey } from './error-messages';

/** Error codes that cross the IPC boundary; never a stack trace. */
export const ERROR_CODES = [
  'VALIDATION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PERIOD_CLOSED',
  'INSUFFICIENT_FUNDS',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorShape {
  code: ErrorCode;
  /** Spanish wording, for logs and scripts; screens word `key` + `params` in the chosen language. */
  message: string;
  /** Entry of the message catalogue (shared/error-messages.ts), e.g. "member.notFound". */
  key?: string;
  params?: MessageParams;
  details?: unknown;
}

/**
 * One field problem of a VALIDATION error: `path` is the field key ("email", "ranks.0.pv"),
 * `rule` a key of the catalogue's `rule.*` with its `params`; the screen puts the field's label in
 * front. `message` is the Spanish wording for scripts.
 */
export interface FieldIssue {
  path: string;
  rule: string;
  params?: MessageParams;
  message: string;
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PERIOD_CLOSED: 409,
  INSUFFICIENT_FUNDS: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** Thrown by services, mapped by the router; the renderer's client rethrows the same class. */
export class AppError extends Error implements AppErrorShape {
  public readonly key?: string;
  public readonly params?: MessageParams;
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: unknown,
    words?: { key: string; params?: MessageParams },
  ) {
    super(message);
    this.name = 'AppError';
    if (words) {
      this.key = words.key;
      if (words.params) this.params = words.params;
    }
  }
  /** The usual way: a catalogue key and its params; the Spanish message is worded from them. */
  static of(code: ErrorCode, key: MessageKey, params: MessageParams = {}, details?: unknown): AppError {
    return new AppError(code, wordError(key, params), details, { key, params });
  }
  /** A VALIDATION error naming fields: each issue a rule key (+ params) for one field key. */
  static fields(
    issues: { path: string; rule: RuleKey; params?: MessageParams }[],
    key: MessageKey = 'validation.invalid',
    params: MessageParams = {},
  ): AppError {
    const full: FieldIssue[] = issues.map((i) => ({ ...i, message: wordError(`rule.${i.rule}`, i.params) }));
    const message = `${wordError(key, params)} ${full.map((i) => `${i.path}: ${i.message}`).join('; ')}`.trim();
    return new AppError('VALIDATION', message, { issues: full }, { key, params });
  }
  static fromShape(s: AppErrorShape): AppError {
    return new AppError(s.code, s.message, s.details, s.key ? { key: s.key, params: s.params } : undefined);
  }
  toJSON(): AppErrorShape {
    return {
      code: this.code,
      message: this.message,
      ...(this.key ? { key: this.key } : {}),
      ...(this.params ? { params: this.params } : {}),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export type RpcResult<T> = { ok: true; data: T } | { ok: false; error: AppErrorShape };
