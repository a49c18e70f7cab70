-- Issue 16: NN Travels campaigns are saved on the administrator's own login. What the app checks
-- (shared/contract/programmes.ts CampaignInput, programmes.ts saveCampaign) the database checks too
-- for a staff login: only an admin, in its own name, now; a name, period keys, a positive target
-- and up to 36 promotions inside the campaign, not overlapping, each a positive multiplier; a
-- campaign starts in the open period or later; once started its first period and the promotions of
-- closed periods never change and it cannot end before the open period; two active campaigns never
-- overlap. The bonus multiplier column is not the admin's (it stays 1 as the app leaves it).
GRANT INSERT (id, name, from_period, to_period, target, multiplier, promotions, active, created_by, created_at) ON travel_campaigns TO nnp_admin;
--> statement-breakpoint
GRANT UPDATE (name, from_period, to_period, target, promotions, active) ON travel_campaigns TO nnp_admin;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE travel_campaigns_id_seq TO nnp_admin;
--> statement-breakpoint
CREATE FUNCTION nnp_travel_campaign_rules() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  me uuid;
  open_key text;
  p jsonb;
  prev_to text;
BEGIN
  IF nnp_session_is_owner() THEN
    RETURN NEW;
  END IF;
  me := nnp_session_staff_id();
  IF me IS NULL OR NOT pg_has_role(session_user, 'nnp_admin', 'MEMBER') THEN
    RAISE EXCEPTION 'only an administrator saves travel campaigns' USING ERRCODE = '42501';
  END IF;
  IF TG_OP = 'INSERT' THEN
    NEW.created_by := me;
    NEW.created_at := now();
    NEW.multiplier := 1;
  ELSIF NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.created_at IS DISTINCT FROM OLD.created_at OR NEW.multiplier IS DISTINCT FROM OLD.multiplier THEN
    RAISE EXCEPTION 'a campaign keeps its author, date and multiplier' USING ERRCODE = '42501';
  END IF;
  IF length(btrim(NEW.name)) NOT BETWEEN 3 AND 120
     OR NEW.from_period !~ '^[0-9]{4}-(0[1-9]|1[0-2])$' OR NEW.to_period !~ '^[0-9]{4}-(0[1-9]|1[0-2])$'
     OR NEW.target <= 0 OR NEW.target >= 100000000 THEN
    RAISE EXCEPTION 'a campaign needs a name, period keys and a positive target' USING ERRCODE = '23514';
  END IF;
  IF jsonb_typeof(NEW.promotions) IS DISTINCT FROM 'array' OR jsonb_array_length(NEW.promotions) > 36 THEN
    RAISE EXCEPTION 'promotions are a list of at most 36' USING ERRCODE = '23514';
  END IF;
  prev_to := NULL;
  FOR p IN SELECT e FROM jsonb_array_elements(NEW.promotions) e ORDER BY e ->> 'fromPeriod' LOOP
    IF NOT nnp_plan_object(p, '{fromPeriod,toPeriod,multiplier}', '{label}')
       OR jsonb_typeof(p -> 'fromPeriod') IS DISTINCT FROM 'string' OR (p ->> 'fromPeriod') !~ '^[0-9]{4}-(0[1-9]|1[0-2])$'
       OR jsonb_typeof(p -> 'toPeriod') IS DISTINCT FROM 'string' OR (p ->> 'toPeriod') !~ '^[0-9]{4}-(0[1-9]|1[0-2])$'
       OR jsonb_typeof(p -> 'multiplier') IS DISTINCT FROM 'string' OR (p ->> 'multiplier') !~ '^[0-9]{1,8}(\.[0-9]{1,4})?$' OR (p ->> 'multiplier') !~ '[1-9]'
       OR (p ? 'label' AND (jsonb_typeof(p -> 'label') IS DISTINCT FROM 'string' OR length(p ->> 'label') > 80))
       OR (p ->> 'toPeriod') < (p ->> 'fromPeriod') OR (p ->> 'fromPeriod') < NEW.from_period OR (p ->> 'toPeriod') > NEW.to_period
       OR (prev_to IS NOT NULL AND (p ->> 'fromPeriod') <= prev_to) THEN
      RAISE EXCEPTION 'a promotion is {fromPeriod, toPeriod, multiplier, label?} inside the campaign, not overlapping another' USING ERRCODE = '23514';
    END IF;
    prev_to := p ->> 'toPeriod';
  END LOOP;
  -- Against the open period, held until the transaction ends.
  SELECT x.key INTO open_key FROM periods x WHERE x.status = 'open' FOR SHARE;
  IF open_key IS NULL THEN
    RAISE EXCEPTION 'no open period: no campaign can be saved' USING ERRCODE = '23514';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.from_period < open_key THEN
    IF NEW.from_period <> OLD.from_period OR NEW.to_period < open_key
       OR (SELECT coalesce(jsonb_agg(jsonb_build_array(e ->> 'fromPeriod', e ->> 'toPeriod', (e ->> 'multiplier')::numeric) ORDER BY e ->> 'fromPeriod'), '[]')
             FROM jsonb_array_elements(NEW.promotions) e WHERE e ->> 'fromPeriod' < open_key)
          IS DISTINCT FROM
          (SELECT coalesce(jsonb_agg(jsonb_build_array(e ->> 'fromPeriod', e ->> 'toPeriod', (e ->> 'multiplier')::numeric) ORDER BY e ->> 'fromPeriod'), '[]')
             FROM jsonb_array_elements(OLD.promotions) e WHERE e ->> 'fromPeriod' < open_key) THEN
      RAISE EXCEPTION 'campaign % has started: its first period and its closed periods'' promotions never change, and it ends in the open period or later', OLD.id USING ERRCODE = '23514';
    END IF;
  ELSIF NEW.from_period < open_key THEN
    RAISE EXCEPTION 'a campaign starts in the open period (%) or later', open_key USING ERRCODE = '23514';
  END IF;
  IF NEW.active AND EXISTS (SELECT 1 FROM travel_campaigns c WHERE c.active AND c.id <> NEW.id AND c.from_period <= NEW.to_period AND c.to_period >= NEW.from_period) THEN
    RAISE EXCEPTION 'campaign overlaps another active campaign' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER travel_campaigns_rules BEFORE INSERT OR UPDATE ON travel_campaigns FOR EACH ROW EXECUTE FUNCTION nnp_travel_campaign_rules();
