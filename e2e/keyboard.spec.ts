import { expect, test, type Browser, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import path from 'node:path';
import { ADMIN_PASSWORD, expectAccessible, firstSignIn, focusShot, login, loginAsAdmin, rpc, slowProcedure, tabTo } from './helpers';

/**
 * Issue 19: the support and admin journeys by keyboard only (after the sign-in form, every step is
 * page.keyboard; document.activeElement is asserted at each step and each state is checked with axe),
 * an axe sweep over every route of each role (es-MX, and the main screens in English), and the main
 * screens at 1280×720 and at 200 % zoom (640×360 CSS px at device scale 2): no page-level sideways
 * scroll, the menu collapsible, the key column and the row actions on screen.
 * The finance keyboard journey lives in e2e/withdrawals.spec.ts (it needs wallet money).
 */
// Not serial: one worker runs them in order (the accounts first), and a failure in one does not hide the others'.

const TEMP = 'temporal-teclado-19';
const FINAL = 'definitiva-teclado-19';
const ACCOUNTS = { support: 'soporte19', finance: 'finanzas19' } as const;
const mod = process.platform === 'darwin' ? 'Meta' : 'Control';
const shots = path.join(import.meta.dirname, 'screenshots');

interface Hit {
  id: number;
  code: string;
  firstName: string;
  lastName: string;
  downlineSize: number;
}
const fullName = (m: { firstName: string; lastName: string }) => `${m.firstName} ${m.lastName}`;

/** What has focus, in words: tag, role, name — for the step assertions' messages. */
const active = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return 'body';
    return `${el.tagName.toLowerCase()}[role=${el.getAttribute('role') ?? ''}] ${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 60)}`;
  });
/** The member code on the focused tree row (stable while its toggle's arrow changes). */
const code = (page: Page) => page.evaluate(() => /NN\d{7}/.exec(document.activeElement?.textContent ?? '')?.[0] ?? document.activeElement?.tagName ?? 'none');
/** document.activeElement is the element `selector` matches (checked in the page, not through Playwright's :focus). */
async function expectActive(page: Page, selector: string, step: string, timeout?: number) {
  await expect
    .poll(
      () =>
        page.evaluate((s) => {
          const el = document.activeElement;
          return !!el && el.matches(s);
        }, selector),
      { message: `${step}: focus on ${selector} (is on ${await active(page)})`, ...(timeout ? { timeout } : {}) },
    )
    .toBe(true);
}

/** The admin opens the support and finance accounts once; each then signs in and sets its password. */
async function ensureAccounts(page: Page) {
  await loginAsAdmin(page);
  for (const [role, username] of Object.entries(ACCOUNTS)) {
    const r = await rpc(page, 'staff.create', { username, displayName: role === 'support' ? 'Sofía Soporte' : 'Fernando Finanzas', role, password: TEMP });
    expect([200, 409, 400]).toContain(r.status);
  }
  await page.evaluate(() => sessionStorage.clear());
  for (const username of Object.values(ACCOUNTS)) {
    await firstSignIn(page, username, TEMP, FINAL);
    await page.evaluate(() => sessionStorage.clear());
  }
}

async function signIn(page: Page, role: 'admin' | 'support' | 'finance') {
  await login(page, role === 'admin' ? 'admin' : ACCOUNTS[role], role === 'admin' ? ADMIN_PASSWORD : FINAL);
  await expect(page.locator('nav#main-menu')).toBeVisible();
}

test('accounts for the journeys', async ({ page }) => {
  await ensureAccounts(page);
});

