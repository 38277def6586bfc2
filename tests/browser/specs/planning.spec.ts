/**
 * The planning (issue 4), as a parent lives it. The commune (API) opens
 * "4/Péri SOIR" (16:30–18:30, Monday to Friday, closed for the February
 * holidays) and a canteen with one place a day, and enrols the children.
 * The parent asks for Mondays and Tuesdays over a period spanning the
 * holidays: exactly the open days are requested, one e-mail lists them.
 * Then decisions, an absence by a click, a refusal with its reason, the
 * waiting list, and the list view.
 */
import { type APIRequestContext, type BrowserContext, type Page, expect, test } from '@playwright/test';

import {
  type AgentFamily,
  DEMO_AGENT,
  FAMILY_NOW,
  agentCreateActivity,
  agentCreateFamily,
  agentDecide,
  agentEnrol,
  agentPending,
  apiLogin,
  errorSummary,
  field,
  json,
  logIn,
  outbox,
  setPortalClock,
  signUpAndActivate,
  uniqueEmail,
} from './helpers';

test.describe.configure({ mode: 'serial' });

const ACK = /Accusé d'enregistrement électronique/;
const OPEN_DAYS = ['2027-02-01', '2027-02-02', '2027-02-08', '2027-02-09', '2027-03-01', '2027-03-02', '2027-03-08', '2027-03-09'];
const CLOSED_DAYS = ['2027-02-15', '2027-02-16', '2027-02-22', '2027-02-23'];
const fr = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;

let agent: APIRequestContext;
let family: AgentFamily;
let soir: { id: string };
let repas: { id: string };
let parentState: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;
const parent = { email: uniqueEmail('sophie.petit'), password: 'Planning2027' };

const jade = () => (family.children[0] as { id: string }).id;
const hugo = () => (family.children[1] as { id: string }).id;
/** The planning entry of a child, an activity and a day (a button). */
const cell = (page: Page, day: string, child: string, activity: string) => page.locator(`[id="case-${day}-${child}-${activity}"]`);

async function acks(page: Page): Promise<number> {
  return (await outbox(page.request)).filter((m) => m.to.includes(parent.email) && ACK.test(m.subject)).length;
}

test.beforeAll(async ({ playwright, baseURL }) => {
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, FAMILY_NOW);
  await dev.dispose();
  agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  family = await agentCreateFamily(agent, 'PETIT', [
    { first_name: 'Jade', sex: 'F', birth_date: '2017-03-14' },
    { first_name: 'Hugo', birth_date: '2019-09-02' },
  ]);
  soir = await agentCreateActivity(agent, {
    name: '4/Péri SOIR',
    start: '16:30',
    end: '18:30',
    closures: [{ from: '2027-02-13', to: '2027-02-28', label: "Vacances d'hiver" }],
  });
  repas = await agentCreateActivity(agent, { name: '2/Repas Ecoles', start: '12:00', end: '13:30', weekdays: ['mon', 'tue', 'thu', 'fri'], capacity: 1, validation: 'automatic' });
  await agentEnrol(agent, jade(), soir.id);
  await agentEnrol(agent, jade(), repas.id);
  await agentEnrol(agent, hugo(), repas.id);
});

test.afterAll(async ({ playwright, baseURL }) => {
  await agent?.dispose();
  // The portal's real time again, for whatever runs next.
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, new Date().toISOString());
  await dev.dispose();
});

