-- The balance check of a transaction runs in full once, for its last entry (highest id): the
-- other entries only probe (transaction_id, id) for a later one. Entries added to a transaction
-- later still end with a new last entry, which checks the whole transaction again at commit.
-- A transaction of k entries costs O(k) instead of O(k²).
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  IF EXISTS (SELECT 1 FROM ledger_entries e WHERE e.transaction_id = NEW.transaction_id AND e.id > NEW.id) THEN
    RETURN NULL;
  END IF;
  SELECT e.currency, sum(e.amount) AS total INTO bad
    FROM ledger_entries e
   WHERE e.transaction_id = NEW.transaction_id
   GROUP BY e.currency
  HAVING sum(e.amount) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % does not balance in %: %', NEW.transaction_id, bad.currency, bad.total
      USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_balanced';
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
ALTER FUNCTION ledger_check_balanced() SET plan_cache_mode = force_generic_plan;
