/**
 * Money controls (issue 14): four eyes on withdrawals, the second-approval threshold, payout
 * destinations (validated, masked for support, copied onto the withdrawal at approval) and the bank
 * file that pays them. Through the real router, against a real database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, TEST_PASSWORD, type TestApp } from '../../../test/app';
import { creditCommission, insertMembers, type TestMember } from '../../../test/wallet-fixtures';
import { hashPassword } from '../auth/password';
import { staff } from '../../db/schema';

let t: TestApp;
const clock = new Date('2026-06-15T18:00:00Z');
let finance2: string;
const DAY = 86_400_000;
const CLABE_A = '002180123456789013';
const CLABE_B = '012180000000000002';

beforeAll(async () => {
  t = await testApp({ now: () => clock });
  await t.database.db
    .insert(staff)
    .values({ username: 'tesoreria', displayName: 'Tomás Tesorería', role: 'finance', passwordHash: await hashPassword(TEST_PASSWORD) });
  finance2 = (await t.must('auth.login', { username: 'tesoreria', password: TEST_PASSWORD }, null)).token;
});
afterAll(async () => t.close());

const n = async (q: string) => Number((await t.database.sql.unsafe(q))[0]!.n);
/** Everything a refused call must leave as it was. */
const state = async () => ({
  withdrawals: (await t.database.sql`select id, status, approved_by, first_approved_by, payout_destination_id, bank_batch_id from withdrawals order by id`)
    .map((r) => JSON.stringify(r))
    .join('|'),
  destinations: (await t.database.sql`select id, superseded_at from payout_destinations order by id`).map((r) => JSON.stringify(r)).join('|'),
  members: (await t.database.sql`select id, payout_destination_changed_at from members order by id`).map((r) => JSON.stringify(r)).join('|'),
  settings: await n('select count(*)::int as n from app_settings'),
  audit: await n('select count(*)::int as n from audit_log'),
  entries: await n('select count(*)::int as n from ledger_entries'),
});

async function member(opts: Parameters<typeof insertMembers>[1][number] = {}, credit = '100000.00'): Promise<TestMember> {
  const [m] = await insertMembers(t.database.db, [{ enrolledAt: new Date('2025-01-10T12:00:00Z'), ...opts }]);
  const currency = ({ MX: 'MXN', US: 'USD', CO: 'COP', DO: 'DOP' } as const)[m!.country];
  // Two periods of commission history: the requests below are not "no history".
  await creditCommission(t.database.db, m!.id, currency, credit, { at: new Date(clock.getTime() - 40 * DAY) });
  await creditCommission(t.database.db, m!.id, currency, credit, { at: new Date(clock.getTime() - 70 * DAY) });
  return m!;
}
/** finanzas (t.tokens.finance) enters every request on the member's behalf. */
const requested = (m: TestMember, amount: string, currency = 'MXN') => t.must('withdrawals.request', { memberId: m.id, amount, currency }, t.tokens.finance);
const setClabe = (m: TestMember, clabe: string, holderName = 'Ana López Pérez', token = t.tokens.admin) =>
  t.must('payoutDestinations.set', { memberId: m.id, country: 'MX', holderName, taxId: 'LOPA800101AB1', clabe }, token);

