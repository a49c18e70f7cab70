-- Issue 16: a withdrawal request is entered on the finance (or admin) person's own login.
-- nnp_withdrawal_request (SECURITY DEFINER, admin and finance) does the whole request in the
-- database, in the caller's own name: the plan in force decides minimum and fee (the app's
-- quoteWithdrawal), the hold is posted from the member's wallet (the app's posting: same key, slot
-- and body hash, so a double submit answers the first request), and the risk flags finance reads
-- are the database's own (nnp_withdrawal_risk, the app's assessRisk; main/db/withdrawal-risk.test.ts
-- compares the two). Nothing a desktop says sets the fee, the net, the flags or the requester.

-- The period (Mexico Central calendar month) of an instant, and the instant a period starts.
CREATE OR REPLACE FUNCTION nnp_period_key(p_at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT to_char(p_at AT TIME ZONE 'America/Mexico_City', 'YYYY-MM')
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_period_start(p_key text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT (to_date(p_key || '-01', 'YYYY-MM-DD')::timestamp) AT TIME ZONE 'America/Mexico_City'
$$;
--> statement-breakpoint
-- An instant as JavaScript's toISOString writes it (the app's risk details).
CREATE OR REPLACE FUNCTION nnp_iso(p_at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
  SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
--> statement-breakpoint
-- The risk flags of a request of p_amount at p_at (the request itself counted), as main/domain/
-- withdrawals.ts assessRisk with DEFAULT_RISK_RULES: more than 3 requests in 7 days; an amount over
-- 3 × the average monthly commission of the last 6 periods before the request's (fewer for a newer
-- member; under 2 periods with commission: "no history" instead); payout account changed in the
-- last 72 hours; member enrolled less than 30 days ago. Bits as RISK_BIT.
CREATE OR REPLACE FUNCTION nnp_withdrawal_risk(p_member bigint, p_amount numeric, p_at timestamptz) RETURNS TABLE(mask smallint, details jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  m members%ROWTYPE;
  requests integer;
  k text := nnp_period_key(p_at);
  keys text[] := '{}';
  n integer;
  with_commission integer;
  total numeric;
  bits integer := 0;
  d jsonb := '{}';
  i integer;
BEGIN
  SELECT * INTO STRICT m FROM members x WHERE x.id = p_member;
  SELECT count(*) + 1 INTO requests FROM withdrawals w
   WHERE w.member_id = p_member AND w.requested_at > p_at - interval '168 hours' AND w.requested_at <= p_at;
  IF requests > 3 THEN
    bits := bits | 1;
    d := d || jsonb_build_object('frequent', jsonb_build_object('count', requests, 'days', 7, 'max', 3));
  END IF;
  FOR i IN 1 .. 6 LOOP
    k := to_char(to_date(k || '-01', 'YYYY-MM-DD') - interval '1 month', 'YYYY-MM');
    EXIT WHEN nnp_period_start(to_char(to_date(k || '-01', 'YYYY-MM-DD') + interval '1 month', 'YYYY-MM')) <= m.enrolled_at;
    keys := keys || k;
  END LOOP;
  n := cardinality(keys);
  -- What reached the wallet per period (commissions and clawbacks): by the posting's period, or by
  -- its instant for a posting without one.
  SELECT count(*) FILTER (WHERE s.amount <> 0), coalesce(sum(s.amount), 0) INTO with_commission, total
    FROM (SELECT q.key, coalesce(sum(e.amount), 0) AS amount
            FROM unnest(keys) AS q(key)
            LEFT JOIN periods p ON p.key = q.key
            LEFT JOIN ledger_entries e ON e.account_id IN (SELECT a.id FROM ledger_accounts a WHERE a.kind = 'member_wallet' AND a.member_id = p_member)
                 AND e.kind IN ('commission', 'clawback')
                 AND (e.period_id = p.id OR (e.period_id IS NULL AND e.created_at >= nnp_period_start(q.key)
                      AND e.created_at < nnp_period_start(to_char(to_date(q.key || '-01', 'YYYY-MM-DD') + interval '1 month', 'YYYY-MM'))))
           GROUP BY q.key) s;
  IF with_commission < 2 THEN
    bits := bits | 16;
    d := d || jsonb_build_object('no_history', jsonb_build_object('periodsWithCommission', with_commission, 'periods', n, 'required', 2,
      'total', round(total, 2)::text, 'amount', round(p_amount, 2)::text));
  ELSIF p_amount * n > total * 3 THEN
    bits := bits | 2;
    d := d || jsonb_build_object('large', jsonb_build_object('average', round(total / n, 2)::text, 'threshold', round(total * 3 / n, 2)::text,
      'periods', n, 'multiplier', '3', 'amount', round(p_amount, 2)::text));
  END IF;
  IF m.payout_destination_changed_at IS NOT NULL AND p_at - m.payout_destination_changed_at < interval '72 hours' THEN
    bits := bits | 4;
    d := d || jsonb_build_object('destination_changed', jsonb_build_object('changedAt', nnp_iso(m.payout_destination_changed_at), 'hours', 72));
  END IF;
  IF p_at - m.enrolled_at < interval '720 hours' THEN
    bits := bits | 8;
    d := d || jsonb_build_object('new_member', jsonb_build_object('enrolledAt', nnp_iso(m.enrolled_at), 'days', 30));
  END IF;
  RETURN QUERY SELECT bits::smallint, d;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_risk(bigint, numeric, timestamptz) FROM PUBLIC;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_withdrawal_request(p_member bigint, p_amount numeric, p_currency text, p_note text, p_key text,
  p_at timestamptz, p_staff uuid, p_source text DEFAULT 'staff') RETURNS TABLE(withdrawal_id bigint, replayed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  who uuid := nnp_money_staff(p_staff, 'only admin and finance enter withdrawals');
  m record;
  figures jsonb;
  rule jsonb;
  fee numeric;
  k text;
  s integer;
  hashed text;
  r record;
  risk record;
  wid bigint;
BEGIN
  IF p_source IS NULL OR p_source NOT IN ('staff', 'member_app') OR (p_source <> 'staff' AND NOT nnp_session_is_owner()) THEN
    RAISE EXCEPTION 'a staff login enters withdrawals as staff' USING ERRCODE = '42501';
  END IF;
  IF p_key IS NULL OR length(p_key) NOT BETWEEN 1 AND 180 THEN
    RAISE EXCEPTION 'a withdrawal request needs its request key' USING ERRCODE = '23514';
  END IF;
  IF p_amount IS NULL OR p_amount <= 0 OR p_amount <> round(p_amount, 2) OR p_amount >= 1e16 THEN
    RAISE EXCEPTION 'a withdrawal amount is positive with at most 2 decimals' USING ERRCODE = '23514';
  END IF;
  SELECT x.id, x.country, c.currency INTO m FROM members x JOIN countries c ON c.code = x.country WHERE x.id = p_member;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'member % does not exist', p_member USING ERRCODE = '23503';
  END IF;
  IF p_currency IS DISTINCT FROM m.currency::text THEN
    RAISE EXCEPTION 'the wallet of member % is in %', p_member, m.currency USING ERRCODE = 'NP004', DETAIL = m.currency;
  END IF;
  SELECT v.figures INTO figures FROM plan_versions v
   WHERE v.status = 'published' AND v.effective_from_period <= nnp_period_key(p_at) ORDER BY v.effective_from_period DESC LIMIT 1;
  SELECT x INTO rule FROM jsonb_array_elements(figures -> 'withdrawals' -> 'byCurrency') AS x WHERE x ->> 'currency' = m.currency::text;
  IF rule IS NULL THEN
    RAISE EXCEPTION 'the plan in force has no withdrawal rule for %', m.currency USING ERRCODE = '23514';
  END IF;
  IF p_amount < (rule ->> 'minimum')::numeric THEN
    RAISE EXCEPTION 'the minimum withdrawal is % %', rule ->> 'minimum', m.currency USING ERRCODE = '23514';
  END IF;
  fee := greatest(round(p_amount * (figures -> 'withdrawals' ->> 'feeRate')::numeric, 2), (rule ->> 'minimumFee')::numeric);
  IF fee >= p_amount THEN
    RAISE EXCEPTION 'the fee % is not less than the amount', fee USING ERRCODE = '23514';
  END IF;
  -- The hold: the app's posting (ledger.ts postTransfer and bodyHash), so a replay matches either.
  k := 'withdrawal:request:' || p_key;
  s := nnp_company_slot(k);
  hashed := encode(sha256(convert_to(
    '{"allowNegative":false,"currency":' || to_json(m.currency::text)::text
    || ',"entries":[["member",' || p_member || ',0,' || to_json((-p_amount)::numeric(18, 2)::text)::text || '],["withdrawal_holds",null,' || s || ','
    || to_json(p_amount::numeric(18, 2)::text)::text || ']],"kind":"withdrawal.hold","memo":null,"pending":true,"periodId":null,"reference":{"memberId":'
    || p_member || ',"source":' || to_json(p_source)::text || '}}', 'UTF8')), 'hex');
  SELECT * INTO r FROM ledger_post(k, hashed, 'withdrawal.hold', m.currency, 'pending', false,
    jsonb_build_object('memberId', p_member, 'source', p_source), NULL, NULL,
    jsonb_build_array(jsonb_build_object('ref', 'member', 'id', p_member, 'slot', 0, 'amount', (-p_amount)::numeric(18, 2)::text),
                      jsonb_build_object('ref', 'withdrawal_holds', 'id', NULL, 'slot', s, 'amount', p_amount::numeric(18, 2)::text)), p_at);
  IF r.replayed THEN
    SELECT w.id INTO wid FROM withdrawals w WHERE w.hold_transaction_id = r.transaction_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'the first request with this key is still being registered' USING ERRCODE = '23514';
    END IF;
    RETURN QUERY SELECT wid, true;
    RETURN;
  END IF;
  -- The wallet row is locked by the hold: this member's requests are counted one at a time.
  SELECT * INTO risk FROM nnp_withdrawal_risk(p_member, p_amount, p_at);
  INSERT INTO withdrawals (member_id, country, currency, amount, fee, net, status, source, requested_at, requested_by, request_note,
                           risk_mask, risk_details, hold_transaction_id, updated_at)
  VALUES (p_member, m.country, m.currency, p_amount, fee, p_amount - fee, 'pending', p_source, p_at,
          CASE WHEN p_source = 'staff' THEN who END, nullif(p_note, ''), risk.mask, risk.details, r.transaction_id, p_at)
  RETURNING id INTO wid;
  RETURN QUERY SELECT wid, false;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_withdrawal_request(bigint, numeric, text, text, text, timestamptz, uuid, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION nnp_withdrawal_request(bigint, numeric, text, text, text, timestamptz, uuid, text) TO nnp_admin, nnp_finance;
