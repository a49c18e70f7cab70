-- Several transfers in one call and one database transaction, all or none (TigerBeetle's batches):
-- ledger_post's rules for each transfer, applied set-based. A transfer costs about 0.5 ms of server
-- CPU through ledger_post, mostly per-statement work; here a batch's transactions, balance updates
-- and entries are one statement each, so the statement triggers check the whole batch at once.
--   * Idempotency per transfer: a key already posted with the same body answers that transaction
--     (replayed), with another body NP001 (the whole batch refused). Keys within a batch are
--     distinct (the service checks; a repeat here is 22023).
--   * Accounts resolved like ledger_post (wallets created on first use in the member's currency,
--     NP004 otherwise), locked in id order (FOR NO KEY UPDATE: no deadlock with ledger_post).
--   * Each member wallet debited (without allow_negative) is verified against its entries first
--     (NP005, as ledger_verify_wallet), then the funds are checked in the batch's order: after each
--     transfer that debits it, its available balance must not be below zero (NP002), exactly as if
--     the transfers had been posted one after another.
CREATE OR REPLACE FUNCTION ledger_post_many(p_transfers jsonb, p_now timestamptz)
RETURNS TABLE (ord integer, transaction_id bigint, replayed boolean, status ledger_tx_status)
LANGUAGE plpgsql
SET enable_seqscan = off
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
     AND lt.body_hash IS DISTINCT FROM t.v->>'hash'
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

    -- A wallet about to be debited: its cached figures must be what its entries say (rows locked).
    SELECT a.id, a.balance, f.bal, a.pending_out, f.pout INTO r
      FROM ledger_accounts a
      CROSS JOIN LATERAL (
        SELECT coalesce(sum(p.delta) FILTER (WHERE p.status = 'posted'), 0) AS bal,
               coalesce(sum(greatest(p.delta, 0)) FILTER (WHERE p.status = 'pending'), 0) AS pin,
               coalesce(sum(greatest(-p.delta, 0)) FILTER (WHERE p.status = 'pending'), 0) AS pout
          FROM (SELECT lt.status, sum(e.amount) AS delta
                  FROM ledger_entries e JOIN ledger_transactions lt ON lt.id = e.transaction_id
                 WHERE e.account_id = a.id GROUP BY e.transaction_id, lt.status) p) f
     WHERE a.id IN (SELECT x.account_id FROM unnest(v_d_account, v_d_delta, v_d_allow) AS x(account_id, delta, allow_negative)
                     WHERE x.delta < 0 AND NOT x.allow_negative)
       AND a.kind = 'member_wallet'
       AND (a.balance <> f.bal OR a.pending_in <> f.pin OR a.pending_out <> f.pout)
     ORDER BY a.id LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'ledger account % differs from its entries (balance % vs %, pending out % vs %)',
        r.id, r.balance, r.bal, r.pending_out, r.pout USING ERRCODE = 'NP005', DETAIL = r.id::text;
    END IF;

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
--> statement-breakpoint
-- The owner's, like ledger_post (drizzle/0040): no staff group calls the ledger's write functions.
REVOKE EXECUTE ON FUNCTION ledger_post_many(jsonb, timestamptz) FROM PUBLIC;