describe('four eyes: whoever entered a withdrawal never approves it', () => {
  it('the same person twice is refused (FORBIDDEN, plain Spanish), nothing changes; another person approves', async () => {
    const m = await member();
    const w = await requested(m, '1000.00');
    const before = await state();
    const r = await t.call('withdrawals.approve', { id: w.id }, t.tokens.finance);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('FORBIDDEN');
      expect(r.error.message).toBe(`No puede aprobar el retiro ${w.id}: usted lo registró a nombre del socio. Debe aprobarlo otra persona.`);
    }
    expect(await state()).toEqual(before);
    const ok = await t.must('withdrawals.approve', { id: w.id }, finance2);
    expect(ok).toMatchObject({ status: 'approved', approvalsRequired: 1, awaitingSecondApproval: false });
    const d = await t.must('withdrawals.get', { id: w.id }, t.tokens.finance);
    expect(d.decisions.map((x) => [x.action, x.by])).toEqual([
      ['requested', 'Fernanda Finanzas'],
      ['approved', 'Tomás Tesorería'],
    ]);
  });

  it('batch approval applies the rule row by row and names the rows that need someone else', async () => {
    const m = await member();
    const mine = await requested(m, '600.00');
    const other = await t.must('withdrawals.request', { memberId: m.id, amount: '700.00', currency: 'MXN' }, finance2);
    const before = await state();
    const none = await t.call('withdrawals.approveMany', { ids: [mine.id] }, t.tokens.finance);
    expect(!none.ok && none.error.code).toBe('FORBIDDEN');
    expect(!none.ok && none.error.message).toContain(`${mine.id} (${m.code})`);
    expect(await state()).toEqual(before);
    const r = await t.must('withdrawals.approveMany', { ids: [mine.id, other.id] }, t.tokens.finance);
    expect(r).toEqual({
      count: 1,
      totals: [{ currency: 'MXN', count: 1, amount: '700.00', fee: '20.00', net: '680.00' }],
      firstApprovals: [],
      needsSomeoneElse: [{ id: mine.id, memberCode: m.code, rule: 'entered_by_you' }],
    });
    const rows = await t.database.sql`select id, status from withdrawals where id in (${mine.id}, ${other.id}) order by id`;
    expect(rows.map((x) => x.status)).toEqual(['pending', 'approved']);
  });

  it('the database holds the rule too (a write that goes around the service)', async () => {
    const m = await member();
    const w = await requested(m, '500.00');
    await expect(
      t.database.sql`update withdrawals set status = 'approved', approved_at = now(), approved_by = requested_by where id = ${w.id}`,
    ).rejects.toThrow(/withdrawals_requester_not_approver/);
  });
});

