/**
 * Issue 16: the database is the boundary. Connects to the test database as each group's staff
 * login (nnp_admin_user, nnp_finanzas, nnp_soporte: real PostgreSQL logins made by the app with the
 * staff password) and proves that every statement the review ran from outside is refused —
 * balance updates, appending entries, flipping a hold, TRUNCATE, ledger_post with allow_negative,
 * session_replication_role, DISABLE TRIGGER — that each group reads only what its role reads, and
 * that audit rows are insert-only for everyone (the owner too). The staff procedures keep the
 * login roles in step (create, disable + connections ended, re-role, reset, own password change).
 */
import { refusal, staffLogins } from '../../test/logins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, TEST_PASSWORD, type TestApp } from '../../test/app';
import { appConfig, createAppRouter, createServices } from '../app';
import { loginRoleName, scramVerifier } from '../services/staff/logins';
import { hashPassword } from '../services/auth/password';
import { hashToken, resolveSession } from '../services/auth/sessions';
import { creditCommission, insertMembers } from '../../test/wallet-fixtures';
import { runLedgerCheck } from '../services/ledger/check';
import { postTransfer } from '../services/ledger/ledger';
import { handlers } from '../app/composition';

let t: TestApp;
const logins = staffLogins(() => t);
const as = logins.as;

beforeAll(async () => {
  t = await testApp();
}, 120_000);
afterAll(async () => {
  await logins.closeAll();
  await t?.close();
});

const LOGINS = { admin: 'nnp_admin_user', finance: 'nnp_finanzas', support: 'nnp_soporte' } as const;

describe('each staff account is its own PostgreSQL login in one group', () => {
  it('the test staff are real logins, each a member of exactly its group, with no special powers', async () => {
    for (const [role, login] of Object.entries(LOGINS)) {
      const c = as(login);
      const [me] =
        await c`select session_user as u, pg_has_role(session_user, 'nnp_admin', 'MEMBER') as a, pg_has_role(session_user, 'nnp_finance', 'MEMBER') as f,
        pg_has_role(session_user, 'nnp_support', 'MEMBER') as s, (select rolsuper or rolcreaterole or rolcreatedb or rolbypassrls from pg_roles where rolname = session_user) as powers`;
      expect(me).toEqual({ u: t.login(login), a: role === 'admin', f: role === 'finance', s: role === 'support', powers: false });
    }
    expect(loginRoleName('Admin')).toBe('nnp_admin_user');
    expect(loginRoleName('Nuevo.Soporte')).toBe('nnp_nuevo.soporte');
  });

  it('a wrong password is refused by PostgreSQL itself', async () => {
    expect(await refusal(as(LOGINS.finance, 'no-es-la-clave-123'), 'select 1')).toBe('28P01');
  });
});

describe("forbidden statements are refused for every group (the review's list)", () => {
  beforeAll(async () => {
    // A wallet with a posted commission, so that every statement has rows to hit.
    const [m] = await insertMembers(t.database.db, [{}]);
    await creditCommission(t.database.db, m!.id, 'MXN', '100.00');
  });

  const FORBIDDEN: [string, string][] = [
    ['update a balance', `update ledger_accounts set balance = balance + 1000000`],
    [
      'append entries to a posted transaction',
      `insert into ledger_entries (transaction_id, account_id, amount, currency) select id, 1, 1, currency from ledger_transactions limit 1`,
    ],
    ['flip a hold by its status', `update ledger_transactions set status = 'voided' where status = 'pending'`],
    ['TRUNCATE the entries', `truncate ledger_entries`],
    ['TRUNCATE the accounts', `truncate ledger_accounts cascade`],
    ['delete entries', `delete from ledger_entries`],
    // Approval columns are granted to admin and finance (drizzle/0046, tested below); amounts and rows are not.
    ['write withdrawals', `update withdrawals set amount = amount * 10`],
    ['delete withdrawals', `delete from withdrawals`],
    ['write a report of earnings', `insert into period_earnings_built (period_id, rows, ms) values (1, 0, 0)`],
    ['write a payout report', `insert into period_payouts (period_id, figures) values (1, '{}'::jsonb)`],
    ['write commission lines', `update commission_lines set amount = amount * 10`],
    ['write periods', `update periods set status = 'open'`],
    ['insert an audit row', `insert into audit_log (action, entity) values ('x', 'y')`],
    ['rewrite audit rows', `update audit_log set reason = 'nada'`],
    ['delete audit rows', `delete from audit_log`],
    ['ledger_post with allow_negative', `select ledger_post(null, null, 'adjustment', 'MXN', 'posted', true, '{}'::jsonb, null, null, '[]'::jsonb, now())`],
    ['ledger_post_many', `select ledger_post_many('[]'::jsonb, now())`],
    [
      'write the withdrawal totals',
      `insert into withdrawal_totals (status, country, currency, risk_mask, n, amount, fee, net) values ('pending', 'MX', 'MXN', 0, 1, 1000000, 0, 1000000)`,
    ],
    ['write wallet checkpoints', `insert into ledger_wallet_checkpoints (account_id, through_entry, balance) values (1, 1, 1000000)`],
    ['session_replication_role = replica', `set session_replication_role = replica`],
    ['DISABLE TRIGGER', `alter table ledger_entries disable trigger all`],
    ['ALTER TABLE', `alter table ledger_accounts drop constraint ledger_accounts_pending_nonneg`],
    ['CREATE in the schema', `create table public.x (a int)`],
    ['create a role', `create role nnp_intruso login password 'x'`],
  ];

  for (const role of ['admin', 'finance', 'support'] as const) {
    it(`as ${role}: every forbidden statement is refused (42501 insufficient privilege / must be owner)`, async () => {
      const c = as(LOGINS[role]);
      const got: Record<string, string | null> = {};
      for (const [name, statement] of FORBIDDEN) got[name] = await refusal(c, statement);
      expect(got).toEqual(Object.fromEntries(FORBIDDEN.map(([name]) => [name, '42501'])));
    });
  }

  it('nothing changed: balances still equal their entries', async () => {
    const [m] = await t.database.sql`select count(*)::int as n from ledger_mismatches()`;
    expect(m!.n).toBe(0);
  });
});

describe('reads follow the role matrix', () => {
  it('everyone reads members, genealogy, orders, volumes, commission lines and wallets', async () => {
    for (const login of Object.values(LOGINS)) {
      const c = as(login);
      for (const table of ['members', 'member_paths', 'orders', 'member_volumes', 'commission_lines', 'ledger_entries', 'autoship_subscriptions']) {
        expect(await refusal(c, `select count(*) from ${table}`), `${login} ${table}`).toBeNull();
      }
    }
  });

  it('support never reads password hashes, sessions, staff, withdrawals (payout destinations) or the audit trail', async () => {
    const c = as(LOGINS.support);
    for (const q of [
      'select password_hash from staff',
      'select role, active, locked_until from staff',
      'select account_number from payout_destinations',
      'select token_hash from sessions',
      'select stripe_destination from withdrawals',
      'select * from audit_log limit 1',
      'select * from login_failures',
    ]) {
      expect(await refusal(c, q), q).toBe('42501');
    }
  });

  it("support reads colleagues' names, a member's withdrawals without destinations, and payout accounts cut to their last four by the database", async () => {
    const c = as(LOGINS.support);
    expect(await refusal(c, 'select id, username, display_name from staff')).toBeNull();
    expect(await refusal(c, 'select id, member_id, status, amount, currency, requested_at from withdrawals')).toBeNull();
    const owner = t.database.sql;
    const [m] = await insertMembers(t.database.db, [{}]);
    await owner`insert into payout_destinations (member_id, country, holder_name, tax_id, bank_code, bank_name, account_number)
      values (${m!.id}, 'MX', 'Titular Prueba', 'ABCD800101XYA', '012', 'BBVA Bancomer', '012180001234567899')`;
    const [d] = await c<{ account_number: string; tax_id: string }[]>`select account_number, tax_id from payout_destinations_masked where member_id = ${m!.id}`;
    expect(d).toEqual({ account_number: '7899', tax_id: '1XYA' });
  });

  it('admin lists staff without their password hashes; no group reads sessions', async () => {
    const a = as(LOGINS.admin);
    expect(await refusal(a, 'select username, role, active from staff')).toBeNull();
    expect(await refusal(a, 'select password_hash from staff')).toBe('42501');
    expect(await refusal(a, 'select token_hash from sessions')).toBe('42501');
    expect(await refusal(as(LOGINS.finance), 'select token_hash from sessions')).toBe('42501');
    expect(await refusal(as(LOGINS.finance), 'select stripe_destination from withdrawals')).toBeNull();
  });
});

