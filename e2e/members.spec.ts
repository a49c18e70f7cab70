import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { firstSignIn, loginAsAdmin, rpc, screenshot, slowProcedure } from './helpers';

test.describe.configure({ mode: 'serial' });

interface Hit {
  id: number;
  code: string;
  firstName: string;
  lastName: string;
  downlineSize: number;
}
const name = (m: { firstName: string; lastName: string }) => `${m.firstName} ${m.lastName}`;

/** A member whose surname carries an accent, found through the bridge as a script would. */
async function accentedMember(page: Page): Promise<{ hit: Hit; query: string }> {
  const surnames: [string, string][] = [
    ['perez', 'Pérez'],
    ['garcia', 'García'],
    ['hernandez', 'Hernández'],
    ['lopez', 'López'],
    ['martinez', 'Martínez'],
  ];
  for (const [q, accented] of surnames) {
    const r = await rpc(page, 'members.search', { q, pageSize: 50 });
    const hit = (r.body.data.rows as Hit[]).find((h) => h.lastName.startsWith(accented) && !/\s/.test(h.firstName));
    // A partial, accented, lower-case query: "jos pére".
    if (hit) return { hit, query: `${hit.firstName.slice(0, 3).toLowerCase()} ${accented.slice(0, 4).toLowerCase()}` };
  }
  throw new Error('the demo network has no accented surname');
}

/** root → a → b → c: at each level the recruit with the largest downline. */
async function threeLevels(page: Page): Promise<Hit[]> {
  const root = (await rpc(page, 'genealogy.node', {})).body.data.node as Hit;
  const chain: Hit[] = [root];
  for (let i = 0; i < 3; i++) {
    const r = await rpc(page, 'genealogy.children', { memberId: chain[chain.length - 1]!.id, sort: 'downline', pageSize: 5 });
    const next = (r.body.data.rows as Hit[])[0];
    if (!next) throw new Error(`no recruits below ${chain[chain.length - 1]!.code}`);
    chain.push(next);
  }
  return chain;
}

