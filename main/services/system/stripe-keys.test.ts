/**
 * Issue 16 item 5: the Stripe keys live in the database, each in a column only the groups that use
 * it can read. An admin sets them (Settings); the screens and the audit see mode and last four only;
 * support's login is refused the transfer key's column by PostgreSQL; the app uses the database's
 * keys before the environment's.
 */
import { refusal, staffLogins } from '../../../test/logins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { applyEnv } from '../../../test/stripe-server';
import { autoshipStripeSettingsFor, transferStripeSettings } from './stripe-keys';

let t: TestApp;
let restoreEnv: () => void;
const logins = staffLogins(() => t);
const as = logins.as;
const TRANSFER = 'sk_test_transferKEY0001';
const RESTRICTED = 'rk_test_restrictedKEY0002';

beforeAll(async () => {
  t = await testApp();
  restoreEnv = applyEnv({ NNP_STRIPE_SECRET_KEY: '', NNP_STRIPE_RESTRICTED_KEY: '' });
}, 120_000);
afterAll(async () => {
  restoreEnv?.();
  await logins.closeAll();
  await t?.close();
});

describe('the Stripe keys in the database', () => {
  it('an admin sees whether each is set, never the key; a wrong shape is refused and nothing is written', async () => {
    const empty = await t.must('system.stripeKeys', {}, t.tokens.admin);
    expect(empty).toMatchObject({ transfer: { configured: false }, restricted: { configured: false }, updatedAt: null });
    for (const bad of [{ transferKey: 'pk_test_publishable1234' }, { restrictedKey: 'sk_test_notRestricted1' }, { transferKey: 'sk_test_x' }, {}]) {
      const r = await t.call('system.setStripeKeys', bad, t.tokens.admin);
      expect(r.ok ? null : r.error.code, JSON.stringify(bad)).toBe('VALIDATION');
    }
    expect(await t.database.sql`select * from stripe_keys`).toHaveLength(0);
    for (const role of ['finance', 'support'] as const) {
      const r = await t.call('system.stripeKeys', {}, t.tokens[role]);
      expect(r.ok ? null : r.error.code).toBe('FORBIDDEN');
    }
  });

  it('saved by an admin: the view and the audit keep mode and last four only; who and when are the database’s', async () => {
    const saved = await t.must('system.setStripeKeys', { transferKey: TRANSFER, restrictedKey: RESTRICTED, reason: 'Alta de claves' }, t.tokens.admin);
    expect(saved.transfer).toEqual({ configured: true, source: 'database', mode: 'test', last4: '0001' });
    expect(saved.restricted).toEqual({ configured: true, source: 'database', mode: 'test', last4: '0002' });
    expect(saved.updatedBy).toBe('admin');
    expect(JSON.stringify(saved)).not.toContain('KEY');
    const [audit] = await t.database
      .sql`select before::text as b, after::text as a, reason from audit_log where action = 'system.setStripeKeys' order by id desc limit 1`;
    expect(audit!.reason).toBe('Alta de claves');
    expect(`${audit!.b}${audit!.a}`).not.toContain('KEY');
    expect(audit!.a).toContain('sk_test_…0001');
    // Nothing of the key in the database's own change log either.
    expect(await t.database.sql`select 1 from data_changes where coalesce(before::text, '') || coalesce(after::text, '') like '%KEY%'`).toHaveLength(0);
  });

  it('PostgreSQL refuses support the transfer key; finance reads both; only admins write', async () => {
    const support = as('nnp_soporte');
    const finance = as('nnp_finanzas');
    const admin = as('nnp_admin_user');
    expect(await refusal(support, `select transfer_key from stripe_keys`)).toBe('42501');
    expect(await refusal(support, `select * from stripe_keys`)).toBe('42501');
    expect((await support`select restricted_key from stripe_keys`)[0]!.restricted_key).toBe(RESTRICTED);
    expect((await finance`select transfer_key from stripe_keys`)[0]!.transfer_key).toBe(TRANSFER);
    expect(await refusal(finance, `update stripe_keys set transfer_key = 'sk_test_financeWrites1'`)).toBe('42501');
    expect(await refusal(support, `update stripe_keys set restricted_key = 'rk_test_supportWrites1'`)).toBe('42501');
    expect(await refusal(admin, `delete from stripe_keys`)).toBe('42501');
    expect(await refusal(admin, `update stripe_keys set updated_by = 'otro'`)).toBe('42501');
    expect(await refusal(admin, `update stripe_keys set transfer_key = 'not-a-key'`)).toBe('23514');
    // An admin's own write is stamped by the database, whatever it says.
    await admin`update stripe_keys set transfer_key = ${TRANSFER}`;
    expect((await t.database.sql`select updated_by from stripe_keys`)[0]!.updated_by).toBe('admin');
  });

  it('the app uses the key each login may read: support gets the restricted key and never the transfer key', async () => {
    const db = logins.db;
    expect((await transferStripeSettings(db('nnp_finanzas'), 'finance'))?.secretKey).toBe(TRANSFER);
    expect(await transferStripeSettings(db('nnp_soporte'), 'support')).toBeNull();
    expect((await autoshipStripeSettingsFor(db('nnp_soporte'), 'support'))?.secretKey).toBe(RESTRICTED);
    expect((await autoshipStripeSettingsFor(db('nnp_admin_user'), 'admin'))?.secretKey).toBe(RESTRICTED);
    expect(await t.must('system.capabilities', {}, t.tokens.support)).toEqual({ stripe: true });
    expect(await t.must('system.capabilities', {}, t.tokens.finance)).toEqual({ stripe: true });
    // Removed: support is left without Stripe; finance falls back to nothing (the environment has none here).
    const removed = await t.must('system.setStripeKeys', { restrictedKey: null, transferKey: null }, t.tokens.admin);
    expect(removed).toMatchObject({ transfer: { configured: false }, restricted: { configured: false } });
    expect(await autoshipStripeSettingsFor(db('nnp_soporte'), 'support')).toBeNull();
    expect(await t.must('system.capabilities', {}, t.tokens.support)).toEqual({ stripe: false });
    expect(await t.must('system.capabilities', {}, t.tokens.finance)).toEqual({ stripe: false });
  });
});