describe("a signed-in person's reads run on their own login", () => {
  it("the database checks each read against the grants of the person's group, not the owner's", async () => {
    const q = { q: 'a' };
    expect((await t.call('members.search', q, t.tokens.support)).ok).toBe(true);
    const [seen] = await t.database.sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where datname = current_database() and usename = ${t.login(LOGINS.support)}`;
    expect(seen!.n).toBeGreaterThan(0);
    // The owner takes support's read of members away: support's search is refused by PostgreSQL
    // itself (a typed FORBIDDEN, nothing else), while admin's same search still works.
    await t.database.sql`revoke select on members, member_search from nnp_support`;
    try {
      const refused = await t.call('members.search', q, t.tokens.support);
      expect(refused.ok ? null : refused.error.code).toBe('FORBIDDEN');
      expect(refused.ok ? null : refused.error.message).toBe('La base de datos no permite esta operación a su grupo de personal.');
      expect((await t.call('members.search', q, t.tokens.admin)).ok).toBe(true);
    } finally {
      await t.database.sql`grant select on members, member_search to nnp_support`;
    }
    expect((await t.call('members.search', q, t.tokens.support)).ok).toBe(true);
  });

  it('after a restart a session needs its password again (it is never stored); a new login works', async () => {
    const restarted = createAppRouter(
      createServices(t.database, appConfig('embedded'), () => {}),
      undefined,
      { engine: false },
    );
    const old = await restarted.call('members.search', { q: 'a' }, { transport: 'http', token: t.tokens.support });
    expect(old.ok ? null : old.error.code).toBe('UNAUTHENTICATED');
    const again = await restarted.call('auth.login', { username: 'soporte', password: TEST_PASSWORD }, { transport: 'http', token: null });
    if (!again.ok) throw new Error(again.error.message);
    const token = (again.data as { token: string }).token;
    expect((await restarted.call('members.search', { q: 'a' }, { transport: 'http', token })).ok).toBe(true);
  });
});

describe("a signed-in person's changes run on their own login too", () => {
  it('support corrects a phone and writes a note as nnp_soporte: the audit row, the data change and the note all carry that login', async () => {
    const [m] = await insertMembers(t.database.db, [{}]);
    const fixed = await t.call('members.update', { id: m!.id, phone: '+52 55 1234 9876', reason: 'llamó el socio' }, t.tokens.support);
    expect(fixed.ok ? null : fixed.error).toBeNull();
    const note = await t.call('members.addNote', { memberId: m!.id, text: 'Pidió corregir su teléfono.' }, t.tokens.support);
    expect(note.ok ? null : note.error).toBeNull();
    const me = t.login(LOGINS.support);
    const [audit] = await t.database.sql`select db_login, staff_username from audit_log where action = 'members.update' and entity_id = ${String(m!.id)}`;
    expect(audit).toEqual({ db_login: me, staff_username: 'soporte' });
    const [change] = await t.database
      .sql`select db_login, app_staff from data_changes where table_name = 'members' and op = 'UPDATE' and row_key = ${String(m!.id)} order by id desc limit 1`;
    expect(change).toEqual({ db_login: me, app_staff: 'soporte' });
    const [n] = await t.database.sql`select staff_username from member_notes where member_id = ${m!.id}`;
    expect(n!.staff_username).toBe('soporte');
    // The lookup index followed the correction (its trigger runs as the owner: support cannot write it).
    const [found] = await t.database.sql`select phone_digits from member_search where member_id = ${m!.id}`;
    expect(found!.phone_digits).toBe('525512349876');
  });

  it("a staff login cannot write an audit row or a note in anyone else's name, nor back-date one; the database stamps its own login", async () => {
    const [m] = await insertMembers(t.database.db, [{}]);
    const support = as(LOGINS.support);
    const [admin] = await t.database.sql`select id from staff where username = 'admin'`;
    const [soporte] = await t.database.sql`select id from staff where username = 'soporte'`;
    expect(await refusal(support, `insert into audit_log (staff_id, staff_username, action, entity) values ('${admin!.id}', 'admin', 'x', 'member')`)).toBe(
      '42501',
    );
    expect(await refusal(support, `insert into audit_log (staff_id, staff_username, action, entity) values (null, null, 'x', 'member')`)).toBe('42501');
    expect(
      await refusal(support, `insert into member_notes (member_id, staff_id, staff_username, text) values (${m!.id}, '${admin!.id}', 'admin', 'no fui yo')`),
    ).toBe('42501');
    // Support may insert but not read the trail: the owner reads the row back.
    await support.unsafe(
      `insert into audit_log (staff_id, staff_username, action, entity, entity_id, at, db_login) values ('${soporte!.id}', 'soporte', 'x', 'member', 'forged', '2020-01-01', 'postgres')`,
    );
    const [own] = await t.database.sql`select db_login, at from audit_log where entity_id = 'forged'`;
    expect(own!.db_login).toBe(t.login(LOGINS.support));
    expect(new Date(own!.at as string).getUTCFullYear()).toBeGreaterThan(2020);
  });

  it("a staff login's changes are recorded under its own account, whatever name it sets for the app", async () => {
    const [m] = await insertMembers(t.database.db, [{}]);
    const support = as(LOGINS.support);
    await support.begin(async (tx) => {
      await tx`select set_config('nnp.staff', 'admin', true)`;
      await tx`update members set phone = '+52 81 0000 1111' where id = ${m!.id}`;
    });
    const [c] = await t.database
      .sql`select db_login, app_staff from data_changes where table_name = 'members' and row_key = ${String(m!.id)} order by id desc limit 1`;
    expect(c).toEqual({ db_login: t.login(LOGINS.support), app_staff: 'soporte' });
  });

  it('each group changes only the columns its role may: support never a status, a sponsor, a Stripe account or a rate', async () => {
    const [m] = await insertMembers(t.database.db, [{}]);
    const support = as(LOGINS.support);
    for (const stmt of [
      `update members set status = 'suspended' where id = ${m!.id}`,
      `update members set sponsor_id = null where id = ${m!.id}`,
      `update members set stripe_account_id = 'acct_x' where id = ${m!.id}`,
      `insert into exchange_rates (currency, rate_to_mxn, effective_from) values ('USD', 1, now())`,
      `update products set pv = 0`,
      `insert into member_search (member_id, search_text) values (${m!.id}, 'x')`,
    ]) {
      expect(await refusal(support, stmt), stmt).toBe('42501');
    }
    const finance = as(LOGINS.finance);
    expect(await refusal(finance, `update members set phone = '1' where id = ${m!.id}`)).toBe('42501');
    expect(await refusal(as(LOGINS.admin), `update members set sponsor_id = null where id = ${m!.id}`)).toBe('42501');
  });

  it('only the changes the engine service runs (viaEngine: ledger postings, periods, moves) are not run on the person’s login; no read is', async () => {
    const owner = Object.entries(handlers)
      .filter(([, h]) => (h as { engine?: string }).engine)
      .map(([k, h]) => [k, h.kind] as const);
    expect(owner.every(([, kind]) => kind === 'mutation')).toBe(true);
    const names = owner.map(([k]) => k);
    for (const k of names) {
      expect(k, k).toMatch(/^(withdrawals|payoutDestinations|periods|orders|payments|genealogy)\./);
    }
    for (const k of [
      'members.update',
      'members.addNote',
      'members.setStatus',
      'rates.add',
      'catalogue.importApply',
      'autoship.pause',
      'programmes.shipGift',
      'commissions.preview',
      'plan.createDraft',
      'plan.publish',
      'withdrawals.approve',
      'withdrawals.approveMany',
      'withdrawals.reject',
      'withdrawals.markFailed',
      'withdrawals.setSettings',
      'withdrawals.bankFile',
      'withdrawals.markPaid',
      'withdrawals.payout',
      'withdrawals.request',
      'payoutDestinations.set',
      'orders.create',
      'auth.logout',
      'auth.changePassword',
      'staff.create',
      'staff.update',
      'staff.resetPassword',
      'programmes.saveCampaign',
    ]) {
      expect(names, k).not.toContain(k);
    }
  });
});

describe('four eyes on money, checked by the database: an approval from outside the app obeys the same rules', () => {
  const ids: Record<string, string> = {};
  let small = 0;
  let big = 0;
  beforeAll(async () => {
    for (const r of await t.database.sql<{ id: string; username: string }[]>`select id, username from staff`) ids[r.username] = r.id;
    const [m] = await insertMembers(t.database.db, [{}]);
    await creditCommission(t.database.db, m!.id, 'MXN', '90000.00');
    await t.must(
      'payoutDestinations.set',
      { memberId: m!.id, country: 'MX', holderName: 'Ana López Pérez', taxId: 'LOPA800101AB1', clabe: '002180123456789013' },
      t.tokens.admin,
    );
    // Entered by finance (finanzas): under and over the second-approval threshold (20,000 MXN).
    small = (await t.must('withdrawals.request', { memberId: m!.id, amount: '1000.00', currency: 'MXN' }, t.tokens.finance)).id;
    big = (await t.must('withdrawals.request', { memberId: m!.id, amount: '50000.00', currency: 'MXN' }, t.tokens.finance)).id;
  });
  const approve = (id: number, by: string, extra = '') =>
    `update withdrawals set status = 'approved', approved_by = '${ids[by]}', approved_at = now()${extra} where id = ${id}`;

  it("over the threshold, one person alone is refused; the requester never approves; nobody approves in another's name", async () => {
    const admin = as(LOGINS.admin);
    expect(await refusal(admin, approve(big, 'admin'))).toBe('23514');
    expect(await refusal(as(LOGINS.finance), approve(small, 'finanzas'))).toBe('23514');
    expect(await refusal(admin, approve(small, 'finanzas'))).toBe('42501');
    expect(await refusal(as(LOGINS.support), approve(small, 'soporte'))).toBe('42501');
    const [w] = await t.database.sql`select status from withdrawals where id = ${big}`;
    expect(w!.status).toBe('pending');
  });

  it('an approval in its own name goes through, but the destination paid is the one in force, copied by the database; nothing moves back', async () => {
    const admin = as(LOGINS.admin);
    expect(
      await refusal(admin, approve(small, 'admin', `, payout_destination = '{"accountNumber": "646180000099999999"}'::jsonb, payout_destination_id = null`)),
    ).toBeNull();
    const [w] = await t.database.sql`select status, approved_by, payout_destination_id, payout_destination from withdrawals where id = ${small}`;
    expect(w!.status).toBe('approved');
    expect(w!.approved_by).toBe(ids.admin);
    expect(w!.payout_destination_id).not.toBeNull();
    expect((w!.payout_destination as { accountNumber: string }).accountNumber).toBe('002180123456789013');
    expect(await refusal(admin, `update withdrawals set status = 'pending', approved_by = null where id = ${small}`)).toBe('42501');
    expect(await refusal(admin, `update withdrawals set status = 'paid' where id = ${small}`)).toBe('42501');
    // The change is on the record with the login that made it.
    const [c] = await t.database
      .sql`select db_login from data_changes where table_name = 'withdrawals' and row_key = ${String(small)} order by id desc limit 1`;
    expect(c!.db_login).toBe(t.login(LOGINS.admin));
  });

  it("a hold goes back to the wallet only with its withdrawal rejected, with a reason, in the rejecting login's own name", async () => {
    const [m] = await insertMembers(t.database.db, [{}]);
    await creditCommission(t.database.db, m!.id, 'MXN', '5000.00');
    const w = (await t.must('withdrawals.request', { memberId: m!.id, amount: '800.00', currency: 'MXN' }, t.tokens.finance)).id;
    const [h] = await t.database.sql`select hold_transaction_id as id from withdrawals where id = ${w}`;
    const admin = as(LOGINS.admin);
    // The ledger's own void, a bare status change, or the function without a reason / as support: refused.
    expect(await refusal(admin, `select ledger_resolve(${h!.id}, 'void', now())`)).toBe('42501');
    expect(
      await refusal(
        admin,
        `update withdrawals set status = 'rejected', rejected_by = '${ids.admin}', rejected_at = now(), rejection_reason = 'x x x' where id = ${w}`,
      ),
    ).toBe('42501');
    expect(await refusal(admin, `select nnp_withdrawal_reject(${w}, '', now(), null)`)).toBe('23514');
    expect(await refusal(as(LOGINS.support), `select nnp_withdrawal_reject(${w}, 'no procede', now(), null)`)).toBe('42501');
    // The shared caller check (0055) is the functions' own, not callable by a staff login.
    expect(await refusal(admin, `select nnp_money_staff('${ids.finanzas}', 'x')`)).toBe('42501');
    // In someone else's name: the function puts the caller's own account.
    expect(await refusal(admin, `select nnp_withdrawal_reject(${w}, 'Datos bancarios dudosos', now(), '${ids.finanzas}')`)).toBeNull();
    const [r] = await t.database
      .sql`select w.status, w.rejected_by, t.status as hold from withdrawals w join ledger_transactions t on t.id = w.hold_transaction_id where w.id = ${w}`;
    expect(r).toEqual({ status: 'rejected', rejected_by: ids.admin, hold: 'voided' });
    expect(await refusal(admin, `select nnp_withdrawal_reject(${w}, 'otra vez', now(), null)`)).toBe('23514');
    // The owner too: a withdrawal is never marked rejected while its hold is live.
    const w2 = (await t.must('withdrawals.request', { memberId: m!.id, amount: '600.00', currency: 'MXN' }, t.tokens.finance)).id;
    expect(
      await refusal(t.database.sql, `update withdrawals set status = 'rejected', rejected_at = now(), rejection_reason = 'sin liberar' where id = ${w2}`),
    ).toBe('23514');
    // Through the app, finance's rejection runs on finance's login and releases the hold.
    const done = await t.call('withdrawals.reject', { id: w2, reason: 'El socio la canceló por teléfono' }, t.tokens.finance);
    expect(done.ok ? done.data.status : done.error).toBe('rejected');
    const [a] = await t.database.sql`select db_login from audit_log where action = 'withdrawals.reject' and entity_id = ${String(w2)}`;
    expect(a!.db_login).toBe(t.login(LOGINS.finance));
  });

  it("a bounced bank transfer is marked failed only through its function, in the login's own name; paid needs a settlement, whoever writes", async () => {
    const [m] = await insertMembers(t.database.db, [{}]);
    await creditCommission(t.database.db, m!.id, 'MXN', '5000.00');
    await t.must(
      'payoutDestinations.set',
      { memberId: m!.id, country: 'MX', holderName: 'Luis Pérez Gómez', taxId: 'PEGL800101AB1', clabe: '002180123456789013' },
      t.tokens.admin,
    );
    const w = (await t.must('withdrawals.request', { memberId: m!.id, amount: '700.00', currency: 'MXN' }, t.tokens.finance)).id;
    const pending = (await t.must('withdrawals.request', { memberId: m!.id, amount: '650.00', currency: 'MXN' }, t.tokens.finance)).id;
    await t.must('withdrawals.approve', { id: w }, t.tokens.admin);
    await t.must('withdrawals.bankFile', { ids: [w] }, t.tokens.finance);
    const admin = as(LOGINS.admin);
    expect(await refusal(t.database.sql, `update withdrawals set status = 'paid', paid_at = now() where id = ${w}`)).toBe('23514');
    expect(await refusal(admin, `update withdrawals set status = 'failed', failed_at = now(), failure_reason = 'x x x' where id = ${w}`)).toBe('42501');
    expect(await refusal(as(LOGINS.support), `select nnp_withdrawal_bank_failed(${w}, 'CLABE inexistente', now(), null)`)).toBe('42501');
    expect(await refusal(admin, `select nnp_withdrawal_bank_failed(${pending}, 'CLABE inexistente', now(), null)`)).toBe('23514');
    expect(await refusal(admin, `select nnp_withdrawal_bank_failed(${w}, 'CLABE inexistente', now(), '${ids.finanzas}')`)).toBeNull();
    const [r] = await t.database
      .sql`select w.status, w.failed_by, t.status as hold from withdrawals w join ledger_transactions t on t.id = w.hold_transaction_id where w.id = ${w}`;
    expect(r).toEqual({ status: 'failed', failed_by: ids.admin, hold: 'voided' });
  });

  it("every payout step runs through its function, in the caller's own name; the settlement is the app's own posting", async () => {
    const [m] = await insertMembers(t.database.db, [{ stripeAccountId: 'acct_1BoundaryTest' }]);
    const [n] = await insertMembers(t.database.db, [{}]);
    await creditCommission(t.database.db, m!.id, 'MXN', '9000.00');
    await creditCommission(t.database.db, n!.id, 'MXN', '9000.00');
    await t.must(
      'payoutDestinations.set',
      { memberId: m!.id, country: 'MX', holderName: 'Rosa Díaz Ruiz', taxId: 'DIRR800101AB1', clabe: '002180123456789013' },
      t.tokens.admin,
    );
    const request = async (memberId: number, amount: string) =>
      (await t.must('withdrawals.request', { memberId, amount, currency: 'MXN' }, t.tokens.finance)).id;
    const bank = await request(m!.id, '1000.00');
    const stripe = await request(m!.id, '900.00');
    const noAccount = await request(n!.id, '800.00');
    const pending = await request(m!.id, '700.00');
    for (const id of [bank, stripe, noAccount]) await t.must('withdrawals.approve', { id }, t.tokens.admin);
    const admin = as(LOGINS.admin);
    const finance = as(LOGINS.finance);
    const support = as(LOGINS.support);

    // Bank file: not by hand, not as support, only approved withdrawals with a destination, in the caller's name.
    expect(await refusal(finance, `update withdrawals set status = 'processing' where id = ${bank}`)).toBe('23514');
    expect(await refusal(finance, `update withdrawals set status = 'processing', payout_method = 'bank_file' where id = ${bank}`)).toBe('42501');
    expect(await refusal(finance, `insert into payout_batches (count, totals, file_name) values (1, '[]', 'x.csv')`)).toBe('42501');
    expect(await refusal(support, `select nnp_withdrawal_bank_batch('{${bank}}', now(), null)`)).toBe('42501');
    expect(await refusal(finance, `select nnp_withdrawal_bank_batch('{${bank},${pending}}', now(), null)`)).toBe('23514');
    expect(await refusal(finance, `select nnp_withdrawal_bank_batch('{${noAccount}}', now(), null)`)).toBe('23514');
    expect(await refusal(finance, `select nnp_withdrawal_bank_batch('{${bank}}', now(), '${ids.admin}')`)).toBeNull();
    const [b] = await t.database.sql`select w.status, w.processing_by, p.created_by, p.count, p.totals
      from withdrawals w join payout_batches p on p.id = w.bank_batch_id where w.id = ${bank}`;
    expect(b).toEqual({
      status: 'processing',
      processing_by: ids.finanzas,
      created_by: ids.finanzas,
      count: 1,
      totals: [{ currency: 'MXN', count: 1, amount: '1000.00', fee: '20.00', net: '980.00' }],
    });

    // Paid: never by hand; whoever approved it alone does not confirm it; someone else does, in their own name.
    expect(await refusal(finance, `update withdrawals set status = 'paid', paid_by = '${ids.finanzas}' where id = ${bank}`)).toBe('42501');
    expect(await refusal(finance, `update withdrawals set status = 'paid' where id = ${bank}`)).toBe('42501');
    expect(await refusal(admin, `select nnp_withdrawal_bank_paid(${bank}, 'SPEI 123', now(), null)`)).toBe('42501');
    expect(await refusal(finance, `select nnp_withdrawal_bank_paid(${bank}, '  ', now(), null)`)).toBe('23514');
    expect(await refusal(finance, `select nnp_withdrawal_bank_paid(${bank}, 'SPEI 123', now(), '${ids.admin}')`)).toBeNull();
    expect(await refusal(finance, `select nnp_withdrawal_bank_paid(${bank}, 'SPEI 123', now(), null)`)).toBe('23514');

    // Stripe: the connected account is the member's, read by the database; the outcome in the caller's name.
    expect(await refusal(finance, `select nnp_withdrawal_stripe_start(${noAccount}, now(), null)`)).toBe('23514');
    expect(await refusal(support, `select nnp_withdrawal_stripe_start(${stripe}, now(), null)`)).toBe('42501');
    const [started] = await finance.unsafe<{ attempt: string }[]>(`select nnp_withdrawal_stripe_start(${stripe}, now(), null) as attempt`);
    const attempt = started!.attempt;
    expect(await refusal(finance, `update withdrawals set status = 'paid', paid_by = '${ids.finanzas}' where id = ${stripe}`)).toBe('42501');
    expect(await refusal(support, `select nnp_withdrawal_stripe_outcome(${stripe}, ${attempt}, 'paid', 'tr_1Boundary', null, null, now(), null)`)).toBe(
      '42501',
    );
    expect(await refusal(finance, `select nnp_withdrawal_stripe_outcome(${stripe}, ${attempt}, 'paid', null, null, null, now(), null)`)).toBe('23514');
    expect(await refusal(finance, `select nnp_withdrawal_stripe_outcome(${stripe}, ${attempt}, 'paid', 'tr_1Boundary', null, null, now(), null)`)).toBeNull();

    const rows = await t.database.sql`select w.id, w.status, w.paid_by, w.stripe_destination, h.status as hold, s.id as settle
      from withdrawals w join ledger_transactions h on h.id = w.hold_transaction_id join ledger_transactions s on s.id = w.settle_transaction_id
      where w.id in (${bank}, ${stripe}) order by w.id`;
    expect(rows.map((r) => [r.status, r.paid_by, r.hold])).toEqual([
      ['paid', ids.finanzas, 'posted'],
      ['paid', ids.finanzas, 'posted'],
    ]);
    expect(rows[1]!.stripe_destination).toBe('acct_1BoundaryTest');
    // The database's settlements are the very postings the app made: the app posting them again is a replay, not a conflict.
    for (const [id, method, clearing] of [
      [bank, 'bank_file', 'withdrawal_clearing'],
      [stripe, 'stripe', 'payouts_clearing'],
    ] as const) {
      const [w] = await t.database.sql`select amount, fee, net from withdrawals where id = ${id}`;
      const again = await postTransfer(t.database.db, {
        idempotencyKey: `withdrawal:${id}:settle`,
        kind: 'withdrawal.settle',
        currency: 'MXN',
        entries: [
          { account: { company: 'withdrawal_holds' }, amount: `-${w!.amount}` },
          { account: { company: clearing }, amount: w!.net },
          { account: { company: 'fee_income' }, amount: w!.fee },
        ],
        reference: { withdrawalId: id, method },
      });
      expect(again).toEqual({ transactionId: Number(rows.find((r) => Number(r.id) === id)!.settle), replayed: true, status: 'posted' });
    }
    const [check] = await t.database.sql`select count(*)::int as n from ledger_mismatches()`;
    expect(check!.n).toBe(0);
    const changes = await t.database.sql`select distinct db_login from data_changes where table_name = 'withdrawals'
      and row_key in (${String(bank)}, ${String(stripe)}) and after->>'status' in ('processing', 'paid')`;
    expect(changes.map((c) => c.db_login)).toEqual([t.login(LOGINS.finance)]);
  });

  it("a request is the database's own: the plan's fee, the hold, the risk flags and the requester, whatever the caller says", async () => {
    const [m] = await insertMembers(t.database.db, [{ enrolledAt: new Date(Date.now() - 5 * 86_400_000) }]);
    await creditCommission(t.database.db, m!.id, 'MXN', '3000.00');
    const finance = as(LOGINS.finance);
    const req = (amount: string, extra = `'MXN', null, gen_random_uuid()::text, now(), null`) =>
      `select * from nnp_withdrawal_request(${m!.id}, ${amount}, ${extra})`;
    // Not by hand, not as support, not as the member app, not below the minimum or with more than two decimals, not beyond the wallet.
    expect(
      await refusal(
        finance,
        `insert into withdrawals (member_id, country, currency, amount, fee, net, status, source, hold_transaction_id)
         values (${m!.id}, 'MX', 'MXN', 100, 0, 100, 'pending', 'staff', 1)`,
      ),
    ).toBe('42501');
    expect(await refusal(as(LOGINS.support), req('500'))).toBe('42501');
    expect(await refusal(finance, req('500', `'MXN', null, gen_random_uuid()::text, now(), null, 'member_app'`))).toBe('42501');
    expect(await refusal(finance, req('5'))).toBe('23514');
    expect(await refusal(finance, req('500.001'))).toBe('23514');
    expect(await refusal(finance, req('500', `'USD', null, gen_random_uuid()::text, now(), null`))).toBe('NP004');
    expect(await refusal(finance, req('5000'))).toBe('NP002');
    // What a person types keeps the contract's sizes from a SQL client too.
    expect(await refusal(finance, req('500', `'MXN', '${'x'.repeat(501)}', gen_random_uuid()::text, now(), null`))).toBe('23514');
    // In someone else's name: the requester is the caller; fee and net from the plan (2 %, at least 20 MXN); flags by the database.
    const [made] = await finance.unsafe<{ withdrawal_id: string; replayed: boolean }[]>(
      req('1000', `'MXN', 'por teléfono', 'boundary-request-1', now(), '${ids.admin}'`),
    );
    expect(made!.replayed).toBe(false);
    const [w] = await t.database.sql`select w.amount, w.fee, w.net, w.status, w.requested_by, w.risk_mask, w.risk_details ? 'new_member' as new_member,
      h.status as hold from withdrawals w join ledger_transactions h on h.id = w.hold_transaction_id where w.id = ${made!.withdrawal_id}`;
    expect(w).toEqual({
      amount: '1000.00',
      fee: '20.00',
      net: '980.00',
      status: 'pending',
      requested_by: ids.finanzas,
      risk_mask: 8 | 16,
      new_member: true,
      hold: 'pending',
    });
    // The same key again answers the first request; with another amount it is a conflict.
    const [again] = await finance.unsafe<{ withdrawal_id: string; replayed: boolean }[]>(req('1000', `'MXN', null, 'boundary-request-1', now(), null`));
    expect(again).toEqual({ withdrawal_id: made!.withdrawal_id, replayed: true });
    expect(await refusal(finance, req('900', `'MXN', null, 'boundary-request-1', now(), null`))).toBe('NP001');
    // The database's hold is the very posting the app made before: the app posting it again is a replay.
    const replay = await postTransfer(t.database.db, {
      idempotencyKey: 'withdrawal:request:boundary-request-1',
      kind: 'withdrawal.hold',
      currency: 'MXN',
      pending: true,
      entries: [
        { account: { member: m!.id }, amount: '-1000.00' },
        { account: { company: 'withdrawal_holds' }, amount: '1000.00' },
      ],
      reference: { memberId: m!.id, source: 'staff' },
    });
    expect(replay.replayed).toBe(true);
  });

  it("a staff login's money steps happen at the database's time, whatever instant the desktop sends (unless the database trusts the app's clock)", async () => {
    const [m] = await insertMembers(t.database.db, [{}]);
    await creditCommission(t.database.db, m!.id, 'MXN', '5000.00');
    const finance = as(LOGINS.finance);
    const request = async (key: string) => {
      const [r] = await finance.unsafe<{ withdrawal_id: string }[]>(
        `select * from nnp_withdrawal_request(${m!.id}, 1000, 'MXN', null, '${key}', '2021-03-01T12:00:00Z', null)`,
      );
      const [w] = await t.database.sql<{ requested: Date; hold: Date }[]>`select w.requested_at as requested, h.created_at as hold
        from withdrawals w join ledger_transactions h on h.id = w.hold_transaction_id where w.id = ${r!.withdrawal_id}`;
      return { id: r!.withdrawal_id, ...w! };
    };
    const recent = (d: Date | string) => Math.abs(new Date(d).getTime() - Date.now()) < 60_000;
    try {
      await t.database.sql`update db_instance set app_clock_trusted = false`;
      const w = await request('clock-default');
      expect([recent(w.requested), recent(w.hold)]).toEqual([true, true]);
      expect(
        await refusal(as(LOGINS.admin), approve(Number(w.id), 'admin', `, approved_at = '2020-01-01T00:00:00Z'`).replace(/approved_at = now\(\), /, '')),
      ).toBeNull();
      const [a] = await t.database.sql<{ approved_at: Date }[]>`select approved_at from withdrawals where id = ${w.id}`;
      expect(recent(a!.approved_at)).toBe(true);
      // The bodies behind the doors are no staff login's to call.
      expect(await refusal(finance, `select * from nnp_withdrawal_request_at(${m!.id}, 1000, 'MXN', null, 'x', now(), null, 'staff')`)).toBe('42501');
      // A database that trusts the app's clock (the test suite's copies) takes the instant given.
      await t.database.sql`update db_instance set app_clock_trusted = true`;
      const trusted = await request('clock-trusted');
      expect(new Date(trusted.requested).toISOString()).toBe('2021-03-01T12:00:00.000Z');
    } finally {
      await t.database.sql`update db_instance set app_clock_trusted = true`;
    }
  });

  it("the approval threshold: only that setting, positive, in the admin's own name; no other group sets it", async () => {
    const admin = as(LOGINS.admin);
    const set = (value: string, by: string, key = 'withdrawals.second_approval_threshold_mxn') =>
      `insert into app_settings (key, value, updated_by) values ('${key}', '${value}', '${by}')
       on conflict (key) do update set value = excluded.value, updated_by = excluded.updated_by`;
    expect(await refusal(admin, set('0', ids.admin!))).toBe('23514');
    expect(await refusal(admin, set('99999999999999999', ids.admin!))).toBe('23514');
    expect(await refusal(admin, set('30000.00', ids.finanzas!))).toBe('42501');
    expect(await refusal(admin, set('1', ids.admin!, 'ledger.check_interval'))).toBe('42501');
    expect(await refusal(as(LOGINS.finance), set('30000.00', ids.finanzas!))).toBe('42501');
    const r = await t.call('withdrawals.setSettings', { secondApprovalThresholdMxn: '20000.00', reason: 'Política vigente' }, t.tokens.admin);
    expect(r.ok ? null : r.error).toBeNull();
    const [c] = await t.database.sql`select db_login, app_staff from data_changes where table_name = 'app_settings' order by id desc limit 1`;
    expect(c).toEqual({ db_login: t.login(LOGINS.admin), app_staff: 'admin' });
  });

  it("through the app the two approvals of a large amount run on each approver's own login", async () => {
    expect(await t.must('withdrawals.approve', { id: big }, t.tokens.admin)).toMatchObject({ status: 'pending', awaitingSecondApproval: true });
    const refused = await t.call('withdrawals.approve', { id: big }, t.tokens.admin);
    expect(refused.ok ? null : refused.error.code).toBe('FORBIDDEN');
    const audits = await t.database.sql`select action, db_login from audit_log where entity = 'withdrawal' and entity_id = ${String(big)} order by id`;
    expect(audits.map((a) => [a.action, a.db_login])).toEqual([
      ['withdrawals.request', t.login(LOGINS.finance)],
      ['withdrawals.firstApproval', t.login(LOGINS.admin)],
    ]);
  });
});

describe('payout accounts', () => {
  it("are entered on the finance person's own login; from outside, only valid accounts, in one's own name, at the database's time, never edited", async () => {
    const ids: Record<string, string> = {};
    for (const r of await t.database.sql<{ id: string; username: string }[]>`select id, username from staff`) ids[r.username] = r.id;
    const [m] = await insertMembers(t.database.db, [{}]);
    const insert = (clabe: string, extra = '') =>
      `insert into payout_destinations (member_id, country, holder_name, tax_id, bank_code, bank_name, account_number${extra ? ', created_by, created_at' : ''})
       values (${m!.id}, 'MX', 'Ana López', 'LOPA800101AB1', '${clabe.slice(0, 3)}', 'Banco Nacional de México', '${clabe}'${extra})`;
    const finance = as(LOGINS.finance);
    // Support never writes one; a wrong check digit, or a bank other than the CLABE's, is refused for everyone.
    expect(await refusal(as(LOGINS.support), insert('002180123456789013'))).toBe('42501');
    expect(await refusal(finance, insert('002180123456789014'))).toBe('23514');
    expect(await refusal(t.database.sql, insert('002180123456789014'))).toBe('23514');
    expect(
      await refusal(
        finance,
        `insert into payout_destinations (member_id, country, holder_name, tax_id, bank_code, bank_name, account_number)
         values (${m!.id}, 'MX', 'Ana López', 'LOPA800101AB1', '012', 'BBVA Bancomer', '002180123456789013')`,
      ),
    ).toBe('23514');
    // In someone else's name and back-dated: the database puts its own login and time, and stamps the member's change.
    expect(await refusal(finance, insert('002180123456789013', `, '${ids.admin}', '2020-01-01T00:00:00Z'`))).toBeNull();
    const [d] = await t.database
      .sql`select id, created_by, created_at > now() - interval '1 minute' as fresh from payout_destinations where member_id = ${m!.id}`;
    expect({ by: d!.created_by, fresh: d!.fresh }).toEqual({ by: ids.finanzas, fresh: true });
    const [mm] = await t.database.sql`select payout_destination_changed_at > now() - interval '1 minute' as fresh from members where id = ${m!.id}`;
    expect(mm!.fresh).toBe(true);
    // Never edited: not the number, not un-superseded; superseded once, in one's own name.
    expect(await refusal(finance, `update payout_destinations set account_number = '002180123456789027' where id = ${d!.id}`)).toBe('42501');
    expect(await refusal(t.database.sql, `update payout_destinations set account_number = '002180123456789027' where id = ${d!.id}`)).toBe('23514');
    expect(await refusal(finance, `update payout_destinations set superseded_at = now(), superseded_by = '${ids.admin}' where id = ${d!.id}`)).toBeNull();
    expect(await refusal(finance, `update payout_destinations set superseded_at = null where id = ${d!.id}`)).toBe('23514');
    expect(await refusal(finance, `update payout_destinations set superseded_at = now() where id = ${d!.id}`)).toBe('23514');
    const [s2] = await t.database.sql`select superseded_by from payout_destinations where id = ${d!.id}`;
    expect(s2!.superseded_by).toBe(ids.finanzas);
    // Through the app, finance's change runs on finance's login.
    await t.must(
      'payoutDestinations.set',
      { memberId: m!.id, country: 'MX', holderName: 'Ana López', taxId: 'LOPA800101AB1', clabe: '002180123456789026' },
      t.tokens.finance,
    );
    const [c] = await t.database.sql`select db_login from data_changes where table_name = 'payout_destinations' and op = 'INSERT' order by id desc limit 1`;
    expect(c!.db_login).toBe(t.login(LOGINS.finance));
  });
});

describe('orders entered for a member', () => {
  it("are priced by the database on the admin's own login: never by hand, never by finance or support, never at the caller's figures", async () => {
    const [m] = await insertMembers(t.database.db, [{}]);
    const [p] = await t.database.sql<{ id: number; price: string; vn: string; pv: string }[]>`
      with p as (insert into products (sku, name, kind, pv) values ('BOUNDARY-1', 'Producto de prueba', 'product', '150.00') returning id, pv)
      insert into product_prices (product_id, country, price, vn) select id, 'MX', '349.00', '300.00' from p
      returning product_id as id, price, vn, (select pv from p)`;
    const create = (lines: string) => `select nnp_order_create(${m!.id}, '${lines}'::jsonb, now()) as id`;
    const admin = as(LOGINS.admin);
    expect(
      await refusal(
        admin,
        `insert into orders (member_id, country, currency, status, total, pv, vn) values (${m!.id}, 'MX', 'MXN', 'pending', 1, 99999, 99999)`,
      ),
    ).toBe('42501');
    expect(await refusal(as(LOGINS.finance), create(`[{"productId": ${p!.id}, "quantity": 1}]`))).toBe('42501');
    expect(await refusal(as(LOGINS.support), create(`[{"productId": ${p!.id}, "quantity": 1}]`))).toBe('42501');
    for (const bad of [
      '[]',
      `[{"productId": ${p!.id}, "quantity": 0}]`,
      `[{"productId": ${p!.id}, "quantity": 1.5}]`,
      `[{"productId": ${p!.id}, "quantity": 1, "unitPrice": "1.005"}]`,
      `[{"productId": ${p!.id}, "quantity": 1, "unitPrice": "-1"}]`,
      `[{"productId": ${p!.id}, "quantity": 1, "unitPrice": 10}]`,
      '[{"productId": 999999, "quantity": 1}]',
    ]) {
      expect(await refusal(admin, create(bad)), bad).toBe('23514');
    }
    // Extra fields (a total, a PV) are not the order's figures: the catalogue's are.
    const [made] = await admin.unsafe<{ id: string }[]>(create(`[{"productId": ${p!.id}, "quantity": 2, "pv": 99999, "vn": "99999", "total": "0.01"}]`));
    const [o] = await t.database.sql`select status, total, pv, vn from orders where id = ${made!.id}`;
    const two = (x: string) => (Number(x) * 2).toFixed(2);
    expect(o).toEqual({ status: 'pending', total: two(p!.price), pv: two(p!.pv), vn: two(p!.vn) });
    const [line] = await t.database.sql`select quantity, unit_price, pv, vn from order_lines where order_id = ${made!.id}`;
    expect(line).toEqual({ quantity: 2, unit_price: p!.price, pv: two(p!.pv), vn: two(p!.vn) });
  });
});

describe("the plan: a published version never changes; a draft and its publication are the admin's own", () => {
  it("through the app the editor runs on the admin's login; from outside, the same rules hold", async () => {
    const draft = await t.must('plan.createDraft', { name: 'Plan de prueba de límites', effectiveFromPeriod: '2031-01' }, t.tokens.admin);
    const [a] = await t.database.sql`select db_login from audit_log where action = 'plan.createDraft' order by id desc limit 1`;
    expect(a!.db_login).toBe(t.login(LOGINS.admin));
    const [ids] = await t.database
      .sql`select (select id from staff where username = 'admin') as admin, (select id from staff where username = 'finanzas') as finance`;
    const admin = as(LOGINS.admin);
    const published = `update plan_versions set figures = figures where status = 'published'`;
    expect(await refusal(admin, published)).toBe('23514');
    expect(await refusal(admin, `delete from plan_versions where status = 'published'`)).toBe('42501');
    const insert = (status: string, by: string, period = '2031-02') =>
      `insert into plan_versions (name, effective_from_period, status, figures, created_by) select 'x', '${period}', '${status}', figures, '${by}' from plan_versions where id = ${draft.id}`;
    expect(await refusal(admin, insert('published', ids!.admin))).toBe('42501');
    expect(await refusal(admin, insert('draft', ids!.finance))).toBe('42501');
    expect(await refusal(as(LOGINS.finance), insert('draft', ids!.finance))).toBe('42501');
    const publish = (by: string) => `update plan_versions set status = 'published', published_by = '${by}', published_at = now() where id = ${draft.id}`;
    expect(await refusal(admin, publish(ids!.finance))).toBe('42501');
    // Figures no plan runs on (a 150 % Bono Directo): a draft may hold them, a publication may not.
    const [before] = await t.database.sql<{ rate: string }[]>`select figures #>> '{directo,rate}' as rate from plan_versions where id = ${draft.id}`;
    const directo = (r: string) => `update plan_versions set figures = jsonb_set(figures, '{directo,rate}', '"${r}"') where id = ${draft.id}`;
    expect(await refusal(admin, directo('1.5'))).toBeNull();
    expect(await refusal(admin, publish(ids!.admin))).toBe('23514');
    expect(await refusal(admin, directo(before!.rate))).toBeNull();
    // A period that is closed: no plan takes effect in it, from the app or from outside.
    await t.database.sql`insert into periods (key, starts_at, ends_at, status, opened_at, closed_at)
      values ('2031-01', '2031-01-01T06:00:00Z', '2031-02-01T06:00:00Z', 'closed', now(), now())`;
    try {
      expect(await refusal(admin, publish(ids!.admin))).toBe('23514');
    } finally {
      await t.database.sql`delete from periods where key = '2031-01'`;
    }
    expect(await refusal(admin, publish(ids!.admin))).toBeNull();
    expect(await refusal(admin, `update plan_versions set figures = '{}'::jsonb where id = ${draft.id}`)).toBe('23514');
  });
});

