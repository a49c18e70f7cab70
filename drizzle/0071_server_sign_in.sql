-- Issue 16: sign-in proven by PostgreSQL, for a staff desktop that holds no owner credentials.
-- The desktop connects as the person's login role with the password typed (PostgreSQL checks it:
-- SCRAM; the server's auth_delay slows guessing) and, on that connection, opens its session with
-- nnp_start_session; every call after it is checked with nnp_session_check on the same login. Both
-- act only for the caller's own account (session_user), so no login can open or read another's.
CREATE OR REPLACE FUNCTION nnp_start_session(p_id uuid, p_token_hash text, p_transport text, p_max_hours integer, p_source text)
  RETURNS TABLE(staff_id uuid, username text, display_name text, role text, must_change_password boolean, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
  me uuid := nnp_session_staff_id();
  who record;
  ends timestamptz := now() + make_interval(hours => least(greatest(coalesce(p_max_hours, 12), 1), 24));
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'only an active staff login opens a session' USING ERRCODE = '42501';
  END IF;
  IF p_token_hash IS NULL OR p_token_hash !~ '^[0-9a-f]{64}$' OR p_transport NOT IN ('http', 'electron') THEN
    RAISE EXCEPTION 'a session needs a sha-256 token hash and a transport' USING ERRCODE = '22023';
  END IF;
  SELECT s.id, s.username, s.display_name, s.role, s.must_change_password INTO who FROM staff s WHERE s.id = me;
  INSERT INTO sessions (id, token_hash, staff_id, transport, created_at, last_seen_at, expires_at)
  VALUES (p_id, p_token_hash, me, p_transport, now(), now(), ends);
  INSERT INTO audit_log (staff_id, staff_username, action, entity, entity_id, after)
  VALUES (me, who.username, 'auth.login', 'session', p_id::text,
          jsonb_build_object('outcome', 'ok', 'staff', who.username, 'transport', p_transport, 'source', left(coalesce(p_source, ''), 300), 'proof', 'postgresql'));
  RETURN QUERY SELECT who.id, who.username, who.display_name, who.role::text, who.must_change_password, ends;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_start_session(uuid, text, text, integer, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_start_session(uuid, text, text, integer, text) TO nnp_admin, nnp_finance, nnp_support;
--> statement-breakpoint
-- One call's session, if it is the caller's own and live: not revoked, before its expiry, used
-- within the idle window (clamped to a day); last seen refreshed at most once a minute.
CREATE OR REPLACE FUNCTION nnp_session_check(p_token_hash text, p_idle_minutes integer)
  RETURNS TABLE(session_id uuid, staff_id uuid, username text, display_name text, role text, must_change_password boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
  me uuid := nnp_session_staff_id();
  s record;
BEGIN
  IF me IS NULL THEN
    RETURN;
  END IF;
  SELECT x.id, x.last_seen_at INTO s FROM sessions x
   WHERE x.token_hash = p_token_hash AND x.staff_id = me AND x.revoked_at IS NULL AND x.expires_at > now()
     AND now() - x.last_seen_at <= make_interval(mins => least(greatest(coalesce(p_idle_minutes, 60), 1), 1440));
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF now() - s.last_seen_at > interval '1 minute' THEN
    UPDATE sessions SET last_seen_at = now() WHERE id = s.id;
  END IF;
  RETURN QUERY SELECT s.id, f.id, f.username, f.display_name, f.role::text, f.must_change_password FROM staff f WHERE f.id = me;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_session_check(text, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_session_check(text, integer) TO nnp_admin, nnp_finance, nnp_support;
