import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ALL_CHANGE_AREAS, isChangeArea, staleAfter, type ChangeArea } from '../../../shared/changes';
import { useSession } from '../stores/session';

/**
 * Two desktops, live (issue 16 item 6): the main process hears the database's NOTIFYs (another
 * desktop's committed work, or a SQL client's) and names the areas that changed; the queries those
 * areas feed (shared/changes.ts) are refetched — on screen at once when shown, otherwise on next use.
 * Electron delivers them through the preload; browser mode reads the bridge's /events stream.
 */
export function useLiveChanges() {
  const qc = useQueryClient();
  const token = useSession((s) => s.token);
  const signedIn = useSession((s) => s.staff !== null);
  useEffect(() => {
    if (!signedIn) return;
    const apply = (areas: ChangeArea[]) => {
      if (areas.length === 0) return;
      void qc.invalidateQueries({ predicate: (q) => typeof q.queryKey[0] === 'string' && staleAfter(areas, q.queryKey[0]) });
    };
    if (window.nnp?.onChanged) return window.nnp.onChanged((names) => apply(names.filter(isChangeArea)));
    if (!token) return;
    return streamChanges(token, apply);
  }, [qc, token, signedIn]);
}

/**
 * Browser mode: a single-use ticket (`POST events/ticket` with the bearer token), then
 * `EventSource('events?ticket=…')`. On any error the stream is closed and reopened with a new
 * ticket after a growing delay; after a reconnection every area counts as changed (what was sent
 * while away is lost). Answers the function that stops it.
 */
function streamChanges(token: string, apply: (areas: ChangeArea[]) => void): () => void {
  let stopped = false;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  const retry = () => {
    source?.close();
    source = null;
    if (stopped) return;
    failures += 1;
    timer = setTimeout(open, Math.min(10_000, 500 * 2 ** Math.min(failures - 1, 5)));
  };
  const open = async () => {
    timer = null;
    let ticket: string;
    try {
      const res = await fetch('events/ticket', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      if (res.status === 401 || res.status === 403 || res.status === 404) return; // signed out, or no live updates here
      const body = (await res.json()) as { ok: boolean; data?: { ticket: string } };
      if (!body.ok || !body.data) throw new Error('ticket');
      ticket = body.data.ticket;
    } catch {
      retry();
      return;
    }
    if (stopped) return;
    const es = new EventSource(`events?ticket=${encodeURIComponent(ticket)}`);
    source = es;
    es.onopen = () => {
      if (failures > 0) apply(ALL_CHANGE_AREAS);
      failures = 0;
    };
    es.addEventListener('changed', (e) => {
      try {
        const msg = JSON.parse((e as MessageEvent<string>).data) as { areas?: unknown };
        if (Array.isArray(msg.areas)) apply(msg.areas.filter(isChangeArea));
      } catch {
        /* not ours */
      }
    });
    // The ticket is spent: EventSource's own reconnection would be refused, so reconnect ourselves.
    es.onerror = () => {
      if (source === es) retry();
    };
  };
  void open();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    source?.close();
  };
}
