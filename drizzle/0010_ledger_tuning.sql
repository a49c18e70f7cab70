ALTER TABLE "ledger_transactions" DROP CONSTRAINT "ledger_transactions_currency_currencies_code_fk";
--> statement-breakpoint
DROP INDEX "ledger_transactions_kind_idx";