describe('audit rows', () => {
  it('are insert-only for everyone, the owner included, and carry the database login that wrote them', async () => {
    // A login is audited by the app's own login (there is no session yet); staff changes by theirs (above).
    const [row] = await t.database.sql`select db_login from audit_log where action = 'auth.login' order by id desc limit 1`;
    const [owner] = await t.database.sql`select session_user as u`;
    expect(row!.db_login).toBe(owner!.u);
    expect(await refusal(t.database.sql, `update audit_log set reason = 'x'`)).toBe('42501');
    expect(await refusal(t.database.sql, `delete from audit_log`)).toBe('42501');
    expect(await refusal(t.database.sql, `truncate audit_log`)).toBe('42501');
  });
});

describe('staff procedures keep the login roles in step', () => {
  it('create → a login in its group; reset → new password; re-role → other group; disable → NOLOGIN and connections ended', async () => {
    const created = await t.must(
      'staff.create',
      { username: 'Caja.Uno', displayName: 'Caja Uno', role: 'support', password: 'inicial-123456' },
      t.tokens.admin,
    );
    const login = 'nnp_caja.uno';
    const c1 = as(login, 'inicial-123456');
    expect((await c1`select pg_has_role(session_user, 'nnp_support', 'MEMBER') as s`)[0]!.s).toBe(true);

    await t.must('staff.resetPassword', { id: created.id, newPassword: 'temporal-55555', reason: 'olvidó su contraseña' }, t.tokens.admin);
    expect(await refusal(as(login, 'inicial-123456'), 'select 1')).toBe('28P01');
    expect(await refusal(as(login, 'temporal-55555'), 'select 1')).toBeNull();

    await t.must('staff.update', { id: created.id, role: 'finance', reason: 'cambio de puesto' }, t.tokens.admin);
    const [g] = await t.database
      .sql`select pg_has_role(${t.login(login)}, 'nnp_finance', 'MEMBER') as f, pg_has_role(${t.login(login)}, 'nnp_support', 'MEMBER') as s`;
    expect(g).toEqual({ f: true, s: false });

    const open = as(login, 'temporal-55555');
    await open`select 1`;
    await t.must('staff.update', { id: created.id, active: false, reason: 'dejó la empresa' }, t.tokens.admin);
    // Its open connection was ended, and it cannot log in again.
    expect(await refusal(open, 'select 1')).not.toBeNull();
    expect(await refusal(as(login, 'temporal-55555'), 'select 1')).toBe('28000');
    const [r] = await t.database.sql`select rolcanlogin from pg_roles where rolname = ${t.login(login)}`;
    expect(r!.rolcanlogin).toBe(false);
  });

  it("a staff member's own password change goes to PostgreSQL too", async () => {
    await t.must('staff.create', { username: 'cambia.clave', displayName: 'Cambia Clave', role: 'support', password: 'inicial-123456' }, t.tokens.admin);
    const me = await t.must('auth.login', { username: 'cambia.clave', password: 'inicial-123456' }, null);
    await t.must('auth.changePassword', { currentPassword: 'inicial-123456', newPassword: 'mi-clave-propia-2026' }, me.token);
    expect(await refusal(as('nnp_cambia.clave', 'inicial-123456'), 'select 1')).toBe('28P01');
    expect(await refusal(as('nnp_cambia.clave', 'mi-clave-propia-2026'), 'select 1')).toBeNull();
    // The change ran on the person's own login, which reads no hash: PostgreSQL proved the password.
    const [a] = await t.database.sql`select db_login from audit_log where action = 'auth.changePassword' order by id desc limit 1`;
    expect(a!.db_login).toBe(t.login('nnp_cambia.clave'));
    const wrong = await t.call('auth.changePassword', { currentPassword: 'inicial-123456', newPassword: 'otra-clave-larga-2027' }, me.token);
    expect(wrong).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', key: 'auth.wrongCurrent', details: { issues: [{ path: 'currentPassword', rule: 'wrongPassword' }] } },
    });
  });

  it('from outside, a staff login ends only its own sessions and changes only its own password', async () => {
    await t.must('staff.create', { username: 'por.fuera', displayName: 'Por Fuera', role: 'finance', password: 'inicial-654321' }, t.tokens.admin);
    const mine = await t.must('auth.login', { username: 'por.fuera', password: 'inicial-654321' }, null);
    const c = as('nnp_por.fuera', 'inicial-654321');
    const hashes = async () =>
      new Map(
        (await t.database.sql<{ username: string; password_hash: string }[]>`select username, password_hash from staff`).map((r) => [
          r.username,
          r.password_hash,
        ]),
      );
    const before = await hashes();
    // Another account's session: nothing happens, and that session goes on.
    const [ended] = await c`select nnp_end_own_session(${hashToken(t.tokens.admin)}, now()) as ended`;
    expect(ended!.ended).toBe(false);
    expect(await resolveSession(t.services, t.tokens.admin)).not.toBeNull();
    // Hashes and verifiers only in their own formats; the owner is no staff login.
    const verifier = scramVerifier('desde-fuera-2026');
    const change = (hash: string, v: string) => `select * from nnp_change_own_password('${hash}', '${v}', null, now())`;
    expect(await refusal(c, change('clave-en-claro', verifier))).toBe('22023');
    expect(await refusal(c, change(await hashPassword('desde-fuera-2026'), 'desde-fuera-2026'))).toBe('22023');
    expect(await refusal(t.database.sql, change(await hashPassword('x-y-z-2026'), verifier))).toBe('42501');
    expect(await refusal(c, 'select password_hash from staff')).toBe('42501');
    expect(await refusal(c, 'update staff set password_hash = password_hash')).toBe('42501');
    // Its own: the hash and the login's password change, every session of the account ends.
    expect(await refusal(c, change(await hashPassword('desde-fuera-2026'), verifier))).toBeNull();
    const after = await hashes();
    expect([...after].filter(([u, h]) => before.get(u) !== h).map(([u]) => u)).toEqual(['por.fuera']);
    expect(await resolveSession(t.services, mine.token)).toBeNull();
    expect(await refusal(as('nnp_por.fuera', 'desde-fuera-2026'), 'select 1')).toBeNull();
    expect(await t.call('auth.login', { username: 'por.fuera', password: 'desde-fuera-2026' }, null)).toMatchObject({ ok: true });
  });

  it("staff accounts are managed on the admin's own login; from outside, only as the app would", async () => {
    const created = await t.must(
      'staff.create',
      { username: 'alta.admin', displayName: 'Alta Por Admin', role: 'support', password: 'inicial-778899' },
      t.tokens.admin,
    );
    const [a] = await t.database.sql`select db_login from audit_log where action = 'staff.create' and entity_id = ${created.id}`;
    expect(a!.db_login).toBe(t.login(LOGINS.admin));
    const [d] = await t.database.sql`select db_login from data_changes where table_name = 'staff' and op = 'INSERT' and row_key = ${created.id}`;
    expect(d!.db_login).toBe(t.login(LOGINS.admin));
    // Disabling it through the app ends its sessions and their connections.
    const theirs = await t.must('auth.login', { username: 'alta.admin', password: 'inicial-778899' }, null);
    await t.must('staff.update', { id: created.id, active: false, reason: 'prueba de baja' }, t.tokens.admin);
    expect(await resolveSession(t.services, theirs.token)).toBeNull();
    const [ids] = await t.database.sql<{ admin: string; finance: string }[]>`
      select (select id from staff where username = 'admin') as admin, (select id from staff where username = 'finanzas') as finance`;
    const admin = as(LOGINS.admin);
    const hash = await hashPassword('una-clave-buena-2026');
    const insert = (username: string, h: string, extra = '') =>
      `insert into staff (username, display_name, role, password_hash, must_change_password${extra ? ', failed_attempts, active, created_at' : ''})
       values ('${username}', 'X', 'support', '${h}', true${extra})`;
    expect(await refusal(admin, insert('mal.hash', 'clave-en-claro'))).toBe('22023');
    expect(await refusal(as(LOGINS.finance), insert('por.finanzas', hash))).toBe('42501');
    expect(await refusal(as(LOGINS.support), insert('por.soporte', hash))).toBe('42501');
    // What the database decides is stamped whatever the writer sent.
    expect(await refusal(admin, insert('sellado', hash, ", 7, false, '2020-01-01'"))).toBeNull();
    const [stamped] = await t.database
      .sql`select active, failed_attempts, created_at > now() - interval '1 minute' as now from staff where username = 'sellado'`;
    expect(stamped).toEqual({ active: true, failed_attempts: 0, now: true });
    // Nobody changes their own role or state; another admin's, yes (the app says why and audits it).
    expect(await refusal(admin, `update staff set role = 'support' where id = '${ids!.admin}'`)).toBe('42501');
    expect(await refusal(admin, `update staff set active = false where id = '${ids!.admin}'`)).toBe('42501');
    expect(await refusal(admin, `update staff set password_hash = 'x' where id = '${ids!.finance}'`)).toBe('22023');
    expect(await refusal(admin, `update staff set username = 'otro' where id = '${ids!.finance}'`)).toBe('42501');
    expect(await refusal(as(LOGINS.finance), `update staff set display_name = 'yo' where id = '${ids!.finance}'`)).toBe('42501');
    // Sessions: only an admin ends a colleague's, and only through the function.
    const fin = await t.must('auth.login', { username: 'finanzas', password: TEST_PASSWORD }, null);
    expect(await refusal(as(LOGINS.support), `select nnp_staff_signed_out('${ids!.finance}', now(), true)`)).toBe('42501');
    expect(await refusal(as(LOGINS.finance), `select nnp_staff_signed_out('${ids!.admin}', now(), true)`)).toBe('42501');
    expect(await refusal(admin, `update sessions set revoked_at = now() where staff_id = '${ids!.finance}'`)).toBe('42501');
    expect(await resolveSession(t.services, fin.token)).not.toBeNull();
    const [out] = await admin`select count(*)::int as n from nnp_staff_signed_out(${ids!.finance}, now(), false)`;
    expect(out!.n).toBeGreaterThanOrEqual(1);
    expect(await resolveSession(t.services, fin.token)).toBeNull();
    t.tokens.finance = (await t.must('auth.login', { username: 'finanzas', password: TEST_PASSWORD }, null)).token;
  });

  it('a live session whose login this process does not hold acts for nobody, on no login (the owner procedures included)', async () => {
    const s = await t.must('auth.login', { username: 'finanzas', password: TEST_PASSWORD }, null);
    const live = await resolveSession(t.services, s.token);
    await t.services.connections!.end(live!.sessionId);
    // A restart since the login looks like this: the token is still in the database, the password is not in memory.
    expect(await t.call('withdrawals.bankFile', { ids: [1] }, s.token)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await t.call('auth.me', {}, s.token)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('the role function refuses to touch anything but nnp_ staff logins and the three groups, and only an admin may call it', async () => {
    const owner = t.database.sql;
    expect(await refusal(owner, `select nnp_staff_login('x1', 'pg_read_all_data', null, true)`)).toBe('22023');
    expect(await refusal(owner, `select nnp_staff_login('', 'nnp_admin', null, true)`)).toBe('22023');
    expect(await refusal(owner, `select nnp_staff_login('cajero', 'nnp_admin', 'md5abc', true)`)).toBe('22023');
    expect(await refusal(as(LOGINS.finance), `select nnp_staff_login('otro.admin', 'nnp_admin', null, true)`)).toBe('42501');
    expect(await refusal(as(LOGINS.support), `select nnp_staff_login('otro.admin', 'nnp_admin', null, true)`)).toBe('42501');
  });
});

describe('balances are checked against their entries', () => {
  it('a drifted balance shows on the dashboard of admin and finance (not support) until a check finds none', async () => {
    expect((await runLedgerCheck(t.database.db, 'manual')).mismatches).toBe(0);
    expect((await t.must('dashboard.summary', {}, t.tokens.admin)).ledgerCheck).toMatchObject({ mismatches: 0, trigger: 'manual' });
    // Only the owner can do this (every staff login was refused above): the check sees it.
    const [acc] = await t.database
      .sql`update ledger_accounts set balance = balance + 1000000 where id = (select min(account_id) from ledger_entries) returning id`;
    const drift = await runLedgerCheck(t.database.db, 'manual');
    expect(drift.mismatches).toBe(1);
    expect((await t.must('dashboard.summary', {}, t.tokens.finance)).ledgerCheck).toMatchObject({ mismatches: 1 });
    expect((await t.must('dashboard.summary', {}, t.tokens.support)).ledgerCheck).toBeNull();
    const [sample] = await t.database.sql`select sample from ledger_checks order by id desc limit 1`;
    expect((sample!.sample as { account_id: number }[])[0]!.account_id).toBe(Number(acc!.id));
    await t.database.sql`update ledger_accounts set balance = balance - 1000000 where id = ${acc!.id}`;
    expect((await runLedgerCheck(t.database.db, 'daily')).mismatches).toBe(0);
  });

  it('a withdrawal never takes money from a wallet whose cached balance differs from its entries: request and approval are refused (ledger.drift) while the check reports it', async () => {
    const [m] = await insertMembers(t.database.db, [{ enrolledAt: new Date('2025-01-10T12:00:00Z'), stripeAccountId: null }]);
    await creditCommission(t.database.db, m!.id, 'MXN', '3000.00', { at: new Date(Date.now() - 40 * 86_400_000) });
    const pending = await t.must('withdrawals.request', { memberId: m!.id, amount: '600.00', currency: 'MXN' }, t.tokens.finance);
    const [acc] = await t.database.sql`select id from ledger_accounts where kind = 'member_wallet' and member_id = ${m!.id}`;
    const counts = async () =>
      (
        await t.database
          .sql`select (select count(*)::int from withdrawals) as w, (select count(*)::int from ledger_transactions) as tx, (select count(*)::int from ledger_entries) as e`
      )[0];
    // The review's attack, as the owner (no staff login may do it): a million more in the cache.
    await t.database.sql`update ledger_accounts set balance = balance + 1000000 where id = ${acc!.id}`;
    // The quote no longer offers the cache's million: what the entries allow (3,000 − 600 held), and no.
    expect(await t.must('withdrawals.quote', { memberId: m!.id, amount: '500000.00' }, t.tokens.finance)).toMatchObject({ available: '2400.00', ok: false });
    expect(await t.must('withdrawals.quote', { memberId: m!.id, amount: '1000.00' }, t.tokens.finance)).toMatchObject({
      available: '2400.00',
      ok: false,
      problem: expect.stringContaining('no coincide'),
    });
    const before = await counts();
    for (const amount of ['500000.00', '1000.00']) {
      // more than the entries allow, and an amount they do allow
      const r = await t.call('withdrawals.request', { memberId: m!.id, amount, currency: 'MXN' }, t.tokens.finance);
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.error).toMatchObject({ code: 'CONFLICT', key: 'ledger.drift', details: { accountId: Number(acc!.id), rule: 'balance_differs_from_entries' } });
    }
    // The request held before the drift cannot be approved either; it stays pending.
    const approval = await t.call('withdrawals.approve', { id: pending.id }, t.tokens.admin);
    expect(approval.ok).toBe(false);
    if (!approval.ok) expect(approval.error).toMatchObject({ code: 'CONFLICT', key: 'ledger.drift' });
    expect((await t.database.sql`select status from withdrawals where id = ${pending.id}`)[0]!.status).toBe('pending');
    expect(await counts()).toEqual(before);
    const check = await runLedgerCheck(t.database.db, 'manual');
    expect(check.mismatches).toBe(1);
    const [sample] = await t.database.sql`select sample from ledger_checks order by id desc limit 1`;
    expect(sample!.sample).toMatchObject([{ account_id: Number(acc!.id), balance: 1003000, expected_balance: 3000 }]);
    // Once the cache agrees with the entries again, the same procedures work.
    await t.database.sql`update ledger_accounts set balance = balance - 1000000 where id = ${acc!.id}`;
    expect(await t.must('withdrawals.approve', { id: pending.id }, t.tokens.admin)).toMatchObject({ status: 'approved' });
    expect(await t.must('withdrawals.request', { memberId: m!.id, amount: '1000.00', currency: 'MXN' }, t.tokens.finance)).toMatchObject({ status: 'pending' });
    expect(await t.must('withdrawals.quote', { memberId: m!.id, amount: '1000.00' }, t.tokens.finance)).toMatchObject({
      available: '1400.00',
      ok: true,
      problem: null,
    });
    expect((await runLedgerCheck(t.database.db, 'manual')).mismatches).toBe(0);
  });
});