test('admin finds a member by a partial accented name, opens the profile and walks three levels of the tree', async ({ page }) => {
  await loginAsAdmin(page);
  const { hit, query } = await accentedMember(page);
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Socios' }).click();
  await expect(page.getByRole('heading', { name: 'Socios' })).toBeVisible();
  const box = page.getByLabel('Buscar socio');
  await expect(box).toBeFocused();
  await box.fill(query);
  const results = page.getByRole('listbox', { name: /resultados?/ });
  const option = results.getByRole('option').filter({ hasText: hit.code });
  await expect(option).toBeVisible();
  await expect(option).toContainText(name(hit));
  await screenshot(page, '20-members-search');

  // Keyboard: move the highlight onto the member and open it with Enter.
  await expect(results.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  for (let i = 0; i < 20 && (await option.getAttribute('aria-selected')) !== 'true'; i++) await box.press('ArrowDown');
  await expect(option).toHaveAttribute('aria-selected', 'true');
  await box.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(name(hit));
  await expect(page.getByRole('navigation', { name: 'Línea ascendente' })).toBeVisible();
  await expect(page.getByText('Rango de carrera')).toBeVisible();
  await screenshot(page, '21-member-profile');
  await page.getByRole('tab', { name: 'Volúmenes' }).click();
  await expect(page.getByRole('cell', { name: /^\d{4}-\d{2}$/ }).first()).toBeVisible();
  await page.getByRole('tab', { name: 'Pedidos' }).click();
  await expect(page.getByRole('columnheader', { name: 'Forma de pago' })).toBeVisible();
  await screenshot(page, '22-member-orders');
  for (const slot of ['Comisiones', 'Billetera']) await expect(page.getByRole('tab', { name: slot })).toBeVisible();

  // The tree from the root of the network, three levels down.
  const chain = await threeLevels(page);
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Genealogía' }).click();
  const tree = page.getByRole('tree');
  await expect(tree.getByRole('treeitem', { name: new RegExp(chain[0]!.code) })).toBeVisible();
  // Sorted by downline size, the biggest leg comes first among its siblings.
  await page.getByLabel('Ordenar reclutas').selectOption('downline');
  // The tree pattern: one Tab stop, → opens a branch (the keyboard; the pointer uses the ▸ toggle).
  for (let level = 1; level <= 3; level++) {
    const item = tree.getByRole('treeitem', { name: new RegExp(chain[level]!.code) });
    await expect(item).toBeVisible();
    await expect(item).toHaveAttribute('aria-level', String(level + 1));
    await expect(item.locator('.level-cell')).toHaveText(String(level));
    if (level < 3) {
      await item.click();
      await item.press('ArrowRight');
      await expect(item).toHaveAttribute('aria-expanded', 'true');
    }
  }
  await screenshot(page, '23-genealogy-three-levels');

  // Jump to the level-1 member, then the level view of its downline.
  await tree.getByRole('treeitem', { name: new RegExp(chain[1]!.code) }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menu').getByRole('menuitem', { name: 'Ver su red' }).click();
  await expect(page.getByRole('heading', { level: 2 })).toContainText(name(chain[1]!));
  await page.getByRole('tab', { name: 'Vista por niveles' }).click();
  const levels = page.getByRole('table', { name: 'Vista por niveles' });
  await expect(levels.getByRole('row').nth(1)).toContainText('1');
  await screenshot(page, '24-genealogy-levels');

  // Search inside this downline and export it to CSV.
  await page.getByRole('tab', { name: 'Árbol' }).click();
  await page.getByRole('combobox', { name: 'Buscar en esta red' }).fill(chain[3]!.code.toLowerCase());
  await expect(page.getByRole('listbox', { name: 'Resultados en esta red' }).getByRole('option').filter({ hasText: chain[3]!.code })).toBeVisible();
  await screenshot(page, '25-genealogy-search-inside');
  await page.getByRole('combobox', { name: 'Buscar en esta red' }).fill('');
  await page.getByRole('button', { name: 'Exportar CSV' }).click();
  const dialog = page.getByRole('dialog', { name: 'Exportar red a CSV' });
  const download = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Exportar' }).click();
  const file = await download;
  await expect(dialog.getByRole('status')).toContainText('Listo');
  await screenshot(page, '26-genealogy-export');
  const csv = readFileSync((await file.path())!, 'utf8')
    .trim()
    .split('\r\n');
  expect(csv[0]).toContain('codigo,nombre,apellidos');
  expect(csv).toHaveLength(chain[1]!.downlineSize + 2);
  expect(csv[1]).toContain(chain[1]!.code);
  await dialog.getByRole('button', { name: 'Cerrar' }).click();
  // Only admins correct the genealogy.
  await expect(page.getByRole('button', { name: 'Corregir patrocinador' })).toBeVisible();
});

test('support finds a member by a partial accented name and opens the profile, without genealogy corrections', async ({ page }) => {
  await loginAsAdmin(page);
  const created = await rpc(page, 'staff.create', { username: 'soporte-miembros', displayName: 'Sonia Soporte', role: 'support', password: 'temporal-12345' });
  expect(created.status).toBe(200);
  const { hit, query } = await accentedMember(page);
  await page.getByRole('button', { name: 'Cerrar sesión' }).click();

  await firstSignIn(page, 'soporte-miembros', 'temporal-12345', 'definitiva-12345');
  await page.getByRole('navigation', { name: 'principal' }).getByRole('link', { name: 'Socios' }).click();
  await page.getByLabel('Buscar socio').fill(query);
  await page
    .getByRole('listbox', { name: /resultados?/ })
    .getByRole('option')
    .filter({ hasText: hit.code })
    .click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(name(hit));
  await expect(page.getByRole('button', { name: 'Corregir patrocinador' })).toHaveCount(0);
  await screenshot(page, '27-support-profile');
  const moved = await rpc(page, 'genealogy.move', { memberId: hit.id, newSponsorId: 1, reason: 'Soporte no puede mover' });
  expect(moved.status).toBe(403);
});

test('admin corrects a sponsor: the member and its downline move, with a reason, audited', async ({ page }) => {
  await loginAsAdmin(page);
  // A member with a small downline, and a new sponsor in another leg of the root.
  const root = (await rpc(page, 'genealogy.node', {})).body.data.node as Hit;
  const legs = (await rpc(page, 'genealogy.children', { memberId: root.id, sort: 'downline', pageSize: 5 })).body.data.rows as Hit[];
  const [bigLeg, otherLeg] = [legs[0]!, legs[1]!];
  const under = (await rpc(page, 'genealogy.children', { memberId: bigLeg.id, sort: 'downline', pageSize: 50 })).body.data.rows as Hit[];
  const mover = under.find((h) => h.downlineSize > 0 && h.downlineSize < 20) ?? under[under.length - 1]!;
  const before = (await rpc(page, 'members.get', { id: mover.id })).body.data;

  await page.goto(`#/genealogy/${mover.id}`);
  await expect(page.getByRole('heading', { level: 2 })).toContainText(name(mover));
  await page.getByRole('button', { name: 'Corregir patrocinador' }).click();
  const dialog = page.getByRole('dialog', { name: 'Corregir patrocinador' });
  await dialog.getByLabel('Nuevo patrocinador').fill(otherLeg.code);
  await dialog.getByRole('button', { name: new RegExp(otherLeg.code) }).click();
  await dialog.getByLabel('Motivo (obligatorio)').fill('Alta registrada con el patrocinador equivocado (prueba e2e)');
  await screenshot(page, '28-genealogy-move');
  await dialog.getByRole('button', { name: 'Mover' }).click();
  await expect(dialog.getByRole('status')).toContainText(`${mover.downlineSize + 1} socios ahora están debajo de ${name(otherLeg)}`);
  await dialog.getByRole('button', { name: 'Cerrar' }).click();
  await expect(page.getByRole('navigation', { name: 'Línea ascendente' })).toContainText(name(otherLeg));

  const after = (await rpc(page, 'members.get', { id: mover.id })).body.data;
  expect(after.sponsor.id).toBe(otherLeg.id);
  expect(after.depth).toBe(2);
  expect(after.moves[0]).toMatchObject({ newSponsor: { id: otherLeg.id }, oldSponsor: { id: before.sponsor.id }, staffUsername: 'admin' });
  const audit = await rpc(page, 'audit.list', { action: 'genealogy.move' });
  expect(audit.body.data.rows[0]).toMatchObject({
    entity: 'member',
    entityId: String(mover.id),
    reason: 'Alta registrada con el patrocinador equivocado (prueba e2e)',
  });
  // A move into its own downline is refused.
  const cycle = await rpc(page, 'genealogy.move', { memberId: otherLeg.id, newSponsorId: mover.id, reason: 'Esto formaría un ciclo' });
  expect(cycle.status).toBe(409);
  expect(cycle.body.error.code).toBe('CONFLICT');
});

test('Enter typed before the search has answered the whole text opens the member typed, not the first of an earlier prefix', async ({ page }) => {
  await loginAsAdmin(page);
  await page.goto('/#/members');
  const box = page.getByRole('combobox', { name: 'Buscar socio' });
  await box.pressSequentially('NN000010');
  await expect(page.locator('[data-ready="search"][data-query="NN000010"]')).toBeVisible();
  // The first row for "NN000010" is another member (NN0000010, the code those digits spell).
  await expect(page.locator('#member-results [role="option"]').first()).toContainText('NN0000010');
  // The answer for the whole code is slow: the rows of "NN000010" stay on screen meanwhile.
  await slowProcedure(page, 'members.search', 1000);
  await box.press('7');
  await box.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('NN0000107');
  await page.unrouteAll({ behavior: 'wait' });
});

test('the search inside a downline: Enter before the answer to the whole text picks the member typed', async ({ page }) => {
  await loginAsAdmin(page);
  await page.goto('/#/genealogy');
  const box = page.getByRole('combobox', { name: 'Buscar en esta red' });
  await box.pressSequentially('NN000010');
  await expect(page.locator('#downline-results [role="option"]').first()).toContainText('NN0000010');
  await slowProcedure(page, 'members.search', 1000);
  await box.press('7');
  await box.press('Enter');
  await expect(page).toHaveURL(/#\/genealogy\/\d+/);
  await expect(page.locator('main')).toContainText('NN0000107');
  await expect(page.locator('main')).not.toContainText('NN0000010 ');
  await page.unrouteAll({ behavior: 'wait' });
});
