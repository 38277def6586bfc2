/**
 * Issue 14's journey, every step through the pages. An agent defines two
 * supporting documents on the back-office page: an insurance certificate
 * for each child, mandatory for the canteen, and a proof of address for
 * the family, not mandatory. The parent sees the first « À fournir » and
 * a reservation of the canteen refused (`missing_document`, the document
 * named); sends a PDF; the agent opens it in the queue, shown in a frame,
 * and refuses it with a reason (not without one); the parent reads the
 * reason on the row and sends another PDF; the agent sees the refused one
 * among the earlier versions and accepts the new one; the row says until
 * when it is valid, and the same reservation now goes through. Axe on each
 * page, at 1280 px and on a phone's 375 px for the parent's.
 */
import { type APIRequestContext, type BrowserContext, type Page, expect, test } from '@playwright/test';

import { AGENT, expectAccessible as expectAgentAccessible, saveLogin, statePath } from './agent-helpers';
import { type AgentFamily, DEMO_AGENT, FAMILY_NOW, agentCreateActivity, agentCreateFamily, agentEnrol, apiLogin, expectAccessible, json, logIn, pdfFile, setPortalClock, signUpAndActivate, uniqueEmail } from './helpers';

test.describe.configure({ mode: 'serial' });

const RUN = Date.now().toString(36).slice(-5);
const INSURANCE = `Attestation d'assurance ${RUN}`;
const ADDRESS = `Justificatif de domicile ${RUN}`;
/** A Tuesday after FAMILY_NOW (Monday 18 January 2027). */
const DAY = '2027-01-26';
const REASON = "L'attestation ne couvre pas les activités extra-scolaires.";

let agent: APIRequestContext;
let family: AgentFamily;
let canteen: { id: string; name: string };
let parentState: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;
const parent = { email: uniqueEmail('nora.pieces'), password: 'Parcours2027' };
const AGENT_STATE = statePath('documents-journey-agent');

const lina = () => (family.children[0] as { id: string }).id;
const cell = (page: Page) => page.locator(`[id="case-${DAY}-${lina()}-${canteen.id}"]`);
const table = (page: Page) => page.getByRole('table', { name: /Pièces justificatives demandées/ });
const row = (page: Page, name: string) => table(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });
const stateOf = (page: Page, name: string) => row(page, name).getByRole('cell').nth(4);

async function send(page: Page, button: RegExp, name: string, text: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: button }).click();
  await (await chooser).setFiles({ name, mimeType: 'application/pdf', buffer: pdfFile(text) });
}

