-- The balance check becomes one set-based check per INSERT statement on ledger_entries (a
-- statement-level trigger over the inserted rows) instead of one deferred check per entry: every
-- statement that inserts entries must leave each transaction it touches balanced per currency.
-- Entries can only be inserted (0006), so the invariant holds at every instant, not only at
-- commit; ledger_post and the batch path insert a transaction's entries in one statement. A batch
-- of a million entries is checked by one statement instead of a million trigger calls.
-- An empty transaction changes no balance and sums to zero; the ledger functions never write one,
-- so the per-transaction "has entries" trigger (one deferred call per posting) is dropped.
DROP TRIGGER ledger_entries_balanced ON ledger_entries;--> statement-breakpoint
DROP TRIGGER ledger_transactions_has_entries ON ledger_transactions;--> statement-breakpoint
DROP FUNCTION ledger_check_balanced();--> statement-breakpoint
DROP FUNCTION ledger_check_has_entries();--> statement-breakpoint
CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.transaction_id, x.currency, x.total INTO bad
    FROM (SELECT DISTINCT i.transaction_id FROM inserted_entries i) n
   CROSS JOIN LATERAL (
     SELECT e.currency, sum(e.amount) AS total FROM ledger_entries e WHERE e.transaction_id = n.transaction_id GROUP BY e.currency
   ) x
   WHERE x.total <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % does not balance in %: %', bad.transaction_id, bad.currency, bad.total
      USING ERRCODE = '23514', CONSTRAINT = 'ledger_entries_balanced';
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
ALTER FUNCTION ledger_check_balanced() SET enable_seqscan = off;--> statement-breakpoint
CREATE TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS inserted_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_balanced();
