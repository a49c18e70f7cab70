ALTER TABLE "member_volumes" DROP CONSTRAINT "member_volumes_period_id_periods_id_fk";
--> statement-breakpoint
ALTER TABLE "member_volumes" DROP CONSTRAINT "member_volumes_member_id_members_id_fk";
