/**
 * Deterministic demo-network generator.
 *
 * `seedDemoNetwork` fills an empty database with a realistic NNProtect network: a product catalogue
 * (the plan's three kits and a dozen products with per-country prices), K consecutive periods
 * ending with the one containing `now` (earlier ones closed, the current one open), members in a
 * skewed sponsor tree (downline_size filled; path and depth in member_paths, written in path
 * order) and their orders with order lines.
 *
 * The same (members, periods, seed, now) always produces the same rows: every random draw comes
 * from a seeded xoshiro128** stream (never Math.random), and every timestamp is derived from `now`.
 *
 * Speed: everything is computed in memory (parents always before children, typed arrays), then
 * streamed to PostgreSQL with COPY (text format, rows written straight into Buffers); ids are
 * explicit and the identity sequences are moved past them at the end. When the role may,
 * foreign-key triggers are skipped for the load (`session_replication_role = replica`; triggers
 * declared ENABLE ALWAYS still fire): the rows are consistent by construction and the tests check
 * it. Two ways to load, same rows:
 * - three connections at once (superuser role, pool of 3 or more): members, orders and order lines
 *   each in its own transaction, so PostgreSQL works on several cores; a failure aborts all three
 *   and rolls them back, success commits them one after the other;
 * - one transaction otherwise (or `parallel: false`): with every target table empty they are
 *   truncated first in that transaction, for COPY FREEZE and, on a server with wal_level = minimal,
 *   no WAL.
 * Either way the empty tables load with their primary keys only: their other indexes (the trigram
 * GIN indexes of member lookup, the Stripe id, ...) are dropped inside the loading transaction and
 * built again, by sorting, once the rows are in (main/db/deferred-indexes.ts), and each table is
 * analysed before the commit.
 *
 * Money and points are handled as integer hundredths (cents), which JavaScript numbers hold exactly
 * far beyond any amount generated here, and are written as decimal strings.
 */
import type postgres from 'postgres';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { periodBounds, periodOf, previousPeriod } from '../../domain/period';
import { PLAN_V1 } from '../../domain/plan';
import { referenceEdgesSql } from '../../db/references';
import { abortCopies, copyIn, openCopy, type OpenCopies } from '../../db/copy';
import { deferIndexesOfEmptyTable } from '../../db/deferred-indexes';

export interface SeedOptions {
  members: number;
  periods: number;
  seed: number;
  /** The instant the network is generated "at"; default new Date(). Nothing is generated after it. */
  now?: Date;
  log?: (msg: string) => void;
  /**
   * 'current' (default: bench, tests): the earlier periods are written closed (rows only, no close
   * run) and the current month is open. 'history' (the demo of a first run): only the first period
   * is written (open); every later period's paid orders wait for it (period_id null), and the
   * earlier periods must then be closed by the real close, one after the other, until last month is
   * the open period (main/app/index.ts closeSeededHistory): commission lines, wallets, ranks and
   * loyalty are then true, and the open period is one that can be closed (it has ended). Career
   * ranks are estimated only from before the seeded window: the real closes raise them.
   */
  periodsAs?: 'current' | 'history';
  /**
   * Load members, orders and order lines over three connections at once (default: when the role
   * is a superuser and the pool has at least 3 connections); false: one transaction.
   */
  parallel?: boolean;
}

export interface SeedResult {
  members: number;
  orders: number;
  periods: string[];
  ms: number;
}

export class SeedRefusedError extends Error {
  override readonly name = 'SeedRefusedError';
}

// ---------------------------------------------------------------------------------------------
// Seeded PRNG: xoshiro128** initialised through splitmix32 from (seed, stream name).

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number, stream: string) {
    let s = (Math.trunc(seed) ^ fnv1a(stream)) >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const b = this.b;
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    const t = b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Index into a list sorted by frequency, skewed towards the front (a Zipf-like draw). */
  skewed(n: number, power = 1.7): number {
    return Math.floor(n * Math.pow(this.float(), power));
  }

  /** `count` decimal digits, zero-padded. */
  digits(count: number): string {
    let s = '';
    while (s.length < count) s += String(this.u32() % 10000).padStart(4, '0');
    return s.slice(0, count);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Weighted choice over a fixed table: pass cumulative weights summing to 1. */
function cumulative(weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const out = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w / total;
    out[i] = acc;
  });
  out[weights.length - 1] = 1;
  return out;
}

function choose(cum: Float64Array, u: number): number {
  for (let i = 0; i < cum.length; i++) if (u < (cum[i] as number)) return i;
  return cum.length - 1;
}

// ---------------------------------------------------------------------------------------------
// Reference data of the demo: countries, catalogue, people.

const COUNTRY_CODES = ['MX', 'US', 'CO', 'DO'] as const;
type CountryCode = (typeof COUNTRY_CODES)[number];
const CURRENCY: Record<CountryCode, string> = { MX: 'MXN', US: 'USD', CO: 'COP', DO: 'DOP' };
/** Where new members live when they do not follow their sponsor's country. */
const COUNTRY_WEIGHTS = cumulative([0.7, 0.12, 0.11, 0.07]);
/** Share of recruits living in their sponsor's country. */
const SAME_COUNTRY_AS_SPONSOR = 0.75;
/** Tax included in the public price (VN is the price without it); US prices exclude sales tax. */
const TAX_PERCENT: Record<CountryCode, number> = { MX: 16, US: 0, CO: 19, DO: 18 };

/**
 * The plan gives kit prices in MXN, USD and COP only; the demo sells kits in the Dominican
 * Republic at the MXN price converted at the plan's initial rate (DOP 1 = MXN 0.31), rounded to DOP 10.
 */
const DEMO_DOP_KIT_PRICES: Record<string, string> = {
  'FULL-SUPPLEMENT': '6440',
  'FULL-SKIN': '8370',
  'FULL-PROTECT': '18680',
};
interface ProductSpec {
  sku: string;
  name: string;
  pv: string;
  /** Public price per country (MX, US, CO, DO). */
  prices: [string, string, string, string];
  /** Relative popularity in product orders. */
  weight: number;
}

const PRODUCTS: readonly ProductSpec[] = [
  { sku: 'SUP-OMEGA3', name: 'Omega 3 Ultra, 60 cápsulas', pv: '293', prices: ['349', '20.99', '83900', '1129'], weight: 16 },
  { sku: 'SUP-COLAGENO', name: 'Colágeno hidrolizado con vitamina C, 300 g', pv: '390', prices: ['459', '26.99', '109900', '1489'], weight: 14 },
  { sku: 'SUP-MULTIVIT', name: 'Multivitamínico Protect diario, 90 tabletas', pv: '240', prices: ['289', '16.99', '69900', '939'], weight: 12 },
  { sku: 'SUP-PROBIOTICO', name: 'Probiótico Flora Balance, 30 cápsulas', pv: '310', prices: ['389', '22.99', '93900', '1259'], weight: 8 },
  { sku: 'SUP-MAGNESIO', name: 'Citrato de magnesio + zinc, 120 cápsulas', pv: '180', prices: ['229', '13.99', '54900', '739'], weight: 7 },
  { sku: 'SUP-TE-DETOX', name: 'Té detox herbal, 30 sobres', pv: '150', prices: ['199', '11.99', '47900', '649'], weight: 6 },
  { sku: 'SUP-PROTEINA', name: 'Proteína vegetal sabor chocolate, 900 g', pv: '420', prices: ['529', '30.99', '126900', '1719'], weight: 7 },
  { sku: 'SKIN-SUERO-HA', name: 'Suero facial de ácido hialurónico, 30 ml', pv: '350', prices: ['449', '25.99', '107900', '1459'], weight: 9 },
  { sku: 'SKIN-CREMA-DIA', name: 'Crema hidratante de día FPS 30, 50 ml', pv: '280', prices: ['359', '20.99', '85900', '1169'], weight: 7 },
  { sku: 'SKIN-CREMA-NOCHE', name: 'Crema reparadora de noche con retinol, 50 ml', pv: '300', prices: ['389', '22.99', '93900', '1259'], weight: 6 },
  { sku: 'SKIN-CONTORNO', name: 'Contorno de ojos con péptidos, 15 ml', pv: '260', prices: ['329', '18.99', '78900', '1069'], weight: 4 },
  { sku: 'SKIN-PROTECTOR', name: 'Protector solar facial FPS 50+, 60 ml', pv: '220', prices: ['299', '17.99', '71900', '969'], weight: 4 },
];

