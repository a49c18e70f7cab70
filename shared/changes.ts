/**
 * Two desktops, live (issue 16 item 6): the database NOTIFYs `nnp_changes` with an area name when
 * a statement changes shared state (drizzle/0041 lists which table sends which area); each app
 * instance listens and tells its screens, which refetch the procedures the area feeds. Both sides
 * read this one table, so an area and what it refreshes are named in one place.
 */
export const CHANGE_CHANNEL = 'nnp_changes';

/** Area → the procedure names (or `prefix.`) whose cached answers it makes stale. */
export const CHANGE_AREAS = {
  withdrawals: ['withdrawals.', 'wallet.', 'dashboard.', 'economics.'],
  wallet: ['wallet.', 'withdrawals.', 'members.get', 'commissions.', 'dashboard.'],
  ledger_checks: ['dashboard.'],
  periods: ['periods.', 'dashboard.', 'commissions.', 'economics.', 'programmes.', 'reports.'],
  figures: ['dashboard.', 'periods.'],
  members: ['members.', 'genealogy.', 'dashboard.'],
  orders: ['orders.', 'members.', 'periods.', 'dashboard.', 'payments.'],
  payments: ['payments.', 'orders.'],
  staff: ['staff.'],
  audit: ['audit.'],
  autoship: ['autoship.'],
  settings: ['plan.', 'rates.', 'withdrawals.settings'],
  programmes: ['programmes.'],
  catalogue: ['catalogue.'],
} as const satisfies Record<string, readonly string[]>;

export type ChangeArea = keyof typeof CHANGE_AREAS;

export const ALL_CHANGE_AREAS = Object.keys(CHANGE_AREAS) as ChangeArea[];

export function isChangeArea(x: unknown): x is ChangeArea {
  return typeof x === 'string' && Object.hasOwn(CHANGE_AREAS, x);
}

/** Does a change of any of `areas` make the cached answer of `procedure` stale? */
export function staleAfter(areas: readonly ChangeArea[], procedure: string): boolean {
  return areas.some((a) => CHANGE_AREAS[a].some((p) => (p.endsWith('.') ? procedure.startsWith(p) : procedure === p)));
}
