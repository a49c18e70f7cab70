-- A plan a staff login publishes must be coherent in the database's own judgement too: the plan
-- editor runs on the admin's login (0047), so an admin's password in a SQL client could otherwise
-- publish figures the app would never accept, and every later order confirmation, volume update
-- and close would refuse to run on them. nnp_plan_problems is the database's copy of checkPlan
-- (main/domain/plan.ts): the same shape (every object strict, decimal strings, integer ranges) and
-- the same consistency rules; main/db/plan-figures.test.ts holds the two to the same answer over
-- hand-made and random plans. Helpers never raise: a value of the wrong type is just "not valid".
-- The elements of an array; nothing for any other value (jsonb_array_elements would raise).
CREATE FUNCTION nnp_plan_items(v jsonb) RETURNS SETOF jsonb
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
  SELECT pg_catalog.jsonb_array_elements(CASE WHEN jsonb_typeof(v) = 'array' THEN v ELSE '[]' END)
$$;
--> statement-breakpoint
CREATE FUNCTION nnp_plan_object(v jsonb, required text[], optional text[] DEFAULT '{}') RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN jsonb_typeof(v) = 'object' THEN
    (SELECT bool_and(v ? k) FROM unnest(required) k) IS NOT FALSE
    AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(v) k WHERE NOT (k = ANY (required || optional)))
  ELSE false END
