/**
 * The fast engine's result, column by column (typed arrays), so that millions of lines cost a
 * few bytes each; rows (the engine-case shape plus storage detail) are built on demand.
 */
import { CURRENCIES, Decimal, type Currency } from '../money';
import type { PeriodKey } from '../period';
import type { Rank } from '../plan';
import type { RankChange } from '../ranks';
import { Arena } from './arena';
import { CUR_INDEX, MXN_INDEX, PV_SCALE, type CompiledPlan } from './compiled-plan';
import { formatCents, formatScaled, parseScaled } from './exact';
import type { CommissionLine, EngineMember, EngineOrder, EngineOutput, LineType, ProgramRow, VolumeRow } from './types';

export const LINE_TYPE_BY_CODE: readonly LineType[] = ['directo', 'rapido', 'uninivel', 'alcance', 'matching', 'automovil'];
export const T_DIRECTO = 0;
export const T_RAPIDO = 1;
export const T_UNINIVEL = 2;
export const T_ALCANCE = 3;
export const T_MATCHING = 4;
export const T_AUTOMOVIL = 5;
/** Column order of LineTable.copyText. */
export const LINE_COPY_COLUMNS = 'source_kind, source_id, base, base_currency, fx_from, type, level, rate, amount, beneficiary_id, currency, fx_to';
const TYPE_TAB = LINE_TYPE_BY_CODE.map((t) => `${t}\t`);
/** A decimal already as formatCents writes it ("0.05", "558.62"): no need to parse and format it again. */
const CENTS_TEXT = /^(0|[1-9]\d*)\.\d\d$/;

/** Growable columns of lines. */
export class LineBuilder {
  length = 0;
  private cap: number;
  type: Uint8Array;
  beneficiary: Int32Array;
  source: Int32Array;
  level: Int32Array;
  amountCents: Float64Array;

  /** `capacity` should be an upper bound of the line count (growing copies every column). */
  constructor(capacity: number) {
    this.cap = Math.max(16, capacity);
    const arena = new Arena(this.cap * 21 + 16);
    this.amountCents = arena.f64(this.cap);
    this.beneficiary = arena.i32(this.cap);
    this.source = arena.i32(this.cap);
    this.level = arena.i32(this.cap);
    this.type = arena.u8(this.cap);
  }

  push(type: number, beneficiary: number, source: number, level: number, cents: number): void {
    if (this.length === this.cap) this.grow();
    const i = this.length++;
    this.type[i] = type;
    this.beneficiary[i] = beneficiary;
    this.source[i] = source;
    this.level[i] = level;
    this.amountCents[i] = cents;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const t = new Uint8Array(cap);
    t.set(this.type);
    this.type = t;
    const b = new Int32Array(cap);
    b.set(this.beneficiary);
    this.beneficiary = b;
    const s = new Int32Array(cap);
    s.set(this.source);
    this.source = s;
    const l = new Int32Array(cap);
    l.set(this.level);
    this.level = l;
    const a = new Float64Array(cap);
    a.set(this.amountCents);
    this.amountCents = a;
    this.cap = cap;
  }
}

/** What the row builders need to know about the run. */
export interface RunContext {
  readonly period: PeriodKey;
  readonly cp: CompiledPlan;
  readonly ids: readonly string[];
  readonly members: readonly EngineMember[];
  readonly orders: readonly EngineOrder[];
  /** Currency index per member. */
  readonly cur: Uint8Array;
  readonly paidAs: Uint8Array;
  /** Sum of each member's rounded Uninivel lines, cents (the Matching base). */
  readonly uniSum: Float64Array;
}

/**
 * The money lines of the period. Columns: type code (LINE_TYPE_BY_CODE), beneficiary member
 * index, source (an index into input.orders for directo/rapido/uninivel, a member index
 * otherwise), level, amount in cents of the beneficiary's currency.
 */