/** Opens the day's dialog on the planning and confirms the reservation. */
async function askForTheDay(page: Page) {
  await page.goto(`/planning?vue=semaine5&date=${DAY}`);
  await expect(cell(page)).toContainText('Non réservé');
  await cell(page).click();
  const dialog = page.getByRole('dialog', { name: 'Demander une réservation' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Confirmer la demande' }).click();
}

/** The agent's page of the family's document request still pending. */
async function openPending(page: Page) {
  await page.goto(`/agent/demandes?type=document&famille=${family.id}`);
  await page.getByRole('link', { name: new RegExp(`Pièce justificative\\s:\\s${INSURANCE} \\(Lina\\)`) }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(new RegExp(`^Pièce justificative\\s:\\s${INSURANCE} \\(Lina\\)$`));
}

test.beforeAll(async ({ playwright, baseURL }) => {
  // The clock first: sessions opened before a jump of weeks would expire.
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, FAMILY_NOW);
  await dev.dispose();
  agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  await saveLogin(playwright, baseURL as string, AGENT, 'documents-journey-agent');
  family = await agentCreateFamily(agent, 'PARCOURS', [{ first_name: 'Lina', sex: 'F', birth_date: '2018-04-02' }]);
  canteen = await agentCreateActivity(agent, { name: `2/Cantine ${RUN}`, start: '11:45', end: '13:30', weekdays: ['mon', 'tue', 'thu', 'fri'] });
  await agentEnrol(agent, lina(), canteen.id);
});

test.afterAll(async ({ playwright, baseURL }) => {
  // Withdrawn: the families of the specs after this one are not asked for them.
  const types = await json<{ items: { id: string; name: string }[] }>(await agent.get('/api/agent/document-types'), 'GET /api/agent/document-types');
  for (const t of types.items.filter((t) => t.name === INSURANCE || t.name === ADDRESS)) {
    await json(await agent.patch(`/api/agent/document-types/${t.id}`, { data: { active: false } }), 'withdraw a type');
  }
  await agent?.dispose();
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, new Date().toISOString());
  await dev.dispose();
});

test.describe('the agent defines what is asked', () => {
  // Its own context: the login is saved by the hook before this test, and
  // a `storageState` in `test.use` would be read before the hook runs.
  test('two documents, one mandatory for the canteen', async ({ browser }) => {
    const context = await browser.newContext({ storageState: AGENT_STATE });
    const page = await context.newPage();
    await page.goto('/agent/pieces-justificatives');
    const form = page.getByRole('region', { name: 'Ajouter une pièce justificative' });
    await form.getByRole('textbox', { name: 'Nom du document' }).fill(INSURANCE);
    await form.getByRole('radio', { name: 'Chaque enfant' }).check();
    await form.getByRole('combobox', { name: 'Validité' }).selectOption('school_year');
    await form.getByRole('group', { name: 'Obligatoire pour' }).getByRole('checkbox', { name: canteen.name }).check();
    await form.getByRole('button', { name: 'Ajouter la pièce' }).click();
    await expect(page.getByRole('status').filter({ hasText: /^Pièce\s/ })).toHaveText(`Pièce « ${INSURANCE} » ajoutée.`);

    await form.getByRole('textbox', { name: 'Nom du document' }).fill(ADDRESS);
    await form.getByRole('radio', { name: 'La famille' }).check();
    await form.getByRole('combobox', { name: 'Validité' }).selectOption('months');
    await form.getByRole('textbox', { name: 'Nombre de mois' }).fill('3');
    await form.getByRole('button', { name: 'Ajouter la pièce' }).click();
    await expect(page.getByRole('status').filter({ hasText: /^Pièce\s/ })).toHaveText(`Pièce « ${ADDRESS} » ajoutée.`);
    await expectAgentAccessible(page, 'the document types', false);
    await context.close();
  });
});

test.describe('the parent, without the document', () => {
  test('sees it to provide, and the canteen refused for it; sends a PDF', async ({ page, baseURL }) => {
    await signUpAndActivate(page, { civility: 'Madame', lastName: 'Parcours', firstName: 'Nora', email: parent.email, password: parent.password });
    await logIn(page, parent.email, parent.password);
    await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);
    parentState = await page.context().storageState();

    await page.goto('/pieces-justificatives');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pièces justificatives');
    await expect(row(page, INSURANCE).getByRole('cell')).toHaveText(['Lina', 'Année scolaire', 'Oui', 'Aucun', 'À fournir', /Ajouter/]);
    await expect(row(page, ADDRESS).getByRole('cell')).toHaveText(['Famille', '3 mois', 'Non', 'Aucun', 'À fournir', /Ajouter/]);
    // The mandatory one first.
    await expect(table(page).getByRole('rowheader').first()).toContainText(INSURANCE);
    for (const [width, height] of [
      [1280, 800],
      [375, 812],
    ] as const) {
      await page.setViewportSize({ width, height });
      await expectAccessible(page, `Pièces justificatives, à fournir, at ${width} px`, width < 600);
    }
    await page.setViewportSize({ width: 1280, height: 800 });

    // The planning's notice, then the refusal naming the document.
    await page.goto(`/planning?vue=semaine5&date=${DAY}`);
    await expect(page.locator('.doc-notices .notice').filter({ hasText: 'pour Lina' })).toContainText(INSURANCE);
    const refused = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/requests' && r.request().method() === 'POST');
    await askForTheDay(page);
    const answer = await refused;
    expect(answer.status()).toBe(422);
    expect(JSON.stringify(await answer.json())).toContain('missing_document');
    const dialog = page.getByRole('dialog', { name: 'Demander une réservation' });
    await expect(dialog.getByRole('alert')).toBeFocused();
    await expect(dialog.getByRole('alert')).toHaveText(new RegExp(`^Il manque la pièce justificative «\\s*${INSURANCE}\\s*» de Lina`));
    await dialog.getByRole('button', { name: 'Annuler' }).click();
    await expect(cell(page)).toContainText('Non réservé');

    await page.goto('/pieces-justificatives');
    await send(page, new RegExp(`^Ajouter le document «\\s${INSURANCE}\\s» de Lina$`), 'assurance.pdf', 'Responsabilite civile');
    await expect(stateOf(page, INSURANCE)).toHaveText('En attente de validation');
  });
});

