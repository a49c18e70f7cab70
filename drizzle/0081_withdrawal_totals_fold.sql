-- withdrawal_totals (0080) folded whenever it held more than 200 rows. A fold leaves one row per
-- group, so with more than 200 groups (6 statuses × 4 countries × 4 currencies × the risk masks in
-- use can pass it) every later statement would have folded the whole table again. It now folds once
-- the rows are also more than twice the groups.
CREATE OR REPLACE FUNCTION nnp_withdrawal_totals_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM withdrawal_totals;
    RETURN NULL;
  END IF;
  -- Transition tables exist per trigger (new_rows, old_rows or both): one statement per event.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO withdrawal_totals (status, country, currency, risk_mask, n, amount, fee, net)
    SELECT r.status, r.country, r.currency, r.risk_mask, count(*), sum(r.amount), sum(r.fee), sum(r.net)
      FROM new_rows r GROUP BY 1, 2, 3, 4;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO withdrawal_totals (status, country, currency, risk_mask, n, amount, fee, net)
    SELECT r.status, r.country, r.currency, r.risk_mask, -count(*), -sum(r.amount), -sum(r.fee), -sum(r.net)
      FROM old_rows r GROUP BY 1, 2, 3, 4;
  ELSE
    -- Most updates (an approval's note, a payout attempt) change no group and no amount: nothing appended.
    INSERT INTO withdrawal_totals (status, country, currency, risk_mask, n, amount, fee, net)
    SELECT c.status, c.country, c.currency, c.risk_mask, sum(c.n), sum(c.amount), sum(c.fee), sum(c.net)
      FROM (SELECT r.status, r.country, r.currency, r.risk_mask, 1 AS n, r.amount, r.fee, r.net FROM new_rows r
            UNION ALL
            SELECT r.status, r.country, r.currency, r.risk_mask, -1, -r.amount, -r.fee, -r.net FROM old_rows r) c
     GROUP BY 1, 2, 3, 4
    HAVING sum(c.n) <> 0 OR sum(c.amount) <> 0 OR sum(c.fee) <> 0 OR sum(c.net) <> 0;
  END IF;
  -- The fold deletes the rows committed so far (its statement's snapshot) and writes their sums:
  -- read committed only, where that snapshot is this statement's own. Past 200 rows, and only once
  -- the rows are more than twice the groups: a fold leaves one row per group, so the next one comes
  -- after at least as many appends as there are groups (with more than 200 groups, folding at 200
  -- would fold the whole table on every statement).
  IF (SELECT count(*) FROM withdrawal_totals) > 200
     AND (SELECT count(*) > 2 * count(DISTINCT (status, country, currency, risk_mask)) FROM withdrawal_totals)
     AND current_setting('transaction_isolation') = 'read committed'
     AND pg_try_advisory_xact_lock(7261080) THEN
    WITH gone AS (DELETE FROM withdrawal_totals RETURNING status, country, currency, risk_mask, n, amount, fee, net)
    INSERT INTO withdrawal_totals (status, country, currency, risk_mask, n, amount, fee, net)
    SELECT g.status, g.country, g.currency, g.risk_mask, sum(g.n), sum(g.amount), sum(g.fee), sum(g.net)
      FROM gone g GROUP BY 1, 2, 3, 4
    HAVING sum(g.n) <> 0 OR sum(g.amount) <> 0 OR sum(g.fee) <> 0 OR sum(g.net) <> 0;
  END IF;
  RETURN NULL;
END $$;

