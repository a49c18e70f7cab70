-- The finance queue filtered by country without a status (a country's whole history, its totals):
-- the country's rows in queue order, covering like the other queue indexes (drizzle/0015). Without
-- it such a filter read all 100,000 index rows of withdrawals_queue_time_idx: 35 ms for Colombia
-- and an amount range, 2 ms with it (serial, at 100,000 withdrawals).
CREATE INDEX "withdrawals_queue_country_idx" ON "withdrawals" USING btree ("country", "requested_at" DESC, "id" DESC)
  INCLUDE ("status", "currency", "amount", "fee", "net", "risk_mask", "member_id");
