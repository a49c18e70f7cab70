-- The finance queue filtered by a risk flag without a status ("sin historial" over the whole
-- history): the flagged rows alone in queue order, covering like the other queue indexes. The
-- filter also asks `risk_mask <> 0` (main/services/withdrawals/queue.ts), this index's predicate.
-- Without it a rare flag read all 100,000 rows of withdrawals_queue_time_idx for its page (33 ms
-- warm, 92 ms cold) and of withdrawals_queue_country_idx for its totals (20 ms); with it the
-- 20,006 flagged rows (210 pages): totals 3.5 ms warm (100,000 withdrawals, 20 % flagged).
CREATE INDEX "withdrawals_queue_flagged_idx" ON "withdrawals" USING btree ("requested_at" DESC, "id" DESC)
  INCLUDE ("status", "country", "currency", "amount", "fee", "net", "risk_mask", "member_id") WHERE "risk_mask" <> 0;
