-- The ledger functions run the same few statements with different values on every posting:
-- planning them again each time (PostgreSQL's custom plans) cost about half of a posting's CPU.
-- Their statements are key lookups whose best plan does not depend on the values, so the cached
-- generic plan is used. (A generic plan built while a table is tiny is rebuilt when autovacuum
-- analyzes the table, which invalidates cached plans.)
ALTER FUNCTION ledger_post(text, text, text, char(3), ledger_tx_status, boolean, jsonb, integer, text, jsonb, timestamptz) SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
ALTER FUNCTION ledger_resolve(bigint, text, timestamptz) SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
ALTER FUNCTION ledger_account_id(text, char(3), bigint, integer) SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
ALTER FUNCTION ledger_check_balanced() SET plan_cache_mode = force_generic_plan;--> statement-breakpoint
ALTER FUNCTION ledger_check_has_entries() SET plan_cache_mode = force_generic_plan;
