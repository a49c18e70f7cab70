CREATE TABLE "engine_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"procedure" text NOT NULL,
	"input" jsonb NOT NULL,
	"staff_id" uuid NOT NULL,
	"db_login" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'waiting' NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"output" jsonb,
	"error" jsonb,
	CONSTRAINT "engine_requests_status" CHECK ("engine_requests"."status" in ('waiting', 'running', 'done', 'failed', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "engine_requests" ADD CONSTRAINT "engine_requests_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "engine_requests_waiting_idx" ON "engine_requests" USING btree ("id") WHERE "engine_requests"."status" = 'waiting';--> statement-breakpoint
CREATE INDEX "engine_requests_staff_idx" ON "engine_requests" USING btree ("staff_id","requested_at");--> statement-breakpoint
-- Issue 16: the procedures that run the commission engine (a close, a recompute, a genealogy move,
-- an order's payment or refund, a Stripe sync) leave the staff desktops' hands. A desktop asks, on
-- its person's own login, through nnp_engine_request; the engine service (the one process holding
-- the owner's credentials) takes the request, runs the procedure as that person and answers in the
-- row. Who asked is PostgreSQL's session_user, never a value the desktop sends. Staff logins get no
-- privilege on the table: only these functions.
REVOKE ALL ON TABLE engine_requests FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON SEQUENCE engine_requests_id_seq FROM PUBLIC;
--> statement-breakpoint
-- The groups that may ask for each procedure: the contract's roles (shared/contract; a test holds
-- the two equal). Null: not a procedure the engine runs.
CREATE OR REPLACE FUNCTION nnp_engine_groups(p_procedure text) RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE p_procedure
    WHEN 'periods.close' THEN ARRAY['nnp_admin']
    WHEN 'periods.recompute' THEN ARRAY['nnp_admin']
    WHEN 'genealogy.move' THEN ARRAY['nnp_admin']
    WHEN 'orders.recordPayment' THEN ARRAY['nnp_admin']
    WHEN 'orders.refund' THEN ARRAY['nnp_admin']
    WHEN 'payments.syncStep' THEN ARRAY['nnp_admin', 'nnp_finance']
  END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_engine_request(p_procedure text, p_input jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  who uuid := nnp_session_staff_id();
  groups text[] := nnp_engine_groups(p_procedure);
  made bigint;
BEGIN
  IF who IS NULL THEN
    RAISE EXCEPTION 'only a staff login asks the engine' USING ERRCODE = '42501';
  END IF;
  IF groups IS NULL THEN
    RAISE EXCEPTION 'the engine does not run %', p_procedure USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM unnest(groups) g WHERE pg_has_role(session_user, g, 'MEMBER')) THEN
    RAISE EXCEPTION 'login % may not ask for %', session_user, p_procedure USING ERRCODE = '42501';
  END IF;
  IF jsonb_typeof(p_input) IS DISTINCT FROM 'object' OR pg_column_size(p_input) > 65536 THEN
    RAISE EXCEPTION 'an engine request''s input is one JSON object of at most 64 kB' USING ERRCODE = '22023';
  END IF;
  INSERT INTO engine_requests (procedure, input, staff_id, db_login, requested_at)
  VALUES (p_procedure, p_input, who, session_user, now())
  RETURNING id INTO made;
  PERFORM pg_notify('nnp_engine', made::text);
  RETURN made;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_engine_request(text, jsonb) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_engine_request(text, jsonb) TO nnp_admin, nnp_finance, nnp_support;
--> statement-breakpoint
-- The answer to one of the caller's own requests (nothing for another person's).
CREATE OR REPLACE FUNCTION nnp_engine_answer(p_id bigint) RETURNS TABLE(status text, output jsonb, error jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT r.status, r.output, r.error FROM engine_requests r
   WHERE r.id = p_id AND r.staff_id = nnp_session_staff_id()
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_engine_answer(bigint) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_engine_answer(bigint) TO nnp_admin, nnp_finance, nnp_support;
--> statement-breakpoint
-- A request nobody has taken yet, withdrawn by the person who made it (the desktop gave up waiting:
-- it must not run later, when nobody is looking). Answers whether it was withdrawn.
CREATE OR REPLACE FUNCTION nnp_engine_cancel(p_id bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  n int;
BEGIN
  UPDATE engine_requests SET status = 'cancelled', finished_at = now()
   WHERE id = p_id AND staff_id = nnp_session_staff_id() AND status = 'waiting';
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n > 0;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_engine_cancel(bigint) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_engine_cancel(bigint) TO nnp_admin, nnp_finance, nnp_support;
