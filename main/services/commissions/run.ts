/**
 * The period commission run (docs/engine.md): load the period set-based into engine input, run the
 * fast engine (main/domain/engine), and — for a close — plan the lines to write (planLines), load
 * them by COPY into a table of their own and index it once (loadLinesTable), pay them through the
 * ledger set-based (payPlanned), update the programmes, and attach the table as the period's close
 * partition of commission_lines (attachLines). The close runner does the load, the engine and the
 * table ahead on the close's snapshot (step.ts); writeClose is the same on one connection. The
 * preview runs the same load + engine and writes nothing.
 */
import { sql } from 'drizzle-orm';
import { clientOf, type DbOrTx } from '../../db/client';
import { copyIn } from '../../db/copy';
import { eachTuple, tuples } from '../../db/rows';
import { CURRENCIES, CURRENCY_OF_COUNTRY, Decimal, type Country, type Currency } from '../../domain/money';
import { periodBounds, previousPeriod } from '../../domain/period';
import { validatePlan, type PlanFigures } from '../../domain/plan';
import {
  runPeriodEngine,
  LINE_TYPE_BY_CODE,
  LINE_COPY_COLUMNS,
  EngineInputError,
  type EngineInput,
  type EngineMember,
  type EngineOrder,
  type EngineHistoryRow,
  type PeriodResult,
} from '../../domain/engine';
import { AppError } from '../../../shared/errors';
import type { PeriodRow } from '../periods/lookup';
import { postWalletCredits } from '../ledger/bulk';
import { formatCents } from '../../domain/engine/exact';
import { kitSkuOf, planWithKits } from './kits';
import { campaignInForce } from './travel';
import { densePositions } from '../../domain/volume-rollup';
import { stageTimes } from '../../kernel/stages';

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
  figures.uninivel.levels.forEach((l, i) => {
    if (l.level !== i + 1) throw new AppError('VALIDATION', `El plan no tiene la tasa del nivel ${i + 1} de Uninivel.`, { level: i + 1 });
  });
  const nonNegative = (path: string, v: unknown) => {
    if (typeof v === 'string' && /^-/.test(v.trim())) throw new AppError('VALIDATION', `El plan tiene una tasa negativa en ${path}: ${v}.`, { path, value: v });
  };
  const walk = (v: unknown, path: string) => {
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    else nonNegative(path, v);
  };
  walk(plan, '');
  const present = Object.keys(rates).filter((c) => c !== 'MXN');
  if (present.length === 0 && used.some((c) => c !== 'MXN'))
    throw new AppError('VALIDATION', `El periodo ${periodKey} no tiene tipos de cambio.`, { periodKey });
  for (const c of CURRENCIES) {
    const r = rates[c];
    if (r === undefined) {
      if (used.includes(c)) throw new AppError('VALIDATION', `El periodo ${periodKey} no tiene tipo de cambio de ${c}.`, { periodKey, currency: c });
      continue;
    }
    if (!/^\d+(\.\d+)?$/.test(r) || !new Decimal(r).gt(0))
      throw new AppError('VALIDATION', `El tipo de cambio de ${c} debe ser mayor que cero (es ${r}).`, { currency: c, rate: r });
  }
  return figures;
}

