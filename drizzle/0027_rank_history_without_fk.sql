ALTER TABLE "rank_history" DROP CONSTRAINT "rank_history_member_id_members_id_fk";
--> statement-breakpoint
ALTER TABLE "rank_history" DROP CONSTRAINT "rank_history_period_id_periods_id_fk";
