import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { FIXTURE_NOW, loadFixture } from '../../../test/network-fixture';
import { codeFromDigits, emailIndexHint } from './search';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: () => FIXTURE_NOW });
  await loadFixture(t.database.sql);
  await t.database.sql`
    insert into orders (member_id, country, currency, status, total, pv, vn, created_at, payment_confirmed_at, period_id, payment_method)
    select 2, 'MX', 'MXN', s::order_status, '1996.00', '1670.00', '0', ts, case when s = 'paid' then ts end, case when s = 'paid' then p.id end, 'stripe'::payment_method
    from (values ('paid', '2026-11-03T12:00:00Z'::timestamptz), ('failed', '2026-11-02T12:00:00Z'::timestamptz), ('paid', '2026-10-05T12:00:00Z'::timestamptz)) v(s, ts)
    join periods p on ts >= p.starts_at and ts < p.ends_at`;
});
afterAll(async () => {
  await t?.close();
});

const search = async (q: string, extra: Record<string, unknown> = {}) => t.must('members.search', { q, ...extra }, t.tokens.support);
const ids = (r: { rows: { id: number }[] }) => r.rows.map((x) => x.id);

describe('members.search', () => {
  it('finds names without accents or case, in any word order and by partial words', async () => {
    expect(ids(await search('jose perez'))[0]).toBe(2);
    expect(ids(await search('JOSÉ PÉREZ'))[0]).toBe(2);
    expect(ids(await search('perez jose'))[0]).toBe(2);
    expect(ids(await search('jos pér'))).toContain(2);
    expect(ids(await search('nunez'))).toEqual([3]);
    expect(ids(await search('Ibanez'))).toEqual([5]);
    // Every word must match: "jose" alone finds the three Josés, "jose luis" only one.
    expect(ids(await search('jose')).sort((a, b) => a - b)).toEqual([2, 3, 6]);
    expect(ids(await search('jose luis'))).toEqual([6]);
  });

  it("keeps 1,000 histogram buckets for the names' search text, so that a very common word is read sequentially (drizzle/0077)", async () => {
    const [col] = await t.database.sql<{ target: number }[]>`
      select attstattarget::int as target from pg_attribute where attrelid = 'member_search'::regclass and attname = 'search_text'`;
    expect(col?.target).toBe(1000);
  });

  it('ranks whole words above prefixes', async () => {
    const r = await search('ana');
    expect(ids(r)).toEqual([4, 5]); // Ana Ruiz (whole word) before Anahí (prefix)
    expect(r.rows[0]!.matchedBy).toBe('name');
  });

  it('finds by code, e-mail (exact or prefix) and phone in any format', async () => {
    const byCode = await search('nn0000006');
    expect(byCode.rows[0]).toMatchObject({ id: 6, matchedBy: 'code' });
    expect(ids(await search('NN000000'))).toContain(6); // code prefix
    const byEmail = await search('Jose.Perez@Example.com');
    expect(byEmail.rows[0]).toMatchObject({ id: 2, matchedBy: 'email' });
    expect(ids(await search('ana.ru'))).toContain(4);
    for (const q of ['5512345678', '55 1234 5678', '(55) 1234-5678', '+52 1 55 1234 5678', '+52-55-1234-5678', '1234 5678']) {
      const r = await search(q);
      expect(r.rows[0], q).toMatchObject({ id: 2, matchedBy: 'phone' });
    }
    expect(ids(await search('213.555.0199'))).toEqual([4]);
    expect(ids(await search('310 555 1234'))).toEqual([5]);
  });

  it('finds a code typed as its digits, with or without the prefix and zeros', async () => {
    for (const q of ['6', '0000006', 'NN6', 'nn6', 'NN-6', 'NN0000006']) {
      expect((await search(q)).rows[0], q).toMatchObject({ id: 6, code: 'NN0000006', matchedBy: 'code' });
    }
    expect(codeFromDigits('1494')).toBe('NN0001494');
    expect(codeFromDigits('NN1494')).toBe('NN0001494');
    expect(codeFromDigits('12345678')).toBeNull();
    expect(codeFromDigits('gmail')).toBeNull();
  });

  it('finds any part of an e-mail: the domain with or without @, a piece of the local part', async () => {
    const domain = await search('example.com');
    expect(domain.rows.length).toBeGreaterThan(0);
    for (const r of domain.rows) expect(r.email?.toLowerCase(), 'every hit has the domain').toContain('example.com');
    expect(domain.rows.every((r) => r.matchedBy === 'email')).toBe(true);
    const at = await search('@example.com');
    expect(ids(at)).toContain(2);
    expect(at.rows.every((r) => r.email?.toLowerCase().includes('@example.com'))).toBe(true);
    expect(ids(await search('perez@'))).toContain(2);
    expect(ids(await search('erez@exam'))).toContain(2);
    // Nothing invented: a domain nobody uses finds nobody.
    expect((await search('hotmail')).rows).toEqual([]);
  });

  it('finds the end of an address typed whole, the domain checked though the index is asked for the local part only', async () => {
    expect(emailIndexHint('jorgemartinez765833@outlook.com')).toBe('%jorg%833@%');
    expect(emailIndexHint('ana.garcia@gm')).toBe('%ana.garcia@%');
    expect(emailIndexHint('ana_g%@x.mx')).toBe('%ana\\_g\\%@%');
    expect(emailIndexHint('@example.com')).toBeNull();
    expect(emailIndexHint('perez@')).toBeNull();
    expect(emailIndexHint('gmail')).toBeNull();
    const tail = await search('ose.perez@example.com');
    expect(tail.rows[0]).toMatchObject({ id: 2, matchedBy: 'email' });
    // Same local part, another domain: the whole text must be in the address.
    expect((await search('ose.perez@example.org')).rows.filter((r) => r.matchedBy === 'email')).toEqual([]);
    // LIKE's wildcards typed are characters, not wildcards.
    expect((await search('jose%perez@example.com')).rows).toEqual([]);
    expect((await search('jose_perez@example.com')).rows).toEqual([]);
  });

  it('a piece of an address is looked for only while the addresses starting with the text do not fill their list (then the answer is capped)', async () => {
    const before = await t.database.sql<{ id: number; email: string | null }[]>`select id::int, email from members where id between 10 and 121 order by id`;
    const prefixed = (n: number) => t.database.sql`
      update members set email = case when id = 121 then 'x.qqpre@example.net' when id < 10 + ${n} then 'qqpre' || id || '@example.net' else email end
      where id between 10 and 121`;
    try {
      await prefixed(50);
      const some = await search('qqpre', { pageSize: 100 });
      expect(some.capped).toBe(false);
      expect(ids(some)).toContain(121);
      expect(some.total).toBe(51);
      await prefixed(101);
      const full = await search('qqpre', { pageSize: 100 });
      expect(full.capped).toBe(true);
      expect(full.rows.every((r) => r.email?.startsWith('qqpre'))).toBe(true);
      expect(full.total).toBe(101);
    } finally {
      await t.database.sql`
        update members m set email = b.email from jsonb_to_recordset(${JSON.stringify(before.map((b) => ({ id: b.id, email: b.email })))}::jsonb) as b(id bigint, email text) where m.id = b.id`;
    }
    expect((await search('qqpre')).rows).toEqual([]);
  });

  it('pages ranked results and says the total', async () => {
    const p1 = await search('mariana castillo', { pageSize: 12 });
    expect(p1.total).toBe(30);
    expect(p1.capped).toBe(false);
    expect(p1.rows).toHaveLength(12);
    const p3 = await search('mariana castillo', { pageSize: 12, page: 3 });
    expect(p3.rows).toHaveLength(6);
    const all = [...ids(p1), ...ids(await search('mariana castillo', { pageSize: 12, page: 2 })), ...ids(p3)];
    expect(new Set(all).size).toBe(30);
    const past = await search('mariana castillo', { pageSize: 12, page: 9 });
    expect(past.rows).toEqual([]);
    expect(past.total).toBe(30);
  });

  it('searches inside one downline', async () => {
    expect(ids(await search('jose', { withinMemberId: 2 })).sort((a, b) => a - b)).toEqual([2, 6]);
    expect(ids(await search('mariana', { withinMemberId: 2 }))).toEqual([]);
    expect((await search('mariana', { withinMemberId: 7 })).total).toBe(30);
    const unknown = await t.call('members.search', { q: 'jose', withinMemberId: 999_999 }, t.tokens.support);
    expect(!unknown.ok && unknown.error.code).toBe('NOT_FOUND');
  });

  it('follows changes of name, e-mail or phone (the lookup index is kept by triggers)', async () => {
    await t.database
      .sql`update members set last_name = 'Zamora Íñiguez', email = 'ana.z@example.org', phone = '55 9999 0000', phone_digits = '5599990000' where id = 4`;
    try {
      expect(ids(await search('ana zamora'))).toEqual([4]);
      expect(ids(await search('iniguez'))).toEqual([4]);
      expect(ids(await search('ana.z@example.org'))).toEqual([4]);
      expect(ids(await search('(55) 9999-0000'))).toEqual([4]);
      expect(ids(await search('ana ruiz'))).toEqual([]);
    } finally {
      await t.database
        .sql`update members set last_name = 'Ruiz', email = 'ana.ruiz@example.com', phone = '(213) 555-0199', phone_digits = '2135550199' where id = 4`;
    }
    expect(ids(await search('ana ruiz'))).toEqual([4]);
  });

  it('bad input answers cleanly and fast', async () => {
    const bad = [
      '',
      '   ',
      'x'.repeat(1000),
      'ñ'.repeat(1000),
      "'; drop table members; --",
      '%',
      '_',
      '\\',
      '%_%\\\'"',
      '😀🎉',
      '😀 josé 😀',
      'a b c d e f g h i j k l m n o p q r s t u v w x y z',
      '\u0001',
      '(((',
      '+',
      '@',
      '@@@.com',
      '0',
      '12',
    ];
    for (const q of bad) {
      const started = performance.now();
      const r = await t.call('members.search', { q }, t.tokens.support);
      expect(r.ok, JSON.stringify(q)).toBe(true);
      expect(performance.now() - started, JSON.stringify(q)).toBeLessThan(1000);
    }
    expect(ids(await search('😀 josé 😀')).sort((a, b) => a - b)).toEqual([2, 3, 6]);
    expect((await search("'; drop table members; --")).rows).toEqual([]);
    // A NUL character cannot be stored or compared by PostgreSQL: refused as bad input (issue 16), not a 500.
    const nul = await t.call('members.search', { q: '\u0000\u0001' }, t.tokens.support);
    expect(!nul.ok && nul.error.code).toBe('VALIDATION');
    const tooLong = await t.call('members.search', { q: 'x'.repeat(1001) }, t.tokens.support);
    expect(!tooLong.ok && tooLong.error.code).toBe('VALIDATION');
    const [c] = await t.database.sql`select count(*)::int as n from members`;
    expect(c!.n).toBe(300);
  });
});

