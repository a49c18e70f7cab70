-- Issue 16: rejecting a withdrawal runs on the rejecting person's own login. The hold goes back to
-- the member's wallet through ledger_resolve, which no group may call: nnp_withdrawal_reject
-- (SECURITY DEFINER, admin and finance) voids the hold and marks the withdrawal rejected together,
-- in the caller's transaction, so a staff login can release a hold only by rejecting its pending
-- withdrawal, with a reason, in its own name.
CREATE OR REPLACE FUNCTION nnp_withdrawal_reject(p_id bigint, p_reason text, p_at timestamptz, p_staff uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  w withdrawals%ROWTYPE;
  who uuid := p_staff;
BEGIN
  IF session_user::text <> current_user::text AND NOT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false) THEN
    who := nnp_session_staff_id();
    IF who IS NULL OR NOT (pg_has_role(session_user, 'nnp_admin', 'MEMBER') OR pg_has_role(session_user, 'nnp_finance', 'MEMBER')) THEN
      RAISE EXCEPTION 'only admin and finance reject withdrawals' USING ERRCODE = '42501';
    END IF;
  END IF;
  IF p_reason IS NULL OR length(btrim(p_reason)) < 3 THEN
    RAISE EXCEPTION 'a rejection needs a reason' USING ERRCODE = '23514';
  END IF;
  SELECT * INTO w FROM withdrawals x WHERE x.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'withdrawal % does not exist', p_id USING ERRCODE = '23503';
  END IF;
  IF w.status <> 'pending' THEN
    RAISE EXCEPTION 'withdrawal % is not pending', p_id USING ERRCODE = '23514';
  END IF;
  PERFORM ledger_resolve(w.hold_transaction_id, 'void', p_at);
  UPDATE withdrawals SET status = 'rejected', rejected_by = who, rejected_at = p_at, rejection_reason = btrim(p_reason), updated_at = p_at
   WHERE id = p_id;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_reject(bigint, text, timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_withdrawal_reject(bigint, text, timestamptz, uuid) TO nnp_admin, nnp_finance;
--> statement-breakpoint
-- The withdrawal rules of 0046, plus: a rejected withdrawal's hold is voided (every writer), and a
-- staff login's session may reject only through the function above (its hold already voided).
CREATE OR REPLACE FUNCTION nnp_withdrawal_approval() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  owner_name text := (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = TG_RELID);
  is_staff boolean := NOT (session_user::text = owner_name OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false));
  me uuid;
  first_step boolean := OLD.first_approved_by IS NULL AND NEW.first_approved_by IS NOT NULL;
  final_step boolean := OLD.status IS DISTINCT FROM 'approved' AND NEW.status = 'approved';
  rejecting boolean := OLD.status IS DISTINCT FROM 'rejected' AND NEW.status = 'rejected';
  hold_voided boolean;
  d payout_destinations%ROWTYPE;
BEGIN
  IF rejecting THEN
    SELECT t.status = 'voided' INTO hold_voided FROM ledger_transactions t WHERE t.id = NEW.hold_transaction_id;
    IF NEW.hold_transaction_id IS NOT NULL AND NOT coalesce(hold_voided, false) THEN
      RAISE EXCEPTION 'withdrawal % is rejected only once its hold is voided', OLD.id USING ERRCODE = '23514';
    END IF;
  END IF;
  IF is_staff THEN
    me := nnp_session_staff_id();
    IF me IS NULL OR OLD.status <> 'pending' THEN
      RAISE EXCEPTION 'a staff login only approves or rejects pending withdrawals' USING ERRCODE = '42501';
    END IF;
    IF rejecting THEN
      IF NEW.rejected_by IS DISTINCT FROM me THEN
        RAISE EXCEPTION 'a staff login rejects only in its own name' USING ERRCODE = '42501';
      END IF;
      RETURN NEW;
    END IF;
    IF NEW.status NOT IN ('pending', 'approved') OR NOT (first_step OR final_step) THEN
      RAISE EXCEPTION 'a staff login only approves or rejects pending withdrawals' USING ERRCODE = '42501';
    END IF;
    IF (first_step AND NEW.first_approved_by <> me) OR (final_step AND NEW.approved_by IS DISTINCT FROM me) THEN
      RAISE EXCEPTION 'a staff login approves only in its own name' USING ERRCODE = '42501';
    END IF;
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
