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
    source.on('end', resolve);
    source.on('error', reject);
  });
}
