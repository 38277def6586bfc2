/**
 * Attendance (pointage) on a phone (375 × 812): the demo's activity staff
 * logs in and lands on their sheets, marks a child with the mouse and with
 * the keyboard, loses the network and marks another (queued, shown as
 * waiting), gets the network back (the mark reaches the server: checked
 * after a reload and through the API), prints the sheet (a clean table:
 * no navigation, no buttons), downloads the CSV, opens the week. Axe scans
 * of each page.
 *
 * The world: the portal's clock on Monday 18 January 2027; an activity of
 * this spec's own, in which the demo's Maéva (reserved that day) and Timéo
 * (enrolled, not reserved) are; the agent gives it to the staff account.
 */
import { readFileSync } from 'node:fs';

import { type APIRequestContext, type Page, expect, test } from '@playwright/test';

import { DEMO_AGENT, DEMO_PARENT, FAMILY_NOW, agentCreateActivity, agentEnrol, apiLogin, expectAccessible, json, setPortalClock } from './helpers';

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 375, height: 812 } });

const STAFF = { email: 'animation.demo@villebois.example', password: 'Animation2026' };
const DAY = '2027-01-18';
const NAME = 'Cantine du pointage';

let agent: APIRequestContext;
let staffApi: APIRequestContext;
let activity: { id: string; name: string };
let maeva: string;
let timeo: string;

interface SheetChild {
  child_id: string;
  first_name: string;
  group: string;
  mark: string | null;
}

async function sheetMarks(): Promise<Record<string, string | null>> {
  const s = await json<{ children: SheetChild[] }>(await staffApi.get(`/api/attendance/activities/${activity.id}/sheet?date=${DAY}`), 'sheet');
  return Object.fromEntries(s.children.map((c) => [c.first_name, c.mark]));
}

test.beforeAll(async ({ playwright, baseURL }) => {
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, FAMILY_NOW);
  await dev.dispose();
  agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  const list = await json<{ items: { id: string; label: string }[] }>(await agent.get('/api/agent/families?q=Famille%20MARTIN'), 'families');
  const martin = list.items.find((f) => f.label === 'Famille MARTIN');
  expect(martin, 'the demo family').toBeTruthy();
  const family = await json<{ children: { id: string; first_name: string }[] }>(await agent.get(`/api/agent/families/${martin?.id}`), 'family');
  maeva = family.children.find((c) => c.first_name === 'Maéva')?.id ?? '';
  timeo = family.children.find((c) => c.first_name === 'Timéo')?.id ?? '';
  activity = await agentCreateActivity(agent, { name: NAME, start: '11:30', end: '13:30', capacity: 3, validation: 'automatic' });
  for (const child of [maeva, timeo]) await agentEnrol(agent, child, activity.id);
  const parent = await apiLogin(playwright, baseURL as string, DEMO_PARENT);
  await json(
    await parent.post('/api/requests', { data: { kind: 'reservation', child_id: maeva, activity_id: activity.id, dates: [DAY] } }),
    'reservation',
    [201],
  );
  await parent.dispose();
  // The staff account takes this activity's attendance too.
  staffApi = await apiLogin(playwright, baseURL as string, STAFF);
  const me = await json<{ id: string; role: string }>(await staffApi.get('/api/me'), 'me');
  expect(me.role).toBe('staff');
  const mine = await json<{ items: { id: string }[] }>(await staffApi.get('/api/attendance/activities'), 'activities');
  await json(
    await agent.put(`/api/attendance/staff/${me.id}`, { data: { activities: [...mine.items.map((a) => a.id), activity.id] } }),
    'staff activities',
  );
});

test.afterAll(async ({ playwright, baseURL }) => {
  await agent?.dispose();
  await staffApi?.dispose();
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, new Date().toISOString());
  await dev.dispose();
});

const marks = (page: Page, child: string) => page.getByRole('group', { name: new RegExp(`^Pointage de ${child}`) });