describe('two approvers above the threshold', () => {
  it('default MXN 20,000: at the threshold one approval; above it two different people, payout refused until the second', async () => {
    const m = await member();
    await setClabe(m, CLABE_A);
    const at = await requested(m, '20000.00');
    expect(await t.must('withdrawals.approve', { id: at.id }, finance2)).toMatchObject({ status: 'approved', approvalsRequired: 1 });

    const big = await requested(m, '20000.01');
    const first = await t.must('withdrawals.approve', { id: big.id, note: 'revisado con el miembro' }, finance2);
    expect(first).toMatchObject({ status: 'pending', approvalsRequired: 2, awaitingSecondApproval: true });
    const listed = await t.must('withdrawals.list', { status: 'pending', memberId: m.id }, t.tokens.finance);
    expect(listed.rows.find((x) => x.id === big.id)).toMatchObject({ awaitingSecondApproval: true });

    const before = await state();
    // Payout refuses it until the second approval, by Stripe or by bank file.
    for (const [name, input] of [
      ['withdrawals.bankFile', { ids: [big.id] }],
      ['withdrawals.payout', { id: big.id }],
    ] as const) {
      const r = await t.call(name, input, t.tokens.admin);
      expect(!r.ok && r.error.code, name).toBe('CONFLICT');
      expect(!r.ok && r.error.message, name).toMatch(/esperan? la segunda aprobación/);
    }
    // The first approver cannot give the second; the one who entered it cannot give either.
    const again = await t.call('withdrawals.approve', { id: big.id }, finance2);
    expect(!again.ok && again.error).toMatchObject({
      code: 'FORBIDDEN',
      message: `Usted ya dio la primera aprobación del retiro ${big.id}; la segunda debe darla otra persona.`,
    });
    const requester = await t.call('withdrawals.approve', { id: big.id }, t.tokens.finance);
    expect(!requester.ok && requester.error.code).toBe('FORBIDDEN');
    const batch = await t.call('withdrawals.approveMany', { ids: [big.id] }, finance2);
    expect(!batch.ok && batch.error.code).toBe('FORBIDDEN');
    expect(await state()).toEqual(before);

    const second = await t.must('withdrawals.approve', { id: big.id }, t.tokens.admin);
    expect(second).toMatchObject({ status: 'approved', approvalsRequired: 2, awaitingSecondApproval: false });
    const d = await t.must('withdrawals.get', { id: big.id }, t.tokens.finance);
    expect(d.decisions.map((x) => [x.action, x.by, x.note])).toEqual([
      ['requested', 'Fernanda Finanzas', null],
      ['first_approved', 'Tomás Tesorería', 'revisado con el miembro'],
      ['approved', 'Administrador', null],
    ]);
    expect(await n(`select count(*)::int as n from audit_log where action = 'withdrawals.firstApproval' and entity_id = '${big.id}'`)).toBe(1);
    // Now it can go to the bank.
    expect((await t.must('withdrawals.bankFile', { ids: [big.id] }, t.tokens.finance)).count).toBe(1);
  });

  it('batch: rows above the threshold get their first approval and are reported as such', async () => {
    const m = await member();
    const small = await requested(m, '900.00');
    const big = await requested(m, '30000.00');
    const r = await t.must('withdrawals.approveMany', { ids: [small.id, big.id] }, finance2);
    expect(r).toMatchObject({ count: 1, firstApprovals: [{ id: big.id, memberCode: m.code }], needsSomeoneElse: [] });
    const r2 = await t.call('withdrawals.approveMany', { ids: [big.id] }, finance2);
    expect(!r2.ok && r2.error).toMatchObject({
      code: 'FORBIDDEN',
      details: { needsSomeoneElse: [{ id: big.id, memberCode: m.code, rule: 'first_approval_by_you' }] },
    });
    expect(await t.must('withdrawals.approveMany', { ids: [big.id] }, t.tokens.admin)).toMatchObject({ count: 1, firstApprovals: [] });
  });

  it('other currencies: the amount at the company rate in force; the admin sets the threshold, audited; finance cannot', async () => {
    const s0 = await t.must('withdrawals.settings', {}, t.tokens.finance);
    expect(s0).toMatchObject({ secondApprovalThresholdMxn: '20000.00', updatedBy: null });
    const usd = s0.equivalents.find((e) => e.currency === 'USD')!;
    expect(usd.rate).toBe('18.500000');
    expect(usd.amount).toBe('1081.08'); // 20,000 / 18.50

    const us = await member({ country: 'US' }, '10000.00');
    const under = await requested(us, '1081.00', 'USD'); // 19,998.50 MXN
    const over = await requested(us, '1081.09', 'USD'); // 20,000.17 MXN
    expect((await t.must('withdrawals.approve', { id: under.id }, finance2)).status).toBe('approved');
    expect(await t.must('withdrawals.approve', { id: over.id }, finance2)).toMatchObject({ status: 'pending', awaitingSecondApproval: true });

    const before = await state();
    for (const [token, code] of [
      [t.tokens.finance, 'FORBIDDEN'],
      [t.tokens.support, 'FORBIDDEN'],
    ] as const) {
      const r = await t.call('withdrawals.setSettings', { secondApprovalThresholdMxn: '5000.00' }, token);
      expect(!r.ok && r.error.code).toBe(code);
    }
    for (const bad of ['0', '0.00', '-1', 'mucho', '1.234']) {
      const r = await t.call('withdrawals.setSettings', { secondApprovalThresholdMxn: bad }, t.tokens.admin);
      expect(!r.ok && r.error.code, bad).toBe('VALIDATION');
    }
    expect(await state()).toEqual(before);

    const s1 = await t.must('withdrawals.setSettings', { secondApprovalThresholdMxn: '5000', reason: 'Política de tesorería 2026' }, t.tokens.admin);
    expect(s1).toMatchObject({ secondApprovalThresholdMxn: '5000.00', updatedBy: 'Administrador', updatedAt: clock.toISOString() });
    const [a] = await t.database
      .sql`select staff_username, before, after, reason from audit_log where action = 'withdrawals.setSettings' order by id desc limit 1`;
    expect(a).toMatchObject({
      staff_username: 'admin',
      before: { thresholdMxn: '20000.00' },
      after: { thresholdMxn: '5000.00' },
      reason: 'Política de tesorería 2026',
    });
    const mx = await member();
    const w = await requested(mx, '5000.01');
    expect(await t.must('withdrawals.approve', { id: w.id }, finance2)).toMatchObject({ awaitingSecondApproval: true });
    await t.must('withdrawals.setSettings', { secondApprovalThresholdMxn: '20000.00' }, t.tokens.admin);
  });

  it('whoever approved alone cannot also mark it paid from the bank file; someone else can', async () => {
    const m = await member();
    await setClabe(m, CLABE_A);
    const w = await t.must('withdrawals.request', { memberId: m.id, amount: '1500.00', currency: 'MXN' }, t.tokens.admin);
    await t.must('withdrawals.approve', { id: w.id }, t.tokens.finance);
    await t.must('withdrawals.bankFile', { ids: [w.id] }, t.tokens.finance);
    const before = await state();
    const r = await t.call('withdrawals.markPaid', { id: w.id, reference: 'SPEI 998877' }, t.tokens.finance);
    expect(!r.ok && r.error).toMatchObject({
      code: 'FORBIDDEN',
      message: `Usted aprobó solo el retiro ${w.id}; otra persona debe registrar que el banco lo pagó.`,
    });
    expect(await state()).toEqual(before);
    expect((await t.must('withdrawals.markPaid', { id: w.id, reference: 'SPEI 998877' }, finance2)).status).toBe('paid');
  });
});