/** Share of each kit among enrolments, in PLAN_V1.kits order (Supplement, Skin, Protect). */
const KIT_WEIGHTS = [0.55, 0.28, 0.17];

const MALE_NAMES = [
  'José',
  'Juan',
  'Luis',
  'Carlos',
  'Jesús',
  'Miguel',
  'Francisco',
  'Alejandro',
  'José Luis',
  'Jorge',
  'Antonio',
  'Juan Carlos',
  'Pedro',
  'Manuel',
  'Ricardo',
  'Fernando',
  'Roberto',
  'Eduardo',
  'Sergio',
  'Daniel',
  'Javier',
  'Raúl',
  'Óscar',
  'Arturo',
  'Héctor',
  'Martín',
  'Andrés',
  'Ramón',
  'Víctor',
  'Rubén',
  'Adrián',
  'Iván',
  'Julián',
  'Sebastián',
  'Tomás',
  'Emiliano',
  'Santiago',
  'Matías',
  'Joaquín',
  'Germán',
  'Efraín',
  'Nicolás',
  'Luis Ángel',
  'Jesús Alberto',
  'Cuauhtémoc',
  'Ángel',
  'Saúl',
  'Moisés',
  'Isaías',
  'Benjamín',
];
const FEMALE_NAMES = [
  'María',
  'Guadalupe',
  'María Guadalupe',
  'Juana',
  'Margarita',
  'Verónica',
  'Leticia',
  'Rosa',
  'Patricia',
  'Alejandra',
  'Gabriela',
  'Adriana',
  'Elizabeth',
  'Claudia',
  'Mónica',
  'Sofía',
  'Valentina',
  'Ximena',
  'Fernanda',
  'María José',
  'Daniela',
  'Andrea',
  'Mariana',
  'Lucía',
  'Araceli',
  'Beatriz',
  'Inés',
  'Noemí',
  'Rocío',
  'Itzel',
  'Citlali',
  'Yesenia',
  'Dolores',
  'Raquel',
  'Ángeles',
  'Belén',
  'Zoé',
  'Renata',
  'Regina',
  'María Fernanda',
  'Ana Sofía',
  'María de los Ángeles',
  'Josefina',
  'Azucena',
  'Xóchitl',
  'Concepción',
  'Mayté',
  'Anahí',
  'Nayeli',
  'Dulce María',
];
const SURNAMES = [
  'Hernández',
  'García',
  'Martínez',
  'López',
  'González',
  'Pérez',
  'Rodríguez',
  'Sánchez',
  'Ramírez',
  'Cruz',
  'Flores',
  'Gómez',
  'Morales',
  'Vázquez',
  'Reyes',
  'Jiménez',
  'Torres',
  'Díaz',
  'Gutiérrez',
  'Ruiz',
  'Mendoza',
  'Aguilar',
  'Ortiz',
  'Moreno',
  'Castillo',
  'Romero',
  'Álvarez',
  'Méndez',
  'Chávez',
  'Rivera',
  'Juárez',
  'Ramos',
  'Domínguez',
  'Herrera',
  'Medina',
  'Castro',
  'Vargas',
  'Guzmán',
  'Velázquez',
  'Muñoz',
  'Rojas',
  'Salazar',
  'Núñez',
  'Ibáñez',
  'Ordóñez',
  'Peña',
  'Zúñiga',
  'Cortés',
  'Ríos',
  'Contreras',
  'Estrada',
  'Luna',
  'Guerrero',
  'Sandoval',
  'Ávila',
  'Solís',
  'Quiñones',
  'Beltrán',
  'Márquez',
  'Espinosa',
  'Fuentes',
  'Cárdenas',
  'Orozco',
  'Villaseñor',
  'de la Cruz',
  'de León',
  'Montaño',
  'Galván',
  'Saldaña',
  'Treviño',
];

function asciiFold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}
const MALE_ASCII = MALE_NAMES.map((n) => asciiFold(n.split(' ')[0] as string));
const FEMALE_ASCII = FEMALE_NAMES.map((n) => asciiFold(n.split(' ')[0] as string));
const SURNAME_ASCII = SURNAMES.map(asciiFold);

