/**
 * "Pièces justificatives" in the browser. The agent asks for two documents
 * (a child's vaccination record and the family's proof of address, both
 * mandatory for an activity Maéva is enrolled in); the planning warns, per
 * child and for the family, and links to the page; the page lists them "À
 * fournir", mandatory first; a PDF sent is "En attente de validation"; a
 * PNG renamed `.pdf` is refused with the portal's French reason, said and
 * focused; refused by the agent, the record is replaced by a PNG and
 * "Voir" opens it in a new tab; Mes demandes shows the file sent. The
 * agent opens the requests from the queue: the image shown inline, the
 * refused PDF among the earlier versions, the family's PDF in a frame
 * served for framing by the portal; axe at 1280 and 375 px.
 */
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';

import { ensureShared, expectAccessible as expectAgentAccessible, sharedState } from './agent-helpers';
import { DEMO_AGENT, agentCreateActivity, agentCreateFamily, agentDecide, agentEnrol, agentPending, apiLogin, expectAccessible, json, logIn, pdfFile, pngImage, setPortalClock, signUpAndActivate, uniqueEmail } from './helpers';

test.describe.configure({ mode: 'serial' });

const RUN = Date.now().toString(36).slice(-5);
const VACCINES = `Carnet de vaccination ${RUN}`;
const ADDRESS = `Justificatif de domicile ${RUN}`;
const HELP = 'Les pages des vaccins, lisibles.';

let agent: APIRequestContext;
let familyId = '';
let parentState: Awaited<ReturnType<import('@playwright/test').BrowserContext['storageState']>> | undefined;
const parent = { email: uniqueEmail('claire.pieces'), password: 'Pieces2026' };

test.beforeAll(async ({ playwright, baseURL }) => {
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, new Date().toISOString());
  await dev.dispose();
  agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const activity = await agentCreateActivity(agent, {
    name: `3/Accueil ${RUN}`,
    start: '16:30',
    end: '18:30',
    period: { from: iso(new Date()), to: iso(new Date(Date.now() + 200 * 86_400_000)) },
  });
  const family = await agentCreateFamily(agent, 'PIECES', [{ first_name: 'Maéva', sex: 'F' }]);
  familyId = family.id;
  await agentEnrol(agent, family.children[0]?.id as string, activity.id, iso(new Date()), iso(new Date(Date.now() + 200 * 86_400_000)));
  for (const data of [
    { name: VACCINES, scope: 'child', validity: 'school_year', mandatory_for: [activity.id], help: HELP },
    { name: ADDRESS, scope: 'family', validity: 'months:3', mandatory_for: [activity.id] },
  ]) {
    await json(await agent.post('/api/agent/document-types', { data }), 'POST /api/agent/document-types', [201]);
  }
  (globalThis as Record<string, unknown>).subscriberCode = family.subscriber_code;
});

test.afterAll(async () => {
  await agent?.dispose();
});

const table = (page: Page) => page.getByRole('table', { name: /Pièces justificatives demandées/ });
const row = (page: Page, name: string) => table(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });

async function send(page: Page, button: RegExp, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: button }).click();
  await (await chooser).setFiles(file);
}

