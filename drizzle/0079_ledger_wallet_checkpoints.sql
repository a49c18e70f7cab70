-- A wallet's check before a debit (ledger_verify_wallet, drizzle/0043) summed every entry the wallet
-- ever had: its cost grew with the wallet's history (about 20 µs an entry; 4 ms for a wallet of 190
-- entries, which set the ledger's rate at ~1,100 transfers/s on the bench). Now the entries up to a
-- checkpoint are summed once and kept: ledger_wallet_checkpoints (account, through_entry, posted
-- balance). A checkpoint never passes an entry of a pending transaction, so what it holds cannot
-- change (entries are insert-only; only pending transactions change status), and the check sums
-- the checkpoint plus the few entries after it. Entries of an account are inserted only while its
-- row is locked (ledger_post, ledger_post_many, postWalletCredits), so their ids grow in commit
-- order and no entry can appear behind a checkpoint later.
-- The table is the owner's alone (no group has a privilege on it); a checkpoint that disagrees
-- with the cache makes the next debit fail (NP005), and ledger_mismatches() still recomputes every
-- account from all of its entries.
CREATE TABLE "ledger_wallet_checkpoints" (
	"account_id" bigint PRIMARY KEY NOT NULL,
	"through_entry" bigint NOT NULL,
	"balance" numeric(18, 2) NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ledger_wallet_checkpoints" ADD CONSTRAINT "ledger_wallet_checkpoints_account_id_ledger_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- Every wallet's checkpoint from its entries as they are now (once; later ones as debits check them).
INSERT INTO ledger_wallet_checkpoints (account_id, through_entry, balance)
SELECT e.account_id, max(e.id), coalesce(sum(e.amount) FILTER (WHERE t.status = 'posted'), 0)
  FROM ledger_entries e
  JOIN ledger_accounts a ON a.id = e.account_id AND a.kind = 'member_wallet'
  JOIN ledger_transactions t ON t.id = e.transaction_id
  LEFT JOIN (SELECT e2.account_id, min(e2.id) AS first_pending
               FROM ledger_entries e2 JOIN ledger_transactions t2 ON t2.id = e2.transaction_id
              WHERE t2.status = 'pending' GROUP BY e2.account_id) fp ON fp.account_id = e.account_id
 WHERE fp.first_pending IS NULL OR e.id < fp.first_pending
 GROUP BY e.account_id;
--> statement-breakpoint
-- Several wallets at once (ledger_post_many checks every wallet a batch debits in one call): each
-- wallet's cache against its checkpoint plus the entries after it (posted ones add to the balance,
-- pending transactions are held); the first that differs is NP005. Then the settled entries before
-- the first pending one are folded into the checkpoint, once there are a few (one write per
-- several debits, and each check reads a handful of entries).
CREATE OR REPLACE FUNCTION ledger_verify_wallets(p_accounts bigint[]) RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode TO 'force_generic_plan'
AS $$
DECLARE
  v_bad bigint;
  v_fold_ids bigint[];
  v_fold_to bigint[];
  v_fold_balance numeric[];
BEGIN
  SELECT min(w.id) FILTER (WHERE w.bad),
         array_agg(w.id ORDER BY w.id) FILTER (WHERE w.fold), array_agg(w.fold_to ORDER BY w.id) FILTER (WHERE w.fold),
         array_agg(w.fold_balance ORDER BY w.id) FILTER (WHERE w.fold)
    INTO v_bad, v_fold_ids, v_fold_to, v_fold_balance
    FROM (
      SELECT a.id,
             a.balance <> c.checked + f.posted OR a.pending_in <> h.pin OR a.pending_out <> h.pout AS bad,
             f.n >= 8 AND coalesce(f.first_pending - 1, f.last_entry) > c.through AS fold,
             coalesce(f.first_pending - 1, f.last_entry) AS fold_to,
             c.checked + f.foldable AS fold_balance
        FROM ledger_accounts a
        CROSS JOIN LATERAL (
          SELECT coalesce(max(k.through_entry), 0) AS through, coalesce(max(k.balance), 0) AS checked
            FROM ledger_wallet_checkpoints k WHERE k.account_id = a.id) c
        CROSS JOIN LATERAL (
          SELECT coalesce(sum(x.amount) FILTER (WHERE x.status = 'posted'), 0) AS posted,
                 coalesce(sum(x.amount) FILTER (WHERE x.status = 'posted' AND (x.first_pending IS NULL OR x.id < x.first_pending)), 0) AS foldable,
                 min(x.first_pending) AS first_pending, max(x.id) AS last_entry, count(*) AS n
            FROM (SELECT e.id, e.amount, t.status, min(e.id) FILTER (WHERE t.status = 'pending') OVER () AS first_pending
                    FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
                   WHERE e.account_id = a.id AND e.id > c.through) x) f
        CROSS JOIN LATERAL (
          SELECT coalesce(sum(greatest(q.delta, 0)), 0) AS pin, coalesce(sum(greatest(-q.delta, 0)), 0) AS pout
            FROM (SELECT sum(e.amount) AS delta
                    FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
                   WHERE e.account_id = a.id AND e.id > c.through AND t.status = 'pending'
                   GROUP BY e.transaction_id) q) h
       WHERE a.id = ANY (p_accounts) AND a.kind = 'member_wallet') w;
  IF v_bad IS NOT NULL THEN
    RAISE EXCEPTION 'ledger account % differs from its entries', v_bad USING ERRCODE = 'NP005', DETAIL = v_bad::text;
  END IF;
  IF v_fold_ids IS NOT NULL THEN
    INSERT INTO ledger_wallet_checkpoints AS k (account_id, through_entry, balance, checked_at)
    SELECT l.id, l.through_entry, l.balance, now() FROM unnest(v_fold_ids, v_fold_to, v_fold_balance) AS l(id, through_entry, balance)
    ON CONFLICT (account_id) DO UPDATE SET through_entry = EXCLUDED.through_entry, balance = EXCLUDED.balance, checked_at = EXCLUDED.checked_at;
  END IF;
