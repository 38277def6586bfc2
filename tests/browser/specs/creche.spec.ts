/**
 * Issue 15's journey through the pages, as far as the backend goes. An
 * agent adds a crèche on the back-office page (two more by API) and reads
 * the statistics there (the portal's year, then another); a parent
 * reaches "Préinscrire votre enfant en crèche" from the Espace famille,
 * has a schedule whose arrival follows the departure refused at its field,
 * then applies for a baby expected with two crèches ranked, and declares
 * her birth on « Déclarer la naissance ». The agent accepts the birth (the
 * application now names the child), marks the application incomplete with
 * a message, then under review, and runs a commission that offers a place
 * with a deadline, then sends the offer; the parent reads the message and
 * the offer and accepts it before the deadline. A second application (the
 * family's child) is offered a place on the application's own page, which
 * the parent leaves past its deadline:
 * the portal's clock moved past it, answering is refused (`offer_expired`,
 * said) and the application reads « En liste d'attente ». The agent then
 * reads the places of the two crèches (the place accepted, the application
 * waiting) and filters the list by start month and age. A third
 * application, for a baby expected, has its birth declared on « Déclarer la
 * naissance » (empty fields and a birth date in the future refused at their
 * fields); the page says it waits for the commune, the agent accepts the
 * dossier change, and the application names the child. Axe on each new page
 * at 1280 px and 375 px.
 */
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';

import { AGENT, expectAccessible as expectAgentAccessible, saveLogin, statePath } from './agent-helpers';
import { type AgentFamily, DEMO_AGENT, FAMILY_NOW, agentCreateFamily, apiLogin, expectAccessible, json, logIn, setPortalClock, signUpAndActivate, uniqueEmail } from './helpers';

test.describe.configure({ mode: 'serial' });

const RUN = Date.now().toString(36).slice(-5);
const FIRST = `Les Petits Pas ${RUN}`;
const SECOND = `Les Câlins ${RUN}`;
const ADDED = `Les Lutins ${RUN}`;
const MISSING = "Il manque l'attestation de l'employeur du second parent.";
/** The baby of the first application, born before her due date (15 March 2027). */
const LEA = 'Léa BERCEAU';
const LEA_BORN = '10/01/2027';
/** The offer's deadline, a week after FAMILY_NOW (Monday 18 January 2027). */
const DEADLINE_DAY = '25/01/2027';
/** A minute after the second offer's deadline, 18/01/2027 at 09:30 (a jump short enough to keep the sessions). */
const AFTER_LAPSE = '2027-01-18T09:31:00+01:00';
const EXPIRED = /Le délai pour répondre à cette proposition de place est dépassé/;

let agent: APIRequestContext;
let family: AgentFamily;
let structures: { first: string; second: string };
const parent = { email: uniqueEmail('ines.creche'), password: 'Parcours2027' };
const AGENT_STATE = statePath('creche-agent');
const PARENT_STATE = statePath('creche-parent');
let firstId = '';
let secondId = '';
let thirdId = '';

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

async function createStructure(name: string): Promise<string> {
  const created = await json<{ id: string }>(
    await agent.post('/api/agent/creche/structures', {
      data: { name, address: '2 rue des Écoles, Villebois', age_from_months: 2, age_to_months: 36, groups: [{ name: 'Bébés', from_months: 2, to_months: 12, places: 10 }] },
    }),
    'POST /api/agent/creche/structures',
    [201],
  );
  return created.id;
}

test.beforeAll(async ({ playwright, baseURL }) => {
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, FAMILY_NOW);
  await dev.dispose();
  agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  await saveLogin(playwright, baseURL as string, AGENT, 'creche-agent');
  family = await agentCreateFamily(agent, 'BERCEAU', [{ first_name: 'Noé', sex: 'M', birth_date: '2026-05-10' }]);
  structures = { first: await createStructure(FIRST), second: await createStructure(SECOND) };
});

test.afterAll(async ({ playwright, baseURL }) => {
  // The second and third applications are left open by the journey: withdrawn, so that no other spec meets them.
  if (secondId || thirdId) {
    const api = await apiLogin(playwright, baseURL as string, parent);
    for (const id of [secondId, thirdId].filter((x) => x)) await api.post(`/api/creche/applications/${id}/withdraw?family_id=${family.id}`);
    await api.dispose();
  }
  await agent?.dispose();
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, new Date().toISOString());
  await dev.dispose();
});

