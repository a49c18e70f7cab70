-- Issue 16: the second-approval threshold is set on the admin's own login. A staff login may write
-- only that setting, as a positive amount of at most 16 digits and 2 decimals (the contract's
-- PositiveMoneyString), in its own name (data_changes keeps the real time and login of every
-- change): any other key in app_settings stays the owner's.
CREATE OR REPLACE FUNCTION nnp_app_settings_rules() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  owner_name text := (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = TG_RELID);
BEGIN
  IF session_user::text = owner_name OR coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false) THEN
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
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_app_settings_rules() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER app_settings_rules BEFORE INSERT OR UPDATE ON app_settings FOR EACH ROW EXECUTE FUNCTION nnp_app_settings_rules();
--> statement-breakpoint
ALTER TABLE app_settings ENABLE ALWAYS TRIGGER app_settings_rules;
--> statement-breakpoint
GRANT INSERT, UPDATE (value, updated_by, updated_at) ON app_settings TO nnp_admin;
