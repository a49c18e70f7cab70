/**
 * COPY with postgres.js, the two ways round, with the library's two traps handled once:
 * - COPY … FROM STDIN: an error the server raises while taking the rows (a constraint, a bad value)
 *   only rejects the query promise, which already resolved to the stream: a writer waiting for the
 *   stream to finish would wait forever. `openCopy` routes that rejection to the stream.
 * - COPY … TO STDOUT: a readable paused by backpressure (`pipeline`) can leave its pooled
 *   connection busy for good, the next query on it never answering (porsager/postgres#499, #917).
 *   `copyOut` never pauses it: the consumer must take each chunk at once.
 */
import type postgres from 'postgres';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';

type Conn = postgres.ISql;

/** A COPY FROM STDIN in progress. */
export interface CopyIn {
  writable: Writable;
  /** Settles when the server has taken (or refused) every row. */
  done: Promise<void>;
}

/** Open COPY streams, so that a failure elsewhere can abort them before rolling back. */
export type OpenCopies = Set<Writable>;

/** Starts `copy … from stdin` (the whole statement), its server-side errors routed to the stream. */
export async function openCopy(c: Conn, statement: string, open: OpenCopies = new Set()): Promise<CopyIn> {
  const query = c.unsafe(statement);
  let writable: Writable | undefined;
  let failure: unknown;
  const q = query as unknown as { reject?: (e: unknown) => void };
  const reject = q.reject;
  if (typeof reject === 'function') {
    q.reject = (e: unknown) => {
      failure = e;
      if (writable && !writable.destroyed) writable.destroy(e instanceof Error ? e : new Error(String(e)));
      reject(e);
    };
  }
  writable = (await query.writable()) as Writable;
  const w = writable;
  open.add(w);
  const done = finished(w).then(
    () => {
      open.delete(w);
    },
    (e: unknown) => {
      open.delete(w);
      throw failure ?? e;
    },
  );
  done.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  return { writable: w, done };
}

/** Runs `copy … from stdin` fed by `chunks`; rejects with the server's error if it refuses a row. */
export async function copyIn(
  c: Conn,
  statement: string,
  chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  open?: OpenCopies,
): Promise<void> {
  const copy = await openCopy(c, statement, open);
  try {
    await pipeline(chunks, copy.writable);
  } catch (e) {
    await copy.done.catch((f: unknown) => {
      throw f;
    });
    throw e;
  }
  await copy.done;
}

/** Stops the COPYs still being written (the server then refuses them), before a rollback. */
export function abortCopies(open: OpenCopies, reason: unknown): void {
  for (const w of open) {
    if (!w.writableEnded && !w.destroyed) w.destroy(reason instanceof Error ? reason : new Error(String(reason)));
  }
}

/** Runs `copy … to stdout`, handing every chunk to `take` as it arrives (never paused, see above). */
export async function copyOut(c: Conn, statement: string, take: (chunk: Buffer) => void): Promise<void> {
  const source = await c.unsafe(statement).readable();
  await new Promise<void>((resolve, reject) => {
    source.on('data', (chunk: Buffer) => {
      try {
        take(chunk);
      } catch (e) {
        source.destroy(e as Error);
      }
    });
    source.on('end', () => {
      // postgres.js pauses its socket when this stream's buffer fills before anyone reads it and
      // resumes it only from the stream's _read; when the COPY ended inside that paused read (a
      // small output, all in one socket read) nothing resumed it, and the connection's next
      // statement never got its answer. Resuming an already flowing socket does nothing.
      (source as unknown as { _read?: (n: number) => void })._read?.(0);
      resolve();
    });
    source.on('error', reject);
  });
}

/**
 * How copyOutNumbers reads each column: 'int' an integer; 'cents' a decimal of at most two
 * decimals as integer hundredths ("12.5" → 1250); 'code' a short ASCII code (a currency) packed
 * into an integer, byte by byte (see packedCode).
 */
export type NumberColumn = 'int' | 'cents' | 'code';

/** The integer copyOutNumbers gives a 'code' column holding `code` (up to 6 ASCII characters). */
export function packedCode(code: string): number {
  let v = 0;
  for (let i = 0; i < code.length; i++) v = v * 256 + code.charCodeAt(i);
  return v;
}

/**
 * `copy (…) to stdout` read straight into numbers: each row handed to `row` as a reused
 * Float64Array (NaN for NULL) as it is parsed — no string or object per row, so a million-row read
 * costs the garbage collector nothing. Every value must fit its column's kind and stay an integer
 * below 2^53; anything else is refused (an Error, never a wrong figure).
 */
export async function copyOutNumbers(c: Conn, statement: string, columns: readonly NumberColumn[], row: (values: Float64Array) => void): Promise<number> {
  const width = columns.length;
  const values = new Float64Array(width);
  let col = 0;
  let acc = 0;
  let neg = false;
  let digits = 0;
  let decimals = -1; // −1: no decimal point seen
  let isNull = false;
  let escaped = false;
  let rows = 0;
  const bad = (why: string) => new Error(`copyOutNumbers: ${why} (row ${rows + 1}, column ${col + 1})`);
  const endField = () => {
    if (col >= width) throw bad('too many columns');
    if (escaped) throw bad('lone backslash');
    const kind = columns[col];
    if (isNull) values[col] = NaN;
    else if (digits === 0) throw bad('empty field');
    else {
      let v = acc;
      if (kind === 'cents') v = decimals <= 0 ? acc * 100 : decimals === 1 ? acc * 10 : acc;
      if (!Number.isSafeInteger(v)) throw bad('beyond 2^53');
      values[col] = neg ? -v : v;
    }
    col++;
    acc = 0;
    neg = false;
    digits = 0;
    decimals = -1;
    isNull = false;
  };
  await copyOut(c, statement, (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 9) endField();
      else if (b === 10) {
        endField();
        if (col !== width) throw bad('too few columns');
        rows++;
        row(values);
        col = 0;
      } else if (isNull) throw bad(`unexpected byte ${b} after NULL`);
      else if (escaped) {
        // COPY's text format writes NULL as \N; a backslash means nothing else in these columns.
        if (b !== 78) throw bad(`unexpected escape \\${String.fromCharCode(b)}`);
        isNull = true;
        escaped = false;
      } else if (b === 92 && digits === 0 && !neg) escaped = true;
      else if (columns[col] === 'code') {
        if (b < 32 || b > 126 || b === 92 || digits >= 6) throw bad(`not a short code (byte ${b})`);
        acc = acc * 256 + b;
        digits++;
      } else if (b >= 48 && b <= 57) {
        if (decimals >= 0 && ++decimals > 2) throw bad('more than two decimals');
        acc = acc * 10 + (b - 48);
        digits++;
      } else if (b === 46 && columns[col] === 'cents' && decimals < 0 && digits > 0) decimals = 0;
      else if (b === 45 && digits === 0 && !neg) neg = true;
      else throw bad(`unexpected byte ${b}`);
    }
  });
  if (col !== 0 || digits !== 0) throw bad('last row cut short');
  return rows;
}
