import { z } from 'zod';

export const ROLES = ['admin', 'finance', 'support'] as const;
export type Role = (typeof ROLES)[number];

/**
 * One procedure of the contract. `roles` is required: a procedure nobody listed roles for does not
 * type-check, and the contract test refuses an empty list. `public` is only for logging in.
 */
export interface Procedure<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  kind: 'query' | 'mutation';
  roles: readonly [Role, ...Role[]] | 'public';
  input: I;
  output: O;
  summary: string;
}

export const query = <I extends z.ZodType, O extends z.ZodType>(p: Omit<Procedure<I, O>, 'kind'>): Procedure<I, O> => ({ kind: 'query', ...p });
export const mutation = <I extends z.ZodType, O extends z.ZodType>(p: Omit<Procedure<I, O>, 'kind'>): Procedure<I, O> => ({ kind: 'mutation', ...p });

export const ALL_STAFF = ['admin', 'finance', 'support'] as const;

/** Paging shared by every list. */
export const PageInput = z.object({
  page: z.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.number().int().min(1).max(500).default(50),
});
export const pageOf = <T extends z.ZodType>(row: T) =>
  z.object({ rows: z.array(row), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
export const Ok = z.object({ ok: z.literal(true) });
export const Empty = z.object({}).strict().default({});
