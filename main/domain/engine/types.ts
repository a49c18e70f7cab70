/** Input and output types of the period engine (fast engine and reference calculator alike). */
import type { Country, Currency, ExchangeRates } from '../money';
import type { Instant, PeriodKey } from '../period';
import type { PlanFigures, Rank } from '../plan';
import type { RankChange } from '../ranks';

export interface EngineMember {
  readonly id: string;
  readonly sponsorId: string | null;
  /**
   * Optional hint: the sponsor's position in `members` (a bulk loader knows it). Checked against
   * sponsorId; a wrong hint is ignored. Saves a hash lookup per member on large networks.
   */
  readonly sponsorIndex?: number;
  readonly country: Country;
  readonly enrolledAt: Instant;
  /** Career rank before this period. */
  readonly careerRank: number;
  readonly carDownPaymentPaid: boolean;
  /** Loyalty points before this period. */
  readonly loyaltyPoints: number;
  /** NN Travels points before this period (decimal string). */
  readonly travelPoints: string;
}

/** An earlier period's PV and paid-as rank; a missing period means PV 0 and Sin rango. */
export interface EngineHistoryRow {
  readonly member: string;
  /** Optional hint: the member's position in `members` (checked; a wrong hint is ignored). */
  readonly memberIndex?: number;
  readonly period: string;
  readonly pv: string;
  readonly paidAsRank: number;
}

export type OrderKind = 'kit' | 'product';

export interface EngineOrder {
  readonly id: string;
  readonly member: string;
  /** Optional hint: the buyer's position in `members` (checked; a wrong hint is ignored). */
  readonly memberIndex?: number;
  readonly kind: OrderKind;
  readonly sku?: string | null;
  /** Points (decimal string, at most 2 decimals). */
  readonly pv: string;
  /** Business value in the buyer's currency (decimal string, at most 2 decimals). */
  readonly vn: string;
  readonly currency: Currency;
  /** When the payment was confirmed; decides the period. */
  readonly paidAt: Instant;
}

export interface TravelCampaign {
  readonly from: string;
  readonly to: string;
  /** Promotion multiplier applied to a period's points (decimal string, "1" = none). */
  readonly multiplier: string;
}

export interface EngineInput {
  readonly period: PeriodKey | string;
  readonly plan: PlanFigures;
  /** MXN per one unit of each currency, in force for the period (MXN defaults to 1). */
  readonly rates: ExchangeRates;
  readonly travelCampaign?: TravelCampaign | null;
  readonly members: readonly EngineMember[];
  readonly history: readonly EngineHistoryRow[];
  readonly orders: readonly EngineOrder[];
}

export type LineType = 'directo' | 'rapido' | 'uninivel' | 'alcance' | 'matching' | 'automovil';

/** One money line. The first six fields are the engine-case shape; the rest is detail for storage. */
export interface CommissionLine {
  readonly type: LineType;
  readonly beneficiary: string;
  /** Order id (directo, rapido, uninivel) or member id (alcance, matching, automovil). */
  readonly source: string;
  readonly level: number;
  /** Rounded half-up to 2 decimals, in the beneficiary's currency. */
  readonly amount: string;
  readonly currency: Currency;
  readonly sourceKind: 'order' | 'member';
  /** The base the rate applies to, in `baseCurrency` (VN, kit PV as MXN, matched Uninivel, fixed amount). */
  readonly base: string;
  readonly baseCurrency: Currency;
  /** The plan rate applied to the base (null for fixed amounts). */
  readonly rate: string | null;
  /** MXN per unit of baseCurrency used. */
  readonly fxFrom: string;
  /** MXN per unit of the beneficiary's currency used. */
  readonly fxTo: string;
}

export interface VolumeRow {
  readonly member: string;
  /** Decimal string, no trailing zeros. */
  readonly pv: string;
  /** Member's currency, 2 decimals. */
  readonly vn: string;
  readonly pvg: string;
  readonly paidAsRank: Rank;
  /** Career rank after this period. */
  readonly careerRank: Rank;
}

export interface ProgramRow {
  readonly member: string;
  /** A cashback entitlement was earned this period. */
  readonly cashback: boolean;
  /** Loyalty points after this period (0 after a gift or a month without a qualifying order). */
  readonly loyaltyPoints: number;
  readonly loyaltyGift: boolean;
  /** Cumulative NN Travels points after this period (decimal string, capped). */
  readonly travelPoints: string;
  /** Whether the car down payment has been paid after this period. */
  readonly carDownPaymentPaid: boolean;
}

export interface EngineOutput {
  readonly period: PeriodKey;
  readonly volumes: VolumeRow[];
  readonly lines: CommissionLine[];
  readonly programs: ProgramRow[];
  readonly rankChanges: RankChange[];
}
