-- Issue 16: paying a withdrawal runs on the finance (or admin) person's own login. Four SECURITY
-- DEFINER functions make each payout step whole — status, attempt rows, the hold's post or void and
-- the settlement posting — in the caller's own name (nnp_money_staff, 0055):
--   nnp_withdrawal_bank_batch     approved → processing in a bank file (batch and attempt rows)
--   nnp_withdrawal_bank_paid      a bank transfer confirmed: hold posted, settlement, paid
--   nnp_withdrawal_stripe_start   approved (or a Stripe retry) → processing, one attempt row
--   nnp_withdrawal_stripe_outcome Stripe's answer: paid (settled), declined (hold voided) or unknown
-- The settlement's entries are the database's own (nnp_withdrawal_settle): the same posting, key,
-- company slot and body hash the app made before (main/services/ledger/ledger.ts), so nothing a
-- desktop says decides which accounts move or by how much.
-- The withdrawal trigger lets a staff login take exactly these steps in its own name; the columns
-- they set (batch, method, destination, settlement) are granted to no staff login, so only the
-- functions reach them. For every writer: a withdrawal enters processing only from approved, with
-- its method and, for a bank file, its batch and the destination copied at approval; whoever
-- approved alone does not confirm that same bank payment.

-- The app's company slot for an idempotency key: FNV-1a (32 bit) of the key, modulo the 16 slots
-- (ledger.ts COMPANY_SLOTS). Keys are ASCII, so code points are the UTF-16 units the app hashes.
CREATE OR REPLACE FUNCTION nnp_company_slot(p_key text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = public, pg_temp AS $$
DECLARE
  h bigint := 2166136261;
  i integer;
BEGIN
  FOR i IN 1 .. length(p_key) LOOP
    h := ((h # ascii(substr(p_key, i, 1))) * 16777619) % 4294967296;
  END LOOP;
  RETURN (h % 16)::integer;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_company_slot(text) FROM PUBLIC;
--> statement-breakpoint
-- A withdrawal's settlement: the posted hold leaves withdrawal_holds for the clearing account (net)
-- and fee income (fee). Body hash as ledger.ts's bodyHash (sorted-key JSON, sha256).
CREATE OR REPLACE FUNCTION nnp_withdrawal_settle(p_id bigint, p_clearing text, p_at timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  w withdrawals%ROWTYPE;
  k text := format('withdrawal:%s:settle', p_id);
  s integer := nnp_company_slot(format('withdrawal:%s:settle', p_id));
  method text := CASE p_clearing WHEN 'payouts_clearing' THEN 'stripe' WHEN 'withdrawal_clearing' THEN 'bank_file' END;
  entries jsonb;
  hashed text;
  r record;
BEGIN
  IF method IS NULL THEN
    RAISE EXCEPTION 'unknown clearing account %', p_clearing USING ERRCODE = '22023';
  END IF;
  SELECT * INTO STRICT w FROM withdrawals x WHERE x.id = p_id;
  entries := jsonb_build_array(
    jsonb_build_object('ref', 'withdrawal_holds', 'id', NULL, 'slot', s, 'amount', (-w.amount)::text),
    jsonb_build_object('ref', p_clearing, 'id', NULL, 'slot', s, 'amount', w.net::text));
  IF w.fee <> 0 THEN
    entries := entries || jsonb_build_array(jsonb_build_object('ref', 'fee_income', 'id', NULL, 'slot', s, 'amount', w.fee::text));
  END IF;
  hashed := encode(sha256(convert_to(
    '{"allowNegative":false,"currency":' || to_json(w.currency::text)::text
    || ',"entries":[' || (SELECT string_agg(format('[%s,null,%s,%s]', to_json(e->>'ref')::text, s, to_json(e->>'amount')::text), ',' ORDER BY o)
                          FROM jsonb_array_elements(entries) WITH ORDINALITY AS x(e, o))
    || '],"kind":"withdrawal.settle","memo":null,"pending":false,"periodId":null,"reference":{"method":' || to_json(method)::text
    || ',"withdrawalId":' || p_id || '}}', 'UTF8')), 'hex');
  SELECT * INTO r FROM ledger_post(k, hashed, 'withdrawal.settle', w.currency, 'posted', false,
    jsonb_build_object('withdrawalId', p_id, 'method', method), NULL, NULL, entries, p_at);
  RETURN r.transaction_id;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_settle(bigint, text, timestamptz) FROM PUBLIC;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_withdrawal_bank_batch(p_ids bigint[], p_at timestamptz, p_staff uuid) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  who uuid := nnp_money_staff(p_staff, 'only admin and finance make bank files');
  ids bigint[] := ARRAY(SELECT DISTINCT u FROM unnest(p_ids) AS u WHERE u IS NOT NULL ORDER BY u);
  locked integer;
  bad bigint;
  batch uuid;
BEGIN
  IF cardinality(ids) = 0 THEN
    RAISE EXCEPTION 'a bank file needs at least one withdrawal' USING ERRCODE = '23514';
  END IF;
  -- In id order, like every other lock on withdrawals: two files never deadlock.
  SELECT count(*) INTO locked FROM (SELECT 1 FROM withdrawals x WHERE x.id = ANY (ids) ORDER BY x.id FOR UPDATE) l;
  IF locked <> cardinality(ids) THEN
    RAISE EXCEPTION 'a withdrawal of this bank file does not exist' USING ERRCODE = '23503';
  END IF;
  SELECT x.id INTO bad FROM withdrawals x WHERE x.id = ANY (ids) AND (x.status <> 'approved' OR x.payout_destination IS NULL) ORDER BY x.id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'withdrawal % is not approved with a bank destination', bad USING ERRCODE = '23514';
  END IF;
  INSERT INTO payout_batches (created_by, created_at, count, totals, file_name)
  SELECT who, p_at, cardinality(ids),
         (SELECT jsonb_agg(jsonb_build_object('currency', t.currency, 'count', t.n, 'amount', t.amount::text, 'fee', t.fee::text, 'net', t.net::text) ORDER BY t.currency)
            FROM (SELECT x.currency::text AS currency, count(*) AS n, sum(x.amount) AS amount, sum(x.fee) AS fee, sum(x.net) AS net
                    FROM withdrawals x WHERE x.id = ANY (ids) GROUP BY x.currency) t),
         'retiros-banco-' || to_char(p_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MI') || '.csv'
  RETURNING id INTO batch;
  UPDATE withdrawals SET status = 'processing', payout_method = 'bank_file', bank_batch_id = batch, processing_by = who,
         processing_at = p_at, payout_attempts = payout_attempts + 1, updated_at = p_at
   WHERE id = ANY (ids);
  INSERT INTO withdrawal_payout_attempts (withdrawal_id, method, idempotency_key, started_by, started_at, outcome)
  SELECT u, 'bank_file', format('batch-%s-%s', batch, u), who, p_at, 'batched' FROM unnest(ids) AS u ORDER BY u;
  RETURN batch;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_withdrawal_bank_paid(p_id bigint, p_reference text, p_at timestamptz, p_staff uuid) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  who uuid := nnp_money_staff(p_staff, 'only admin and finance confirm bank transfers');
  w withdrawals%ROWTYPE;
  settled bigint;
BEGIN
  IF p_reference IS NULL OR length(btrim(p_reference)) = 0 THEN
    RAISE EXCEPTION 'a paid bank transfer needs its reference' USING ERRCODE = '23514';
  END IF;
  SELECT * INTO w FROM withdrawals x WHERE x.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'withdrawal % does not exist', p_id USING ERRCODE = '23503';
  END IF;
  IF w.status <> 'processing' OR w.payout_method IS DISTINCT FROM 'bank_file' THEN
    RAISE EXCEPTION 'withdrawal % is not in a bank file awaiting its outcome', p_id USING ERRCODE = '23514';
  END IF;
  PERFORM ledger_resolve(w.hold_transaction_id, 'post', p_at);
  settled := nnp_withdrawal_settle(p_id, 'withdrawal_clearing', p_at);
  UPDATE withdrawals SET status = 'paid', paid_at = p_at, paid_by = who, payout_reference = btrim(p_reference),
         settle_transaction_id = settled, updated_at = p_at
   WHERE id = p_id;
  RETURN settled;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_withdrawal_stripe_start(p_id bigint, p_at timestamptz, p_staff uuid) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  who uuid := nnp_money_staff(p_staff, 'only admin and finance pay withdrawals');
  w withdrawals%ROWTYPE;
  destination text;
  attempt bigint;
BEGIN
  SELECT * INTO w FROM withdrawals x WHERE x.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'withdrawal % does not exist', p_id USING ERRCODE = '23503';
  END IF;
  IF w.status = 'approved' THEN
    -- The connected account paid is the member's, read here: never what the caller says.
    SELECT m.stripe_account_id INTO destination FROM members m WHERE m.id = w.member_id;
    IF destination IS NULL THEN
      RAISE EXCEPTION 'member of withdrawal % has no connected Stripe account', p_id USING ERRCODE = '23514';
    END IF;
  ELSIF w.status = 'processing' AND w.payout_method = 'stripe' THEN
    destination := w.stripe_destination;
  ELSE
    RAISE EXCEPTION 'withdrawal % is neither approved nor a Stripe payout awaiting its outcome', p_id USING ERRCODE = '23514';
  END IF;
  INSERT INTO withdrawal_payout_attempts (withdrawal_id, method, idempotency_key, started_by, started_at)
  VALUES (p_id, 'stripe', format('withdrawal-%s', p_id), who, p_at)
  RETURNING id INTO attempt;
  UPDATE withdrawals SET status = 'processing', payout_method = 'stripe', stripe_destination = destination,
         processing_by = CASE WHEN w.status = 'approved' THEN who ELSE processing_by END,
         processing_at = CASE WHEN w.status = 'approved' THEN p_at ELSE processing_at END,
         payout_attempts = payout_attempts + 1, updated_at = p_at
   WHERE id = p_id;
  RETURN attempt;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_withdrawal_stripe_outcome(p_id bigint, p_attempt bigint, p_outcome text, p_transfer text, p_code text,
  p_message text, p_at timestamptz, p_staff uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  who uuid := nnp_money_staff(p_staff, 'only admin and finance record payouts');
  w withdrawals%ROWTYPE;
  settled bigint;
BEGIN
  IF p_outcome IS NULL OR p_outcome NOT IN ('paid', 'declined', 'unknown') THEN
    RAISE EXCEPTION 'a payout outcome is paid, declined or unknown' USING ERRCODE = '23514';
  END IF;
  IF p_outcome = 'paid' AND (p_transfer IS NULL OR p_transfer !~ '^tr_[A-Za-z0-9]+$') THEN
    RAISE EXCEPTION 'a paid outcome names its Stripe transfer' USING ERRCODE = '23514';
  END IF;
  IF p_outcome <> 'paid' AND (p_code IS NULL OR p_message IS NULL) THEN
    RAISE EXCEPTION 'an outcome other than paid says why' USING ERRCODE = '23514';
  END IF;
  SELECT * INTO w FROM withdrawals x WHERE x.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'withdrawal % does not exist', p_id USING ERRCODE = '23503';
  END IF;
  UPDATE withdrawal_payout_attempts a SET finished_at = p_at, outcome = p_outcome,
         stripe_transfer_id = CASE WHEN p_outcome = 'paid' THEN p_transfer END,
         error_code = CASE WHEN p_outcome = 'paid' THEN NULL ELSE p_code END,
         error_message = CASE WHEN p_outcome = 'paid' THEN NULL ELSE p_message END
   WHERE a.id = p_attempt AND a.withdrawal_id = p_id AND a.method = 'stripe';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'attempt % is not a Stripe attempt of withdrawal %', p_attempt, p_id USING ERRCODE = '23503';
  END IF;
  -- A late answer for a withdrawal another attempt already settled changes only its attempt row.
  IF w.status <> 'processing' OR w.payout_method IS DISTINCT FROM 'stripe' THEN
    RETURN;
  END IF;
  IF p_outcome = 'paid' THEN
    PERFORM ledger_resolve(w.hold_transaction_id, 'post', p_at);
    settled := nnp_withdrawal_settle(p_id, 'payouts_clearing', p_at);
    UPDATE withdrawals SET status = 'paid', stripe_transfer_id = p_transfer, payout_reference = p_transfer, paid_at = p_at, paid_by = who,
           settle_transaction_id = settled, last_payout_error = NULL, updated_at = p_at
     WHERE id = p_id;
  ELSIF p_outcome = 'declined' THEN
    PERFORM ledger_resolve(w.hold_transaction_id, 'void', p_at);
    UPDATE withdrawals SET status = 'failed', failed_at = p_at, failed_by = who, failure_reason = format('Stripe: %s (%s)', p_message, p_code),
           last_payout_error = format('%s: %s', p_code, p_message), updated_at = p_at
     WHERE id = p_id;
  ELSE
    UPDATE withdrawals SET last_payout_error = format('%s: %s', p_code, p_message), updated_at = p_at WHERE id = p_id;
  END IF;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_bank_batch(bigint[], timestamptz, uuid), nnp_withdrawal_bank_paid(bigint, text, timestamptz, uuid),
  nnp_withdrawal_stripe_start(bigint, timestamptz, uuid),
  nnp_withdrawal_stripe_outcome(bigint, bigint, text, text, text, text, timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_withdrawal_bank_batch(bigint[], timestamptz, uuid), nnp_withdrawal_bank_paid(bigint, text, timestamptz, uuid),
  nnp_withdrawal_stripe_start(bigint, timestamptz, uuid),
  nnp_withdrawal_stripe_outcome(bigint, bigint, text, text, text, text, timestamptz, uuid) TO nnp_admin, nnp_finance;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_withdrawal_approval() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  owner_name text := (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = TG_RELID);
  is_staff boolean := NOT (session_user::text = owner_name OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false));
  me uuid;
  first_step boolean := OLD.first_approved_by IS NULL AND NEW.first_approved_by IS NOT NULL;
  final_step boolean := OLD.status IS DISTINCT FROM 'approved' AND NEW.status = 'approved';
  rejecting boolean := OLD.status IS DISTINCT FROM 'rejected' AND NEW.status = 'rejected';
  failing boolean := OLD.status IS DISTINCT FROM 'failed' AND NEW.status = 'failed';
  paying boolean := OLD.status IS DISTINCT FROM 'paid' AND NEW.status = 'paid';
  starting boolean := OLD.status IS DISTINCT FROM 'processing' AND NEW.status = 'processing';
  hold text;
  d payout_destinations%ROWTYPE;
BEGIN
  IF (rejecting OR failing OR paying) AND NEW.hold_transaction_id IS NOT NULL THEN
    SELECT t.status::text INTO hold FROM ledger_transactions t WHERE t.id = NEW.hold_transaction_id;
    IF (rejecting OR failing) AND hold IS DISTINCT FROM 'voided' THEN
      RAISE EXCEPTION 'withdrawal % ends % only once its hold is voided', OLD.id, NEW.status USING ERRCODE = '23514';
    END IF;
  END IF;
  -- Every writer: a payout starts only from an approved withdrawal, by a known method; a bank file
  -- pays the destination copied at approval, in a batch; Stripe pays a connected account.
  IF starting AND (OLD.status <> 'approved' OR NEW.payout_method IS NULL
      OR (NEW.payout_method = 'bank_file' AND (NEW.bank_batch_id IS NULL OR NEW.payout_destination IS NULL))
      OR (NEW.payout_method = 'stripe' AND NEW.stripe_destination IS NULL)) THEN
    RAISE EXCEPTION 'withdrawal % starts a payout only once approved, by bank file (batch, destination) or Stripe (account)', OLD.id
      USING ERRCODE = '23514';
  END IF;
  IF is_staff THEN
    me := nnp_session_staff_id();
    IF me IS NULL THEN
      RAISE EXCEPTION 'not a staff login' USING ERRCODE = '42501';
    END IF;
    IF OLD.status = 'processing' THEN
      -- The payout steps of 0050 and 0064, each in the caller's own name.
      IF failing AND NEW.failed_by IS DISTINCT FROM me THEN
        RAISE EXCEPTION 'a staff login marks a transfer failed only in its own name' USING ERRCODE = '42501';
      END IF;
      IF paying AND NEW.paid_by IS DISTINCT FROM me THEN
        RAISE EXCEPTION 'a staff login marks a payout paid only in its own name' USING ERRCODE = '42501';
      END IF;
      IF paying AND OLD.payout_method = 'bank_file' AND OLD.approved_by = me AND OLD.first_approved_by IS NULL THEN
        RAISE EXCEPTION 'whoever approved withdrawal % alone does not confirm its bank payment', OLD.id USING ERRCODE = '42501';
      END IF;
      IF NOT (failing OR paying OR NEW.status = 'processing')
         OR NEW.payout_method IS DISTINCT FROM OLD.payout_method OR NEW.bank_batch_id IS DISTINCT FROM OLD.bank_batch_id
         OR NEW.stripe_destination IS DISTINCT FROM OLD.stripe_destination OR NEW.processing_by IS DISTINCT FROM OLD.processing_by THEN
        RAISE EXCEPTION 'a staff login ends a payout only as paid or failed, keeping its method and destination' USING ERRCODE = '42501';
      END IF;
    ELSIF OLD.status = 'approved' AND starting THEN
      IF NEW.processing_by IS DISTINCT FROM me THEN
        RAISE EXCEPTION 'a staff login starts a payout only in its own name' USING ERRCODE = '42501';
      END IF;
      RETURN NEW;
    ELSIF OLD.status <> 'pending' THEN
      RAISE EXCEPTION 'a staff login only approves or rejects pending withdrawals and pays approved ones' USING ERRCODE = '42501';
    ELSIF rejecting THEN
      IF NEW.rejected_by IS DISTINCT FROM me THEN
        RAISE EXCEPTION 'a staff login rejects only in its own name' USING ERRCODE = '42501';
      END IF;
      RETURN NEW;
    ELSIF NEW.status NOT IN ('pending', 'approved') OR NOT (first_step OR final_step) THEN
      RAISE EXCEPTION 'a staff login only approves or rejects pending withdrawals and pays approved ones' USING ERRCODE = '42501';
    ELSIF (first_step AND NEW.first_approved_by <> me) OR (final_step AND NEW.approved_by IS DISTINCT FROM me) THEN
      RAISE EXCEPTION 'a staff login approves only in its own name' USING ERRCODE = '42501';
    END IF;
  END IF;
  IF paying AND NEW.hold_transaction_id IS NOT NULL AND (hold IS DISTINCT FROM 'posted' OR NEW.settle_transaction_id IS NULL) THEN
    RAISE EXCEPTION 'withdrawal % is paid only once its hold is posted and settled', OLD.id USING ERRCODE = '23514';
  END IF;
  IF OLD.first_approved_by IS NOT NULL AND NEW.first_approved_by IS DISTINCT FROM OLD.first_approved_by THEN
    RAISE EXCEPTION 'the first approval of withdrawal % is not replaced', OLD.id USING ERRCODE = '23514';
  END IF;
  IF (first_step OR final_step) AND OLD.status <> 'pending' THEN
    RAISE EXCEPTION 'withdrawal % is not pending', OLD.id USING ERRCODE = '23514';
  END IF;
  IF final_step THEN
    IF NEW.first_approved_by IS NULL
       AND nnp_approvals_required(NEW.currency, NEW.amount, coalesce(NEW.approved_at, now())) > 1 THEN
      RAISE EXCEPTION 'withdrawal % needs two different approvers', OLD.id USING ERRCODE = '23514';
    END IF;
    PERFORM nnp_verify_member_wallet(NEW.member_id, NEW.currency);
    -- The destination paid is the one in force now, copied here: never what the writer says.
    SELECT * INTO d FROM payout_destinations p WHERE p.member_id = NEW.member_id AND p.country = NEW.country AND p.superseded_at IS NULL;
    IF FOUND THEN
      NEW.payout_destination_id := d.id;
      NEW.payout_destination := jsonb_build_object('id', d.id, 'country', d.country, 'holderName', d.holder_name, 'taxId', d.tax_id,
        'bankCode', d.bank_code, 'bankName', d.bank_name, 'accountType', d.account_type, 'routingNumber', d.routing_number, 'accountNumber', d.account_number);
    ELSE
      NEW.payout_destination_id := NULL;
      NEW.payout_destination := NULL;
    END IF;
  END IF;
  RETURN NEW;
END $$;