/** The rates in force at the period's start (every currency, MXN = 1). Missing ones are left out. */
export async function periodRates(db: DbOrTx, period: PeriodRow): Promise<Record<string, string>> {
  const rows = await db.execute<{ currency: string; rate: string }>(sql`
    select distinct on (currency) currency, rate_to_mxn::text as rate
    from exchange_rates where effective_from <= ${period.startsAt.toISOString()}::timestamptz
    order by currency, effective_from desc`);
  const out: Record<string, string> = { MXN: '1' };
  for (const r of rows) out[r.currency.trim()] = r.rate;
  return out;
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
  const keys: string[] = [];
  for (let i = 1, k = period.key; i <= Math.max(1, plan.automovil.consecutivePeriods - 1); i++) {
    k = previousPeriod(k);
    keys.push(k);
  }
  // The four reads are independent: sent at once (on a pool, on separate connections; in a
  // transaction, pipelined on its one connection), so the server works while rows are parsed here.
  // The two big ones are streamed: each row becomes its engine object as it arrives (eachTuple).
  const members: EngineMember[] = [];
  const orders: EngineOrder[] = [];
  const kitSkus = new Set<string>();
  const lastInstant = period.endsAt.getTime() - 1;
  const [, histRows, , camp] = await Promise.all([
    eachTuple<[string, string | null, string, number, number, boolean, number, string]>(
      c.unsafe(
        `
    select m.id::text, m.sponsor_id::text, m.country, (extract(epoch from m.enrolled_at) * 1000)::float8 as enrolled,
      coalesce(rh.old_rank, m.career_rank)::int as career, coalesce(p.car_down_payment_paid, false) as car,
      coalesce(p.loyalty_points, 0)::int as loyalty, coalesce(p.travel_points, 0)::text as travel
    from members m
    left join rank_history rh on rh.member_id = m.id and rh.period_id = $1 and rh.kind = 'career'
    left join member_programs p on p.member_id = m.id
    where m.enrolled_at < $2::timestamptz
    order by m.id`,
        [period.id, period.endsAt.toISOString()],
      ),
      (r) => {
        members.push({
          id: r[0],
          sponsorId: r[1],
          sponsorIndex: -1,
          country: r[2].trim() as Country,
          enrolledAt: r[3],
          careerRank: r[4],
          carDownPaymentPaid: r[5],
          loyaltyPoints: r[6],
          travelPoints: r[7] === '0' ? '0' : new Decimal(r[7]).toFixed(),
        });
      },
    ),
    tuples<[string, string, string, number]>(
      c.unsafe(
        `
    select v.member_id::text, p.key, v.pv::text, v.paid_as_rank::int from member_volumes v join periods p on p.id = v.period_id
    where p.key = any($1::text[]) and v.paid_as_rank > 0`,
        [keys],
      ),
    ),
    eachTuple<[string, string, string, string, string, string, number, string | null]>(
      c.unsafe(
        `
    select o.id::text, o.member_id::text, o.pv::text, o.vn::text, o.kit_pv::text, o.currency,
      (extract(epoch from greatest(o.payment_confirmed_at, $2::timestamptz)) * 1000)::float8 as paid,
      case when o.kit_pv > 0 then (select string_agg(p.sku || '*' || ol.quantity, ',') from order_lines ol join products p on p.id = ol.product_id where ol.order_id = o.id and p.kind = 'kit') end as kits
    from orders o where o.period_id = $1 and o.status = 'paid' order by o.id`,
        [period.id, period.startsAt.toISOString()],
      ),
      (r) => {
        const currency = r[5].trim() as Currency;
        const paidAt = Math.min(r[6], lastInstant);
        // Most orders carry no kit: a zero kit PV ('0.00', as numeric prints it) is not parsed.
        const kitPv = /^0(\.0+)?$/.test(r[4]) ? null : new Decimal(r[4]);
        if (kitPv?.gt(0)) {
          const productPv = new Decimal(r[2]).minus(kitPv);
          const mixed = productPv.gt(0) || new Decimal(r[3]).gt(0);
          // A kit order without a kit line (data entered by hand): the plan's kit of that PV, else the
          // PV counts for volumes and ranks but pays no Rápido.
          // Every kit of the order pays Rápido: one (composite) SKU for all its kit lines (kits.ts).
          const sku = kitSkuOf(r[7]) ?? plan.kits.find((k) => new Decimal(k.pv).eq(kitPv))?.sku ?? null;
          if (sku) kitSkus.add(sku);
          orders.push({
            id: mixed ? `${r[0]}${KIT_PART}` : r[0],
            member: r[1],
            memberIndex: -1,
            kind: sku ? 'kit' : 'product',
            sku,
            pv: kitPv.toFixed(),
            vn: '0',
            currency,
            paidAt,
          });
          if (mixed) orders.push({ id: r[0], member: r[1], memberIndex: -1, kind: 'product', sku: null, pv: productPv.toFixed(), vn: r[3], currency, paidAt });
        } else {
          orders.push({ id: r[0], member: r[1], memberIndex: -1, kind: 'product', sku: null, pv: r[2], vn: r[3], currency, paidAt });
        }
      },
    ),
    // NN Travels (travel.ts): this period's multiplier (campaign × promotion), the campaign's cap.
    campaignInForce(db, period.key),
  ]);

  // The engine's position hints (checked there; -1 = none): a member's id → its position, so that the
  // engine skips a hash lookup per sponsor and per order (about 0.5 s a run at 1M members).
  const at = positionsOfIds(members);
  if (at) {
    for (const m of members) if (m.sponsorId !== null) (m as { sponsorIndex: number }).sponsorIndex = at(m.sponsorId);
    for (const o of orders) (o as { memberIndex: number }).memberIndex = at(o.member);
  }
  const history: EngineHistoryRow[] = [];
  for (const r of histRows) history.push({ member: r[0], memberIndex: at ? at(r[0]) : -1, period: r[1], pv: r[2], paidAsRank: r[3] });

  // At the campaign's first period the carried travel points start at 0 (the close resets member_programs first).
  if (camp?.starts) for (let i = 0; i < members.length; i++) members[i] = { ...members[i]!, travelPoints: '0' };
  const input: EngineInput = {
    period: period.key,
    plan: planWithKits(camp ? { ...plan, travel: { ...plan.travel, targetPoints: camp.target } } : plan, kitSkus),
    rates,
    members,
    history,
    orders,
    travelCampaign: camp ? { from: camp.from, to: camp.to, multiplier: camp.multiplier } : null,
  };
  return { input, campaignId: camp?.id ?? null, campaignTarget: camp?.target ?? null, ms: performance.now() - t0 };
}

