-- Issue 16, four eyes on money as a database rule: approving a withdrawal now runs on the
-- approver's own login (admin, finance), and what the app checks before an approval is checked
-- again here, for every writer — the owner included:
--   * only a pending withdrawal is approved; a first approval is never replaced;
--   * an amount above the second-approval threshold (app_settings, converted at the company rate
--     in force) is approved by two different people: never in one step (the CHECK constraints of
--     0039 already keep the requester and the two approvers apart);
--   * the paid destination is the member's destination in force, copied by the database itself;
--   * the wallet behind the hold must still agree with its entries (ledger_verify_wallet).
-- A staff login may change only those approval columns (column grants), only in its own name, and
-- never move a withdrawal to any other state: requests, rejections, payouts, bank batches and
-- their ledger postings stay on the owner's login (main/services/withdrawals/app.ts, ownerLogin).

-- The staff account of the session's login (null for the owner, a superuser or any other login).
CREATE OR REPLACE FUNCTION nnp_session_staff_id() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT s.id FROM public.staff s WHERE s.active AND public.nnp_login_name(s.username) = session_user::text
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_session_staff_id() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_session_staff_id() TO nnp_admin, nnp_finance, nnp_support;
--> statement-breakpoint
-- How many approvers an amount needs at an instant: 2 above the threshold, or when no rate is in force.
CREATE OR REPLACE FUNCTION nnp_approvals_required(p_currency text, p_amount numeric, p_at timestamptz) RETURNS smallint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  threshold numeric := coalesce((SELECT s.value::numeric FROM public.app_settings s WHERE s.key = 'withdrawals.second_approval_threshold_mxn'), 20000.00);
  rate numeric;
BEGIN
  IF p_currency = 'MXN' THEN
    rate := 1;
  ELSE
    SELECT r.rate_to_mxn INTO rate FROM public.exchange_rates r
     WHERE r.currency = p_currency AND r.effective_from <= p_at ORDER BY r.effective_from DESC LIMIT 1;
  END IF;
  RETURN CASE WHEN rate IS NULL OR p_amount * rate > threshold THEN 2 ELSE 1 END;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_approvals_required(text, numeric, timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_approvals_required(text, numeric, timestamptz) TO nnp_admin, nnp_finance;
--> statement-breakpoint
-- The wallet check an approval makes, callable by the approving groups: it locks the member's wallet
-- row (as the ledger's writers do) and refuses with NP005 when the cache differs from the entries.
CREATE OR REPLACE FUNCTION nnp_verify_member_wallet(p_member bigint, p_currency text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE a bigint;
BEGIN
  FOR a IN SELECT x.id FROM ledger_accounts x WHERE x.kind = 'member_wallet' AND x.member_id = p_member AND x.currency = p_currency FOR NO KEY UPDATE LOOP
    PERFORM ledger_verify_wallet(a);
  END LOOP;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_verify_member_wallet(bigint, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_verify_member_wallet(bigint, text) TO nnp_admin, nnp_finance;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_withdrawal_approval() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  owner_name text := (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = TG_RELID);
  is_staff boolean := NOT (session_user::text = owner_name OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false));
  me uuid;
  first_step boolean := OLD.first_approved_by IS NULL AND NEW.first_approved_by IS NOT NULL;
  final_step boolean := OLD.status IS DISTINCT FROM 'approved' AND NEW.status = 'approved';
  d payout_destinations%ROWTYPE;
BEGIN
  IF is_staff THEN
    me := nnp_session_staff_id();
    IF me IS NULL OR OLD.status <> 'pending' OR NEW.status NOT IN ('pending', 'approved') OR NOT (first_step OR final_step) THEN
      RAISE EXCEPTION 'a staff login only approves pending withdrawals' USING ERRCODE = '42501';
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
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_approval() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER withdrawals_approval BEFORE UPDATE ON withdrawals FOR EACH ROW EXECUTE FUNCTION nnp_withdrawal_approval();
--> statement-breakpoint
ALTER TABLE withdrawals ENABLE ALWAYS TRIGGER withdrawals_approval;
--> statement-breakpoint
GRANT UPDATE (status, approvals_required, first_approved_by, first_approved_at, first_approval_note, approved_by, approved_at, approval_note,
  payout_destination_id, payout_destination, updated_at) ON withdrawals TO nnp_admin, nnp_finance;
