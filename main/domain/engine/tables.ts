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
   * The line as one tab-separated text row for COPY (storage order: type, beneficiary,
   * source_kind, source, level, base, base_currency, rate, amount, currency, fx_from, fx_to; no
   * newline; a null rate as \N). A mixed order's kit part keeps the order's own id as source.
   */
  copyText(i: number): string {
    const c = this.cells(i);
    const src = c[2].endsWith('~k') ? c[2].slice(0, -2) : c[2];
    return `${c[0]}\t${c[1]}\t${c[6]}\t${src}\t${c[3]}\t${c[7]}\t${c[8]}\t${c[9] ?? '\\N'}\t${c[4]}\t${c[5]}\t${c[10]}\t${c[11]}`;
  }

  /** Order VN as the base of its lines, formatted once per order (an order pays many lines). */
  private vnBase: (string | undefined)[] = [];

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
        const rate =
          t === T_DIRECTO
            ? cp.directoRate
            : level <= cp.levelCount
              ? cp.levelRateStr[level - 1]!
              : cp.infRateStr[paidAs[ben]!]!;
        const base = (this.vnBase[src] ??= formatCents(parseScaled(o.vn, 2)));
        return [type, ids[ben]!, o.id, level, amount, currency, 'order', base, o.currency, rate, cp.rateStr[CUR_INDEX[o.currency]!]!, fxTo];
      }
      case T_RAPIDO: {
        const o = orders[src]!;
        const ki = cp.kitIndex.get(o.sku!)!;
        return [type, ids[ben]!, o.id, level, amount, currency, 'order', cp.kitBase[ki]!, 'MXN', cp.rapidoRateStr[level - 1]!, cp.rateStr[MXN_INDEX]!, fxTo];
      }
      case T_MATCHING: {
        const s = cur[src]!;
        return [type, ids[ben]!, ids[src]!, level, amount, currency, 'member', formatCents(uniSum[src]!), CURRENCIES[s]!, cp.matchRates[paidAs[ben]!]![level - 1]!, cp.rateStr[s]!, fxTo];
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