test('support, keyboard only: skip link, search, profile tabs, the genealogy tree and its menu', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await signIn(page, 'support');
  const kb = page.keyboard;
  await expect(page.getByRole('heading', { level: 1, name: 'Tablero' })).toBeVisible();
  await expectAccessible(page, 'support dashboard');

  // The skip link is the first Tab stop and goes to the screen's heading.
  await kb.press('Tab');
  await expectActive(page, 'a.skip-link', 'first Tab');
  await focusShot(page, '19-kb-01-skip-link');
  await kb.press('Enter');
  await expectActive(page, 'main h1', 'skip link → heading');

  // The chart is no Tab stop; its figures are one named stop away, as a table.
  const chart = page.getByRole('region', { name: 'Últimos 12 periodos' });
  const stops = await chart.evaluate((el) =>
    [...el.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, summary, [tabindex]')]
      .filter((x) => x.tabIndex >= 0 && !x.closest('[aria-hidden="true"]'))
      .map((x) => x.tagName.toLowerCase()),
  );
  expect(stops, "the chart card has one Tab stop: the table's summary").toEqual(['summary']);
  await expect(chart.locator('svg[tabindex]')).toHaveCount(0);
  await tabTo(page, chart.locator('summary'));
  await expectActive(page, 'summary', "Tab to the chart's table");
  await kb.press('Enter');
  await expect(chart.getByRole('table')).toBeVisible();
  await expect(chart.getByRole('row')).not.toHaveCount(1);
  await expectAccessible(page, 'dashboard chart as a table');
  await focusShot(page, '19-kb-01b-chart-table');

  // A member with a network of their own, found by a common surname in the member search screen
  // (reached by Ctrl+K), a few rows down the results: the arrows have to move to it.
  let query = '';
  let target: Hit | undefined;
  let steps = 0;
  for (const q of ['garcia', 'hernandez', 'lopez', 'martinez', 'rodriguez', 'gonzalez']) {
    const rows = (await rpc(page, 'members.search', { q, page: 1, pageSize: 20 })).body.data.rows as Hit[];
    steps = rows.findIndex((h, i) => i >= 2 && h.downlineSize >= 10);
    if (steps > 0) {
      query = q;
      target = rows[steps];
      break;
    }
  }
  if (!target) throw new Error('no member with a network among the common surnames');
  await kb.press(`${mod}+k`);
  await expectActive(page, '[cmdk-input]', 'Ctrl+K opens the palette on its input');
  await kb.type('Socios');
  await expect(page.getByRole('option', { name: /Ir a Socios/ })).toHaveAttribute('aria-selected', 'true');
  await expectAccessible(page, 'palette with a screen');
  await focusShot(page, '19-kb-02-palette-screen');
  await kb.press('Enter');
  const box = page.getByLabel('Buscar socio');
  await expectActive(page, '#member-q', 'the member search focuses its box');
  await kb.type(query);
  await expect(page.locator(`.hits[data-ready="search"][data-query="${query}"]`)).toBeVisible(); // the answer to the last key
  const results = page.getByRole('listbox', { name: /resultados?/ });
  const option = results.getByRole('option').filter({ hasText: target.code });
  await expect(option).toBeVisible();
  await expect(results.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  // The arrows move the highlight (aria-activedescendant) while focus stays in the box.
  for (let i = 0; i < steps; i++) await kb.press('ArrowDown');
  await expect(option).toHaveAttribute('aria-selected', 'true');
  await expect(box).toHaveAttribute('aria-activedescendant', `hit-${target.id}`);
  await expectActive(page, '#member-q', 'arrows keep focus in the box');
  await expectAccessible(page, 'member search results');
  await focusShot(page, '19-kb-03-search-highlight');
  await kb.press('Enter');

  // The profile: focus on its heading.
  await expect(page.getByRole('heading', { level: 1 })).toContainText(fullName(target));
  await expectActive(page, 'main h1', 'the profile opens on its heading');
  await expectAccessible(page, 'member profile (details)');
  await focusShot(page, '19-kb-04-profile-heading');

  // Tabs: one stop, the arrows move between them and show each panel.
  const tabs = page.getByRole('tablist').first().getByRole('tab');
  await tabTo(page, tabs.first());
  await expectActive(page, '[role="tab"][aria-selected="true"]', 'Tab reaches the selected tab');
  const count = await tabs.count();
  for (let i = 1; i < count; i++) {
    await kb.press('ArrowRight');
    await expect(tabs.nth(i)).toHaveAttribute('aria-selected', 'true');
    await expectActive(page, `[role="tab"][aria-selected="true"]`, `ArrowRight to tab ${i + 1}`);
    await expect(tabs.nth(i)).toBeFocused();
    await expectAccessible(page, `member profile tab ${await tabs.nth(i).textContent()}`);
    if (i === 1) await focusShot(page, '19-kb-05-profile-tab-arrow');
  }
  await kb.press('Home');
  await expect(tabs.first()).toHaveAttribute('aria-selected', 'true');
  await expect(tabs.first()).toBeFocused();

  // "Ver en genealogía" is one stop (a link), back from the tabs.
  const treeLink = page.getByRole('link', { name: 'Ver en genealogía' });
  await tabTo(page, treeLink, 30, true);
  await expectActive(page, 'a.button-link', 'Shift+Tab to "Ver en genealogía"');
  await kb.press('Enter');
  await expect(page).toHaveURL(new RegExp(`#/genealogy/${target.id}$`));
  await expectActive(page, 'main h1', 'genealogy opens on its heading');

  // The tree: one Tab stop; ↓ ↑ move, → expands, ← collapses, Home / End, Enter opens the menu.
  const tree = page.getByRole('tree');
  await expect(tree.getByRole('treeitem').first()).toBeVisible();
  expect(await tree.locator('[role="treeitem"][tabindex="0"]').count(), 'one Tab stop in the tree').toBe(1);
  await tabTo(page, tree.locator('[role="treeitem"][tabindex="0"]'));
  await expectActive(page, '[role="treeitem"][aria-level="1"]', 'Tab into the tree lands on its root');
  await expectAccessible(page, 'genealogy tree');
  await focusShot(page, '19-kb-06-tree-root');
  const focusedItem = page.locator('[role="treeitem"]:focus');
  await kb.press('ArrowDown');
  await expectActive(page, '[role="treeitem"][aria-level="2"]', '↓ to the first recruit');
  const firstChild = await code(page);
  await kb.press('ArrowDown');
  await expectActive(page, '[role="treeitem"][aria-level="2"]', '↓ to the second recruit');
  expect(await code(page)).not.toBe(firstChild);
  await kb.press('ArrowUp');
  expect(await code(page), '↑ back to the first recruit').toBe(firstChild);
  // Down to a recruit with its own recruits (it shows aria-expanded).
  for (let i = 0; i < 15 && (await focusedItem.getAttribute('aria-expanded')) === null; i++) await kb.press('ArrowDown');
  await expect(focusedItem).toHaveAttribute('aria-expanded', 'false');
  const parent = await code(page);
  // The recruits arrive late (held 800 ms): → pressed twice at once lands on the "loading" line, and
  // focus must move on to the first recruit when they arrive, not fall to the page.
  await slowProcedure(page, 'genealogy.children', 800);
  await kb.press('ArrowRight');
  await expect(focusedItem).toHaveAttribute('aria-expanded', 'true');
  expect(await code(page), '→ expands, focus stays').toBe(parent);
  await kb.press('ArrowRight');
  await expectActive(page, '[role="treeitem"][aria-level="3"]', '→ on an open item goes to its first child');
  await page.unrouteAll({ behavior: 'wait' });
  await focusShot(page, '19-kb-07-tree-child');
  await kb.press('ArrowLeft');
  expect(await code(page), '← from a child to its parent').toBe(parent);
  await kb.press('ArrowLeft');
  await expect(focusedItem).toHaveAttribute('aria-expanded', 'false');
  expect(await code(page), '← collapses, focus stays').toBe(parent);
  await kb.press('End');
  await expectActive(page, '[role="treeitem"]', 'End to the last item');
  expect(await code(page)).not.toBe(parent);
  await expect(focusedItem).toBeInViewport();
  await focusShot(page, '19-kb-08-tree-end');
  // End scrolled far down and rows may still be arriving there: Home must land on the root. Failed
  // once in CI with focus left on the last item (a key lost in the render where the focused line was
  // replaced; onTreeKey now acts from the focused row): pressed again only while focus is elsewhere.
  await kb.press('Home');
  await expect(async () => {
    if ((await page.evaluate(() => document.activeElement?.getAttribute('aria-level'))) !== '1') await kb.press('Home');
    await expectActive(page, '[role="treeitem"][aria-level="1"]', 'Home to the root', 5_000);
  }).toPass({ timeout: 30_000 });
  await kb.press('ArrowDown');
  // Enter: the row's actions menu, focus on its first item; Escape hands focus back to the row.
  const row = await code(page);
  await kb.press('Enter');
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();
  await expectActive(page, '[role="menuitem"]', 'Enter opens the actions menu on its first item');
  await kb.press('ArrowDown');
  await expectActive(page, '[role="menuitem"]', '↓ inside the menu');
  await expectAccessible(page, 'tree row actions menu');
  await focusShot(page, '19-kb-09-tree-menu');
  await kb.press('Escape');
  await expect(menu).toHaveCount(0);
  await expectActive(page, '[role="treeitem"]', 'Escape closes the menu, focus back on the row');
  expect(await code(page)).toBe(row);
  await focusShot(page, '19-kb-10-tree-menu-closed');
});

test("on a slow machine (CPU throttled 12×) the palette still lands on the new screen's heading, never on <main>", async ({ page }) => {
  // The palette's closing focus used to fall on <main> when the new screen was not drawn yet, and
  // stayed there (CI failed this way twice before the fallback waited for the heading).
  await page.setViewportSize({ width: 1280, height: 720 });
  await signIn(page, 'admin');
  const cdp = await page.context().newCDPSession(page);
  test.setTimeout(120_000);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 12 });
  // Each step waits for the slowed page to have done the last one (a keystroke sent before the
  // palette's input has focus, or Enter before its filter picked the screen, goes elsewhere); what
  // is under test is only where focus ends.
  await page.keyboard.press('/');
  await expectActive(page, '[cmdk-input]', '"/" opens the palette, slow CPU', 30_000);
  await page.keyboard.type('periodos');
  await expect(page.getByRole('option', { name: /Ir a Periodos/ })).toHaveAttribute('aria-selected', 'true', { timeout: 30_000 });
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Periodos' })).toBeVisible({ timeout: 30_000 });
  await expectActive(page, 'main h1', 'Periodos opens on its heading, slow CPU', 30_000);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
});