test.describe('the agent reviews it', () => {
  test.use({ storageState: AGENT_STATE });

  test('sees the PDF in the request and refuses it, with a reason only', async ({ page }) => {
    await openPending(page);
    const frame = page.locator(`iframe[title="${INSURANCE}\u00a0: assurance.pdf"]`);
    await expect(frame).toBeAttached();
    const served = await page.request.get((await frame.getAttribute('src')) as string);
    expect((await served.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await expect(page.getByText('Aucune version précédente de ce document.')).toBeVisible();
    await expectAgentAccessible(page, 'a document request', false);

    // No reason: refused by the portal, said.
    await page.getByRole('button', { name: 'Refuser', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText('Indiquez à la famille pourquoi ce document est refusé.');
    await page.getByRole('textbox', { name: 'Message à la famille (obligatoire pour un refus)' }).fill(REASON);
    await page.getByRole('button', { name: 'Refuser', exact: true }).click();
    await expect(page.getByText('Cette demande est refusée')).toBeVisible();
  });
});

test.describe('the parent, after the refusal', () => {
  test.use({
    storageState: async ({}, use) => {
      await use(parentState ?? { cookies: [], origins: [] });
    },
  });

  test('reads the reason and sends another PDF', async ({ page }) => {
    await page.goto('/pieces-justificatives');
    await expect(stateOf(page, INSURANCE)).toHaveText(`Refusée\u00a0: ${REASON}`);
    await expectAccessible(page, 'Pièces justificatives, refusée', false);
    await send(page, new RegExp(`^Remplacer le document «\\s${INSURANCE}\\s» de Lina$`), 'assurance-2027.pdf', 'Assurance extra-scolaire');
    await expect(row(page, INSURANCE).getByRole('cell').nth(3)).toHaveText('assurance-2027.pdf');
    await expect(stateOf(page, INSURANCE)).toHaveText('En attente de validation');
  });
});

test.describe('the agent accepts the new one', () => {
  test.use({ storageState: AGENT_STATE });

  test('with the refused one among the earlier versions', async ({ page }) => {
    await openPending(page);
    await expect(page.locator(`iframe[title="${INSURANCE}\u00a0: assurance-2027.pdf"]`)).toBeAttached();
    const versions = page.getByRole('table', { name: /Versions précédentes/ });
    await expect(versions.getByRole('row').nth(1).getByRole('cell')).toHaveText(['assurance.pdf', /\d{2}\/\d{2}\/\d{4}/, 'Refusée', /Voir/]);
    await page.getByRole('button', { name: 'Accepter', exact: true }).click();
    await expect(page.getByText('Cette demande est acceptée')).toBeVisible();
    await expectAgentAccessible(page, 'a document request, accepted', false);
  });
});

test.describe('the parent, with the document', () => {
  test.use({
    storageState: async ({}, use) => {
      await use(parentState ?? { cookies: [], origins: [] });
    },
  });

  test('sees it accepted until the end of the school year, and the reservation goes through', async ({ page }) => {
    await page.goto('/pieces-justificatives');
    await expect(stateOf(page, INSURANCE)).toHaveText("Acceptée, valable jusqu'au 31/08/2027");
    await expect(row(page, INSURANCE).getByRole('cell').last()).toContainText('Remplacer');

    await page.goto(`/planning?vue=semaine5&date=${DAY}`);
    await expect(page.locator('.doc-notices .notice').filter({ hasText: 'pour Lina' })).toHaveCount(0);
    const recorded = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/requests' && r.request().method() === 'POST');
    await askForTheDay(page);
    expect((await recorded).status()).toBe(201);
    await expect(page.getByRole('status').filter({ hasText: 'Votre demande de réservation pour Lina' })).toContainText('est enregistrée');
    await expect(cell(page)).toContainText('Réservation en attente');
    await expectAccessible(page, 'the planning with the reservation', false);
  });
});
