-- The period close pays its wallets with one set-based posting of aggregated credits
-- (main/services/ledger/bulk.ts), not one transfer per line: the batch function has no caller left.
DROP FUNCTION IF EXISTS ledger_post_batch(jsonb, timestamptz);
