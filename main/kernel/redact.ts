/**
 * What the error log may show of an error: its kind, message, SQLSTATE and constraint — never the
 * query's parameters. Drizzle's DrizzleQueryError puts them in its message ("params: …") and on
 * `.params`; postgres.js keeps them on `.parameters`. A failed INSERT into staff printed a new
 * account's scrypt hash that way, so every log line goes through here.
 */
export interface RedactedError {
  name: string;
  message: string;
  code?: string;
  constraint?: string;
  table?: string;
  cause?: RedactedError;
}

const MAX_DEPTH = 4;

function stripParams(message: string): string {
  const i = message.search(/\n\s*params:/);
  return i >= 0 ? message.slice(0, i) + '\nparams: [redactados]' : message;
}

export function redactError(e: unknown, depth = 0): RedactedError | string {
  if (!(e instanceof Error)) {
    if (e && typeof e === 'object') return '[objeto]';
    return String(e);
  }
  const x = e as Error & { code?: unknown; constraint_name?: unknown; table_name?: unknown; cause?: unknown };
  const out: RedactedError = { name: x.name, message: stripParams(x.message) };
  if (typeof x.code === 'string') out.code = x.code;
  if (typeof x.constraint_name === 'string') out.constraint = x.constraint_name;
  if (typeof x.table_name === 'string') out.table = x.table_name;
  if (x.cause !== undefined && depth < MAX_DEPTH) {
    const c = redactError(x.cause, depth + 1);
    if (typeof c !== 'string') out.cause = c;
  }
  return out;
}

/** Log extras: errors are redacted; plain data (zod issues, counters) passes as it is. */
export function redactExtra(extra: unknown): unknown {
  if (extra instanceof Error) return redactError(extra);
  return extra;
}

/** One line for a log or an error column: the message without the query's parameters. */
export function safeMessage(e: unknown): string {
  return e instanceof Error ? stripParams(e.message) : String(e);
}
