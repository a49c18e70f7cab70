ALTER TABLE "db_instance" ADD COLUMN "app_clock_trusted" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- Issue 16: the instants of money steps are the database's. A staff login's withdrawal steps and
-- order entry took the desktop's clock (p_at): a request could be back-dated out of the 7-day
-- window, an approval or a payment dated at will. Now, for a staff login, every such instant — the
-- request, approvals, rejection, bank file, payment, failure, the ledger postings they make, the
-- attempt rows — is now() of its transaction, whatever the desktop says; the owner (migrations,
-- the close, autoship renewals) keeps its own. db_instance.app_clock_trusted (owner only, false by
-- default) lets a database take the app's instant anyway: the test suite's copies set it, since
-- their tests drive the clock (test/db.ts); no installation should.
-- True when this session's instants are taken as given: the owner's, or any on a database that trusts the app's clock.
CREATE OR REPLACE FUNCTION nnp_app_clock() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT nnp_session_is_owner() OR coalesce((SELECT i.app_clock_trusted FROM db_instance i), false)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_app_clock() FROM PUBLIC;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_instant(p_at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN p_at IS NOT NULL AND nnp_app_clock() THEN p_at ELSE now() END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_instant(timestamptz) FROM PUBLIC;
--> statement-breakpoint
-- Each money function keeps its body under the name <name>_at (called by no staff login any more)
-- and its old name becomes the door: the same arguments, the instant passed through nnp_instant.
--> statement-breakpoint
ALTER FUNCTION nnp_withdrawal_request(bigint, numeric, text, text, text, timestamptz, uuid, text) RENAME TO nnp_withdrawal_request_at;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_request_at(bigint, numeric, text, text, text, timestamptz, uuid, text) FROM PUBLIC, nnp_admin, nnp_finance;
--> statement-breakpoint
CREATE FUNCTION nnp_withdrawal_request(p_member bigint, p_amount numeric, p_currency text, p_note text, p_key text, p_at timestamptz, p_staff uuid, p_source text DEFAULT 'staff') RETURNS TABLE(withdrawal_id bigint, replayed boolean)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT * FROM nnp_withdrawal_request_at(p_member, p_amount, p_currency, p_note, p_key, nnp_instant(p_at), p_staff, p_source)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_request(bigint, numeric, text, text, text, timestamptz, uuid, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_withdrawal_request(bigint, numeric, text, text, text, timestamptz, uuid, text) TO nnp_admin, nnp_finance;
--> statement-breakpoint
ALTER FUNCTION nnp_withdrawal_bank_batch(bigint[], timestamptz, uuid) RENAME TO nnp_withdrawal_bank_batch_at;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_bank_batch_at(bigint[], timestamptz, uuid) FROM PUBLIC, nnp_admin, nnp_finance;
--> statement-breakpoint
CREATE FUNCTION nnp_withdrawal_bank_batch(p_ids bigint[], p_at timestamptz, p_staff uuid) RETURNS uuid
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT nnp_withdrawal_bank_batch_at(p_ids, nnp_instant(p_at), p_staff)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_bank_batch(bigint[], timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_withdrawal_bank_batch(bigint[], timestamptz, uuid) TO nnp_admin, nnp_finance;
--> statement-breakpoint
ALTER FUNCTION nnp_withdrawal_bank_paid(bigint, text, timestamptz, uuid) RENAME TO nnp_withdrawal_bank_paid_at;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_bank_paid_at(bigint, text, timestamptz, uuid) FROM PUBLIC, nnp_admin, nnp_finance;
--> statement-breakpoint
CREATE FUNCTION nnp_withdrawal_bank_paid(p_id bigint, p_reference text, p_at timestamptz, p_staff uuid) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT nnp_withdrawal_bank_paid_at(p_id, p_reference, nnp_instant(p_at), p_staff)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_bank_paid(bigint, text, timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_withdrawal_bank_paid(bigint, text, timestamptz, uuid) TO nnp_admin, nnp_finance;
--> statement-breakpoint
ALTER FUNCTION nnp_withdrawal_stripe_start(bigint, timestamptz, uuid) RENAME TO nnp_withdrawal_stripe_start_at;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_stripe_start_at(bigint, timestamptz, uuid) FROM PUBLIC, nnp_admin, nnp_finance;
--> statement-breakpoint
CREATE FUNCTION nnp_withdrawal_stripe_start(p_id bigint, p_at timestamptz, p_staff uuid) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT nnp_withdrawal_stripe_start_at(p_id, nnp_instant(p_at), p_staff)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_stripe_start(bigint, timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_withdrawal_stripe_start(bigint, timestamptz, uuid) TO nnp_admin, nnp_finance;
--> statement-breakpoint
ALTER FUNCTION nnp_withdrawal_stripe_outcome(bigint, bigint, text, text, text, text, timestamptz, uuid) RENAME TO nnp_withdrawal_stripe_outcome_at;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_stripe_outcome_at(bigint, bigint, text, text, text, text, timestamptz, uuid) FROM PUBLIC, nnp_admin, nnp_finance;
--> statement-breakpoint
CREATE FUNCTION nnp_withdrawal_stripe_outcome(p_id bigint, p_attempt bigint, p_outcome text, p_transfer text, p_code text, p_message text, p_at timestamptz, p_staff uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT nnp_withdrawal_stripe_outcome_at(p_id, p_attempt, p_outcome, p_transfer, p_code, p_message, nnp_instant(p_at), p_staff)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_stripe_outcome(bigint, bigint, text, text, text, text, timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_withdrawal_stripe_outcome(bigint, bigint, text, text, text, text, timestamptz, uuid) TO nnp_admin, nnp_finance;
--> statement-breakpoint
ALTER FUNCTION nnp_withdrawal_reject(bigint, text, timestamptz, uuid) RENAME TO nnp_withdrawal_reject_at;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_reject_at(bigint, text, timestamptz, uuid) FROM PUBLIC, nnp_admin, nnp_finance;
--> statement-breakpoint
CREATE FUNCTION nnp_withdrawal_reject(p_id bigint, p_reason text, p_at timestamptz, p_staff uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT nnp_withdrawal_reject_at(p_id, p_reason, nnp_instant(p_at), p_staff)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_reject(bigint, text, timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_withdrawal_reject(bigint, text, timestamptz, uuid) TO nnp_admin, nnp_finance;
--> statement-breakpoint
ALTER FUNCTION nnp_withdrawal_bank_failed(bigint, text, timestamptz, uuid) RENAME TO nnp_withdrawal_bank_failed_at;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_bank_failed_at(bigint, text, timestamptz, uuid) FROM PUBLIC, nnp_admin, nnp_finance;
--> statement-breakpoint
CREATE FUNCTION nnp_withdrawal_bank_failed(p_id bigint, p_reason text, p_at timestamptz, p_staff uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT nnp_withdrawal_bank_failed_at(p_id, p_reason, nnp_instant(p_at), p_staff)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_bank_failed(bigint, text, timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_withdrawal_bank_failed(bigint, text, timestamptz, uuid) TO nnp_admin, nnp_finance;
--> statement-breakpoint
ALTER FUNCTION nnp_order_create(bigint, jsonb, timestamptz) RENAME TO nnp_order_create_at;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_order_create_at(bigint, jsonb, timestamptz) FROM PUBLIC, nnp_admin;
--> statement-breakpoint
CREATE FUNCTION nnp_order_create(p_member bigint, p_lines jsonb, p_at timestamptz) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT nnp_order_create_at(p_member, p_lines, nnp_instant(p_at))
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_order_create(bigint, jsonb, timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_order_create(bigint, jsonb, timestamptz) TO nnp_admin;
--> statement-breakpoint
-- Approvals are a staff login's own UPDATE: their instants (and any other this row's steps stamp)
-- become the database's too. Named to fire before withdrawals_approval, which reads approved_at.
CREATE OR REPLACE FUNCTION nnp_withdrawal_clock() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT nnp_app_clock() THEN
    -- The database's time is in force for this session: every instant this update changes is now().
    IF NEW.first_approved_at IS DISTINCT FROM OLD.first_approved_at AND NEW.first_approved_at IS NOT NULL THEN NEW.first_approved_at := now(); END IF;
    IF NEW.approved_at IS DISTINCT FROM OLD.approved_at AND NEW.approved_at IS NOT NULL THEN NEW.approved_at := now(); END IF;
    IF NEW.rejected_at IS DISTINCT FROM OLD.rejected_at AND NEW.rejected_at IS NOT NULL THEN NEW.rejected_at := now(); END IF;
    IF NEW.processing_at IS DISTINCT FROM OLD.processing_at AND NEW.processing_at IS NOT NULL THEN NEW.processing_at := now(); END IF;
    IF NEW.paid_at IS DISTINCT FROM OLD.paid_at AND NEW.paid_at IS NOT NULL THEN NEW.paid_at := now(); END IF;
    IF NEW.failed_at IS DISTINCT FROM OLD.failed_at AND NEW.failed_at IS NOT NULL THEN NEW.failed_at := now(); END IF;
    IF NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN NEW.updated_at := now(); END IF;
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_clock() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER withdrawals_0_clock BEFORE UPDATE ON withdrawals FOR EACH ROW EXECUTE FUNCTION nnp_withdrawal_clock();
--> statement-breakpoint
ALTER TABLE withdrawals ENABLE ALWAYS TRIGGER withdrawals_0_clock;
