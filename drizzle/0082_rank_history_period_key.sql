-- rank_history keyed by (period, kind, member): a close's rows, inserted in member order, are
-- appended at the key's right edge; the screens read a period's changes by its prefix; ON CONFLICT
-- (member_id, period_id, kind) infers the same key. The id (never read) and the index led by the
-- member are gone: they put every row of a close in three indexes, one at random places.
DROP INDEX "rank_history_key";--> statement-breakpoint
DROP INDEX "rank_history_period_idx";--> statement-breakpoint
ALTER TABLE "rank_history" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "rank_history" ADD CONSTRAINT "rank_history_pkey" PRIMARY KEY("period_id","kind","member_id");