/** The id suffix of the kit half of an order that also carries products (loadPeriod splits it in two). */
export const KIT_PART = '~k';

/**
 * id → position in `members` for numeric ids (bigint serials, as the members table has them) when
 * they are dense enough for an array indexed by id (at most 4 slots a member); null otherwise.
 * An unknown id gives -1.
 */
export function positionsOfIds(members: readonly Pick<EngineMember, 'id'>[]): ((id: string) => number) | null {
  const at = densePositions(Float64Array.from(members, (m) => Number(m.id)));
  return at && ((id) => at(Number(id)));
}

/** Runs the engine, turning its typed input errors into AppErrors. */
export function runEngine(input: EngineInput): PeriodResult {
  try {
    return runPeriodEngine(input);
  } catch (e) {
    if (e instanceof EngineInputError)
      throw new AppError('VALIDATION', `Datos del periodo inválidos para el cálculo de comisiones: ${e.message}`, { code: e.code, ...e.details });
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
      if (v) {
        byType[t]![c] = fmt(v);
        curCents[ci]! += v;
      }
    });
  });
  CURRENCIES.forEach((c, ci) => {
    if (curCents[ci]) byCurrency[c] = fmt(curCents[ci]!);
  });
  const byCountry: Totals['byCountry'] = {};
  const countryCents = new Map<string, number>();
  let beneficiaries = 0;
  const top: { i: number; mxn: number }[] = [];
  for (let i = 0; i < members.length; i++) {
    if (!perMember[i]) continue;
    beneficiaries++;
    const country = members[i]!.country;
    const e = byCountry[country] ?? { currency: CURRENCY_OF_COUNTRY[country], amount: '0', beneficiaries: 0 };
    e.beneficiaries++;
    byCountry[country] = e;
    countryCents.set(country, (countryCents.get(country) ?? 0) + perMember[i]!);
    // topN 0 (the simulation's two sides): no list of every beneficiary to build and sort.
    if (topN > 0) top.push({ i, mxn: perMember[i]! * (rateN[CURRENCY_OF_COUNTRY[country]] ?? 1) });
  }
  for (const [country, e] of Object.entries(byCountry)) e.amount = fmt(countryCents.get(country) ?? 0);
  top.sort((a, b) => b.mxn - a.mxn);
  return {
    byType,
    byCurrency,
    byCountry,
    lines: L.length,
    beneficiaries,
    top: top
      .slice(0, topN)
      .map((t) => ({ member: Number(members[t.i]!.id), currency: CURRENCY_OF_COUNTRY[members[t.i]!.country], amount: fmt(perMember[t.i]!) })),
  };
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

