-- One test of "is this session the app's owner login (or a superuser)?" for every rule that lets
-- the owner through and holds a staff login to its role: six functions each had their own copy
-- (the owner of the table, or of the function, compared with session_user). SECURITY DEFINER, so
-- current_user inside is the login that owns the schema whatever the caller; it tells a caller
-- only whether it is that login.
CREATE FUNCTION nnp_session_is_owner() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT session_user = current_user OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.nnp_app_settings_rules()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
BEGIN
  IF nnp_session_is_owner() THEN
    RETURN NEW;
  END IF;
  IF NEW.key IS DISTINCT FROM 'withdrawals.second_approval_threshold_mxn' OR (TG_OP = 'UPDATE' AND OLD.key IS DISTINCT FROM NEW.key) THEN
    RAISE EXCEPTION 'a staff login sets only the second-approval threshold' USING ERRCODE = '42501';
  END IF;
  IF NEW.value !~ '^\d{1,16}(\.\d{1,2})?$' OR NEW.value::numeric <= 0 THEN
    RAISE EXCEPTION 'the threshold must be a positive amount' USING ERRCODE = '23514';
  END IF;
  IF NEW.updated_by IS DISTINCT FROM nnp_session_staff_id() THEN
    RAISE EXCEPTION 'a staff login sets the threshold only in its own name' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $function$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.nnp_plan_version_rules()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
  me uuid;
  p_status text;
  open_key text;
BEGIN
  IF nnp_session_is_owner() THEN
    RETURN NEW;
  END IF;
  me := nnp_session_staff_id();
  IF me IS NULL THEN
    RAISE EXCEPTION 'not a staff login' USING ERRCODE = '42501';
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'draft' OR NEW.published_by IS NOT NULL OR NEW.published_at IS NOT NULL OR NEW.created_by IS DISTINCT FROM me THEN
      RAISE EXCEPTION 'a staff login creates only drafts, in its own name' USING ERRCODE = '42501';
    END IF;
  ELSE
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'plan version % is published: it never changes', OLD.id USING ERRCODE = '23514';
    END IF;
    IF NEW.status = 'draft' THEN
      IF NEW.published_by IS NOT NULL OR NEW.published_at IS NOT NULL THEN
        RAISE EXCEPTION 'a draft has no publisher' USING ERRCODE = '23514';
      END IF;
      RETURN NEW;
    END IF;
    IF NEW.published_by IS DISTINCT FROM me OR NEW.published_at IS NULL THEN
      RAISE EXCEPTION 'a staff login publishes only in its own name' USING ERRCODE = '42501';
    END IF;
  END IF;
  -- Takes effect in the open period or a later one; the period is held until the transaction ends.
  SELECT x.status::text INTO p_status FROM periods x WHERE x.key = NEW.effective_from_period FOR SHARE;
  SELECT x.key INTO open_key FROM periods x WHERE x.status = 'open';
  IF (p_status IS NOT NULL AND p_status <> 'open') OR (open_key IS NOT NULL AND NEW.effective_from_period < open_key) THEN
    RAISE EXCEPTION 'a plan cannot take effect in period %', NEW.effective_from_period USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $function$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.nnp_withdrawal_approval()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
  is_staff boolean := NOT nnp_session_is_owner();
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
END $function$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.nnp_own_name()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
  me text := session_user;
BEGIN
  IF public.nnp_session_is_owner() THEN
    RETURN NEW;
  END IF;
  IF NEW.staff_username IS NULL OR public.nnp_login_name(NEW.staff_username) <> me
     OR NEW.staff_id IS DISTINCT FROM (SELECT s.id FROM public.staff s WHERE s.username = NEW.staff_username) THEN
    RAISE EXCEPTION 'login % may write % rows only in its own name', me, TG_TABLE_NAME USING ERRCODE = '42501';
  END IF;
  NEW.at := now();
  IF TG_TABLE_NAME = 'audit_log' THEN
    NEW.db_login := me;
  END IF;
  RETURN NEW;
END $function$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.nnp_money_staff(p_staff uuid, p_refusal text)
 RETURNS uuid
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
  who uuid;
BEGIN
  IF nnp_session_is_owner() THEN
    RETURN p_staff;
  END IF;
  who := nnp_session_staff_id();
  IF who IS NULL OR NOT (pg_has_role(session_user, 'nnp_admin', 'MEMBER') OR pg_has_role(session_user, 'nnp_finance', 'MEMBER')) THEN
    RAISE EXCEPTION '%', p_refusal USING ERRCODE = '42501';
  END IF;
  RETURN who;
END $function$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.nnp_record_change()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  o jsonb;
  n jsonb;
  b jsonb;
  a jsonb;
  changed text[];
  hidden text[] := '{}';
  masked text[] := '{}';
  arg text;
  k text;
  who text := nullif(current_setting('nnp.staff', true), '');
BEGIN
  -- A staff login's changes are named after its own account: the setting is the app's word, which
  -- a SQL client with that login could set to anyone's name.
  IF NOT nnp_session_is_owner() THEN
    who := (SELECT s.username FROM staff s WHERE s.active AND nnp_login_name(s.username) = session_user::text);
  END IF;
  IF TG_NARGS > 0 THEN
    FOREACH arg IN ARRAY TG_ARGV LOOP
      IF left(arg, 5) = 'hide:' THEN hidden := hidden || substr(arg, 6);
      ELSIF left(arg, 5) = 'mask:' THEN masked := masked || substr(arg, 6);
      END IF;
    END LOOP;
  END IF;
  IF TG_OP <> 'INSERT' THEN o := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN n := to_jsonb(NEW); END IF;
  -- Which fields: those that changed (compared before masking), or every field of an insert / delete.
  SELECT array_agg(e.key ORDER BY e.key) INTO changed FROM jsonb_each(coalesce(n, o)) e
   WHERE TG_OP <> 'UPDATE' OR e.value IS DISTINCT FROM o -> e.key;
  IF changed IS NULL THEN RETURN NULL; END IF;
  IF o IS NOT NULL THEN
    b := '{}';
    FOREACH k IN ARRAY changed LOOP
      b := b || jsonb_build_object(k, CASE WHEN k = ANY (hidden) THEN '"***"'::jsonb WHEN k = ANY (masked) THEN nnp_mask(o -> k) ELSE o -> k END);
    END LOOP;
  END IF;
  IF n IS NOT NULL THEN
    a := '{}';
    FOREACH k IN ARRAY changed LOOP
      a := a || jsonb_build_object(k, CASE WHEN k = ANY (hidden) THEN '"***"'::jsonb WHEN k = ANY (masked) THEN nnp_mask(n -> k) ELSE n -> k END);
    END LOOP;
  END IF;
  INSERT INTO data_changes (app_staff, procedure, table_name, op, row_key, before, after)
  VALUES (who, nullif(current_setting('nnp.procedure', true), ''),
          TG_TABLE_NAME, TG_OP, coalesce(coalesce(n, o) ->> 'id', coalesce(n, o) ->> 'key', coalesce(n, o) ->> 'code'), b, a);
  RETURN NULL;
END $function$;
