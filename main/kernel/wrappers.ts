import { sql } from 'drizzle-orm';
import type { CallContext, MutationContext, AuditEntry } from './context';
import { auditLog } from '../db/schema';
import { AppError } from '../../shared/errors';
import type { OutputOf, ParsedInputOf, ProcedureName } from '../../shared/contract';

export type QueryFn<I, O> = (input: I, ctx: CallContext) => Promise<O>;
export type MutationFn<I, O> = (input: I, ctx: MutationContext) => Promise<O>;
export type Handler<I, O> = ((input: I, ctx: CallContext) => Promise<O>) & { kind: 'query' | 'mutation'; engine?: string };

/** Every procedure of the contract must have exactly one handler: the type refuses a gap. */
export type Handlers = { [K in ProcedureName]: Handler<ParsedInputOf<K>, OutputOf<K>> };

class CommitThenFail extends Error {
  constructor(public readonly error: Error) {
    super('commit-then-fail');
  }
}

/** A read: no transaction needed, nothing audited. */
export function reader<I, O>(fn: QueryFn<I, O>): Handler<I, O> {
  return Object.assign((input: I, ctx: CallContext) => fn(input, ctx), { kind: 'query' as const });
}

/**
 * A change: runs in one transaction that also writes its audit row(s). A mutation that wrote no
 * audit row is a bug, and the transaction is rolled back rather than leave an unaudited change.
 */
export function mutator<I, O>(fn: MutationFn<I, O>): Handler<I, O> {
  const run = async (input: I, ctx: CallContext): Promise<O> => {
    let deferred: Error | null = null;
    const result = await ctx.db.transaction(async (tx) => {
      // Who and what, for the rows the database writes itself (data_changes, drizzle/0042): for this transaction only.
      await tx.execute(sql`select set_config('nnp.staff', ${ctx.staff?.username ?? ''}, true), set_config('nnp.procedure', ${ctx.procedure}, true)`);
      let audited = 0;
      const mctx: MutationContext = {
        ...ctx,
        tx,
        audit: async (e: AuditEntry) => {
          audited++;
          await tx.insert(auditLog).values({
            staffId: e.actor ? e.actor.id : (ctx.staff?.id ?? null),
            staffUsername: e.actor ? e.actor.username : (ctx.staff?.username ?? null),
            action: e.action ?? ctx.procedure,
            entity: e.entity,
            entityId: e.entityId == null ? null : String(e.entityId),
            before: (e.before ?? null) as never,
            after: (e.after ?? null) as never,
            reason: e.reason ?? null,
          });
        },
        failAfterCommit: (err: Error): never => {
          throw new CommitThenFail(err);
        },
      };
      try {
        const out = await fn(input, mctx);
        if (audited === 0) throw new Error(`mutation ${ctx.procedure} wrote no audit row`);
        return out;
      } catch (e) {
        if (e instanceof CommitThenFail) {
          if (audited === 0) throw new Error(`mutation ${ctx.procedure} wrote no audit row`);
          deferred = e.error;
          return undefined as O;
        }
        throw e;
      }
    });
    if (deferred) throw deferred;
    return result;
  };
  return Object.assign(run, { kind: 'mutation' as const });
}

/**
 * A change the engine service runs (issue 16, main/ipc/engine.ts): the procedures that run the
 * commission engine over many tables (volumes, ranks, commission lines, ledger postings). A signed-in
 * desktop does not run them on its person's login, nor on an owner's login of its own: it asks the
 * engine through nnp_engine_request, and the engine runs this handler as that person. `why` names
 * the reason; the boundary test lists these procedures.
 */
export function viaEngine<I, O>(why: string, h: Handler<I, O>): Handler<I, O> {
  return Object.assign((input: I, ctx: CallContext) => h(input, ctx), { kind: h.kind, engine: why });
}

/** Turns a PostgreSQL constraint failure into the typed error the staff can act on. */
export function mapDbError(e: unknown): AppError | null {
  // Drizzle wraps the driver's error: the SQLSTATE is on its cause.
  const raw = e as { code?: string; cause?: unknown };
  const err = (typeof raw?.code === 'string' ? raw : (raw?.cause ?? raw)) as { code?: string; constraint_name?: string; detail?: string; message?: string };
  if (err && typeof err.code === 'string') {
    if (err.code === '23505') return AppError.of('CONFLICT', 'db.duplicate', {}, { constraint: err.constraint_name });
    if (err.code === '23503') return AppError.of('VALIDATION', 'db.missingReference', {}, { constraint: err.constraint_name });
    if (err.code === '23514') return AppError.of('VALIDATION', 'db.rule', {}, { constraint: err.constraint_name });
    if (err.code === '40001' || err.code === '40P01') return AppError.of('CONFLICT', 'db.concurrent');
    if (err.code === '22P02' || err.code === '22003') return AppError.of('VALIDATION', 'db.format');
    // The person's own login was refused by PostgreSQL: their group lacks the privilege, or the
    // login was disabled / its password changed elsewhere (sign in again).
    if (err.code === '42501') return AppError.of('FORBIDDEN', 'db.privilege');
    if (err.code === '28P01' || err.code === '28000') return AppError.of('UNAUTHENTICATED', 'router.session');
  }
  return null;
}