/** Stable counting sort of line indices by a small non-negative integer key (0 ≤ key < range). */
function stableSortBy(idx: Int32Array, key: ArrayLike<number>, range: number): Int32Array {
  const count = new Int32Array(range + 1);
  for (let j = 0; j < idx.length; j++) count[key[idx[j]!]! + 1]!++;
  for (let k = 0; k < range; k++) count[k + 1]! += count[k]!;
  const out = new Int32Array(idx.length);
  for (let j = 0; j < idx.length; j++) out[count[key[idx[j]!]!]!++] = idx[j]!;
  return out;
}

/** Rank of each order by its numeric id (they are loaded in id order: usually the identity). */
function orderRanks(orders: readonly EngineOrder[]): Int32Array {
  const ids = new Float64Array(orders.length);
  let sorted = true;
  for (let j = 0; j < orders.length; j++) {
    const id = orders[j]!.id;
    ids[j] = Number(id.endsWith('~k') ? id.slice(0, -2) : id);
    if (j > 0 && ids[j]! < ids[j - 1]!) sorted = false;
  }
  const rank = new Int32Array(orders.length);
  if (sorted) {
    for (let j = 0; j < orders.length; j++) rank[j] = j;
    return rank;
  }
  const byId = Array.from(rank.keys()).sort((a, b) => ids[a]! - ids[b]!);
  byId.forEach((j, r) => {
    rank[j] = r;
  });
  return rank;
}

/** Key of an instant line (Directo / Rápido) by what it pays for: type code, order id, level. */
const instantKey = (type: number, orderId: number, level: number) => orderId * 8 + type * 4 + level;

/** What the close writes of an engine result: which lines, in which order, what each member is paid. */
export interface PlannedLines {
  /** Indices of the lines to write, in the natural key's order. */
  order: Int32Array;
  /** Cents paid per member (index of input.members): the sum of its lines written. */
  perMember: Float64Array;
  lines: number;
  inserted: number;
  alreadyPosted: number;
  instantMismatches: number;
  /** Instant (Directo / Rápido) lines of the period already in commission_lines when planned. */
  instantLines: number;
  ms: number;
}

/** A period's instant lines (Directo, Rápido: written at payment confirmation), $1 = the period id. */
const INSTANT_LINES = `commission_lines where period_id = $1 and kind = 'line' and type in ('directo', 'rapido')`;

/** The instant lines of a period already written: how many. */
export async function countInstantLines(db: DbOrTx, periodId: number): Promise<number> {
  const [r] = await clientOf(db).unsafe<{ n: number }[]>(`select count(*)::int as n from ${INSTANT_LINES}`, [periodId]);
  return r?.n ?? 0;
}

/**
 * Which lines of the result the close writes, and in which order. Directo and Rápido were paid at
 * payment confirmation: a line of the engine whose (type, order, level) already has an instant
 * line is not written again — whoever it went to, even if a genealogy correction has since moved
 * the order's upline — and a different amount is counted in `instantMismatches`. Only the lines
 * written are paid.
 *
 * Order: the natural key's — beneficiary, type, source, level — so the partition's unique index is
 * built from presorted rows (and a member's lines sit together): stable counting sorts, least
 * significant key first. Members are in id order; a source ranks by its order id (or its member
 * index, for the types paid on a member: type separates the two). A beneficiary has one line per
 * (type, source) but for Alcance (one per rank reached), which the engine writes in level order
 * and the stable sorts keep.
 */
