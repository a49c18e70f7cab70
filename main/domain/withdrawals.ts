/**
 * Withdrawal rules without I/O: fee and minimum per currency (plan figures), the state machine,
 * and the risk flags (shown to finance, never deciding anything).
 */
import { Decimal, roundMoney, type Currency } from './money';
import type { PlanFigures } from './plan';

export const WITHDRAWAL_STATUSES = ['pending', 'approved', 'processing', 'paid', 'rejected', 'failed'] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

/** The only moves a withdrawal can make. */
export const WITHDRAWAL_TRANSITIONS: Readonly<Record<WithdrawalStatus, readonly WithdrawalStatus[]>> = Object.freeze({
  pending: ['approved', 'rejected'],
  approved: ['processing'],
  processing: ['paid', 'failed'],
  paid: [],
  rejected: [],
  failed: [],
});

export function canMove(from: WithdrawalStatus, to: WithdrawalStatus): boolean {
  return WITHDRAWAL_TRANSITIONS[from].includes(to);
}

export interface WithdrawalQuote {
  amount: string;
  fee: string;
  net: string;
  minimum: string;
  minimumFee: string;
  feeRate: string;
}

export type QuoteProblem = { code: 'below_minimum'; minimum: string } | { code: 'no_rule'; currency: string } | { code: 'fee_exceeds_amount'; fee: string };

/**
 * Fee = max(amount × feeRate rounded half-up to the cent, minimum fee), taken from the amount;
 * the amount must reach the currency's minimum. Figures come from the plan in force.
 */
export function quoteWithdrawal(
  plan: PlanFigures,
  currency: Currency,
  amount: Decimal | string,
): { ok: true; quote: WithdrawalQuote } | { ok: false; problem: QuoteProblem } {
  const rule = plan.withdrawals.byCurrency.find((r) => r.currency === currency);
  if (!rule) return { ok: false, problem: { code: 'no_rule', currency } };
  const a = new Decimal(amount);
  if (a.lt(rule.minimum)) return { ok: false, problem: { code: 'below_minimum', minimum: new Decimal(rule.minimum).toFixed(2) } };
  const pct = roundMoney(a.times(plan.withdrawals.feeRate));
  const fee = Decimal.max(pct, new Decimal(rule.minimumFee));
  if (fee.gte(a)) return { ok: false, problem: { code: 'fee_exceeds_amount', fee: fee.toFixed(2) } };
  return {
    ok: true,
    quote: {
      amount: a.toFixed(2),
      fee: fee.toFixed(2),
      net: a.minus(fee).toFixed(2),
      minimum: new Decimal(rule.minimum).toFixed(2),
      minimumFee: new Decimal(rule.minimumFee).toFixed(2),
      feeRate: plan.withdrawals.feeRate,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Risk flags

export const RISK_FLAGS = ['frequent', 'large', 'no_history', 'destination_changed', 'new_member'] as const;
export type RiskFlag = (typeof RISK_FLAGS)[number];
export const RISK_BIT: Readonly<Record<RiskFlag, number>> = Object.freeze({ frequent: 1, large: 2, destination_changed: 4, new_member: 8, no_history: 16 });

/**
 * The plan's thresholds ("Risk flags shown to finance"). The plan's figures schema has no
 * place for them yet (issue 8 owns it); until then they live here, in one object.
 */
export interface RiskRules {
  /** More than this many requests (this one included) inside the window is flagged. */
  maxRequestsInWindow: number;
  requestWindowDays: number;
  /** Amount greater than multiplier × the average monthly commission is flagged. */
  largeMultiplier: string;
  averagePeriods: number;
  /** With fewer periods than this that paid any commission, there is no average to compare with: "no history" instead of "large". */
  minHistoryPeriods: number;
  destinationChangeHours: number;
  newMemberDays: number;
}

export const DEFAULT_RISK_RULES: RiskRules = Object.freeze({
  maxRequestsInWindow: 3,
  requestWindowDays: 7,
  largeMultiplier: '3',
  averagePeriods: 6,
  minHistoryPeriods: 2,
  destinationChangeHours: 72,
  newMemberDays: 30,
});

/** What the risk check needs to know, gathered by the service at request time. */
export interface RiskFacts {
  at: Date;
  amount: string;
  /** Requests of the member inside the window, this one included. */
  requestsInWindow: number;
  /** Commission credited to the wallet in each of the last `averagePeriods` periods (fewer when the member is newer). */
  commissionByPeriod: { period: string; amount: string }[];
  payoutDestinationChangedAt: Date | null;
  enrolledAt: Date;
}

export interface RiskAssessment {
  mask: number;
  flags: RiskFlag[];
  details: Partial<Record<RiskFlag, Record<string, string | number | null>>>;
}

const DAY = 86_400_000;

export function assessRisk(f: RiskFacts, rules: RiskRules = DEFAULT_RISK_RULES): RiskAssessment {
  const flags: RiskFlag[] = [];
  const details: RiskAssessment['details'] = {};
  if (f.requestsInWindow > rules.maxRequestsInWindow) {
    flags.push('frequent');
    details.frequent = { count: f.requestsInWindow, days: rules.requestWindowDays, max: rules.maxRequestsInWindow };
  }
  // Average over the periods the member could earn in. With fewer than `minHistoryPeriods` periods
  // that paid any commission an average means nothing (it would be $0.00 and flag every amount):
  // that is its own flag, with the figures it saw.
  const withCommission = f.commissionByPeriod.filter((p) => !new Decimal(p.amount).isZero()).length;
  const total = f.commissionByPeriod.reduce((s, p) => s.plus(p.amount), new Decimal(0));
  if (withCommission < rules.minHistoryPeriods) {
    flags.push('no_history');
    details.no_history = {
      periodsWithCommission: withCommission,
      periods: f.commissionByPeriod.length,
      required: rules.minHistoryPeriods,
      total: roundMoney(total).toFixed(2),
      amount: new Decimal(f.amount).toFixed(2),
    };
  } else {
    // amount > multiplier × total / n, compared as amount × n > multiplier × total: exact, no
    // rounded average in between (a third of 100.00 is never quite 33.33…).
    const n = f.commissionByPeriod.length;
    const average = total.div(n);
    const threshold = total.times(rules.largeMultiplier).div(n);
    if (new Decimal(f.amount).times(n).gt(total.times(rules.largeMultiplier))) {
      flags.push('large');
      details.large = {
        average: roundMoney(average).toFixed(2),
        threshold: roundMoney(threshold).toFixed(2),
        periods: f.commissionByPeriod.length,
        multiplier: rules.largeMultiplier,
        amount: new Decimal(f.amount).toFixed(2),
      };
    }
  }
  if (f.payoutDestinationChangedAt && f.at.getTime() - f.payoutDestinationChangedAt.getTime() < rules.destinationChangeHours * 3_600_000) {
    flags.push('destination_changed');
    details.destination_changed = { changedAt: f.payoutDestinationChangedAt.toISOString(), hours: rules.destinationChangeHours };
  }
  if (f.at.getTime() - f.enrolledAt.getTime() < rules.newMemberDays * DAY) {
    flags.push('new_member');
    details.new_member = { enrolledAt: f.enrolledAt.toISOString(), days: rules.newMemberDays };
  }
  return { mask: flags.reduce((m, fl) => m | RISK_BIT[fl], 0), flags, details };
}

export function flagsOfMask(mask: number): RiskFlag[] {
  return RISK_FLAGS.filter((f) => (mask & RISK_BIT[f]) !== 0);
}