describe('payout destinations', () => {
  it('bad input: a clear message on the field, typed VALIDATION, nothing changes', async () => {
    const m = await member();
    const before = await state();
    const cases: [Record<string, unknown>, string, string, RegExp][] = [
      [{ clabe: '002180123456789012' }, 'clabe', 'clabeCheck', /dígito verificador no corresponde \(debería ser 3\)/],
      [{ clabe: '99918012345678901' }, 'clabe', 'clabeLength', /18 dígitos/],
      [{ taxId: 'LOPA80010AB1' }, 'taxId', 'rfcShape', /RFC debe tener 13 caracteres/],
      [{ holderName: '   ' }, 'holderName', 'required', /es obligatorio/],
    ];
    for (const [change, field, rule, message] of cases) {
      const r = await t.call(
        'payoutDestinations.set',
        { memberId: m.id, country: 'MX', holderName: 'Ana López', taxId: 'LOPA800101AB1', clabe: CLABE_A, ...change },
        t.tokens.finance,
      );
      expect(r.ok, field).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('VALIDATION');
        expect(r.error.message).toMatch(message);
        expect(r.error.details).toMatchObject({ field, issues: [{ path: field, rule }] });
      }
    }
    const us = await t.call(
      'payoutDestinations.set',
      { memberId: m.id, country: 'US', holderName: 'Ana', taxId: '123456789', routingNumber: '021000022', accountNumber: '1234567', accountType: 'checking' },
      t.tokens.finance,
    );
    expect(!us.ok && us.error.details).toMatchObject({ field: 'routingNumber' });
    expect(await state()).toEqual(before);
  });

  it('finance and admin enter them; support sees them masked (the clear number never sent); a change is audited and stamps the 72-hour flag', async () => {
    const m = await member();
    const before = await state();
    const r = await t.call(
      'payoutDestinations.set',
      { memberId: m.id, country: 'MX', holderName: 'Ana', taxId: 'LOPA800101AB1', clabe: CLABE_A },
      t.tokens.support,
    );
    expect(!r.ok && r.error.code).toBe('FORBIDDEN');
    expect(await state()).toEqual(before);

    const v = await setClabe(m, CLABE_A, 'Ana López Pérez', t.tokens.finance);
    expect(v).toMatchObject({
      accountNumber: CLABE_A,
      bankCode: '002',
      bankName: 'Banco Nacional de México',
      taxId: 'LOPA800101AB1',
      masked: false,
      createdBy: 'Fernanda Finanzas',
    });
    const forSupport = await t.must('payoutDestinations.list', { memberId: m.id }, t.tokens.support);
    expect(forSupport.masked).toBe(true);
    expect(forSupport.inForce[0]).toMatchObject({ accountNumber: '•••• 9013', taxId: '•••• 1AB1', holderName: 'Ana López Pérez', masked: true });
    expect(JSON.stringify(forSupport)).not.toContain(CLABE_A);
    expect(JSON.stringify(forSupport)).not.toContain('LOPA800101AB1');
    const forFinance = await t.must('payoutDestinations.list', { memberId: m.id }, t.tokens.finance);
    expect(forFinance.inForce[0]!.accountNumber).toBe(CLABE_A);
    // The database stamps the change with its own time (drizzle/0065), whatever the desktop's clock says.
    expect(forFinance.changedAt).toBe(forFinance.inForce[0]!.createdAt);
    expect(Math.abs(Date.parse(forFinance.changedAt!) - Date.now())).toBeLessThan(60_000);

    // The same account again: nothing to change.
    const same = await t.call(
      'payoutDestinations.set',
      { memberId: m.id, country: 'MX', holderName: 'Ana López Pérez', taxId: 'LOPA800101AB1', clabe: CLABE_A },
      t.tokens.admin,
    );
    expect(!same.ok && same.error.code).toBe('CONFLICT');

    await setClabe(m, CLABE_B);
    const after = await t.must('payoutDestinations.list', { memberId: m.id }, t.tokens.admin);
    expect(after.inForce.map((d) => d.accountNumber)).toEqual([CLABE_B]);
    expect(after.history.map((d) => d.accountNumber)).toEqual([CLABE_A]);
    const audits = await t.database
      .sql`select staff_username, before, after from audit_log where action = 'payoutDestinations.set' and entity_id = ${String(m.id)} order by id`;
    expect(audits).toHaveLength(2);
    expect(audits[1]).toMatchObject({
      staff_username: 'admin',
      before: { accountNumber: '•••• 9013' },
      after: { accountNumber: '•••• 0002', bankCode: '012' },
    });
    // The change feeds the existing risk flag.
    const w = await requested(m, '500.00');
    expect(w.riskFlags).toContain('destination_changed');
  });

  it('the withdrawal keeps the destination in force at its approval, even when the member changes it afterwards', async () => {
    const m = await member();
    await setClabe(m, CLABE_A, 'Ana López Pérez');
    const w = await requested(m, '2500.00');
    await t.must('withdrawals.approve', { id: w.id }, finance2);
    await setClabe(m, CLABE_B, 'Otra Persona');
    const d = await t.must('withdrawals.get', { id: w.id }, t.tokens.finance);
    expect(d.withdrawal.destination).toMatchObject({ accountNumber: CLABE_A, holderName: 'Ana López Pérez' });
    expect(d.member.destination).toMatchObject({ accountNumber: CLABE_B, holderName: 'Otra Persona' });
    const f = await t.must('withdrawals.bankFile', { ids: [w.id] }, t.tokens.finance);
    const line = f.csv.trim().split('\r\n')[1]!;
    expect(line).toContain(`,${CLABE_A},`);
    expect(line).toContain('Ana López Pérez');
    expect(line).not.toContain(CLABE_B);
  });

  it('the bank file refuses rows without a destination, naming them (member code + folio); nothing changes', async () => {
    const withDest = await member();
    await setClabe(withDest, CLABE_A);
    const without = await member();
    const a = await requested(withDest, '1000.00');
    const b = await requested(without, '1000.00');
    await t.must('withdrawals.approveMany', { ids: [a.id, b.id] }, finance2);
    const before = await state();
    const r = await t.call('withdrawals.bankFile', { ids: [a.id, b.id] }, t.tokens.finance);
    expect(!r.ok && r.error.code).toBe('CONFLICT');
    expect(!r.ok && r.error.message).toContain(`${without.code} (folio ${b.id})`);
    expect(!r.ok && r.error.message).not.toContain(withDest.code);
    expect(!r.ok && r.error.details).toEqual({ noDestination: [{ id: b.id, memberCode: without.code }] });
    expect(await state()).toEqual(before);
    expect((await t.must('withdrawals.bankFile', { ids: [a.id] }, t.tokens.finance)).count).toBe(1);
  });

  it('US, Colombia and Dominican Republic accounts go to the bank file with their own columns', async () => {
    const us = await member({ country: 'US' }, '5000.00');
    await t.must(
      'payoutDestinations.set',
      {
        memberId: us.id,
        country: 'US',
        holderName: 'John Roe',
        taxId: '123-45-6789',
        routingNumber: '021000021',
        accountNumber: '000123456789',
        accountType: 'checking',
        bankName: 'Chase',
      },
      t.tokens.finance,
    );
    const co = await member({ country: 'CO' }, '5000000.00');
    await t.must(
      'payoutDestinations.set',
      {
        memberId: co.id,
        country: 'CO',
        holderName: 'Luz Gómez',
        taxId: '900123456-7',
        bankName: 'Bancolombia',
        accountNumber: '12345678901',
        accountType: 'savings',
      },
      t.tokens.finance,
    );
    const u = await requested(us, '100.00', 'USD');
    const c = await requested(co, '200000.00', 'COP');
    await t.must('withdrawals.approveMany', { ids: [u.id, c.id] }, finance2);
    const f = await t.must('withdrawals.bankFile', { ids: [u.id, c.id] }, t.tokens.finance);
    const lines = f.csv.trim().split('\r\n');
    expect(lines[1]).toBe(`${f.batchId},${c.id},NNP-RET-${c.id},${co.code},CO,COP,196000.00,Luz Gómez,900123456-7,,Bancolombia,ahorros,,,12345678901`);
    expect(lines[2]).toBe(`${f.batchId},${u.id},NNP-RET-${u.id},${us.code},US,USD,98.00,John Roe,123456789,,Chase,corriente,,021000021,000123456789`);
  });
});
