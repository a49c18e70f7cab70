-- Issue 16: staff accounts are managed on the administrator's own login. An admin's login may
-- insert an account and change its name, role, state, password hash and lock — column by column,
-- never reading a hash — and PostgreSQL holds the rules the app holds: only an administrator,
-- nobody changes their own role or state (so an administrator's login always leaves at least
-- itself an active administrator: the app's last-admin check cannot be got round). Sessions and failed-login counters are still read by no group:
-- nnp_staff_signed_out ends an account's sessions (and clears its counters on a reset) for an
-- admin, returning the sessions it ended.
-- Every column (an INSERT that names a column with DEFAULT needs its privilege, and Drizzle names
-- them all); the rules trigger stamps those the database decides.
GRANT INSERT (id, username, display_name, role, password_hash, active, failed_attempts, locked_until, must_change_password, created_at, updated_at) ON staff TO nnp_admin;
--> statement-breakpoint
GRANT UPDATE (display_name, role, active, updated_at, password_hash, must_change_password, failed_attempts, locked_until) ON staff TO nnp_admin;
--> statement-breakpoint
CREATE FUNCTION nnp_staff_rules() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  me uuid;
BEGIN
  IF nnp_session_is_owner() THEN
    RETURN NEW;
  END IF;
  me := nnp_session_staff_id();
  -- One's own password (nnp_change_own_password, or an admin's own login): nothing else changes.
  IF TG_OP = 'UPDATE' AND me IS NOT NULL AND OLD.id = me
     AND (to_jsonb(NEW) - '{password_hash,must_change_password,updated_at}'::text[]) = (to_jsonb(OLD) - '{password_hash,must_change_password,updated_at}'::text[]) THEN
    IF NEW.password_hash !~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$' THEN
      RAISE EXCEPTION 'the password hash must be an scrypt hash' USING ERRCODE = '22023';
    END IF;
    RETURN NEW;
  END IF;
  IF me IS NULL OR NOT pg_has_role(session_user, 'nnp_admin', 'MEMBER') THEN
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
  IF TG_OP = 'INSERT' AND (NEW.password_hash !~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$') THEN
    RAISE EXCEPTION 'the password hash must be an scrypt hash' USING ERRCODE = '22023';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.password_hash IS DISTINCT FROM OLD.password_hash
     AND NEW.password_hash !~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$' THEN
    RAISE EXCEPTION 'the password hash must be an scrypt hash' USING ERRCODE = '22023';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER staff_rules BEFORE INSERT OR UPDATE ON staff FOR EACH ROW EXECUTE FUNCTION nnp_staff_rules();
--> statement-breakpoint
CREATE FUNCTION nnp_staff_signed_out(p_staff uuid, p_at timestamptz, p_clear_failures boolean) RETURNS SETOF uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT nnp_session_is_owner() AND (nnp_session_staff_id() IS NULL OR NOT pg_has_role(session_user, 'nnp_admin', 'MEMBER')) THEN
    RAISE EXCEPTION 'only an administrator ends a colleague''s sessions' USING ERRCODE = '42501';
  END IF;
  IF p_clear_failures THEN
    DELETE FROM login_failures f WHERE f.staff_id = p_staff;
  END IF;
  RETURN QUERY
    UPDATE sessions s SET revoked_at = coalesce(p_at, now()) WHERE s.staff_id = p_staff AND s.revoked_at IS NULL RETURNING s.id;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_staff_signed_out(uuid, timestamptz, boolean) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_staff_signed_out(uuid, timestamptz, boolean) TO nnp_admin;
