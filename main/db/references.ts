/**
 * References between tables that are enforced by triggers instead of foreign keys
 * (drizzle/0033_ledger_references_per_statement.sql: a per-row foreign key costs one SPI query and
 * one FOR KEY SHARE row lock per inserted row; the ledger checks them once per statement).
 * `[referencing, referenced]`. Code that walks the reference graph through pg_constraint (to empty
 * a table and everything that points at it) must add these edges: TRUNCATE ... CASCADE does not
 * follow them, and the triggers refuse a TRUNCATE that would leave ledger rows pointing nowhere.
 */
export const TRIGGER_REFERENCES: readonly (readonly [string, string])[] = [
  ['ledger_accounts', 'members'],
  ['ledger_accounts', 'currencies'],
  ['ledger_entries', 'ledger_accounts'],
  ['ledger_entries', 'ledger_transactions'],
];

/**
 * SQL (a subquery body) listing every reference edge of the current schema as
 * (conrelid, confrelid) oids: the foreign keys and TRIGGER_REFERENCES.
 */
export const referenceEdgesSql = `
  select con.conrelid, con.confrelid from pg_constraint con where con.contype = 'f'
  union all
  select c.oid, p.oid from (values ${TRIGGER_REFERENCES.map(([a, b]) => `('${a}', '${b}')`).join(', ')}) v(referencing, referenced)
    join pg_class c on c.relname = v.referencing and c.relnamespace = current_schema()::regnamespace
    join pg_class p on p.relname = v.referenced and p.relnamespace = current_schema()::regnamespace`;
