-- commission_lines partitioned by (period_id, phase): phase 0 holds what is written during the month
-- (instant lines, clawbacks), phase 1 what the period's close writes. The close loads its millions of
-- lines into a new table without indexes, builds the indexes once (sorted, in parallel) and attaches
-- the table as the period's phase-1 partition inside its transaction: row-by-row maintenance of four
-- B-trees was three quarters of the close (docs/performance.md, "Commission close").
-- Ids come from one sequence (not an identity column: partitioned identity needs PostgreSQL 17).
ALTER TABLE "commission_lines" RENAME TO "commission_lines_unpartitioned";--> statement-breakpoint
ALTER TABLE "commission_lines_unpartitioned" ALTER COLUMN "id" DROP IDENTITY;--> statement-breakpoint
ALTER INDEX "commission_lines_pkey" RENAME TO "commission_lines_unpartitioned_pkey";--> statement-breakpoint
ALTER INDEX "commission_lines_natural_key" RENAME TO "commission_lines_unpartitioned_natural_key";--> statement-breakpoint
ALTER INDEX "commission_lines_beneficiary_idx" RENAME TO "commission_lines_unpartitioned_beneficiary_idx";--> statement-breakpoint
ALTER INDEX "commission_lines_source_idx" RENAME TO "commission_lines_unpartitioned_source_idx";--> statement-breakpoint
ALTER INDEX "commission_lines_reverses_key" RENAME TO "commission_lines_unpartitioned_reverses_key";--> statement-breakpoint
CREATE SEQUENCE "commission_lines_id_seq" AS bigint;--> statement-breakpoint
CREATE TABLE "commission_lines" (
	"id" bigint DEFAULT nextval('commission_lines_id_seq') NOT NULL,
	"period_id" integer NOT NULL,
	"type" "commission_type" NOT NULL,
	"kind" "commission_kind" DEFAULT 'line' NOT NULL,
	"status" "commission_status" DEFAULT 'posted' NOT NULL,
	"beneficiary_id" bigint NOT NULL,
	"source_kind" "commission_source_kind" NOT NULL,
	"source_id" bigint NOT NULL,
	"level" smallint NOT NULL,
	"base" numeric(18, 2) NOT NULL,
	"base_currency" char(3) NOT NULL,
	"rate" numeric(12, 6),
	"amount" numeric(18, 2) NOT NULL,
	"currency" char(3) NOT NULL,
	"fx_from" numeric(18, 6) NOT NULL,
	"fx_to" numeric(18, 6) NOT NULL,
	"ledger_key" text,
	"reverses_line_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"voided_at" timestamp with time zone,
	"phase" smallint DEFAULT 0 NOT NULL,
	CONSTRAINT "commission_lines_id_period_id_phase_pk" PRIMARY KEY("id","period_id","phase"),
	CONSTRAINT "commission_lines_level" CHECK ("level" >= 1),
	CONSTRAINT "commission_lines_sign" CHECK (("kind" = 'line' and "amount" > 0) or ("kind" = 'clawback' and "amount" < 0))
) PARTITION BY RANGE ("period_id", "phase");--> statement-breakpoint
ALTER SEQUENCE "commission_lines_id_seq" OWNED BY "commission_lines"."id";--> statement-breakpoint
-- The month's partition of every period, created with the period (a trigger: every way a period is
-- inserted gets it; ENABLE ALWAYS so a bulk seed with session_replication_role = replica does too).
CREATE FUNCTION commission_lines_month_partition(p_period integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF commission_lines FOR VALUES FROM (%s, 0) TO (%s, 1)',
    'commission_lines_p' || p_period || '_0', p_period, p_period);
END $$;--> statement-breakpoint
CREATE FUNCTION periods_commission_partition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM commission_lines_month_partition(NEW.id);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER periods_commission_partition AFTER INSERT ON periods FOR EACH ROW EXECUTE FUNCTION periods_commission_partition();--> statement-breakpoint
ALTER TABLE periods ENABLE ALWAYS TRIGGER periods_commission_partition;--> statement-breakpoint
SELECT commission_lines_month_partition(id) FROM periods;--> statement-breakpoint
-- Lines written by a close before this migration stay in phase 0 of their period (nothing depends on
-- the phase of a closed period).
INSERT INTO "commission_lines" ("id","period_id","type","kind","status","beneficiary_id","source_kind","source_id","level","base","base_currency","rate","amount","currency","fx_from","fx_to","ledger_key","reverses_line_id","created_at","voided_at","phase")
SELECT "id","period_id","type","kind","status","beneficiary_id","source_kind","source_id","level","base","base_currency","rate","amount","currency","fx_from","fx_to","ledger_key","reverses_line_id","created_at","voided_at",0
FROM "commission_lines_unpartitioned";--> statement-breakpoint
SELECT setval('commission_lines_id_seq', coalesce((SELECT max(id) FROM "commission_lines_unpartitioned"), 0) + 1, false);--> statement-breakpoint
DROP TABLE "commission_lines_unpartitioned";--> statement-breakpoint
-- Indexes after the data: built once per partition instead of maintained row by row.
CREATE UNIQUE INDEX "commission_lines_natural_key" ON "commission_lines" USING btree ("period_id","phase","type","kind","beneficiary_id","source_id","level");--> statement-breakpoint
CREATE INDEX "commission_lines_beneficiary_idx" ON "commission_lines" USING btree ("beneficiary_id","period_id");--> statement-breakpoint
CREATE INDEX "commission_lines_source_idx" ON "commission_lines" USING btree ("source_id") WHERE "source_kind" = 'order';--> statement-breakpoint
CREATE UNIQUE INDEX "commission_lines_reverses_key" ON "commission_lines" USING btree ("reverses_line_id","period_id","phase") WHERE "reverses_line_id" is not null;--> statement-breakpoint
ANALYZE "commission_lines";