test('the palette never offers members found for an earlier prefix: "periodos" + Enter while the member search is slow opens Periodos', async ({ page }) => {
  // CI once landed on a member's profile here: the members found for "pe" were still listed (above
  // the screens, so selected) while the search for the whole word was on its way.
  await page.setViewportSize({ width: 1280, height: 720 });
  await signIn(page, 'admin');
  await page.keyboard.press('/');
  await expectActive(page, '[cmdk-input]', '"/" opens the palette');
  await page.keyboard.type('pe');
  const membersGroup = page.locator('[cmdk-group-heading]', { hasText: 'Socios' });
  await expect(membersGroup, 'members found for "pe"').toBeVisible();
  await slowProcedure(page, 'members.search', 1500);
  await page.keyboard.type('riodos');
  await expect(page.getByRole('option', { name: /Ir a Periodos/ })).toBeVisible();
  // The debounce has fired and the search for "periodos" is held: only the screen is offered.
  await page.waitForTimeout(400);
  // Checked once, not retried: the held answer (no members) would clear the list given time.
  expect(await membersGroup.count(), 'no members listed for an earlier prefix').toBe(0);
  expect(await page.getByRole('option', { name: /Ir a Periodos/ }).getAttribute('aria-selected')).toBe('true');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Periodos' })).toBeVisible();
  await page.unrouteAll({ behavior: 'wait' });
});