export class LineTable implements Iterable<CommissionLine> {
  readonly length: number;
  readonly type: Uint8Array;
  readonly beneficiary: Int32Array;
  readonly source: Int32Array;
  readonly level: Int32Array;
  readonly amountCents: Float64Array;

  constructor(
    private readonly ctx: RunContext,
    b: LineBuilder,
  ) {
    this.length = b.length;
    this.type = b.type.subarray(0, b.length);
    this.beneficiary = b.beneficiary.subarray(0, b.length);
    this.source = b.source.subarray(0, b.length);
    this.level = b.level.subarray(0, b.length);
    this.amountCents = b.amountCents.subarray(0, b.length);
  }

  row(i: number): CommissionLine {
    const c = this.cells(i);
    return line(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]);
  }

  /**
   * The line as one tab-separated text row for COPY, columns in LINE_COPY_COLUMNS order (no
   * newline; a null rate as \N). A mixed order's kit part keeps the order's own id as source.
   * The close writes millions of rows with copyChunks (same text, as bytes; property.test.ts).
   */
  copyText(i: number): string {
    return this.headText(i) + this.beneficiaryText(this.beneficiary[i]!);
  }

  /** copyText's columns before the beneficiary's (source … amount), tab-terminated. */
  private headText(i: number): string {
    const c = this.cells(i);
    const src = c[2].endsWith('~k') ? c[2].slice(0, -2) : c[2];
    return `${c[6]}\t${src}\t${c[7]}\t${c[8]}\t${c[10]}\t${c[0]}\t${c[3]}\t${c[9] ?? '\\N'}\t${c[4]}\t`;
  }

  /**
   * The COPY rows of the lines `order` (indices into this table), in that order, as byte chunks of
   * about `chunkBytes`: each row is copyText(i), then `suffixOf(beneficiary)` and a newline. Built
   * as bytes, not strings: a close writes ~7 million rows (600 MB), and string building spent more
   * time in the garbage collector than in the rows. Each source's and beneficiary's columns are
   * encoded once into an arena and copied; level and amount are written digit by digit.
   */
  *copyChunks(order: ArrayLike<number>, suffixOf: (ben: number) => string, chunkBytes = 1 << 20): Generator<Uint8Array> {
    const { cp, paidAs } = this.ctx;
    const arena = new ByteArena();
    const headAt = new Int32Array(this.ctx.orders.length * 2).fill(-1);
    const tailAt = new Int32Array(this.ctx.ids.length).fill(-1);
    const rateBytes = new Map<string, Uint8Array>();
    const bytesOf = (s: string) => {
      let b = rateBytes.get(s);
      if (!b) rateBytes.set(s, (b = Buffer.from(`${s}\t`)));
      return b;
    };
    const typeBytes = TYPE_TAB.map((t) => Buffer.from(t));
    let buf = Buffer.allocUnsafe(chunkBytes + 4096);
    let pos = 0;
    const put = (b: Uint8Array) => {
      for (let k = 0; k < b.length; k++) buf[pos++] = b[k]!;
    };
    for (let j = 0; j < order.length; j++) {
      const i = order[j]!;
      const t = this.type[i]!;
      const ben = this.beneficiary[i]!;
      if (tailAt[ben]! < 0) tailAt[ben] = arena.add(`${this.beneficiaryText(ben)}${suffixOf(ben)}\n`);
      if (t !== T_DIRECTO && t !== T_UNINIVEL && t !== T_RAPIDO) {
        put(Buffer.from(this.headText(i)));
      } else {
        const src = this.source[i]!;
        const level = this.level[i]!;
        const h = src * 2 + (t === T_RAPIDO ? 1 : 0);
        if (headAt[h]! < 0) {
          const c = this.cells(i);
          const id = c[2].endsWith('~k') ? c[2].slice(0, -2) : c[2];
          headAt[h] = arena.add(`order\t${id}\t${c[7]}\t${c[8]}\t${c[10]}\t`);
        }
        pos = arena.copyTo(headAt[h]!, buf, pos);
        put(typeBytes[t]!);
        pos = writeUint(buf, pos, level);
        buf[pos++] = 9;
        put(
          bytesOf(
            t === T_RAPIDO
              ? cp.rapidoRateStr[level - 1]!
              : t === T_DIRECTO
                ? cp.directoRate
                : level <= cp.levelCount
                  ? cp.levelRateStr[level - 1]!
                  : cp.infRateStr[paidAs[ben]!]!,
          ),
        );
        pos = writeCents(buf, pos, this.amountCents[i]!);
        buf[pos++] = 9;
      }
      pos = arena.copyTo(tailAt[ben]!, buf, pos);
      if (pos >= chunkBytes) {
        yield buf.subarray(0, pos);
        buf = Buffer.allocUnsafe(chunkBytes + 4096);
        pos = 0;
      }
    }
    if (pos > 0) yield buf.subarray(0, pos);
  }

  private beneficiaryText(ben: number): string {
    const d = this.ctx.cur[ben]!;
    return `${this.ctx.ids[ben]!}\t${CURRENCIES[d]!}\t${this.ctx.cp.rateStr[d]!}`;
  }

  /** Order VN as the base of its lines, formatted once per order (an order pays many lines). A
   * packed array: written at random indices, an empty one would turn into a slow dictionary. */
  private vnBaseCache: (string | undefined)[] | null = null;
  private get vnBase(): (string | undefined)[] {
    if (!this.vnBaseCache) {
      const a: (string | undefined)[] = [];
      for (let k = 0; k < this.ctx.orders.length; k++) a.push(undefined);
      this.vnBaseCache = a;
    }
    return this.vnBaseCache;
  }

  private cells(i: number): Parameters<typeof line> {
    if (i < 0 || i >= this.length) throw new RangeError(`line ${i} out of range`);
    const { cp, ids, orders, cur, paidAs, uniSum } = this.ctx;
    const t = this.type[i]!;
    const ben = this.beneficiary[i]!;
    const src = this.source[i]!;
    const level = this.level[i]!;
    const d = cur[ben]!;
    const currency = CURRENCIES[d]!;
    const fxTo = cp.rateStr[d]!;
    const amount = formatCents(this.amountCents[i]!);
    const type = LINE_TYPE_BY_CODE[t]!;
    switch (t) {
      case T_DIRECTO:
      case T_UNINIVEL: {
        const o = orders[src]!;
        const rate = t === T_DIRECTO ? cp.directoRate : level <= cp.levelCount ? cp.levelRateStr[level - 1]! : cp.infRateStr[paidAs[ben]!]!;
        const base = (this.vnBase[src] ??= CENTS_TEXT.test(o.vn) ? o.vn : formatCents(parseScaled(o.vn, 2)));
        return [type, ids[ben]!, o.id, level, amount, currency, 'order', base, o.currency, rate, cp.rateStr[CUR_INDEX[o.currency]!]!, fxTo];
      }
      case T_RAPIDO: {
        const o = orders[src]!;
        const ki = cp.kitIndex.get(o.sku!)!;
        return [type, ids[ben]!, o.id, level, amount, currency, 'order', cp.kitBase[ki]!, 'MXN', cp.rapidoRateStr[level - 1]!, cp.rateStr[MXN_INDEX]!, fxTo];
      }
      case T_MATCHING: {
        const s = cur[src]!;
        return [
          type,
          ids[ben]!,
          ids[src]!,
          level,
          amount,
          currency,
          'member',
          formatCents(uniSum[src]!),
          CURRENCIES[s]!,
          cp.matchRates[paidAs[ben]!]![level - 1]!,
          cp.rateStr[s]!,
          fxTo,
        ];
      }
      default: {
        const f = t === T_ALCANCE ? cp.alcance[level]! : level === 1 ? cp.autoDown : cp.autoMonthly;
        const bc = f.baseCurrency[d]!;
        return [type, ids[ben]!, ids[src]!, level, amount, currency, 'member', f.base[d]!, bc, null, cp.rateStr[CUR_INDEX[bc]!]!, fxTo];
      }
    }
  }

  rows(): CommissionLine[] {
    const out: CommissionLine[] = new Array<CommissionLine>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.row(i);
    return out;
  }

  *[Symbol.iterator](): Iterator<CommissionLine> {
    for (let i = 0; i < this.length; i++) yield this.row(i);
  }
}

