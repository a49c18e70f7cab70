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

/** A row parser fed text in COPY's format (tab between fields, newline after each row, \N for NULL). */
interface NumberRows {
  feed(chunk: Uint8Array): void;
  /** Checks that the last row was whole; answers the rows read. */
  end(): number;
}

/**
 * Parses rows of numbers as they arrive: each row handed to `row` as a reused Float64Array (NaN
 * for NULL) — no string or object per row, so a million-row read costs the garbage collector
 * nothing. Every value must fit its column's kind and stay an integer below 2^53; anything else is
 * refused (an Error, never a wrong figure).
 */
function numberRows(columns: readonly NumberColumn[], row: (values: Float64Array) => void): NumberRows {
  const width = columns.length;
  const values = new Float64Array(width);
  const kinds = Uint8Array.from(columns, (k) => (k === 'int' ? INT : k === 'cents' ? CENTS : CODE));
  // The state between chunks. feed() works on local copies: the loop runs once per byte (tens of
  // millions of times) and variables shared with a closure live on the heap, not in registers (the
  // app's CPU for a 15 MB read of the members: 151 ms with them shared, 105 ms with local copies).
  const at = { col: 0, acc: 0, neg: false, digits: 0, decimals: -1, isNull: false, escaped: false, rows: 0 };
  const bad = (why: string, rows: number, col: number) => new Error(`copyOutNumbers: ${why} (row ${rows + 1}, column ${col + 1})`);
  return {
    feed(chunk) {
      let { col, acc, neg, digits, decimals, isNull, escaped, rows } = at;
      let kind = col < width ? kinds[col]! : EXTRA;
      const n = chunk.length;
      for (let i = 0; i < n; i++) {
        const b = chunk[i]!;
        // The common byte first: a digit of a number (not after \N, not inside a code).
        if (b >= 48 && b <= 57 && kind !== CODE && !isNull && !escaped) {
          if (decimals >= 0 && ++decimals > 2) throw bad('more than two decimals', rows, col);
          acc = acc * 10 + (b - 48);
          digits++;
        } else if (b === 9 || b === 10) {
          // The end of a field.
          if (col >= width) throw bad('too many columns', rows, col);
          if (escaped) throw bad('lone backslash', rows, col);
          if (isNull) values[col] = NaN;
          else if (digits === 0) throw bad('empty field', rows, col);
          else {
            let v = acc;
            if (kind === CENTS) v = decimals <= 0 ? acc * 100 : decimals === 1 ? acc * 10 : acc;
            if (!Number.isSafeInteger(v)) throw bad('beyond 2^53', rows, col);
            values[col] = neg ? -v : v;
          }
          col++;
          acc = 0;
          neg = false;
          digits = 0;
          decimals = -1;
          isNull = false;
          if (b === 10) {
            // The end of a row.
            if (col !== width) throw bad('too few columns', rows, col);
            rows++;
            row(values);
            col = 0;
          }
          kind = col < width ? kinds[col]! : EXTRA;
        } else if (kind === EXTRA) throw bad('too many columns', rows, col);
        else if (isNull) throw bad(`unexpected byte ${b} after NULL`, rows, col);
        else if (escaped) {
          // COPY's text format writes NULL as \N; a backslash means nothing else in these columns.
          if (b !== 78) throw bad(`unexpected escape \\${String.fromCharCode(b)}`, rows, col);
          isNull = true;
          escaped = false;
        } else if (b === 92 && digits === 0 && !neg) escaped = true;
        else if (kind === CODE) {
          if (b < 32 || b > 126 || b === 92 || digits >= 6) throw bad(`not a short code (byte ${b})`, rows, col);
          acc = acc * 256 + b;
          digits++;
        } else if (b === 46 && kind === CENTS && decimals < 0 && digits > 0) decimals = 0;
        else if (b === 45 && digits === 0 && !neg) neg = true;
        else throw bad(`unexpected byte ${b}`, rows, col);
      }
      Object.assign(at, { col, acc, neg, digits, decimals, isNull, escaped, rows });
    },
    end() {
      if (at.col !== 0 || at.digits !== 0 || at.escaped || at.isNull) throw bad('last row cut short', at.rows, at.col);
      return at.rows;
    },
  };
}

const INT = 0;
const CENTS = 1;
const CODE = 2;
/** A byte beyond the last column. */
const EXTRA = 3;

/**
 * `copy (…) to stdout` read straight into numbers (numberRows): each row handed to `row` as it is
 * parsed.
 */
export async function copyOutNumbers(c: Conn, statement: string, columns: readonly NumberColumn[], row: (values: Float64Array) => void): Promise<number> {
  const rows = numberRows(columns, row);
  await copyOut(c, statement, (chunk) => rows.feed(chunk));
  return rows.end();
}

/** A column of selectNumbers: an SQL expression over the FROM clause, and how to read it. */
export interface NumberSelect {
  sql: string;
  kind: NumberColumn;
}

const NEWLINE = new Uint8Array([10]);

/** A read of selectNumbers: asked of the server at once, its rows parsed when `read` is called. */
export interface NumbersRead {
  read(row: (values: Float64Array) => void): Promise<number>;
}

/**
 * `select <columns> from <from>` read into numbers like copyOutNumbers, but packed by the server
 * into ONE text value (string_agg of the rows in COPY's text format) that the app parses as one
 * buffer. A million-row COPY hands the app a message per row, and postgres.js's work per message
 * (0.4–0.6 µs) was most of the read's time; the aggregate is built by the server's parallel
 * workers about as fast as it writes the COPY (docs/performance.md).
 *
 * The statement is sent at once and the rows are parsed when `read` is called: several reads asked
 * one after the other on one connection are pipelined, so that the server computes the next while
 * the app parses the last. Only statements meant to queue behind them may be sent meanwhile on the
 * same connection. The value is held whole on both sides: for reads of a few million rows at most
 * (a text value stops at 1 GB, some 25 million rows of this kind).
 */
export function selectNumbers(c: Conn, columns: readonly NumberSelect[], from: string): NumbersRead {
  if (columns.length === 0) throw new Error('selectNumbers: no columns');
  // NULL as COPY writes it; a backslash inside a code doubled, so that it is refused, never read as NULL.
  const fields = columns.map(({ sql, kind }) => `coalesce(${kind === 'code' ? `replace((${sql})::text, '\\', '\\\\')` : `(${sql})::text`}, '\\N')`);
  const statement = `select string_agg(concat_ws(E'\\t', ${fields.join(', ')}), E'\\n') as rows from ${from}`;
  // One row of one column: the packed rows, NULL when there are none (the raw value is a Buffer).
  const answer = c.unsafe<[{ rows: string | null }]>(statement).raw().execute();
  answer.catch(() => {}); // awaited by read(); never an unhandled rejection if it is not called
  return {
    async read(row) {
      const rows = numberRows(
        columns.map((k) => k.kind),
        row,
      );
      const text: Buffer | null | undefined = (await answer)[0]?.[0];
      if (text) {
        rows.feed(text);
        rows.feed(NEWLINE);
      }
      return rows.end();
    },
  };
}