test('admin, keyboard only: the close wizard opens from its button, keeps focus, Escape cancels back to the trigger', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await signIn(page, 'admin');
  const kb = page.keyboard;
  await kb.press('/');
  await expectActive(page, '[cmdk-input]', '"/" opens the palette');
  await kb.type('periodos');
  await kb.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Periodos' })).toBeVisible();
  await expectActive(page, 'main h1', 'Periodos opens on its heading');
  await expectAccessible(page, 'periods');
  const trigger = page.getByRole('button', { name: 'Cerrar periodo…' });
  await tabTo(page, trigger);
  await expectActive(page, 'button.primary', 'Tab to "Cerrar periodo…"');
  await focusShot(page, '19-kb-11-close-trigger');
  await kb.press('Enter');
  const wizard = page.getByRole('dialog');
  await expect(wizard).toBeVisible();
  await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]')), { message: 'focus moves into the wizard' }).toBe(true);
  for (let i = 0; i < 12; i++) {
    await kb.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]')), `Tab ${i + 1} stays in the wizard`).toBe(true);
  }
  await expectAccessible(page, 'close wizard');
  await focusShot(page, '19-kb-12-close-wizard');
  await kb.press('Escape');
  await expect(wizard).toHaveCount(0);
  await expect(trigger).toBeFocused();
  await expectActive(page, 'button.primary', 'Escape closes the wizard, focus back on its trigger');
  await focusShot(page, '19-kb-13-close-cancelled');

  // The language by keyboard: <html lang> follows at once, the menu's name is translated.
  await tabTo(page, page.locator('.sidebar-foot select'), 60, true);
  await kb.press('ArrowDown');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('navigation', { name: 'Main menu' })).toBeVisible();
  await expectAccessible(page, 'periods in English');
  await kb.press('ArrowUp');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es-MX');
});

