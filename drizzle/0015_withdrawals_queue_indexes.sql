DROP INDEX "withdrawals_status_requested_idx";--> statement-breakpoint
DROP INDEX "withdrawals_requested_idx";--> statement-breakpoint
DROP INDEX "withdrawals_risk_idx";--> statement-breakpoint
-- Covering indexes of the finance queue (drizzle's index builder has no INCLUDE, so they live here):
-- the page (ids in order) and the per-currency totals of a filtered set are index-only scans.
CREATE INDEX "withdrawals_queue_status_idx" ON "withdrawals" USING btree ("status", "requested_at" DESC, "id" DESC)
  INCLUDE ("country", "currency", "amount", "fee", "net", "risk_mask", "member_id");--> statement-breakpoint
CREATE INDEX "withdrawals_queue_time_idx" ON "withdrawals" USING btree ("requested_at" DESC, "id" DESC)
  INCLUDE ("status", "country", "currency", "amount", "fee", "net", "risk_mask", "member_id");--> statement-breakpoint
CREATE INDEX "withdrawals_queue_risk_idx" ON "withdrawals" USING btree ("status", "requested_at" DESC, "id" DESC)
  INCLUDE ("country", "currency", "amount", "fee", "net", "risk_mask", "member_id") WHERE "risk_mask" <> 0;
