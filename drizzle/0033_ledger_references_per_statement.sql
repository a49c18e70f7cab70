ALTER TABLE "ledger_accounts" DROP CONSTRAINT "ledger_accounts_member_id_members_id_fk";
--> statement-breakpoint
ALTER TABLE "ledger_accounts" DROP CONSTRAINT "ledger_accounts_currency_currencies_code_fk";
--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_transaction_id_ledger_transactions_id_fk";
--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_account_currency_fk";
--> statement-breakpoint
-- The four foreign keys above become set-based checks: one query per statement over a transition
-- table instead of, per inserted row, one SPI query plus a FOR KEY SHARE lock on the referenced
-- row (a period close creates ~428,000 wallets and ~428,000 entries in two statements). Same
-- SQLSTATE (23503) and the same constraint names, so callers see the same errors.
-- The guarantees kept:
--   * inserts into ledger_accounts / ledger_entries: checked by AFTER INSERT ... FOR EACH STATEMENT
--     triggers (ledger_entries and ledger_transactions refuse UPDATE and DELETE (0006), so inserts
--     are the only way to write a reference there);
--   * ledger_accounts.id, kind, member_id and currency never change (a column-list row trigger:
--     it does not fire on the balance updates, which name none of those columns);
--   * the referenced side: deleting a member or a currency used by a ledger account, or a ledger
--     account that has entries, is refused (statement-level AFTER DELETE), and so is changing a
--     referenced key (members.id, currencies.code, ledger_transactions.id);
--   * TRUNCATE of members / currencies / ledger_accounts / ledger_transactions is refused when it
--     would leave ledger rows pointing nowhere: checked AFTER the truncation (TRUNCATE fires every
--     AFTER TRUNCATE trigger once all the tables named in the statement are emptied), so
--     `truncate members, ledger_accounts, ledger_entries` passes and `truncate members` alone does
--     not while wallets exist. TRUNCATE ... CASCADE no longer reaches the ledger: name its tables.
-- Unlike a foreign key, the checks take no lock on the referenced rows: a concurrent, uncommitted
-- insert is not seen by a DELETE's check. The DELETE side (rare: members, currencies and accounts
-- are not deleted in normal operation) therefore locks the referencing table in SHARE mode before
-- it looks, which waits for the writers in flight and makes the check see them.
-- The check functions run with enable_seqscan/hashjoin/mergejoin off: plpgsql caches the plan of
-- the first call in a session, and the only plan right for both 1 row (ledger_post) and 428,000
-- rows (the close) is a nested loop of index probes.
CREATE FUNCTION ledger_accounts_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.member_id INTO bad
    FROM inserted_accounts n
   WHERE n.member_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id = n.member_id)
   LIMIT 1;
  IF FOUND THEN
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
CREATE TRIGGER ledger_accounts_references AFTER INSERT ON ledger_accounts
  REFERENCING NEW TABLE AS inserted_accounts FOR EACH STATEMENT EXECUTE FUNCTION ledger_accounts_check_references();--> statement-breakpoint

CREATE FUNCTION ledger_accounts_refuse_rekey() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger account % may not change its id, kind, member or currency', OLD.id
    USING ERRCODE = '23514', CONSTRAINT = 'ledger_accounts_immutable', TABLE = 'ledger_accounts';
END $$;--> statement-breakpoint
CREATE TRIGGER ledger_accounts_immutable BEFORE UPDATE OF id, kind, member_id, currency ON ledger_accounts
  FOR EACH ROW WHEN ((OLD.id, OLD.kind, OLD.member_id, OLD.currency) IS DISTINCT FROM (NEW.id, NEW.kind, NEW.member_id, NEW.currency))
  EXECUTE FUNCTION ledger_accounts_refuse_rekey();--> statement-breakpoint

CREATE FUNCTION ledger_entries_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.account_id, n.currency INTO bad
    FROM inserted_entries n
   WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = n.account_id AND a.currency = n.currency)
   LIMIT 1;
  IF FOUND THEN
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
ALTER FUNCTION ledger_entries_check_references() SET enable_mergejoin = off;--> statement-breakpoint
-- Named to sort before ledger_entries_balanced (statement triggers fire in name order): a bad
-- reference is reported before the balance, as it was with the foreign keys (row triggers).
CREATE TRIGGER ledger_entries_account_tx_references AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS inserted_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_check_references();--> statement-breakpoint

-- The referenced side. One function for the four tables (TG_TABLE_NAME tells them apart); each
-- check raises what the dropped foreign key raised.
CREATE FUNCTION ledger_refuse_orphans() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
  fk text;
  child text;
