import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { auditLog } from '../../db/schema';
import { rows as typedRows } from '../../db/rows';
import type { DbOrTx } from '../../db/client';
import { reader } from '../../kernel/wrappers';
import type { CallContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import { describe, lookupKey, wanted, type Lookup, type RawAuditRow, type RefKind } from './describe';

interface RefRow {
  kind: RefKind;
  key: string;
  ref: string | null;
  name: string | null;
  member_id: string | null;
  member_code: string | null;
}

/**
 * The names behind a page of audit rows, in one query whatever the page holds: members by code and
 * name; withdrawals, orders and autoships with their member; staff by username; plan versions and
 * products by name. Ids travel as one comma-separated text per kind (validated digits / uuids).
 */
export async function resolveRefs(db: DbOrTx, page: RawAuditRow[]): Promise<Lookup> {
  const w = wanted(page);
  const lookup: Lookup = new Map();
  if (Object.values(w).every((s) => s.size === 0)) return lookup;
  const ids = (k: RefKind) => [...w[k]].join(',');
  const list = (k: RefKind, type: 'bigint' | 'int' | 'uuid') => sql`any(string_to_array(${ids(k)}, ',')::${sql.raw(type)}[])`;
  const person = sql`m.first_name || ' ' || m.last_name`;
  const found = await typedRows<RefRow>(
    db,
    sql`
    select 'member' as kind, m.id::text as key, m.code as ref, ${person} as name, m.id::text as member_id, m.code as member_code
      from members m where m.id = ${list('member', 'bigint')}
    union all
    select 'withdrawal', w.id::text, w.id::text, ${person}, m.id::text, m.code
      from withdrawals w join members m on m.id = w.member_id where w.id = ${list('withdrawal', 'bigint')}
    union all
    select 'order', o.id::text, o.id::text, ${person}, m.id::text, m.code
      from orders o join members m on m.id = o.member_id where o.id = ${list('order', 'bigint')}
    union all
    select 'autoship', a.id::text, a.id::text, ${person}, m.id::text, m.code
      from autoship_subscriptions a join members m on m.id = a.member_id where a.id = ${list('autoship', 'bigint')}
    union all
    select 'staff', s.id::text, s.username, s.display_name, null, null from staff s where s.id = ${list('staff', 'uuid')}
    union all
    select 'plan_version', p.id::text, p.id::text, p.name, null, null from plan_versions p where p.id = ${list('plan_version', 'int')}
    union all
    select 'product', p.id::text, p.sku, p.name, null, null from products p where p.id = ${list('product', 'int')}`,
  );
  for (const r of found) lookup.set(lookupKey(r.kind, r.key), { ref: r.ref, name: r.name, memberId: r.member_id, memberCode: r.member_code });
  return lookup;
}

async function list(input: ParsedInputOf<'audit.list'>, ctx: CallContext) {
  const where: SQL[] = [];
  if (input.action) where.push(eq(auditLog.action, input.action));
  if (input.staffUsername) where.push(eq(auditLog.staffUsername, input.staffUsername));
  if (input.entity) where.push(eq(auditLog.entity, input.entity));
  if (input.entityId) where.push(eq(auditLog.entityId, input.entityId));
  if (input.from) where.push(gte(auditLog.at, new Date(input.from)));
  if (input.to) where.push(lt(auditLog.at, new Date(input.to)));
  const cond = where.length ? and(...where) : undefined;
  const [rows, [count], actions] = await Promise.all([
    ctx.db
      .select()
      .from(auditLog)
      .where(cond)
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    ctx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(cond),
    ctx.db.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(auditLog.action),
  ]);
  const lookup = await resolveRefs(ctx.db, rows);
  return {
    rows: rows.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      staffId: r.staffId,
      staffUsername: r.staffUsername,
      action: r.action,
      entity: r.entity,
      entityId: r.entityId,
      before: r.before,
      after: r.after,
      reason: r.reason,
      ...describe(r, lookup),
    })),
    total: count?.n ?? 0,
    page: input.page,
    pageSize: input.pageSize,
    actions: actions.map((a) => a.action),
  };
}

export const auditHandlers = { 'audit.list': reader(list) };