export async function planLines(db: DbOrTx, period: PeriodRow, loaded: LoadedPeriod, result: PeriodResult): Promise<PlannedLines> {
  const t0 = performance.now();
  const L = result.lines;
  const { members, orders } = loaded.input;
  const posted = new Map<number, number>();
  const existing = await tuples<[number, number, number, number]>(
    clientOf(db).unsafe(`select (type = 'rapido')::int, source_id::float8, level, (amount * 100)::float8 from ${INSTANT_LINES}`, [period.id]),
  );
  const instantLines = existing.length;
  for (const r of existing) posted.set(instantKey(r[0], r[1], r[2]), r[3]);
  existing.length = 0;

  const write = new Uint8Array(L.length);
  let selected = 0;
  let alreadyPosted = 0;
  let instantMismatches = 0;
  for (let i = 0; i < L.length; i++) {
    const type = L.type[i]!;
    if (type <= 1) {
      const id = orders[L.source[i]!]!.id;
      const cents = posted.get(instantKey(type, Number(id.endsWith('~k') ? id.slice(0, -2) : id), L.level[i]!));
      if (cents !== undefined) {
        alreadyPosted++;
        if (cents !== L.amountCents[i]) instantMismatches++;
        continue;
      }
    }
    write[i] = 1;
    selected++;
  }
  posted.clear();
  let order: Int32Array = new Int32Array(selected);
  for (let i = 0, j = 0; i < L.length; i++) if (write[i]) order[j++] = i;
  const srcRank = orderRanks(orders);
  const ranks = Math.max(orders.length, members.length);
  const typeSource = new Int32Array(L.length);
  for (let i = 0; i < L.length; i++) typeSource[i] = L.type[i]! * ranks + (L.type[i]! <= 2 ? srcRank[L.source[i]!]! : L.source[i]!);
  order = stableSortBy(order, typeSource, LINE_TYPE_BY_CODE.length * ranks);
  order = stableSortBy(order, L.beneficiary, members.length);
  const perMember = new Float64Array(members.length);
  for (let j = 0; j < order.length; j++) perMember[L.beneficiary[order[j]!]!]! += L.amountCents[order[j]!]!;
  return { order, perMember, lines: L.length, inserted: order.length, alreadyPosted, instantMismatches, instantLines, ms: performance.now() - t0 };
}

/** The period's close partition of commission_lines, and the table it is loaded into ahead of the close. */
export const closePartition = (periodId: number) => `commission_lines_p${periodId}_1`;
export const stagedPartition = (periodId: number) => `commission_lines_p${periodId}_1_load`;

/**
 * Creates `table` like commission_lines, loads the planned lines into it by COPY (without
 * indexes), then builds its indexes once — sorted builds, the natural key's from presorted rows —
 * instead of maintaining four B-trees row by row. Inside `db`'s transaction. Answers the rows loaded.
 */
