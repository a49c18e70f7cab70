/**
 * Two desktops, live (issue 16 item 6). Triggers NOTIFY `nnp_changes` with an area name when a
 * statement changes shared state (drizzle/0041); PostgreSQL delivers it at commit to every session
 * that LISTENs. Each app instance keeps one listening connection here and hands batches of areas to
 * its transports (Electron: webContents.send; browser mode: the bridge's /events stream), whose
 * screens refetch what the areas feed (shared/changes.ts).
 */
import postgres from 'postgres';
import { ALL_CHANGE_AREAS, CHANGE_CHANNEL, isChangeArea, type ChangeArea } from '../../shared/changes';

export type ChangeListener = (areas: ChangeArea[]) => void;

export interface ChangeFeed {
  /** Resolves once the first LISTEN is in place (changes committed after it are delivered). */
  ready: Promise<void>;
  subscribe(fn: ChangeListener): () => void;
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  /** Areas arriving within this window go out as one batch (a close's many statements, a burst). */
  batchMs?: number;
  log?: (m: string, extra?: unknown) => void;
}

/**
 * Its own connection (not the pool's: a LISTEN lives on one session). postgres.js's `sql.listen`
 * drops a listener for good when its reconnect attempt fails (server restarting), so the
 * reconnection is ours: on close, LISTEN again with a growing delay, and once back announce every
 * area, since notifications sent while we were away are lost.
 */
export function startChangeFeed(url: string, opts: ChangeFeedOptions = {}): ChangeFeed {
  const batchMs = opts.batchMs ?? 150;
  const log = opts.log ?? (() => {});
  const listeners = new Set<ChangeListener>();
  let pending = new Set<ChangeArea>();
  let timer: NodeJS.Timeout | null = null;
  let retry: NodeJS.Timeout | null = null;
  let closed = false;
  let listening = false;
  let attempts = 0;

  const flush = () => {
    timer = null;
    const areas = [...pending];
    pending = new Set();
    for (const fn of listeners) {
      try {
        fn(areas);
      } catch (e) {
        log('cambios en vivo: un receptor falló', e);
      }
    }
  };
  const queue = (areas: readonly ChangeArea[]) => {
    for (const a of areas) pending.add(a);
    if (!timer && pending.size > 0) timer = setTimeout(flush, batchMs);
  };

  const client = postgres(url, {
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    fetch_types: false,
    onnotice: () => {},
    connection: { application_name: 'nnprotect-backoffice-changes' },
    onclose: () => {
      if (closed || !listening) return;
      listening = false;
      schedule();
    },
    // Not in postgres.js's option types, but its connection calls it for every NotificationResponse.
    onnotify: (channel: string, payload: string) => {
      if (channel === CHANGE_CHANNEL && isChangeArea(payload)) queue([payload]);
    },
  } as postgres.Options<Record<string, never>>);

  const listen = async (): Promise<void> => {
    await client.unsafe(`listen ${CHANGE_CHANNEL}`);
    listening = true;
    if (attempts > 0) {
      log('cambios en vivo: conexión recuperada');
      queue(ALL_CHANGE_AREAS);
    }
    attempts = 0;
  };
  const schedule = () => {
    if (closed || retry) return;
    attempts += 1;
    const delay = Math.min(10_000, 500 * 2 ** Math.min(attempts - 1, 5));
    retry = setTimeout(() => {
      retry = null;
      listen().catch(() => schedule());
    }, delay);
    retry.unref();
  };

  const ready = listen().catch((e) => {
    log('cambios en vivo: no se pudo escuchar la base de datos; se reintenta', e instanceof Error ? e.message : e);
    schedule();
  });

  return {
    ready,
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close: async () => {
      closed = true;
      listeners.clear();
      if (timer) clearTimeout(timer);
      if (retry) clearTimeout(retry);
      await client.end({ timeout: 1 });
    },
  };
}

/**
 * The feed of a staff desktop that holds no owner credentials (NNP_SERVER_URL): it has no login of
 * its own to listen with, so it listens with the login of the person who signed in last (LISTEN
 * needs no privilege), started at the first sign-in and moved to each newer one. Subscribers stay.
 */
export function relayChangeFeed(opts: ChangeFeedOptions = {}): ChangeFeed & { listenAs(url: string): void } {
  const listeners = new Set<ChangeListener>();
  let feed: ChangeFeed | null = null;
  let closed = false;
  let started!: () => void;
  const ready = new Promise<void>((r) => (started = r));
  return {
    ready,
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    listenAs(url) {
      if (closed) return;
      const old = feed;
      feed = startChangeFeed(url, opts);
      feed.subscribe((areas) => {
        for (const fn of listeners) fn(areas);
      });
      void feed.ready.then(started);
      if (old) void old.close();
    },
    close: async () => {
      closed = true;
      listeners.clear();
      await feed?.close();
    },
  };
}