describe('NN Travels campaigns', () => {
  /** The period key `n` months after `key`. */
  const plus = (key: string, n: number) => {
    const [y, m] = key.split('-').map(Number) as [number, number];
    const i = y * 12 + (m - 1) + n;
    return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
  };

  it("are saved on the admin's own login; from outside, the database holds the app's rules", async () => {
    // This database has no period yet: one open month for the campaigns to be measured against.
    let [open] = await t.database.sql<{ key: string }[]>`select key from periods where status = 'open'`;
    if (!open) {
      [open] = await t.database.sql<{ key: string }[]>`insert into periods (key, starts_at, ends_at, status, opened_at)
        values ('2030-06', '2030-06-01T06:00:00Z', '2030-07-01T06:00:00Z', 'open', now()) returning key`;
    }
    const k = open!.key;
    const saved = await t.must(
      'programmes.saveCampaign',
      { name: 'Viaje de prueba', fromPeriod: plus(k, 30), toPeriod: plus(k, 32), target: '150' },
      t.tokens.admin,
    );
    const [a] = await t.database.sql`select db_login from audit_log where action = 'programmes.saveCampaign' order by id desc limit 1`;
    expect(a!.db_login).toBe(t.login(LOGINS.admin));
    const [ids] = await t.database.sql<{ admin: string; finance: string }[]>`
      select (select id from staff where username = 'admin') as admin, (select id from staff where username = 'finanzas') as finance`;
    const [row] = await t.database.sql`select created_by from travel_campaigns where id = ${saved.id}`;
    expect(row!.created_by).toBe(ids!.admin);
    const admin = as(LOGINS.admin);
    const insert = (from: string, to: string, promotions = '[]', extra = '') =>
      `insert into travel_campaigns (name, from_period, to_period, target, promotions, active${extra ? ', created_by, created_at, multiplier' : ''})
       values ('Desde fuera', '${from}', '${to}', 100, '${promotions}'::jsonb, true${extra})`;
    expect(await refusal(admin, insert(plus(k, 31), plus(k, 34)))).toBe('23514'); // overlaps the active one
    expect(await refusal(admin, insert(plus(k, -2), plus(k, 1)))).toBe('23514'); // starts before the open period
    const promo = (from: string, to: string, m = '2') => `{"fromPeriod":"${from}","toPeriod":"${to}","multiplier":"${m}"}`;
    expect(await refusal(admin, insert(plus(k, 40), plus(k, 42), `[${promo(plus(k, 39), plus(k, 40))}]`))).toBe('23514'); // outside
    expect(await refusal(admin, insert(plus(k, 40), plus(k, 42), `[${promo(plus(k, 40), plus(k, 40), '0')}]`))).toBe('23514'); // zero
    expect(await refusal(admin, insert(plus(k, 40), plus(k, 42), `[${promo(plus(k, 40), plus(k, 41))}, ${promo(plus(k, 41), plus(k, 42))}]`))).toBe('23514'); // overlap
    expect(await refusal(as(LOGINS.finance), insert(plus(k, 40), plus(k, 42)))).toBe('42501');
    // In another's name, back-dated, with a bonus multiplier: stamped with the admin, now and 1.
    expect(
      await refusal(admin, insert(plus(k, 40), plus(k, 42), `[${promo(plus(k, 41), plus(k, 41), '1.5')}]`, `, '${ids!.finance}', '2020-01-01', 5`)),
    ).toBeNull();
    const [stamped] = await t.database
      .sql`select created_by, created_at > now() - interval '1 minute' as now, multiplier::text from travel_campaigns where from_period = ${plus(k, 40)}`;
    expect(stamped).toEqual({ created_by: ids!.admin, now: true, multiplier: '1.0000' });
    expect(await refusal(admin, `update travel_campaigns set multiplier = 3 where id = ${saved.id}`)).toBe('42501');
    expect(await refusal(admin, `delete from travel_campaigns where id = ${saved.id}`)).toBe('42501');
    // A campaign that has started (made by the owner, as a past save would have): its past holds.
    const [started] = await t.database.sql<{ id: number }[]>`
      insert into travel_campaigns (name, from_period, to_period, target, promotions, active)
      values ('Empezada', ${plus(k, -3)}, ${plus(k, 2)}, 200, ${JSON.stringify([{ fromPeriod: plus(k, -2), toPeriod: plus(k, -2), multiplier: '2' }])}::jsonb, false) returning id`;
    const set = (what: string) => `update travel_campaigns set ${what} where id = ${started!.id}`;
    expect(await refusal(admin, set(`from_period = '${plus(k, -2)}'`))).toBe('23514');
    expect(await refusal(admin, set(`to_period = '${plus(k, -1)}'`))).toBe('23514');
    expect(await refusal(admin, set(`promotions = '[${promo(plus(k, -2), plus(k, -2), '3')}]'`))).toBe('23514');
    expect(
      await refusal(
        admin,
        set(`to_period = '${plus(k, 3)}', promotions = '[${promo(plus(k, -2), plus(k, -2), '2.0')}, ${promo(plus(k, 1), plus(k, 1), '2')}]'`),
      ),
    ).toBeNull();
  });
});
