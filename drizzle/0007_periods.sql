CREATE TYPE "public"."period_run_status" AS ENUM('running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TABLE "period_rank_counts" (
	"period_id" integer NOT NULL,
	"rank" smallint NOT NULL,
	"members" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "period_rank_counts_period_id_rank_pk" PRIMARY KEY("period_id","rank"),
	CONSTRAINT "period_rank_counts_nonneg" CHECK ("period_rank_counts"."members" >= 0 and "period_rank_counts"."rank" between 1 and 8)
);
--> statement-breakpoint
CREATE TABLE "period_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"period_id" integer NOT NULL,
	"kind" text NOT NULL,
	"status" "period_run_status" DEFAULT 'running' NOT NULL,
	"steps" jsonb NOT NULL,
	"steps_done" integer DEFAULT 0 NOT NULL,
	"current_step" text,
	"progress" integer DEFAULT 0 NOT NULL,
	"started_by" uuid,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"error" text,
	"result" jsonb,
	CONSTRAINT "period_runs_progress" CHECK ("period_runs"."progress" between 0 and 1000)
);
--> statement-breakpoint
CREATE TABLE "period_stats" (
	"period_id" integer PRIMARY KEY NOT NULL,
	"members_total" integer DEFAULT 0 NOT NULL,
	"members_new" integer DEFAULT 0 NOT NULL,
	"max_member_id" bigint DEFAULT 0 NOT NULL,
	"members_active" integer DEFAULT 0 NOT NULL,
	"members_advancing" integer DEFAULT 0 NOT NULL,
	"orders_paid" integer DEFAULT 0 NOT NULL,
	"pv" numeric(18, 2) DEFAULT '0' NOT NULL,
	"vn_mxn" numeric(20, 2) DEFAULT '0' NOT NULL,
	"rebuilt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "period_stats_nonneg" CHECK ("period_stats"."pv" >= 0 and "period_stats"."vn_mxn" >= 0 and "period_stats"."members_active" >= 0 and "period_stats"."orders_paid" >= 0)
);
--> statement-breakpoint
ALTER TABLE "period_rank_counts" ADD CONSTRAINT "period_rank_counts_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "period_runs" ADD CONSTRAINT "period_runs_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "period_runs" ADD CONSTRAINT "period_runs_started_by_staff_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "period_stats" ADD CONSTRAINT "period_stats_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "period_runs_one_running" ON "period_runs" USING btree ("period_id") WHERE "period_runs"."status" = 'running';--> statement-breakpoint
CREATE INDEX "period_runs_period_idx" ON "period_runs" USING btree ("period_id","started_at" DESC NULLS LAST);