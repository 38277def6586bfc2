/**
 * The documents a crèche application asks for. An agent marks the demo's
 * proof of address « Exigé pour une préinscription en crèche » on the
 * back-office page (the vaccination record too, by API); a parent's form
 * lists both « À fournir » for the child chosen (the record « À fournir
 * après la naissance » for a child expected), says the application may be
 * sent without them, and is sent; the application's page lists them, the
 * parent sends the proof of address from "Pièces justificatives" and the
 * application's page reads it « En attente de validation ». The agent's
 * page of the application lists them; choosing « Incomplète » fills the
 * message with the missing record's name. Axe at 1280 and 375 px. Both
 * types are unmarked at the end (no type is added: other specs count the
 * demo's three).
 */
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';

import { ensureShared, expectAccessible as expectAgentAccessible, sharedState } from './agent-helpers';
import { type AgentFamily, DEMO_AGENT, agentCreateFamily, apiLogin, expectAccessible, json, logIn, pdfFile, setPortalClock, signUpAndActivate, uniqueEmail } from './helpers';

test.describe.configure({ mode: 'serial' });

const RUN = Date.now().toString(36).slice(-5);
const CRECHE = `Les Marmousets ${RUN}`;
/** The demo's family-scope and child-scope types. */
const HOME = 'Justificatif de domicile (moins de 3 mois)';
const VACCINES = 'Carnet de vaccination';
const NBSP = '\u00a0';

interface Type {
  id: string;
  name: string;
  active: boolean;
  creche: boolean;
}

let agent: APIRequestContext;
let family: AgentFamily;
let types: Type[] = [];
let applicationId = '';
const parent = { email: uniqueEmail('nina.pieces'), password: 'Creche2027' };
let parentState: Awaited<ReturnType<import('@playwright/test').BrowserContext['storageState']>> | undefined;

const WIDTHS = [
  [1280, 800],
  [375, 812],
] as const;

async function bothWidths(page: Page, what: string, agentPage = false): Promise<void> {
  for (const [width, height] of WIDTHS) {
    await page.setViewportSize({ width, height });
    if (agentPage) await expectAgentAccessible(page, `${what} at ${width} px`, width < 600);
    else await expectAccessible(page, `${what} at ${width} px`, width < 600);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

const typeId = (name: string) => types.find((t) => t.name === name)?.id as string;
const documentsBlock = (page: Page) => page.getByRole('region', { name: 'Pièces justificatives' });
const item = (page: Page, name: string) => documentsBlock(page).getByRole('listitem').filter({ hasText: name });

test.beforeAll(async ({ playwright, baseURL }) => {
  // On today's clock, as the shared agent's session.
  const dev = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  await setPortalClock(dev, new Date().toISOString());
  await dev.dispose();
  await ensureShared(playwright, baseURL as string, 'agent');
  agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  types = (await json<{ items: Type[] }>(await agent.get('/api/agent/document-types'), 'GET /api/agent/document-types')).items;
  expect(types.filter((t) => [HOME, VACCINES].includes(t.name) && t.active && !t.creche)).toHaveLength(2);
  await json(await agent.patch(`/api/agent/document-types/${typeId(VACCINES)}`, { data: { creche: true } }), 'mark the vaccination record');
  family = await agentCreateFamily(agent, 'BAMBIN', [{ first_name: 'Lina', sex: 'F', birth_date: '2026-06-01' }]);
  await json(
    await agent.post('/api/agent/creche/structures', { data: { name: CRECHE, address: '4 rue des Écoles, Villebois' } }),
    'POST /api/agent/creche/structures',
    [201],
  );
});

test.afterAll(async ({ playwright, baseURL }) => {
  // Unmarked: the demo asks nothing of crèche applications. The application is withdrawn.
  for (const name of [HOME, VACCINES]) {
    if (typeId(name)) await agent?.patch(`/api/agent/document-types/${typeId(name)}`, { data: { creche: false } });
  }
  if (applicationId) {
    const api = await apiLogin(playwright, baseURL as string, parent);
    await api.post(`/api/creche/applications/${applicationId}/withdraw?family_id=${family.id}`);
    await api.dispose();
  }
  await agent?.dispose();
});

test.describe('the agent', () => {
  test.use({ storageState: sharedState('agent') });

  test('marks the proof of address « Exigé pour une préinscription en crèche »', async ({ page }) => {
    await page.goto('/agent/pieces-justificatives');
    const table = page.getByRole('table', { name: 'Pièces justificatives demandées, par nom' });
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: HOME, exact: true }) });
    await expect(row.getByRole('cell').nth(3)).toHaveText('Non exigée');
    await row.getByRole('button', { name: `Modifier la pièce ${HOME}` }).click();
    const form = page.getByRole('region', { name: `Modifier la pièce «${NBSP}${HOME}${NBSP}»` });
    const box = form.getByRole('checkbox', { name: 'Exigé pour une préinscription en crèche' });
    await expect(box).not.toBeChecked();
    await box.check();
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await expect(page.getByRole('status').filter({ hasText: /^Pièce\s/ })).toHaveText(`Pièce «${NBSP}${HOME}${NBSP}» modifiée.`);
    await expect(row.getByRole('cell').nth(3)).toHaveText('Exigée');
    await expect(table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: VACCINES, exact: true }) }).getByRole('cell').nth(3)).toHaveText('Exigée');
    await bothWidths(page, 'the document types with a crèche column', true);
  });
});