test.describe('the agent', () => {
  test('adds a crèche on the crèches page', async ({ browser }) => {
    const context = await browser.newContext({ storageState: AGENT_STATE });
    const page = await context.newPage();
    await page.goto('/agent');
    await page.getByRole('link', { name: 'Crèches', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Crèches');
    const table = page.getByRole('table', { name: 'Crèches de la commune, par nom' });
    await expect(table.getByRole('rowheader', { name: FIRST })).toBeVisible();
    const form = page.getByRole('region', { name: 'Ajouter une crèche' });
    await form.getByRole('textbox', { name: 'Nom de la crèche' }).fill(ADDED);
    await form.getByRole('textbox', { name: 'Adresse' }).fill('8 allée des Tilleuls, Villebois');
    await form.getByRole('button', { name: 'Ajouter une section' }).click();
    await form.getByRole('textbox', { name: 'Nom de la section 1' }).fill('Moyens');
    await form.getByRole('textbox', { name: 'De (mois)' }).fill('12');
    await form.getByRole('textbox', { name: 'À (mois, exclu)' }).fill('24');
    await form.getByRole('textbox', { name: 'Places' }).fill('12');
    await form.getByRole('button', { name: 'Ajouter la crèche' }).click();
    await expect(page.getByRole('status').filter({ hasText: /^Crèche\s/ })).toHaveText(`Crèche «\u00a0${ADDED}\u00a0» ajoutée.`);
    await expect(table.getByRole('row').filter({ hasText: ADDED })).toContainText('Moyens (12–24 mois)\u00a0: 12 places');
    // The statistics: the year's months by outcome, and the applications open today.
    const stats = page.getByRole('region', { name: 'Statistiques des préinscriptions' });
    // The portal's year: 2027 (its clock is on FAMILY_NOW).
    const months = stats.getByRole('table', { name: 'Demandes terminées en 2027, par mois et par issue' });
    await expect(months.getByRole('row')).toHaveCount(14);
    await expect(months.getByRole('row').nth(1).getByRole('rowheader')).toHaveText('Janvier');
    await expect(stats.getByRole('table', { name: "Demandes en cours aujourd'hui, par état" })).toContainText('Place proposée');
    await stats.getByRole('combobox', { name: 'Année' }).selectOption('2026');
    await expect(stats.getByRole('table', { name: 'Demandes terminées en 2026, par mois et par issue' })).toBeVisible();
    await bothWidths(page, 'the crèches', true);
    await context.close();
  });
});

test.describe('the parent applies', () => {
  test('from the Espace famille: a bad schedule refused at its field, then a baby expected with two crèches ranked', async ({ page, baseURL }) => {
    await signUpAndActivate(page, { civility: 'Madame', lastName: 'Berceau', firstName: 'Inès', email: parent.email, password: parent.password });
    await logIn(page, parent.email, parent.password);
    await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);
    await page.context().storageState({ path: PARENT_STATE });

    await page.goto('/espace-famille');
    await page.getByRole('link', { name: 'Préinscrire votre enfant en crèche' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Crèche');
    await expect(page.getByRole('navigation', { name: "Fil d'Ariane" })).toHaveText(/Accueil\s*Espace famille\s*Crèche/);
    await expect(page.getByText("Vous n'avez encore préinscrit aucun enfant en crèche.")).toBeVisible();
    await bothWidths(page, 'the crèche list, empty');

    await page.getByRole('link', { name: 'Préinscrire votre enfant en crèche' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Préinscrire votre enfant en crèche');
    await page.getByRole('combobox', { name: 'Enfant' }).selectOption({ label: 'Un enfant à naître' });
    await page.getByRole('textbox', { name: 'Date prévue de naissance' }).fill('15/03/2027');
    await page.getByRole('textbox', { name: 'Prénom envisagé' }).fill('Léa');
    await page.getByRole('textbox', { name: "Date d'entrée souhaitée" }).fill('01/09/2027');
    // The hours are shown as the schedule is typed.
    await page.getByRole('textbox', { name: 'Arrivée le lundi' }).fill('17:30');
    await page.getByRole('textbox', { name: 'Départ le lundi' }).fill('08:30');
    await expect(page.getByText(/^Soit 0 h par semaine/)).toBeVisible();
    await page.getByRole('combobox', { name: '1er choix' }).selectOption({ label: FIRST });
    await page.getByRole('combobox', { name: '2e choix' }).selectOption({ label: SECOND });
    await bothWidths(page, 'the crèche form');
    await page.getByRole('button', { name: 'Déposer la demande' }).click();
    const summary = page.locator('#erreurs');
    await expect(summary).toBeFocused();
    await expect(summary).toContainText("Le lundi, l'heure d'arrivée doit précéder l'heure de départ.");
    await expect(page.getByRole('group', { name: /Emploi du temps souhaité/ })).toContainText("Erreur : Le lundi, l'heure d'arrivée doit précéder l'heure de départ.");
    await expect(page.getByRole('textbox', { name: 'Arrivée le lundi' })).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveTitle(/^Erreur\s:\s/);
    await bothWidths(page, 'the crèche form with an error');

    for (const day of ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi']) {
      await page.getByRole('textbox', { name: `Arrivée le ${day}` }).fill('08:30');
      await page.getByRole('textbox', { name: `Départ le ${day}` }).fill('17:30');
    }
    await expect(page.getByText(/^Soit 45 h par semaine/)).toBeVisible();
    await page.getByRole('combobox', { name: 'Situation professionnelle du parent 1' }).selectOption({ label: 'Salarié' });
    await page.getByRole('textbox', { name: 'Commentaire' }).fill('Nous habitons près de la mairie.');
    await page.getByRole('button', { name: 'Déposer la demande' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Préinscription en crèche');
    await expect(page.getByRole('status').first()).toContainText('Votre demande de préinscription en crèche a été déposée.');
    await expect(page.locator('.creche-status')).toHaveText('État de la demande\u00a0: Déposée');
    firstId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() as string);
    await expect(page.getByRole('region', { name: 'Votre demande' })).toContainText(`${FIRST}${SECOND}`);

    // Léa was born early: her birth declared from the application's page.
    await page.getByRole('link', { name: 'Déclarer la naissance' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Déclarer la naissance');
    await page.getByRole('textbox', { name: 'Prénom' }).fill('Léa');
    await page.getByRole('radio', { name: 'Féminin' }).check();
    await page.getByRole('textbox', { name: 'Date de naissance' }).fill(LEA_BORN);
    await page.getByRole('button', { name: 'Déclarer la naissance' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Préinscription en crèche');
    await expect(page.getByText('Naissance déclarée, en attente de validation par la commune.')).toBeVisible();
  });
});

test.describe('the agent studies it', () => {
  test.use({ storageState: AGENT_STATE });

  test('the birth accepted, incomplete with a message, under review, then a commission offers a place with a deadline', async ({ page }) => {
    // The dossier change of the birth, accepted from the queue.
    const read = await json<{ birth_request_id: string }>(await agent.get(`/api/agent/creche/applications/${firstId}`), 'read the first');
    await page.goto(`/agent/demandes/${read.birth_request_id}`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Léa');
    await page.getByRole('button', { name: 'Accepter', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Demande acceptée.' })).toBeFocused();

    await page.goto('/agent');
    await page.getByRole('link', { name: 'Préinscriptions en crèche' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Préinscriptions en crèche');
    await page.getByRole('combobox', { name: 'Crèche' }).selectOption({ label: FIRST });
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(page).toHaveURL(new RegExp(`/agent/creche\\?creche=${structures.first}$`));
    const table = page.getByRole('table', { name: "Préinscriptions en crèche, les plus anciennes d'abord" });
    await expect(table.getByRole('row')).toHaveCount(2);
    await expect(table.getByRole('row').nth(1)).toContainText(LEA);
    await expect(table.getByRole('row').nth(1)).toContainText(`1. ${FIRST}, 2. ${SECOND}`);
    await bothWidths(page, 'the crèche applications', true);
    await table.getByRole('link', { name: LEA }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Préinscription en crèche\u00a0: ${LEA}`);
    await expect(page.getByRole('region', { name: 'La demande' })).toContainText('45 h par semaine');
    await expect(page.getByRole('link', { name: 'Voir le dossier famille' })).toHaveAttribute('href', `/agent/familles/${family.id}`);
    await bothWidths(page, 'a crèche application', true);

    const status = page.getByRole('region', { name: "Changer l'état" });
    await status.getByRole('combobox', { name: 'Nouvel état' }).selectOption({ label: 'Incomplète' });
    await status.getByRole('textbox', { name: 'Message à la famille' }).fill(MISSING);
    await status.getByRole('button', { name: "Enregistrer l'état" }).click();
    await expect(page.getByRole('status').filter({ hasText: /^État enregistré/ })).toContainText('Incomplète');
    await status.getByRole('combobox', { name: 'Nouvel état' }).selectOption({ label: "En cours d'étude" });
    await status.getByRole('button', { name: "Enregistrer l'état" }).click();
    await expect(page.getByRole('status').filter({ hasText: /^État enregistré/ })).toContainText("En cours d'étude");

    await expect(page.getByRole('region', { name: 'Historique' })).toContainText(MISSING);

    // The commission: the application included, a place offered in the first crèche.
    await page.goto('/agent/creche');
    await page.getByRole('link', { name: 'Nouvelle commission' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nouvelle commission');
    await page.getByRole('textbox', { name: 'Date limite de réponse des familles' }).fill(DEADLINE_DAY);
    await page.getByRole('textbox', { name: 'Heure limite de réponse' }).fill('18:00');
    await page.getByRole('combobox', { name: 'Crèche choisie par la famille' }).selectOption({ label: FIRST });
    const row = page.getByRole('group', { name: new RegExp(`^${LEA}`) });
    await row.getByRole('checkbox', { name: 'Inclure dans la commission' }).check();
    await row.getByRole('combobox', { name: 'Décision' }).selectOption({ label: 'Proposer une place' });
    await expect(row.getByRole('combobox', { name: 'Crèche proposée' })).toHaveValue(structures.first);
    await expect(row.getByRole('textbox', { name: "Date d'entrée" })).toHaveValue('01/09/2027');
    await page.getByRole('button', { name: 'Enregistrer les décisions' }).click();
    const decisions = page.getByRole('table', { name: 'Décisions de la commission' });
    await expect(decisions.getByRole('row').filter({ hasText: LEA })).toContainText(`Proposer une place${FIRST}01/09/2027AppliquéeÀ envoyer`);
    await page.getByRole('button', { name: 'Envoyer les propositions (1)' }).click();
    await expect(page.getByRole('status').filter({ hasText: /proposition envoyée/ })).toHaveText('1 proposition envoyée par e-mail.');
  });
});

test.describe('the parent answers', () => {
  test.use({ storageState: PARENT_STATE });

  test('reads the message and the offer, and accepts the place before the deadline', async ({ page }) => {
    await page.goto('/creche');
    const table = page.getByRole('table', { name: /Vos préinscriptions en crèche/ });
    await expect(table.getByRole('row').nth(1)).toContainText('Place proposée');
    await bothWidths(page, 'the crèche list');
    await table.getByRole('link', { name: LEA }).click();
    await expect(page.getByRole('region', { name: 'Historique' })).toContainText(MISSING);
    const offer = page.getByRole('region', { name: 'Place proposée' });
    await expect(offer).toContainText(FIRST);
    await expect(offer).toContainText('01/09/2027');
    await expect(offer).toContainText('45 h');
    await expect(offer).toContainText('25/01/2027 à 18:00');
    await bothWidths(page, 'a crèche application with an offer');
    await offer.getByRole('button', { name: 'Accepter la place' }).click();
    const confirm = page.getByRole('group', { name: /Vous acceptez la place proposée/ });
    await expect(confirm).toBeFocused();
    await confirm.getByRole('button', { name: "Oui, j'accepte la place" }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Vous avez accepté' })).toHaveText('Vous avez accepté la place proposée.');
    await expect(page.locator('.creche-status')).toHaveText('État de la demande\u00a0: Acceptée');
    await expect(page.getByRole('button', { name: 'Retirer ma demande' })).toHaveCount(0);

    // The same application in Mes demandes, leading back to it.
    await page.goto('/mes-demandes');
    // Named after the child since the birth was accepted.
    await page.getByRole('link', { name: new RegExp(`Préinscription crèche\\s:\\s${LEA}`) }).first().click();
    await page.getByRole('link', { name: 'Voir ma préinscription en crèche' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Préinscription en crèche');
    await expect(page.locator('.creche-status')).toHaveText('État de la demande\u00a0: Acceptée');
  });

  test("a second offer left past its deadline: the answer refused, « En liste d'attente »", async ({ page, playwright, baseURL }) => {
    const origin = { Origin: baseURL as string };
    const noe = (family.children[0] as { id: string }).id;
    const created = await json<{ id: string }>(
      await page.request.post(`/api/creche/applications?family_id=${family.id}`, {
        headers: origin,
        data: {
          child_id: noe,
          start_date: '2027-03-01',
          schedule: ['mon', 'tue', 'thu'].map((weekday) => ({ weekday, start: '09:00', end: '16:00' })),
          structures: [structures.second],
        },
      }),
      'POST /api/creche/applications',
      [201],
    );
    secondId = created.id;
    await json(await agent.post(`/api/agent/creche/applications/${secondId}/status`, { data: { status: 'under_review' } }), 'study the second');
    // Offered on the application's own page, with a deadline at 09:30.
    const agentContext = await page.context().browser()?.newContext({ storageState: AGENT_STATE });
    const agentPage = await (agentContext as NonNullable<typeof agentContext>).newPage();
    await agentPage.goto(`/agent/creche/${secondId}`);
    const form = agentPage.getByRole('region', { name: 'Proposer une place' });
    await form.getByRole('combobox', { name: 'Crèche' }).selectOption({ label: `${SECOND} (1er choix)` });
    await form.getByRole('textbox', { name: 'Date limite de réponse' }).fill('18/01/2027');
    await form.getByRole('textbox', { name: 'Heure limite de réponse' }).fill('09:30');
    await form.getByRole('button', { name: 'Proposer la place' }).click();
    await expect(agentPage.getByRole('status').filter({ hasText: /^Place proposée/ })).toContainText('18/01/2027 à 09:30');
    await agentContext?.close();
    await page.goto(`/creche/${secondId}`);
    const offer = page.getByRole('region', { name: 'Place proposée' });
    await expect(offer).toContainText('18/01/2027 à 09:30');
    await expect(offer).toContainText('21 h');

    const dev = await playwright.request.newContext({ baseURL });
    await setPortalClock(dev, AFTER_LAPSE);
    await dev.dispose();
    await offer.getByRole('button', { name: 'Accepter la place' }).click();
    await page.getByRole('button', { name: "Oui, j'accepte la place" }).click();
    await expect(page.getByRole('alert')).toHaveText(EXPIRED);
    await expect(page.locator('.creche-status')).toHaveText("État de la demande\u00a0: En liste d'attente");
    await expect(page.getByRole('button', { name: 'Accepter la place' })).toHaveCount(0);
    await expect(page.getByText(/n'a pas reçu de réponse avant le 18\/01\/2027 à 09:30/)).toBeVisible();

    // The API says the same to a direct answer.
    const answer = await page.request.post(`/api/creche/applications/${secondId}/answer?family_id=${family.id}`, { headers: origin, data: { answer: 'accept' } });
    expect(answer.status()).toBe(422);
    expect((await answer.json()).code).toBe('offer_expired');
  });

  test('declares the birth of a baby expected; once the commune accepts it, the application names the child', async ({ page }) => {
    await page.goto('/creche');
    const created = await json<{ id: string }>(
      await page.request.post(`/api/creche/applications?family_id=${family.id}`, {
        headers: { Origin: new URL(page.url()).origin },
        data: {
          expected: { due_date: '2027-01-25' },
          start_date: '2027-05-03',
          schedule: ['mon', 'tue'].map((weekday) => ({ weekday, start: '08:30', end: '17:00' })),
          structures: [structures.first],
        },
      }),
      'POST /api/creche/applications',
      [201],
    );
    thirdId = created.id;
    await page.goto(`/creche/${thirdId}`);
    await expect(page.getByText('Naissance déclarée, en attente de validation par la commune.')).toHaveCount(0);
    await page.getByRole('link', { name: 'Déclarer la naissance' }).click();
    await expect(page).toHaveURL(new RegExp(`/creche/${thirdId}/naissance$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Déclarer la naissance');
    await bothWidths(page, 'the birth form');

    await page.getByRole('button', { name: 'Déclarer la naissance' }).click();
    const summary = page.locator('#erreurs');
    await expect(summary).toBeFocused();
    await expect(summary).toContainText('3 champs sont à corriger.');
    await expect(page.getByRole('textbox', { name: 'Prénom' })).toHaveAttribute('aria-invalid', 'true');
    await bothWidths(page, 'the birth form with errors');

    // A birth date in the future: the API's error, at its field.
    await page.getByRole('textbox', { name: 'Prénom' }).fill('Léo');
    await page.getByRole('radio', { name: 'Masculin' }).check();
    await page.getByRole('textbox', { name: 'Date de naissance' }).fill('20/01/2027');
    await page.getByRole('button', { name: 'Déclarer la naissance' }).click();
    await expect(summary).toBeFocused();
    await expect(summary).toContainText('La date de naissance ne peut pas être dans le futur.');
    await expect(page.getByRole('textbox', { name: 'Date de naissance' })).toHaveAttribute('aria-invalid', 'true');

    await page.getByRole('textbox', { name: 'Date de naissance' }).fill('16/01/2027');
    await page.getByRole('button', { name: 'Déclarer la naissance' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Préinscription en crèche');
    await expect(page.getByRole('status').first()).toContainText('Naissance déclarée.');
    await expect(page.getByText('Naissance déclarée, en attente de validation par la commune.')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Déclarer la naissance' })).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Historique' })).toContainText('Naissance déclarée\u00a0: Léo, le samedi 16 janvier 2027');
    await bothWidths(page, 'a crèche application with a birth declared');

    // The commune accepts the dossier change: the child is in the dossier, and the application is his.
    const read = await json<{ birth_request_id: string }>(await agent.get(`/api/agent/creche/applications/${thirdId}`), 'read the third');
    await json(await agent.post(`/api/agent/requests/${read.birth_request_id}/decision`, { data: { decision: 'accepted' } }), 'accept the birth');
    await page.reload();
    await expect(page.getByText('Naissance déclarée, en attente de validation par la commune.')).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Votre demande' })).toContainText(/Enfant\s*Léo BERCEAU/i);
  });
});

test.describe('the agent reads the places and filters', () => {
  test.use({ storageState: AGENT_STATE });

  test('the places asked and free per section and month, then the list filtered by start month and age', async ({ page }) => {
    await page.goto('/agent/creches');
    const places = page.getByRole('region', { name: 'Places demandées et places libres' });
    await places.getByRole('combobox', { name: 'Période affichée, à partir de ce mois' }).selectOption({ label: '12 mois' });
    // The place accepted in the first crèche from September, Léa 7 months old then (Bébés).
    const first = page.getByRole('table', { name: `Places de la crèche ${FIRST}, par mois` });
    await expect(first.getByRole('columnheader', { name: 'Bébés (2–12 mois)' })).toBeVisible();
    const cells = async (table: typeof first, month: string) => (await table.getByRole('row', { name: new RegExp(`^${month}`) }).getByRole('cell').allInnerTexts());
    await expect(first.getByRole('row', { name: /^septembre 2027/ })).toBeVisible();
    expect(await cells(first, 'septembre 2027')).toEqual(['10', '1', '9', '0 (0)', '10', '1', '9', '0 (0)']);
    expect(await cells(first, 'août 2027')).toEqual(['10', '0', '10', '0 (0)', '10', '0', '10', '0 (0)']);
    // The second application (its offer lapsed: waiting) asks the second crèche first for March, Noé 9 months old.
    const second = page.getByRole('table', { name: `Places de la crèche ${SECOND}, par mois` });
    await expect(second.getByRole('row', { name: /^mars 2027/ })).toBeVisible();
    expect(await cells(second, 'mars 2027')).toEqual(['10', '0', '10', '1 (1)', '10', '0', '10', '1 (1)']);
    await bothWidths(page, 'the places of the crèches', true);

    await page.goto('/agent/creche');
    await page.getByRole('combobox', { name: 'Crèche' }).selectOption({ label: FIRST });
    await page.getByRole('textbox', { name: "Mois d'entrée souhaité" }).fill('13/2027');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(page.locator('#filtres-erreurs')).toBeFocused();
    await expect(page.locator('#filtres-erreurs')).toContainText("Indiquez le mois d'entrée au format MM/AAAA");
    await page.getByRole('textbox', { name: "Mois d'entrée souhaité" }).fill('09/2027');
    await page.getByRole('textbox', { name: "Âge à l'entrée, à partir de (mois)" }).fill('6');
    await page.getByRole('textbox', { name: "Âge à l'entrée, moins de (mois)" }).fill('8');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(page).toHaveURL(new RegExp(`/agent/creche\\?creche=${structures.first}&mois=2027-09&age-min=6&age-max=8$`));
    const table = page.getByRole('table', { name: "Préinscriptions en crèche, les plus anciennes d'abord" });
    await expect(table.getByRole('row')).toHaveCount(2);
    await expect(table.getByRole('row').nth(1)).toContainText(LEA);
    await expect(table.getByRole('row').nth(1)).toContainText('7 mois');
    await bothWidths(page, 'the crèche applications filtered', true);
    // Younger than 7 months at the start: none.
    await page.getByRole('textbox', { name: "Âge à l'entrée, moins de (mois)" }).fill('7');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(page.getByText('Aucune préinscription ne correspond.')).toBeVisible();
  });
});