export async function loadLinesTable(
  db: DbOrTx,
  table: string,
  period: PeriodRow,
  loaded: LoadedPeriod,
  result: PeriodResult,
  planned: PlannedLines,
  now: Date,
  /**
   * COPY … FREEZE: the rows are written frozen and their pages all-visible, so that neither the
   * first readers after the commit (hint bits) nor autovacuum rewrite 5 million fresh rows. Only
   * where `db`'s transaction created the table and holds no other snapshot (the staged load on its
   * own connection; the close's own transaction has exported one for its read-ahead).
   */
  opts: { freeze?: boolean } = {},
): Promise<Awaited<LinesAhead['staged']>> {
  const c = clientOf(db);
  const t0 = performance.now();
  const members = loaded.input.members;
  // Each row ends with its ledger transaction's key (one per currency and block of member ids).
  const ledgerKeyOf = (b: number) => {
    const m = members[b]!;
    return `\tcommission.close:${period.id}:${CURRENCY_OF_COUNTRY[m.country]}:${Math.floor(Number(m.id) / 2 ** BLOCK_SHIFT)}`;
  };
  await c.unsafe(`create table ${table} (like commission_lines including defaults including constraints)`);
  // The partition's bounds as a constraint before the load (checked row by row, cheaply): ATTACH
  // then needs no scan to prove them.
  await c.unsafe(`alter table ${table} add constraint ${table}_bounds check (period_id = ${period.id} and phase = 1)`);
  // What every line of the close shares comes from column defaults: less text to build and parse.
  await c.unsafe(`alter table ${table} alter column phase set default 1, alter column period_id set default ${period.id},
    alter column kind set default 'line', alter column status set default 'posted', alter column created_at set default '${now.toISOString()}'`);
  await copyIn(
    c,
    `copy ${table} (${LINE_COPY_COLUMNS}, ledger_key) from stdin${opts.freeze ? ' (freeze)' : ''}`,
    result.lines.copyChunks(planned.order, ledgerKeyOf),
  );
  await c.unsafe(`alter table ${table} alter column period_id drop default, alter column created_at set default now()`);
  const t1 = performance.now();
  // Sorts of millions of index entries in memory: the server's default (64 MB) would spill them.
  await c.unsafe(`select set_config('maintenance_work_mem', '512MB', true) where pg_size_bytes(current_setting('maintenance_work_mem')) < 512 * 1024 * 1024`);
  await c.unsafe(`create unique index on ${table} (beneficiary_id, period_id, phase, type, kind, source_id, level)`);
  await c.unsafe(`create index on ${table} (source_id) where source_kind = 'order'`);
  await c.unsafe(`create unique index on ${table} (reverses_line_id, period_id, phase) where reverses_line_id is not null`);
  await c.unsafe(`alter table ${table} add primary key (id, period_id, phase)`);
  return { rows: planned.order.length, ms: { lines: Math.round(t1 - t0), indexes: Math.round(performance.now() - t1) } };
}

/**
 * Makes a loaded table the period's close partition, inside the close's transaction (SHARE UPDATE
 * EXCLUSIVE on commission_lines: readers and the next period's instant lines go on). Refuses a
 * table that does not hold exactly the planned rows.
 */
export async function attachLines(tx: DbOrTx, period: PeriodRow, table: string, rows: number): Promise<void> {
  const c = clientOf(tx);
  const part = closePartition(period.id);
  // Its index builds counted its rows (pg_class.reltuples: exact for a table just loaded, with no
  // dead rows): no second scan of millions of rows to check them.
  const [n] = await c.unsafe<{ n: string }[]>(`select reltuples::bigint::text as n from pg_class where oid = $1::regclass`, [table]);
  const counted = Math.max(0, Number(n?.n)); // -1: an empty table never counted
  if (counted !== rows) throw new Error(`close of ${period.key}: ${table} holds ${counted} lines, ${rows} expected`);
  if (table !== part) await c.unsafe(`alter table ${table} rename to ${part}`);
  await c.unsafe(`alter table commission_lines attach partition ${part} for values from (${period.id}, 1) to (${period.id}, 2)`);
}

/** Drops the table a failed or killed close loaded ahead and never attached (an attached partition has another name). */
export async function dropStagedLines(db: DbOrTx, periodId: number): Promise<void> {
  await clientOf(db).unsafe(`drop table if exists ${stagedPartition(periodId)}`);
}

/**
 * Pays the planned lines: one ledger transaction per (currency, block of 2^16 member ids),
 * set-based (postWalletCredits), keyed like the lines' ledger_key. Inside the close's transaction.
 */
export async function payPlanned(tx: DbOrTx, period: PeriodRow, loaded: LoadedPeriod, planned: PlannedLines, now: Date) {
  const c = clientOf(tx);
  const { members } = loaded.input;
  const { perMember } = planned;
  await c.unsafe('create temp table cl_pay (currency char(3), member_id bigint, amount numeric) on commit drop');
  function* payChunks(): Generator<string> {
    let out = '';
    for (let m = 0; m < members.length; m++) {
      const cents = perMember[m]!;
      if (cents === 0) continue;
      out += `${CURRENCY_OF_COUNTRY[members[m]!.country]}\t${members[m]!.id}\t${formatCents(cents)}\n`;
      if (out.length > 1 << 20) {
        yield out;
        out = '';
      }
    }
    if (out) yield out;
  }
  await copyIn(c, 'copy cl_pay from stdin', payChunks());
  const pay = await postWalletCredits(tx, {
    source: 'cl_pay',
    keyPrefix: `commission.close:${period.id}`,
    kind: 'commission',
    company: 'commission_expense',
    periodId: period.id,
    at: now,
    reference: { period: period.key, close: true },
    blockShift: BLOCK_SHIFT,
  });
  await c.unsafe('drop table cl_pay');
  return pay;
}

