import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { auditLog } from '../../db/schema';
import { reader } from '../../kernel/wrappers';
import type { CallContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';

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
    ctx.db.select().from(auditLog).where(cond).orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(input.pageSize).offset((input.page - 1) * input.pageSize),
    ctx.db.select({ n: sql<number>`count(*)::int` }).from(auditLog).where(cond),
    ctx.db.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(auditLog.action),
  ]);
  return {
    rows: rows.map((r) => ({ ...r, id: String(r.id), at: r.at.toISOString() })),
    total: count?.n ?? 0,
    page: input.page,
    pageSize: input.pageSize,
    actions: actions.map((a) => a.action),
  };
}

export const auditHandlers = { 'audit.list': reader(list) };