END $$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION ledger_verify_wallets(bigint[]) FROM PUBLIC;
--> statement-breakpoint
-- One wallet (ledger_post before a debit, nnp_verify_member_wallet before an approval).
CREATE OR REPLACE FUNCTION ledger_verify_wallet(p_account bigint) RETURNS void
LANGUAGE sql
AS $$ SELECT ledger_verify_wallets(ARRAY[p_account]) $$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION ledger_verify_wallet(bigint) FROM PUBLIC;
--> statement-breakpoint
-- ledger_post_many checks its debited wallets with ledger_verify_wallets (before: one query over
-- their whole histories), and a replay matches either the batch's body hash (company entries
-- without their slot: a batch puts them all on one slot) or the hash postTransfer would have used
-- (the key's own slot), so a transfer first posted one at a time replays in a batch. Its statements
-- use generic plans from the first call, as ledger_post's: a custom plan is made with the batch's
-- JSON as a constant, each of the first five calls on every connection.
CREATE OR REPLACE FUNCTION ledger_post_many(p_transfers jsonb, p_now timestamptz)
RETURNS TABLE (ord integer, transaction_id bigint, replayed boolean, status ledger_tx_status)
LANGUAGE plpgsql
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_ords integer[];
  v_ids bigint[];
  v_e_ord integer[];
  v_e_tx bigint[];
  v_e_ref text[];
  v_e_id bigint[];
  v_e_slot integer[];
  v_e_account bigint[];
  v_e_amount numeric[];
  v_e_currency text[];
  v_d_ord integer[];
  v_d_account bigint[];
  v_d_delta numeric[];
  v_d_posted boolean[];
  v_d_allow boolean[];
  v_bad boolean;
  v_n integer;
  v_found integer;
  v_short bigint;
  r record;
  i integer;
BEGIN
  IF jsonb_typeof(p_transfers) <> 'array' THEN
    RAISE EXCEPTION 'ledger_post_many takes an array of transfers' USING ERRCODE = '22023';
  END IF;
  SELECT r2.* INTO r FROM (
    SELECT x.ord, x.v FROM jsonb_array_elements(p_transfers) WITH ORDINALITY AS x(v, ord)
     WHERE coalesce(x.v->>'status', '') NOT IN ('posted', 'pending')
        OR jsonb_typeof(x.v->'entries') IS DISTINCT FROM 'array' OR jsonb_array_length(x.v->'entries') < 2
     ORDER BY x.ord LIMIT 1) r2;
  IF FOUND THEN
    IF coalesce(r.v->>'status', '') NOT IN ('posted', 'pending') THEN
      RAISE EXCEPTION 'a posting is posted or pending, not %', r.v->>'status' USING ERRCODE = '22023';
    END IF;
    RAISE EXCEPTION 'a posting needs at least two entries' USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_balanced';
  END IF;

  SELECT x.v->>'key' AS k INTO r FROM jsonb_array_elements(p_transfers) AS x(v) GROUP BY x.v->>'key' HAVING count(*) > 1 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'idempotency key % appears twice in one batch', r.k USING ERRCODE = '22023';
  END IF;

  -- The new transactions, ids in the batch's order; a key already there writes nothing.
  WITH t AS (SELECT x.ord::integer AS ord, x.v FROM jsonb_array_elements(p_transfers) WITH ORDINALITY AS x(v, ord)),
  ins AS (
    INSERT INTO ledger_transactions AS lt (idempotency_key, body_hash, kind, currency, status, allow_negative, reference, period_id, memo, created_at)
    SELECT t.v->>'key', t.v->>'hash', t.v->>'kind', (t.v->>'currency')::char(3), (t.v->>'status')::ledger_tx_status,
           coalesce((t.v->>'allow_negative')::boolean, false), nullif(t.v->'reference', 'null'::jsonb), (t.v->>'period_id')::integer,
           t.v->>'memo', coalesce((t.v->>'at')::timestamptz, p_now)
      FROM t ORDER BY t.ord
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING lt.id, lt.idempotency_key)
  SELECT array_agg(t.ord ORDER BY t.ord), array_agg(ins.id ORDER BY t.ord) INTO v_ords, v_ids
    FROM t JOIN ins ON ins.idempotency_key = t.v->>'key';

  -- The others are replays: the same body answers the first transaction, another body is refused.
  SELECT t.ord, lt.id INTO r
    FROM jsonb_array_elements(p_transfers) WITH ORDINALITY AS t(v, ord)
    JOIN ledger_transactions lt ON lt.idempotency_key = t.v->>'key'
   WHERE t.ord <> ALL (coalesce(v_ords, '{}'))
     AND lt.body_hash IS DISTINCT FROM t.v->>'hash' AND lt.body_hash IS DISTINCT FROM t.v->>'key_slot_hash'
   ORDER BY t.ord LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'idempotency key of transfer % was used for a different posting', r.ord USING ERRCODE = 'NP001', DETAIL = r.id::text;
  END IF;

  IF v_ords IS NOT NULL THEN
    -- The new transfers' entries, their accounts found in one query (existing accounts).
    SELECT array_agg(n.ord ORDER BY n.ord, e.eord), array_agg(n.id ORDER BY n.ord, e.eord), array_agg(e.ref ORDER BY n.ord, e.eord),
           array_agg(e.id ORDER BY n.ord, e.eord), array_agg(coalesce(e.slot, 0) ORDER BY n.ord, e.eord),
           array_agg(CASE e.ref
                       WHEN 'account' THEN e.id
                       WHEN 'member' THEN (SELECT a.id FROM ledger_accounts a
                                            WHERE a.kind = 'member_wallet' AND a.member_id = e.id AND a.currency = (t.v->>'currency')::char(3))
                       ELSE (SELECT a.id FROM ledger_accounts a
                              WHERE a.kind = e.ref::ledger_account_kind AND a.currency = (t.v->>'currency')::char(3)
                                AND a.slot = coalesce(e.slot, 0) AND a.member_id IS NULL)
                     END ORDER BY n.ord, e.eord),
           array_agg(e.amount::numeric ORDER BY n.ord, e.eord), array_agg(t.v->>'currency' ORDER BY n.ord, e.eord),
           bool_or(e.amount IS NULL OR e.amount::numeric = 0 OR e.amount::numeric <> round(e.amount::numeric, 2))
      INTO v_e_ord, v_e_tx, v_e_ref, v_e_id, v_e_slot, v_e_account, v_e_amount, v_e_currency, v_bad
      FROM unnest(v_ords, v_ids) AS n(ord, id)
      JOIN LATERAL (SELECT p_transfers->(n.ord - 1) AS v) t ON true
      CROSS JOIN LATERAL ROWS FROM (jsonb_to_recordset(t.v->'entries') AS (ref text, id bigint, slot integer, amount text))
                         WITH ORDINALITY AS e(ref, id, slot, amount, eord);
    IF v_bad THEN
      RAISE EXCEPTION 'ledger amounts must be non-zero with at most 2 decimals' USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_amount_cents';
    END IF;

    -- First use of a wallet or a company slot: create it (checks the member's currency).
    FOR i IN 1 .. array_length(v_e_account, 1) LOOP
      IF v_e_account[i] IS NULL THEN
        v_e_account[i] := ledger_account_id(v_e_ref[i], v_e_currency[i]::char(3), v_e_id[i], v_e_slot[i]);
      END IF;
    END LOOP;

    -- Lock every account in id order, then check each is in its transfer's currency.
    PERFORM 1 FROM ledger_accounts a WHERE a.id = ANY (v_e_account) ORDER BY a.id FOR NO KEY UPDATE;
    SELECT count(*)::integer, count(a.id)::integer INTO v_n, v_found
      FROM (SELECT DISTINCT l.account_id, l.currency FROM unnest(v_e_account, v_e_currency) AS l(account_id, currency)) l
      LEFT JOIN ledger_accounts a ON a.id = l.account_id AND a.currency = l.currency::char(3);
    IF v_found <> v_n THEN
      RAISE EXCEPTION 'a ledger account of this batch does not exist in its transfer''s currency'
        USING ERRCODE = '23503', CONSTRAINT = 'ledger_entries_account_currency_fk';
    END IF;

    -- Each transfer's net change per account: what ledger_post would apply, in the batch's order.
    SELECT array_agg(d.ord ORDER BY d.account_id, d.ord), array_agg(d.account_id ORDER BY d.account_id, d.ord),
           array_agg(d.delta ORDER BY d.account_id, d.ord), array_agg(t.v->>'status' = 'posted' ORDER BY d.account_id, d.ord),
           array_agg(coalesce((t.v->>'allow_negative')::boolean, false) ORDER BY d.account_id, d.ord)
      INTO v_d_ord, v_d_account, v_d_delta, v_d_posted, v_d_allow
      FROM (SELECT l.ord, l.account_id, sum(l.amount) AS delta FROM unnest(v_e_ord, v_e_account, v_e_amount) AS l(ord, account_id, amount)
             GROUP BY l.ord, l.account_id) d
      JOIN LATERAL (SELECT p_transfers->(d.ord - 1) AS v) t ON true;

    -- A wallet about to be debited: its cached figures must be what its entries say (rows locked),
    -- checked from their checkpoints in one call (ledger_verify_wallets, above).
    PERFORM ledger_verify_wallets(array_agg(DISTINCT x.account_id))
       FROM unnest(v_d_account, v_d_delta, v_d_allow) AS x(account_id, delta, allow_negative)
      WHERE x.delta < 0 AND NOT x.allow_negative;

    -- Funds, transfer after transfer: a debited wallet's available balance (balance − held) after
    -- each transfer that debits it, counting the batch's earlier transfers.
    SELECT x.account_id INTO v_short FROM (
      SELECT d.account_id, d.ord, d.delta, d.allow_negative, a.kind,
             a.balance - a.pending_out + sum(CASE WHEN d.posted THEN d.delta WHEN d.delta < 0 THEN d.delta ELSE 0 END)
                                           OVER (PARTITION BY d.account_id ORDER BY d.ord) AS available
        FROM unnest(v_d_account, v_d_ord, v_d_delta, v_d_posted, v_d_allow) AS d(account_id, ord, delta, posted, allow_negative)
        JOIN ledger_accounts a ON a.id = d.account_id) x
     WHERE x.kind = 'member_wallet' AND x.delta < 0 AND NOT x.allow_negative AND x.available < 0
     ORDER BY x.ord, x.account_id LIMIT 1;
    IF v_short IS NOT NULL THEN
      RAISE EXCEPTION 'insufficient funds in account %', v_short USING ERRCODE = 'NP002', DETAIL = v_short::text;
    END IF;

    -- Cached figures, each account once.
    UPDATE ledger_accounts a SET
      balance = a.balance + s.dbal, pending_in = a.pending_in + s.din, pending_out = a.pending_out + s.dout, updated_at = p_now
      FROM (SELECT d.account_id,
                   sum(CASE WHEN d.posted THEN d.delta ELSE 0 END) AS dbal,
                   sum(CASE WHEN NOT d.posted AND d.delta > 0 THEN d.delta ELSE 0 END) AS din,
                   sum(CASE WHEN NOT d.posted AND d.delta < 0 THEN -d.delta ELSE 0 END) AS dout
              FROM unnest(v_d_account, v_d_delta, v_d_posted) AS d(account_id, delta, posted) GROUP BY d.account_id) s
     WHERE a.id = s.account_id;

    -- Every entry in one statement: the balance trigger checks each transaction of the batch.
    INSERT INTO ledger_entries (transaction_id, account_id, currency, amount, kind, period_id, created_at)
    SELECT l.tx, l.account_id, l.currency::char(3), l.amount, t.v->>'kind', (t.v->>'period_id')::integer, coalesce((t.v->>'at')::timestamptz, p_now)
      FROM unnest(v_e_ord, v_e_tx, v_e_account, v_e_amount, v_e_currency) WITH ORDINALITY AS l(ord, tx, account_id, amount, currency, i)
      JOIN LATERAL (SELECT p_transfers->(l.ord - 1) AS v) t ON true
     ORDER BY l.i;
  END IF;
  RETURN QUERY SELECT x.ord::integer, lt.id, NOT (lt.id = ANY (coalesce(v_ids, '{}'))), lt.status
    FROM jsonb_array_elements(p_transfers) WITH ORDINALITY AS x(v, ord)
    JOIN ledger_transactions lt ON lt.idempotency_key = x.v->>'key'
   ORDER BY x.ord;
END $$;
