CREATE TABLE "member_period_earnings" (
	"period_id" integer NOT NULL,
	"member_id" bigint NOT NULL,
	"paid_as_rank" smallint NOT NULL,
	"earned_mxn" numeric(18, 2) NOT NULL,
	CONSTRAINT "member_period_earnings_period_id_member_id_pk" PRIMARY KEY("period_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "period_earnings_built" (
	"period_id" integer PRIMARY KEY NOT NULL,
	"rows" integer NOT NULL,
	"ms" integer NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "period_payouts" (
	"period_id" integer PRIMARY KEY NOT NULL,
	"figures" jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plan_simulations" (
	"id" serial PRIMARY KEY NOT NULL,
	"plan_version_id" integer NOT NULL,
	"period_id" integer NOT NULL,
	"staff_id" uuid,
	"status" text DEFAULT 'queued' NOT NULL,
	"stage" text,
	"progress" integer DEFAULT 0 NOT NULL,
	"cancel_requested" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"error" text,
	"result" jsonb,
	CONSTRAINT "plan_simulations_status" CHECK ("plan_simulations"."status" in ('queued', 'running', 'done', 'failed', 'cancelled')),
	CONSTRAINT "plan_simulations_progress" CHECK ("plan_simulations"."progress" between 0 and 1000)
);
--> statement-breakpoint
ALTER TABLE "plan_simulations" ADD CONSTRAINT "plan_simulations_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "plan_simulations_one_per_staff" ON "plan_simulations" USING btree ("staff_id") WHERE "plan_simulations"."status" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "plan_simulations_version_idx" ON "plan_simulations" USING btree ("plan_version_id","created_at" DESC NULLS LAST);