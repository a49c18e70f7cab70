-- The lookup text holds the names only (' first last '): codes are looked up on members.code
-- (exact and prefix, btree). With the code inside, every row carried the trigrams of "nn0…",
-- which made any search on a word starting with n, or on a code, read the whole trigram index.
CREATE OR REPLACE FUNCTION nnp_member_search_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO member_search (member_id, search_text, phone_digits, email_lower)
  SELECT n.id, ' ' || nnp_search_norm(n.first_name || ' ' || n.last_name) || ' ', n.phone_digits, lower(n.email)
  FROM new_members n
  ON CONFLICT (member_id) DO UPDATE SET search_text = excluded.search_text, phone_digits = excluded.phone_digits, email_lower = excluded.email_lower;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_member_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO member_search (member_id, search_text, phone_digits, email_lower)
  VALUES (NEW.id, ' ' || nnp_search_norm(NEW.first_name || ' ' || NEW.last_name) || ' ', NEW.phone_digits, lower(NEW.email))
  ON CONFLICT (member_id) DO UPDATE SET search_text = excluded.search_text, phone_digits = excluded.phone_digits, email_lower = excluded.email_lower;
  RETURN NULL;
END $$;--> statement-breakpoint
-- Rebuilt rather than updated in place: an UPDATE of every row would leave the table and its
-- indexes twice their size, half of it dead, until a VACUUM FULL.
TRUNCATE member_search;--> statement-breakpoint
INSERT INTO member_search (member_id, search_text, phone_digits, email_lower)
SELECT id, ' ' || nnp_search_norm(first_name || ' ' || last_name) || ' ', phone_digits, lower(email) FROM members;--> statement-breakpoint
ANALYZE member_search;