function line(
  type: LineType,
  beneficiary: string,
  source: string,
  level: number,
  amount: string,
  currency: Currency,
  sourceKind: 'order' | 'member',
  base: string,
  baseCurrency: Currency,
  rate: string | null,
  fxFrom: string,
  fxTo: string,
): CommissionLine {
  return { type, beneficiary, source, level, amount, currency, sourceKind, base, baseCurrency, rate, fxFrom, fxTo };
}

/** Volumes and ranks per member (index = position in input.members). */
export class VolumeTable implements Iterable<VolumeRow> {
  readonly length: number;
  constructor(
    private readonly ctx: RunContext,
    /** PV in hundredths. */
    readonly pvHundredths: Float64Array,
    /** VN in cents of the member's currency. */
    readonly vnCents: Float64Array,
    readonly pvgHundredths: Float64Array,
    readonly paidAsRank: Uint8Array,
    /** Career rank after this period. */
    readonly careerRank: Uint8Array,
  ) {
    this.length = pvHundredths.length;
  }

  row(i: number): VolumeRow {
    return {
      member: this.ctx.ids[i]!,
      pv: formatScaled(this.pvHundredths[i]!, PV_SCALE),
      vn: formatCents(this.vnCents[i]!),
      pvg: formatScaled(this.pvgHundredths[i]!, PV_SCALE),
      paidAsRank: this.paidAsRank[i]! as Rank,
      careerRank: this.careerRank[i]! as Rank,
    };
  }

