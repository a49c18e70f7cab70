-- The set-based reference checks of 0033 are planned once and kept (PL/pgSQL caches the plan of a
-- static query), so they were pinned to index lookups: right for ledger_post's one or two rows,
-- slow for a close's 428,000 new wallets and entries (one lookup per row, ~2 s per statement).
-- A large statement (over 1,000 rows) now has its check planned for its own size (dynamic SQL:
-- the planner knows a transition table's row count) with hash joins allowed; small ones keep
-- the cached index plan. The settings changed inside go back at the function's exit.
CREATE OR REPLACE FUNCTION ledger_accounts_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
  big boolean := (SELECT count(*) FROM inserted_accounts) > 1000;
BEGIN
  IF big THEN
    PERFORM set_config('enable_hashjoin', 'on', true), set_config('enable_seqscan', 'on', true), set_config('enable_mergejoin', 'on', true);
    EXECUTE 'SELECT n.member_id FROM inserted_accounts n WHERE n.member_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id = n.member_id) LIMIT 1' INTO bad;
  ELSE
    SELECT n.member_id INTO bad
      FROM inserted_accounts n
     WHERE n.member_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id = n.member_id)
     LIMIT 1;
  END IF;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "ledger_accounts" violates foreign key constraint "ledger_accounts_member_id_members_id_fk"'
      USING ERRCODE = '23503', CONSTRAINT = 'ledger_accounts_member_id_members_id_fk', TABLE = 'ledger_accounts',
            DETAIL = format('Key (member_id)=(%s) is not present in table "members".', bad.member_id);
  END IF;
  SELECT n.currency INTO bad
    FROM (SELECT DISTINCT i.currency FROM inserted_accounts i) n
   WHERE NOT EXISTS (SELECT 1 FROM currencies c WHERE c.code = n.currency)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "ledger_accounts" violates foreign key constraint "ledger_accounts_currency_currencies_code_fk"'
      USING ERRCODE = '23503', CONSTRAINT = 'ledger_accounts_currency_currencies_code_fk', TABLE = 'ledger_accounts',
            DETAIL = format('Key (currency)=(%s) is not present in table "currencies".', bad.currency);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
ALTER FUNCTION ledger_accounts_check_references() SET enable_seqscan = off;--> statement-breakpoint
ALTER FUNCTION ledger_accounts_check_references() SET enable_hashjoin = off;--> statement-breakpoint
ALTER FUNCTION ledger_accounts_check_references() SET enable_mergejoin = off;--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_entries_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
  big boolean := (SELECT count(*) FROM inserted_entries) > 1000;
BEGIN
  IF big THEN
    PERFORM set_config('enable_hashjoin', 'on', true), set_config('enable_seqscan', 'on', true), set_config('enable_mergejoin', 'on', true);
    EXECUTE 'SELECT n.account_id, n.currency FROM inserted_entries n
              WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = n.account_id AND a.currency = n.currency) LIMIT 1' INTO bad;
  ELSE
    SELECT n.account_id, n.currency INTO bad
      FROM inserted_entries n
     WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = n.account_id AND a.currency = n.currency)
     LIMIT 1;
  END IF;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "ledger_entries" violates foreign key constraint "ledger_entries_account_currency_fk"'
      USING ERRCODE = '23503', CONSTRAINT = 'ledger_entries_account_currency_fk', TABLE = 'ledger_entries',
            DETAIL = format('Key (account_id, currency)=(%s, %s) is not present in table "ledger_accounts".', bad.account_id, bad.currency);
  END IF;
  SELECT n.transaction_id INTO bad
    FROM (SELECT DISTINCT i.transaction_id FROM inserted_entries i) n
   WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = n.transaction_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "ledger_entries" violates foreign key constraint "ledger_entries_transaction_id_ledger_transactions_id_fk"'
      USING ERRCODE = '23503', CONSTRAINT = 'ledger_entries_transaction_id_ledger_transactions_id_fk', TABLE = 'ledger_entries',
            DETAIL = format('Key (transaction_id)=(%s) is not present in table "ledger_transactions".', bad.transaction_id);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
ALTER FUNCTION ledger_entries_check_references() SET enable_seqscan = off;--> statement-breakpoint
ALTER FUNCTION ledger_entries_check_references() SET enable_hashjoin = off;--> statement-breakpoint
ALTER FUNCTION ledger_entries_check_references() SET enable_mergejoin = off;
