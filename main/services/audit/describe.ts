/**
 * An audit row in business words (issue 20): what it is about (a member by code and name, a
 * withdrawal by folio…) and a before/after table of the fields a person reads, typed for the screen
 * to format. The references are resolved for a whole page at once: `wanted` collects them, the
 * caller fetches them in one query (app.ts), `describe` reads them from the lookup.
 */
import { AUDIT_FIELD_TYPES, isAuditField } from '../../../shared/audit';
import type { AuditChange, AuditSubject, AuditValue } from '../../../shared/contract/audit';

export interface RawAuditRow {
  action: string;
  entity: string;
  entityId: string | null;
  staffUsername: string | null;
  before: unknown;
  after: unknown;
}

/** What the page's rows point at, by kind, as text keys. */
export type RefKind = 'member' | 'withdrawal' | 'order' | 'autoship' | 'staff' | 'plan_version' | 'product';
export type Wanted = Record<RefKind, Set<string>>;

export interface Resolved {
  ref: string | null;
  name: string | null;
  memberId: string | null;
  memberCode: string | null;
}
export type Lookup = Map<string, Resolved>;
export const lookupKey = (kind: RefKind, key: string) => `${kind}:${key}`;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const DIGITS = /^\d{1,18}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const str = (v: unknown) =>
  v == null ? null : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : null;

/** The entity whose rows name a member by the row's entity id, and those that carry it in `after.memberId`. */
const SUBJECT_REF: Partial<Record<string, RefKind>> = {
  member: 'member',
  payout_destination: 'member',
  withdrawal: 'withdrawal',
  order: 'order',
  autoship: 'autoship',
  staff: 'staff',
  plan_version: 'plan_version',
  product: 'product',
};
const MEMBER_IN_AFTER = new Set(['member_note', 'loyalty_gift']);

function valid(kind: RefKind, key: string | null): key is string {
  if (key == null) return false;
  return kind === 'staff' ? UUID.test(key) : DIGITS.test(key);
}

export function emptyWanted(): Wanted {
  return { member: new Set(), withdrawal: new Set(), order: new Set(), autoship: new Set(), staff: new Set(), plan_version: new Set(), product: new Set() };
}

/** Every reference a page of rows needs: its subjects and the members / staff named in its fields. */
export function wanted(rows: RawAuditRow[]): Wanted {
  const w = emptyWanted();
  const add = (kind: RefKind, key: string | null) => {
    if (valid(kind, key)) w[kind].add(key);
  };
  for (const r of rows) {
    const kind = SUBJECT_REF[r.entity];
    if (kind) add(kind, r.entityId);
    if (MEMBER_IN_AFTER.has(r.entity)) add('member', str(obj(r.after)?.memberId));
    for (const side of [obj(r.before), obj(r.after)]) {
      if (!side) continue;
      for (const [f, v] of Object.entries(side)) {
        if (!isAuditField(f)) continue;
        const t = AUDIT_FIELD_TYPES[f];
        if (t === 'member') add('member', str(v));
        if (t === 'staff') add('staff', str(v));
      }
    }
  }
  return w;
}

function subjectOf(r: RawAuditRow, lookup: Lookup): AuditSubject {
  const after = obj(r.after);
  const before = obj(r.before);
  const blank: AuditSubject = { kind: r.entity, ref: null, name: null, memberId: null, memberCode: null };
  const kind = SUBJECT_REF[r.entity];
  const found = (k: RefKind, key: string | null) => (valid(k, key) ? lookup.get(lookupKey(k, key)) : undefined);
  if (kind) {
    const hit = found(kind, r.entityId);
    if (hit) return { kind: r.entity, ...hit };
    // A failed sign-in with an unknown user name has no account: the name typed is the subject.
    if (kind === 'staff') return { ...blank, ref: r.staffUsername };
    return { ...blank, ref: kind === 'member' ? null : r.entityId };
  }
  if (MEMBER_IN_AFTER.has(r.entity)) {
    const m = found('member', str(after?.memberId));
    return { ...blank, ...(m ?? {}), kind: r.entity, ref: r.entity === 'loyalty_gift' ? str(after?.periodKey) : (m?.ref ?? null) };
  }
  switch (r.entity) {
    case 'session':
      return { ...blank, ref: str(after?.staff) ?? r.staffUsername };
    case 'period':
    case 'commission_export':
    case 'payout_batch':
    case 'stripe_event':
      return { ...blank, ref: r.entityId };
    case 'commission_preview':
      return { ...blank, ref: str(after?.periodKey) };
    case 'exchange_rate':
      return { ...blank, ref: str(after?.currency) };
    case 'plan_simulation':
      return { ...blank, ref: r.entityId, name: str(after?.name) };
    case 'travel_campaign':
      return { ...blank, ref: r.entityId, name: str(after?.name) ?? str(before?.name) };
    default:
      return blank;
  }
}

