import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/app';
import { errorText, wordError } from '../../shared/error-messages';
import type { FieldIssue } from '../../shared/errors';

/** Keys of a nested catalogue ("member.notFound"). */
function leaves(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : leaves(v as object, `${prefix}${k}.`)));
}
const params = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('the error catalogue', () => {
  it('has the same keys in Spanish and English, with the same params', () => {
    const es = leaves(errorText.es);
    const en = leaves(errorText.en);
    expect(en.sort()).toEqual(es.sort());
    for (const k of es)
      expect(params(wordError(k, {}, 'en') && (k.split('.').reduce((n: any, p) => n[p], errorText.en) as string)), k).toEqual(
        params(k.split('.').reduce((n: any, p) => n[p], errorText.es) as string),
      );
  });
  it('words params, and a status param by its state word', () => {
    expect(wordError('withdrawal.wrongState', { id: 7, status: 'paid' })).toBe('El retiro 7 no admite esa acción: está pagado.');
    expect(wordError('withdrawal.wrongState', { id: 7, status: 'paid' }, 'en')).toBe('Withdrawal 7 does not allow that action: it is paid.');
  });
});

describe('errors cross the router with a key, params and field issues', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a failed login carries its key (the screen words it in English), the Spanish text stays for scripts', async () => {
    const r = await t.call('auth.login', { username: 'admin', password: 'no-es-esta' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'UNAUTHENTICATED', key: 'auth.badLogin' });
    expect(r.error.message).toMatch(/^Usuario o contraseña incorrectos/);
    expect(wordError(r.error.key!, r.error.params, 'en')).toMatch(/^Wrong username or password/);
  });

  it("schema failures name the field key and a rule, never zod's English text", async () => {
    const r = await t.call('auth.login', { username: 'x'.repeat(101), password: '' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALIDATION');
    expect(r.error.key).toBe('validation.invalid');
    const issues = (r.error.details as { issues: FieldIssue[] }).issues;
    expect(issues).toContainEqual(expect.objectContaining({ path: 'username', rule: 'tooLongString', params: { maximum: 100 } }));
    expect(issues.find((i) => i.path === 'password')?.rule).toBe('required');
    const text = JSON.stringify(r.error);
    expect(text).not.toMatch(/Too big|expected string|Invalid input/);
    expect(r.error.message).toContain('username: como máximo 100 caracteres');
  });

  it("a schema's own rule keeps its key (money amounts)", async () => {
    const r = await t.call('withdrawals.quote', { memberId: 1, amount: '12,5' }, t.tokens.finance);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const issues = (r.error.details as { issues: FieldIssue[] }).issues;
    expect(issues.find((i) => i.path === 'amount')?.rule).toBe('money');
  });

  it('a service error carries its key and params', async () => {
    const r = await t.call('members.get', { id: 987654 }, t.tokens.support);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'NOT_FOUND', key: 'member.notFound' });
  });
});
