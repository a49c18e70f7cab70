ALTER TABLE "period_rank_counts" DROP CONSTRAINT "period_rank_counts_period_id_periods_id_fk";
--> statement-breakpoint
ALTER TABLE "period_runs" DROP CONSTRAINT "period_runs_period_id_periods_id_fk";
--> statement-breakpoint
ALTER TABLE "period_stats" DROP CONSTRAINT "period_stats_period_id_periods_id_fk";
--> statement-breakpoint
ALTER TABLE "period_rank_counts" ADD CONSTRAINT "period_rank_counts_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "period_runs" ADD CONSTRAINT "period_runs_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "period_stats" ADD CONSTRAINT "period_stats_period_id_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."periods"("id") ON DELETE cascade ON UPDATE no action;