function valueOf(field: string, v: unknown, side: Obj, other: Obj | null, lookup: Lookup): AuditValue | null {
  if (v == null) return null;
  const type = isAuditField(field) ? AUDIT_FIELD_TYPES[field] : 'plain';
  const s = str(v);
  if (s == null) return null; // an object or list inside a plain field: internal detail, not shown
  const base: AuditValue = { type, value: s, currency: null, name: null, memberId: null };
  if (type === 'money') return { ...base, currency: str(side.currency) ?? str(other?.currency) ?? 'MXN' };
  if (type === 'moneyMxn') return { ...base, type: 'money', currency: 'MXN' };
  if (type === 'member') {
    const m = DIGITS.test(s) ? lookup.get(lookupKey('member', s)) : undefined;
    return m ? { ...base, value: m.ref ?? s, name: m.name, memberId: m.memberId } : base;
  }
  if (type === 'staff') {
    const st = UUID.test(s) ? lookup.get(lookupKey('staff', s)) : undefined;
    return st ? { ...base, value: st.ref ?? s, name: st.name } : base;
  }
  return base;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** plan.updateDraft keeps `changes: [{ path, value }]` on each side: one row per figure. */
function figureChanges(before: Obj | null, after: Obj | null): AuditChange[] | null {
  const list = (o: Obj | null) => (Array.isArray(o?.changes) ? (o!.changes as unknown[]).map(obj).filter((c): c is Obj => !!c) : null);
  const b = list(before);
  const a = list(after);
  if (!b && !a) return null;
  const paths = [...new Set([...(b ?? []), ...(a ?? [])].map((c) => str(c.path)).filter((p): p is string => !!p))];
  const at = (l: Obj[] | null, p: string) => str(l?.find((c) => c.path === p)?.value);
  const plain = (s: string | null): AuditValue | null => (s == null ? null : { type: 'plain', value: s, currency: null, name: null, memberId: null });
  return paths.map((p) => ({ field: 'figure', sub: p, before: plain(at(b, p)), after: plain(at(a, p)) }));
}

/** plan.updateDraftRanks keeps the rank table on each side: one row per threshold that moved, named by rank. */
function rankChanges(before: Obj | null, after: Obj | null): AuditChange[] | null {
  if (!Array.isArray(before?.ranks) && !Array.isArray(after?.ranks)) return null;
  const byRank = (o: Obj | null) =>
    new Map(
      ((o?.ranks as unknown[]) ?? [])
        .map(obj)
        .filter((r): r is Obj => !!r)
        .map((r) => [str(r.rank) ?? '', r]),
    );
  const b = byRank(before);
  const a = byRank(after);
  const out: AuditChange[] = [];
  const pts = (v: unknown): AuditValue | null => (str(v) == null ? null : { type: 'points', value: str(v)!, currency: null, name: null, memberId: null });
  for (const rank of [...new Set([...b.keys(), ...a.keys()])].sort((x, y) => Number(x) - Number(y))) {
    for (const [key, field] of [
      ['pv', 'rankPv'],
      ['pvg', 'rankPvg'],
    ] as const) {
      const x = b.get(rank)?.[key];
      const y = a.get(rank)?.[key];
      if (!same(x, y)) out.push({ field, sub: rank, before: pts(x), after: pts(y) });
    }
  }
  return out;
}

/** The before/after table: the registered fields that changed (or all of them for a creation). */
export function changesOf(r: RawAuditRow, lookup: Lookup, subject?: AuditSubject): AuditChange[] {
  const before = obj(r.before);
  const after = obj(r.after);
  const special = figureChanges(before, after) ?? rankChanges(before, after);
  if (special) return special;
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter(isAuditField);
  const out: AuditChange[] = [];
  for (const f of fields) {
    // The currency is shown with each amount; a member already named as the subject is not repeated.
    if (f === 'currency' && fields.some((x) => AUDIT_FIELD_TYPES[x] === 'money')) continue;
    const b = before?.[f];
    const a = after?.[f];
    if (before && after && same(b, a)) continue;
    if (f === 'memberId' && subject?.memberId != null && str(a ?? b) === subject.memberId) continue;
    const bv = before ? valueOf(f, b, before, after, lookup) : null;
    const av = after ? valueOf(f, a, after, before, lookup) : null;
    if (!bv && !av) continue;
    out.push({ field: f, sub: null, before: bv, after: av });
  }
  return out;
}

export function describe(r: RawAuditRow, lookup: Lookup): { subject: AuditSubject; changes: AuditChange[] } {
  const subject = subjectOf(r, lookup);
  return { subject, changes: changesOf(r, lookup, subject) };
}
