/**
 * The family file (issue 3), as a parent lives it: a new account links the
 * family by its subscriber code (active at once), changes a phone number,
 * sees it waiting for the commune, then applied with the commune's
 * message in "Mes demandes". Then a child's file, a second family by an
 * invoice, and the errors a parent may make. The commune's side goes
 * through the API.
 */
import { type APIRequestContext, type BrowserContext, type Page, expect, test } from '@playwright/test';

import {
  type AgentFamily,
  DEMO_AGENT,
  FAMILY_NOW,
  agentCreateFamily,
  agentDecide,
  agentPending,
  apiLogin,
  errorSummary,
  expectInvalid,
  field,
  json,
  logIn,
  pngImage,
  setPortalClock,
  signUpAndActivate,
  uniqueEmail,
} from './helpers';

test.describe.configure({ mode: 'serial' });

const PENDING = 'Modification en attente de validation';

/** The new parent's cookies, once logged in (kept in memory: one login for the file). */
let parentState: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;
let agent: APIRequestContext;
let family: AgentFamily;
const parent = { email: uniqueEmail('claire.bernard'), password: 'Bernard2026' };

test.beforeAll(async ({ playwright, baseURL }) => {
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, FAMILY_NOW);
  await dev.dispose();
  agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  family = await agentCreateFamily(agent, 'BERNARD', [
    { first_name: 'Lou', sex: 'F', birth_date: '2017-06-12' },
    { first_name: 'Noé', birth_date: '2019-02-03' },
  ]);
});

test.afterAll(async ({ playwright, baseURL }) => {
  await agent?.dispose();
  // The portal's real time again, for whatever runs next.
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, new Date().toISOString());
  await dev.dispose();
});

const h1 = (page: Page) => page.getByRole('heading', { level: 1 });

test('a new parent links the family file by its subscriber code, active at once', async ({ page }) => {
  await signUpAndActivate(page, { civility: 'Madame', lastName: 'Bernard', firstName: 'Claire', email: parent.email, password: parent.password });
  await logIn(page, parent.email, parent.password);

  // Without a family, the family space says how to get one.
  await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Espace famille' }).click();
  await expect(h1(page)).toHaveText('Espace famille');
  await expect(page.getByText("Votre compte n'est relié à aucun dossier famille")).toBeVisible();

  // Mon espace citoyen → Mes abonnements → M'abonner.
  await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Mon espace citoyen' }).click();
  await page.getByRole('main').getByRole('link', { name: 'Mes abonnements' }).click();
  await expect(h1(page)).toHaveText('Mes abonnements');
  await expect(h1(page)).toBeFocused();
  await page.getByRole('button', { name: "M'abonner" }).click();
  const form = page.getByRole('heading', { level: 2, name: 'Abonnement' });
  await expect(form).toBeFocused();
  for (const name of ['Code émission de la facture', 'Référence de la facture', 'Montant de la facture', 'Code personnel', 'Code Abonné']) {
    await expect(field(page, name)).toBeVisible();
  }
  await expect(page.getByText('Ou', { exact: true })).toBeVisible();

  // A wrong code: the server's generic French message, at the field and in the summary.
  await field(page, 'Code Abonné').fill('ZZZZ-ZZZZ-ZZ');
  await page.getByRole('button', { name: 'Rechercher avec le code abonné' }).click();
  const summary = errorSummary(page);
  await expect(summary).toBeFocused();
  await expect(summary).toContainText('Aucun dossier famille ne correspond à ces informations.');
  await expect(page).toHaveTitle(/^Erreur\s: Mes abonnements/);

  // "Annuler" closes the form and gives the focus back to "M'abonner".
  await page.getByRole('button', { name: 'Annuler' }).last().click();
  await expect(page.getByRole('button', { name: "M'abonner" })).toBeFocused();

  // The right code: linked, active at once (no logging out).
  await page.getByRole('button', { name: "M'abonner" }).click();
  await field(page, 'Code Abonné').fill(family.subscriber_code);
  await page.getByRole('button', { name: 'Rechercher avec le code abonné' }).click();
  const done = page.getByRole('status').filter({ hasText: 'Votre compte est maintenant relié au dossier « Famille BERNARD »' });
  await expect(done).toBeFocused();
  await expect(page.getByRole('table')).toContainText('Famille BERNARD');

  await done.getByRole('link', { name: "Accéder à l'espace famille" }).click();
  await expect(h1(page)).toHaveText('Espace famille');
  for (const block of ['Dossier famille', 'Planning', 'Mes demandes']) {
    await expect(page.getByRole('heading', { level: 2, name: block })).toBeVisible();
  }
  await page.getByRole('link', { name: 'Dossier famille' }).click();
  await expect(h1(page)).toHaveText('Ma famille');
  await expect(page.getByRole('navigation', { name: "Fil d'Ariane" }).getByRole('listitem')).toHaveText(['Accueil', 'Espace famille', 'Ma famille']);
  await expect(page.getByRole('main')).toContainText('Claire BERNARD');
  await expect(page.getByRole('main')).toContainText('Lou BERNARD');

  parentState = await page.context().storageState();
});

