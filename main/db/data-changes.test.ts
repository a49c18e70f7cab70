/**
 * Issue 16 item 3: the audit the database writes (drizzle/0042). Every change of a business row is
 * recorded by a row trigger in the same transaction with session_user — whoever made it, in the app
 * or from a SQL client — only the fields that changed, secrets never copied and payout numbers
 * masked; nobody (the owner included) can rewrite the trail, and only admins read it.
 */
import { refusal, staffLogins } from '../../test/logins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/app';
import { creditCommission, insertMembers, type TestMember } from '../../test/wallet-fixtures';

let t: TestApp;
let m: TestMember;
let owner: string;
const RESET = 'temporal-98765-xyz';
const logins = staffLogins(() => t);
const as = logins.as;

interface Change {
  db_login: string;
  app_staff: string | null;
  procedure: string | null;
  table_name: string;
  op: string;
  row_key: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}
const changes = (table: string) => t.database.sql<Change[]>`
  select db_login, app_staff, procedure, table_name, op, row_key, before, after from data_changes where table_name = ${table} order by id`;

beforeAll(async () => {
  t = await testApp();
  [m] = (await insertMembers(t.database.db, [{ firstName: 'Ana', lastName: 'López' }])) as [TestMember];
  owner = (await t.database.sql<{ owner: string }[]>`select session_user as owner`)[0]!.owner;
}, 120_000);
afterAll(async () => {
  await logins.closeAll();
  await t?.close();
});

describe('data_changes: written by the database, in the same transaction', () => {
  it('a member edit through the app: the login, the staff member, the procedure and only the changed fields', async () => {
    await t.must('members.update', { id: m.id, phone: '+52 33 1111 2222', reason: 'La socia dictó su número nuevo' }, t.tokens.support);
    const rows = (await changes('members')).filter((r) => r.op === 'UPDATE');
    expect(rows).toHaveLength(1);
    // The change ran on support's own PostgreSQL login (issue 16), not the app's.
    expect(rows[0]).toMatchObject({ db_login: t.login('nnp_soporte'), app_staff: 'soporte', procedure: 'members.update', row_key: String(m.id) });
    expect(Object.keys(rows[0]!.after!).sort()).toEqual(['phone', 'phone_digits']);
    expect(rows[0]!.after!.phone).toBe('+52 33 1111 2222');
    expect(rows[0]!.before!.phone).toBe(null);
  });

  it('a change made outside the app (a SQL client) is recorded too, with its login and no staff member', async () => {
    await t.database.sql`update members set email = 'ana@example.com' where id = ${m.id}`;
    const last = (await changes('members')).at(-1)!;
    expect(last).toMatchObject({ db_login: owner, app_staff: null, procedure: null, op: 'UPDATE', after: { email: 'ana@example.com' } });
    expect(Object.keys(last.before!)).toEqual(['email']);
  });

  it('a rolled-back change leaves no row; a derived field (career rank) alone is not a change of the member', async () => {
    const before = (await changes('members')).length;
    await t.database.sql
      .begin(async (tx) => {
        await tx`update members set first_name = 'Anita' where id = ${m.id}`;
        await tx`select 1/0`;
      })
      .catch(() => {});
    await t.database.sql`update members set career_rank = 3, downline_size = downline_size + 1 where id = ${m.id}`;
    expect((await changes('members')).length).toBe(before);
  });

  it('a password reset says the hash changed without copying it', async () => {
    const list = await t.must('staff.list', {}, t.tokens.admin);
    const fin = list.find((s) => s.username === 'finanzas')!;
    await t.must('staff.resetPassword', { id: fin.id, newPassword: RESET, reason: 'Olvidó su contraseña' }, t.tokens.admin);
    const last = (await changes('staff')).at(-1)!;
    expect(last).toMatchObject({ app_staff: 'admin', procedure: 'staff.resetPassword', op: 'UPDATE' });
    expect(last.after!.password_hash).toBe('***');
    const [leak] = await t.database.sql<{ n: number }[]>`
      select count(*)::int as n from data_changes d, staff s where d.before::text like '%' || s.password_hash || '%' or d.after::text like '%' || s.password_hash || '%'`;
    expect(leak!.n).toBe(0);
  });

  it('a payout account keeps only its last four digits in the trail', async () => {
    await t.must(
      'payoutDestinations.set',
      { memberId: m.id, country: 'MX', holderName: 'Ana López', taxId: 'LOPA800101AB1', clabe: '002180123456789013' },
      t.tokens.admin,
    );
    const [ins] = (await changes('payout_destinations')).filter((r) => r.op === 'INSERT');
    expect(ins).toMatchObject({ app_staff: 'admin', procedure: 'payoutDestinations.set' });
    expect(ins!.after).toMatchObject({ account_number: '…9013', tax_id: '…1AB1', holder_name: 'Ana López' });
    const [any] = await t.database.sql<
      { n: number }[]
    >`select count(*)::int as n from data_changes where after::text like '%002180123456789013%' or before::text like '%002180123456789013%'`;
    expect(any!.n).toBe(0);
  });

  it('a ledger transaction carries the login that posted it', async () => {
    await creditCommission(t.database.db, m.id, 'MXN', '10.00');
    const [row] = await t.database.sql<{ db_login: string }[]>`select db_login from ledger_transactions order by id desc limit 1`;
    expect(row!.db_login).toBe(owner);
  });
});

describe('data_changes: nobody rewrites it, only admins read it', () => {
  it('update, delete and truncate are refused, the owner included', async () => {
    expect(await refusal(t.database.sql, `update data_changes set app_staff = 'otro'`)).toBe('42501');
    expect(await refusal(t.database.sql, `delete from data_changes`)).toBe('42501');
    expect(await refusal(t.database.sql, `truncate data_changes`)).toBe('42501');
  });

  it('admin reads it; finance and support do not; no staff login writes it', async () => {
    const [n] = await as('nnp_admin_user')<{ n: number }[]>`select count(*)::int as n from data_changes`;
    expect(n!.n).toBeGreaterThan(0);
    expect(await refusal(as('nnp_finanzas', RESET), 'select * from data_changes limit 1')).toBe('42501');
    expect(await refusal(as('nnp_soporte'), 'select * from data_changes limit 1')).toBe('42501');
    expect(await refusal(as('nnp_admin_user'), `insert into data_changes (table_name, op) values ('members', 'UPDATE')`)).toBe('42501');
    expect(await refusal(as('nnp_admin_user'), `select nnp_record_change()`)).not.toBeNull();
  });
});
