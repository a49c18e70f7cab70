-- Review of 0060–0062: the scrypt-hash shape was written out in four places and the "is this an
-- administrator's own login" test in three. One function each now; nnp_change_own_password leaves
-- the hash's shape to the staff table's rules, which check it for every staff login's write.
CREATE FUNCTION nnp_is_scrypt_hash(h text) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(h ~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$', false)
$$;
--> statement-breakpoint
-- An active staff account's own login, member of nnp_admin.
CREATE FUNCTION nnp_session_is_admin() RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT nnp_session_staff_id() IS NOT NULL AND pg_has_role(session_user, 'nnp_admin', 'MEMBER')
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.nnp_staff_rules()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
  me uuid;
BEGIN
  IF nnp_session_is_owner() THEN
    RETURN NEW;
  END IF;
  IF (TG_OP = 'INSERT' OR NEW.password_hash IS DISTINCT FROM OLD.password_hash) AND NOT nnp_is_scrypt_hash(NEW.password_hash) THEN
    RAISE EXCEPTION 'the password hash must be an scrypt hash' USING ERRCODE = '22023';
  END IF;
  me := nnp_session_staff_id();
  -- One's own password (nnp_change_own_password, or an admin's own login): nothing else changes.
  IF TG_OP = 'UPDATE' AND me IS NOT NULL AND OLD.id = me
     AND (to_jsonb(NEW) - '{password_hash,must_change_password,updated_at}'::text[]) = (to_jsonb(OLD) - '{password_hash,must_change_password,updated_at}'::text[]) THEN
    RETURN NEW;
  END IF;
  IF NOT nnp_session_is_admin() THEN
    RAISE EXCEPTION 'only an administrator manages staff accounts' USING ERRCODE = '42501';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.id = me
     AND (NEW.role IS DISTINCT FROM OLD.role OR NEW.active IS DISTINCT FROM OLD.active) THEN
    -- Another administrator must (and says why). Their own password they may set: the login they
    -- are connected with already proved it (nnp_change_own_password is the app's way).
    RAISE EXCEPTION 'nobody changes their own role or account state' USING ERRCODE = '42501';
  END IF;
  IF TG_OP = 'INSERT' THEN
    -- A new account starts active, unlocked and stamped now, whatever the writer sent.
    NEW.active := true;
    NEW.failed_attempts := 0;
    NEW.locked_until := NULL;
    NEW.created_at := now();
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $function$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.nnp_staff_signed_out(p_staff uuid, p_at timestamp with time zone, p_clear_failures boolean)
 RETURNS SETOF uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
  IF NOT nnp_session_is_owner() AND NOT nnp_session_is_admin() THEN
    RAISE EXCEPTION 'only an administrator ends a colleague''s sessions' USING ERRCODE = '42501';
  END IF;
  IF p_clear_failures THEN
    DELETE FROM login_failures f WHERE f.staff_id = p_staff;
  END IF;
  RETURN QUERY
    UPDATE sessions s SET revoked_at = coalesce(p_at, now()) WHERE s.staff_id = p_staff AND s.revoked_at IS NULL RETURNING s.id;
END $function$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.nnp_change_own_password(p_hash text, p_verifier text, p_keep_session uuid, p_at timestamp with time zone)
 RETURNS SETOF uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
  me uuid := nnp_session_staff_id();
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'not a staff login' USING ERRCODE = '42501';
  END IF;
  IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
    RAISE EXCEPTION 'the password must be a SCRAM-SHA-256 verifier' USING ERRCODE = '22023';
  END IF;
  -- The hash's shape is checked by the staff table's rules (nnp_staff_rules).
  UPDATE staff SET password_hash = p_hash, must_change_password = false, updated_at = coalesce(p_at, now()) WHERE id = me;
  -- session_user is this account's login (nnp_session_staff_id matched it by name).
  EXECUTE format('ALTER ROLE %I PASSWORD %L', session_user, p_verifier);
  RETURN QUERY
    UPDATE sessions SET revoked_at = coalesce(p_at, now())
     WHERE staff_id = me AND revoked_at IS NULL AND id IS DISTINCT FROM p_keep_session
    RETURNING id;
END $function$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.nnp_travel_campaign_rules()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
  me uuid;
  open_key text;
  p jsonb;
  prev_to text;
BEGIN
  IF nnp_session_is_owner() THEN
    RETURN NEW;
  END IF;
  me := nnp_session_staff_id();
  IF NOT nnp_session_is_admin() THEN
    RAISE EXCEPTION 'only an administrator saves travel campaigns' USING ERRCODE = '42501';
  END IF;
  IF TG_OP = 'INSERT' THEN
    NEW.created_by := me;
    NEW.created_at := now();
    NEW.multiplier := 1;
  ELSIF NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.created_at IS DISTINCT FROM OLD.created_at OR NEW.multiplier IS DISTINCT FROM OLD.multiplier THEN
    RAISE EXCEPTION 'a campaign keeps its author, date and multiplier' USING ERRCODE = '42501';
  END IF;
  IF length(btrim(NEW.name)) NOT BETWEEN 3 AND 120
     OR NEW.from_period !~ '^[0-9]{4}-(0[1-9]|1[0-2])$' OR NEW.to_period !~ '^[0-9]{4}-(0[1-9]|1[0-2])$'
     OR NEW.target <= 0 OR NEW.target >= 100000000 THEN
    RAISE EXCEPTION 'a campaign needs a name, period keys and a positive target' USING ERRCODE = '23514';
  END IF;
  IF jsonb_typeof(NEW.promotions) IS DISTINCT FROM 'array' OR jsonb_array_length(NEW.promotions) > 36 THEN
    RAISE EXCEPTION 'promotions are a list of at most 36' USING ERRCODE = '23514';
  END IF;
  prev_to := NULL;
  FOR p IN SELECT e FROM jsonb_array_elements(NEW.promotions) e ORDER BY e ->> 'fromPeriod' LOOP
    IF NOT nnp_plan_object(p, '{fromPeriod,toPeriod,multiplier}', '{label}')
       OR jsonb_typeof(p -> 'fromPeriod') IS DISTINCT FROM 'string' OR (p ->> 'fromPeriod') !~ '^[0-9]{4}-(0[1-9]|1[0-2])$'
       OR jsonb_typeof(p -> 'toPeriod') IS DISTINCT FROM 'string' OR (p ->> 'toPeriod') !~ '^[0-9]{4}-(0[1-9]|1[0-2])$'
       OR jsonb_typeof(p -> 'multiplier') IS DISTINCT FROM 'string' OR (p ->> 'multiplier') !~ '^[0-9]{1,8}(\.[0-9]{1,4})?$' OR (p ->> 'multiplier') !~ '[1-9]'
       OR (p ? 'label' AND (jsonb_typeof(p -> 'label') IS DISTINCT FROM 'string' OR length(p ->> 'label') > 80))
       OR (p ->> 'toPeriod') < (p ->> 'fromPeriod') OR (p ->> 'fromPeriod') < NEW.from_period OR (p ->> 'toPeriod') > NEW.to_period
       OR (prev_to IS NOT NULL AND (p ->> 'fromPeriod') <= prev_to) THEN
      RAISE EXCEPTION 'a promotion is {fromPeriod, toPeriod, multiplier, label?} inside the campaign, not overlapping another' USING ERRCODE = '23514';
    END IF;
    prev_to := p ->> 'toPeriod';
  END LOOP;
  -- Against the open period, held until the transaction ends.
  SELECT x.key INTO open_key FROM periods x WHERE x.status = 'open' FOR SHARE;
  IF open_key IS NULL THEN
    RAISE EXCEPTION 'no open period: no campaign can be saved' USING ERRCODE = '23514';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.from_period < open_key THEN
    IF NEW.from_period <> OLD.from_period OR NEW.to_period < open_key
       OR (SELECT coalesce(jsonb_agg(jsonb_build_array(e ->> 'fromPeriod', e ->> 'toPeriod', (e ->> 'multiplier')::numeric) ORDER BY e ->> 'fromPeriod'), '[]')
             FROM jsonb_array_elements(NEW.promotions) e WHERE e ->> 'fromPeriod' < open_key)
          IS DISTINCT FROM
          (SELECT coalesce(jsonb_agg(jsonb_build_array(e ->> 'fromPeriod', e ->> 'toPeriod', (e ->> 'multiplier')::numeric) ORDER BY e ->> 'fromPeriod'), '[]')
             FROM jsonb_array_elements(OLD.promotions) e WHERE e ->> 'fromPeriod' < open_key) THEN
      RAISE EXCEPTION 'campaign % has started: its first period and its closed periods'' promotions never change, and it ends in the open period or later', OLD.id USING ERRCODE = '23514';
    END IF;
  ELSIF NEW.from_period < open_key THEN
    RAISE EXCEPTION 'a campaign starts in the open period (%) or later', open_key USING ERRCODE = '23514';
  END IF;
  IF NEW.active AND EXISTS (SELECT 1 FROM travel_campaigns c WHERE c.active AND c.id <> NEW.id AND c.from_period <= NEW.to_period AND c.to_period >= NEW.from_period) THEN
    RAISE EXCEPTION 'campaign overlaps another active campaign' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $function$;
