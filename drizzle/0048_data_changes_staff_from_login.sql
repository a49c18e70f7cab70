-- Issue 16: data_changes.app_staff of a staff login's change is its own account, never the
-- nnp.staff setting (which the login itself could set to a colleague's name). The owner's changes
-- keep the app's word (the staff member a money procedure acts for).
CREATE OR REPLACE FUNCTION public.nnp_record_change()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
DECLARE
  o jsonb;
  n jsonb;
  b jsonb;
  a jsonb;
  changed text[];
  hidden text[] := '{}';
  masked text[] := '{}';
  arg text;
  k text;
  who text := nullif(current_setting('nnp.staff', true), '');
BEGIN
  -- A staff login's changes are named after its own account: the setting is the app's word, which
  -- a SQL client with that login could set to anyone's name.
  IF session_user::text <> current_user::text AND NOT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false) THEN
    who := (SELECT s.username FROM staff s WHERE s.active AND nnp_login_name(s.username) = session_user::text);
  END IF;
  IF TG_NARGS > 0 THEN
    FOREACH arg IN ARRAY TG_ARGV LOOP
      IF left(arg, 5) = 'hide:' THEN hidden := hidden || substr(arg, 6);
      ELSIF left(arg, 5) = 'mask:' THEN masked := masked || substr(arg, 6);
      END IF;
    END LOOP;
  END IF;
  IF TG_OP <> 'INSERT' THEN o := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN n := to_jsonb(NEW); END IF;
  -- Which fields: those that changed (compared before masking), or every field of an insert / delete.
  SELECT array_agg(e.key ORDER BY e.key) INTO changed FROM jsonb_each(coalesce(n, o)) e
   WHERE TG_OP <> 'UPDATE' OR e.value IS DISTINCT FROM o -> e.key;
  IF changed IS NULL THEN RETURN NULL; END IF;
  IF o IS NOT NULL THEN
    b := '{}';
    FOREACH k IN ARRAY changed LOOP
      b := b || jsonb_build_object(k, CASE WHEN k = ANY (hidden) THEN '"***"'::jsonb WHEN k = ANY (masked) THEN nnp_mask(o -> k) ELSE o -> k END);
    END LOOP;
  END IF;
  IF n IS NOT NULL THEN
    a := '{}';
    FOREACH k IN ARRAY changed LOOP
      a := a || jsonb_build_object(k, CASE WHEN k = ANY (hidden) THEN '"***"'::jsonb WHEN k = ANY (masked) THEN nnp_mask(n -> k) ELSE n -> k END);
    END LOOP;
  END IF;
  INSERT INTO data_changes (app_staff, procedure, table_name, op, row_key, before, after)
  VALUES (who, nullif(current_setting('nnp.procedure', true), ''),
          TG_TABLE_NAME, TG_OP, coalesce(coalesce(n, o) ->> 'id', coalesce(n, o) ->> 'key', coalesce(n, o) ->> 'code'), b, a);
  RETURN NULL;
END $function$;