const EMAIL_DOMAINS: Record<CountryCode, readonly string[]> = {
  MX: ['gmail.com', 'gmail.com', 'gmail.com', 'hotmail.com', 'hotmail.com', 'outlook.com', 'yahoo.com.mx', 'live.com.mx', 'icloud.com', 'prodigy.net.mx'],
  US: ['gmail.com', 'gmail.com', 'gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'aol.com'],
  CO: ['gmail.com', 'gmail.com', 'gmail.com', 'hotmail.com', 'hotmail.com', 'outlook.com', 'yahoo.es', 'une.net.co'],
  DO: ['gmail.com', 'gmail.com', 'gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.com', 'claro.net.do'],
};

const MX_AREA_2 = ['55', '55', '55', '33', '33', '81', '81'];
const MX_AREA_3 = ['222', '442', '477', '614', '664', '686', '722', '744', '998', '999', '961', '871', '656', '662', '667', '833', '229', '951', '312', '443'];
const US_AREA = ['213', '312', '415', '512', '602', '713', '915', '956', '210', '469', '626', '818', '909', '305', '702', '773', '214', '323'];
const DO_AREA = ['809', '829', '849'];

/** A phone number as a member would type it, in one of the formats common in its country. */
function phoneFor(country: CountryCode, rng: Rng): string {
  const f = rng.float();
  switch (country) {
    case 'MX': {
      const short = rng.float() < 0.55;
      const area = short ? rng.pick(MX_AREA_2) : rng.pick(MX_AREA_3);
      const rest = rng.digits(10 - area.length);
      // Split the local part as people write it: 4+4 after a 2-digit area code, 3+4 after a 3-digit one.
      const a = short ? rest.slice(0, 4) : rest.slice(0, 3);
      const b = short ? rest.slice(4) : rest.slice(3);
      if (f < 0.3) return `+52 ${area} ${a} ${b}`;
      if (f < 0.5) return `${area} ${a} ${b}`;
      if (f < 0.65) return `(${area}) ${a}-${b}`;
      if (f < 0.85) return `${area}${a}${b}`;
      if (f < 0.95) return `${area}-${a}-${b}`;
      return `+52 1 ${area} ${a} ${b}`;
    }
    case 'US': {
      const area = rng.pick(US_AREA);
      const ex = String(rng.range(201, 989));
      const line = rng.digits(4);
      if (f < 0.4) return `(${area}) ${ex}-${line}`;
      if (f < 0.7) return `${area}-${ex}-${line}`;
      if (f < 0.9) return `+1 ${area} ${ex} ${line}`;
      return `${area}.${ex}.${line}`;
    }
    case 'CO': {
      const mobile = String(rng.range(300, 323));
      const rest = rng.digits(7);
      if (f < 0.35) return `+57 ${mobile} ${rest.slice(0, 3)} ${rest.slice(3)}`;
      if (f < 0.65) return `${mobile} ${rest}`;
      if (f < 0.85) return `${mobile}${rest}`;
      return `(+57) ${mobile}-${rest.slice(0, 3)}-${rest.slice(3)}`;
    }
    case 'DO': {
      const area = rng.pick(DO_AREA);
      const ex = String(rng.range(200, 999));
      const line = rng.digits(4);
      if (f < 0.35) return `+1 ${area}-${ex}-${line}`;
      if (f < 0.65) return `(${area}) ${ex}-${line}`;
      if (f < 0.8) return `${area}.${ex}.${line}`;
      return `${area}${ex}${line}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Shape of the network.

/** Recruiting: share of new members joining each hub leader (a few with thousands of recruits). */
const HUB_SHARE = 0.012;
const HUB_WEIGHTS = cumulative([0.45, 0.33, 0.22]);
/** Share joining the tip of an active recruiting chain (friend recruits friend: deep legs). */
const CHAIN_SHARE = 0.04;
const CHAIN_SLOTS = 24;
/** Mean number of members a chain grows by before its momentum moves elsewhere. */
const CHAIN_MEAN_LENGTH = 20;
/** Share choosing a sponsor in proportion to recruits + 1 (preferential attachment: big legs). */
const PREFERENTIAL_SHARE = 0.5;
// The rest pick any existing member uniformly (a random recursive tree: depth ~ e·ln n).

/** The network started this many years before `now` (extended when more periods are asked for). */
const HISTORY_YEARS = 5;
/** Exponential growth rate over the whole history (e^3 ≈ 20× more enrolments per month at the end). */
const GROWTH = 3;

/** Product orders per active member and period: P(0), P(1), ... (mean ≈ 1.65). */
const ORDER_COUNT_WEIGHTS = cumulative([0.22, 0.3, 0.24, 0.13, 0.07, 0.04]);
/** Lines per product order: 1..4. */
const LINE_COUNT_WEIGHTS = cumulative([0.5, 0.3, 0.15, 0.05]);
/** Average PV a member's downline adds per member per period, for the career-rank estimate. */
const ESTIMATED_PV_PER_MEMBER = 450;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------

interface CatalogueRow {
  id: number;
  kind: 'kit' | 'product';
  /** PV in hundredths. */
  pv: number;
  /** Per country index (MX, US, CO, DO): price and VN in cents. */
  price: number[];
  vn: number[];
}

function toHundredths(s: string): number {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw new Error(`not a decimal with at most 2 places: ${s}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

function fromHundredths(n: number): string {
  const whole = Math.floor(n / 100);
  const frac = n - whole * 100;
  return frac < 10 ? `${whole}.0${frac}` : `${whole}.${frac}`;
}

/** Price without the tax it includes, half-up to the cent, in integer arithmetic. */
function exTax(cents: number, taxPercent: number): number {
  const num = cents * 100;
  const den = 100 + taxPercent;
  return Math.floor((2 * num + den) / (2 * den));
}

interface Catalogue {
  kits: CatalogueRow[];
  products: CatalogueRow[];
}

async function upsertCatalogue(tx: Conn): Promise<Catalogue> {
  const specs: Array<{ sku: string; name: string; kind: 'kit' | 'product'; pv: string; prices: string[] }> = [];
  for (const k of PLAN_V1.kits) {
    const prices = k.prices as Partial<Record<string, string>>;
    const dop = prices.DOP ?? DEMO_DOP_KIT_PRICES[k.sku];
    if (!prices.USD || !prices.COP || !dop) throw new Error(`kit ${k.sku} has no price for every country`);
    specs.push({ sku: k.sku, name: `Kit de inicio ${k.name}`, kind: 'kit', pv: k.pv, prices: [k.prices.MXN, prices.USD, prices.COP, dop] });
  }
  for (const p of PRODUCTS) specs.push({ sku: p.sku, name: p.name, kind: 'product', pv: p.pv, prices: [...p.prices] });

  const rows: CatalogueRow[] = [];
  for (const s of specs) {
    const [row] = await tx<{ id: number }[]>`
      insert into products (sku, name, kind, pv) values (${s.sku}, ${s.name}, ${s.kind}, ${s.pv})
      on conflict (sku) do update set name = excluded.name, kind = excluded.kind, pv = excluded.pv, active = true
      returning id`;
    const id = Number(row!.id);
    const price = s.prices.map(toHundredths);
    const vn = COUNTRY_CODES.map((c, i) => (s.kind === 'kit' ? 0 : exTax(price[i] as number, TAX_PERCENT[c])));
    for (let i = 0; i < COUNTRY_CODES.length; i++) {
      await tx`
        insert into product_prices (product_id, country, price, vn)
        values (${id}, ${COUNTRY_CODES[i]!}, ${fromHundredths(price[i]!)}, ${fromHundredths(vn[i]!)})
        on conflict (product_id, country) do update set price = excluded.price, vn = excluded.vn`;
    }
    rows.push({ id, kind: s.kind, pv: toHundredths(s.pv), price, vn });
  }
  return { kits: rows.filter((r) => r.kind === 'kit'), products: rows.filter((r) => r.kind === 'product') };
}

interface SeedPeriod {
  /** null: no period row yet (its paid orders wait for it to open, as confirmOrder leaves them). */
  id: number | null;
  key: string;
  start: number;
  end: number;
}

async function upsertPeriods(tx: Conn, keys: string[], nowMs: number, as: 'current' | 'history'): Promise<SeedPeriod[]> {
  const out: SeedPeriod[] = [];
  if (as === 'history') {
    // Only the first period exists (open); the real close opens each next one and assigns its orders.
    const [first, ...later] = keys as [string, ...string[]];
    const b = periodBounds(first);
    const [row] = await tx<{ id: number }[]>`
      insert into periods (key, starts_at, ends_at, status, opened_at, closed_at)
      values (${first}, ${b.startsAt.toISOString()}, ${b.endsAt.toISOString()}, 'open', ${b.startsAt.toISOString()}, null)
      on conflict (key) do update set starts_at = excluded.starts_at, ends_at = excluded.ends_at, status = 'open', opened_at = excluded.opened_at, closed_at = null
      returning id`;
    out.push({ id: Number(row!.id), key: first, start: b.startsAt.getTime(), end: b.endsAt.getTime() });
    for (const key of later) {
      const lb = periodBounds(key);
      out.push({ id: null, key, start: lb.startsAt.getTime(), end: lb.endsAt.getTime() });
    }
    return out;
  }
  const current = keys[keys.length - 1];
  // Closed ones first, so that an existing open period among them is closed before the current opens.
  for (const key of keys) {
    const b = periodBounds(key);
    const open = key === current;
    const closedAt = open ? null : new Date(Math.min(b.endsAt.getTime() + 2 * DAY + 3 * HOUR, nowMs));
    const [row] = await tx<{ id: number }[]>`
      insert into periods (key, starts_at, ends_at, status, opened_at, closed_at)
      values (${key}, ${b.startsAt.toISOString()}, ${b.endsAt.toISOString()}, ${open ? 'open' : 'closed'}, ${b.startsAt.toISOString()}, ${closedAt?.toISOString() ?? null})
      on conflict (key) do update set starts_at = excluded.starts_at, ends_at = excluded.ends_at,
        status = excluded.status, opened_at = excluded.opened_at, closed_at = excluded.closed_at
      returning id`;
    out.push({ id: Number(row!.id), key, start: b.startsAt.getTime(), end: b.endsAt.getTime() });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** The sponsor tree and member attributes, all in typed arrays indexed by member id (1-based). */
interface Network {
  n: number;
  sponsor: Int32Array;
  depth: Int32Array;
  downline: Int32Array;
  recruits: Int32Array;
  enrolledAt: Float64Array;
  /** Index into COUNTRY_CODES. */
  country: Uint8Array;
  /** 0 active, 1 inactive, 2 suspended. */
  status: Uint8Array;
}

function buildNetwork(n: number, seed: number, historyStart: number, historyEnd: number, windowStart: number): Network {
  const rng = new Rng(seed, 'tree');
  const sponsor = new Int32Array(n + 1);
  const depth = new Int32Array(n + 1);
  const recruits = new Int32Array(n + 1);
  const enrolledAt = new Float64Array(n + 1);
  const country = new Uint8Array(n + 1);
  const status = new Uint8Array(n + 1);
  const statusDraw = new Float32Array(n + 1);
  // Preferential attachment: every member holds one ticket, plus one per recruit.
  const tickets = new Int32Array(2 * n + 1);
  let ticketCount = 0;
  const chains = new Int32Array(CHAIN_SLOTS);
  // Hub leaders: early members who will each recruit thousands in a big network.
  const hubs = [2, 3 + rng.int(4), 8 + rng.int(12)];
  const span = historyEnd - historyStart;
  const growthScale = Math.expm1(GROWTH);
  let lastTime = historyStart - 1000;

  for (let i = 1; i <= n; i++) {
    // Enrolment time on an exponential growth curve, strictly increasing with the id.
    const x = (i - 1 + rng.float()) / n;
    let t = historyStart + Math.floor((span * Math.log1p(growthScale * x)) / GROWTH / 1000) * 1000;
    if (t <= lastTime) t = lastTime + 1000;
    enrolledAt[i] = t;
    lastTime = t;

    if (i === 1) {
      sponsor[i] = 0;
      depth[i] = 0;
      country[i] = 0;
    } else {
      const u = rng.float();
      let s: number;
      if (u < HUB_SHARE && i > (hubs[2] as number)) {
        s = hubs[choose(HUB_WEIGHTS, rng.float())] as number;
      } else if (u < HUB_SHARE + CHAIN_SHARE) {
        const slot = rng.int(CHAIN_SLOTS);
        s = chains[slot] || 1 + rng.int(i - 1);
        // The new member carries the chain on, until its momentum moves to some other member.
        chains[slot] = rng.float() < 1 / CHAIN_MEAN_LENGTH ? 1 + rng.int(i) : i;
      } else if (u < HUB_SHARE + CHAIN_SHARE + PREFERENTIAL_SHARE) {
        s = tickets[rng.int(ticketCount)] as number;
      } else {
        s = 1 + rng.int(i - 1);
      }
      sponsor[i] = s;
      depth[i] = (depth[s] as number) + 1;
      recruits[s] = (recruits[s] as number) + 1;
      tickets[ticketCount++] = s;
      country[i] = rng.float() < SAME_COUNTRY_AS_SPONSOR ? (country[s] as number) : choose(COUNTRY_WEIGHTS, rng.float());
    }
    tickets[ticketCount++] = i;

    statusDraw[i] = rng.float();
  }
  // Long-standing members sometimes dropped out (most often those who never recruited); recent
  // ones and leaders with a team are active.
  for (let i = 1; i <= n; i++) {
    const v = statusDraw[i] as number;
    const r = recruits[i] as number;
    status[i] = (enrolledAt[i] as number) >= windowStart || r >= 10 ? 0 : r > 0 ? (v < 0.003 ? 2 : v < 0.05 ? 1 : 0) : v < 0.006 ? 2 : v < 0.16 ? 1 : 0;
  }
  const downline = new Int32Array(n + 1);
  for (let i = n; i >= 2; i--) {
    const s = sponsor[i] as number;
    downline[s] = (downline[s] as number) + (downline[i] as number) + 1;
  }
  return { n, sponsor, depth, downline, recruits, enrolledAt, country, status };
}

const STATUS_NAMES = ['active', 'inactive', 'suspended'];

/**
 * Rows are written straight into 1 MiB Buffers handed to COPY: no long string ropes kept on the
 * JavaScript heap (they made the garbage collector the bottleneck at a million members).
 */
const CHUNK_BYTES = 1 << 20;

class ChunkWriter {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;

  /** True when `bytes` more bytes would not fit: take() the chunk first. */
  full(bytes: number): boolean {
    return this.pos + bytes > this.buf.length;
  }

  /** Writes a string (UTF-8); the caller made room (3 bytes per UTF-16 unit at most). */
  str(text: string): void {
    this.pos += this.buf.write(text, this.pos);
  }

  copy(src: Buffer, start: number, end: number): void {
    this.pos += src.copy(this.buf, this.pos, start, end);
  }

  get length(): number {
    return this.pos;
  }

  /** The bytes written so far (possibly empty); writing continues in a fresh buffer. */
  take(minBytes = 0): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, minBytes));
    this.pos = 0;
    return out;
  }
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const dayPrefixes = new Map<number, string>();

/** Same text as Date#toISOString() ('2026-11-05T18:04:09.123Z'), without a Date per value. */
function isoUtc(ms: number): string {
  const day = Math.floor(ms / DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY;
  const h = Math.floor(rest / HOUR);
  rest -= h * HOUR;
  const m = Math.floor(rest / MINUTE);
  rest -= m * MINUTE;
  const sec = Math.floor(rest / 1000);
  return `${prefix}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[sec]}.${THREE_DIGITS[rest - sec * 1000]}Z`;
}

/** Text-format COPY rows of the members table, in id order, in Buffers. */
function* memberRows(net: Network, seed: number, currentStart: number): Generator<Buffer> {
  const rng = new Rng(seed, 'people');
  const ranks = PLAN_V1.ranks.map((r) => ({ rank: r.rank, pvg: Number(r.pvg) })).sort((a, b) => a.rank - b.rank);
  const w = new ChunkWriter();
  for (let i = 1; i <= net.n; i++) {
    const s = net.sponsor[i] as number;
    const c = COUNTRY_CODES[net.country[i] as number] as CountryCode;

    const female = rng.float() < 0.56;
    const fi = rng.skewed(female ? FEMALE_NAMES.length : MALE_NAMES.length);
    const first = (female ? FEMALE_NAMES : MALE_NAMES)[fi] as string;
    const firstAscii = (female ? FEMALE_ASCII : MALE_ASCII)[fi] as string;
    const l1 = rng.skewed(SURNAMES.length, 1.5);
    const l2 = rng.skewed(SURNAMES.length, 1.5);
    const singleSurname = c === 'US' ? rng.float() < 0.4 : rng.float() < 0.05;
    const last = singleSurname ? (SURNAMES[l1] as string) : `${SURNAMES[l1]} ${SURNAMES[l2]}`;

    let email = '\\N';
    if (rng.float() >= 0.03) {
      const a1 = SURNAME_ASCII[l1] as string;
      const a2 = SURNAME_ASCII[l2] as string;
      const pattern = rng.int(5);
      const local =
        pattern === 0
          ? `${firstAscii}.${a1}${i}`
          : pattern === 1
            ? `${firstAscii}${a1}${i}`
            : pattern === 2
              ? `${firstAscii.charAt(0)}${a1}${a2.slice(0, 1)}${i}`
              : pattern === 3
                ? `${firstAscii}_${a1}_${i}`
                : `${a1}.${firstAscii}${i}`;
      email = `${local}@${rng.pick(EMAIL_DOMAINS[c])}`;
    }
    let phone = '\\N';
    let phoneDigits = '\\N';
    if (rng.float() >= 0.02) {
      phone = phoneFor(c, rng);
      phoneDigits = phone.replace(/\D/g, '');
    }

    // Career rank: everyone enrolled in a closed period qualified Visionario with its kit; beyond
    // that, an estimate from the size of its downline against the plan's PVG thresholds.
    const enrolled = net.enrolledAt[i] as number;
    let career = 0;
    if (enrolled < currentStart) {
      career = 1;
      const pvg = ((net.downline[i] as number) + 1) * ESTIMATED_PV_PER_MEMBER;
      for (const r of ranks) if (pvg >= r.pvg && r.rank > career) career = r.rank;
    }

    const at = isoUtc(enrolled);
    const head = `${i}\tNN${String(i).padStart(7, '0')}\t${first}\t${last}\t${email}\t${phone}\t${phoneDigits}\t${c}\t${
      STATUS_NAMES[net.status[i] as number]
    }\t${s === 0 ? '\\N' : s}\t`;
    const row = `${head}${at}\t${career}\t${net.downline[i]}\t${at}\n`;
    if (w.full(3 * row.length)) yield w.take(3 * row.length);
    w.str(row);
  }
  if (w.length > 0) yield w.take();
}

/** Number of decimal digits of a positive integer. */
const digitsOf = (v: number) => (v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : String(v).length);
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Ids compared as their decimal text, byte by byte ("12" < "2", "1" < "12"): the order of paths. */
function compareIdText(a: number, b: number): number {
  const la = digitsOf(a);
  const lb = digitsOf(b);
  if (la === lb) return a - b;
  if (la < lb) {
    const x = a * (POW10[lb - la] as number);
    return x === b ? -1 : x - b;
  }
  const y = b * (POW10[la - lb] as number);
  return a === y ? 1 : a - y;
}

/**
 * Text-format COPY rows of member_paths (member_id, path "1/5/42/", depth) in PATH order (COLLATE
 * "C": a parent before its downline, siblings by their id's text), so that a downline — one range
 * of the path index — is also one run of neighbouring heap pages. A depth-first walk of the tree
 * with each member's children sorted by their id's text; the current path is one buffer.
 */
function* memberPathRows(net: Network): Generator<Buffer> {
  const n = net.n;
  // Children lists (CSR): start[s]..start[s + 1] in `kids`, filled in id order, then sorted as text.
  const start = new Int32Array(n + 2);
  for (let i = 1; i <= n; i++) start[i + 1] = (start[i] as number) + (net.recruits[i] as number);
  const fill = start.slice();
  const kids = new Int32Array(Math.max(n - 1, 1));
  for (let i = 2; i <= n; i++) {
    const s = net.sponsor[i] as number;
    const at = fill[s] as number;
    kids[at] = i;
    fill[s] = at + 1;
  }
  for (let s = 1; s <= n; s++) {
    const from = start[s] as number;
    const to = start[s + 1] as number;
    if (to - from > 1) kids.subarray(from, to).sort(compareIdText);
  }
  let maxDepth = 0;
  for (let i = 1; i <= n; i++) if ((net.depth[i] as number) > maxDepth) maxDepth = net.depth[i] as number;
  const path = Buffer.allocUnsafe((maxDepth + 1) * (digitsOf(n) + 1));
  // Pending members with the length of their sponsor's path; roots first, smallest text on top.
  const stack = new Int32Array(n);
  const parentLen = new Int32Array(n);
  let top = 0;
  const roots: number[] = [];
  for (let i = 1; i <= n; i++) if ((net.sponsor[i] as number) === 0) roots.push(i);
  roots.sort(compareIdText);
  for (let r = roots.length - 1; r >= 0; r--) {
    stack[top] = roots[r] as number;
    parentLen[top++] = 0;
  }
  const w = new ChunkWriter();
  while (top > 0) {
    const v = stack[--top] as number;
    const len = (parentLen[top] as number) + path.write(`${v}/`, parentLen[top] as number, 'latin1');
    const head = `${v}\t`;
    const tail = `\t${net.depth[v]}\n`;
    const bytes = head.length + len + tail.length;
    if (w.full(bytes)) yield w.take(bytes);
    w.str(head);
    w.copy(path, 0, len);
    w.str(tail);
    for (let k = (start[v + 1] as number) - 1; k >= (start[v] as number); k--) {
      stack[top] = kids[k] as number;
      parentLen[top++] = len;
    }
  }
  if (w.length > 0) yield w.take();
}

const MEMBER_COLUMNS =
  'id, code, first_name, last_name, email, phone, phone_digits, country, status, sponsor_id, enrolled_at, career_rank, downline_size, created_at';
const PATH_COLUMNS = 'member_id, path, depth';
const ORDER_COLUMNS =
  'id, member_id, country, currency, status, total, pv, vn, kit_pv, created_at, payment_confirmed_at, period_id, payment_method, stripe_payment_intent_id, refunded_at';
const LINE_COLUMNS = 'id, order_id, product_id, quantity, unit_price, pv, vn';

/** Kit purchase of each member at enrolment (chosen once, used by whichever period it falls in). */
interface KitPlan {
  kit: Uint8Array;
  /** A failed card attempt precedes the paid order. */
  failedFirst: Uint8Array;
  createdAt: Float64Array;
  /** NaN: not confirmed yet at `now` (an OXXO voucher still to be paid: pending). */
  confirmedAt: Float64Array;
}

function planKits(net: Network, seed: number, nowMs: number): KitPlan {
  const rng = new Rng(seed, 'kits');
  const kitCum = cumulative(KIT_WEIGHTS);
  const kit = new Uint8Array(net.n + 1);
  const failedFirst = new Uint8Array(net.n + 1);
  const createdAt = new Float64Array(net.n + 1);
  const confirmedAt = new Float64Array(net.n + 1);
  for (let i = 1; i <= net.n; i++) {
    kit[i] = choose(kitCum, rng.float());
    failedFirst[i] = rng.float() < 0.03 ? 1 : 0;
    const enrolled = net.enrolledAt[i] as number;
    const created = enrolled + (failedFirst[i] ? rng.range(3, 12) * MINUTE : rng.range(5, 90) * 1000);
    // Mostly card payments confirmed within minutes; some cash vouchers paid up to two days later.
    const delay = rng.float() < 0.04 ? rng.range(1, 48) * HOUR + rng.int(HOUR) : rng.range(15, 600) * 1000;
    createdAt[i] = Math.min(created, nowMs);
    const confirmed = createdAt[i]! + delay;
    confirmedAt[i] = confirmed <= nowMs ? confirmed : Number.NaN;
  }
  return { kit, failedFirst, createdAt, confirmedAt };
}

interface OrderStats {
  orders: number;
  lines: number;
}

/**
 * Orders of one period, in text-format COPY rows: yields order chunks and collects the line
 * chunks in `lineChunks` (they are copied right after, once the orders exist).
 */
function* periodOrderRows(
  net: Network,
  kits: KitPlan,
  catalogue: Catalogue,
  period: SeedPeriod,
  nowMs: number,
  seed: number,
  ids: { order: number; line: number },
  lineChunks: Buffer[],
  stats: OrderStats,
): Generator<Buffer> {
  const rng = new Rng(seed, `orders:${period.key}`);
  const productCum = cumulative(PRODUCTS.map((p) => p.weight));
  const nProducts = catalogue.products.length;
  const pStart = period.start;
  const pEnd = Math.min(period.end, nowMs);
  const periodId = period.id === null ? '\\N' : String(period.id);
  const orders = new ChunkWriter();
  /** Full order chunks waiting to be yielded (emitOrder runs inside helpers, not the generator). */
  const pending: Buffer[] = [];
  const lines = new ChunkWriter();
  const line = (text: string) => {
    if (lines.full(3 * text.length)) lineChunks.push(lines.take());
    lines.str(text);
    stats.lines++;
  };
  const picked = new Int32Array(4);

  const stripeId = (orderId: number) =>
    `pi_3${orderId.toString(36).padStart(9, '0')}${rng.u32().toString(36).padStart(7, '0')}${rng.u32().toString(36).padStart(7, '0')}`;

  const emitOrder = (
    member: number,
    status: string,
    total: number,
    pv: number,
    vn: number,
    kitPv: number,
    createdAt: number,
    confirmedAt: number,
    method: string,
    refundedAt: number,
    orderId: number,
  ) => {
    const c = COUNTRY_CODES[net.country[member] as number] as CountryCode;
    const paidish = status === 'paid' || status === 'refunded';
    const row = `${orderId}\t${member}\t${c}\t${CURRENCY[c]}\t${status}\t${fromHundredths(total)}\t${fromHundredths(pv)}\t${fromHundredths(
      vn,
    )}\t${fromHundredths(kitPv)}\t${isoUtc(createdAt)}\t${paidish ? isoUtc(confirmedAt) : '\\N'}\t${paidish ? periodId : '\\N'}\t${method}\t${
      method === 'stripe' ? stripeId(orderId) : '\\N'
    }\t${refundedAt > 0 ? isoUtc(refundedAt) : '\\N'}\n`;
    // Rows are ASCII: one byte per character.
    if (orders.full(row.length)) pending.push(orders.take());
    orders.str(row);
    stats.orders++;
  };

  const kitOrder = (member: number, status: string, createdAt: number, confirmedAt: number) => {
    const ci = net.country[member] as number;
    const k = catalogue.kits[kits.kit[member] as number] as CatalogueRow;
    const orderId = ids.order++;
    line(`${ids.line++}\t${orderId}\t${k.id}\t1\t${fromHundredths(k.price[ci] as number)}\t${fromHundredths(k.pv)}\t0.00\n`);
    emitOrder(member, status, k.price[ci] as number, k.pv, 0, k.pv, createdAt, confirmedAt, 'stripe', 0, orderId);
  };

  for (let m = 1; m <= net.n; m++) {
    const enrolled = net.enrolledAt[m] as number;
    if (enrolled >= pEnd) break; // ids follow enrolment time: nobody after this one exists yet

    // The enrolment kit: paid orders in the period of their confirmation, unpaid in that of creation.
    const kc = kits.createdAt[m] as number;
    const kp = kits.confirmedAt[m] as number;
    if (Number.isNaN(kp)) {
      if (kc >= pStart && kc < pEnd) kitOrder(m, 'pending', kc, 0);
    } else if (kp >= pStart && kp < pEnd) {
      if (kits.failedFirst[m]) kitOrder(m, 'failed', enrolled + 10_000, 0);
      kitOrder(m, 'paid', kc, kp);
    }

    // Product orders of active members.
    if (net.status[m] !== 0) continue;
    const from = Math.max(pStart, enrolled + 30 * MINUTE);
    if (from >= pEnd) continue;
    let count = choose(ORDER_COUNT_WEIGHTS, rng.float());
    if (count === 0) continue;
    // Someone who enrolled mid-period orders in proportion to the part of the period left.
    const share = (pEnd - from) / (pEnd - pStart);
    if (share < 1) {
      let kept = 0;
      for (let k = 0; k < count; k++) if (rng.float() < share) kept++;
      count = kept;
    }
    const ci = net.country[m] as number;
    for (let k = 0; k < count; k++) {
      // Confirmation instant: a third of first orders in days 1–7 (Lealtad), the rest uniform.
      const early = k === 0 && rng.float() < 0.33;
      const until = early ? Math.min(pEnd, pStart + 7 * DAY) : pEnd;
      const span = until > from ? until - from : pEnd - from;
      const t = from + Math.floor(rng.float() * span);
      // Card payments confirm within minutes; cash vouchers and transfers take hours or days, so
      // an order confirmed in the first days of a period was sometimes created in the previous one.
      const delay = rng.float() < 0.05 ? rng.range(1, 72) * HOUR + rng.int(HOUR) : rng.range(15, 900) * 1000;
      const created = Math.max(t - delay, enrolled + MINUTE);

      const u = rng.float();
      let status = u < 0.95 ? 'paid' : u < 0.962 ? 'refunded' : u < 0.985 ? 'failed' : u < 0.993 ? 'cancelled' : 'pending';
      let refundedAt = 0;
      if (status === 'refunded') {
        refundedAt = t + rng.range(1, 25) * DAY + rng.int(DAY);
        if (refundedAt > nowMs) {
          status = 'paid';
          refundedAt = 0;
        }
      }
      if (status === 'pending' && nowMs - created > 3 * DAY) status = 'cancelled';
      const v = rng.float();
      const method = status === 'failed' || status === 'pending' ? 'stripe' : v < 0.82 ? 'stripe' : v < 0.96 ? 'wallet' : 'manual';

      const orderId = ids.order++;
      const nLines = Math.min(choose(LINE_COUNT_WEIGHTS, rng.float()) + 1, nProducts);
      let total = 0;
      let pv = 0;
      let vn = 0;
      for (let l = 0; l < nLines; l++) {
        let p: number;
        let again: boolean;
        do {
          p = choose(productCum, rng.float());
          again = false;
          for (let j = 0; j < l; j++) if (picked[j] === p) again = true;
        } while (again);
        picked[l] = p;
        const prod = catalogue.products[p] as CatalogueRow;
        const qv = rng.float();
        const qty = qv < 0.75 ? 1 : qv < 0.93 ? 2 : 3;
        const unit = prod.price[ci] as number;
        const linePv = prod.pv * qty;
        const lineVn = (prod.vn[ci] as number) * qty;
        total += unit * qty;
        pv += linePv;
        vn += lineVn;
        line(`${ids.line++}\t${orderId}\t${prod.id}\t${qty}\t${fromHundredths(unit)}\t${fromHundredths(linePv)}\t${fromHundredths(lineVn)}\n`);
      }
      emitOrder(m, status, total, pv, vn, 0, created, t, method, refundedAt, orderId);
    }

    while (pending.length > 0) yield pending.shift() as Buffer;
  }
  if (orders.length > 0) yield orders.take();
  if (lines.length > 0) lineChunks.push(lines.take());
}

/** Any connection or transaction: the pool, `sql.begin`'s transaction, a reserved connection. */
type Conn = postgres.ISql;

/**
 * When members, orders, order_lines and every table that references them (recursively: foreign keys
 * and the ledger's trigger-enforced references, main/db/references.ts) are empty,
 * truncates them inside the load transaction: COPY may then write frozen rows (no later hint-bit
 * or freeze rewrites), and a server running with wal_level = minimal skips the WAL for the load.
 * The tables are locked before they are checked; if anything holds rows (or the role may not lock
 * them), nothing is truncated.
 */
async function truncateIfAllEmpty(c: Conn, roots: readonly string[]): Promise<boolean> {
  // The roots are this module's own table names, never input.
  const rootList = roots.map((r) => `'${r.replace(/'/g, "''")}'`).join(', ');
  const tables = await c.unsafe<{ name: string }[]>(`
    with recursive refs(table_oid) as (
      select c.oid from pg_class c join pg_namespace ns on ns.oid = c.relnamespace
      where ns.nspname = current_schema() and c.relname in (${rootList})
      union
      select e.conrelid from (${referenceEdgesSql}) e join refs r on e.confrelid = r.table_oid
    )
    select format('%I.%I', ns.nspname, c.relname) as name
    from refs r join pg_class c on c.oid = r.table_oid join pg_namespace ns on ns.oid = c.relnamespace
    order by 1`);
  const list = tables.map((t) => t.name).join(', ');
  await c`savepoint seed_truncate`;
  try {
    await c.unsafe(`lock table ${list} in access exclusive mode`);
    for (const t of tables) {
      const [row] = await c.unsafe<{ x: boolean }[]>(`select exists (select 1 from ${t.name}) as x`);
      if (row?.x) throw new KeepTables();
    }
    await c.unsafe(`truncate ${list}`);
    await c`release savepoint seed_truncate`;
    return true;
  } catch {
    await c`rollback to savepoint seed_truncate`;
    await c`release savepoint seed_truncate`;
    return false;
  }
}

class KeepTables extends Error {}

/** The COPY statement of a table's columns (FREEZE when the table was emptied in this transaction). */
const copyFrom = (table: string, columns: string, freeze: boolean) => `copy ${table} (${columns}) from stdin${freeze ? ' with (freeze)' : ''}`;

/** Writes a chunk, waiting while the stream's buffer is full. */
async function write(w: Writable, chunk: Buffer): Promise<void> {
  if (w.errored) throw w.errored;
  if (!w.write(chunk)) await once(w, 'drain');
}

/** Runs the tasks together; on the first failure aborts the others, waits for them, and rethrows it. */
async function allOrAbort(tasks: Array<Promise<void>>, open: OpenCopies): Promise<void> {
  let failed = false;
  let first: unknown;
  await Promise.all(
    tasks.map((t) =>
      t.catch((e: unknown) => {
        if (failed) return;
        failed = true;
        first = e;
        abortCopies(open, e);
      }),
    ),
  );
  if (failed) throw first;
}

/** Seed periods: K calendar months ending with the one containing `now`, oldest first. */
export function seedPeriodKeys(periods: number, now: Date): string[] {
  const keys: string[] = [periodOf(now)];
  while (keys.length < periods) keys.unshift(previousPeriod(keys[0] as string));
  return keys;
}

/** Serialises two seeds of one database: the second waits, then finds members and refuses. */
const SEED_LOCK = 7261042;

interface Plan {
  n: number;
  seed: number;
  keys: string[];
  nowMs: number;
  currentStart: number;
  periodsAs: 'current' | 'history';
  net: Network;
  kits: KitPlan;
  log: (msg: string) => void;
  lap: (what: string) => void;
}

/** Session settings of a loading transaction; foreign-key triggers off when `replica`. */
async function loadSettings(c: Conn, replica: boolean): Promise<void> {
  await c`set local synchronous_commit = off`;
  // Per-row foreign-key checks would dominate the load; the generated rows reference each other
  // correctly (the tests check it). Triggers declared ENABLE ALWAYS (member lookup) still fire.
  if (replica) await c`set local session_replication_role = replica`;
}

/** Refuses a database with members, then upserts the catalogue and the periods. */
async function prepare(c: Conn, plan: Plan): Promise<{ catalogue: Catalogue; periods: SeedPeriod[] }> {
  await c`select pg_advisory_xact_lock(${SEED_LOCK})`;
  const [existing] = await c<{ x: boolean }[]>`select exists (select 1 from members) as x`;
  if (existing?.x) throw new SeedRefusedError('the database already has members: reset it before seeding');
  const catalogue = await upsertCatalogue(c);
  const periods = await upsertPeriods(c, plan.keys, plan.nowMs, plan.periodsAs);
  return { catalogue, periods };
}

/** Every period's orders in one stream; the order lines go to `lineSink` as they are made. */
async function* allOrderRows(
  plan: Plan,
  catalogue: Catalogue,
  periods: SeedPeriod[],
  ids: { order: number; line: number },
  stats: OrderStats,
  lineSink: (chunk: Buffer) => Promise<void>,
): AsyncGenerator<Buffer> {
  const lineChunks: Buffer[] = [];
  for (const p of periods) {
    const before = { ...stats };
    for (const chunk of periodOrderRows(plan.net, plan.kits, catalogue, p, plan.nowMs, plan.seed, ids, lineChunks, stats)) {
      yield chunk;
      while (lineChunks.length > 0) await lineSink(lineChunks.shift() as Buffer);
    }
    while (lineChunks.length > 0) await lineSink(lineChunks.shift() as Buffer);
    plan.lap(`periodo ${p.key}: ${stats.orders - before.orders} pedidos, ${stats.lines - before.lines} líneas generados`);
  }
}

/**
 * One transaction on one connection: members, then each period's orders and its lines (buffered
 * while the orders stream). With every target table empty they are truncated first in the same
 * transaction, for COPY FREEZE and (wal_level = minimal) no WAL.
 */
async function loadInOneTransaction(sql: postgres.Sql, plan: Plan, replica: boolean, ids: { order: number; line: number }, stats: OrderStats) {
  const open: OpenCopies = new Set();
  await sql.begin(async (tx) => {
    await loadSettings(tx, replica);
    const { catalogue, periods } = await prepare(tx, plan);
    const fresh = await truncateIfAllEmpty(tx, ['members', 'orders', 'order_lines']);
    const rebuildIndexes = await deferIndexes(tx, [...MEMBER_TABLES, 'orders', 'order_lines']);
    plan.lap(`catálogo y periodos ${plan.keys[0]}…${plan.keys[plan.keys.length - 1]}; una transacción${fresh ? ', COPY FREEZE' : ''}`);
    await copyIn(tx, copyFrom('members', MEMBER_COLUMNS, fresh), memberRows(plan.net, plan.seed, plan.currentStart), open);
    await copyIn(tx, copyFrom('member_paths', PATH_COLUMNS, fresh), memberPathRows(plan.net), open);
    plan.lap(`${plan.n} miembros copiados (con sus rutas)`);
    for (const p of periods) {
      const lineChunks: Buffer[] = [];
      const before = { ...stats };
      await copyIn(
        tx,
        copyFrom('orders', ORDER_COLUMNS, fresh),
        periodOrderRows(plan.net, plan.kits, catalogue, p, plan.nowMs, plan.seed, ids, lineChunks, stats),
        open,
      );
      await copyIn(tx, copyFrom('order_lines', LINE_COLUMNS, fresh), drain(lineChunks), open);
      plan.lap(`periodo ${p.key}: ${stats.orders - before.orders} pedidos, ${stats.lines - before.lines} líneas copiados`);
    }
    await rebuildIndexes();
    await analyze(tx, [...MEMBER_TABLES, 'orders', 'order_lines']);
    plan.lap('índices y estadísticas');
    await setSequences(tx, plan.n, ids);
  });
}

/**
 * Three transactions on three connections, loading members, orders and order lines at the same
 * time (PostgreSQL runs one COPY per connection on one core). Foreign-key triggers are off, so
 * orders may arrive before the members they reference are committed. Any failure aborts every
 * COPY and rolls the three back; once all three have loaded, they commit one after the other
 * (members, orders, lines).
 */
async function loadOnThreeConnections(sql: postgres.Sql, plan: Plan, ids: { order: number; line: number }, stats: OrderStats) {
  const conns: postgres.ReservedSql[] = [];
  const open: OpenCopies = new Set();
  try {
    for (let i = 0; i < 3; i++) conns.push(await sql.reserve());
    const [m, o, l] = conns as [postgres.ReservedSql, postgres.ReservedSql, postgres.ReservedSql];
    for (const c of conns) {
      await c`begin`;
      await loadSettings(c, true);
    }
    const { catalogue, periods } = await prepare(m, plan);
    // The order lines reference nothing that references them back: their own transaction may empty
    // them (no other connection touches that table) and load them frozen, without WAL.
    const freshLines = await truncateIfAllEmpty(l, ['order_lines']);
    // After the lines' truncate (which must not wait behind this lock): orders load with their
    // primary key only and their other indexes are built once, sorted, at the end.
    const rebuildOrderIndexes = await deferIndexes(o, ['orders']);
    const rebuildMemberIndexes = await deferIndexes(m, MEMBER_TABLES);
    const rebuildLineIndexes = await deferIndexes(l, ['order_lines']);
    plan.lap(
      `catálogo y periodos ${plan.keys[0]}…${plan.keys[plan.keys.length - 1]}; tres conexiones en paralelo${freshLines ? ' (líneas: COPY FREEZE)' : ''}`,
    );

    const lines = await openCopy(l, copyFrom('order_lines', LINE_COLUMNS, freshLines), open);
    const membersTask = (async () => {
      // Several COPY statements, so that statement-level triggers on members (member lookup)
      // do their share of the work while the orders are still loading, not all at the end.
      const rows = memberRows(plan.net, plan.seed, plan.currentStart);
      const batch = { done: false };
      while (!batch.done) await copyIn(m, copyFrom('members', MEMBER_COLUMNS, false), upTo(rows, MEMBER_BATCH_CHUNKS, batch), open);
      await copyIn(m, copyFrom('member_paths', PATH_COLUMNS, false), memberPathRows(plan.net), open);
      plan.lap(`${plan.n} miembros copiados (con sus rutas)`);
      await rebuildMemberIndexes();
      await analyze(m, MEMBER_TABLES);
      plan.lap('índices y estadísticas de miembros y búsqueda');
    })();
    const linesTask = (async () => {
      await lines.done;
      await rebuildLineIndexes();
      await analyze(l, ['order_lines']);
      plan.lap('índices y estadísticas de líneas');
    })();
    const ordersTask = (async () => {
      await copyIn(
        o,
        copyFrom('orders', ORDER_COLUMNS, false),
        allOrderRows(plan, catalogue, periods, ids, stats, (chunk) => write(lines.writable, chunk)),
        open,
      );
      lines.writable.end();
      await lines.done;
      plan.lap(`${stats.orders} pedidos y ${stats.lines} líneas copiados`);
      await rebuildOrderIndexes();
      await analyze(o, ['orders']);
      plan.lap('índices y estadísticas de pedidos');
    })();
    await allOrAbort([membersTask, ordersTask, linesTask], open);
    await setSequences(m, plan.n, ids);
    for (const c of conns) await c`commit`;
  } catch (e) {
    abortCopies(open, e);
    for (const c of conns) await c`rollback`.catch(() => {});
    throw e;
  } finally {
    for (const c of conns) c.release();
  }
}

/**
 * Statistics for the planner, gathered inside the loading transaction (it samples its own rows), so
 * that each connection analyses its tables beside the others and they commit with the rows.
 */
async function analyze(c: Conn, tables: readonly string[]): Promise<void> {
  for (const t of tables) await c.unsafe(`analyze ${t}`);
}

/** The tables the members' COPY fills (member_search through the members' insert trigger). */
const MEMBER_TABLES = ['members', 'member_paths', 'member_search'] as const;

/**
 * Secondary indexes of the (empty) tables dropped for the load and answered as one rebuild:
 * building a btree or a trigram GIN index by sorting a million rows once is several times cheaper
 * than inserting into it row by row (docs/performance.md, seed.generate).
 */
async function deferIndexes(c: Conn, tables: readonly string[]): Promise<() => Promise<void>> {
  const rebuilds: Array<() => Promise<void>> = [];
  for (const t of tables) rebuilds.push(await deferIndexesOfEmptyTable(c, t));
  return async () => {
    for (const rebuild of rebuilds) await rebuild();
  };
}

/** About 250,000 members (1 MiB chunks) per COPY statement when loading on three connections. */
const MEMBER_BATCH_CHUNKS = 64;

/** The next `chunks` chunks of an iterator (without closing it); sets `state.done` at its end. */
function* upTo(it: Iterator<Buffer>, chunks: number, state: { done: boolean }): Generator<Buffer> {
  for (let i = 0; i < chunks; i++) {
    const r = it.next();
    if (r.done) {
      state.done = true;
      return;
    }
    yield r.value;
  }
}

/** Identity sequences continue after the explicit ids. */
async function setSequences(c: Conn, members: number, ids: { order: number; line: number }) {
  const last: Array<[string, number]> = [
    ['members', members],
    ['orders', ids.order - 1],
    ['order_lines', ids.line - 1],
  ];
  for (const [table, max] of last) {
    await c`select setval(pg_get_serial_sequence(${table}, 'id'), ${Math.max(max, 1)}, ${max > 0})`;
  }
}

/**
 * Generates the demo network into a database without members (reset it first).
 * The product catalogue and periods are upserted by their natural keys (sku, period key).
 * With a superuser role and a pool of at least 3 connections, members, orders and lines load over
 * three connections at once (`parallel: false` forces one transaction); either way the rows are
 * the same, and nothing is committed unless everything loaded.
 */
export async function seedDemoNetwork(sql: postgres.Sql, opts: SeedOptions): Promise<SeedResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const n = Math.trunc(opts.members);
  const k = Math.trunc(opts.periods);
  if (!Number.isFinite(n) || n < 1) throw new RangeError('members must be at least 1');
  if (!Number.isFinite(k) || k < 1) throw new RangeError('periods must be at least 1');
  if (!Number.isFinite(opts.seed)) throw new RangeError('seed must be a number');
  const now = opts.now ?? new Date();
  const nowMs = now.getTime();
  const seed = Math.trunc(opts.seed) >>> 0;
  const lap = (() => {
    let last = performance.now();
    return (what: string) => {
      const t = performance.now();
      log(`${what} (${Math.round(t - last)} ms)`);
      last = t;
    };
  })();

  const keys = seedPeriodKeys(k, now);
  const windowStart = periodBounds(keys[0] as string).startsAt.getTime();
  const periodsAs = opts.periodsAs ?? 'current';
  if (periodsAs === 'history' && k < 2) throw new RangeError('periodsAs history needs at least 2 periods (last month open)');
  // Career ranks are estimated for what came before the closed periods written here: in 'history'
  // the whole window is closed by the real close, which raises them.
  const currentStart = periodBounds((periodsAs === 'history' ? keys[0] : keys[keys.length - 1]) as string).startsAt.getTime();
  // The first member enrolled HISTORY_YEARS ago, or a year before the first seeded period if earlier.
  const historyStart = Math.floor(Math.min(nowMs - HISTORY_YEARS * 365 * DAY, windowStart - 365 * DAY) / 1000) * 1000;
  const historyEnd = nowMs - 10 * MINUTE;

  const net = buildNetwork(n, seed, historyStart, historyEnd, windowStart);
  const kits = planKits(net, seed, nowMs);
  lap(`red de ${n} miembros calculada en memoria`);
  log(describeNetwork(net));
  const plan: Plan = { n, seed, keys, nowMs, currentStart, periodsAs, net, kits, log, lap };

  const [su] = await sql<{ on: boolean }[]>`select current_setting('is_superuser') = 'on' as on`;
  const replica = su?.on === true;
  if (!replica) log('sin privilegio de superusuario: las claves foráneas se comprueban fila a fila (más lento)');
  const poolSize = Number(sql.options?.max ?? 1);
  const parallel = (opts.parallel ?? true) && replica && poolSize >= 3;

  const ids = { order: 1, line: 1 };
  const stats: OrderStats = { orders: 0, lines: 0 };
  if (parallel) await loadOnThreeConnections(sql, plan, ids, stats);
  else await loadInOneTransaction(sql, plan, replica, ids, stats);
  lap('confirmado');
  return { members: n, orders: stats.orders, periods: keys, ms: performance.now() - t0 };
}

/** Hands the buffered chunks over one by one, releasing each once written. */
function* drain(chunks: Buffer[]): Generator<Buffer> {
  for (let i = 0; i < chunks.length; i++) {
    yield chunks[i] as Buffer;
    chunks[i] = EMPTY;
  }
}
const EMPTY = Buffer.alloc(0);

function describeNetwork(net: Network): string {
  let maxDepth = 0;
  let sumDepth = 0;
  for (let i = 1; i <= net.n; i++) {
    const d = net.depth[i] as number;
    sumDepth += d;
    if (d > maxDepth) maxDepth = d;
  }
  const best: number[] = [];
  for (let i = 1; i <= net.n; i++) {
    if (best.length < 3 || (net.recruits[i] as number) > (net.recruits[best[2] as number] as number)) {
      best.push(i);
      best.sort((a, b) => (net.recruits[b] as number) - (net.recruits[a] as number));
      best.length = Math.min(best.length, 3);
    }
  }
  const top = best.map((id) => `#${id}: ${net.recruits[id]}`);
  const legs: number[] = [];
  for (let i = 2; i <= net.n; i++) if (net.sponsor[i] === 1) legs.push((net.downline[i] as number) + 1);
  legs.sort((a, b) => b - a);
  return (
    `profundidad máx. ${maxDepth}, media ${(sumDepth / net.n).toFixed(1)}; más reclutas directos ${top.join(', ')}; ` +
    `piernas de la raíz: ${legs.length} (mayores ${legs.slice(0, 3).join(', ')})`
  );
}
