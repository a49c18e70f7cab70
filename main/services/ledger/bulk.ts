/**
 * Set-based payment of many wallet credits (a period close pays hundreds of thousands of members):
 * the same double-entry rules as `ledger_post`, without a function call and a jsonb document per
 * posting. The credits are read from a temporary table the caller filled (e.g. by COPY):
 *
 *     <source>(currency char(3), member_id bigint, amount numeric)   -- one row per member and currency
 *
 * They are grouped into one ledger transaction per (currency, block of member ids): each credits
 * the block's wallets and debits one slot of a company account by the block's total. In order:
 * each credit's wallet resolved once (created where missing, holding its credit); transactions inserted under `<keyPrefix>:<currency>:<block>` (a key
 * already used is an error — the caller pays only what it has just written, so a used key means a
 * second payment); every entry inserted in ONE statement, so the ledger's statement-level trigger
 * checks that each transaction balances; the accounts locked in id order (the order ledger_post
 * uses: no deadlock with a concurrent posting) and their cached balances raised once each.
 * New wallets are inserted in member order and entries in account order: each index then grows at
 * one place instead of everywhere (700,000 credits: wallets 11.3 → 9.4 s, entries 7.8 → 4.8 s).
 */
import { clientOf, type DbOrTx } from '../../db/client';
import { AppError } from '../../../shared/errors';
import { COMPANY_SLOTS, mapLedgerError, type CompanyAccountKind } from './ledger';

export interface WalletCredits {
  /** Temporary table with (currency, member_id, amount); amounts > 0 with at most 2 decimals. */
  source: string;
  keyPrefix: string;
  /** Ledger kind of the transactions and entries (e.g. 'commission'). */
  kind: string;
  /** Company account debited (one slot per block). */
  company: CompanyAccountKind;
  periodId: number | null;
  at: Date;
  /** Merged into each transaction's reference, with its block and entry count. */
  reference: Record<string, unknown>;
  /** Member ids per transaction: 2^blockShift. */
  blockShift: number;
}

