-- Issue 16 item 4, balances never trusted blindly: the cached balance of a member wallet is what
-- every available-balance check reads (ledger_post's overdraft test, the withdrawal quote); an owner
-- (or anyone who got past the grants) who edits ledger_accounts would otherwise mint money that a
-- withdrawal then takes. Before a wallet is debited without allow_negative (a withdrawal's hold, a
-- wallet payment), and when a withdrawal is approved, the locked row's balance and pending amounts
-- are compared with the sums of its entries (the same figures ledger_mismatches() computes, for one
-- account: an index range on ledger_entries_account_idx); a difference refuses the posting with
-- NP005 (CONFLICT ledger.drift in the app) and the daily / after-close check reports the account.
CREATE OR REPLACE FUNCTION ledger_verify_wallet(p_account bigint) RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
  a record;
  f record;
BEGIN
  SELECT x.kind, x.balance, x.pending_in, x.pending_out INTO a FROM ledger_accounts x WHERE x.id = p_account;
  IF NOT FOUND OR a.kind <> 'member_wallet' THEN RETURN; END IF;
  WITH per_tx AS (
    SELECT t.status, sum(e.amount) AS delta
      FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
     WHERE e.account_id = p_account
     GROUP BY e.transaction_id, t.status
  )
  SELECT coalesce(sum(p.delta) FILTER (WHERE p.status = 'posted'), 0) AS bal,
         coalesce(sum(greatest(p.delta, 0)) FILTER (WHERE p.status = 'pending'), 0) AS pin,
         coalesce(sum(greatest(-p.delta, 0)) FILTER (WHERE p.status = 'pending'), 0) AS pout
    INTO f FROM per_tx p;
  IF a.balance <> f.bal OR a.pending_in <> f.pin OR a.pending_out <> f.pout THEN
    RAISE EXCEPTION 'ledger account % differs from its entries (balance % vs %, pending out % vs %)',
      p_account, a.balance, f.bal, a.pending_out, f.pout USING ERRCODE = 'NP005', DETAIL = p_account::text;
  END IF;
END $function$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION ledger_verify_wallet(bigint) FROM PUBLIC;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_post(p_key text, p_hash text, p_kind text, p_currency character, p_status ledger_tx_status, p_allow_negative boolean, p_reference jsonb, p_period_id integer, p_memo text, p_entries jsonb, p_now timestamp with time zone)
 RETURNS TABLE(transaction_id bigint, replayed boolean, status ledger_tx_status)
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
 SET enable_seqscan TO 'off'
AS $function$
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
    -- A wallet about to be debited: its cached figures must be what its entries say (the row is locked).
    IF r.delta < 0 AND NOT p_allow_negative THEN
      PERFORM ledger_verify_wallet(r.account_id);
    END IF;
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
END $function$;