test.describe('logged in', () => {
  test.use({
    storageState: async ({}, use) => {
      await use(parentState ?? { cookies: [], origins: [] });
    },
  });

  test('the period form asks for exactly the open days, and one e-mail lists them all', async ({ page, baseURL }) => {
    await signUpAndActivate(page, { civility: 'Madame', lastName: 'Petit', firstName: 'Sophie', email: parent.email, password: parent.password });
    await logIn(page, parent.email, parent.password);
    await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);
    parentState = await page.context().storageState();

    await page.goto('/espace-famille');
    await page.getByRole('link', { name: 'Planning' }).click();
    const h1 = page.getByRole('heading', { level: 1 });
    await expect(h1).toHaveText('Planning');
    await expect(page.getByText('Cliquer sur les cases du planning pour faire vos demandes.')).toBeVisible();
    await page.getByRole('link', { name: 'Réservations' }).click();
    await expect(h1).toHaveText("Réservation d'activité");
    await expect(page.getByRole('navigation', { name: "Fil d'Ariane" }).getByRole('listitem')).toHaveText(['Accueil', 'Espace famille', 'Planning', "Réservation d'activité"]);
    for (const step of ['1. Sélectionnez un enfant', '2. Sélectionnez une activité', '3. Réservez']) {
      await expect(page.getByRole('heading', { level: 2, name: step })).toBeVisible();
    }

    await page.getByRole('radio', { name: 'PETIT Jade' }).check();
    await page.getByRole('radio', { name: '4/Péri SOIR (Ecole Lux)' }).check();
    await expect(page.locator('#contraintes')).toHaveText(
      "Contraintes : - Les dates de réservation doivent être comprises dans la période de l'inscription (du 01/09/2026 au 03/07/2027)",
    );
    for (const day of ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi']) {
      await expect(page.getByRole('checkbox', { name: `${day} (16:30 - 18:30)` })).toBeVisible();
    }
    const before = await acks(page);
    await field(page, 'Du').fill('01/02/2027');
    await field(page, 'Au').fill('09/03/2027');
    await page.getByRole('checkbox', { name: 'lundi (16:30 - 18:30)' }).check();
    await page.getByRole('checkbox', { name: 'mardi (16:30 - 18:30)' }).check();
    await page.getByRole('button', { name: 'Demander' }).click();

    // Exactly the open days: the holidays are left out.
    const result = page.getByRole('status').filter({ hasText: '8 demandes de réservation sont enregistrées pour Jade – 4/Péri SOIR' });
    await expect(result).toBeFocused();
    await expect(result.getByRole('listitem')).toHaveText([
      'lundi 1 février 2027 – Réservation en attente',
      'mardi 2 février 2027 – Réservation en attente',
      'lundi 8 février 2027 – Réservation en attente',
      'mardi 9 février 2027 – Réservation en attente',
      'lundi 1 mars 2027 – Réservation en attente',
      'mardi 2 mars 2027 – Réservation en attente',
      'lundi 8 mars 2027 – Réservation en attente',
      'mardi 9 mars 2027 – Réservation en attente',
    ]);

    // One acknowledgment e-mail for the whole submission, listing every day.
    await expect.poll(() => acks(page), { message: 'one acknowledgment e-mail' }).toBe(before + 1);
    const mail = (await outbox(page.request)).filter((m) => m.to.includes(parent.email) && ACK.test(m.subject)).pop();
    for (const d of OPEN_DAYS) expect(mail?.text).toContain(fr(d));
    for (const d of CLOSED_DAYS) expect(mail?.text).not.toContain(fr(d));
    expect(mail?.text).toContain('Vos 8 demandes de réservation pour 4/Péri SOIR');

    // The planning shows them waiting; nothing on the holidays.
    await result.getByRole('link', { name: 'Voir le planning' }).click();
    await expect(h1).toHaveText('Planning');
    await expect(page.getByRole('button', { name: 'Mois', exact: true })).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByRole('heading', { level: 2, name: 'Février 2027' })).toBeVisible();
    for (const d of OPEN_DAYS.slice(0, 4)) await expect(cell(page, d, jade(), soir.id)).toContainText('Réservation en attente');
    for (const d of CLOSED_DAYS) await expect(cell(page, d, jade(), soir.id)).toHaveCount(0);
    await expect(cell(page, '2027-02-03', jade(), soir.id)).toContainText('Non réservé');
    await page.getByRole('button', { name: 'Mois suivant' }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Mars 2027' })).toBeVisible();
    for (const d of OPEN_DAYS.slice(4)) await expect(cell(page, d, jade(), soir.id)).toContainText('Réservation en attente');

    // All or nothing: a period with days already asked is refused day by day…
    await page.goto('/planning/demande?type=reservation');
    await page.getByRole('radio', { name: 'PETIT Jade' }).check();
    await page.getByRole('radio', { name: '4/Péri SOIR (Ecole Lux)' }).check();
    await field(page, 'Du').fill('01/03/2027');
    await field(page, 'Au').fill('16/03/2027');
    await page.getByRole('checkbox', { name: 'lundi (16:30 - 18:30)' }).check();
    await page.getByRole('button', { name: 'Demander' }).click();
    const summary = errorSummary(page);
    await expect(summary).toBeFocused();
    await expect(summary.getByRole('listitem')).toHaveText([
      'lundi 1 mars 2027 : Une réservation existe déjà le 01/03/2027.',
      'lundi 8 mars 2027 : Une réservation existe déjà le 08/03/2027.',
    ]);
    // …and "Enregistrer seulement les jours possibles" records the others.
    await summary.getByRole('button', { name: 'Enregistrer seulement les jours possibles' }).click();
    const partial = page.getByRole('status').filter({ hasText: '1 demande de réservation est enregistrée pour Jade – 4/Péri SOIR' });
    await expect(partial).toBeFocused();
    await expect(partial).toContainText('lundi 15 mars 2027 – Réservation en attente');
    await expect(partial).toContainText("lundi 1 mars 2027 : Une réservation existe déjà le 01/03/2027.");

    // Asked again, every day is pending: said plainly, and nothing to submit.
    await page.getByRole('button', { name: 'Demander' }).click();
    await expect(summary).toBeFocused();
    await expect(summary).toContainText('Aucun jour de cette période ne peut être demandé : une réservation est déjà demandée ou acceptée chacun de ces jours.');
    await expect(summary.getByRole('listitem')).toHaveText([
      'lundi 1 mars 2027 : Une réservation existe déjà le 01/03/2027.',
      'lundi 8 mars 2027 : Une réservation existe déjà le 08/03/2027.',
      'lundi 15 mars 2027 : Une réservation existe déjà le 15/03/2027.',
    ]);
    await expect(summary).not.toContainText('ne peuvent pas être demandés');
    await expect(page.getByRole('button', { name: 'Enregistrer seulement les jours possibles' })).toHaveCount(0);
  });

  test('accepted by the commune, Réservé; an absence by a click; a free day offers no absence, a pending one nothing', async ({ page }) => {
    const pending = await agentPending(agent, family.id, 'reservation');
    expect(pending).toHaveLength(9);
    for (const r of pending) await agentDecide(agent, r.id, 'accepted');

    await page.goto('/planning?vue=semaine5&date=2027-02-08');
    await expect(page.getByRole('button', { name: 'Semaine (5 jours)' })).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByRole('heading', { level: 2, name: '8 févr. 2027 — 12 févr. 2027' })).toBeVisible();
    const table = page.getByRole('table', { name: /Planning de la semaine/ });
    await expect(table.getByRole('columnheader')).toHaveText(['Activité', 'lun. 08/02lundi 8 février 2027', 'mar. 09/02mardi 9 février 2027', 'mer. 10/02mercredi 10 février 2027', 'jeu. 11/02jeudi 11 février 2027', 'ven. 12/02vendredi 12 février 2027']);
    const monday = cell(page, '2027-02-08', jade(), soir.id);
    await expect(monday).toContainText('Réservé');
    await expect(monday).toContainText('Jade');
    await expect(monday).toContainText('16:30 - 18:30');

    // Escape closes the confirmation and gives the focus back.
    const wednesday = cell(page, '2027-02-10', jade(), soir.id);
    await wednesday.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Demander une réservation' });
    await expect(dialog).toBeVisible();
    // A free day: a reservation only, no absence to choose.
    await expect(dialog.getByRole('radio')).toHaveCount(0);
    await expect(dialog.getByText('Déclarer une absence')).toHaveCount(0);
    await expect(dialog.getByRole('button', { name: 'Confirmer la demande' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(wednesday).toBeFocused();

    // An absence on a reserved day, with its reason.
    await monday.click();
    const absence = page.getByRole('dialog', { name: 'Déclarer une absence' });
    await expect(absence).toContainText('lundi 8 février 2027');
    await expect(absence.getByRole('radio')).toHaveCount(0);
    await expect(absence.getByText('Demander une réservation')).toHaveCount(0);
    await absence.getByRole('textbox', { name: 'Raison' }).fill('Rendez-vous médical');
    await absence.getByRole('button', { name: 'Confirmer la demande' }).click();
    await expect(absence).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: "Votre déclaration d'absence pour Jade, 4/Péri SOIR, le lundi 8 février 2027, est enregistrée." })).toBeVisible();
    await expect(monday).toContainText('Absence en attente');
    await expect(monday).toBeFocused();

    // A day whose absence waits for the commune offers nothing, and says why.
    await monday.click();
    const nothing = page.getByRole('dialog', { name: 'Aucune demande possible ce jour' });
    await expect(nothing).toContainText('Une absence est déjà demandée le 08/02/2027.');
    await expect(nothing.getByRole('button', { name: 'Confirmer la demande' })).toHaveCount(0);
    await nothing.getByRole('button', { name: 'Fermer' }).click();
    await expect(nothing).toBeHidden();
    await expect(monday).toBeFocused();
    await expect(wednesday).toContainText('Non réservé');

    // The holidays' week says the activity is closed, and why, in words.
    await page.goto('/planning?vue=semaine5&date=2027-02-15');
    const closedWeek = page.getByRole('table', { name: /Planning de la semaine/ });
    const soirRow = closedWeek.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /4\/Péri SOIR/ }) });
    await expect(soirRow.getByRole('cell')).toHaveText(Array(5).fill("Fermé (Vacances d'hiver)"));
    await page.goto('/planning?vue=mois&date=2027-02-01');
    await expect(page.getByText("4/Péri SOIR : fermé (Vacances d'hiver)")).toHaveCount(10);

    // The absence in "Mes demandes": the guide's detail.
    const absences = await agentPending(agent, family.id, 'absence');
    expect(absences).toHaveLength(1);
    await page.goto(`/mes-demandes/${(absences[0] as { id: string }).id}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Détail de ma demande : Jade');
    const detail = page.getByRole('region', { name: 'Détail de ma demande' });
    await expect(detail.locator('dl')).toHaveText(
      /^Date de début\s*08\/02\/2027\s*Date de fin\s*08\/02\/2027\s*Structure\s*Ecole Lux\s*Activité\s*4\/Péri SOIR \(16:30 - 18:30\)\s*Enfant\s*Jade\s*Raison\s*Rendez-vous médical$/,
    );
    await expect(page.getByRole('region', { name: 'Historique de la demande' }).getByRole('listitem')).toHaveText([/^Demande envoyée par vous/]);
  });

  test('a past day is marked as such and its dialog offers nothing, saying why', async ({ page }) => {
    // Now: Monday 18 January 2027, 09:00. Friday 15 is over.
    await page.goto('/planning?vue=semaine5&date=2027-01-11');
    const friday = cell(page, '2027-01-15', jade(), soir.id);
    await expect(friday).toContainText('Jour passé');
    await expect(friday).toHaveAccessibleName(/Non réservé\s*,\s*Jour passé\s*,\s*vendredi 15 janvier 2027/);
    await friday.click();
    const dialog = page.getByRole('dialog', { name: 'Aucune demande possible ce jour' });
    await expect(dialog).toContainText('vendredi 15 janvier 2027');
    await expect(dialog).toContainText("Ce jour est passé : aucune demande n'est plus possible.");
    await expect(dialog).toHaveAccessibleDescription(/Ce jour est passé/);
    await expect(dialog.getByRole('radio')).toHaveCount(0);
    await expect(dialog.getByRole('button', { name: 'Confirmer la demande' })).toHaveCount(0);
    await expect(dialog.getByRole('button', { name: 'Fermer' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(friday).toBeFocused();

    // This week: today and after are open, without a deadline rule.
    await page.goto('/planning?vue=semaine5&date=2027-01-18');
    const today = cell(page, '2027-01-18', jade(), soir.id);
    await expect(today).toContainText('Non réservé');
    await expect(today).not.toContainText('Jour passé');
  });

  test('a full day offers the waiting list', async ({ page }) => {
    await page.goto('/planning?vue=semaine&date=2027-02-04');
    const jadeRepas = cell(page, '2027-02-04', jade(), repas.id);
    await jadeRepas.click();
    await page.getByRole('dialog', { name: 'Demander une réservation' }).getByRole('button', { name: 'Confirmer la demande' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Elle est acceptée.' })).toBeVisible();
    await expect(jadeRepas).toContainText('Réservé');

    // The only place is Jade's: Hugo's day offers the waiting list, not a reservation.
    const hugoRepas = cell(page, '2027-02-04', hugo(), repas.id);
    await hugoRepas.click();
    const dialog = page.getByRole('dialog', { name: "Demander une place en liste d'attente" });
    await expect(dialog).toContainText("L'activité est complète ce jour : votre enfant sera inscrit sur la liste d'attente");
    await expect(dialog.getByText('Demander une réservation')).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Confirmer la demande' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: "Votre demande de place en liste d'attente pour Hugo" })).toBeVisible();
    await expect(hugoRepas).toContainText("Liste d'attente");

    // The switches hide a child, then an activity.
    await page.getByRole('checkbox', { name: 'PETIT Hugo' }).uncheck();
    await expect(hugoRepas).toHaveCount(0);
    await expect(jadeRepas).toBeVisible();
    await page.getByRole('checkbox', { name: '2/Repas Ecoles (12:00 - 13:30)' }).uncheck();
    await expect(jadeRepas).toHaveCount(0);
    await expect(cell(page, '2027-02-02', jade(), soir.id)).toContainText('Réservé');
  });

  test('Planning / Liste: the requests of each child, one day each', async ({ page }) => {
    await page.goto('/planning');
    await page.getByRole('navigation', { name: 'Planning ou liste' }).getByRole('link', { name: 'Liste' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Liste de mes demandes');
    const table = page.getByRole('table');
    await expect(table.getByRole('columnheader')).toHaveText(['Prénom', 'Type demande', 'Établissement', 'Activité', 'Période', 'État']);
    await expect(page.getByText('12 résultats')).toBeVisible();

    await page.getByRole('combobox', { name: 'Enfants' }).selectOption({ label: 'Hugo PETIT' });
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(page.getByText('1 résultat', { exact: true })).toBeVisible();
    await expect(table.getByRole('row').nth(1).getByRole('cell')).toHaveText(["Ajout de réservation (liste d'attente)", 'Ecole Lux', '2/Repas Ecoles', '4 févr. 2027 - 4 févr. 2027', 'En attente']);
    await expect(table.getByRole('rowheader')).toHaveText(['Hugo']);
  });
});