  rows(): VolumeRow[] {
    const out: VolumeRow[] = new Array<VolumeRow>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.row(i);
    return out;
  }

  *[Symbol.iterator](): Iterator<VolumeRow> {
    for (let i = 0; i < this.length; i++) yield this.row(i);
  }
}

/** Programme state per member after the period. */
export class ProgramTable implements Iterable<ProgramRow> {
  readonly length: number;
  constructor(
    private readonly ctx: RunContext,
    readonly cashback: Uint8Array,
    readonly loyaltyPoints: Int32Array,
    readonly loyaltyGift: Uint8Array,
    readonly carDownPaymentPaid: Uint8Array,
    /** Travel points scaled by 10^travelScale; null when no campaign is active (points unchanged). */
    private readonly travelScaled: Float64Array | null,
    private readonly travelScale: number,
    /** Members whose points were computed outside the exact integer path. */
    private readonly travelOverride: ReadonlyMap<number, string>,
  ) {
    this.length = cashback.length;
  }

  travelPoints(i: number): string {
    const o = this.travelOverride.get(i);
    if (o !== undefined) return o;
    if (this.travelScaled) return formatScaled(this.travelScaled[i]!, this.travelScale);
    return normalizePoints(this.ctx.members[i]!.travelPoints);
  }

  row(i: number): ProgramRow {
    return {
      member: this.ctx.ids[i]!,
      cashback: this.cashback[i] === 1,
      loyaltyPoints: this.loyaltyPoints[i]!,
      loyaltyGift: this.loyaltyGift[i] === 1,
      travelPoints: this.travelPoints(i),
      carDownPaymentPaid: this.carDownPaymentPaid[i] === 1,
    };
  }

  rows(): ProgramRow[] {
    const out: ProgramRow[] = new Array<ProgramRow>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.row(i);
    return out;
  }

  *[Symbol.iterator](): Iterator<ProgramRow> {
    for (let i = 0; i < this.length; i++) yield this.row(i);
  }
}

