-- Issue 16 (review): nnp_withdrawal_reject (0049) and nnp_withdrawal_bank_failed (0050) checked
-- their caller with the same block. It is one function now, so the two can no longer drift apart:
-- the owner (the app acting for a person) names the staff member; an admin or finance login is
-- itself, whatever it passes; anyone else is refused with the caller's message.
-- Called from SECURITY DEFINER functions, so current_user is their owner: a session_user equal to
-- it is the owner's own session.
CREATE OR REPLACE FUNCTION nnp_money_staff(p_staff uuid, p_refusal text) RETURNS uuid
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
  who uuid;
BEGIN
  IF session_user::text = current_user::text OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false) THEN
    RETURN p_staff;
  END IF;
  who := nnp_session_staff_id();
  IF who IS NULL OR NOT (pg_has_role(session_user, 'nnp_admin', 'MEMBER') OR pg_has_role(session_user, 'nnp_finance', 'MEMBER')) THEN
    RAISE EXCEPTION '%', p_refusal USING ERRCODE = '42501';
  END IF;
  RETURN who;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_money_staff(uuid, text) FROM PUBLIC;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_withdrawal_reject(p_id bigint, p_reason text, p_at timestamptz, p_staff uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  w withdrawals%ROWTYPE;
  who uuid := nnp_money_staff(p_staff, 'only admin and finance reject withdrawals');
BEGIN
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
CREATE OR REPLACE FUNCTION nnp_withdrawal_bank_failed(p_id bigint, p_reason text, p_at timestamptz, p_staff uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  w withdrawals%ROWTYPE;
  who uuid := nnp_money_staff(p_staff, 'only admin and finance mark bank transfers failed');
BEGIN
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