BEGIN
  IF TG_TABLE_NAME = 'members' THEN
    fk := 'ledger_accounts_member_id_members_id_fk'; child := 'ledger_accounts';
    LOCK TABLE ledger_accounts IN SHARE MODE;
    SELECT format('Key (id)=(%s) is still referenced from table "ledger_accounts".', d.id) AS detail INTO bad
      FROM deleted_rows d
     WHERE EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.kind = 'member_wallet' AND a.member_id = d.id)
     LIMIT 1;
  ELSIF TG_TABLE_NAME = 'currencies' THEN
    fk := 'ledger_accounts_currency_currencies_code_fk'; child := 'ledger_accounts';
    LOCK TABLE ledger_accounts IN SHARE MODE;
    SELECT format('Key (code)=(%s) is still referenced from table "ledger_accounts".', d.code) AS detail INTO bad
      FROM deleted_rows d
     WHERE EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.currency = d.code)
     LIMIT 1;
  ELSIF TG_TABLE_NAME = 'ledger_accounts' THEN
    fk := 'ledger_entries_account_currency_fk'; child := 'ledger_entries';
    LOCK TABLE ledger_entries IN SHARE MODE;
    SELECT format('Key (id, currency)=(%s, %s) is still referenced from table "ledger_entries".', d.id, d.currency) AS detail INTO bad
      FROM deleted_rows d
     WHERE EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = d.id AND e.currency = d.currency)
     LIMIT 1;
  ELSE
    RAISE EXCEPTION 'ledger_refuse_orphans: unexpected table %', TG_TABLE_NAME;
  END IF;
  IF FOUND THEN
    RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "%"', TG_TABLE_NAME, fk, child
      USING ERRCODE = '23503', CONSTRAINT = fk, TABLE = TG_TABLE_NAME, DETAIL = bad.detail;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER members_ledger_references AFTER DELETE ON members
  REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_orphans();--> statement-breakpoint
CREATE TRIGGER currencies_ledger_references AFTER DELETE ON currencies
  REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_orphans();--> statement-breakpoint
CREATE TRIGGER ledger_accounts_entries_references AFTER DELETE ON ledger_accounts
  REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_orphans();--> statement-breakpoint

-- A referenced key that changes (never done by the application; a foreign key refused it too).
-- Column-list row triggers with a WHEN: nothing runs unless the key itself is rewritten.
CREATE FUNCTION ledger_refuse_referenced_rekey() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fk text;
  child text;
  used boolean;
BEGIN
  IF TG_TABLE_NAME = 'members' THEN
    fk := 'ledger_accounts_member_id_members_id_fk'; child := 'ledger_accounts';
    used := EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.kind = 'member_wallet' AND a.member_id = OLD.id);
  ELSIF TG_TABLE_NAME = 'currencies' THEN
    fk := 'ledger_accounts_currency_currencies_code_fk'; child := 'ledger_accounts';
    used := EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.currency = OLD.code);
  ELSIF TG_TABLE_NAME = 'ledger_transactions' THEN
    fk := 'ledger_entries_transaction_id_ledger_transactions_id_fk'; child := 'ledger_entries';
    used := EXISTS (SELECT 1 FROM ledger_entries e WHERE e.transaction_id = OLD.id);
  ELSE
    RAISE EXCEPTION 'ledger_refuse_referenced_rekey: unexpected table %', TG_TABLE_NAME;
  END IF;
  IF used THEN
    RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "%"', TG_TABLE_NAME, fk, child
      USING ERRCODE = '23503', CONSTRAINT = fk, TABLE = TG_TABLE_NAME,
            DETAIL = format('The key of the updated row is still referenced from table "%s".', child);
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER members_ledger_rekey BEFORE UPDATE OF id ON members
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION ledger_refuse_referenced_rekey();--> statement-breakpoint
CREATE TRIGGER currencies_ledger_rekey BEFORE UPDATE OF code ON currencies
  FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION ledger_refuse_referenced_rekey();--> statement-breakpoint
CREATE TRIGGER ledger_transactions_rekey BEFORE UPDATE OF id ON ledger_transactions
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION ledger_refuse_referenced_rekey();--> statement-breakpoint

-- TRUNCATE: checked after every table named in the statement has been emptied.
CREATE FUNCTION ledger_refuse_truncate_orphans() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fk text;
  child text;
  used boolean;
BEGIN
  IF TG_TABLE_NAME = 'members' THEN
    fk := 'ledger_accounts_member_id_members_id_fk'; child := 'ledger_accounts';
    used := EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.member_id IS NOT NULL);
  ELSIF TG_TABLE_NAME = 'currencies' THEN
    fk := 'ledger_accounts_currency_currencies_code_fk'; child := 'ledger_accounts';
    used := EXISTS (SELECT 1 FROM ledger_accounts a);
  ELSIF TG_TABLE_NAME = 'ledger_accounts' THEN
    fk := 'ledger_entries_account_currency_fk'; child := 'ledger_entries';
    used := EXISTS (SELECT 1 FROM ledger_entries e);
  ELSIF TG_TABLE_NAME = 'ledger_transactions' THEN
    fk := 'ledger_entries_transaction_id_ledger_transactions_id_fk'; child := 'ledger_entries';
    used := EXISTS (SELECT 1 FROM ledger_entries e);
  ELSE
    RAISE EXCEPTION 'ledger_refuse_truncate_orphans: unexpected table %', TG_TABLE_NAME;
  END IF;
  IF used THEN
    RAISE EXCEPTION 'cannot truncate table "%": table "%" references it (constraint "%")', TG_TABLE_NAME, child, fk
      USING ERRCODE = '0A000', CONSTRAINT = fk, TABLE = TG_TABLE_NAME,
            HINT = format('Truncate table "%s" at the same time (TRUNCATE ... CASCADE does not reach it: the reference is a trigger, not a foreign key).', child);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER members_ledger_truncate AFTER TRUNCATE ON members
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate_orphans();--> statement-breakpoint
CREATE TRIGGER currencies_ledger_truncate AFTER TRUNCATE ON currencies
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate_orphans();--> statement-breakpoint
CREATE TRIGGER ledger_accounts_ledger_truncate AFTER TRUNCATE ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate_orphans();--> statement-breakpoint
CREATE TRIGGER ledger_transactions_ledger_truncate AFTER TRUNCATE ON ledger_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate_orphans();
