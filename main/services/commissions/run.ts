/**
 * The period commission run (docs/engine.md): load the period set-based into engine input, run the
 * fast engine (main/domain/engine), and — for a close — write every line (COPY into a staging
 * table, then one INSERT … ON CONFLICT DO NOTHING on the natural key), pay the newly written lines
 * through the ledger with aggregated entries, and update the programmes. The preview runs the same
 * load + engine and writes nothing.
 */
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import type postgres from 'postgres';
import type { DbOrTx } from '../../db/client';
import { CURRENCIES, CURRENCY_OF_COUNTRY, Decimal, type Country, type Currency } from '../../domain/money';
import { periodBounds, previousPeriod } from '../../domain/period';
import { validatePlan, type PlanFigures } from '../../domain/plan';
import { runPeriodEngine, LINE_TYPE_BY_CODE, EngineInputError, type EngineInput, type EngineMember, type EngineOrder, type EngineHistoryRow, type PeriodResult } from '../../domain/engine';
import { AppError } from '../../../shared/errors';
import type { PeriodRow } from '../periods/lookup';
import { postTransfer } from '../ledger/ledger';
import { kitSkuOf, planWithKits } from './kits';
import { campaignInForce } from './travel';

/** Beneficiary ids are grouped in blocks of 2^16 for the close's ledger transactions. */
export const BLOCK_SHIFT = 16;

export interface LoadedPeriod {
  input: EngineInput;
  campaignId: number | null;
  campaignTarget: string | null;
  ms: number;
}

/** Refuses a plan or rates the run cannot use — before anything is written. */
export function checkRunInputs(plan: unknown, rates: Record<string, string>, periodKey: string, used: readonly string[] = CURRENCIES): PlanFigures {
  let figures: PlanFigures;
  try {
    figures = validatePlan(plan);
  } catch (e) {
    throw new AppError('VALIDATION', `La versión del plan vigente en ${periodKey} es inválida: ${(e as Error).message}`, { periodKey });
  }
  const uni = figures.uninivel as unknown as { levels?: { level: number; rate: string }[] };
  if (Array.isArray(uni.levels)) {
    uni.levels.forEach((l, i) => {
      if (l.level !== i + 1) throw new AppError('VALIDATION', `El plan no tiene la tasa del nivel ${i + 1} de Uninivel.`, { level: i + 1 });
    });
  }
  const nonNegative = (path: string, v: unknown) => {
    if (typeof v === 'string' && /^-/.test(v.trim())) throw new AppError('VALIDATION', `El plan tiene una tasa negativa en ${path}: ${v}.`, { path, value: v });
  };
  const walk = (v: unknown, path: string) => {
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    else nonNegative(path, v);
  };
  walk(plan, '');
  const present = Object.keys(rates).filter((c) => c !== 'MXN');
  if (present.length === 0 && used.some((c) => c !== 'MXN')) throw new AppError('VALIDATION', `El periodo ${periodKey} no tiene tipos de cambio.`, { periodKey });
  for (const c of CURRENCIES) {
    const r = rates[c];
    if (r === undefined) {
      if (used.includes(c)) throw new AppError('VALIDATION', `El periodo ${periodKey} no tiene tipo de cambio de ${c}.`, { periodKey, currency: c });
      continue;
    }
    if (!/^\d+(\.\d+)?$/.test(r) || !new Decimal(r).gt(0)) throw new AppError('VALIDATION', `El tipo de cambio de ${c} debe ser mayor que cero (es ${r}).`, { currency: c, rate: r });
  }
  return figures;
}

/** The rates in force at the period's start (every currency, MXN = 1). Missing ones are left out. */
export async function periodRates(db: DbOrTx, period: PeriodRow): Promise<Record<string, string>> {
  const rows = (await db.execute(sql`
    select distinct on (currency) currency, rate_to_mxn::text as rate
    from exchange_rates where effective_from <= ${period.startsAt.toISOString()}::timestamptz
    order by currency, effective_from desc`)) as unknown as { currency: string; rate: string }[];
  const out: Record<string, string> = { MXN: '1' };
  for (const r of rows) out[r.currency.trim()] = r.rate;
  return out;
}

