-- The ledger functions as they stand, once more: some of them were edited in the working tree
-- after a database (another engineer's, the shared bench cluster) had already applied an earlier
-- draft of their migration, and drizzle never re-runs a migration. Everything here is idempotent.
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
CREATE OR REPLACE FUNCTION ledger_post_batch(p_transfers jsonb, p_now timestamptz)
RETURNS TABLE (ord integer, transaction_id bigint, replayed boolean, status ledger_tx_status)
LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS ledger_batch_t (
    ord integer PRIMARY KEY, key text NOT NULL, hash text NOT NULL, kind text NOT NULL, currency char(3) NOT NULL,
    status ledger_tx_status NOT NULL, allow_negative boolean NOT NULL, reference jsonb, period_id integer, memo text, entries jsonb NOT NULL,
    tx_id bigint, replayed boolean
  ) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS ledger_batch_e (
    t_ord integer NOT NULL, e_ord integer NOT NULL, ref text NOT NULL, ref_id bigint, slot integer NOT NULL, amount numeric, account_id bigint
  ) ON COMMIT DELETE ROWS;
  DELETE FROM ledger_batch_t;
  DELETE FROM ledger_batch_e;

  INSERT INTO ledger_batch_t (ord, key, hash, kind, currency, status, allow_negative, reference, period_id, memo, entries)
  SELECT x.ord, x.key, x.hash, x.kind, x.currency, x.status, coalesce(x.allow_negative, false), x.reference, x.period_id, x.memo, x.entries
    FROM ROWS FROM (jsonb_to_recordset(p_transfers) AS (key text, hash text, kind text, currency char(3), status ledger_tx_status,
           allow_negative boolean, reference jsonb, period_id integer, memo text, entries jsonb)) WITH ORDINALITY AS x(key, hash, kind, currency, status, allow_negative, reference, period_id, memo, entries, ord);
  IF EXISTS (SELECT 1 FROM ledger_batch_t b WHERE b.status NOT IN ('posted', 'pending')) THEN
    RAISE EXCEPTION 'a posting is posted or pending' USING ERRCODE = '22023';
  END IF;
  SELECT b.key INTO bad FROM ledger_batch_t b GROUP BY b.key HAVING count(*) > 1 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'idempotency key % appears twice in the batch', bad.key USING ERRCODE = 'NP001', DETAIL = '0';
  END IF;
  ANALYZE ledger_batch_t;

  WITH ins AS (
    INSERT INTO ledger_transactions AS t (idempotency_key, body_hash, kind, currency, status, allow_negative, reference, period_id, memo, created_at)
    SELECT b.key, b.hash, b.kind, b.currency, b.status, b.allow_negative, b.reference, b.period_id, b.memo, p_now FROM ledger_batch_t b ORDER BY b.ord
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING t.id, t.idempotency_key
  )
  UPDATE ledger_batch_t b SET tx_id = ins.id, replayed = false FROM ins WHERE ins.idempotency_key = b.key;
  IF EXISTS (SELECT 1 FROM ledger_batch_t b WHERE b.tx_id IS NULL) THEN
    -- Replays: each looked up by its key.
    UPDATE ledger_batch_t b SET tx_id = (SELECT t.id FROM ledger_transactions t WHERE t.idempotency_key = b.key), replayed = true
     WHERE b.tx_id IS NULL;
    SELECT b.key, t.id INTO bad FROM ledger_batch_t b JOIN ledger_transactions t ON t.id = b.tx_id WHERE b.replayed AND t.body_hash <> b.hash LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'idempotency key % was used for a different posting', bad.key USING ERRCODE = 'NP001', DETAIL = bad.id::text;
    END IF;
  END IF;

  INSERT INTO ledger_batch_e (t_ord, e_ord, ref, ref_id, slot, amount)
  SELECT b.ord, e.ord, e.ref, e.id, coalesce(e.slot, 0), e.amount::numeric
    FROM ledger_batch_t b
   CROSS JOIN LATERAL ROWS FROM (jsonb_to_recordset(b.entries) AS (ref text, id bigint, slot integer, amount text)) WITH ORDINALITY AS e(ref, id, slot, amount, ord)
   WHERE NOT b.replayed;
  IF EXISTS (SELECT 1 FROM ledger_batch_e e WHERE e.amount IS NULL OR e.amount = 0 OR e.amount <> round(e.amount, 2)) THEN
    RAISE EXCEPTION 'ledger amounts must be non-zero with at most 2 decimals' USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_amount_cents';
  END IF;
  ANALYZE ledger_batch_e;

  -- Existing accounts, then the missing ones created (and checked) one by one.
  UPDATE ledger_batch_e e SET account_id = e.ref_id WHERE e.ref = 'account';
  UPDATE ledger_batch_e e SET account_id = a.id FROM ledger_batch_t b, ledger_accounts a
   WHERE e.ref = 'member' AND b.ord = e.t_ord AND a.kind = 'member_wallet' AND a.member_id = e.ref_id AND a.currency = b.currency;
  UPDATE ledger_batch_e e SET account_id = a.id FROM ledger_batch_t b, ledger_accounts a
   WHERE e.ref NOT IN ('member', 'account') AND b.ord = e.t_ord AND a.member_id IS NULL
     AND a.kind = e.ref::ledger_account_kind AND a.currency = b.currency AND a.slot = e.slot;
  IF EXISTS (SELECT 1 FROM ledger_batch_e e WHERE e.account_id IS NULL) THEN
    -- First use of wallets (in the currency of the member's country) and company slots, set-based.
    INSERT INTO ledger_accounts (kind, member_id, currency)
    SELECT DISTINCT 'member_wallet'::ledger_account_kind, e.ref_id, b.currency
      FROM ledger_batch_e e JOIN ledger_batch_t b ON b.ord = e.t_ord
      JOIN members m ON m.id = e.ref_id JOIN countries c ON c.code = m.country AND c.currency = b.currency
     WHERE e.ref = 'member' AND e.account_id IS NULL
    ON CONFLICT (member_id, currency) WHERE kind = 'member_wallet' DO NOTHING;
    INSERT INTO ledger_accounts (kind, currency, slot)
    SELECT DISTINCT e.ref::ledger_account_kind, b.currency, e.slot
      FROM ledger_batch_e e JOIN ledger_batch_t b ON b.ord = e.t_ord
     WHERE e.ref NOT IN ('member', 'account') AND e.account_id IS NULL
    ON CONFLICT (kind, currency, slot) WHERE member_id IS NULL DO NOTHING;
    UPDATE ledger_batch_e e SET account_id = a.id FROM ledger_batch_t b, ledger_accounts a
     WHERE e.account_id IS NULL AND e.ref = 'member' AND b.ord = e.t_ord AND a.kind = 'member_wallet' AND a.member_id = e.ref_id AND a.currency = b.currency;
    UPDATE ledger_batch_e e SET account_id = a.id FROM ledger_batch_t b, ledger_accounts a
     WHERE e.account_id IS NULL AND e.ref NOT IN ('member', 'account') AND b.ord = e.t_ord AND a.member_id IS NULL
       AND a.kind = e.ref::ledger_account_kind AND a.currency = b.currency AND a.slot = e.slot;
    -- What is still missing is an error (a member in another currency, or none): raised with its code.
    PERFORM ledger_account_id(e.ref, b.currency, e.ref_id, e.slot)
       FROM ledger_batch_e e JOIN ledger_batch_t b ON b.ord = e.t_ord WHERE e.account_id IS NULL;
  END IF;

  PERFORM 1 FROM ledger_accounts a WHERE a.id IN (SELECT DISTINCT e.account_id FROM ledger_batch_e e) ORDER BY a.id FOR NO KEY UPDATE;

  WITH per AS (
    SELECT e.account_id, b.status, e.t_ord, b.currency, sum(e.amount) AS d
      FROM ledger_batch_e e JOIN ledger_batch_t b ON b.ord = e.t_ord GROUP BY e.account_id, b.status, e.t_ord, b.currency
  ), agg AS (
    SELECT p.account_id,
           coalesce(sum(p.d) FILTER (WHERE p.status = 'posted'), 0) AS bal,
           coalesce(sum(greatest(p.d, 0)) FILTER (WHERE p.status = 'pending'), 0) AS pin,
           coalesce(sum(greatest(-p.d, 0)) FILTER (WHERE p.status = 'pending'), 0) AS pout
      FROM per p GROUP BY p.account_id
  )
  UPDATE ledger_accounts a SET balance = a.balance + agg.bal, pending_in = a.pending_in + agg.pin, pending_out = a.pending_out + agg.pout, updated_at = p_now
    FROM agg WHERE a.id = agg.account_id;

  SELECT a.id INTO bad FROM ledger_accounts a
   WHERE a.kind = 'member_wallet' AND a.balance - a.pending_out < 0
     AND a.id IN (SELECT e.account_id FROM ledger_batch_e e JOIN ledger_batch_t b ON b.ord = e.t_ord WHERE NOT b.allow_negative AND e.amount < 0)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insufficient funds in account %', bad.id USING ERRCODE = 'NP002', DETAIL = bad.id::text;
  END IF;

  -- One statement: each transaction's entries are checked for balance (and each entry's account
  -- for the transaction's currency, by the foreign key) as a whole.
  INSERT INTO ledger_entries (transaction_id, account_id, currency, amount, kind, period_id, created_at)
  SELECT b.tx_id, e.account_id, b.currency, e.amount, b.kind, b.period_id, p_now
    FROM ledger_batch_e e JOIN ledger_batch_t b ON b.ord = e.t_ord ORDER BY e.t_ord, e.e_ord;

  RETURN QUERY SELECT b.ord::integer, b.tx_id, b.replayed, t.status FROM ledger_batch_t b JOIN ledger_transactions t ON t.id = b.tx_id ORDER BY b.ord;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.transaction_id, x.currency, x.total INTO bad
    FROM (SELECT DISTINCT i.transaction_id FROM inserted_entries i) n
   CROSS JOIN LATERAL (
     SELECT e.currency, sum(e.amount) AS total FROM ledger_entries e WHERE e.transaction_id = n.transaction_id GROUP BY e.currency
   ) x
   WHERE x.total <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % does not balance in %: %', bad.transaction_id, bad.currency, bad.total
      USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_balanced';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
ALTER FUNCTION ledger_post(text, text, text, char(3), ledger_tx_status, boolean, jsonb, integer, text, jsonb, timestamptz) SET plan_cache_mode = force_generic_plan;
--> statement-breakpoint
ALTER FUNCTION ledger_post(text, text, text, char(3), ledger_tx_status, boolean, jsonb, integer, text, jsonb, timestamptz) SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION ledger_resolve(bigint, text, timestamptz) RESET ALL;
--> statement-breakpoint
ALTER FUNCTION ledger_resolve(bigint, text, timestamptz) SET plan_cache_mode = force_generic_plan;
--> statement-breakpoint
ALTER FUNCTION ledger_resolve(bigint, text, timestamptz) SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION ledger_account_id(text, char(3), bigint, integer) RESET ALL;
--> statement-breakpoint
ALTER FUNCTION ledger_account_id(text, char(3), bigint, integer) SET plan_cache_mode = force_generic_plan;
--> statement-breakpoint
ALTER FUNCTION ledger_account_id(text, char(3), bigint, integer) SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION ledger_check_balanced() SET enable_seqscan = off;
--> statement-breakpoint
DROP TRIGGER IF EXISTS ledger_transactions_has_entries ON ledger_transactions;
--> statement-breakpoint
DROP FUNCTION IF EXISTS ledger_check_has_entries();
--> statement-breakpoint
DROP TRIGGER IF EXISTS ledger_entries_balanced ON ledger_entries;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS inserted_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_balanced();
