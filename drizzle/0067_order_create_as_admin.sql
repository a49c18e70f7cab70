-- Issue 16: an order entered on a member's behalf is created on the admin's own login.
-- nnp_order_create (SECURITY DEFINER; admins, and the owner for autoship renewals) prices the
-- order itself from the catalogue, as orders/create.ts did: products sold in the member's country
-- and active; PV from the product; price and VN from the country's price list; a unit price other
-- than the list price (a discount) scales the line's VN in proportion (half-up to cents), never the
-- PV; a kit carries no VN and its PV is the order's kit PV. Nothing a desktop says sets a total, a
-- PV or a VN. Payment, refunds and volumes stay with the owner (ownerLogin) for now.
-- The lines priced (null product: not sold in the country, or inactive), in the order given.
CREATE OR REPLACE FUNCTION nnp_order_lines_priced(p_lines jsonb, p_country text)
  RETURNS TABLE(n bigint, product_id integer, quantity integer, unit_price numeric, pv numeric, vn numeric, kit boolean)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT l.n, p.id, (l.e ->> 'quantity')::integer,
         CASE WHEN p.id IS NOT NULL THEN coalesce((l.e ->> 'unitPrice')::numeric, pp.price) END,
         p.pv * (l.e ->> 'quantity')::integer,
         CASE WHEN p.kind = 'kit' THEN 0
              WHEN pp.price = 0 THEN pp.vn
              ELSE round(pp.vn * coalesce((l.e ->> 'unitPrice')::numeric, pp.price) / pp.price, 2) END * (l.e ->> 'quantity')::integer,
         p.kind = 'kit'
    FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS l(e, n)
    LEFT JOIN product_prices pp ON pp.product_id = (l.e ->> 'productId')::integer AND pp.country = p_country
    LEFT JOIN products p ON p.id = pp.product_id AND p.active
   ORDER BY l.n
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_order_lines_priced(jsonb, text) FROM PUBLIC;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_order_create(p_member bigint, p_lines jsonb, p_at timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  m record;
  bad bigint;
  made bigint;
BEGIN
  IF NOT (nnp_session_is_owner() OR nnp_session_is_admin()) THEN
    RAISE EXCEPTION 'only admins enter orders' USING ERRCODE = '42501';
  END IF;
  IF jsonb_typeof(p_lines) IS DISTINCT FROM 'array' OR jsonb_array_length(p_lines) = 0 THEN
    RAISE EXCEPTION 'an order needs at least one line' USING ERRCODE = '23514';
  END IF;
  SELECT x.id, x.country, c.currency INTO m FROM members x JOIN countries c ON c.code = x.country WHERE x.id = p_member;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'member % does not exist', p_member USING ERRCODE = '23503';
  END IF;
  -- Each line as given: a product id, a positive whole quantity; a unit price, when given, a decimal
  -- string ≥ 0 with at most 2 decimals.
  SELECT l.n INTO bad FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS l(e, n)
   WHERE jsonb_typeof(l.e) IS DISTINCT FROM 'object'
      OR jsonb_typeof(l.e -> 'productId') IS DISTINCT FROM 'number' OR (l.e ->> 'productId') !~ '^[1-9][0-9]{0,8}$'
      OR jsonb_typeof(l.e -> 'quantity') IS DISTINCT FROM 'number' OR (l.e ->> 'quantity') !~ '^[1-9][0-9]{0,8}$'
      OR (l.e ? 'unitPrice' AND (jsonb_typeof(l.e -> 'unitPrice') IS DISTINCT FROM 'string'
                                 OR (l.e ->> 'unitPrice') !~ '^[0-9]{1,14}(\.[0-9]{1,2})?$'))
   ORDER BY l.n LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'order line % is not a product, a positive quantity and a price of at most 2 decimals', bad USING ERRCODE = '23514';
  END IF;
  SELECT x.n INTO bad FROM nnp_order_lines_priced(p_lines, m.country) x WHERE x.product_id IS NULL ORDER BY x.n LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'the product of order line % is not sold in % or is inactive', bad, m.country USING ERRCODE = '23514';
  END IF;
  INSERT INTO orders (member_id, country, currency, status, total, pv, vn, kit_pv, created_at)
  SELECT p_member, m.country, m.currency, 'pending', sum(x.unit_price * x.quantity), sum(x.pv), sum(x.vn),
         coalesce(sum(x.pv) FILTER (WHERE x.kit), 0), p_at
    FROM nnp_order_lines_priced(p_lines, m.country) x
  RETURNING id INTO made;
  INSERT INTO order_lines (order_id, product_id, quantity, unit_price, pv, vn)
  SELECT made, x.product_id, x.quantity, x.unit_price, x.pv, x.vn FROM nnp_order_lines_priced(p_lines, m.country) x ORDER BY x.n;
  RETURN made;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_order_create(bigint, jsonb, timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_order_create(bigint, jsonb, timestamptz) TO nnp_admin;
