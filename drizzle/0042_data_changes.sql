CREATE TABLE "data_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"db_login" text DEFAULT session_user NOT NULL,
	"app_staff" text,
	"procedure" text,
	"table_name" text NOT NULL,
	"op" text NOT NULL,
	"row_key" text,
	"before" jsonb,
	"after" jsonb,
	"txid" bigint DEFAULT txid_current() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ledger_transactions" ADD COLUMN "db_login" text DEFAULT session_user NOT NULL;--> statement-breakpoint
CREATE INDEX "data_changes_at_idx" ON "data_changes" USING btree ("at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "data_changes_row_idx" ON "data_changes" USING btree ("table_name","row_key","at" DESC NULLS LAST);--> statement-breakpoint
-- Issue 16 item 3, the audit the database writes: every change of a business row lands in
-- data_changes in the same transaction, by a row trigger, with session_user (the real login) and the
-- app's staff member and procedure when the app made it. Only the fields that changed; secrets never
-- copied (hide:<col> → "***"), payout account numbers masked to their last four (mask:<col>, also
-- inside a jsonb snapshot). The close's bulk tables (commission lines, ledger entries, volumes) are
-- not here: their rows come with a ledger transaction (db_login below) or a period run.
CREATE OR REPLACE FUNCTION nnp_mask(v jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
  SELECT CASE jsonb_typeof(v)
    WHEN 'string' THEN to_jsonb('…' || right(v #>> '{}', 4))
    WHEN 'object' THEN (SELECT coalesce(jsonb_object_agg(e.key, CASE WHEN e.key IN ('accountNumber', 'routingNumber', 'taxId') AND jsonb_typeof(e.value) = 'string'
                                                                   THEN to_jsonb('…' || right(e.value #>> '{}', 4)) ELSE e.value END), '{}'::jsonb)
                        FROM jsonb_each(v) e)
    ELSE v END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_record_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
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
BEGIN
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
  VALUES (nullif(current_setting('nnp.staff', true), ''), nullif(current_setting('nnp.procedure', true), ''),
          TG_TABLE_NAME, TG_OP, coalesce(coalesce(n, o) ->> 'id', coalesce(n, o) ->> 'key', coalesce(n, o) ->> 'code'), b, a);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is insert-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
END $$;
--> statement-breakpoint
CREATE TRIGGER data_changes_insert_only BEFORE UPDATE OR DELETE ON data_changes FOR EACH ROW EXECUTE FUNCTION nnp_insert_only();
--> statement-breakpoint
CREATE TRIGGER data_changes_no_truncate BEFORE TRUNCATE ON data_changes FOR EACH STATEMENT EXECUTE FUNCTION nnp_insert_only();
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION nnp_record_change(), nnp_insert_only(), nnp_mask(jsonb) FROM PUBLIC;
--> statement-breakpoint
-- Members: contact data, status, sponsor and code; a close raising career ranks or an enrolment
-- counting a downline does not call the function at all (the WHEN is checked per row in C).
CREATE TRIGGER members_changes AFTER INSERT OR DELETE ON members FOR EACH ROW EXECUTE FUNCTION nnp_record_change();
--> statement-breakpoint
CREATE TRIGGER members_changes_update AFTER UPDATE ON members FOR EACH ROW
  WHEN ((OLD.code, OLD.first_name, OLD.last_name, OLD.email, OLD.phone, OLD.address, OLD.country, OLD.status, OLD.sponsor_id, OLD.stripe_account_id)
        IS DISTINCT FROM (NEW.code, NEW.first_name, NEW.last_name, NEW.email, NEW.phone, NEW.address, NEW.country, NEW.status, NEW.sponsor_id, NEW.stripe_account_id))
  EXECUTE FUNCTION nnp_record_change();
--> statement-breakpoint
CREATE TRIGGER staff_changes AFTER INSERT OR UPDATE OR DELETE ON staff FOR EACH ROW EXECUTE FUNCTION nnp_record_change('hide:password_hash');
--> statement-breakpoint
CREATE TRIGGER withdrawals_changes AFTER INSERT OR UPDATE OR DELETE ON withdrawals FOR EACH ROW EXECUTE FUNCTION nnp_record_change('mask:payout_destination');
--> statement-breakpoint
CREATE TRIGGER payout_destinations_changes AFTER INSERT OR UPDATE OR DELETE ON payout_destinations FOR EACH ROW
  EXECUTE FUNCTION nnp_record_change('mask:account_number', 'mask:routing_number', 'mask:tax_id');
--> statement-breakpoint
CREATE TRIGGER orders_changes AFTER UPDATE OR DELETE ON orders FOR EACH ROW EXECUTE FUNCTION nnp_record_change();
--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['periods', 'payout_batches', 'member_notes', 'app_settings', 'plan_versions', 'exchange_rates',
                           'products', 'product_prices', 'travel_campaigns', 'autoship_subscriptions']
  LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION nnp_record_change()', t || '_changes', t);
  END LOOP;
END $$;
--> statement-breakpoint
-- Admins read the trail; nobody writes it but the trigger function (owned by the owner).
GRANT SELECT ON data_changes TO nnp_admin;
