-- Set-based posting of many transfers in one call (a period close posts one transfer per
-- commission line). Same rules as ledger_post: idempotency key per transfer (a replay answers the
-- first transaction, another body is NP001), member wallets created on first use in the member's
-- currency (NP004 otherwise), accounts locked in id order, cached balances updated in one
-- statement, entries inserted in one statement (the per-statement balance check then checks the
-- whole batch). The funds check is on the result of the batch: a member wallet debited by a
-- transfer without allow_negative must not end below zero (NP002).
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
