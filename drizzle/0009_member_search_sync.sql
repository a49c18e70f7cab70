-- The lookup columns move from members (0004) to member_search (0008): a genealogy move rewrites
-- the path of a whole subtree, and on members every lookup index had to take each moved row again.
ALTER TABLE "members" DROP COLUMN IF EXISTS "search_text";--> statement-breakpoint
DROP INDEX IF EXISTS "members_phone_trgm_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "members_email_lower_idx";--> statement-breakpoint
-- Inserts (one row or a COPY of a million) are indexed set-based, once per statement, from the
-- transition table; an update re-indexes only when a looked-up column is in its SET list, so a
-- move (path, depth, sponsor_id) never fires it.
CREATE OR REPLACE FUNCTION nnp_member_search_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO member_search (member_id, search_text, phone_digits, email_lower)
  SELECT n.id, ' ' || nnp_search_norm(n.code || ' ' || n.first_name || ' ' || n.last_name) || ' ', n.phone_digits, lower(n.email)
  FROM new_members n
  ON CONFLICT (member_id) DO UPDATE SET search_text = excluded.search_text, phone_digits = excluded.phone_digits, email_lower = excluded.email_lower;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_member_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO member_search (member_id, search_text, phone_digits, email_lower)
  VALUES (NEW.id, ' ' || nnp_search_norm(NEW.code || ' ' || NEW.first_name || ' ' || NEW.last_name) || ' ', NEW.phone_digits, lower(NEW.email))
  ON CONFLICT (member_id) DO UPDATE SET search_text = excluded.search_text, phone_digits = excluded.phone_digits, email_lower = excluded.email_lower;
  RETURN NULL;
END $$;--> statement-breakpoint
DROP TRIGGER IF EXISTS members_search_insert ON "members";--> statement-breakpoint
CREATE TRIGGER members_search_insert AFTER INSERT ON "members" REFERENCING NEW TABLE AS new_members
  FOR EACH STATEMENT EXECUTE FUNCTION nnp_member_search_insert();--> statement-breakpoint
DROP TRIGGER IF EXISTS members_search_update ON "members";--> statement-breakpoint
CREATE TRIGGER members_search_update AFTER UPDATE OF code, first_name, last_name, email, phone_digits ON "members"
  FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code OR OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name
    OR OLD.email IS DISTINCT FROM NEW.email OR OLD.phone_digits IS DISTINCT FROM NEW.phone_digits)
  EXECUTE FUNCTION nnp_member_search_update();--> statement-breakpoint
-- Bulk loads skip ordinary triggers with session_replication_role = replica (the demo seed does):
-- these must fire anyway, or the loaded members could not be found.
ALTER TABLE "members" ENABLE ALWAYS TRIGGER members_search_insert;--> statement-breakpoint
ALTER TABLE "members" ENABLE ALWAYS TRIGGER members_search_update;--> statement-breakpoint
INSERT INTO member_search (member_id, search_text, phone_digits, email_lower)
SELECT id, ' ' || nnp_search_norm(code || ' ' || first_name || ' ' || last_name) || ' ', phone_digits, lower(email) FROM members
ON CONFLICT (member_id) DO NOTHING;
