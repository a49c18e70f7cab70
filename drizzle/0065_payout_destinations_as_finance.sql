-- Issue 16: a member's payout account is entered on the finance (or admin) person's own login, and
-- the database holds the app's rules for it (main/domain/payout-destination.ts), whoever writes:
--   * nnp_payout_destination_problem: the stored form of a destination, checked — Mexico: CLABE of
--     18 digits, a Banxico bank (the list of clabe-validator 3.2.2, the app's library), its check
--     digit (weights 3,7,1) and the bank copied from it; an RFC of the right shape and a real date.
--     United States: ABA routing number (prefix and checksum), 4–17 digit account, a type, a
--     9-digit tax id. Colombia / Dominican Republic: bank, type, 6–20 digit account, their tax ids.
--     Names trimmed, inner spaces single; no field a country does not use. main/db/destinations.test.ts
--     compares it with checkDestination on thousands of generated destinations (so a newer library
--     bank list fails that test until this list follows).
--   * a destination is never edited: the only change is superseding the one in force, once;
--   * a staff login writes in its own name, at the database's time (created/superseded by and at);
--   * the member's "destination changed" instant (the 72-hour risk flag) is stamped by the database
--     from the new row, so it can be neither skipped nor back-dated.
CREATE OR REPLACE FUNCTION nnp_clabe_bank_name(p_code text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = public, pg_temp AS $$
SELECT b.name FROM (VALUES
  ('001', 'Banco de México'), ('002', 'Banco Nacional de México'), ('006', 'Banco Nacional de Comercio Exterior'),
  ('009', 'Banco Nacional de Obras y Servicios Públicos'), ('012', 'BBVA Bancomer'), ('014', 'Banco Santander'),
  ('019', 'Banco Nacional del Ejército, Fuerza Aérea y Armada'), ('021', 'HSBC México'), ('022', 'GE Money Bank'),
  ('030', 'Banco del Bajío'), ('032', 'IXE Banco'), ('036', 'Banco Inbursa'), ('037', 'Banco Interacciones'),
  ('042', 'Banca Mifel'), ('044', 'Scotiabank Inverlat'), ('058', 'Banco Regional de Monterrey'), ('059', 'Banco Invex'),
  ('060', 'Bansi'), ('062', 'Banca Afirme'), ('072', 'Banco Mercantil del Norte'), ('102', 'ABN AMRO Bank México'),
  ('103', 'American Express Bank (México)'), ('106', 'Bank of America México'),
  ('108', 'Bank of Tokyo-Mitsubishi UFJ (México)'), ('110', 'Banco J.P. Morgan'), ('112', 'Banco Monex'),
  ('113', 'Banco Ve por Mas'), ('116', 'ING Bank (México)'),
  ('124', 'Banco Citi Mexico (formerly Deutsche Bank México)'), ('126', 'Banco Credit Suisse (México)'),
  ('127', 'Banco Azteca'), ('128', 'Banco Autofin México'), ('129', 'Barclays Bank México'),
  ('130', 'Banco Compartamos'), ('131', 'Banco Ahorro Famsa'), ('132', 'Banco Multiva'), ('133', 'Banco Actinver'),
  ('134', 'Banco Wal-Mart de México Adelante'), ('135', 'Nacional Financiera'), ('136', 'Inter Banco'),
  ('137', 'BanCoppel'), ('138', 'ABC Capital'), ('139', 'UBS Banco'), ('140', 'Banco Fácil'),
  ('141', 'Volkswagen Bank, Institución de Banca Múltiple'), ('143', 'Consultoría Internacional Banco'),
  ('145', 'Banco BASE'), ('147', 'Bankaool, Institución de Banca Múltiple'),
  ('148', 'Banco PagaTodo Institución de Banca Múltiple'),
  ('150', 'Banco Inmobiliario Mexicano, Institución de Banca Múltiple'), ('151', 'Fundación Dondé Banco'),
  ('152', 'Banco Bancrea, Institución de Banca Múltiple'), ('154', 'Banco Finterra'),
  ('155', 'Industrial and Commercial Bank of China'), ('156', 'Banco de Sabadell'), ('157', 'Shinhan Bank'),
  ('158', 'Mizuho Bank'), ('159', 'Bank of China México'), ('160', 'Banco S3 México'),
  ('166', 'Banco del Ahorro Nacional y Servicios Financieros'), ('167', 'Hey Banco'),
  ('168', 'Sociedad Hipotecaria Federal'), ('600', 'Monex Casa de Bolsa'), ('601', 'GBM Grupo Bursátil Mexicano'),
  ('602', 'Masari Casa de Bolsa'), ('604', 'Inversora Bursátil'), ('605', 'Valué, Casa de Bolsa'),
  ('606', 'Base Internacional Casa de Bolsa'), ('607', 'Casa de Cambio Tiber'), ('608', 'Vector Casa de Bolsa'),
  ('610', 'B y B Casa de Cambio'), ('611', 'Intercam Casa de Cambio'),
  ('613', 'Multivalores Casa de Bolsa, Multiva Gpo. Fin.'), ('614', 'Acciones y Valores Banamex, Casa de Bolsa'),
  ('615', 'Merrill Lynch México, Casa de Bolsa'), ('616', 'Casa de Bolsa Finamex'),
  ('617', 'Valores Mexicanos Casa de Bolsa'), ('618', 'Única Casa de Cambio'), ('619', 'MAPFRE Tepeyac'),
  ('620', 'Profuturo G.N.P., Afore'), ('621', 'Actinver Casa de Bolsa'), ('622', 'Actinver'), ('623', 'Skandia Vida'),
  ('624', 'Consultoría Internacional Casa de Cambio'), ('626', 'Deutsche Securities'),
  ('627', 'Zurich Compañía de Seguros'), ('628', 'Zurich Vida, Compañía de Seguros'), ('629', 'Hipotecaria su Casita'),
  ('630', 'Intercam Casa de Bolsa'), ('631', 'CI Casa de Bolsa'), ('632', 'Bulltick Casa de Bolsa'),
  ('633', 'Sterling Casa de Cambio'), ('634', 'Fincomún, Servicios Financieros Comunitarios'), ('636', 'HDI Seguros'),
  ('637', 'OrderExpress Casa de Cambio'), ('638', 'Nu México Financiera (Nubank)'), ('640', 'J.P. Morgan Casa de Bolsa'),
  ('642', 'Operadora de Recursos Reforma'), ('646', 'Sistema de Transferencias y Pagos STP, SOFOM E.N.R.'),
  ('647', 'Telecomunicaciones de México'), ('648', 'Evercore Casa de Bolsa'), ('649', 'Skandia Operadora'),
  ('651', 'Seguros Monterrey New York Life'), ('652', 'Solución Asea, Sociedad Financiera Popular'),
  ('653', 'Kuspit Casa de Bolsa'), ('655', 'JP SofiExpress'), ('656', 'UNAGRA, S.F.P.'),
  ('659', 'Opciones Empresariales Del Noreste'), ('661', 'Servicios Financieros Alternativos (Klar)'),
  ('670', 'Libertad Servicios Financieros'), ('674', 'AXA Seguros'), ('677', 'Caja Popular Mexicana'),
  ('679', 'Financiera Nacional De Desarrollo Agropecuario'), ('680', 'Caja Popular Cristóbal Colón'),
  ('683', 'Caja de Ahorro de los Telefonistas'), ('684', 'Operadora de Pagos Moviles de Mexico'),
  ('685', 'Fondo de Garantía y Fomento para la Agricultura, Ganadería y Avicultura (FONDO)'), ('686', 'Afore InverCap'),
  ('688', 'Crediclub'), ('689', 'Fondo Mexicano del Petroleo para la Estabilizacion y el Desarrollo'),
  ('699', 'Fondea Technologies'), ('703', 'Tesored'), ('706', 'Arcus Financial Intelligence'),
  ('710', 'NVIO Pagos México'), ('721', 'albo'), ('722', 'Mercado Pago W'), ('723', 'Cuenca'), ('728', 'SPIN by OXXO'),
  ('732', 'Peibo Fintech'), ('734', 'Finco Pay (Finch)'), ('812', 'BBVA Bancomer'), ('814', 'Banco Santander'),
  ('821', 'HSBC México'), ('846', 'Sistema de Transferencias y Pagos STP'), ('901', 'CLS Bank International'),
  ('902', 'SD. INDEVAL'), ('903', 'CoDi Valida')) AS b(code, name) WHERE b.code = p_code
$$;
--> statement-breakpoint
-- The first problem of a destination as stored ('field:rule', the app's field and rule names), or null.
CREATE OR REPLACE FUNCTION nnp_payout_destination_problem(p_country text, p_holder text, p_tax text, p_bank_code text, p_bank_name text,
  p_type text, p_routing text, p_account text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
  rfc text[];
  days integer;
  s integer := 0;
  i integer;
BEGIN
  IF p_country IS NULL OR p_country NOT IN ('MX', 'US', 'CO', 'DO') THEN
    RETURN 'country:oneOf';
  END IF;
  IF p_holder IS NULL OR p_holder !~ '^\S+( \S+)*$' THEN
    RETURN 'holderName:required';
  END IF;
  IF length(p_holder) > 120 THEN
    RETURN 'holderName:tooLongString';
  END IF;
  IF p_tax IS NULL OR p_tax = '' THEN
    RETURN 'taxId:required';
  END IF;
  IF p_country = 'MX' THEN
    rfc := regexp_match(p_tax, '^([A-ZÑ&]{3,4})([0-9]{2})([0-9]{2})([0-9]{2})([A-Z0-9]{2}[A0-9])$');
    IF rfc IS NULL THEN
      RETURN 'taxId:rfcShape';
    END IF;
    days := (ARRAY[31, CASE WHEN rfc[2]::integer % 4 = 0 THEN 29 ELSE 28 END, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[rfc[3]::integer];
    IF days IS NULL OR rfc[4]::integer < 1 OR rfc[4]::integer > days THEN
      RETURN 'taxId:rfcDate';
    END IF;
    IF p_account IS NULL OR p_account !~ '^[0-9]{18}$' THEN
      RETURN 'clabe:clabeLength';
    END IF;
    IF nnp_clabe_bank_name(left(p_account, 3)) IS NULL THEN
      RETURN 'clabe:clabeBank';
    END IF;
    FOR i IN 1 .. 17 LOOP
      s := s + (substr(p_account, i, 1)::integer * (ARRAY[3, 7, 1])[(i - 1) % 3 + 1]) % 10;
    END LOOP;
    IF (10 - s % 10) % 10 <> substr(p_account, 18, 1)::integer THEN
      RETURN 'clabe:clabeCheck';
    END IF;
    IF p_bank_code IS DISTINCT FROM left(p_account, 3) OR p_bank_name IS DISTINCT FROM nnp_clabe_bank_name(left(p_account, 3))
       OR p_type IS NOT NULL OR p_routing IS NOT NULL THEN
      RETURN 'clabe:clabeBank';
    END IF;
    RETURN NULL;
  END IF;
  IF (p_country = 'US' AND p_tax !~ '^[0-9]{9}$') OR (p_country = 'CO' AND p_tax !~ '^[0-9]{5,10}(-?[0-9])?$')
     OR (p_country = 'DO' AND p_tax !~ '^([0-9]{9}|[0-9]{11})$') THEN
    RETURN 'taxId:taxId' || p_country;
  END IF;
  IF p_country = 'US' THEN
    IF p_routing IS NULL OR p_routing !~ '^[0-9]{9}$' THEN
      RETURN 'routingNumber:abaLength';
    END IF;
    FOR i IN 1 .. 9 LOOP
      s := s + substr(p_routing, i, 1)::integer * (ARRAY[3, 7, 1])[(i - 1) % 3 + 1];
    END LOOP;
    IF s % 10 <> 0 OR NOT (left(p_routing, 2)::integer <= 12 OR left(p_routing, 2)::integer BETWEEN 21 AND 32
                           OR left(p_routing, 2)::integer BETWEEN 61 AND 72 OR left(p_routing, 2)::integer = 80) THEN
      RETURN 'routingNumber:abaCheck';
    END IF;
  ELSIF p_bank_name IS NULL OR p_routing IS NOT NULL THEN
    RETURN 'bankName:required';
  END IF;
  IF p_bank_code IS NOT NULL OR (p_bank_name IS NOT NULL AND p_bank_name !~ '^\S(.*\S)?$') THEN
    RETURN 'bankName:required';
  END IF;
  IF length(p_bank_name) > 80 THEN
    RETURN 'bankName:tooLongString';
  END IF;
  IF p_type IS NULL OR p_type NOT IN ('checking', 'savings') THEN
    RETURN 'accountType:accountType';
  END IF;
  IF p_account IS NULL OR p_account !~ (CASE p_country WHEN 'US' THEN '^[0-9]{4,17}$' ELSE '^[0-9]{6,20}$' END) THEN
    RETURN 'accountNumber:accountDigits';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_payout_destination_rules() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  problem text;
  me uuid;
BEGIN
  IF NOT nnp_session_is_owner() THEN
    me := nnp_session_staff_id();
    IF me IS NULL OR NOT (pg_has_role(session_user, 'nnp_admin', 'MEMBER') OR pg_has_role(session_user, 'nnp_finance', 'MEMBER')) THEN
      RAISE EXCEPTION 'only admin and finance change payout accounts' USING ERRCODE = '42501';
    END IF;
  END IF;
  IF TG_OP = 'INSERT' THEN
    problem := nnp_payout_destination_problem(NEW.country::text, NEW.holder_name, NEW.tax_id, NEW.bank_code, NEW.bank_name,
      NEW.account_type::text, NEW.routing_number, NEW.account_number);
    IF problem IS NOT NULL THEN
      RAISE EXCEPTION 'payout account refused: %', problem USING ERRCODE = '23514', DETAIL = problem;
    END IF;
    IF NEW.superseded_at IS NOT NULL OR NEW.superseded_by IS NOT NULL THEN
      RAISE EXCEPTION 'a new payout account is the one in force' USING ERRCODE = '23514';
    END IF;
    IF me IS NOT NULL THEN
      NEW.created_by := me;
      NEW.created_at := now();
    END IF;
    RETURN NEW;
  END IF;
  -- UPDATE: only superseding the account in force, once; nothing else about it ever changes.
  IF OLD.superseded_at IS NOT NULL OR NEW.superseded_at IS NULL
     OR (NEW.member_id, NEW.country, NEW.holder_name, NEW.tax_id, NEW.bank_code, NEW.bank_name, NEW.account_type, NEW.routing_number,
         NEW.account_number, NEW.created_by, NEW.created_at)
        IS DISTINCT FROM (OLD.member_id, OLD.country, OLD.holder_name, OLD.tax_id, OLD.bank_code, OLD.bank_name, OLD.account_type,
         OLD.routing_number, OLD.account_number, OLD.created_by, OLD.created_at) THEN
    RAISE EXCEPTION 'a payout account is never edited: only the one in force is replaced, once' USING ERRCODE = '23514';
  END IF;
  IF me IS NOT NULL THEN
    NEW.superseded_by := me;
    NEW.superseded_at := now();
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_payout_destination_rules() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER payout_destinations_rules BEFORE INSERT OR UPDATE ON payout_destinations FOR EACH ROW EXECUTE FUNCTION nnp_payout_destination_rules();
--> statement-breakpoint
ALTER TABLE payout_destinations ENABLE ALWAYS TRIGGER payout_destinations_rules;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION nnp_payout_destination_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE members SET payout_destination_changed_at = NEW.created_at WHERE id = NEW.member_id;
  RETURN NULL;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION nnp_payout_destination_changed() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER payout_destinations_changed AFTER INSERT ON payout_destinations FOR EACH ROW EXECUTE FUNCTION nnp_payout_destination_changed();
--> statement-breakpoint
ALTER TABLE payout_destinations ENABLE ALWAYS TRIGGER payout_destinations_changed;
--> statement-breakpoint
-- Every column (Drizzle names them all, DEFAULT for the ones it leaves out); the trigger refuses a
-- new row that is already superseded and stamps the author.
GRANT INSERT ON payout_destinations TO nnp_admin, nnp_finance;
--> statement-breakpoint
GRANT UPDATE (superseded_at, superseded_by) ON payout_destinations TO nnp_admin, nnp_finance;