test.describe('the parent', () => {
  test.use({
    storageState: async ({}, use) => {
      await use(parentState ?? { cookies: [], origins: [] });
    },
  });

  test('sees them « À fournir » in the form, and applies without them', async ({ page, baseURL }) => {
    await signUpAndActivate(page, { civility: 'Madame', lastName: 'Bambin', firstName: 'Nina', email: parent.email, password: parent.password });
    await logIn(page, parent.email, parent.password);
    await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);
    parentState = await page.context().storageState();

    await page.goto('/creche/preinscription');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Préinscrire votre enfant en crèche');
    // No child chosen: only the family's document.
    await expect(item(page, HOME)).toContainText(`${HOME} (pour la famille)${NBSP}: À fournir`);
    await expect(item(page, VACCINES)).toHaveCount(0);
    await page.getByRole('combobox', { name: 'Enfant' }).selectOption({ label: 'Un enfant à naître' });
    await expect(item(page, VACCINES)).toContainText(`${VACCINES} (pour l'enfant)${NBSP}: À fournir après la naissance`);
    await page.getByRole('combobox', { name: 'Enfant' }).selectOption({ label: 'Lina BAMBIN, née le 01/06/2026' });
    await expect(item(page, VACCINES)).toContainText(`${VACCINES} (pour l'enfant)${NBSP}: À fournir Les pages`);
    await expect(documentsBlock(page)).toContainText(`Vous pourrez les ajouter plus tard${NBSP}: votre demande peut être déposée sans elles.`);
    await expect(documentsBlock(page).getByRole('link', { name: 'Ajouter ou remplacer dans Pièces justificatives' })).toHaveAttribute('href', '/pieces-justificatives');
    await bothWidths(page, 'the crèche form with its documents');

    await page.getByRole('textbox', { name: "Date d'entrée souhaitée" }).fill('01/09/2027');
    await page.getByRole('textbox', { name: 'Arrivée le lundi' }).fill('08:30');
    await page.getByRole('textbox', { name: 'Départ le lundi' }).fill('17:30');
    await page.getByRole('combobox', { name: '1er choix' }).selectOption({ label: CRECHE });
    await page.getByRole('button', { name: 'Déposer la demande' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Préinscription en crèche');
    applicationId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() as string);
    await expect(item(page, HOME)).toContainText('À fournir');
    await expect(item(page, VACCINES)).toContainText('À fournir');
  });

  test('sends the proof of address from Pièces justificatives: the application reads it « En attente de validation »', async ({ page }) => {
    await page.goto(`/creche/${applicationId}`);
    await documentsBlock(page).getByRole('link', { name: 'Ajouter ou remplacer dans Pièces justificatives' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pièces justificatives');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: `Ajouter le document «${NBSP}${HOME}${NBSP}» de la famille` }).click();
    await (await chooser).setFiles({ name: 'facture.pdf', mimeType: 'application/pdf', buffer: pdfFile('Facture EDF') });
    await expect(page.getByRole('status').filter({ hasText: 'transmis' })).toContainText('en attente de validation');

    await page.goto(`/creche/${applicationId}`);
    await expect(item(page, HOME)).toContainText(`${HOME} (pour la famille)${NBSP}: En attente de validation`);
    await expect(item(page, VACCINES)).toContainText('À fournir');
    await bothWidths(page, 'a crèche application with its documents');
  });
});

test.describe('the agent studies it', () => {
  test.use({ storageState: sharedState('agent') });

  test('sees the documents, and « Incomplète » starts from the missing one', async ({ page }) => {
    // The list says how many documents are still to send.
    await page.goto('/agent/creche');
    await page.getByRole('combobox', { name: 'Crèche' }).selectOption({ label: CRECHE });
    await page.getByRole('button', { name: 'Filtrer' }).click();
    const list = page.getByRole('table', { name: "Préinscriptions en crèche, les plus anciennes d'abord" });
    await expect(list.getByRole('columnheader', { name: 'Pièces' })).toBeVisible();
    await expect(list.getByRole('row').filter({ hasText: 'Lina BAMBIN' })).toContainText('1 à fournir');

    await page.goto(`/agent/creche/${applicationId}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Préinscription en crèche\s:\sLina BAMBIN$/);
    await expect(documentsBlock(page)).toContainText('1 pièce à fournir par la famille.');
    await expect(item(page, HOME)).toContainText('En attente de validation');
    await expect(item(page, VACCINES)).toContainText('À fournir');
    await bothWidths(page, 'a crèche application with its documents', true);
    const status = page.getByRole('region', { name: "Changer l'état" });
    await status.getByRole('combobox', { name: 'Nouvel état' }).selectOption({ label: 'Incomplète' });
    const message = status.getByRole('textbox', { name: 'Message à la famille' });
    await expect(message).toHaveValue(`Pièce justificative à fournir${NBSP}: «${NBSP}${VACCINES}${NBSP}». Vous pouvez l'envoyer depuis la page Pièces justificatives.`);
    await message.fill(`${await message.inputValue()} Merci.`);
    await status.getByRole('button', { name: "Enregistrer l'état" }).click();
    await expect(page.getByRole('status').filter({ hasText: /^État enregistré/ })).toContainText('Incomplète');
    await expect(page.getByRole('region', { name: 'Historique' })).toContainText(`«${NBSP}${VACCINES}${NBSP}». Vous pouvez l'envoyer depuis la page Pièces justificatives. Merci.`);
  });
});