describe('members.get', () => {
  it('answers the profile: contact, sponsor, upline, ranks, volumes per period, downline', async () => {
    const p = await t.must('members.get', { id: 6 }, t.tokens.support);
    expect(p).toMatchObject({
      id: 6,
      code: 'NN0000006',
      firstName: 'JOSÉ LUIS',
      lastName: 'Peña',
      country: 'MX',
      currency: 'MXN',
      countryName: 'México',
      careerRank: 2,
      depth: 3,
    });
    expect(p.sponsor).toMatchObject({ id: 4, firstName: 'Ana' });
    expect(p.upline.map((u) => u.id)).toEqual([1, 2, 4]);
    expect(p.volumes.map((v) => v.period.key)).toEqual(['2026-11', '2026-10', '2026-09']);
    expect(p.current).toMatchObject({ period: { key: '2026-11', status: 'open' }, pv: '100.00', pvg: '100.00', paidAsRank: 1, cached: true });
    expect(p.volumes[1]).toMatchObject({ pv: '0', cached: false });
    expect(p.downlineSize).toBe(0);

    const jose = await t.must('members.get', { id: 2 }, t.tokens.admin);
    expect(jose.downlineSize).toBe(3 + 43);
    expect(jose.directRecruits).toBe(2);
    expect(jose.upline.map((u) => u.id)).toEqual([1]);
    expect(jose.orders).toEqual({ count: 3, paid: 2 });
    const root = await t.must('members.get', { id: 1 }, t.tokens.finance);
    expect(root.sponsor).toBeNull();
    expect(root.upline).toEqual([]);
    expect(root.downlineSize).toBe(299);
  });

  it('unknown member → NOT_FOUND', async () => {
    const r = await t.call('members.get', { id: 424242 }, t.tokens.support);
    expect(!r.ok && r.error.code).toBe('NOT_FOUND');
    const o = await t.call('members.orders', { memberId: 424242 }, t.tokens.support);
    expect(!o.ok && o.error.code).toBe('NOT_FOUND');
  });

  it('members.byCode: the code as staff know it (NN0000008, 8, 0000008, nn-8); an unknown code is a typed NOT_FOUND naming it', async () => {
    for (const code of ['NN0000008', '8', '0000008', 'nn-8', ' nn0000008 ']) {
      expect(await t.must('members.byCode', { code }, t.tokens.support), code).toMatchObject({ id: 8, code: 'NN0000008' });
    }
    for (const [code, named] of [
      ['999999', 'NN0999999'],
      ['NN7777777', 'NN7777777'],
      ['ana', 'ana'],
    ] as const) {
      const r = await t.call('members.byCode', { code }, t.tokens.finance);
      expect(!r.ok && r.error, code).toMatchObject({ code: 'NOT_FOUND', key: 'member.notFoundCode', params: { code: named } });
    }
    const empty = await t.call('members.byCode', { code: '   ' }, t.tokens.support);
    expect(!empty.ok && empty.error.code).toBe('VALIDATION');
  });

  it("lists a member's orders, newest first, with their period", async () => {
    const r = await t.must('members.orders', { memberId: 2, pageSize: 2 }, t.tokens.support);
    expect(r.total).toBe(3);
    expect(r.rows.map((o) => [o.status, o.periodKey])).toEqual([
      ['paid', '2026-11'],
      ['failed', null],
    ]);
    expect(r.rows[0]).toMatchObject({ total: '1996.00', currency: 'MXN', pv: '1670.00' });
  });
});

