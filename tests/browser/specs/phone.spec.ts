/**
 * On a phone (375 × 812): the header stays small, the main menu folds behind
 * its "Menu" button (mouse and keyboard), the planning's controls fold behind
 * one button so that the slots show in the first screen, and the
 * back-office's queue does not scroll sideways. Axe scans of each state.
 */
import { type APIRequestContext, type Browser, type Page, expect, test } from '@playwright/test';

import {
  type AgentFamily,
  DEMO_AGENT,
  FAMILY_NOW,
  agentCreateActivity,
  agentCreateFamily,
  agentEnrol,
  apiLogin,
  expectAccessible,
  json,
  logIn,
  setPortalClock,
  signUpAndActivate,
  uniqueEmail,
} from './helpers';

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 375, height: 812 } });

const PHONE = { width: 375, height: 812 };
let agent: APIRequestContext;
let family: AgentFamily;
let repas: { id: string };
const parent = { email: uniqueEmail('maeva.parent'), password: 'Telephone2027' };
let parentState: Awaited<ReturnType<APIRequestContext['storageState']>> | undefined;

const menuButton = (page: Page) => page.getByRole('navigation', { name: 'Menu principal' }).getByRole('button', { name: 'Menu' });
const menuLink = (page: Page, name: string) => page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name });

test.beforeAll(async ({ playwright, baseURL }) => {
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, FAMILY_NOW);
  await dev.dispose();
  agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  family = await agentCreateFamily(agent, 'TELEPHONE', [{ first_name: 'Maéva', sex: 'F', birth_date: '2018-06-01' }]);
  repas = await agentCreateActivity(agent, { name: '2/Repas Ecoles', start: '12:00', end: '13:30' });
  // Enrolled over the whole year, whatever the browser's date.
  await agentEnrol(agent, (family.children[0] as { id: string }).id, repas.id, '2026-09-01', '2027-07-03');
});

test.afterAll(async ({ playwright, baseURL }) => {
  await agent?.dispose();
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, new Date().toISOString());
  await dev.dispose();
});

async function headerHeight(page: Page): Promise<number> {
  const box = await page.getByRole('banner').boundingBox();
  expect(box).not.toBeNull();
  return (box as { height: number }).height;
}

test('the header is small and the menu opens and closes by its button', async ({ page }) => {
  for (const path of ['/', '/nous-contacter', '/connexion']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await headerHeight(page), `header height on ${path}`).toBeLessThan(120);
  }

  const button = menuButton(page);
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await expect(button).toHaveAttribute('aria-controls', 'menu-principal');
  await expect(menuLink(page, 'Espace famille')).toBeHidden();
  await expectAccessible(page, 'menu closed at 375 px', true);

  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  await expect(menuLink(page, 'Espace famille')).toBeVisible();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Se connecter' })).toBeVisible();
  await expectAccessible(page, 'menu open at 375 px', true);
  // Opening the menu does not grow the header: it opens over the page.
  expect(await headerHeight(page)).toBeLessThan(120);

  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await expect(menuLink(page, 'Espace famille')).toBeHidden();

  // A link of the menu leads to its page, and the menu closes there.
  await button.click();
  await menuLink(page, 'Nous contacter').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nous contacter');
  await expect(menuButton(page)).toHaveAttribute('aria-expanded', 'false');
});

test('the menu works with the keyboard', async ({ page }) => {
  await page.goto('/');
  const button = menuButton(page);
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  // Tab goes from the button into the menu.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('banner').getByRole('link', { name: 'Se connecter' })).toBeFocused();
  // Escape closes it and gives the focus back to its button.
  await page.keyboard.press('Escape');
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await expect(button).toBeFocused();
  await page.keyboard.press('Space');
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('Space');
  await expect(button).toHaveAttribute('aria-expanded', 'false');
});

test('on a wide screen the menu is always open and has no button', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await expect(menuButton(page)).toBeHidden();
  await expect(menuLink(page, 'Espace famille')).toBeVisible();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Se connecter' })).toBeVisible();
});

