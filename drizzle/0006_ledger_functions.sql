-- Ledger invariants kept by the database itself (see main/services/ledger/README.md).
-- Error codes raised here (mapped to typed errors by main/services/ledger/ledger.ts):
--   NP001 idempotency key reused with a different body   → CONFLICT
--   NP002 a member wallet would go below zero             → INSUFFICIENT_FUNDS
--   NP003 a pending transaction is already posted/voided  → CONFLICT
--   NP004 a member has no wallet in that currency         → VALIDATION
--   23514 check_violation (unbalanced, zero or over-precise amount, changed entry) → VALIDATION

-- 1. Every transaction's entries sum to zero per currency: checked at COMMIT (deferred), once per
--    entry, looking only at that transaction's entries (index on transaction_id): no global lock,
--    nothing that spans other transactions (Citus: co-locate entries with their transaction).
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT e.currency, sum(e.amount) AS total INTO bad
    FROM ledger_entries e
   WHERE e.transaction_id = NEW.transaction_id
   GROUP BY e.currency
  HAVING sum(e.amount) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % does not balance in %: %', NEW.transaction_id, bad.currency, bad.total
      USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_balanced';
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();--> statement-breakpoint

-- A transaction without entries is refused too (checked at COMMIT).
CREATE OR REPLACE FUNCTION ledger_check_has_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.transaction_id = NEW.id) THEN
    RAISE EXCEPTION 'ledger transaction % has no entries', NEW.id USING ERRCODE = '23514', CONSTRAINT = 'ledger_transactions_has_entries';
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_transactions_has_entries AFTER INSERT ON ledger_transactions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_has_entries();--> statement-breakpoint

-- 2. Entries are insert-only; a transaction only changes pending → posted | voided.
CREATE OR REPLACE FUNCTION ledger_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries are insert-only' USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_insert_only';
END $$;--> statement-breakpoint
CREATE TRIGGER ledger_entries_insert_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_refuse_change();--> statement-breakpoint

CREATE OR REPLACE FUNCTION ledger_transactions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'ledger transactions are never deleted' USING ERRCODE = '23514', CONSTRAINT = 'ledger_transactions_immutable';
  END IF;
  IF OLD.status <> 'pending' OR NEW.status NOT IN ('posted', 'voided')
     OR (NEW.idempotency_key, NEW.body_hash, NEW.kind, NEW.currency, NEW.allow_negative, NEW.reference, NEW.period_id, NEW.memo, NEW.created_at)
        IS DISTINCT FROM (OLD.idempotency_key, OLD.body_hash, OLD.kind, OLD.currency, OLD.allow_negative, OLD.reference, OLD.period_id, OLD.memo, OLD.created_at) THEN
    RAISE EXCEPTION 'ledger transaction % may only go from pending to posted or voided', OLD.id
      USING ERRCODE = '23514', CONSTRAINT = 'ledger_transactions_immutable';
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER ledger_transactions_immutable BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION ledger_transactions_guard();--> statement-breakpoint