test('the staff take attendance on a phone, offline too, print, download and see the week', async ({ page, context }) => {
  // Logging in lands on the sheets.
  await page.goto('/connexion');
  await page.getByRole('textbox', { name: 'Identifiant', exact: true }).fill(STAFF.email);
  await page.getByRole('textbox', { name: 'Mot de passe', exact: true }).fill(STAFF.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/pointage$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pointage des présences');
  // The staff's menu holds attendance only.
  await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('button', { name: 'Menu' }).click();
  const menu = page.getByRole('navigation', { name: 'Menu principal' }).getByRole('list').getByRole('link');
  await expect(menu).toHaveText(['Pointage']);
  await page.keyboard.press('Escape');
  await expectAccessible(page, 'the staff activities', true);

  await page.getByRole('link', { name: NAME }).click();
  await expect(page).toHaveURL(new RegExp(`/pointage/${activity.id}\\?date=${DAY}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Pointage : ${NAME}`);
  await expect(page.getByText('lundi 18 janvier 2027', { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Enfants attendus (1)' })).toBeVisible();
  await expectAccessible(page, 'the sheet', true);

  // Maéva, with the mouse: saved at once. Targets of 44 px at least.
  const present = marks(page, 'Maéva MARTIN').getByRole('radio', { name: 'Présent' });
  const box = await marks(page, 'Maéva MARTIN').locator('label').first().boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
  const saved = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes(`/marks/${DAY}/${maeva}`));
  await present.check();
  expect((await saved).status()).toBe(200);
  await expect(present).toBeChecked();
  expect((await sheetMarks())['Maéva']).toBe('present');

  // With the keyboard: the arrows move between the marks and save them.
  await present.focus();
  const again = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes(`/marks/${DAY}/${maeva}`));
  await page.keyboard.press('ArrowRight');
  expect((await again).status()).toBe(200);
  await expect(marks(page, 'Maéva MARTIN').getByRole('radio', { name: 'Absent excusé' })).toBeChecked();
  expect((await sheetMarks())['Maéva']).toBe('absent_excused');
  await present.check();
  await expect.poll(async () => (await sheetMarks())['Maéva']).toBe('present');

  // The network drops: Timéo arrives without a reservation.
  await context.setOffline(true);
  await page.getByText('Autres enfants inscrits (1)').click();
  await marks(page, 'Timéo MARTIN').getByRole('radio', { name: 'Arrivé sans réservation' }).check();
  const status = page.getByRole('status').filter({ hasText: "en attente d'envoi" });
  await expect(status).toHaveText(/^1 pointage en attente d'envoi/);
  await expect(marks(page, 'Timéo MARTIN')).toContainText("(en attente d'envoi)");
  expect((await sheetMarks())['Timéo']).toBeNull();

  // Back online: the queued mark leaves by itself.
  await context.setOffline(false);
  await expect(status).toHaveCount(0, { timeout: 40_000 });
  await expect.poll(async () => (await sheetMarks())['Timéo']).toBe('arrived_unreserved');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Arrivés sans réservation (1)' })).toBeVisible();
  await expect(marks(page, 'Timéo MARTIN').getByRole('radio', { name: 'Arrivé sans réservation' })).toBeChecked();
  await expect(marks(page, 'Maéva MARTIN').getByRole('radio', { name: 'Présent' })).toBeChecked();

  // Printed: the table only, no navigation, no buttons.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('banner')).toBeHidden();
  await expect(page.getByRole('navigation', { name: "Fil d'Ariane" })).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Changer de jour' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Imprimer la feuille' })).toBeHidden();
  await expect(page.getByRole('link', { name: 'Télécharger (CSV)' })).toBeHidden();
  for (const radio of await page.getByRole('radio').all()) await expect(radio).toBeHidden();
  const table = page.getByRole('table');
  await expect(table).toBeVisible();
  await expect(table.getByRole('row', { name: /Maéva MARTIN/ })).toContainText('Présent');
  await expect(table.getByRole('row', { name: /Timéo MARTIN/ })).toContainText('Arrivé sans réservation');
  await page.emulateMedia({ media: 'screen' });
  await expect(page.getByRole('table')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Imprimer la feuille' })).toBeVisible();

  // The CSV of the same list.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Télécharger (CSV)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`pointage-cantine-du-pointage-${DAY}.csv`);
  const csv = readFileSync((await file.path()) as string, 'utf8');
  expect(csv.startsWith('\ufeff"Nom";"Prénom";"Situation";"Pointage"')).toBe(true);
  const lines = csv.slice(1).trim().split('\r\n');
  expect(lines).toHaveLength(3);
  expect(lines[1]).toMatch(/^"MARTIN";"Maéva";"Attendu";"Présent";/);
  expect(lines[2]).toMatch(/^"MARTIN";"Timéo";"Sans réservation";"Arrivé sans réservation";/);
  expect(lines[1]).toContain(`"18/01/2027"`);

  // The week: numbers and a bar, per day.
  await page.getByRole('link', { name: 'Vue de la semaine' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Semaine : ${NAME}`);
  const monday = page.getByRole('row', { name: /lundi 18 janvier/ });
  await expect(monday.getByRole('cell')).toHaveText(['1 / 3', '2', '33 %']);
  await expect(page.getByRole('row', { name: /samedi 23 janvier/ })).toContainText("Pas d'activité");
  await expectAccessible(page, 'the week', true);

  // The back-office is not theirs: a way back to the sheets.
  await page.goto('/agent');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accès réservé aux agents');
  await page.getByRole('link', { name: 'Aller au pointage des présences' }).click();
  await expect(page).toHaveURL(/\/pointage$/);
});

test('a parent is turned away from the sheets, agents reach them from the back-office', async ({ page, playwright, baseURL }) => {
  const parent = await apiLogin(playwright, baseURL as string, DEMO_PARENT);
  expect((await parent.get('/api/attendance/activities')).status()).toBe(403);
  await parent.dispose();
  await page.goto('/connexion');
  await page.getByRole('textbox', { name: 'Identifiant', exact: true }).fill(DEMO_AGENT.email);
  await page.getByRole('textbox', { name: 'Mot de passe', exact: true }).fill(DEMO_AGENT.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/agent$/);
  await page.getByRole('link', { name: 'Pointage des présences' }).click();
  await expect(page).toHaveURL(/\/pointage$/);
  await expect(page.getByRole('link', { name: NAME })).toBeVisible();
  await expectAccessible(page, "the agent's activities", true);
});