export interface WalletCreditsResult {
  transactions: number;
  entries: number;
  /** Total credited per currency (decimal strings). */
  totals: Record<string, string>;
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain table name: ${name}`);
  return name;
};

export async function postWalletCredits(db: DbOrTx, o: WalletCredits): Promise<WalletCreditsResult> {
  const c = clientOf(db);
  const src = ident(o.source);
  const at = o.at.toISOString();
  try {
    const [bad] = await c.unsafe<{ n: number }[]>(`select count(*)::int as n from ${src} where amount is null or amount <= 0 or amount <> round(amount, 2)`);
    if (bad && bad.n > 0) throw new AppError('VALIDATION', `${bad.n} abonos con importe no positivo o con más de 2 decimales.`, { rows: bad.n });
    const [wrong] = await c.unsafe<
      { n: number }[]
    >(`select count(*)::int as n from ${src} s join members m on m.id = s.member_id join countries k on k.code = m.country
      where k.currency <> s.currency`);
    if (wrong && wrong.n > 0) throw new AppError('VALIDATION', `${wrong.n} abonos en una moneda que no es la del país del socio.`, { rows: wrong.n });
    // Every credit's wallet, resolved once: the existing ones found by key; the missing ones created
    // holding their credit (their entries follow: no second write of a row just inserted), in
    // member order; any created meanwhile by another transaction (the insert skips it) found last.
    // Entries and balance changes then read this table, not ledger_accounts again. Inserting every
    // credit and letting ON CONFLICT skip the existing wallets cost 3.5 s at 700,000 of them.
    await c.unsafe(
      `create temp table lw_acc on commit drop as
      select s.currency, s.member_id, s.amount, a.id as account_id, false as fresh from ${src} s
        join ledger_accounts a on a.kind = 'member_wallet' and a.member_id = s.member_id and a.currency = s.currency`,
    );
    await c.unsafe(
      `with ins as (
        insert into ledger_accounts (kind, member_id, currency, balance, updated_at)
        select 'member_wallet'::ledger_account_kind, member_id, currency, sum(amount), $1::timestamptz from ${src} s
        where not exists (select 1 from lw_acc f where f.member_id = s.member_id and f.currency = s.currency)
        group by member_id, currency
        order by member_id
        on conflict (member_id, currency) where kind = 'member_wallet' do nothing
        returning id, member_id, currency)
      insert into lw_acc select s.currency, s.member_id, s.amount, i.id, true from ${src} s join ins i on i.member_id = s.member_id and i.currency = s.currency`,
      [at],
    );
    await c.unsafe(`insert into lw_acc
      with rest as materialized (
        select * from ${src} s where not exists (select 1 from lw_acc f where f.member_id = s.member_id and f.currency = s.currency))
      select s.currency, s.member_id, s.amount, a.id, false from rest s
        join ledger_accounts a on a.kind = 'member_wallet' and a.member_id = s.member_id and a.currency = s.currency`);
    await c.unsafe(`create temp table lw_tx (id bigint, currency char(3), block int, slot int, total numeric, n int) on commit drop`);
    const [g] = await c.unsafe<{ groups: number; inserted: number }[]>(
      `
      with g as (
        select currency, (member_id >> ${o.blockShift})::int as block, sum(amount) as total, count(*)::int as n,
          encode(sha256(convert_to(string_agg(member_id::text || ':' || amount::text, ',' order by member_id), 'UTF8')), 'hex') as hash
        from ${src} group by 1, 2),
      ins as (
        insert into ledger_transactions (idempotency_key, body_hash, kind, currency, status, allow_negative, reference, period_id, created_at)
        select $1 || ':' || trim(g.currency) || ':' || g.block, g.hash, $2, g.currency, 'posted', false,
          $3::jsonb || jsonb_build_object('block', g.block, 'entries', g.n), $4::int, $5::timestamptz
        from g
        on conflict (idempotency_key) do nothing
        returning id, idempotency_key),
      kept as (
        insert into lw_tx select ins.id, g.currency, g.block, g.block % ${COMPANY_SLOTS}, g.total, g.n
        from ins join g on ins.idempotency_key = $1 || ':' || trim(g.currency) || ':' || g.block
        returning 1)
      select (select count(*) from g)::int as groups, (select count(*) from kept)::int as inserted`,
      [o.keyPrefix, o.kind, JSON.stringify(o.reference), o.periodId, at],
    );
    if (!g || g.groups !== g.inserted) {
      throw new AppError('CONFLICT', `Estos abonos ya se pagaron (${(g?.groups ?? 0) - (g?.inserted ?? 0)} transacciones con la misma clave ${o.keyPrefix}).`, {
        keyPrefix: o.keyPrefix,
      });
    }
    // Company slots used: created on first use by the ledger's own function.
    await c.unsafe(`select ledger_account_id($1, s.currency, null, s.slot) from (select distinct currency, slot from lw_tx) s`, [o.company]);
    await c.unsafe(
      `create temp table lw_delta on commit drop as
      select account_id, currency, sum(amount) as delta from lw_acc where not fresh group by 1, 2
      union all
      select a.id, t.currency, -sum(t.total) from lw_tx t
        join ledger_accounts a on a.kind = $1::ledger_account_kind and a.member_id is null and a.currency = t.currency and a.slot = t.slot group by 1, 2`,
      [o.company],
    );
    await c.unsafe(`select count(*) from (select 1 from ledger_accounts a where a.id in (select account_id from lw_delta) order by a.id for no key update) x`);
    const entries = await c.unsafe(
      `
      insert into ledger_entries (transaction_id, account_id, currency, amount, kind, period_id, created_at)
      select t.id, s.account_id, s.currency, s.amount, $1, $2::int, $3::timestamptz from lw_acc s
        join lw_tx t on t.currency = s.currency and t.block = (s.member_id >> ${o.blockShift})::int
      union all
      select t.id, a.id, t.currency, -t.total, $1, $2::int, $3::timestamptz from lw_tx t
        join ledger_accounts a on a.kind = $4::ledger_account_kind and a.member_id is null and a.currency = t.currency and a.slot = t.slot
      order by account_id`,
      [o.kind, o.periodId, at, o.company],
    );
    const [n] = await c.unsafe<{ expected: number }[]>(`select (select count(*) from ${src})::int + (select count(*) from lw_tx)::int as expected`);
    if (entries.count !== n!.expected) throw new Error(`ledger bulk posting wrote ${entries.count} entries, expected ${n!.expected}`);
    await c.unsafe(`update ledger_accounts a set balance = a.balance + d.delta, updated_at = $1::timestamptz from lw_delta d where a.id = d.account_id`, [at]);
    const totals = await c.unsafe<{ currency: string; total: string; n: number }[]>(
      `select trim(currency) as currency, sum(total)::text as total, count(*)::int as n from lw_tx group by 1 order by 1`,
    );
    await c.unsafe('drop table lw_tx; drop table lw_delta; drop table lw_acc');
    return {
      transactions: totals.reduce((s, r) => s + r.n, 0),
      entries: entries.count,
      totals: Object.fromEntries(totals.map((r) => [r.currency, r.total])),
    };
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw mapLedgerError(e);
  }
}
