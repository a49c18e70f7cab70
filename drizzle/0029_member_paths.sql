-- A member's place in the tree (path, depth) moves from members to a narrow table of its own.
-- A genealogy move rewrites the path and depth of a whole subtree (~100,000 rows at 1,000,000
-- members); an update of an indexed column is never HOT, and on members each moved row was a wide
-- row re-inserted into all four indexes of members (primary key, code, path, sponsor). Here it is a
-- narrow row and two indexes (primary key, path).
CREATE TABLE "member_paths" (
	"member_id" bigint PRIMARY KEY NOT NULL,
	"path" text COLLATE "C" NOT NULL,
	"depth" integer NOT NULL
);
--> statement-breakpoint
-- The data move: written in path order, so that a downline (one range of the path index) is also
-- one run of neighbouring heap pages.
INSERT INTO "member_paths" ("member_id", "path", "depth")
SELECT "id", "path", "depth" FROM "members" ORDER BY "path";--> statement-breakpoint
ALTER TABLE "member_paths" ADD CONSTRAINT "member_paths_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "member_paths_path_idx" ON "member_paths" USING btree ("path");--> statement-breakpoint
DROP INDEX "members_path_idx";--> statement-breakpoint
ALTER TABLE "members" DROP COLUMN "path";--> statement-breakpoint
ALTER TABLE "members" DROP COLUMN "depth";--> statement-breakpoint
ANALYZE "member_paths";