const PLAIN_INT_RE = /^(0|[1-9]\d*)$/;

/** A points string in canonical form ("12.50" -> "12.5"); the input is a validated decimal. */
export function normalizePoints(s: string): string {
  if (PLAIN_INT_RE.test(s)) return s;
  const v = new Decimal(s);
  return v.isZero() ? '0' : v.toFixed();
}

/** The fast engine's result for one period. */
export class PeriodResult {
  constructor(
    private readonly ctx: RunContext,
    readonly volumes: VolumeTable,
    readonly lines: LineTable,
    readonly programs: ProgramTable,
    /** Paid-as rank of the previous period per member (history; 0 when missing). */
    readonly previousPaidAsRank: Uint8Array,
  ) {}

  get period(): PeriodKey {
    return this.ctx.period;
  }

  /** Member ids by index (the order of input.members). */
  get memberIds(): readonly string[] {
    return this.ctx.ids;
  }

  /** Rank changes of the period: career promotions, and paid-as rank vs the previous period. */
  rankChanges(): RankChange[] {
    const out: RankChange[] = [];
    const { ids, members, period } = this.ctx;
    const paidAs = this.volumes.paidAsRank;
    const careerAfter = this.volumes.careerRank;
    for (let i = 0; i < ids.length; i++) {
      const before = members[i]!.careerRank as Rank;
      const after = careerAfter[i]! as Rank;
      if (after !== before) out.push({ member: ids[i]!, period, kind: 'career', from: before, to: after });
      const prev = this.previousPaidAsRank[i]! as Rank;
      const now = paidAs[i]! as Rank;
      if (prev !== now) out.push({ member: ids[i]!, period, kind: 'paidAs', from: prev, to: now });
    }
    return out;
  }

  /** Everything as plain rows (the engine-case shape plus detail). */
  toOutput(): EngineOutput {
    return {
      period: this.period,
      volumes: this.volumes.rows(),
      lines: this.lines.rows(),
      programs: this.programs.rows(),
      rankChanges: this.rankChanges(),
    };
  }
}

/** Encoded strings kept end to end in one growing buffer; a string is addressed by its slot. */
class ByteArena {
  private bytes = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private starts: number[] = [];
  private ends: number[] = [];

  add(s: string): number {
    const max = s.length * 3;
    if (this.used + max > this.bytes.length) {
      const next = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + max));
      this.bytes.copy(next, 0, 0, this.used);
      this.bytes = next;
    }
    this.starts.push(this.used);
    this.used += this.bytes.write(s, this.used);
    this.ends.push(this.used);
    return this.starts.length - 1;
  }

  /** Copies slot `k` into `to` at `pos`; answers the position after it. */
  copyTo(k: number, to: Uint8Array, pos: number): number {
    const b = this.bytes;
    const end = this.ends[k]!;
    for (let x = this.starts[k]!; x < end; x++) to[pos++] = b[x]!;
    return pos;
  }
}

const DIGITS = new Uint8Array(24);

/** Writes a non-negative integer in decimal at `pos`; answers the position after it. */
function writeUint(to: Uint8Array, pos: number, v: number): number {
  let n = 0;
  do {
    const d = v % 10;
    DIGITS[n++] = 48 + d;
    v = (v - d) / 10;
  } while (v > 0);
  while (n > 0) to[pos++] = DIGITS[--n]!;
  return pos;
}

/** Writes integer cents as formatCents does ("0.05", "12.30", "-1.00"); answers the position after it. */
function writeCents(to: Uint8Array, pos: number, c: number): number {
  if (c < 0) {
    to[pos++] = 45;
    c = -c;
  }
  const frac = c % 100;
  pos = writeUint(to, pos, (c - frac) / 100);
  to[pos++] = 46;
  to[pos++] = 48 + Math.floor(frac / 10);
  to[pos++] = 48 + (frac % 10);
  return pos;
}
