/**
 * "Sync payments": reconciliation from the desktop app for when no receiver ran. Pages through
 * Stripe's events after the last one the sync reached (the cursor in stripe_sync_state), oldest
 * first, and applies each through the webhook's code path (applyStripeEvent): an event already
 * applied is skipped, so re-running changes nothing. One step = one page (the screen loops and shows
 * progress); no transaction is held across a network call.
 *
 * Stripe lists events newest first: the walk forward uses `ending_before=<cursor>` (the page of
 * events just newer than the cursor; has_more = newer ones remain). With no cursor yet (the first
 * sync) the oldest event Stripe still keeps is found with `starting_after` auto-pagination.
 */
import type Stripe from 'stripe';
import { sql } from 'drizzle-orm';
import type { CallContext, MutationContext } from '../../kernel/context';
import { mutator } from '../../kernel/wrappers';
import { AppError } from '../../../shared/errors';
import { stripeClient } from '../withdrawals/stripe';
import { transferStripeSettings } from '../system/stripe-keys';
import { applyStripeEvent, type Actor, type ApplyResult } from './apply';

const STATE_ID = 'stripe';

export interface SyncStep {
  checked: number;
  applied: number;
  duplicates: number;
  errors: number;
  retried: number;
  done: boolean;
  cursor: string | null;
  lastError: string | null;
}

async function cursorOf(ctx: CallContext): Promise<string | null> {
  const [r] = await ctx.db.execute<{ last_event_id: string | null }>(sql`select last_event_id from stripe_sync_state where id = ${STATE_ID}`);
  return r?.last_event_id ?? null;
}

const saveCursor = mutator(
  async (input: { cursor: string | null; cursorCreated: number | null; before: string | null; summary: Omit<SyncStep, 'cursor'> }, ctx: MutationContext) => {
    await ctx.tx.execute(sql`
    insert into stripe_sync_state (id, last_event_id, last_event_created, last_sync_at)
    values (${STATE_ID}, ${input.cursor}, ${input.cursorCreated == null ? null : new Date(input.cursorCreated * 1000).toISOString()}::timestamptz, now())
    on conflict (id) do update set last_event_id = excluded.last_event_id,
      last_event_created = coalesce(excluded.last_event_created, stripe_sync_state.last_event_created), last_sync_at = now()`);
    await ctx.audit({ entity: 'stripe_sync', entityId: STATE_ID, before: { cursor: input.before }, after: { cursor: input.cursor, ...input.summary } });
  },
);

function tally(s: SyncStep, r: ApplyResult) {
  if (r.outcome === 'error') {
    s.errors++;
    s.lastError = `${r.eventId}: ${r.error}`;
  } else if (r.duplicate) s.duplicates++;
  else s.applied++;
}

const isMissingCursor = (e: unknown) => (e as { code?: string; param?: string })?.code === 'resource_missing';

export async function syncStep(ctx: CallContext, opts: { first: boolean; pageSize: number }, stripe?: Stripe): Promise<SyncStep> {
  const settings = stripe ? null : await transferStripeSettings(ctx.db, ctx.staff?.role ?? null);
  if (!stripe && !settings) throw AppError.of('CONFLICT', 'stripe.notConfigured');
  const client = stripe ?? stripeClient(settings!);
  const actor: Actor = { id: ctx.staff?.id ?? null, username: ctx.staff?.username ?? 'stripe-sync' };
  const s: SyncStep = { checked: 0, applied: 0, duplicates: 0, errors: 0, retried: 0, done: false, cursor: null, lastError: null };

  if (opts.first) {
    // Events stored earlier whose application failed (e.g. during a period close): retried first.
    const stored = await ctx.db.execute<{ payload: unknown }>(sql`select payload from stripe_events where processed_at is null order by created, id limit 500`);
    for (const row of stored) {
      const r = await applyStripeEvent(ctx, row.payload, 'sync', actor);
      s.retried++;
      tally(s, r);
    }
  }

  const before = await cursorOf(ctx);
  let cursor = before;
  let cursorCreated: number | null = null;
  const call = { timeout: settings?.timeoutMs };
  let page: Stripe.Event[] = [];
  if (cursor) {
    try {
      const list = await client.events.list({ limit: opts.pageSize, ending_before: cursor }, call);
      page = [...list.data].reverse();
      s.done = !list.has_more;
    } catch (e) {
      if (!isMissingCursor(e)) throw stripeFailure(e);
      cursor = null; // Stripe no longer keeps the cursor's event (older than 30 days): start from the oldest kept.
    }
  }
  if (!cursor) {
    let oldest: Stripe.Event | null = null;
    let count = 0;
    try {
      for await (const e of client.events.list({ limit: 100 }, call)) {
        oldest = e;
        count++;
      }
    } catch (e) {
      throw stripeFailure(e);
    }
    page = oldest ? [oldest] : [];
    s.done = count <= 1;
  }
  for (const e of page) {
    const r = await applyStripeEvent(ctx, e, 'sync', actor);
    s.checked++;
    tally(s, r);
    cursor = e.id;
    cursorCreated = e.created;
  }
  s.cursor = cursor;
  await saveCursor(
    {
      cursor,
      cursorCreated,
      before,
      summary: { checked: s.checked, applied: s.applied, duplicates: s.duplicates, errors: s.errors, retried: s.retried, done: s.done, lastError: s.lastError },
    },
    ctx,
  );
  return s;
}

function stripeFailure(e: unknown): AppError {
  const err = e as { type?: string; message?: string };
  return AppError.of('CONFLICT', 'stripe.syncFailed', {}, { type: err?.type ?? null, stripeMessage: err?.message ?? String(e) });
}
