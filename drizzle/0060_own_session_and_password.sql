-- Issue 16: signing out and changing one's own password run on the person's own login, not the
-- owner's. A staff login still reads no session and no password hash: these two functions are the
-- only way it touches either, and only its own account's. The current password is proven by
-- PostgreSQL itself (the app opens a connection as the login with it) before the change.
CREATE FUNCTION nnp_end_own_session(p_token_hash text, p_at timestamptz) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  me uuid := nnp_session_staff_id();
  n int;
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'not a staff login' USING ERRCODE = '42501';
  END IF;
  UPDATE sessions SET revoked_at = coalesce(p_at, now()) WHERE token_hash = p_token_hash AND staff_id = me AND revoked_at IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n > 0;
END $$;
--> statement-breakpoint
-- The new password's scrypt hash (the app's sign-in checks it) and SCRAM verifier (PostgreSQL's),
-- both computed by the app: the clear password never reaches SQL. Every other session of the account
-- ends (whoever knew the old password is out); their ids are returned so the app closes their pools.
CREATE FUNCTION nnp_change_own_password(p_hash text, p_verifier text, p_keep_session uuid, p_at timestamptz) RETURNS SETOF uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  me uuid := nnp_session_staff_id();
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'not a staff login' USING ERRCODE = '42501';
  END IF;
  IF p_hash IS NULL OR p_hash !~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$' THEN
    RAISE EXCEPTION 'the password hash must be an scrypt hash' USING ERRCODE = '22023';
  END IF;
  IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
    RAISE EXCEPTION 'the password must be a SCRAM-SHA-256 verifier' USING ERRCODE = '22023';
  END IF;
  UPDATE staff SET password_hash = p_hash, must_change_password = false, updated_at = coalesce(p_at, now()) WHERE id = me;
  -- session_user is this account's login (nnp_session_staff_id matched it by name).
  EXECUTE format('ALTER ROLE %I PASSWORD %L', session_user, p_verifier);
  RETURN QUERY
    UPDATE sessions SET revoked_at = coalesce(p_at, now())
     WHERE staff_id = me AND revoked_at IS NULL AND id IS DISTINCT FROM p_keep_session
    RETURNING id;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_end_own_session(text, timestamptz), nnp_change_own_password(text, text, uuid, timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_end_own_session(text, timestamptz), nnp_change_own_password(text, text, uuid, timestamptz) TO nnp_admin, nnp_finance, nnp_support;