describe('correcting a member: edits, status and notes, each audited, on the timeline', () => {
  const auditRows = () => t.database.sql<{ action: string; before: unknown; after: unknown; reason: string | null; staff_username: string }[]>`
    select action, before, after, reason, staff_username from audit_log where action like 'members.%' order by id`;

  it('support corrects a phone with a reason: the lookup follows, the audit row keeps before and after', async () => {
    const r = await t.must('members.update', { id: 3, phone: '+52 33 1111 2222', reason: 'La socia dictó su número nuevo' }, t.tokens.support);
    expect(r.changed).toEqual(['phone']);
    const p = await t.must('members.get', { id: 3 }, t.tokens.support);
    expect(p.phone).toBe('+52 33 1111 2222');
    expect(ids(await search('33 1111 2222'))).toEqual([3]);
    const [a] = (await auditRows()).filter((x) => x.action === 'members.update');
    expect(a).toMatchObject({
      before: { phone: '(33) 8765-4321' },
      after: { phone: '+52 33 1111 2222' },
      reason: 'La socia dictó su número nuevo',
      staff_username: 'soporte',
    });
  });

  it('bad input is refused with typed field errors and changes nothing', async () => {
    const before = await t.must('members.get', { id: 4 }, t.tokens.support);
    const email = await t.call('members.update', { id: 4, email: 'ana.ruiz.example.com', reason: 'corrección' }, t.tokens.support);
    expect(!email.ok && email.error).toMatchObject({ code: 'VALIDATION', details: { issues: [expect.objectContaining({ path: 'email', rule: 'email' })] } });
    const phone = await t.call('members.update', { id: 4, phone: 'cinco cinco', reason: 'corrección' }, t.tokens.support);
    expect(!phone.ok && phone.error).toMatchObject({ code: 'VALIDATION', details: { issues: [expect.objectContaining({ path: 'phone', rule: 'phone' })] } });
    const name = await t.call('members.update', { id: 4, firstName: '   ', reason: 'corrección' }, t.tokens.support);
    expect(!name.ok && name.error).toMatchObject({ code: 'VALIDATION', details: { issues: [expect.objectContaining({ path: 'firstName', rule: 'name' })] } });
    const same = await t.call('members.update', { id: 4, email: before.email!, reason: 'corrección' }, t.tokens.support);
    expect(!same.ok && same.error.key).toBe('member.nothingChanged');
    const noReason = await t.call('members.update', { id: 4, email: 'a@b.mx' }, t.tokens.support);
    expect(!noReason.ok && noReason.error.code).toBe('VALIDATION');
    expect(await t.must('members.get', { id: 4 }, t.tokens.support)).toEqual(before);
    // Finance reads members but does not correct them; support does not suspend.
    const fin = await t.call('members.update', { id: 4, email: 'a@b.mx', reason: 'corrección' }, t.tokens.finance);
    expect(!fin.ok && fin.error.code).toBe('FORBIDDEN');
    const sus = await t.call('members.setStatus', { id: 4, status: 'suspended', reason: 'fraude' }, t.tokens.support);
    expect(!sus.ok && sus.error.code).toBe('FORBIDDEN');
  });

  it('admin suspends and reactivates with a reason; a repeat is a conflict', async () => {
    await t.must('members.setStatus', { id: 4, status: 'suspended', reason: 'Documentación pendiente' }, t.tokens.admin);
    expect((await t.must('members.get', { id: 4 }, t.tokens.support)).status).toBe('suspended');
    const again = await t.call('members.setStatus', { id: 4, status: 'suspended', reason: 'otra vez' }, t.tokens.admin);
    expect(!again.ok && again.error.key).toBe('member.alreadySuspended');
    await t.must('members.setStatus', { id: 4, status: 'active', reason: 'Documentos recibidos' }, t.tokens.admin);
    expect((await t.must('members.get', { id: 4 }, t.tokens.support)).status).toBe('active');
  });

  it('the timeline shows notes, orders, edits and status changes, newest first, paged', async () => {
    await t.must('members.addNote', { memberId: 2, text: 'llamó el 3/12, se le explicó el Bono Rápido' }, t.tokens.support);
    await t.must('members.update', { id: 2, address: 'Av. Reforma 100, CDMX', reason: 'Cambio de domicilio' }, t.tokens.admin);
    const p1 = await t.must('members.timeline', { memberId: 2, pageSize: 2 }, t.tokens.support);
    expect(p1.total).toBe(5); // 3 orders, 1 note, 1 edit
    expect(p1.rows.map((r) => r.kind)).toEqual(['edit', 'note']);
    expect(p1.rows[0]).toMatchObject({
      staff: 'admin',
      text: 'Cambio de domicilio',
      changes: [{ field: 'address', before: null, after: 'Av. Reforma 100, CDMX' }],
    });
    expect(p1.rows[1]).toMatchObject({ staff: 'soporte', text: 'llamó el 3/12, se le explicó el Bono Rápido' });
    const p2 = await t.must('members.timeline', { memberId: 2, pageSize: 2, page: 2 }, t.tokens.finance);
    const p3 = await t.must('members.timeline', { memberId: 2, pageSize: 2, page: 3 }, t.tokens.finance);
    const orders = [...p2.rows, ...p3.rows];
    expect(orders.map((r) => r.kind)).toEqual(['order', 'order', 'order']);
    expect(orders.map((r) => r.at)).toEqual([...orders.map((r) => r.at)].sort().reverse());
    const four = await t.must('members.timeline', { memberId: 4 }, t.tokens.support);
    expect(four.rows.map((r) => [r.kind, r.status])).toEqual([
      ['status', 'active'],
      ['status', 'suspended'],
    ]);
    const note = await t.call('members.addNote', { memberId: 2, text: '   ' }, t.tokens.support);
    expect(!note.ok && note.error.code).toBe('VALIDATION');
  });
});
