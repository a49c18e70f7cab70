import { sql } from 'drizzle-orm';
import { mutator, reader } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { DbOrTx } from '../../db/client';
import { autoshipStripeSettingsFor, keyView, maskedKey, transferStripeSettings } from './stripe-keys';
import type { ParsedInputOf } from '../../../shared/contract';

type KeysRow = { transfer_key: string | null; restricted_key: string | null; updated_at: Date | string | null; updated_by: string | null };

const KEYS_COLUMNS = sql`transfer_key, restricted_key, updated_at, updated_by`;

async function keysRow(db: DbOrTx, lock = false): Promise<KeysRow> {
  const rows = await db.execute<KeysRow>(sql`select ${KEYS_COLUMNS} from stripe_keys ${lock ? sql`for update` : sql``}`);
  return rows[0] ?? { transfer_key: null, restricted_key: null, updated_at: null, updated_by: null };
}

function keysView(r: KeysRow) {
  return {
    transfer: keyView(r.transfer_key, process.env.NNP_STRIPE_SECRET_KEY),
    restricted: keyView(r.restricted_key, process.env.NNP_STRIPE_RESTRICTED_KEY),
    updatedAt: r.updated_at ? new Date(r.updated_at).toISOString() : null,
    updatedBy: r.updated_by,
  };
}

async function stripeKeys(_: ParsedInputOf<'system.stripeKeys'>, ctx: CallContext) {
  return keysView(await keysRow(ctx.db));
}

/** On the admin's own login: the row's columns are granted to admins; who and when are the database's (0072). */
async function setStripeKeys(input: ParsedInputOf<'system.setStripeKeys'>, ctx: MutationContext) {
  const before = await keysRow(ctx.tx, true);
  const transfer = input.transferKey === undefined ? before.transfer_key : input.transferKey;
  const restricted = input.restrictedKey === undefined ? before.restricted_key : input.restrictedKey;
  // RETURNING answers the row as the database stamped it (who and when: its trigger).
  const [after] = await ctx.tx.execute<KeysRow>(sql`
    insert into stripe_keys (id, transfer_key, restricted_key) values (true, ${transfer}, ${restricted})
    on conflict (id) do update set transfer_key = excluded.transfer_key, restricted_key = excluded.restricted_key
    returning ${KEYS_COLUMNS}`);
  // Never a key in the audit: its prefix and last four, as Stripe's own dashboard shows one.
  const masked = (r: KeysRow) => ({ transferKey: maskedKey(r.transfer_key), restrictedKey: maskedKey(r.restricted_key) });
  await ctx.audit({ entity: 'setting', entityId: 'stripe_keys', before: masked(before), after: masked(after!), reason: input.reason ?? null });
  return keysView(after!);
}

export const systemHandlers = {
  'system.info': reader(async (_: ParsedInputOf<'system.info'>, ctx) => ({
    version: ctx.config.version,
    database: ctx.config.database,
    transport: ctx.transport,
  })),
  // Read per call, on the person's login: support's only Stripe use is autoship actions, on the
  // restricted key; it cannot read the transfer key's column (issue 16 item 5).
  'system.capabilities': reader(async (_: ParsedInputOf<'system.capabilities'>, ctx) => ({
    stripe:
      ctx.staff?.role === 'support'
        ? (await autoshipStripeSettingsFor(ctx.db, 'support')) != null
        : (await transferStripeSettings(ctx.db, ctx.staff?.role ?? null)) != null,
  })),
  'system.stripeKeys': reader(stripeKeys),
  'system.setStripeKeys': mutator(setStripeKeys),
};