/** postgres.js client of a Drizzle database or transaction (for COPY and raw row arrays). */
export function clientOf(db: DbOrTx): postgres.Sql {
  const c = (db as unknown as { session?: { client?: postgres.Sql } }).session?.client;
  if (!c) throw new Error('no postgres.js client under this database handle');
  return c;
}

/**
 * The period's data set-based: members (with their career rank BEFORE the period — the close's
 * ranks step has already raised members.career_rank, rank_history keeps the old one), programme
 * state, the previous periods' paid-as ranks (Automóvil), the period's paid orders, the campaign.
 * A handful of SELECTs over whole tables, rows read as arrays.
 */
export async function loadPeriod(db: DbOrTx, period: PeriodRow, plan: PlanFigures, rates: Record<string, string>): Promise<LoadedPeriod> {
  const t0 = performance.now();
  const c = clientOf(db);
  const memberRows = await c.unsafe(`
    select m.id::text, m.sponsor_id::text, m.country, (extract(epoch from m.enrolled_at) * 1000)::float8 as enrolled,
      coalesce(rh.old_rank, m.career_rank)::int as career, coalesce(p.car_down_payment_paid, false) as car,
      coalesce(p.loyalty_points, 0)::int as loyalty, coalesce(p.travel_points, 0)::text as travel
    from members m
    left join rank_history rh on rh.member_id = m.id and rh.period_id = $1 and rh.kind = 'career'
    left join member_programs p on p.member_id = m.id
    where m.enrolled_at < $2::timestamptz
    order by m.id`, [period.id, period.endsAt.toISOString()]).values() as unknown as [string, string | null, string, number, number, boolean, number, string][];
  const members: EngineMember[] = new Array(memberRows.length);
  for (let i = 0; i < memberRows.length; i++) {
    const r = memberRows[i]!;
    members[i] = {
      id: r[0], sponsorId: r[1], country: r[2].trim() as Country, enrolledAt: r[3], careerRank: r[4],
      carDownPaymentPaid: r[5], loyaltyPoints: r[6], travelPoints: r[7] === '0' ? '0' : new Decimal(r[7]).toFixed(),
    };
  }
  memberRows.length = 0;

  const history: EngineHistoryRow[] = [];
  const keys: string[] = [];
  for (let i = 1, k = period.key; i <= Math.max(1, plan.automovil.consecutivePeriods - 1); i++) { k = previousPeriod(k); keys.push(k); }
  const histRows = await c.unsafe(`
    select v.member_id::text, p.key, v.pv::text, v.paid_as_rank::int from member_volumes v join periods p on p.id = v.period_id
    where p.key = any($1::text[]) and v.paid_as_rank > 0`, [keys]).values() as unknown as [string, string, string, number][];
  for (const r of histRows) history.push({ member: r[0], period: r[1], pv: r[2], paidAsRank: r[3] });

  const orderRows = await c.unsafe(`
    select o.id::text, o.member_id::text, o.pv::text, o.vn::text, o.kit_pv::text, o.currency,
      (extract(epoch from greatest(o.payment_confirmed_at, $2::timestamptz)) * 1000)::float8 as paid,
      case when o.kit_pv > 0 then (select string_agg(p.sku || '*' || ol.quantity, ',') from order_lines ol join products p on p.id = ol.product_id where ol.order_id = o.id and p.kind = 'kit') end as kits
    from orders o where o.period_id = $1 and o.status = 'paid'`, [period.id, period.startsAt.toISOString()]).values() as unknown as [string, string, string, string, string, string, number, string | null][];
  const orders: EngineOrder[] = [];
  const kitSkus = new Set<string>();
  for (const r of orderRows) {
    const kitPv = new Decimal(r[4]);
    const currency = r[5].trim() as Currency;
    const paidAt = Math.min(r[6], period.endsAt.getTime() - 1);
    if (kitPv.gt(0)) {
      const productPv = new Decimal(r[2]).minus(kitPv);
      const mixed = productPv.gt(0) || new Decimal(r[3]).gt(0);
      // A kit order without a kit line (data entered by hand): the plan's kit of that PV, else the
      // PV counts for volumes and ranks but pays no Rápido.
      // Every kit of the order pays Rápido: one (composite) SKU for all its kit lines (kits.ts).
      const sku = kitSkuOf(r[7]) ?? plan.kits.find((k) => new Decimal(k.pv).eq(kitPv))?.sku ?? null;
      if (sku) kitSkus.add(sku);
      orders.push({ id: mixed ? `${r[0]}~k` : r[0], member: r[1], kind: sku ? 'kit' : 'product', sku, pv: kitPv.toFixed(), vn: '0', currency, paidAt });
      if (mixed) orders.push({ id: r[0], member: r[1], kind: 'product', sku: null, pv: productPv.toFixed(), vn: r[3], currency, paidAt });
    } else {
      orders.push({ id: r[0], member: r[1], kind: 'product', sku: null, pv: r[2], vn: r[3], currency, paidAt });
    }
  }
  orderRows.length = 0;

  // NN Travels (travel.ts): this period's multiplier (campaign × promotion), the campaign's cap, and
  // at its first period the carried points start at 0 (the close resets member_programs first).
  const camp = await campaignInForce(db, period.key);
  if (camp?.starts) for (let i = 0; i < members.length; i++) members[i] = { ...members[i]!, travelPoints: '0' };
  const input: EngineInput = {
    period: period.key, plan: planWithKits(camp ? { ...plan, travel: { ...plan.travel, targetPoints: camp.target } } : plan, kitSkus), rates, members, history, orders,
    travelCampaign: camp ? { from: camp.from, to: camp.to, multiplier: camp.multiplier } : null,
  };
  return { input, campaignId: camp?.id ?? null, campaignTarget: camp?.target ?? null, ms: performance.now() - t0 };
}

