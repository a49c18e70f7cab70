-- Issue 16: the payout-ratio report's figures of a closed period are summed once, by the first
-- reader, through nnp_keep_period_payouts (SECURITY DEFINER, admin and finance) from the period's
-- posted commission lines and the orders its close counted — the same sums as
-- main/services/economics/payout.ts (linesFigures, salesFigures), in the same JSON shape — so the
-- staff groups lose INSERT on period_payouts.
CREATE OR REPLACE FUNCTION nnp_keep_period_payouts(p_period_id integer) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  p periods%ROWTYPE;
  f jsonb;
BEGIN
  SELECT * INTO p FROM periods x WHERE x.id = p_period_id;
  IF NOT FOUND OR p.status <> 'closed' THEN
    RAISE EXCEPTION 'period % is not closed', p_period_id USING ERRCODE = '23514';
  END IF;
  SELECT k.figures INTO f FROM period_payouts k WHERE k.period_id = p_period_id;
  IF FOUND THEN RETURN f; END IF;
  WITH lines AS (
    SELECT l.type AS t, l.type::text AS type, trim(l.currency) AS currency, sum(l.amount)::text AS amount,
           sum(l.amount * l.fx_to)::text AS mxn, count(*)::int AS n
      FROM commission_lines l WHERE l.period_id = p_period_id AND l.status = 'posted'
     GROUP BY l.type, l.currency
  ), rates AS (
    SELECT DISTINCT ON (r.currency) trim(r.currency) AS currency, r.rate_to_mxn AS rate
      FROM exchange_rates r WHERE r.effective_from <= p.starts_at ORDER BY r.currency, r.effective_from DESC
  ), sales AS (
    SELECT trim(m.country) AS country, trim(o.currency) AS currency, sum(o.vn)::text AS vn,
           sum(round(o.vn * coalesce(r.rate, CASE WHEN trim(o.currency) = 'MXN' THEN 1 END), 2))::text AS vn_mxn, count(*)::int AS n
      FROM orders o JOIN members m ON m.id = o.member_id LEFT JOIN rates r ON r.currency = trim(o.currency)
     WHERE o.period_id = p_period_id
       AND (o.status = 'paid' OR (p.closed_at IS NOT NULL AND o.status = 'refunded' AND o.refunded_at >= p.closed_at))
     GROUP BY m.country, o.currency
  )
  SELECT jsonb_build_object(
    'commissions', coalesce((SELECT jsonb_agg(jsonb_build_object('type', type, 'currency', currency, 'amount', amount, 'amountMxn', mxn, 'lines', n) ORDER BY t, currency) FROM lines), '[]'::jsonb),
    'sales', coalesce((SELECT jsonb_agg(jsonb_build_object('country', country, 'currency', currency, 'vn', vn, 'vnMxn', coalesce(vn_mxn, '0'), 'orders', n) ORDER BY country, currency) FROM sales), '[]'::jsonb))
  INTO f;
  INSERT INTO period_payouts (period_id, figures) VALUES (p_period_id, f) ON CONFLICT DO NOTHING;
  RETURN f;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_keep_period_payouts(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_keep_period_payouts(integer) TO nnp_admin, nnp_finance;
--> statement-breakpoint
REVOKE INSERT ON period_payouts FROM nnp_admin, nnp_finance;
