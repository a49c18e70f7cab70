import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../test/app';
import { FIXTURE_NOW, loadFixture } from '../../../test/network-fixture';
import { creditCommission } from '../../../test/wallet-fixtures';
import type { DbOrTx } from '../../db/client';
import type { AuditRow } from '../../../shared/contract/audit';
import { resolveRefs } from './app';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: () => FIXTURE_NOW });
  await loadFixture(t.database.sql);
});
afterAll(async () => {
  await t?.close();
});

const latest = async (action: string): Promise<AuditRow> => (await t.must('audit.list', { action, pageSize: 5 }, t.tokens.admin)).rows[0]!;
const fields = (r: AuditRow) => r.changes.map((c) => c.field);
const shownText = (r: AuditRow) => JSON.stringify({ subject: r.subject, changes: r.changes });

describe('audit.list in business words', () => {
  it('names a corrected member by code and name, with the changed field before and after', async () => {
    await t.must('members.update', { id: 3, phone: '+52 33 1111 2222', reason: 'La socia dictó su número nuevo' }, t.tokens.support);
    const r = await latest('members.update');
    expect(r.subject).toEqual({ kind: 'member', ref: 'NN0000003', name: 'María José López Núñez', memberId: '3', memberCode: 'NN0000003' });
    expect(r.changes).toEqual([
      {
        field: 'phone',
        sub: null,
        before: { type: 'text', value: '(33) 8765-4321', currency: null, name: null, memberId: null },
        after: { type: 'text', value: '+52 33 1111 2222', currency: null, name: null, memberId: null },
      },
    ]);
  });

  it('a sponsor change shows both sponsors by code and name; the tree path and depth stay hidden', async () => {
    await t.must('genealogy.move', { memberId: 4, newSponsorId: 3, reason: 'Alta con el patrocinador equivocado' }, t.tokens.admin);
    const r = await latest('genealogy.move');
    expect(r.subject).toMatchObject({ ref: 'NN0000004', name: 'Ana Ruiz', memberId: '4' });
    const sponsor = r.changes.find((c) => c.field === 'sponsorId')!;
    expect(sponsor.before).toMatchObject({ type: 'member', value: 'NN0000002', name: 'José Pérez García', memberId: '2' });
    expect(sponsor.after).toMatchObject({ type: 'member', value: 'NN0000003', name: 'María José López Núñez', memberId: '3' });
    expect(fields(r)).not.toContain('path');
    expect(fields(r)).not.toContain('depth');
    expect(shownText(r)).not.toMatch(/\/\d+\//); // no "1/3/5/…" path anywhere in what the screen gets
    expect(r.changes.find((c) => c.field === 'period')?.after?.value).toBe('2026-11');
  });

  it('a withdrawal is named by folio and member; amounts carry their currency; internal keys are hidden', async () => {
    await creditCommission(t.database.db as DbOrTx, 2, 'MXN', '41256.47', { at: new Date(FIXTURE_NOW.getTime() - 40 * 86_400_000) });
    const w = await t.must('withdrawals.request', { memberId: 2, amount: '1000.00', currency: 'MXN' }, t.tokens.finance);
    const r = await latest('withdrawals.request');
    expect(r.subject).toEqual({ kind: 'withdrawal', ref: String(w.id), name: 'José Pérez García', memberId: '2', memberCode: 'NN0000002' });
    expect(r.changes.find((c) => c.field === 'amount')?.after).toMatchObject({ type: 'money', value: '1000.00', currency: 'MXN' });
    expect(fields(r)).not.toContain('holdTransactionId');
    expect(fields(r)).not.toContain('memberId'); // the subject already names the member
    expect(fields(r)).not.toContain('currency'); // shown with each amount
  });

  it('staff by username; a role change shows the role, not the account id', async () => {
    const sup = (await t.must('staff.list', {}, t.tokens.admin)).find((s) => s.username === 'soporte')!;
    await t.must('staff.update', { id: sup.id, displayName: 'Sofía S. Soporte', reason: 'Nombre completo' }, t.tokens.admin);
    const r = await latest('staff.update');
    expect(r.subject).toMatchObject({ kind: 'staff', ref: 'soporte', name: 'Sofía S. Soporte' });
    expect(r.changes).toEqual([
      expect.objectContaining({
        field: 'displayName',
        before: expect.objectContaining({ value: 'Sofía Soporte' }),
        after: expect.objectContaining({ value: 'Sofía S. Soporte' }),
      }),
    ]);
    expect(shownText(r)).not.toContain(sup.id);
  });

  it('a plan version by number and name; rank thresholds by rank, one row per figure that moved', async () => {
    const draft = await t.must('plan.createDraft', { name: 'Plan de prueba', effectiveFromPeriod: '2026-12' }, t.tokens.admin);
    await t.must('plan.updateDraftRanks', { id: draft.id, ranks: [{ rank: 1, pv: '200', pvg: '200' }], reason: 'Campaña de arranque' }, t.tokens.admin);
    const r = await latest('plan.updateDraftRanks');
    expect(r.subject).toMatchObject({ kind: 'plan_version', ref: String(draft.id), name: 'Plan de prueba' });
    expect(r.changes).toEqual([
      { field: 'rankPv', sub: '1', before: expect.objectContaining({ type: 'points', value: '1465' }), after: expect.objectContaining({ value: '200' }) },
      { field: 'rankPvg', sub: '1', before: expect.objectContaining({ type: 'points', value: '1465' }), after: expect.objectContaining({ value: '200' }) },
    ]);
  });

  it('resolves a whole page of references in one query, and none for a page that needs none', async () => {
    const page = (
      await t.database.sql<{ action: string; entity: string; entity_id: string | null; staff_username: string | null; before: unknown; after: unknown }[]>`
      select action, entity, entity_id, staff_username, before, after from audit_log order by id`
    ).map((r) => ({ action: r.action, entity: r.entity, entityId: r.entity_id, staffUsername: r.staff_username, before: r.before, after: r.after }));
    expect(page.length).toBeGreaterThan(8);
    let queries = 0;
    const db = t.database.db as DbOrTx;
    const counting = {
      execute: (q: Parameters<DbOrTx['execute']>[0]) => {
        queries++;
        return db.execute(q);
      },
    } as unknown as DbOrTx;
    const lookup = await resolveRefs(counting, page);
    expect(queries).toBe(1);
    expect(lookup.get('member:2')).toMatchObject({ ref: 'NN0000002', name: 'José Pérez García' });
    queries = 0;
    await resolveRefs(
      counting,
      page.filter((r) => r.entity === 'session'),
    );
    expect(queries).toBe(0);
  });
});