/** Runs the engine, turning its typed input errors into AppErrors. */
export function runEngine(input: EngineInput): PeriodResult {
  try {
    return runPeriodEngine(input);
  } catch (e) {
    if (e instanceof EngineInputError) throw new AppError('VALIDATION', `Datos del periodo inválidos para el cálculo de comisiones: ${e.message}`, { code: e.code, ...e.details });
    throw e;
  }
}

export interface Totals {
  /** Sum per type and currency: totals[type][currency]. */
  byType: Record<string, Record<string, string>>;
  /** Sum per currency (all types). */
  byCurrency: Record<string, string>;
  /** Sum per beneficiary country and currency. */
  byCountry: Record<string, { currency: string; amount: string; beneficiaries: number }>;
  lines: number;
  beneficiaries: number;
  top: { member: number; currency: string; amount: string }[];
}

/** Totals of an engine result, from its columns (exact: integer cents). */
export function totalsOf(result: PeriodResult, members: readonly EngineMember[], rates: Record<string, string>, topN = 20): Totals {
  const rateN = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, Number(v)]));
  const L = result.lines;
  const cur = new Uint8Array(members.length);
  for (let i = 0; i < members.length; i++) cur[i] = CURRENCIES.indexOf(CURRENCY_OF_COUNTRY[members[i]!.country]);
  const byTypeCents = LINE_TYPE_BY_CODE.map(() => new Float64Array(CURRENCIES.length));
  const perMember = new Float64Array(members.length);
  for (let i = 0; i < L.length; i++) {
    const b = L.beneficiary[i]!;
    byTypeCents[L.type[i]!]![cur[b]!]! += L.amountCents[i]!;
    perMember[b]! += L.amountCents[i]!;
  }
  const fmt = (cents: number) => new Decimal(cents).div(100).toFixed(2);
  const byType: Totals['byType'] = {};
  const byCurrency: Record<string, string> = {};
  const curCents = new Float64Array(CURRENCIES.length);
  LINE_TYPE_BY_CODE.forEach((t, ti) => {
    byType[t] = {};
    CURRENCIES.forEach((c, ci) => {
      const v = byTypeCents[ti]![ci]!;
      if (v) { byType[t]![c] = fmt(v); curCents[ci]! += v; }
    });
  });
  CURRENCIES.forEach((c, ci) => { if (curCents[ci]) byCurrency[c] = fmt(curCents[ci]!); });
  const byCountry: Totals['byCountry'] = {};
  let beneficiaries = 0;
  const top: { i: number; mxn: number }[] = [];
  for (let i = 0; i < members.length; i++) {
    if (!perMember[i]) continue;
    beneficiaries++;
    const country = members[i]!.country;
    const e = byCountry[country] ?? { currency: CURRENCY_OF_COUNTRY[country], amount: '0', beneficiaries: 0 };
    e.beneficiaries++;
    byCountry[country] = e;
    top.push({ i, mxn: perMember[i]! * (rateN[CURRENCY_OF_COUNTRY[country]] ?? 1) });
  }
  for (const [country, e] of Object.entries(byCountry)) {
    let cents = 0;
    for (let i = 0; i < members.length; i++) if (members[i]!.country === country) cents += perMember[i]!;
    e.amount = fmt(cents);
  }
  top.sort((a, b) => b.mxn - a.mxn);
  return {
    byType, byCurrency, byCountry, lines: L.length, beneficiaries,
    top: top.slice(0, topN).map((t) => ({ member: Number(members[t.i]!.id), currency: CURRENCY_OF_COUNTRY[members[t.i]!.country], amount: fmt(perMember[t.i]!) })),
  };
}

