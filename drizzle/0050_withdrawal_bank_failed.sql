-- Issue 16: a bank transfer that bounced is marked failed on the finance person's own login:
-- nnp_withdrawal_bank_failed (SECURITY DEFINER, admin and finance) voids the hold and marks the
-- withdrawal failed together, with a reason, in the caller's own name; only a withdrawal in a bank
-- file (processing, bank_file) — a Stripe payout's outcome is Stripe's to say. The withdrawal
-- trigger gains, for every writer: failed or rejected ⇒ the hold is voided; paid ⇒ the hold is
-- posted and a settlement is recorded.
CREATE OR REPLACE FUNCTION nnp_withdrawal_bank_failed(p_id bigint, p_reason text, p_at timestamptz, p_staff uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  w withdrawals%ROWTYPE;
  who uuid := p_staff;
BEGIN
  IF session_user::text <> current_user::text AND NOT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false) THEN
    who := nnp_session_staff_id();
    IF who IS NULL OR NOT (pg_has_role(session_user, 'nnp_admin', 'MEMBER') OR pg_has_role(session_user, 'nnp_finance', 'MEMBER')) THEN
      RAISE EXCEPTION 'only admin and finance mark bank transfers failed' USING ERRCODE = '42501';
    END IF;
  END IF;
  IF p_reason IS NULL OR length(btrim(p_reason)) < 3 THEN
    RAISE EXCEPTION 'a failed transfer needs a reason' USING ERRCODE = '23514';
  END IF;
  SELECT * INTO w FROM withdrawals x WHERE x.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'withdrawal % does not exist', p_id USING ERRCODE = '23503';
  END IF;
  IF w.status <> 'processing' OR w.payout_method IS DISTINCT FROM 'bank_file' THEN
    RAISE EXCEPTION 'withdrawal % is not in a bank file awaiting its outcome', p_id USING ERRCODE = '23514';
  END IF;
  PERFORM ledger_resolve(w.hold_transaction_id, 'void', p_at);
  UPDATE withdrawals SET status = 'failed', failed_at = p_at, failed_by = who, failure_reason = btrim(p_reason), updated_at = p_at
   WHERE id = p_id;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_bank_failed(bigint, text, timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_withdrawal_bank_failed(bigint, text, timestamptz, uuid) TO nnp_admin, nnp_finance;
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
  hold text;
  d payout_destinations%ROWTYPE;
BEGIN
  IF (rejecting OR failing OR paying) AND NEW.hold_transaction_id IS NOT NULL THEN
    SELECT t.status::text INTO hold FROM ledger_transactions t WHERE t.id = NEW.hold_transaction_id;
    IF (rejecting OR failing) AND hold IS DISTINCT FROM 'voided' THEN
      RAISE EXCEPTION 'withdrawal % ends % only once its hold is voided', OLD.id, NEW.status USING ERRCODE = '23514';
    END IF;
  END IF;
  IF is_staff THEN
    me := nnp_session_staff_id();
    IF me IS NULL THEN
      RAISE EXCEPTION 'not a staff login' USING ERRCODE = '42501';
    END IF;
    IF failing AND OLD.status = 'processing' AND OLD.payout_method = 'bank_file' THEN
      IF NEW.failed_by IS DISTINCT FROM me THEN
        RAISE EXCEPTION 'a staff login marks a transfer failed only in its own name' USING ERRCODE = '42501';
      END IF;
      RETURN NEW;
    END IF;
    IF OLD.status <> 'pending' THEN
      RAISE EXCEPTION 'a staff login only approves or rejects pending withdrawals or marks a bank transfer failed' USING ERRCODE = '42501';
    END IF;
    IF rejecting THEN
      IF NEW.rejected_by IS DISTINCT FROM me THEN
        RAISE EXCEPTION 'a staff login rejects only in its own name' USING ERRCODE = '42501';
      END IF;
      RETURN NEW;
    END IF;
    IF NEW.status NOT IN ('pending', 'approved') OR NOT (first_step OR final_step) THEN
      RAISE EXCEPTION 'a staff login only approves or rejects pending withdrawals or marks a bank transfer failed' USING ERRCODE = '42501';
    END IF;
    IF (first_step AND NEW.first_approved_by <> me) OR (final_step AND NEW.approved_by IS DISTINCT FROM me) THEN
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
