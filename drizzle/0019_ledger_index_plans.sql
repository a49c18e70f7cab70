-- Every statement of the ledger functions is a key lookup or a key-ordered lock: an index is always
-- the right path. With cached generic plans (0013), a plan built while a table was still small
-- (a new installation, the first period close) could keep a bad path for the life of the
-- connection, or until autovacuum analyzes the table: the one-statement UPDATE … FROM of 0011 got
-- a plan that read every account of the currency for each posting. ledger_post now updates each
-- account by its id, and sequential scans are disabled inside the ledger functions (foreign-key
-- checks run inside them too) so their plans use the indexes from the start.
CREATE OR REPLACE FUNCTION ledger_post(
  p_key text, p_hash text, p_kind text, p_currency char(3), p_status ledger_tx_status, p_allow_negative boolean,
  p_reference jsonb, p_period_id integer, p_memo text, p_entries jsonb, p_now timestamptz
) RETURNS TABLE (transaction_id bigint, replayed boolean, status ledger_tx_status)
LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_hash text;
  v_status ledger_tx_status;
  v_refs text[];
  v_ids bigint[];
  v_slots integer[];
  v_accounts bigint[];
  v_amounts numeric[];
  v_bad_amount boolean;
  v_updated integer;
  v_expected integer;
  v_short bigint;
  v_kind ledger_account_kind;
  v_available numeric;
  r record;
  i integer;
BEGIN
  IF p_status NOT IN ('posted', 'pending') THEN
    RAISE EXCEPTION 'a posting is posted or pending, not %', p_status USING ERRCODE = '22023';
  END IF;
  IF jsonb_typeof(p_entries) <> 'array' OR jsonb_array_length(p_entries) < 2 THEN
    RAISE EXCEPTION 'a posting needs at least two entries' USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_balanced';
  END IF;

  INSERT INTO ledger_transactions AS t (idempotency_key, body_hash, kind, currency, status, allow_negative, reference, period_id, memo, created_at)
  VALUES (p_key, p_hash, p_kind, p_currency, p_status, p_allow_negative, p_reference, p_period_id, p_memo, p_now)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING t.id INTO v_id;

  IF v_id IS NULL THEN
    SELECT t.id, t.body_hash, t.status INTO v_id, v_hash, v_status FROM ledger_transactions t WHERE t.idempotency_key = p_key;
    IF v_hash IS DISTINCT FROM p_hash THEN
      RAISE EXCEPTION 'idempotency key % was used for a different posting', p_key USING ERRCODE = 'NP001', DETAIL = v_id::text;
    END IF;
    RETURN QUERY SELECT v_id, true, v_status;
    RETURN;
  END IF;

  -- Entries and their accounts, in one query (existing accounts).
  SELECT array_agg(x.ref ORDER BY x.ord), array_agg(x.id ORDER BY x.ord), array_agg(coalesce(x.slot, 0) ORDER BY x.ord),
         array_agg(CASE x.ref
                     WHEN 'account' THEN x.id
                     WHEN 'member' THEN (SELECT a.id FROM ledger_accounts a
                                          WHERE a.kind = 'member_wallet' AND a.member_id = x.id AND a.currency = p_currency)
                     ELSE (SELECT a.id FROM ledger_accounts a
                            WHERE a.kind = x.ref::ledger_account_kind AND a.currency = p_currency AND a.slot = coalesce(x.slot, 0) AND a.member_id IS NULL)
                   END ORDER BY x.ord),
         array_agg(x.amount::numeric ORDER BY x.ord),
         bool_or(x.amount IS NULL OR x.amount::numeric = 0 OR x.amount::numeric <> round(x.amount::numeric, 2))
    INTO v_refs, v_ids, v_slots, v_accounts, v_amounts, v_bad_amount
    FROM ROWS FROM (jsonb_to_recordset(p_entries) AS (ref text, id bigint, slot integer, amount text)) WITH ORDINALITY AS x(ref, id, slot, amount, ord);

  IF v_bad_amount THEN
    RAISE EXCEPTION 'ledger amounts must be non-zero with at most 2 decimals' USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_amount_cents';
  END IF;

  -- First use of a wallet or a company slot: create it (checks the member's currency).
  FOR i IN 1 .. array_length(v_accounts, 1) LOOP
    IF v_accounts[i] IS NULL THEN
      v_accounts[i] := ledger_account_id(v_refs[i], p_currency, v_ids[i], v_slots[i]);
    END IF;
  END LOOP;

  -- Lock the accounts in id order (no deadlock between postings), then apply the deltas.
  PERFORM 1 FROM ledger_accounts a WHERE a.id = ANY (v_accounts) ORDER BY a.id FOR NO KEY UPDATE;

  -- Each account by its id (a one-row key lookup whatever the table's statistics).
  v_updated := 0;
  v_expected := 0;
  FOR r IN SELECT l.account_id, sum(l.amount) AS delta FROM unnest(v_accounts, v_amounts) AS l(account_id, amount)
            GROUP BY l.account_id ORDER BY l.account_id LOOP
    v_expected := v_expected + 1;
    UPDATE ledger_accounts a SET
      balance = a.balance + CASE WHEN p_status = 'posted' THEN r.delta ELSE 0 END,
      pending_in = a.pending_in + CASE WHEN p_status = 'pending' AND r.delta > 0 THEN r.delta ELSE 0 END,
      pending_out = a.pending_out + CASE WHEN p_status = 'pending' AND r.delta < 0 THEN -r.delta ELSE 0 END,
      updated_at = p_now
     WHERE a.id = r.account_id AND a.currency = p_currency
    RETURNING a.kind, a.balance - a.pending_out INTO v_kind, v_available;
    IF FOUND THEN
      v_updated := v_updated + 1;
      IF v_short IS NULL AND v_kind = 'member_wallet' AND r.delta < 0 AND NOT p_allow_negative AND v_available < 0 THEN
        v_short := r.account_id;
      END IF;
    END IF;
  END LOOP;

  IF v_updated <> v_expected THEN
    RAISE EXCEPTION 'a ledger account of this posting does not exist in %', p_currency
      USING ERRCODE = '23503', CONSTRAINT = 'ledger_entries_account_currency_fk';
  END IF;
  IF v_short IS NOT NULL THEN
    RAISE EXCEPTION 'insufficient funds in account %', v_short USING ERRCODE = 'NP002', DETAIL = v_short::text;
  END IF;

  INSERT INTO ledger_entries (transaction_id, account_id, currency, amount, kind, period_id, created_at)
  SELECT v_id, l.account_id, p_currency, l.amount, p_kind, p_period_id, p_now FROM unnest(v_accounts, v_amounts) AS l(account_id, amount);

  RETURN QUERY SELECT v_id, false, p_status;
END $$;
--> statement-breakpoint
ALTER FUNCTION ledger_post(text, text, text, char(3), ledger_tx_status, boolean, jsonb, integer, text, jsonb, timestamptz) SET plan_cache_mode = force_generic_plan;
--> statement-breakpoint
ALTER FUNCTION ledger_post(text, text, text, char(3), ledger_tx_status, boolean, jsonb, integer, text, jsonb, timestamptz) SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION ledger_resolve(bigint, text, timestamptz) SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION ledger_account_id(text, char(3), bigint, integer) SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION ledger_check_balanced() SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION ledger_check_has_entries() SET enable_seqscan = off;