test.describe('logged in', () => {
  test.use({
    storageState: async ({}, use) => {
      expect(parentState, 'the parent of the first test').toBeDefined();
      await use(parentState);
    },
  });

  test('a phone change waits for the commune, then is applied and its message is in Mes demandes', async ({ page }) => {
    await page.goto('/espace-famille/ma-famille');
    await page.getByRole('link', { name: 'Voir et modifier les responsables' }).click();
    await expect(h1(page)).toHaveText('Responsables');
    await expect(page.getByRole('heading', { level: 2, name: 'Données communes à la famille' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 3, name: 'Informations fiscales' })).toBeVisible();
    for (const section of ['Information de base', 'Adresse', 'Données bancaires']) {
      await expect(page.getByRole('heading', { level: 3, name: section })).toBeVisible();
    }
    const mobile = page.getByRole('textbox', { name: 'Téléphone portable' });
    await expect(mobile).toHaveValue('06 11 22 33 44');
    await expect(page.getByText('Certains champs sont en demande de modification.')).toHaveCount(0);

    await mobile.fill('07 98 76 54 32');
    await page.getByRole('button', { name: 'Soumettre la modification' }).last().click();
    const sent = page.getByRole('status').filter({ hasText: 'Votre demande de modification est envoyée à la collectivité.' });
    await expect(sent).toBeFocused();
    await expect(sent).toContainText('Elle sera appliquée après sa validation.');

    // The current value stays; the new one is beside it, said in words.
    await expect(mobile).toHaveValue('06 11 22 33 44');
    await expect(page.getByText('Certains champs sont en demande de modification.')).toBeVisible();
    const note = page.locator('#portable-attente');
    await expect(note).toHaveText(`${PENDING} : 07 98 76 54 32`);
    await expect(note.locator('svg')).toHaveAttribute('aria-hidden', 'true');
    await expect(mobile).toHaveAttribute('aria-describedby', /portable-attente/);
    // Still there after a reload (it comes from the server).
    await page.reload();
    await expect(page.locator('#portable-attente')).toHaveText(`${PENDING} : 07 98 76 54 32`);

    // The commune accepts, with a message.
    const pending = await agentPending(agent, family.id, 'dossier_change');
    expect(pending).toHaveLength(1);
    await agentDecide(agent, (pending[0] as { id: string }).id, 'accepted', 'Numéro de portable mis à jour. Merci !');

    await page.reload();
    await expect(page.getByRole('textbox', { name: 'Téléphone portable' })).toHaveValue('07 98 76 54 32');
    await expect(page.locator('#portable-attente')).toHaveCount(0);
    await expect(page.getByText('Certains champs sont en demande de modification.')).toHaveCount(0);

    // Mes demandes: the request, accepted, with one new message.
    await page.goto('/mes-demandes');
    await expect(h1(page)).toHaveText('Mes demandes');
    const row = page.getByRole('row').filter({ hasText: 'Modification du responsable' });
    await expect(row).toContainText('Acceptée');
    await expect(row).toContainText('1 nouveau(x) message(s)');
    await row.getByRole('link', { name: /^Voir le détail de la demande « Modification du responsable/ }).click();
    await expect(h1(page)).toHaveText(/^Détail de ma demande/);
    await expect(h1(page)).toBeFocused();
    const changes = page.getByRole('table');
    await expect(changes.getByRole('row').filter({ hasText: 'Téléphone portable' })).toContainText(/06 11 22 33 44.*07 98 76 54 32/);
    const history = page.getByRole('region', { name: 'Historique de la demande' });
    await expect(history.getByRole('listitem')).toHaveCount(2);
    await expect(history.getByRole('listitem').first()).toContainText('Demande envoyée par vous');
    await expect(history.getByRole('listitem').last()).toContainText('Demande acceptée par la collectivité');
    await expect(history).toContainText('Numéro de portable mis à jour. Merci !');

    // Read: the message is no longer new.
    await page.getByRole('link', { name: 'Retour à mes demandes' }).click();
    await expect(page.getByRole('row').filter({ hasText: 'Modification du responsable' })).not.toContainText('nouveau(x) message(s)');
  });

  test("a child's file: allergies, a vaccine, an adult and a photo wait for the commune", async ({ page }) => {
    await page.goto('/espace-famille/ma-famille/enfants');
    await expect(h1(page)).toHaveText('Enfants');
    await page.getByRole('navigation', { name: 'Enfants de la famille' }).getByRole('link', { name: /Noé BERNARD/ }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Noé BERNARD' })).toBeVisible();
    for (const section of ['Informations générales', 'Autorisations', 'Données sanitaires', 'Contacts', 'Photo']) {
      await expect(page.getByRole('heading', { level: 3, name: section })).toBeVisible();
    }
    await expect(field(page, 'Date de naissance')).toHaveValue('03/02/2019');

    // The photo: sent in three steps, then waiting for the commune.
    await page.getByLabel('Choisir une nouvelle photo').setInputFiles({ name: 'noe.png', mimeType: 'image/png', buffer: pngImage() });
    await page.getByRole('button', { name: 'Envoyer la photo' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Votre demande de nouvelle photo est envoyée' })).toBeFocused();
    await expect(page.locator('#photo-attente')).toContainText(PENDING);

    await page.getByRole('checkbox', { name: 'Port de lunettes' }).check();
    await page.getByRole('checkbox', { name: "J'autorise mon enfant à pratiquer du sport" }).check();
    await page.getByRole('combobox', { name: 'Pratiques alimentaires' }).selectOption({ label: 'Végétarien' });
    await field(page, 'Ajouter une allergie').fill('Arachide');
    await page.getByRole('button', { name: "Ajouter l'allergie" }).click();
    await expect(page.getByRole('button', { name: "Retirer l'allergie « Arachide »" })).toBeVisible();

    await page.getByRole('button', { name: 'Ajouter un vaccin' }).click();
    await expect(field(page, 'Vaccin')).toBeFocused();
    await field(page, 'Vaccin').fill('Hépatite B');
    await field(page, 'Date de vaccination').fill('05/04/2019');
    await page.getByRole('button', { name: 'Ajouter à la liste' }).click();
    await expect(page.getByRole('table', { name: 'Vaccins' })).toContainText('Hépatite B');
    await expect(page.getByRole('table', { name: 'Vaccins' })).toContainText('05/04/2019');

    await page.getByRole('button', { name: 'Ajouter un adulte' }).click();
    await field(page, 'Nom complet').fill('BARRET Jean Philippe');
    await field(page, 'Mobile').fill('06 01 02 03 04');
    await page.getByRole('combobox', { name: 'Lien de parenté' }).selectOption({ label: 'Voisin / Voisine' });
    await page.getByRole('checkbox', { name: "Autorisé à récupérer l'enfant" }).check();
    await page.getByRole('button', { name: 'Ajouter à la liste' }).click();
    const contacts = page.getByRole('table', { name: 'Contacts' });
    await expect(contacts.getByRole('row').filter({ hasText: 'BARRET Jean Philippe' })).toContainText(/Voisin \/ Voisine\s*Non\s*Oui/);

    await page.getByRole('button', { name: 'Soumettre la modification' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Votre demande de modification est envoyée' })).toBeFocused();
    await expect(page.getByText('Certains champs sont en demande de modification.')).toBeVisible();
    await expect(page.locator('#appareil-glasses-attente')).toHaveText(`${PENDING} : Oui`);
    await expect(page.locator('#regime-alimentaire-attente')).toHaveText(`${PENDING} : Végétarien`);
    await expect(page.getByText(`${PENDING} : Arachide`)).toBeVisible();
    await expect(page.getByText(`${PENDING} : BARRET Jean Philippe (Voisin / Voisine)`)).toBeVisible();

    // The commune accepts both: the photo shows, the lists are recorded.
    for (const r of await agentPending(agent, family.id, 'dossier_change')) await agentDecide(agent, r.id, 'accepted');
    await page.reload();
    await expect(page.getByRole('img', { name: 'Photo de Noé' })).toBeVisible();
    await expect(page.getByRole('checkbox', { name: 'Port de lunettes' })).toBeChecked();
    await expect(page.getByRole('table', { name: 'Contacts' })).toContainText('BARRET Jean Philippe');
    await expect(page.getByText('Certains champs sont en demande de modification.')).toHaveCount(0);
  });

  test('a bad IBAN and a birth date in the future are shown at the field and in the summary', async ({ page }) => {
    await page.goto('/espace-famille/ma-famille/responsables');
    await field(page, 'IBAN').fill('FR14 2004 1010 0505 0001 3M02 607');
    await field(page, 'BIC').fill('AGRIFRPP');
    await field(page, 'Titulaire du compte').fill('Claire BERNARD');
    await page.getByRole('button', { name: 'Soumettre la modification' }).last().click();
    const summary = errorSummary(page);
    await expect(summary).toBeFocused();
    const iban = "L'IBAN n'est pas valide : vérifiez qu'il est complet et sans faute de frappe.";
    await expect(summary).toContainText(iban);
    await expectInvalid(page, field(page, 'IBAN'), iban);
    await summary.getByRole('link', { name: iban }).click();
    await expect(field(page, 'IBAN')).toBeFocused();

    // Corrected: accepted for the commune; only the masked IBAN is ever shown.
    await field(page, 'IBAN').fill('FR14 2004 1010 0505 0001 3M02 606');
    await page.getByRole('button', { name: 'Soumettre la modification' }).last().click();
    await expect(page.getByRole('status').filter({ hasText: 'Votre demande de modification est envoyée' })).toBeFocused();
    await expect(page.getByText(/Modification en attente de validation\s: Titulaire\s: Claire BERNARD\s; IBAN\s: FR14 [•\s]+606\s; BIC\s: AGRIFRPP/)).toBeVisible();
    await expect(page.getByRole('main')).not.toContainText('FR1420041010050500013M02606');
    await expect(page.getByRole('main')).not.toContainText('2004 1010 0505 0001 3M02');
    await expect(field(page, 'IBAN')).toHaveValue('');

    await page.goto('/espace-famille/ma-famille/enfants');
    await field(page, 'Date de naissance').fill('01/01/2030');
    await page.getByRole('button', { name: 'Soumettre la modification' }).click();
    await expect(summary).toBeFocused();
    await expect(summary).toContainText('La date de naissance ne peut pas être dans le futur.');
    await expectInvalid(page, field(page, 'Date de naissance'), 'La date de naissance ne peut pas être dans le futur.');
    await expect(page).toHaveTitle(/Enfants/);
  });

  test('a second family linked by an invoice brings the family chooser', async ({ page }) => {
    const second = await agentCreateFamily(agent, 'BERNARD-ROUX', [{ first_name: 'Inès', sex: 'F' }]);
    const guardian = second.guardians[0] as AgentFamily['guardians'][number];
    await json(
      await agent.post('/api/agent/invoices', {
        data: { family_id: second.id, guardian_id: guardian.id, emission_code: 'EM2026', reference: 'FAC-2026-2544', amount_cents: 650, issued_on: '2026-12-07', due_on: '2027-01-11' },
      }),
      'POST /api/agent/invoices',
    );

    await page.goto('/mon-espace/abonnements');
    await page.getByRole('button', { name: "M'abonner" }).click();
    // Required fields are said before anything is sent.
    await page.getByRole('button', { name: 'Rechercher avec la facture' }).click();
    await expect(errorSummary(page)).toBeFocused();
    await expectInvalid(page, field(page, 'Montant de la facture'), 'Le champ « Montant de la facture » est obligatoire.');

    await field(page, 'Code émission de la facture').fill('EM2026');
    await field(page, 'Référence de la facture').fill('FAC-2026-2544');
    await field(page, 'Montant de la facture').fill('6,50');
    await field(page, 'Code personnel').fill(guardian.personal_code);
    await page.getByRole('button', { name: 'Rechercher avec la facture' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'relié au dossier « Famille BERNARD-ROUX »' })).toBeFocused();

    // Two families: the pages show the one chosen, and say which.
    await page.goto('/espace-famille/ma-famille');
    const chooser = page.getByRole('combobox', { name: 'Famille affichée' });
    await expect(chooser).toHaveValue(second.id);
    await expect(page.getByRole('main')).toContainText('Inès BERNARD-ROUX');
    await chooser.selectOption({ label: 'Famille BERNARD' });
    await page.getByRole('button', { name: 'Afficher cette famille' }).click();
    await expect(page.getByRole('main')).toContainText('Lou BERNARD');
    await page.goto('/espace-famille/ma-famille/enfants');
    await expect(page.getByRole('navigation', { name: 'Enfants de la famille' })).toContainText('Lou BERNARD');
  });
});
