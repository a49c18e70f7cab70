-- Issue 16 item 6, two desktops live: every statement that changes shared state sends
-- NOTIFY nnp_changes '<area>' (delivered at commit, never for a rolled-back transaction; PostgreSQL
-- folds repeats of the same payload within one transaction into one). Triggers rather than calls in
-- the app, so writes made outside the app (a SQL client, the webhook receiver) are seen too. Each app
-- instance LISTENs (main/db/changes.ts) and tells its screens which areas to refetch.
-- Statement-level: one notification per statement whatever its row count (a close's bulk inserts,
-- COPY); nothing on the hot per-entry tables (ledger_entries, commission_lines, member_volumes):
-- their changes always come with a row of a table below (ledger_transactions, periods / period_runs).
CREATE OR REPLACE FUNCTION nnp_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('nnp_changes', TG_ARGV[0]);
  RETURN NULL;
END $$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION nnp_notify_change() FROM PUBLIC;
--> statement-breakpoint
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('withdrawals', 'withdrawals'), ('withdrawal_payout_attempts', 'withdrawals'), ('payout_batches', 'withdrawals'),
      ('payout_destinations', 'withdrawals'),
      ('ledger_transactions', 'wallet'),
      ('ledger_checks', 'ledger_checks'),
      ('periods', 'periods'), ('period_runs', 'periods'),
      ('period_stats', 'figures'), ('period_rank_counts', 'figures'),
      ('members', 'members'), ('member_notes', 'members'), ('member_paths', 'members'), ('genealogy_moves', 'members'),
      ('orders', 'orders'), ('stripe_payments', 'payments'),
      ('staff', 'staff'), ('audit_log', 'audit'),
      ('autoship_subscriptions', 'autoship'), ('autoship_charges', 'autoship'),
      ('plan_versions', 'settings'), ('exchange_rates', 'settings'), ('app_settings', 'settings'),
      ('loyalty_gifts', 'programmes'), ('travel_campaigns', 'programmes'),
      ('products', 'catalogue'), ('product_prices', 'catalogue')
    ) AS x(tbl, area)
  LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t.tbl || '_notify', t.tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION nnp_notify_change(%L)',
                   t.tbl || '_notify', t.tbl, t.area);
  END LOOP;
END $$;
