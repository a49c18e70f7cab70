-- Member lookup by name asks `search_text LIKE '%word%'`; the planner estimates how many names match
-- from the column's histogram. With the default 100 buckets it put "garcia" at 2 % of a million
-- names (20,164; really 65,160) and read all of them through the trigram index (20 ms) instead of
-- reading the table until the first 501 (0.9 ms): a very common word is cheaper read sequentially
-- up to the LIMIT, a rare one through the index, and the choice is only as good as the estimate.
-- With 1,000 buckets: 66,960 estimated, a sequential read, 5 ms for the whole search; the bench's
-- search p95 27.2 → 21.1–21.9 ms (docs/performance.md, 2026-12-07). ANALYZE samples 300,000 rows
-- instead of 30,000 (1.4 s at a million members); planning reads 1,000 entries instead of 100.
ALTER TABLE "member_search" ALTER COLUMN "search_text" SET STATISTICS 1000;
--> statement-breakpoint
ANALYZE "member_search";
