-- Issue 16: a signed-in person's changes now run on their own login (main/ipc/router.ts), except
-- the procedures still marked ownerLogin (money, periods, staff accounts, genealogy moves, the
-- plan: main/kernel/wrappers.ts). These grants cover exactly the other changes, by group, as the
-- role matrix of the app allows them (shared/contract). Nothing here touches the ledger,
-- withdrawals, payout destinations, commission lines, periods, volumes or staff accounts.

-- Rows that carry a person's name (audit_log, member_notes): a staff login writes them only in
-- its own name, and the database, not the writer, says when and through which login. The owner
-- (and a superuser: the embedded default) writes for the Stripe receiver and the background jobs.
CREATE OR REPLACE FUNCTION nnp_own_name() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  me text := session_user;
  owner_name text := (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = TG_RELID);
BEGIN
  IF me = owner_name OR (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = me) THEN
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
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_own_name() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER audit_log_own_name BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION nnp_own_name();
--> statement-breakpoint
CREATE TRIGGER member_notes_own_name BEFORE INSERT ON member_notes FOR EACH ROW EXECUTE FUNCTION nnp_own_name();
--> statement-breakpoint
-- Bulk loads with session_replication_role = replica must not skip the check.
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_own_name;
--> statement-breakpoint
ALTER TABLE member_notes ENABLE ALWAYS TRIGGER member_notes_own_name;
--> statement-breakpoint
GRANT INSERT ON audit_log TO nnp_admin, nnp_finance, nnp_support;
--> statement-breakpoint
-- A member's corrections (support and admin: contact details only) and notes; the status is admin's.
GRANT UPDATE (first_name, last_name, email, phone, phone_digits, address) ON members TO nnp_admin, nnp_support;
--> statement-breakpoint
GRANT UPDATE (status) ON members TO nnp_admin;
--> statement-breakpoint
GRANT INSERT ON member_notes TO nnp_admin, nnp_support;
--> statement-breakpoint
-- The lookup index follows a correction: kept by its trigger as the owner, so no group writes member_search.
ALTER FUNCTION nnp_member_search_update() SECURITY DEFINER SET search_path = public, pg_temp;
--> statement-breakpoint
-- Catalogue and exchange rates (admin). Rates are append-only: no UPDATE or DELETE for anyone's group.
GRANT INSERT, UPDATE (name, pv, active) ON products TO nnp_admin;
--> statement-breakpoint
GRANT INSERT, UPDATE (price, vn) ON product_prices TO nnp_admin;
--> statement-breakpoint
GRANT INSERT ON exchange_rates TO nnp_admin;
--> statement-breakpoint
-- Autoship actions (admin, support): the subscription's schedule and the request that changed it.
GRANT UPDATE (status, next_charge_at, charge_day, paused_at, canceled_at, failed_attempts, stripe_updated_at, updated_at)
  ON autoship_subscriptions TO nnp_admin, nnp_support;
--> statement-breakpoint
GRANT INSERT ON autoship_requests TO nnp_admin, nnp_support;
--> statement-breakpoint
-- Loyalty gifts shipped (admin, support).
GRANT UPDATE (status, choice, shipped_at) ON loyalty_gifts TO nnp_admin, nnp_support;
--> statement-breakpoint
-- Commission previews (admin, finance) and plan simulations (admin): figures kept for comparison, never paid.
GRANT INSERT ON commission_previews TO nnp_admin, nnp_finance;
--> statement-breakpoint
GRANT INSERT, UPDATE (cancel_requested, status, finished_at) ON plan_simulations TO nnp_admin;
--> statement-breakpoint
-- The serial ids of those tables (identity columns need no grant).
DO $$
DECLARE t text; s text;
BEGIN
  FOREACH t IN ARRAY ARRAY['audit_log', 'member_notes', 'products', 'product_prices', 'exchange_rates', 'autoship_requests', 'commission_previews', 'plan_simulations'] LOOP
    FOR s IN SELECT pg_get_serial_sequence(format('public.%I', t), a.attname) FROM pg_attribute a
             WHERE a.attrelid = format('public.%I', t)::regclass AND a.attnum > 0 AND NOT a.attisdropped
               AND pg_get_serial_sequence(format('public.%I', t), a.attname) IS NOT NULL LOOP
      EXECUTE format('GRANT USAGE ON SEQUENCE %s TO nnp_admin, nnp_finance, nnp_support', s);
    END LOOP;
  END LOOP;
END $$;