test("the planning's first slot is in the first screen, the controls folded behind one button", async ({ page, baseURL }) => {
  await signUpAndActivate(page, { civility: 'Madame', lastName: 'Telephone', firstName: 'Inès', email: parent.email, password: parent.password });
  await logIn(page, parent.email, parent.password);
  await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);
  parentState = await page.context().storageState();

  await page.goto('/planning');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Planning');
  expect(await headerHeight(page)).toBeLessThan(120);
  // The user zone, in the menu, keeps its own colours (not the bar's white links).
  await menuButton(page).click();
  const me = page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Mme Inès Telephone' });
  await expect(me).toBeVisible();
  expect(await me.evaluate((a) => getComputedStyle(a).color)).not.toBe('rgb(255, 255, 255)');
  await expect(page.getByRole('navigation', { name: 'Menu principal' }).getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
  await menuButton(page).click();
  const first = page.locator('button.slot').first();
  await expect(first).toBeVisible();
  const box = await first.boundingBox();
  expect(box, 'the first slot').not.toBeNull();
  expect((box as { y: number }).y, 'the first slot starts in the first screen').toBeLessThan(PHONE.height - 40);
  // Its name reads as a sentence: no space before a comma, none trailing.
  const name = (await first.getAttribute('aria-label')) ?? '';
  expect(name).toMatch(/^Maéva, 2\/Repas Ecoles, de 12:00 à 13:30, .+, [a-z]+ \d+ [a-zéû]+ \d{4}$/);

  const fold = page.getByRole('button', { name: 'Affichage, enfants, activités et demandes' });
  await expect(fold).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('button', { name: /Semaine suivante/ })).toBeHidden();
  await expect(page.getByRole('link', { name: 'Réservations' })).toBeHidden();
  await expectAccessible(page, 'planning, controls folded, at 375 px', true);

  await fold.click();
  await expect(fold).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('button', { name: /Semaine suivante/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Réservations' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: /Maéva/ })).toBeVisible();
  await expectAccessible(page, 'planning, controls unfolded, at 375 px', true);
  await page.getByRole('button', { name: /Semaine suivante/ }).click();
  await expect(page.getByRole('button', { name: /Semaine suivante/ })).toBeVisible();

  await fold.click();
  await expect(page.getByRole('button', { name: /Semaine suivante/ })).toBeHidden();

  // The absence form's constraints: "d'absence", not "de absence".
  await page.goto('/planning/demande?type=absence');
  await page.getByRole('radio', { name: /Maéva/ }).check();
  await page.getByRole('radio', { name: /2\/Repas Ecoles/ }).check();
  await expect(page.locator('#contraintes')).toContainText("Les dates d'absence doivent être comprises dans la période de l'inscription");
});

async function agentPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ storageState: await agent.storageState(), viewport: PHONE, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  return context.newPage();
}

test('the back-office queue does not scroll sideways and its actions are reachable', async ({ browser, baseURL }) => {
  // A request waiting in the queue, asked by the parent.
  const ctx = await browser.newContext({ storageState: parentState });
  const asked = await ctx.request.post('/api/requests', {
    data: { kind: 'reservation', child_id: (family.children[0] as { id: string }).id, activity_id: repas.id, dates: ['2027-03-01'] },
    headers: { Origin: baseURL as string },
  });
  expect(asked.status(), await asked.text()).toBe(201);
  await ctx.close();

  const page = await agentPage(browser);
  await page.goto('/agent/demandes');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Demandes en attente');
  await expect(page.getByRole('table')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'horizontal scrolling on the queue').toBeLessThanOrEqual(0);
  expect(await headerHeight(page)).toBeLessThan(120);
  await expectAccessible(page, 'queue at 375 px', true);
  // Every button of the queue can be reached: inside the screen's width.
  for (const b of await page.getByRole('main').getByRole('button').all()) {
    if (!(await b.isVisible())) continue;
    const box = await b.boundingBox();
    expect(box).not.toBeNull();
    expect((box as { x: number; width: number }).x + (box as { width: number }).width).toBeLessThanOrEqual(PHONE.width);
  }
  await page.context().close();
});
