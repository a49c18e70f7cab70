import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { contract, procedureNames, ROLES } from '../../shared/contract';
import { testApp, type TestApp } from '../../test/app';
import { handlers } from '../app/composition';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

const auditCount = async () => Number((await t.database.sql`select count(*)::int as n from audit_log`)[0]!.n);

describe('the contract guards every procedure', () => {
  it('every procedure declares its roles and has a handler of the same kind', () => {
    for (const name of procedureNames) {
      const p = contract[name];
      if (p.roles === 'public') expect(name).toBe('auth.login');
      else {
        expect(Array.isArray(p.roles) && p.roles.length > 0, `${name} has no role list`).toBe(true);
        for (const r of p.roles) expect(ROLES).toContain(r);
      }
      expect(handlers[name], `${name} has no handler`).toBeTypeOf('function');
      expect(handlers[name].kind, `${name} handler kind`).toBe(p.kind);
    }
    expect(Object.keys(handlers).sort()).toEqual([...procedureNames].sort());
  });

  it.each(procedureNames.filter((n) => contract[n].roles !== 'public'))('%s: no session → UNAUTHENTICATED, changes nothing', async (name) => {
    const before = await auditCount();
    const r = await t.call(name, {}, null);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('UNAUTHENTICATED');
    const bad = await t.call(name, {}, 'not-a-token');
    expect(!bad.ok && bad.error.code).toBe('UNAUTHENTICATED');
    expect(await auditCount()).toBe(before);
  });

  it.each(procedureNames.filter((n) => contract[n].roles !== 'public'))('%s: every role outside its list → FORBIDDEN', async (name) => {
    const roles = contract[name].roles as readonly string[];
    for (const role of ROLES.filter((r) => !roles.includes(r))) {
      const before = await auditCount();
      const r = await t.call(name, {}, t.tokens[role]);
      expect(!r.ok && r.error.code, `${name} as ${role}`).toBe('FORBIDDEN');
      expect(await auditCount()).toBe(before);
    }
  });

  it.each(procedureNames)('%s: malformed input → VALIDATION, changes nothing', async (name) => {
    const roles = contract[name].roles;
    const token = roles === 'public' ? null : t.tokens[roles[0]!];
    const before = await auditCount();
    for (const bad of [[1, 2], 'text', 42, { unexpectedField: '\u0000<script>' }]) {
      const r = await t.call(name, bad, token);
      expect(!r.ok && r.error.code, `${name} with ${JSON.stringify(bad)}`).toBe('VALIDATION');
    }
    expect(await auditCount()).toBe(before);
  });

  it('unknown procedure → NOT_FOUND', async () => {
    const r = await t.call('members.dropEverything' as never, {}, t.tokens.admin);
    expect(!r.ok && r.error.code).toBe('NOT_FOUND');
  });

  it('the audit table has rows for the logins of set-up', async () => {
    const rows = await t.database.db.execute(sql`select action from audit_log`);
    expect(rows.length).toBeGreaterThanOrEqual(3);
  });
});
