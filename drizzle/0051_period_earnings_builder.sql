-- Issue 16: the disclosure report's per-member earnings of a closed period are built once, by the
-- first reader, through nnp_build_period_earnings (SECURITY DEFINER, admin and finance): the rows
-- come from the period's posted commission lines and volumes, never from the caller, so the staff
-- groups lose INSERT on member_period_earnings and period_earnings_built (a login could otherwise
-- have written a misleading report). An advisory lock keeps two builders apart.
CREATE OR REPLACE FUNCTION nnp_build_period_earnings(p_period_id integer, OUT o_built boolean, OUT o_rows integer, OUT o_ms integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  t0 timestamptz := clock_timestamp();
  st text;
BEGIN
  SELECT p.status::text INTO st FROM periods p WHERE p.id = p_period_id;
  IF st IS DISTINCT FROM 'closed' THEN
    RAISE EXCEPTION 'period % is not closed', p_period_id USING ERRCODE = '23514';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('period_earnings'), p_period_id);
  SELECT b.rows INTO o_rows FROM period_earnings_built b WHERE b.period_id = p_period_id;
  IF FOUND THEN
    o_built := false;
    o_ms := 0;
    RETURN;
  END IF;
  INSERT INTO member_period_earnings (period_id, member_id, paid_as_rank, earned_mxn)
  SELECT p_period_id, coalesce(v.member_id, e.beneficiary_id), coalesce(v.paid_as_rank, 0), coalesce(e.mxn, 0)
  FROM (SELECT member_id, paid_as_rank FROM member_volumes WHERE period_id = p_period_id AND paid_as_rank > 0) v
  FULL JOIN (
    SELECT beneficiary_id, round(sum(amount * fx_to), 2) AS mxn FROM commission_lines
    WHERE period_id = p_period_id AND status = 'posted' GROUP BY beneficiary_id HAVING round(sum(amount * fx_to), 2) <> 0
  ) e ON e.beneficiary_id = v.member_id;
  GET DIAGNOSTICS o_rows = ROW_COUNT;
  o_ms := round(extract(epoch FROM clock_timestamp() - t0) * 1000)::integer;
  INSERT INTO period_earnings_built (period_id, rows, ms) VALUES (p_period_id, o_rows, o_ms);
  o_built := true;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_build_period_earnings(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_build_period_earnings(integer) TO nnp_admin, nnp_finance;
--> statement-breakpoint
REVOKE INSERT ON member_period_earnings, period_earnings_built FROM nnp_admin, nnp_finance;