/** Every route a role may use (the menu's table), plus a profile and a subtree. */
const ROUTES: Record<'admin' | 'finance' | 'support', string[]> = {
  support: ['dashboard', 'members', 'members?q=garcia', 'members/:id', 'genealogy', 'genealogy/:id', 'autoship', 'commissions'],
  finance: [
    'dashboard',
    'members',
    'members?q=garcia',
    'members/:id',
    'genealogy',
    'genealogy/:id',
    'autoship',
    'payments',
    'withdrawals',
    'periods',
    'commissions',
    'disclosure',
    'settings',
  ],
  admin: [
    'dashboard',
    'members',
    'members?q=garcia',
    'members/:id',
    'genealogy',
    'genealogy/:id',
    'autoship',
    'payments',
    'withdrawals',
    'periods',
    'commissions',
    'disclosure',
    'settings',
    'staff',
    'audit',
  ],
};

async function someMember(page: Page): Promise<Hit> {
  const root = (await rpc(page, 'genealogy.node', {})).body.data.node as Hit;
  return ((await rpc(page, 'genealogy.children', { memberId: root.id, sort: 'downline', pageSize: 5 })).body.data.rows as Hit[])[0]!;
}

/** Opens a route and waits for its heading and its data (no loading line left). */
async function visit(page: Page, route: string) {
  await page.goto(`/#/${route}`);
  await expect(page.locator('main h1').first()).toBeVisible();
  await expect(page.locator('main .loading')).toHaveCount(0, { timeout: 20_000 });
  await page.waitForLoadState('networkidle');
}

