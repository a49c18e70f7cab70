CREATE TABLE "stripe_keys" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"transfer_key" text,
	"restricted_key" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	CONSTRAINT "stripe_keys_one_row" CHECK ("stripe_keys"."id"),
	CONSTRAINT "stripe_keys_transfer_shape" CHECK ("stripe_keys"."transfer_key" ~ '^(sk|rk)_(test|live)_[0-9A-Za-z_]{8,200}$'),
	CONSTRAINT "stripe_keys_restricted_shape" CHECK ("stripe_keys"."restricted_key" ~ '^rk_(test|live)_[0-9A-Za-z_]{8,200}$')
);
--> statement-breakpoint
-- Issue 16 item 5: secrets per role. The Stripe keys live here, each in a column only the groups
-- that use it can read: the transfer key (payouts, payment sync) by admin and finance, the
-- restricted key (Subscriptions only: autoship actions) by every group. Only admins write them;
-- who and when are the database's. No change recorder on this table: a key never reaches
-- data_changes; the app's audit row keeps the mode and last four only.
REVOKE ALL ON TABLE stripe_keys FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT (id, restricted_key, updated_at, updated_by) ON stripe_keys TO nnp_admin, nnp_finance, nnp_support;
--> statement-breakpoint
GRANT SELECT (transfer_key) ON stripe_keys TO nnp_admin, nnp_finance;
--> statement-breakpoint
GRANT INSERT (id, transfer_key, restricted_key), UPDATE (transfer_key, restricted_key) ON stripe_keys TO nnp_admin;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_stripe_keys_stamp() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  NEW.updated_at := now();
  NEW.updated_by := coalesce((SELECT s.username FROM staff s WHERE s.id = nnp_session_staff_id()), nullif(current_setting('nnp.staff', true), ''), session_user::text);
  RETURN NEW;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_stripe_keys_stamp() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER stripe_keys_stamp BEFORE INSERT OR UPDATE ON stripe_keys FOR EACH ROW EXECUTE FUNCTION nnp_stripe_keys_stamp();
