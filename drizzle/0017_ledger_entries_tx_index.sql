DROP INDEX "ledger_entries_transaction_idx";--> statement-breakpoint
CREATE INDEX "ledger_entries_transaction_id_idx" ON "ledger_entries" USING btree ("transaction_id","id");