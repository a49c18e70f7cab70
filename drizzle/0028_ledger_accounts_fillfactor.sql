-- A wallet's cached balance is rewritten by every posting, and a period close rewrites hundreds of
-- thousands of them at once. With half of each page free the new row version stays on its page and
-- no index changes (a HOT update: balance and updated_at are not indexed); a full page makes every
-- such update insert the row again into each of the table's four indexes. Applies to new pages;
-- rows written before this migration move to roomier pages as the table is vacuumed and grows.
ALTER TABLE "ledger_accounts" SET (fillfactor = 50);