/** COPY FROM STDIN inside the transaction, fed by a generator of text chunks. */
async function copyIn(c: postgres.Sql, statement: string, chunks: Iterable<string>): Promise<void> {
  const w = (await c.unsafe(statement).writable()) as Writable;
  await new Promise<void>((resolve, reject) => {
    w.on('error', reject);
    w.on('finish', resolve);
    const it = chunks[Symbol.iterator]();
    const pump = () => {
      for (;;) {
        const n = it.next();
        if (n.done) { w.end(); return; }
        if (!w.write(n.value)) { w.once('drain', pump); return; }
      }
    };
    pump();
  });
}

export interface WriteResult {
  lines: number;
  inserted: number;
  alreadyPosted: number;
  instantMismatches: number;
  postings: number;
  paid: Record<string, string>;
  programs: { cashback: number; gifts: number; travel: number; changed: number };
  ms: Record<string, number>;
}

/**
 * Writes a close's result: lines, ledger postings, programme state. Everything inside `tx` (the
 * close's one transaction): a crash leaves nothing.
 */
export async function writeClose(
  tx: DbOrTx, period: PeriodRow, loaded: LoadedPeriod, result: PeriodResult, now: Date,
  progress: (f: number) => Promise<void> = async () => {},
): Promise<WriteResult> {
  const c = clientOf(tx);
  const ms: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => { const n = performance.now(); ms[name] = Math.round(n - t); t = n; };
  const L = result.lines;
  await c.unsafe(`create temp table cl_stage (type commission_type, beneficiary_id bigint, source_kind commission_source_kind, source_id bigint, level smallint,
    base numeric, base_currency char(3), rate numeric, amount numeric, currency char(3), fx_from numeric, fx_to numeric) on commit drop`);
  const BATCH = 20000;
  function* lineChunks(): Generator<string> {
    for (let s = 0; s < L.length; s += BATCH) {
      const e = Math.min(L.length, s + BATCH);
      let out = '';
      for (let i = s; i < e; i++) {
        const l = L.row(i);
        const src = l.source.endsWith('~k') ? l.source.slice(0, -2) : l.source;
        out += `${l.type}\t${l.beneficiary}\t${l.sourceKind}\t${src}\t${l.level}\t${l.base}\t${l.baseCurrency}\t${l.rate ?? '\\N'}\t${l.amount}\t${l.currency}\t${l.fxFrom}\t${l.fxTo}\n`;
      }
      yield out;
    }
  }
  await copyIn(c, 'copy cl_stage from stdin', lineChunks());
  lap('copy');
  await progress(0.3);
  const key = `'commission.close:${period.id}:' || s.currency || ':' || (s.beneficiary_id >> ${BLOCK_SHIFT})::text`;
  const [mm] = await c.unsafe(`
    select count(*)::int as n, count(*) filter (where l.amount <> s.amount)::int as diff from cl_stage s join commission_lines l
      on l.period_id = $1 and l.type = s.type and l.kind = 'line' and l.beneficiary_id = s.beneficiary_id and l.source_id = s.source_id and l.level = s.level
    where s.type in ('directo', 'rapido')`, [period.id]) as unknown as { n: number; diff: number }[];
  await c.unsafe(`create temp table cl_pay on commit drop as
    with ins as (
      insert into commission_lines (period_id, type, kind, status, beneficiary_id, source_kind, source_id, level, base, base_currency, rate, amount, currency, fx_from, fx_to, ledger_key, created_at)
      select $1, s.type, 'line', 'posted', s.beneficiary_id, s.source_kind, s.source_id, s.level, s.base, s.base_currency, s.rate, s.amount, s.currency, s.fx_from, s.fx_to, ${key}, $2::timestamptz
      from cl_stage s
      on conflict do nothing
      returning beneficiary_id, currency, amount)
    select currency, beneficiary_id, sum(amount) as amount, count(*)::int as n from ins group by currency, beneficiary_id`, [period.id, now.toISOString()]);
  lap('insert');
  await progress(0.6);
  // Wallets first, set-based (the posting function would create them one by one).
  await c.unsafe(`insert into ledger_accounts (kind, member_id, currency) select distinct 'member_wallet'::ledger_account_kind, beneficiary_id, currency from cl_pay
    on conflict (member_id, currency) where kind = 'member_wallet' do nothing`);
  const pays = await c.unsafe(`select currency, (beneficiary_id >> ${BLOCK_SHIFT})::int as block, beneficiary_id::text, amount::text, n from cl_pay order by 1, 2, 3`).values() as unknown as [string, number, string, string, number][];
  let inserted = 0;
  let postings = 0;
  const paid: Record<string, string> = {};
  for (let i = 0; i < pays.length;) {
    const currency = pays[i]![0].trim() as Currency;
    const block = pays[i]![1];
    const entries: { account: { member: number }; amount: string }[] = [];
    let sum = new Decimal(0);
    for (; i < pays.length && pays[i]![0].trim() === currency && pays[i]![1] === block; i++) {
      const r = pays[i]!;
      inserted += r[4];
      entries.push({ account: { member: Number(r[2]) }, amount: r[3] });
      sum = sum.plus(r[3]);
    }
    await postTransfer(tx, {
      idempotencyKey: `commission.close:${period.id}:${currency}:${block}`, kind: 'commission', currency, periodId: period.id, at: now,
      entries: [{ account: { company: 'commission_expense' }, amount: sum.neg().toFixed(2) }, ...entries],
      reference: { period: period.key, block, close: true },
    });
    postings++;
    paid[currency] = new Decimal(paid[currency] ?? 0).plus(sum).toFixed(2);
  }
  lap('ledger');
  await progress(0.8);
  const programs = await writePrograms(tx, period, loaded, result, now);
  lap('programs');
  await progress(1);
  return { lines: L.length, inserted, alreadyPosted: mm?.n ?? 0, instantMismatches: mm?.diff ?? 0, postings, paid, programs, ms };
}