/** Lines planned, and their table being loaded on another connection (step.ts: read ahead). */
export interface LinesAhead {
  planned: PlannedLines;
  staged: Promise<{ rows: number; ms: { lines: number; indexes: number } }>;
}

/**
 * Writes a close's result inside `tx` (the close's one transaction: a crash leaves nothing): wallet
 * postings and programme state, then the lines' table attached as the period's close partition.
 * The lines are planned and loaded here, on `tx`, unless the close read them ahead (`ahead`: the
 * table loads on another connection while the wallets are paid). The natural key stays the guard:
 * a line written twice would fail the whole close, never pay twice.
 */
export async function writeClose(
  tx: DbOrTx,
  period: PeriodRow,
  loaded: LoadedPeriod,
  result: PeriodResult,
  now: Date,
  progress: (f: number) => Promise<void> = async () => {},
  ahead?: LinesAhead,
): Promise<WriteResult> {
  const { ms, lap } = stageTimes();
  const planned = ahead?.planned ?? (await planLines(tx, period, loaded, result));
  lap('prepare');
  if (ahead) ms.prepare = Math.round(planned.ms); // planned on the read-ahead: its own time
  const pay = await payPlanned(tx, period, loaded, planned, now);
  lap('ledger');
  await progress(0.4);
  const programs = await writePrograms(tx, period, loaded, result, now);
  lap('programs');
  await progress(0.6);
  const table = ahead ? stagedPartition(period.id) : closePartition(period.id);
  const lines = await (ahead?.staged ?? loadLinesTable(tx, table, period, loaded, result, planned, now));
  lap(ahead ? 'waitedLines' : 'lines+indexes');
  await attachLines(tx, period, table, planned.inserted);
  lap('attach');
  Object.assign(ms, lines.ms);
  await progress(1);
  return {
    lines: planned.lines,
    inserted: planned.inserted,
    alreadyPosted: planned.alreadyPosted,
    instantMismatches: planned.instantMismatches,
    postings: pay.transactions,
    paid: pay.totals,
    programs,
    ms,
  };
}

/** Programme state after the period: member_programs (changed rows only), cashback, gifts, travel points. */
export async function writePrograms(tx: DbOrTx, period: PeriodRow, loaded: LoadedPeriod, result: PeriodResult, now: Date) {
  const c = clientOf(tx);
  const P = result.programs;
  const members = loaded.input.members;
  await c.unsafe(
    `create temp table mp_stage (member_id bigint, car boolean, loyalty int, travel numeric, cashback boolean, gift boolean, changed boolean, travel_changed boolean) on commit drop`,
  );
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
      if (out.length > 1 << 20) {
        yield out;
        out = '';
      }
    }
    if (out) yield out;
  }
  await copyIn(c, 'copy mp_stage from stdin', chunks());
  const iso = now.toISOString();
  const [r] = await c.unsafe<{ changed: number; cashback: number; gifts: number }[]>(
    `
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
    [period.id, iso, period.endsAt.toISOString(), loaded.input.plan.cashback.discount],
  );
  let travel = 0;
  if (loaded.campaignId != null) {
    const t = await c.unsafe(
      `insert into travel_points (campaign_id, member_id, period_id, points)
      select $1, member_id, $2, travel from mp_stage where travel > 0 on conflict do nothing`,
      [loaded.campaignId, period.id],
    );
    travel = t.count;
  }
  return { cashback: r?.cashback ?? 0, gifts: r?.gifts ?? 0, travel, changed: r?.changed ?? 0 };
}

/** The period bounds helper re-exported for callers that only know a key. */
export { periodBounds };
