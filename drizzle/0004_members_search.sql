-- Member lookup: accent- and case-insensitive, partial words, any phone formatting.
-- unaccent() is only STABLE (its dictionary could change), so an index or a generated column
-- cannot use it directly: nnp_unaccent() pins the dictionary and is declared IMMUTABLE. The schema
-- of the extension is looked up (public here, `extensions` on Supabase) and written into the body.
DO $$
DECLARE s text;
BEGIN
  SELECT quote_ident(n.nspname) INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent';
  IF s IS NULL THEN RAISE EXCEPTION 'the unaccent extension is missing (drizzle/0001 creates it)'; END IF;
  EXECUTE format(
    'CREATE OR REPLACE FUNCTION nnp_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS %L',
    format('SELECT %s.unaccent(%L::regdictionary, $1)', s, s || '.unaccent'));
END $$;--> statement-breakpoint
-- The one normalisation both the stored text and every query go through: lower case, no accents,
-- every run of characters other than a-z and 0-9 (spaces, punctuation, emoji, SQL metacharacters)
-- turned into one space, trimmed.
CREATE OR REPLACE FUNCTION nnp_search_norm(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT btrim(regexp_replace(lower(nnp_unaccent($1)), '[^a-z0-9]+', ' ', 'g'), ' ') $$;--> statement-breakpoint
-- ' nn0000042 jose luis perez garcia ': a leading and a trailing space so that "a word starting
-- with jos" is the LIKE pattern '% jos%', which pg_trgm turns into word-start trigrams.
ALTER TABLE "members" ADD COLUMN IF NOT EXISTS "search_text" text COLLATE "C"
  GENERATED ALWAYS AS (' ' || nnp_search_norm("code" || ' ' || "first_name" || ' ' || "last_name") || ' ') STORED;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "members_search_trgm_idx" ON "members" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "members_phone_trgm_idx" ON "members" USING gin ("phone_digits" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "members_email_lower_idx" ON "members" (lower("email") text_pattern_ops);