/** Programme state after the period: member_programs (changed rows only), cashback, gifts, travel points. */
async function writePrograms(tx: DbOrTx, period: PeriodRow, loaded: LoadedPeriod, result: PeriodResult, now: Date) {
  const c = clientOf(tx);
  const P = result.programs;
  const members = loaded.input.members;
  await c.unsafe(`create temp table mp_stage (member_id bigint, car boolean, loyalty int, travel numeric, cashback boolean, gift boolean, changed boolean, travel_changed boolean) on commit drop`);
  const campaign = loaded.input.travelCampaign != null;
  function* chunks(): Generator<string> {
    let out = '';
    for (let i = 0; i < P.length; i++) {
      const m = members[i]!;
      const car = P.carDownPaymentPaid[i] === 1;
      const loyalty = P.loyaltyPoints[i]!;
      const cb = P.cashback[i] === 1;
      const gift = P.loyaltyGift[i] === 1;
      const travel = campaign ? P.travelPoints(i) : m.travelPoints;
      const travelChanged = travel !== m.travelPoints;
      const changed = car !== m.carDownPaymentPaid || loyalty !== m.loyaltyPoints || travelChanged;
      if (!changed && !cb && !gift && !(campaign && travel !== '0')) continue;
      out += `${m.id}\t${car ? 't' : 'f'}\t${loyalty}\t${travel}\t${cb ? 't' : 'f'}\t${gift ? 't' : 'f'}\t${changed ? 't' : 'f'}\t${travelChanged ? 't' : 'f'}\n`;
      if (out.length > 1 << 20) { yield out; out = ''; }
    }
    if (out) yield out;
  }
  await copyIn(c, 'copy mp_stage from stdin', chunks());
  const iso = now.toISOString();
  const [r] = await c.unsafe(`
    with up as (
      insert into member_programs as p (member_id, car_down_payment_paid, loyalty_points, travel_points, period_id, updated_at)
      select member_id, car, loyalty, travel, $1, $2::timestamptz from mp_stage where changed
      on conflict (member_id) do update set car_down_payment_paid = excluded.car_down_payment_paid, loyalty_points = excluded.loyalty_points,
        travel_points = excluded.travel_points, period_id = excluded.period_id, updated_at = excluded.updated_at
      returning 1),
    cb as (
      insert into cashback_entitlements (member_id, period_id, status, discount_rate, issued_at, expired_at)
      select member_id, $1, 'expired', $4::numeric, $2::timestamptz, $3::timestamptz from mp_stage where cashback
      on conflict (member_id, period_id) do nothing returning 1),
    -- Entitlements issued at confirmation (instant.ts) and not used by a later order expire with the period.
    ex as (
      update cashback_entitlements set status = 'expired', expired_at = $3::timestamptz where period_id = $1 and status = 'issued' returning 1),
    g as (
      insert into loyalty_gifts (member_id, period_id, created_at) select member_id, $1, $2::timestamptz from mp_stage where gift
      on conflict (member_id, period_id) do nothing returning 1)
    select (select count(*) from up)::int as changed, (select count(*) from cb)::int + (select count(*) from ex)::int as cashback, (select count(*) from g)::int as gifts`,
  [period.id, iso, period.endsAt.toISOString(), loaded.input.plan.cashback.discount]) as unknown as { changed: number; cashback: number; gifts: number }[];
  let travel = 0;
  if (loaded.campaignId != null) {
    const t = await c.unsafe(`insert into travel_points (campaign_id, member_id, period_id, points)
      select $1, member_id, $2, travel from mp_stage where travel > 0 on conflict do nothing`, [loaded.campaignId, period.id]);
    travel = t.count;
  }
  return { cashback: r?.cashback ?? 0, gifts: r?.gifts ?? 0, travel, changed: r?.changed ?? 0 };
}

/** The period bounds helper re-exported for callers that only know a key. */
export { periodBounds };
