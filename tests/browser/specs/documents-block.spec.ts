/**
 * A mandatory supporting document and reservations (issue 14). The
 * commune (API) opens a canteen, enrols Maéva BLANC and makes « Carnet de
 * vaccination » mandatory for it. The parent's reservation by a click is
 * refused in the dialog with the French message naming the document and
 * the child; the agent sets the activity to « Avertir seulement » on its
 * page; the same reservation then goes through, and the dialog shows the
 * warning before closing; a period asked on the form says it in its result.
 */
import { type APIRequestContext, type BrowserContext, type Page, expect, test } from '@playwright/test';

import { AGENT, expectAccessible, saveLogin, statePath } from './agent-helpers';
import { type AgentFamily, DEMO_AGENT, FAMILY_NOW, agentCreateActivity, agentCreateFamily, agentEnrol, apiLogin, json, logIn, setPortalClock, signUpAndActivate, uniqueEmail } from './helpers';

test.describe.configure({ mode: 'serial' });

const DAY = '2027-01-25';
const DOCUMENT = 'Carnet de vaccination';
const SETTING = 'Pièce justificative obligatoire manquante';
const MISSING = /^Il manque la pièce justificative «\s*Carnet de vaccination\s*» de Maéva \(à envoyer depuis Pièces justificatives\)\.$/;

let agent: APIRequestContext;
let family: AgentFamily;
let canteen: { id: string; name: string };
let typeId = '';
let parentState: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;
const parent = { email: uniqueEmail('claire.blanc'), password: 'Pieces2027' };
const AGENT_STATE = statePath('documents-block-agent');

const maeva = () => (family.children[0] as { id: string }).id;
const cell = (page: Page) => page.locator(`[id="case-${DAY}-${maeva()}-${canteen.id}"]`);

test.beforeAll(async ({ playwright, baseURL }) => {
  // The clock first: sessions opened before a jump of weeks would expire.
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, FAMILY_NOW);
  await dev.dispose();
  agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  await saveLogin(playwright, baseURL as string, AGENT, 'documents-block-agent');
  family = await agentCreateFamily(agent, 'BLANC', [{ first_name: 'Maéva', sex: 'F', birth_date: '2018-06-11' }]);
  canteen = await agentCreateActivity(agent, { name: '2/Cantine Blanc', start: '11:45', end: '13:30', weekdays: ['mon', 'tue', 'thu', 'fri'] });
  await agentEnrol(agent, maeva(), canteen.id);
  const created = await json<{ id: string }>(
    await agent.post('/api/agent/document-types', { data: { name: DOCUMENT, scope: 'child', validity: 'permanent', mandatory_for: [canteen.id] } }),
    'POST /api/agent/document-types',
  );
  typeId = created.id;
});

test.afterAll(async ({ playwright, baseURL }) => {
  // Withdrawn: other families are not asked for it.
  if (typeId) await json(await agent.patch(`/api/agent/document-types/${typeId}`, { data: { active: false } }), 'withdraw the type');
  await agent?.dispose();
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, new Date().toISOString());
  await dev.dispose();
});

/** Opens the day's dialog on the planning and confirms the reservation. */
async function askForTheDay(page: Page) {
  await page.goto(`/planning?vue=semaine5&date=${DAY}`);
  await expect(cell(page)).toContainText('Non réservé');
  await cell(page).click();
  const dialog = page.getByRole('dialog', { name: 'Demander une réservation' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Confirmer la demande' }).click();
}

test.describe('the parent, the activity blocking', () => {
  test('a reservation without the mandatory document is refused, the document named', async ({ page, baseURL }) => {
    await signUpAndActivate(page, { civility: 'Madame', lastName: 'Blanc', firstName: 'Claire', email: parent.email, password: parent.password });
    await logIn(page, parent.email, parent.password);
    await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);
    parentState = await page.context().storageState();

    await askForTheDay(page);
    const dialog = page.getByRole('dialog', { name: 'Demander une réservation' });
    const alert = dialog.getByRole('alert');
    await expect(alert).toBeFocused();
    await expect(alert).toHaveText(MISSING);
    await dialog.getByRole('button', { name: 'Annuler' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(cell(page)).toBeFocused();
    await expect(cell(page)).toContainText('Non réservé');
  });
});

test.describe('the agent', () => {
  test.use({ storageState: AGENT_STATE });

  test('sets the activity to warn only', async ({ page }) => {
    await page.goto(`/agent/activites/${canteen.id}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(canteen.name);
    await expect(page.getByRole('definition').filter({ hasText: 'Bloquer les nouvelles réservations' })).toBeVisible();
    const setting = page.getByRole('combobox', { name: SETTING });
    await expect(setting).toHaveValue('block');
    await expect(setting.getByRole('option')).toHaveText(['Bloquer les nouvelles réservations', 'Avertir seulement']);
    await setting.selectOption({ label: 'Avertir seulement' });
    await page.getByRole('button', { name: 'Enregistrer le réglage' }).click();
    const done = page.getByRole('status').filter({ hasText: /^Réglage enregistré/ });
    await expect(done).toHaveText(/^Réglage enregistré\s*:\s*Avertir seulement\.$/);
    await expect(done).toBeFocused();
    await expect(page.getByRole('definition').filter({ hasText: 'Avertir seulement' })).toBeVisible();
    await expectAccessible(page, "the activity's page", false);
  });
});

test.describe('the parent, the activity warning', () => {
  test.use({
    storageState: async ({}, use) => {
      await use(parentState ?? { cookies: [], origins: [] });
    },
  });

  test('the same reservation goes through, with the warning shown', async ({ page }) => {
    await askForTheDay(page);
    const dialog = page.getByRole('dialog', { name: 'Demande enregistrée' });
    const status = dialog.getByRole('status');
    await expect(status).toBeFocused();
    await expect(status).toContainText(/Votre demande pour Maéva, 2\/Cantine Blanc, le lundi 25 janvier 2027, est enregistrée\. Attention\s*:/);
    await expect(status.getByRole('listitem')).toHaveText([MISSING]);
    await dialog.getByRole('button', { name: 'Fermer' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole('status').filter({ hasText: 'Votre demande de réservation pour Maéva' })).toContainText('est enregistrée');
    await expect(cell(page)).toContainText('Réservation en attente');

    // The period form says it in its result too.
    await page.goto('/planning/demande?type=reservation');
    await page.getByRole('radio', { name: 'BLANC Maéva' }).check();
    await page.getByRole('radio', { name: '2/Cantine Blanc (Ecole Lux)' }).check();
    await page.getByRole('textbox', { name: 'Du', exact: true }).fill('01/02/2027');
    await page.getByRole('textbox', { name: 'Au', exact: true }).fill('05/02/2027');
    await page.getByRole('checkbox', { name: 'lundi (11:45 - 13:30)' }).check();
    await page.getByRole('checkbox', { name: 'mardi (11:45 - 13:30)' }).check();
    await page.getByRole('button', { name: 'Demander' }).click();
    const result = page.getByRole('status').filter({ hasText: '2 demandes de réservation sont enregistrées pour Maéva – 2/Cantine Blanc' });
    await expect(result).toBeFocused();
    await expect(result).toContainText(/Attention\s*:/);
    await expect(result.getByRole('listitem').filter({ hasText: 'Il manque la pièce justificative' })).toHaveText([MISSING]);
  });
});
