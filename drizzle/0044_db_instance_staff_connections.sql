CREATE TABLE "db_instance" (
	"one" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"login_tag" text DEFAULT '' NOT NULL,
	CONSTRAINT "db_instance_one" CHECK ("db_instance"."one"),
	CONSTRAINT "db_instance_login_tag" CHECK ("db_instance"."login_tag" ~ '^([a-z0-9]{1,12}_)?$')
);
--> statement-breakpoint
INSERT INTO db_instance DEFAULT VALUES ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Nobody but the owner changes it; every staff login may read it (the login names follow from it).
REVOKE ALL ON db_instance FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT ON db_instance TO nnp_admin, nnp_finance, nnp_support;
--> statement-breakpoint
-- The login role of a staff account: nnp_<tag><username> in lower case, the tag of db_instance
-- (empty on a company's own database); a username that would take a group's (or the owner's) name
-- gets a _user suffix (the first account, admin → nnp_admin_user).
CREATE OR REPLACE FUNCTION nnp_login_name(p_username text) RETURNS text LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT 'nnp_' || coalesce((SELECT login_tag FROM public.db_instance), '')
         || CASE WHEN lower(p_username) IN ('admin', 'finance', 'support', 'owner') THEN lower(p_username) || '_user'
                 ELSE lower(p_username) END
$$;
--> statement-breakpoint
-- Tagged names are longer (nnp_ + tag of up to 13 + a username of up to 40 + _user): allow up to
-- PostgreSQL's 63 characters; the username itself must be one the app accepts (3–40 of
-- letters, digits, . _ -). Everything else as in 0040.
CREATE OR REPLACE FUNCTION nnp_staff_login(p_username text, p_group text, p_verifier text, p_active boolean) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r text := public.nnp_login_name(p_username);
  g text;
  attempt int := 0;
BEGIN
  IF session_user <> (SELECT pg_get_userbyid(p.proowner) FROM pg_proc p WHERE p.oid = 'public.nnp_staff_login(text,text,text,boolean)'::regprocedure)
     AND NOT pg_has_role(session_user, 'nnp_admin', 'MEMBER') THEN
    RAISE EXCEPTION 'only an administrator manages staff logins' USING ERRCODE = '42501';
  END IF;
  IF p_group NOT IN ('nnp_admin', 'nnp_finance', 'nnp_support') THEN
    RAISE EXCEPTION 'unknown staff group %', p_group USING ERRCODE = '22023';
  END IF;
  IF p_username IS NULL OR p_username !~ '^[A-Za-z0-9._-]{3,40}$' OR r !~ '^nnp_[a-z0-9._-]{3,59}$' OR r IN ('nnp_admin', 'nnp_finance', 'nnp_support', 'nnp_owner') THEN
    RAISE EXCEPTION 'not a staff login name: %', r USING ERRCODE = '22023';
  END IF;
  IF p_verifier IS NOT NULL AND p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
    RAISE EXCEPTION 'the password must be a SCRAM-SHA-256 verifier' USING ERRCODE = '22023';
  END IF;
  LOOP
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
        EXECUTE format('CREATE ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT', r);
      ELSIF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls)) THEN
        RAISE EXCEPTION 'role % has powers no staff login may have', r USING ERRCODE = '42501';
      END IF;
      EXECUTE format('ALTER ROLE %I %s', r, CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
      IF p_verifier IS NOT NULL THEN EXECUTE format('ALTER ROLE %I PASSWORD %L', r, p_verifier); END IF;
      FOREACH g IN ARRAY ARRAY['nnp_admin', 'nnp_finance', 'nnp_support'] LOOP
        IF g <> p_group AND pg_has_role(r, g, 'MEMBER') THEN EXECUTE format('REVOKE %I FROM %I', g, r); END IF;
      END LOOP;
      IF NOT pg_has_role(r, p_group, 'MEMBER') THEN EXECUTE format('GRANT %I TO %I', p_group, r); END IF;
      EXIT;
    EXCEPTION WHEN duplicate_object OR unique_violation OR internal_error THEN
      -- Another database of the same server (or a concurrent call) touched the same role: retry.
      attempt := attempt + 1;
      IF attempt >= 5 THEN RAISE; END IF;
      PERFORM pg_sleep(0.05 * attempt);
    END;
  END LOOP;
  IF NOT p_active THEN
    PERFORM pg_terminate_backend(a.pid) FROM pg_stat_activity a WHERE a.usename = r AND a.pid <> pg_backend_pid();
  END IF;
  RETURN r;
END $$;
--> statement-breakpoint
-- Reads now run as the signed-in person (main/db/staff-connections.ts), so the grants must cover
-- what each role's screens read. Colleagues' names (who approved, who wrote a note): id, username
-- and display name only — never the hash, the role or the lock state for finance and support.
GRANT SELECT (id, username, display_name) ON staff TO nnp_finance, nnp_support;
--> statement-breakpoint
-- Support sees a member's withdrawals on the profile and wallet (status, amount, dates), never where
-- the money goes (destinations, Stripe accounts) nor the risk or decision details.
GRANT SELECT (id, member_id, status, amount, currency, requested_at, approved_at, paid_at) ON withdrawals TO nnp_support;
--> statement-breakpoint
-- Payout accounts as support may see them: the numbers cut to their last four by the database
-- (the view runs with its owner's rights; support has no grant on the table itself).
CREATE OR REPLACE VIEW payout_destinations_masked WITH (security_barrier) AS
  SELECT id, member_id, country, holder_name, right(tax_id, 4) AS tax_id, bank_code, bank_name, account_type,
         right(routing_number, 4) AS routing_number, right(account_number, 4) AS account_number,
         created_by, created_at, superseded_at, superseded_by
  FROM payout_destinations;
--> statement-breakpoint
REVOKE ALL ON payout_destinations_masked FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT ON payout_destinations_masked TO nnp_admin, nnp_finance, nnp_support;
--> statement-breakpoint
-- Derived report caches that admin and finance reads fill on first use (the payout ratio of a
-- period, the income disclosure's per-member earnings). Insert only: a row once written is kept.
-- Not money and not in issue 16's forbidden list; moving their builders into SECURITY DEFINER
-- functions is noted as open (docs/notes/issue-16-s5.md).
GRANT INSERT ON period_payouts, member_period_earnings, period_earnings_built TO nnp_admin, nnp_finance;
--> statement-breakpoint
-- A member's timeline shows the corrections made to that member (who, when, why, before/after):
-- that slice of the audit trail, for every group; the rest of audit_log stays admin and finance's.
CREATE OR REPLACE VIEW member_audit WITH (security_barrier) AS
  SELECT id, at, action, staff_username, entity_id, reason, before, after
  FROM audit_log WHERE entity = 'member' AND action IN ('members.update', 'members.setStatus');
--> statement-breakpoint
REVOKE ALL ON member_audit FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT ON member_audit TO nnp_admin, nnp_finance, nnp_support;
