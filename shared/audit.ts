/**
 * What the audit log shows of a row's before/after (issue 20): the fields a person reads, each with
 * the kind of value it holds so the screen formats it (money, dates, members by code and name…).
 * A field not listed here is internal (paths, ids, idempotency keys, run steps) and never shown.
 * The screen's labels live in renderer/src/i18n/auditlog.ts; test/i18n.test.ts checks that every
 * field, action, entity and value below has a label in both languages.
 */
export const AUDIT_FIELD_TYPES = {
  // members
  firstName: 'text', lastName: 'text', email: 'text', phone: 'text', address: 'text', text: 'text',
  status: 'enum', memberId: 'member', sponsorId: 'member', movedMembers: 'count', subtreePvg: 'points', rankChanges: 'count',
  period: 'period', periodKey: 'period',
  // withdrawals
  amount: 'money', fee: 'money', net: 'money', payoutMethod: 'enum', stripeTransferId: 'text', transferId: 'text', bankBatchId: 'text',
  approvalsRequired: 'count', firstApprovedBy: 'staff', approvedBy: 'staff', amountMxn: 'moneyMxn', thresholdMxn: 'moneyMxn',
  source: 'enum', onBehalfOfMember: 'bool', outcome: 'enum', message: 'text', holdReleased: 'bool', replayed: 'bool',
  awaitingSecondApproval: 'bool',
  // orders
  total: 'money', pv: 'points', vn: 'money', method: 'enum', paidAt: 'datetime', late: 'bool', waiting: 'bool',
  alreadyConfirmed: 'bool', periodClosed: 'bool',
  // staff and sessions
  username: 'text', displayName: 'text', role: 'enum', active: 'bool', lockedUntil: 'datetime', failedAttempts: 'count',
  passwordChanged: 'bool', otherSessionsEnded: 'count', passwordReset: 'bool', unlocked: 'bool', staff: 'text',
  // exchange rates, catalogue, plan
  currency: 'text', currentRate: 'decimal', rateToMxn: 'decimal', effectiveFrom: 'datetime', rows: 'count', applied: 'count',
  name: 'text', effectiveFromPeriod: 'period', publishedAt: 'datetime', cancelRequested: 'bool',
  // periods and commissions
  nextPeriod: 'period', assignedOrders: 'count', lines: 'count', beneficiaries: 'count', file: 'text',
  choice: 'enum', shippedAt: 'datetime', fromPeriod: 'period', toPeriod: 'period', target: 'points', promotions: 'count',
  // autoship
  action: 'enum', chargeDay: 'day', nextChargeAt: 'datetime',
  // payout destinations (account numbers are masked before they are audited)
  country: 'text', holderName: 'text', taxId: 'text', bankCode: 'text', bankName: 'text', accountType: 'enum',
  routingNumber: 'text', accountNumber: 'text',
  // plan figures: one row per changed figure or rank threshold (see main/services/audit/describe.ts)
  figure: 'plain', rankPv: 'points', rankPvg: 'points',
} as const;

export type AuditField = keyof typeof AUDIT_FIELD_TYPES;
export type AuditValueType = (typeof AUDIT_FIELD_TYPES)[AuditField] | 'plain';

/** The values of the enum fields, each worded on screen. */
export const AUDIT_ENUM_VALUES = {
  status: ['active', 'inactive', 'suspended', 'pending', 'approved', 'processing', 'paid', 'rejected', 'failed', 'refunded', 'cancelled',
    'open', 'closing', 'closed', 'draft', 'published', 'paused', 'past_due', 'canceled', 'to_ship', 'shipped', 'queued', 'running', 'done', 'succeeded'],
  payoutMethod: ['stripe', 'bank_file'],
  source: ['staff', 'member_app', 'webhook', 'sync'],
  outcome: ['ok', 'paid', 'failed', 'unknown', 'ignored', 'error', 'unknown-user', 'locked', 'inactive', 'bad-password', 'bad-password-locked',
    'confirmed', 'confirmed_then_refunded', 'already_confirmed', 'mismatch', 'mismatch_refunded', 'failure_recorded', 'failure_after_success',
    'refunded', 'refund_deferred', 'already_refunded', 'partial_refund', 'unmatched', 'subscription_updated', 'stale'],
  method: ['stripe', 'wallet', 'manual'],
  role: ['admin', 'finance', 'support'],
  choice: ['supplements', 'serums_creams'],
  action: ['pause', 'resume', 'cancel', 'change_day'],
  accountType: ['checking', 'savings'],
} as const satisfies Partial<Record<AuditField, readonly string[]>>;

/** The kinds of thing an audit row is about. */
export const AUDIT_ENTITIES = [
  'member', 'member_note', 'withdrawal', 'order', 'staff', 'session', 'period', 'plan_version', 'plan_simulation',
  'exchange_rate', 'product', 'catalogue', 'commission_preview', 'commission_export', 'loyalty_gift', 'travel_campaign',
  'autoship', 'setting', 'payout_destination', 'payout_batch', 'stripe_event', 'stripe_sync',
] as const;

/** Actions written under a name of their own (not a procedure's name). */
export const AUDIT_EXTRA_ACTIONS = [
  'withdrawals.firstApproval', 'withdrawals.payoutOutcome', 'stripe.payment_intent.succeeded', 'stripe.payment_intent.payment_failed',
  'stripe.charge.refunded',
] as const;

export const isAuditField = (f: string): f is AuditField => Object.prototype.hasOwnProperty.call(AUDIT_FIELD_TYPES, f);
