-- The natural key of commission_lines starts with the beneficiary: it serves a member's lines as
-- well (the separate (beneficiary_id, period_id) index goes), and the close writes its partition in
-- key order so the key is built from presorted rows (docs/performance.md, "Commission close").
DROP INDEX "commission_lines_beneficiary_idx";--> statement-breakpoint
DROP INDEX "commission_lines_natural_key";--> statement-breakpoint
CREATE UNIQUE INDEX "commission_lines_natural_key" ON "commission_lines" USING btree ("beneficiary_id","period_id","phase","type","kind","source_id","level");