-- Issue 16: the plan editor's changes run on the admin's own login. What the app checks is checked
-- here again for a staff login, so a SQL client with an admin's password cannot go around it:
--   * a new version is a draft, in the login's own name, taking effect in the open period or later;
--   * a published version never changes (nor is deleted: no group has DELETE);
--   * publishing is the login's own, into the open period or later, under the period's lock.
-- The owner (migrations, first install, engine fixtures) is not limited by this trigger.

-- A FOR SHARE lock on one period for the groups (it needs UPDATE on periods, which no group has):
-- held until the caller's transaction ends, so no close can start under a draft or an order.
CREATE OR REPLACE FUNCTION nnp_period_for_share(p_id integer) RETURNS SETOF periods
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT * FROM periods WHERE id = p_id FOR SHARE
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_period_for_share(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_period_for_share(integer) TO nnp_admin, nnp_finance, nnp_support;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_plan_version_rules() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  owner_name text := (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = TG_RELID);
  me uuid;
  p_status text;
  open_key text;
BEGIN
  IF session_user::text = owner_name OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false) THEN
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
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_plan_version_rules() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER plan_versions_rules BEFORE INSERT OR UPDATE ON plan_versions FOR EACH ROW EXECUTE FUNCTION nnp_plan_version_rules();
--> statement-breakpoint
ALTER TABLE plan_versions ENABLE ALWAYS TRIGGER plan_versions_rules;
--> statement-breakpoint
GRANT INSERT, UPDATE (figures, status, published_by, published_at) ON plan_versions TO nnp_admin;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE plan_versions_id_seq TO nnp_admin;