test.describe('the family', () => {
  test.use({
    storageState: async ({}, use) => {
      await use(parentState ?? { cookies: [], origins: [] });
    },
  });

  test('the planning warns of the missing documents and leads to the page, which lists them to provide', async ({ page, baseURL }) => {
    await signUpAndActivate(page, { civility: 'Madame', lastName: 'Pieces', firstName: 'Claire', email: parent.email, password: parent.password });
    await logIn(page, parent.email, parent.password);
    const code = (globalThis as Record<string, unknown>).subscriberCode as string;
    await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);
    parentState = await page.context().storageState();

    await page.goto('/planning');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Planning');
    const forMaeva = page.locator('.doc-notices .notice').filter({ hasText: 'pour Maéva' });
    await expect(forMaeva).toHaveText(new RegExp(`^Pièce justificative à fournir pour Maéva\\s:\\s${VACCINES}\\. Pièces justificatives$`));
    await expect(page.locator('.doc-notices .notice').filter({ hasText: 'pour la famille' })).toContainText(ADDRESS);
    await forMaeva.getByRole('link', { name: 'Pièces justificatives' }).click();

    await expect(page).toHaveURL(/\/pieces-justificatives$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pièces justificatives');
    await expect(page.getByRole('navigation', { name: "Fil d'Ariane" })).toHaveText(/Accueil\s*Espace famille\s*Pièces justificatives/);
    await expect(page.getByRole('link', { name: 'Espace famille', exact: true }).first()).toHaveAttribute('aria-current', 'true');
    const vaccines = row(page, VACCINES);
    await expect(vaccines.getByRole('cell')).toHaveText(['Maéva', 'Année scolaire', 'Oui', 'Aucun', 'À fournir', /Ajouter/]);
    await expect(vaccines.getByRole('rowheader')).toContainText(HELP);
    await expect(row(page, ADDRESS).getByRole('cell')).toHaveText(['Famille', '3 mois', 'Oui', 'Aucun', 'À fournir', /Ajouter/]);
    // Mandatory and missing first: the two asked here come before the others.
    const names = await table(page).getByRole('rowheader').allInnerTexts();
    expect(names.slice(0, 2).map((n) => n.split('\n')[0])).toEqual(expect.arrayContaining([VACCINES, ADDRESS]));
    await expectAccessible(page, 'Pièces justificatives', false);
  });

  test('a PDF is sent, a PNG called .pdf refused with the reason, and the record replaced after a refusal', async ({ page, context }) => {
    await page.goto('/espace-famille');
    await page.getByRole('link', { name: 'Pièces justificatives' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pièces justificatives');

    await send(page, new RegExp(`^Ajouter le document «\\s${VACCINES}\\s» de Maéva$`), { name: 'carnet.pdf', mimeType: 'application/pdf', buffer: pdfFile('Carnet de vaccination') });
    await expect(page.getByRole('status').filter({ hasText: 'transmis' })).toContainText(new RegExp(`Le document «\\s${VACCINES}\\s» de Maéva a été transmis à la collectivité\\s: il est en attente de validation\\.`));
    await expect(row(page, VACCINES).getByRole('cell')).toHaveText(['Maéva', 'Année scolaire', 'Oui', 'carnet.pdf', 'En attente de validation', /Remplacer[\s\S]*Voir/]);

    // A PNG renamed: the portal checks the bytes.
    await send(page, new RegExp(`^Ajouter le document «\\s${ADDRESS}\\s» de la famille$`), { name: 'domicile.pdf', mimeType: 'application/pdf', buffer: pngImage() });
    const alert = page.getByRole('alert');
    await expect(alert).toHaveText(/Le fichier annoncé comme un PDF est en fait une image PNG\./);
    await expect(alert).toBeFocused();
    await expect(page).toHaveTitle(/^Erreur\s:\sPièces justificatives/);
    await expect(row(page, ADDRESS).getByRole('cell').nth(4)).toHaveText('À fournir');
    await send(page, new RegExp(`^Ajouter le document «\\s${ADDRESS}\\s» de la famille$`), { name: 'domicile.pdf', mimeType: 'application/pdf', buffer: pdfFile('Facture EDF') });
    await expect(row(page, ADDRESS).getByRole('cell').nth(4)).toHaveText('En attente de validation');
    await expect(page.getByRole('alert')).toHaveCount(0);

    // The agent refuses the record: the reason is on the row.
    const pending = await agentPending(agent, familyId, 'document');
    const first = pending.find((r) => r.description.includes(VACCINES));
    await agentDecide(agent, first?.id as string, 'refused', 'Page des vaccins illisible.');
    await page.reload();
    await expect(row(page, VACCINES).getByRole('cell').nth(4)).toHaveText('Refusée\u00a0: Page des vaccins illisible.');

    // Replaced by a photo, then seen in a new tab.
    await send(page, new RegExp(`^Remplacer le document «\\s${VACCINES}\\s» de Maéva$`), { name: 'carnet.png', mimeType: 'image/png', buffer: pngImage() });
    await expect(row(page, VACCINES).getByRole('cell')).toHaveText(['Maéva', 'Année scolaire', 'Oui', 'carnet.png', 'En attente de validation', /Remplacer[\s\S]*Voir/]);
    const tab = context.waitForEvent('page');
    await row(page, VACCINES).getByRole('button', { name: /^Voir/ }).click();
    const opened = await tab;
    await expect.poll(() => opened.url()).toMatch(/\/api\/blobs\//);
    await opened.close();

    // The request, in Mes demandes: the file sent, and the way back to the page.
    const address = (await agentPending(agent, familyId, 'document')).find((r) => r.description.includes(ADDRESS));
    await page.goto(`/mes-demandes/${address?.id}`);
    const sentFile = page.getByRole('region', { name: 'Document envoyé' });
    await expect(sentFile).toContainText(ADDRESS);
    await expect(sentFile).toContainText('domicile.pdf');
    await sentFile.getByRole('link', { name: 'Voir mes pièces justificatives' }).click();
    await expect(page).toHaveURL(/\/pieces-justificatives$/);

    // Nothing mandatory is missing any more: no notice on the planning.
    const table = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/documents');
    await page.goto('/planning');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Planning');
    expect((await table).status()).toBe(200);
    await expect(page.locator('.doc-notices')).toHaveCount(0);
  });
});

test.describe('the agent', () => {
  test.use({ storageState: sharedState('agent') });
  test.beforeAll(async ({ playwright, baseURL }) => {
    await ensureShared(playwright, baseURL as string, 'agent');
  });

  test('sees the document inline from the queue, with its earlier versions', async ({ page }) => {
    await page.goto(`/agent/demandes?type=document&famille=${familyId}`);
    await page.getByRole('link', { name: new RegExp(`Pièce justificative\\s:\\s${VACCINES} \\(Maéva\\)`) }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(new RegExp(`^Pièce justificative\\s:\\s${VACCINES} \\(Maéva\\)$`));
    const shown = page.getByRole('img', { name: `${VACCINES} envoyé par la famille (carnet.png)` });
    await expect(shown).toBeVisible();
    // Visible is not loaded: the alt text shows first, so wait for the decoded image.
    await expect.poll(() => shown.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : -1))).toBe(8);
    await expect(page.getByRole('link', { name: /Ouvrir dans un nouvel onglet/ })).toHaveAttribute('target', '_blank');
    await expect(page.locator('.facts').getByText('Maéva PIECES')).toBeVisible();
    const versions = page.getByRole('table', { name: /Versions précédentes/ });
    await expect(versions.getByRole('row')).toHaveCount(2);
    await expect(versions.getByRole('row').nth(1).getByRole('cell')).toHaveText(['carnet.pdf', /\d{2}\/\d{2}\/\d{4}/, 'Refusée', /Voir/]);
    const href = await versions.getByRole('link', { name: /Voir/ }).getAttribute('href');
    const earlier = await page.request.get(href as string);
    expect(earlier.status()).toBe(200);
    expect(earlier.headers()['content-type']).toBe('application/pdf');
    await expectAgentAccessible(page, 'une pièce justificative (image)', false);
    await page.setViewportSize({ width: 375, height: 812 });
    await expectAgentAccessible(page, 'une pièce justificative (image) at 375 px', true);
    await page.setViewportSize({ width: 1280, height: 800 });

    // The family's proof of address: a PDF in a frame the portal may show.
    await page.goto(`/agent/demandes?type=document&famille=${familyId}`);
    await page.getByRole('link', { name: new RegExp(`Pièce justificative\\s:\\s${ADDRESS}`) }).click();
    const frame = page.locator(`iframe[title="${ADDRESS}\u00a0: domicile.pdf"]`);
    await expect(frame).toBeAttached();
    await expect(page.getByText('Toute la famille')).toBeVisible();
    await expect(page.getByText('Aucune version précédente de ce document.')).toBeVisible();
    const src = await frame.getAttribute('src');
    const served = await page.request.get(src as string);
    expect(served.status()).toBe(200);
    expect(served.headers()['content-type']).toBe('application/pdf');
    expect(served.headers()['x-frame-options']).toBe('SAMEORIGIN');
    expect(served.headers()['content-security-policy']).not.toContain('sandbox');
    expect((await served.body()).subarray(0, 5).toString()).toBe('%PDF-');
    for (const [width, height] of [
      [1280, 800],
      [375, 812],
    ] as const) {
      await page.setViewportSize({ width, height });
      await expectAgentAccessible(page, `une pièce justificative (PDF) at ${width} px`, width < 600);
    }
  });
});