$$;
--> statement-breakpoint
CREATE FUNCTION nnp_plan_array(v jsonb, min_length int) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN jsonb_typeof(v) = 'array' THEN jsonb_array_length(v) >= min_length ELSE false END
$$;
--> statement-breakpoint
-- checkDecimalString with nonNegative: ASCII digits, an optional fraction, no sign but on a zero.
CREATE FUNCTION nnp_plan_decimal(v jsonb, max_decimals int) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN jsonb_typeof(v) = 'string' AND (v #>> '{}') ~ '^-?[0-9]+(\.[0-9]+)?$' THEN
    (max_decimals IS NULL OR length(coalesce(substring(v #>> '{}' from '\.([0-9]+)$'), '')) <= max_decimals)
    AND ((v #>> '{}') !~ '^-' OR (v #>> '{}') ~ '^-0+(\.0+)?$')
  ELSE false END
$$;
--> statement-breakpoint
CREATE FUNCTION nnp_plan_rate(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN nnp_plan_decimal(v, NULL) THEN (v #>> '{}')::numeric <= 1 ELSE false END
$$;
--> statement-breakpoint
-- zod's int(): a safe integer, here within [lo, hi] (hi null: no upper bound).
CREATE FUNCTION nnp_plan_int(v jsonb, lo numeric, hi numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN jsonb_typeof(v) = 'number' THEN
    v::numeric = trunc(v::numeric) AND abs(v::numeric) <= 9007199254740991 AND v::numeric >= lo AND (hi IS NULL OR v::numeric <= hi)
  ELSE false END
$$;
--> statement-breakpoint
CREATE FUNCTION nnp_plan_text(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN jsonb_typeof(v) = 'string' THEN length(v #>> '{}') >= 1 ELSE false END
$$;
--> statement-breakpoint
-- Fixed amounts by currency: MXN required, the other currencies optional, each a money string.
CREATE FUNCTION nnp_plan_amounts(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN nnp_plan_object(v, '{MXN}', '{USD,COP,DOP}') THEN
    (SELECT bool_and(nnp_plan_decimal(e.value, 2)) FROM jsonb_each(v) e)
  ELSE false END
$$;
--> statement-breakpoint
-- A level table: at least one {level, rate}, levels exactly 1..n.
CREATE FUNCTION nnp_plan_levels(v jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT nnp_plan_array(v, 1) THEN
    RETURN false;
  END IF;
  IF EXISTS (SELECT 1 FROM nnp_plan_items(v) e
             WHERE NOT (nnp_plan_object(e, '{level,rate}') AND nnp_plan_int(e -> 'level', 1, NULL) AND nnp_plan_rate(e -> 'rate'))) THEN
    RETURN false;
  END IF;
  RETURN (SELECT count(DISTINCT (e ->> 'level')::numeric) = count(*) AND max((e ->> 'level')::numeric) = count(*) FROM nnp_plan_items(v) e);
END $$;
--> statement-breakpoint
-- A list of {rank, …} entries: every rank 1..8 (never 0), none twice. Shape checked before.
CREATE FUNCTION nnp_plan_distinct_ranks(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
  SELECT coalesce(count(DISTINCT (e ->> 'rank')::numeric) = count(*) AND min((e ->> 'rank')::numeric) >= 1, true)
    FROM nnp_plan_items(v) e
$$;
--> statement-breakpoint
CREATE FUNCTION nnp_plan_problems(f jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
  p text[] := '{}';
  level_count int;
BEGIN
  IF NOT nnp_plan_object(f, '{ranks,directo,rapido,uninivel,alcance,matching,automovil,cashback,loyalty,travel,withdrawals,kits}') THEN
    RETURN ARRAY['the plan is an object of exactly these sections: ranks, directo, rapido, uninivel, alcance, matching, automovil, cashback, loyalty, travel, withdrawals, kits'];
  END IF;

  -- The shape, section by section.
  IF NOT nnp_plan_array(f -> 'ranks', 1) OR EXISTS (SELECT 1 FROM nnp_plan_items(f -> 'ranks') e WHERE NOT (
      nnp_plan_object(e, '{rank,pv,pvg,uninivelDepth}') AND nnp_plan_int(e -> 'rank', 0, 8) AND nnp_plan_decimal(e -> 'pv', 2)
      AND nnp_plan_decimal(e -> 'pvg', 2) AND nnp_plan_int(e -> 'uninivelDepth', 0, NULL))) THEN
    p := p || 'ranks: each entry is {rank 0..8, pv, pvg, uninivelDepth}'::text;
  END IF;
  IF NOT (nnp_plan_object(f -> 'directo', '{rate}') AND nnp_plan_rate(f -> 'directo' -> 'rate')) THEN
    p := p || 'directo: {rate}'::text;
  END IF;
  IF NOT (nnp_plan_object(f -> 'rapido', '{mxnPerPv,levels}') AND nnp_plan_decimal(f -> 'rapido' -> 'mxnPerPv', NULL) AND nnp_plan_levels(f -> 'rapido' -> 'levels')) THEN
    p := p || 'rapido: {mxnPerPv, levels 1..n}'::text;
  END IF;
  IF NOT (nnp_plan_object(f -> 'uninivel', '{levels,infinite}') AND nnp_plan_levels(f -> 'uninivel' -> 'levels') AND nnp_plan_array(f -> 'uninivel' -> 'infinite', 0))
     OR EXISTS (SELECT 1 FROM nnp_plan_items(f -> 'uninivel' -> 'infinite') e
                WHERE NOT (nnp_plan_object(e, '{rank,rate}') AND nnp_plan_int(e -> 'rank', 0, 8) AND nnp_plan_rate(e -> 'rate'))) THEN
    p := p || 'uninivel: {levels 1..n, infinite [{rank, rate}]}'::text;
  END IF;
  IF NOT nnp_plan_array(f -> 'alcance', 0) OR EXISTS (SELECT 1 FROM nnp_plan_items(f -> 'alcance') e WHERE NOT (
      nnp_plan_object(e, '{rank,amounts}', '{maxDaysEnrolledBeforePeriodEnd}') AND nnp_plan_int(e -> 'rank', 0, 8) AND nnp_plan_amounts(e -> 'amounts')
      AND (NOT e ? 'maxDaysEnrolledBeforePeriodEnd' OR nnp_plan_int(e -> 'maxDaysEnrolledBeforePeriodEnd', 0, NULL)))) THEN
    p := p || 'alcance: each entry is {rank, amounts, maxDaysEnrolledBeforePeriodEnd?}'::text;
  END IF;
  IF NOT nnp_plan_array(f -> 'matching', 0) OR EXISTS (SELECT 1 FROM nnp_plan_items(f -> 'matching') e WHERE NOT (
      nnp_plan_object(e, '{rank,levels}') AND nnp_plan_int(e -> 'rank', 0, 8) AND nnp_plan_levels(e -> 'levels'))) THEN
    p := p || 'matching: each entry is {rank, levels 1..n}'::text;
  END IF;
  IF NOT (nnp_plan_object(f -> 'automovil', '{minRank,consecutivePeriods,downPayment,monthly}') AND nnp_plan_int(f -> 'automovil' -> 'minRank', 1, 8)
          AND nnp_plan_int(f -> 'automovil' -> 'consecutivePeriods', 1, 24) AND nnp_plan_amounts(f -> 'automovil' -> 'downPayment')
          AND nnp_plan_amounts(f -> 'automovil' -> 'monthly')) THEN
    p := p || 'automovil: {minRank 1..8, consecutivePeriods 1..24, downPayment, monthly}'::text;
  END IF;
  IF NOT (nnp_plan_object(f -> 'cashback', '{minPv,discount}') AND nnp_plan_decimal(f -> 'cashback' -> 'minPv', 2) AND nnp_plan_rate(f -> 'cashback' -> 'discount')) THEN
    p := p || 'cashback: {minPv, discount}'::text;
  END IF;
  IF NOT (nnp_plan_object(f -> 'loyalty', '{lastDayOfMonth,pointsPerMonth,giftAtPoints,gifts}') AND nnp_plan_int(f -> 'loyalty' -> 'lastDayOfMonth', 1, 28)
          AND nnp_plan_int(f -> 'loyalty' -> 'pointsPerMonth', 1, NULL) AND nnp_plan_int(f -> 'loyalty' -> 'giftAtPoints', 1, NULL)
          AND nnp_plan_array(f -> 'loyalty' -> 'gifts', 1))
     OR EXISTS (SELECT 1 FROM nnp_plan_items(f -> 'loyalty' -> 'gifts') g WHERE NOT nnp_plan_text(g)) THEN
    p := p || 'loyalty: {lastDayOfMonth 1..28, pointsPerMonth, giftAtPoints, gifts}'::text;
  ELSIF (f #>> '{loyalty,giftAtPoints}')::numeric % (f #>> '{loyalty,pointsPerMonth}')::numeric <> 0 THEN
    p := p || 'loyalty.giftAtPoints must be a multiple of pointsPerMonth'::text;
  END IF;
  IF NOT (nnp_plan_object(f -> 'travel', '{targetPoints,kitPoints,ownRankPoints,recruitRankPoints}') AND nnp_plan_decimal(f -> 'travel' -> 'targetPoints', 2)
          AND nnp_plan_array(f -> 'travel' -> 'kitPoints', 0) AND nnp_plan_array(f -> 'travel' -> 'ownRankPoints', 0) AND nnp_plan_array(f -> 'travel' -> 'recruitRankPoints', 0))
     OR EXISTS (SELECT 1 FROM nnp_plan_items(f -> 'travel' -> 'kitPoints') e
                WHERE NOT (nnp_plan_object(e, '{sku,points}') AND nnp_plan_text(e -> 'sku') AND nnp_plan_decimal(e -> 'points', 2)))
     OR EXISTS (SELECT 1 FROM nnp_plan_items(CASE WHEN nnp_plan_array(f -> 'travel' -> 'ownRankPoints', 0) AND nnp_plan_array(f -> 'travel' -> 'recruitRankPoints', 0)
                                         THEN (f -> 'travel' -> 'ownRankPoints') || (f -> 'travel' -> 'recruitRankPoints') END) e
                WHERE NOT (nnp_plan_object(e, '{rank,points}') AND nnp_plan_int(e -> 'rank', 0, 8) AND nnp_plan_decimal(e -> 'points', 2))) THEN
    p := p || 'travel: {targetPoints, kitPoints [{sku, points}], ownRankPoints and recruitRankPoints [{rank, points}]}'::text;
  END IF;
  IF NOT (nnp_plan_object(f -> 'withdrawals', '{feeRate,byCurrency}') AND nnp_plan_rate(f -> 'withdrawals' -> 'feeRate') AND nnp_plan_array(f -> 'withdrawals' -> 'byCurrency', 0))
     OR EXISTS (SELECT 1 FROM nnp_plan_items(f -> 'withdrawals' -> 'byCurrency') e
                WHERE NOT (nnp_plan_object(e, '{currency,minimum,minimumFee}') AND coalesce(e -> 'currency' IN ('"MXN"', '"USD"', '"COP"', '"DOP"'), false)
                           AND nnp_plan_decimal(e -> 'minimum', 2) AND nnp_plan_decimal(e -> 'minimumFee', 2))) THEN
    p := p || 'withdrawals: {feeRate, byCurrency [{currency, minimum, minimumFee}]}'::text;
  END IF;
  IF NOT nnp_plan_array(f -> 'kits', 1) OR EXISTS (SELECT 1 FROM nnp_plan_items(f -> 'kits') e WHERE NOT (
      nnp_plan_object(e, '{sku,name,pv,prices}') AND nnp_plan_text(e -> 'sku') AND nnp_plan_text(e -> 'name') AND nnp_plan_decimal(e -> 'pv', 2)
      AND nnp_plan_amounts(e -> 'prices'))) THEN
    p := p || 'kits: at least one {sku, name, pv, prices}'::text;
  END IF;
  IF cardinality(p) > 0 THEN
    RETURN p;
  END IF;

  -- The consistency rules (every value has its type now, so the casts below cannot fail).
  level_count := jsonb_array_length(f #> '{uninivel,levels}');
  IF NOT (SELECT count(*) = 8 AND count(DISTINCT (e ->> 'rank')::numeric) = 8 AND min((e ->> 'rank')::numeric) = 1 FROM nnp_plan_items(f -> 'ranks') e) THEN
    p := p || 'ranks: list ranks 1..8, each once'::text;
  ELSE
    IF EXISTS (
      WITH r AS (SELECT (e ->> 'rank')::numeric AS rank, (e ->> 'pv')::numeric AS pv, (e ->> 'pvg')::numeric AS pvg, (e ->> 'uninivelDepth')::numeric AS depth
                   FROM nnp_plan_items(f -> 'ranks') e)
      SELECT 1 FROM r a JOIN r b ON b.rank = a.rank + 1 WHERE b.pvg <= a.pvg OR b.pv < a.pv OR b.depth < a.depth
      UNION ALL
      SELECT 1 FROM r WHERE r.depth > level_count OR r.pvg < r.pv) THEN
      p := p || 'ranks: PVG rises with the rank, PV and uninivel depth never fall, PVG is not below PV, no rank opens more levels than the table has'::text;
    END IF;
    IF EXISTS (SELECT 1 FROM nnp_plan_items(f #> '{uninivel,infinite}') x JOIN nnp_plan_items(f -> 'ranks') r ON (r ->> 'rank')::numeric = (x ->> 'rank')::numeric
               WHERE (r ->> 'uninivelDepth')::numeric <> level_count) THEN
      p := p || 'uninivel.infinite: a rank earning Unilevel Infinito opens every uninivel level'::text;
    END IF;
  END IF;
  IF NOT nnp_plan_distinct_ranks(f #> '{uninivel,infinite}') THEN
    p := p || 'uninivel.infinite: ranks 1..8, each once'::text;
  END IF;
  IF NOT nnp_plan_distinct_ranks(f -> 'alcance') THEN
    p := p || 'alcance: ranks 1..8, each once'::text;
  END IF;
  IF NOT nnp_plan_distinct_ranks(f -> 'matching') THEN
    p := p || 'matching: ranks 1..8, each once'::text;
  END IF;
  IF NOT nnp_plan_distinct_ranks(f #> '{travel,ownRankPoints}') OR NOT nnp_plan_distinct_ranks(f #> '{travel,recruitRankPoints}') THEN
    p := p || 'travel: rank points for ranks 1..8, each once'::text;
  END IF;
  IF (f #>> '{travel,targetPoints}')::numeric <= 0 THEN
    p := p || 'travel.targetPoints must be > 0'::text;
  END IF;
  IF NOT (SELECT count(DISTINCT e ->> 'sku') = count(*) AND bool_and((e ->> 'pv')::numeric > 0) FROM nnp_plan_items(f -> 'kits') e) THEN
    p := p || 'kits: each SKU once, each with PV > 0'::text;
  END IF;
  IF EXISTS (SELECT 1 FROM nnp_plan_items(f #> '{travel,kitPoints}') k
             WHERE NOT EXISTS (SELECT 1 FROM nnp_plan_items(f -> 'kits') x WHERE x ->> 'sku' = k ->> 'sku'))
     OR (SELECT count(DISTINCT e ->> 'sku') <> count(*) FROM nnp_plan_items(f #> '{travel,kitPoints}') e) THEN
    p := p || 'travel.kitPoints: kits of the plan, each once'::text;
  END IF;
  IF NOT (SELECT count(DISTINCT e ->> 'currency') = count(*) AND count(DISTINCT e ->> 'currency') = 4 FROM nnp_plan_items(f #> '{withdrawals,byCurrency}') e) THEN
    p := p || 'withdrawals.byCurrency: MXN, USD, COP and DOP, each once'::text;
  END IF;
  RETURN p;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.nnp_plan_version_rules()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
  me uuid;
  p_status text;
  open_key text;
  problems text[];
BEGIN
  IF nnp_session_is_owner() THEN
    RETURN NEW;
  END IF;
  me := nnp_session_staff_id();
  IF me IS NULL THEN
    RAISE EXCEPTION 'not a staff login' USING ERRCODE = '42501';
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'draft' OR NEW.published_by IS NOT NULL OR NEW.published_at IS NOT NULL OR NEW.created_by IS DISTINCT FROM me THEN
      RAISE EXCEPTION 'a staff login creates only drafts, in its own name' USING ERRCODE = '42501';
    END IF;
  ELSE
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'plan version % is published: it never changes', OLD.id USING ERRCODE = '23514';
    END IF;
    IF NEW.status = 'draft' THEN
      IF NEW.published_by IS NOT NULL OR NEW.published_at IS NOT NULL THEN
        RAISE EXCEPTION 'a draft has no publisher' USING ERRCODE = '23514';
      END IF;
      RETURN NEW;
    END IF;
    IF NEW.published_by IS DISTINCT FROM me OR NEW.published_at IS NULL THEN
      RAISE EXCEPTION 'a staff login publishes only in its own name' USING ERRCODE = '42501';
    END IF;
    -- What is published is what every later confirmation, volume update and close runs on.
    problems := nnp_plan_problems(NEW.figures);
    IF cardinality(problems) > 0 THEN
      RAISE EXCEPTION 'the figures of plan version % are not a coherent plan: %', NEW.id, array_to_string(problems, '; ') USING ERRCODE = '23514';
    END IF;
  END IF;
  -- Takes effect in the open period or a later one; the period is held until the transaction ends.
  SELECT x.status::text INTO p_status FROM periods x WHERE x.key = NEW.effective_from_period FOR SHARE;
  SELECT x.key INTO open_key FROM periods x WHERE x.status = 'open';
  IF (p_status IS NOT NULL AND p_status <> 'open') OR (open_key IS NOT NULL AND NEW.effective_from_period < open_key) THEN
    RAISE EXCEPTION 'a plan cannot take effect in period %', NEW.effective_from_period USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $function$;