/** axe over the page; returns the critical / serious violations in words (empty when clean). */
async function axeBad(page: Page, state: string) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map(
      (v) =>
        `${state}: ${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

for (const role of ['admin', 'finance', 'support'] as const) {
  test(`axe sweep, es-MX: every route of ${role}`, async ({ page }) => {
    test.setTimeout(240_000);
    await signIn(page, role);
    const m = await someMember(page);
    const bad: string[] = [];
    for (const r of ROUTES[role]) {
      await visit(page, r.replace(':id', String(m.id)));
      bad.push(...(await axeBad(page, `${role} /${r}`)));
    }
    expect(bad).toEqual([]);
  });
}

test('axe sweep, English: the main screens', async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, 'admin');
  await page.evaluate(() => localStorage.setItem('nnp-preferences', JSON.stringify({ state: { locale: 'en', sidebar: 'auto' }, version: 0 })));
  await page.reload(); // the language a person chose is applied when the app starts
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('navigation', { name: 'Main menu' })).toBeVisible();
  const m = await someMember(page);
  const bad: string[] = [];
  for (const r of [
    'dashboard',
    'members?q=garcia',
    `members/${m.id}`,
    `genealogy/${m.id}`,
    'withdrawals',
    'payments',
    'periods',
    'staff',
    'settings',
    'audit',
  ]) {
    await visit(page, r);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    bad.push(...(await axeBad(page, `en /${r}`)));
  }
  expect(bad).toEqual([]);
});

/** The main screens, and what must stay on screen in each (a key column head, a row action). */
const MAIN: { name: string; route: string; key?: string; action?: string }[] = [
  { name: 'dashboard', route: 'dashboard' },
  { name: 'members', route: 'members?q=garcia', key: '.hit-row.hit-head > span:first-child' },
  { name: 'profile', route: 'members/:id' },
  { name: 'genealogy', route: 'genealogy/:id', key: '.tree-head > :first-child' },
  { name: 'withdrawals', route: 'withdrawals', key: 'table.data th:first-child' },
  { name: 'payments', route: 'payments', key: 'table.data th:first-child' },
  { name: 'periods', route: 'periods', key: 'table.data th:first-child' },
  { name: 'staff', route: 'staff', key: 'table.data th:first-child', action: 'table.data tbody tr:first-child .row-actions button' },
  { name: 'settings', route: 'settings' },
  { name: 'audit', route: 'audit', key: 'table.data th:first-child' },
];

async function layoutSweep(browser: Browser, label: string, size: { width: number; height: number }, scale: number) {
  const context = await browser.newContext({
    viewport: size,
    deviceScaleFactor: scale,
    locale: 'es-MX',
    timezoneId: 'America/Mexico_City',
    baseURL: test.info().project.use.baseURL,
  });
  const page = await context.newPage();
  try {
    await signIn(page, 'admin');
    const m = await someMember(page);
    const problems: string[] = [];
    // The menu folds and unfolds (its toggle says which).
    const toggle = page.locator('.sidebar-toggle');
    const before = await toggle.getAttribute('aria-expanded');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(toggle).toHaveAttribute('aria-expanded', before === 'true' ? 'false' : 'true');
    await page.keyboard.press('Enter');
    await expect(toggle).toHaveAttribute('aria-expanded', before ?? 'true');
    if (label === 'zoom') expect(before, 'at 200 % the menu starts folded').toBe('false');
    for (const s of MAIN) {
      await visit(page, s.route.replace(':id', String(m.id)));
      const { sw, cw } = await page.evaluate(() => ({ sw: document.scrollingElement!.scrollWidth, cw: document.scrollingElement!.clientWidth }));
      if (sw > cw + 1) problems.push(`${s.name}: the page scrolls sideways (${sw} > ${cw})`);
      for (const [what, sel] of [
        ['key column', s.key],
        ['row action', s.action],
      ] as const) {
        if (!sel) continue;
        const el = page.locator(sel).first();
        await el.scrollIntoViewIfNeeded();
        const box = await el.boundingBox();
        if (!box || box.x < 0 || box.x + box.width > size.width + 1) problems.push(`${s.name}: ${what} ${sel} off screen (${JSON.stringify(box)})`);
      }
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(shots, `19-${label}-${s.name}.png`) });
      problems.push(...(await axeBad(page, `${label} /${s.name}`)));
    }
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
}

test('1280×720: the main screens hold (no sideways page scroll, key column and actions on screen, axe clean)', async ({ browser }) => {
  test.setTimeout(240_000);
  await layoutSweep(browser, '1280', { width: 1280, height: 720 }, 1);
});

test('200 % zoom (640×360 CSS px at scale 2): the main screens hold', async ({ browser }) => {
  test.setTimeout(240_000);
  await layoutSweep(browser, 'zoom', { width: 640, height: 360 }, 2);
});
