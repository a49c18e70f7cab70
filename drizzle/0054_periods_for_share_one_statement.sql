-- The FOR SHARE lock of 0047 in one statement, as before it: the period(s) by id, by key, the open
-- one, or the one containing an instant, selected and locked by the same query (a READ COMMITTED
-- lock re-checks its condition on a row changed meanwhile, e.g. an open period that started
-- closing). An order's confirmation takes two of these: one round trip each, as with the plain
-- SELECT … FOR SHARE the owner used to run.
CREATE OR REPLACE FUNCTION nnp_periods_for_share(p_id integer, p_key text, p_open boolean, p_at timestamptz) RETURNS SETOF periods
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT * FROM periods
   WHERE (p_id IS NULL OR id = p_id)
     AND (p_key IS NULL OR key = p_key)
     AND (NOT p_open OR status = 'open')
     AND (p_at IS NULL OR (starts_at <= p_at AND ends_at > p_at))
     AND (p_id IS NOT NULL OR p_key IS NOT NULL OR p_open OR p_at IS NOT NULL)
  FOR SHARE
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_periods_for_share(integer, text, boolean, timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_periods_for_share(integer, text, boolean, timestamptz) TO nnp_admin, nnp_finance, nnp_support;
--> statement-breakpoint
DROP FUNCTION nnp_period_for_share(integer);