-- 3. Account resolution: a member's wallet (created on first use, only in the currency of the
--    member's country), a company account slot (created on first use), or an account id as is.
CREATE OR REPLACE FUNCTION ledger_account_id(p_ref text, p_currency char(3), p_id bigint, p_slot integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_member_currency char(3);
BEGIN
  IF p_ref = 'account' THEN
    RETURN p_id;
  ELSIF p_ref = 'member' THEN
    SELECT a.id INTO v_id FROM ledger_accounts a
     WHERE a.kind = 'member_wallet' AND a.member_id = p_id AND a.currency = p_currency;
    IF FOUND THEN RETURN v_id; END IF;
    SELECT c.currency INTO v_member_currency FROM members m JOIN countries c ON c.code = m.country WHERE m.id = p_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'member % does not exist', p_id USING ERRCODE = '23503', CONSTRAINT = 'ledger_accounts_member_id_members_id_fk';
    END IF;
    IF v_member_currency <> p_currency THEN
      RAISE EXCEPTION 'member % has its wallet in %, not %', p_id, v_member_currency, p_currency
        USING ERRCODE = 'NP004', DETAIL = v_member_currency;
    END IF;
    INSERT INTO ledger_accounts (kind, member_id, currency) VALUES ('member_wallet', p_id, p_currency)
      ON CONFLICT (member_id, currency) WHERE kind = 'member_wallet' DO NOTHING RETURNING id INTO v_id;
    IF v_id IS NULL THEN
      SELECT a.id INTO v_id FROM ledger_accounts a
       WHERE a.kind = 'member_wallet' AND a.member_id = p_id AND a.currency = p_currency;
    END IF;
    RETURN v_id;
  ELSE
    SELECT a.id INTO v_id FROM ledger_accounts a
     WHERE a.kind = p_ref::ledger_account_kind AND a.currency = p_currency AND a.slot = p_slot AND a.member_id IS NULL;
    IF FOUND THEN RETURN v_id; END IF;
    INSERT INTO ledger_accounts (kind, currency, slot) VALUES (p_ref::ledger_account_kind, p_currency, p_slot)
      ON CONFLICT (kind, currency, slot) WHERE member_id IS NULL DO NOTHING RETURNING id INTO v_id;
    IF v_id IS NULL THEN
      SELECT a.id INTO v_id FROM ledger_accounts a
       WHERE a.kind = p_ref::ledger_account_kind AND a.currency = p_currency AND a.slot = p_slot AND a.member_id IS NULL;
    END IF;
    RETURN v_id;
  END IF;
END $$;--> statement-breakpoint

-- 4. One posting, in one round trip. p_entries: [{"ref": "member"|"account"|<company kind>,
--    "id": member or account id, "slot": n, "amount": "-12.50"}, ...] in the transaction's currency.
--    The accounts are locked in id order (no deadlocks between postings), their cached balances
--    updated, the entries inserted. A replay of the same key answers the first transaction.
CREATE OR REPLACE FUNCTION ledger_post(
  p_key text, p_hash text, p_kind text, p_currency char(3), p_status ledger_tx_status, p_allow_negative boolean,
  p_reference jsonb, p_period_id integer, p_memo text, p_entries jsonb, p_now timestamptz
) RETURNS TABLE (transaction_id bigint, replayed boolean, status ledger_tx_status)
LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_hash text;
  v_status ledger_tx_status;
  v_kind ledger_account_kind;
  v_available numeric;
  v_accounts bigint[];
  v_amounts numeric[];
  r record;
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

  SELECT array_agg(ledger_account_id(x.ref, p_currency, x.id, coalesce(x.slot, 0)) ORDER BY x.ord),
         array_agg(x.amount::numeric ORDER BY x.ord)
    INTO v_accounts, v_amounts
    FROM ROWS FROM (jsonb_to_recordset(p_entries) AS (ref text, id bigint, slot integer, amount text)) WITH ORDINALITY AS x(ref, id, slot, amount, ord);

  IF EXISTS (SELECT 1 FROM unnest(v_amounts) AS m(amount) WHERE m.amount IS NULL OR m.amount = 0 OR m.amount <> round(m.amount, 2)) THEN
    RAISE EXCEPTION 'ledger amounts must be non-zero with at most 2 decimals' USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_amount_cents';
  END IF;

  FOR r IN SELECT l.account_id, sum(l.amount) AS delta FROM unnest(v_accounts, v_amounts) AS l(account_id, amount)
            GROUP BY l.account_id ORDER BY l.account_id LOOP
    UPDATE ledger_accounts a SET
      balance = a.balance + CASE WHEN p_status = 'posted' THEN r.delta ELSE 0 END,
      pending_in = a.pending_in + CASE WHEN p_status = 'pending' AND r.delta > 0 THEN r.delta ELSE 0 END,
      pending_out = a.pending_out + CASE WHEN p_status = 'pending' AND r.delta < 0 THEN -r.delta ELSE 0 END,
      updated_at = p_now
     WHERE a.id = r.account_id AND a.currency = p_currency
    RETURNING a.kind, a.balance - a.pending_out INTO v_kind, v_available;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'ledger account % does not exist in %', r.account_id, p_currency
        USING ERRCODE = '23503', CONSTRAINT = 'ledger_entries_account_currency_fk';
    END IF;
    IF v_kind = 'member_wallet' AND r.delta < 0 AND NOT p_allow_negative AND v_available < 0 THEN
      RAISE EXCEPTION 'insufficient funds in account %', r.account_id USING ERRCODE = 'NP002', DETAIL = r.account_id::text;
    END IF;
  END LOOP;

  INSERT INTO ledger_entries (transaction_id, account_id, currency, amount, kind, period_id, created_at)
  SELECT v_id, l.account_id, p_currency, l.amount, p_kind, p_period_id, p_now FROM unnest(v_accounts, v_amounts) AS l(account_id, amount);

  RETURN QUERY SELECT v_id, false, p_status;
END $$;--> statement-breakpoint

-- 5. Two-phase: post (the held amounts become balance) or void (the hold is released) a pending
--    transaction. Idempotent: doing the same again answers false; the other action is NP003.
CREATE OR REPLACE FUNCTION ledger_resolve(p_transaction_id bigint, p_action text, p_now timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_status ledger_tx_status;
  v_target ledger_tx_status;
  r record;
BEGIN
  IF p_action = 'post' THEN v_target := 'posted';
  ELSIF p_action = 'void' THEN v_target := 'voided';
  ELSE RAISE EXCEPTION 'unknown action %', p_action USING ERRCODE = '22023';
  END IF;
  SELECT t.status INTO v_status FROM ledger_transactions t WHERE t.id = p_transaction_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ledger transaction % does not exist', p_transaction_id USING ERRCODE = '23503', CONSTRAINT = 'ledger_transactions_pkey';
  END IF;
  IF v_status = v_target THEN RETURN false; END IF;
  IF v_status <> 'pending' THEN
    RAISE EXCEPTION 'ledger transaction % is already %', p_transaction_id, v_status USING ERRCODE = 'NP003', DETAIL = v_status::text;
  END IF;
  FOR r IN SELECT e.account_id, sum(e.amount) AS delta FROM ledger_entries e
            WHERE e.transaction_id = p_transaction_id GROUP BY e.account_id ORDER BY e.account_id LOOP
    UPDATE ledger_accounts a SET
      balance = a.balance + CASE WHEN v_target = 'posted' THEN r.delta ELSE 0 END,
      pending_in = a.pending_in - greatest(r.delta, 0),
      pending_out = a.pending_out - greatest(-r.delta, 0),
      updated_at = p_now
     WHERE a.id = r.account_id;
  END LOOP;
  UPDATE ledger_transactions t SET status = v_target, resolved_at = p_now WHERE t.id = p_transaction_id;
  RETURN true;
END $$;--> statement-breakpoint

-- 6. The audit query: accounts whose cached balances differ from their entries (empty = exact).
CREATE OR REPLACE FUNCTION ledger_mismatches() RETURNS TABLE (account_id bigint, balance numeric, expected_balance numeric,
  pending_in numeric, expected_pending_in numeric, pending_out numeric, expected_pending_out numeric)
LANGUAGE sql STABLE AS $$
  WITH per_tx AS (
    SELECT e.account_id, t.status, sum(e.amount) AS delta
      FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
     GROUP BY e.account_id, e.transaction_id, t.status
  ), agg AS (
    SELECT p.account_id,
           coalesce(sum(p.delta) FILTER (WHERE p.status = 'posted'), 0) AS bal,
           coalesce(sum(greatest(p.delta, 0)) FILTER (WHERE p.status = 'pending'), 0) AS pin,
           coalesce(sum(greatest(-p.delta, 0)) FILTER (WHERE p.status = 'pending'), 0) AS pout
      FROM per_tx p GROUP BY p.account_id
  )
  SELECT a.id, a.balance, coalesce(g.bal, 0), a.pending_in, coalesce(g.pin, 0), a.pending_out, coalesce(g.pout, 0)
    FROM ledger_accounts a LEFT JOIN agg g ON g.account_id = a.id
   WHERE a.balance <> coalesce(g.bal, 0) OR a.pending_in <> coalesce(g.pin, 0) OR a.pending_out <> coalesce(g.pout, 0)
$$;
