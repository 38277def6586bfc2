/**
 * Back-office, issue 4: the agent creates "4/Péri SOIR" with the winter
 * holidays closed and enrols a demo child; the parent asks for Mondays
 * and Tuesdays across the holidays; the agent accepts a whole day at once,
 * one request by itself, and a selection; then a closure over reserved
 * days cancels them and the family gets the e-mail.
 */
import { type APIRequestContext, expect, test } from '@playwright/test';

import { AGENT, DEMO_PARENT, YEAR, apiAs, askReservations, demoFamily, expectFieldError, resetClock, saveLogin, setClock, statePath } from './agent-helpers';
import { mailTo } from './helpers';

const STATE = statePath('agent-planning');

let dev: APIRequestContext;
let agent: APIRequestContext;
let parent: APIRequestContext;
let activityId = '';
let maeva = '';
const requests = new Map<string, string>();

test.describe.configure({ mode: 'serial' });
test.use({ storageState: STATE });

test.beforeAll(async ({ playwright, baseURL }) => {
  // The clock first: sessions opened before a jump of weeks would expire.
  dev = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  await setClock(dev, YEAR.now);
  agent = await apiAs(playwright, baseURL as string, AGENT);
  await saveLogin(playwright, baseURL as string, AGENT, 'agent-planning');
  parent = await apiAs(playwright, baseURL as string, DEMO_PARENT);
  const family = await demoFamily(agent);
  maeva = family.children.find((c) => c.first_name === 'Maéva')?.id as string;
  expect(maeva).toBeTruthy();
});

test.afterAll(async () => {
  await resetClock(dev);
  await dev.dispose();
  await agent.dispose();
  await parent.dispose();
});

test('the agent creates "4/Péri SOIR" with its winter closure and enrols Maéva', async ({ page }) => {
  const h1 = page.getByRole('heading', { level: 1 });
  await page.goto('/agent/activites');
  await page.getByRole('main').getByRole('link', { name: 'Créer une activité' }).click();
  await expect(h1).toHaveText('Créer une activité');

  await page.getByRole('textbox', { name: "Nom de l'activité" }).fill('4/Péri SOIR');
  await page.getByRole('textbox', { name: 'Établissement' }).fill('Ecole Lux');
  await page.getByLabel('Heure de début').fill('16:30');
  await page.getByLabel('Heure de fin').fill('18:30');
  const days = page.getByRole('group', { name: 'Jours' });
  for (const day of ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi']) await days.getByRole('checkbox', { name: day }).check();
  const term = page.getByRole('group', { name: 'Période' });
  await term.getByLabel('Du').fill(YEAR.from);
  await term.getByLabel('Au').fill(YEAR.to);
  await expect(page.getByRole('radio', { name: /^Manuelle/ })).toBeChecked();
  await page.getByRole('button', { name: 'Ajouter une fermeture' }).click();
  const closure = page.getByRole('group', { name: 'Fermeture 1' });
  await expect(closure.getByRole('textbox', { name: 'Libellé' })).toBeFocused();
  await closure.getByRole('textbox', { name: 'Libellé' }).fill(YEAR.winter.label);
  await closure.getByLabel('Du').fill(YEAR.winter.from);
  await closure.getByLabel('Au').fill(YEAR.winter.to);
  // The commune's zone C holidays would close it too: this activity keeps
  // its own winter closure only, so the school calendar is not followed.
  await expect(page.getByRole('radio', { name: /^Fermée pendant les vacances scolaires/ })).toBeChecked();
  await page.getByRole('radio', { name: 'Sans lien avec les vacances scolaires' }).check();
  await expect(page.getByRole('checkbox', { name: 'Ouverte les jours fériés' })).not.toBeChecked();
  // A missing mandatory supporting document blocks new reservations unless the agent says otherwise.
  await expect(page.getByRole('combobox', { name: 'Pièce justificative obligatoire manquante' })).toHaveValue('block');

  // A deadline the rule language does not know: the server explains it beside the field.
  const booking = page.getByRole('textbox', { name: 'Délai de réservation' });
  await expect(page.getByText('« J-2 ouvrés 12:00 » (deux jours ouvrés avant').first()).toBeVisible();
  await booking.fill('J+2');
  await page.getByRole('button', { name: "Créer l'activité" }).click();
  await expect(page.locator('#erreurs')).toBeFocused();
  await expect(page).toHaveTitle(/^Erreur\s: Créer une activité/);
  await expectFieldError(page, 'Délai de réservation', 'La date limite se compte avant le jour : écrivez « J-2 », pas « J+2 ».');
  await page.locator('#erreurs').getByRole('link').click();
  await expect(booking).toBeFocused();
  await booking.fill('J-2 ouvrés 12:00');
  await page.getByRole('button', { name: "Créer l'activité" }).click();

  await expect(page).toHaveURL(/\/agent\/activites\/[0-9A-Z]+$/);
  activityId = page.url().split('/').pop() as string;
  await expect(h1).toHaveText('4/Péri SOIR');
  await expect(page.getByRole('status').filter({ hasText: "L'activité « 4/Péri SOIR » est créée." })).toBeFocused();
  await expect(page.getByRole('definition').filter({ hasText: '16:30 – 18:30' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'lundi, mardi, mercredi, jeudi et vendredi' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'J-2 ouvrés 12:00' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Sans lien avec les vacances scolaires' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Fermée les jours fériés' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Bloquer les nouvelles réservations' })).toBeVisible();
  const closures = page.getByRole('table', { name: 'Fermetures de 4/Péri SOIR' });
  await expect(closures.getByRole('row', { name: "Vacances d'hiver 13/02/2027 28/02/2027" })).toBeVisible();

  // "Inscrire un enfant": the family, then its child, the activity's period by default.
  await page.getByRole('searchbox', { name: "Famille de l'enfant" }).fill('Martin');
  await page.getByRole('search', { name: "Rechercher la famille de l'enfant" }).getByRole('button', { name: 'Rechercher' }).click();
  // Alone in the results, the family is chosen already; checked again in case another spec made a namesake.
  const martin = page.getByRole('radio', { name: 'Famille MARTIN', exact: true });
  await martin.check();
  await expect(martin).toBeChecked();
  await page.getByRole('combobox', { name: 'Enfant' }).selectOption({ label: 'Maéva MARTIN (née le 14/03/2016)' });
  await expect(page.getByRole('group', { name: "Période d'inscription" }).getByLabel('Du')).toHaveValue(YEAR.from);
  await page.getByRole('button', { name: "Inscrire l'enfant" }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Maéva MARTIN est inscrite à 4/Péri SOIR du 01/09/2026 au 03/07/2027.' })).toBeFocused();
  const enrolled = page.getByRole('table', { name: '1 enfant inscrit à 4/Péri SOIR' });
  await expect(enrolled.getByRole('row', { name: 'Maéva MARTIN Famille MARTIN du 01/09/2026 au 03/07/2027' })).toBeVisible();

  // The same child twice: the server's conflict is said.
  await page.getByRole('combobox', { name: 'Enfant' }).selectOption({ label: 'Maéva MARTIN (née le 14/03/2016)' });
  await page.getByRole('button', { name: "Inscrire l'enfant" }).click();
  await expect(page.locator('#erreurs-inscription')).toBeFocused();
  await expect(page.locator('#erreurs-inscription')).toContainText("L'enfant est déjà inscrit à cette activité sur une période qui chevauche.");
});

test('the parent asks for Mondays and Tuesdays; the agent accepts a day at once, one request, then a selection', async ({ page }) => {
  const h1 = page.getByRole('heading', { level: 1 });
  const asked = await askReservations(parent, { child_id: maeva, activity_id: activityId, from: '2027-02-01', to: '2027-03-09', weekdays: ['mon', 'tue'] });
  // The holidays (13 to 28 February) are left out.
  expect(asked.requests.map((r) => r.date)).toEqual(['2027-02-01', '2027-02-02', '2027-02-08', '2027-02-09', '2027-03-01', '2027-03-02', '2027-03-08', '2027-03-09']);
  for (const r of asked.requests) requests.set(r.date, r.id);

  // Filtered on the activity and a day: everything for that day at once.
  await page.goto('/agent/demandes');
  const filters = page.getByRole('search', { name: 'Filtrer les demandes' });
  const activities = filters.getByRole('combobox', { name: 'Activité' });
  // By its id: other specs may open a "4/Péri SOIR" of their own.
  await expect(activities.locator(`option[value="${activityId}"]`)).toHaveText('4/Péri SOIR – Ecole Lux');
  await activities.selectOption(activityId);
  await filters.getByLabel('Jour').fill('2027-02-01');
  await filters.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(new RegExp(`activite=${activityId}&jour=2027-02-01`));
  const queue = page.getByRole('table', { name: "Demandes en attente, les plus anciennes d'abord" });
  await expect(queue.getByRole('row')).toHaveCount(2);
  await expect(queue.getByRole('row').nth(1)).toContainText('lun. 01/02/2027 – 4/Péri SOIR (16:30)');
  await expect(queue.getByRole('row').nth(1).getByRole('cell', { name: 'Maéva MARTIN', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Tout accepter pour cette activité et ce jour' }).click();
  const dialog = page.getByRole('dialog', { name: 'Tout accepter pour ce jour ?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Toutes les demandes en attente pour 4/Péri SOIR, lundi 1 février 2027 seront acceptées.');
  await dialog.getByRole('button', { name: 'Tout accepter' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: '1 demande acceptée (4/Péri SOIR, lundi 1 février 2027).' })).toBeFocused();
  await expect(page.getByText('Aucune demande en attente ne correspond à ces filtres.')).toBeVisible();

  // One by one: the request of Tuesday 2 February.
  await page.goto(`/agent/demandes?activite=${activityId}`);
  await expect(queue.getByRole('row')).toHaveCount(8);
  await queue.getByRole('link', { name: /Ajout de réservation – Famille MARTIN, mar\. 02\/02\/2027/ }).click();
  await expect(h1).toHaveText('Ajout de réservation');
  const facts = page.getByRole('region', { name: 'Détail de la réservation' });
  await expect(facts).toContainText('Maéva MARTIN');
  await expect(facts).toContainText('mardi 2 février 2027');
  await expect(facts).toContainText('16:30 – 18:30');
  await expect(facts).toContainText('Ecole Lux');
  await page.getByRole('button', { name: 'Accepter', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Demande acceptée.' })).toBeFocused();

  // A selection: Monday and Tuesday 1-2 March, with a message.
  await page.goto(`/agent/demandes?activite=${activityId}`);
  await expect(queue.getByRole('row')).toHaveCount(7);
  await page.getByRole('checkbox', { name: 'Sélectionner : Ajout de réservation, Famille MARTIN, lun. 01/03/2027' }).check();
  await page.getByRole('checkbox', { name: 'Sélectionner : Ajout de réservation, Famille MARTIN, mar. 02/03/2027' }).check();
  await expect(page.getByText('2 demandes sélectionnées.')).toBeVisible();
  await page.getByRole('textbox', { name: 'Message à la famille (facultatif)' }).fill('Bonnes soirées à Maéva.');
  await page.getByRole('button', { name: 'Accepter la sélection' }).click();
  await expect(page.getByRole('status').filter({ hasText: '2 demandes acceptées (sélection).' })).toBeFocused();
  await expect(queue.getByRole('row')).toHaveCount(5);

  // Decided elsewhere meanwhile: the bulk answer lists it as skipped, with why.
  const elsewhere = await agent.post(`/api/agent/requests/${requests.get('2027-02-09')}/decision`, { data: { decision: 'accepted' } });
  expect(elsewhere.status()).toBe(200);
  await page.getByRole('checkbox', { name: 'Sélectionner : Ajout de réservation, Famille MARTIN, lun. 08/02/2027' }).check();
  await page.getByRole('checkbox', { name: 'Sélectionner : Ajout de réservation, Famille MARTIN, mar. 09/02/2027' }).check();
  await page.getByRole('button', { name: 'Refuser la sélection' }).click();
  const outcome = page.getByRole('status').filter({ hasText: '1 demande refusée (sélection).' });
  await expect(outcome).toBeFocused();
  await expect(outcome).toContainText("1 demande n'a pas pu être traitée :");
  await expect(outcome.getByRole('listitem')).toHaveText('Ajout de réservation – Famille MARTIN – mar. 09/02/2027 : elle a déjà été traitée');
  await expect(queue.getByRole('row')).toHaveCount(3);

  // The family's side: the message is in the request's history.
  const detail = (await (await parent.get(`/api/requests/${requests.get('2027-03-01')}`)).json()) as { state: string; history: { message: string | null }[] };
  expect(detail.state).toBe('accepted');
  expect(detail.history.map((h) => h.message)).toContain('Bonnes soirées à Maéva.');
});

test('a closure over reserved days cancels them, says how many, and the family is told by e-mail', async ({ page }) => {
  await page.goto(`/agent/activites/${activityId}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('4/Péri SOIR');
  const form = page.getByRole('form', { name: 'Déclarer une fermeture' });
  await form.getByLabel('Du').fill('2027-03-01');
  await form.getByLabel('Au').fill('2027-03-02');
  await form.getByRole('textbox', { name: 'Libellé' }).fill('Grève');
  await form.getByRole('button', { name: 'Déclarer la fermeture' }).click();
  const dialog = page.getByRole('dialog', { name: 'Déclarer cette fermeture ?' });
  await expect(dialog).toContainText("4/Péri SOIR n'aura pas lieu du lundi 1 mars 2027 au mardi 2 mars 2027 (Grève).");
  await dialog.getByRole('button', { name: 'Déclarer la fermeture' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: 'Fermeture « Grève » enregistrée (du 01/03/2027 au 02/03/2027) : 2 réservations annulées, 1 famille prévenue par e-mail.' }),
  ).toBeFocused();
  await expect(page.getByRole('table', { name: 'Fermetures de 4/Péri SOIR' }).getByRole('row', { name: 'Grève 01/03/2027 02/03/2027' })).toBeVisible();

  const mail = await mailTo(page.request, DEMO_PARENT.email, /Annulation de réservations/);
  expect(mail.text).toContain('Grève');
  const cancelled = (await (await parent.get(`/api/requests/${requests.get('2027-03-01')}`)).json()) as { state: string };
  expect(cancelled.state).toBe('cancelled');
});

test('a long queue comes in pages, and a whole page selection is accepted at once', async ({ page }) => {
  const asked = await askReservations(parent, { child_id: maeva, activity_id: activityId, from: '2027-03-15', to: '2027-04-23', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] });
  // With the two days of March still waiting from before.
  const pending = asked.requests.length + 2;
  expect(pending).toBeGreaterThan(25);

  await page.goto(`/agent/demandes?activite=${activityId}`);
  const queue = page.getByRole('table', { name: "Demandes en attente, les plus anciennes d'abord" });
  await expect(page.getByRole('status').filter({ hasText: 'demandes affichées' })).toHaveText("20 demandes affichées ; d'autres suivent.");
  await expect(queue.getByRole('row')).toHaveCount(21);
  await page.getByRole('button', { name: 'Afficher les demandes suivantes' }).click();
  await expect(queue.getByRole('row')).toHaveCount(pending + 1);
  // The focus goes to the first line that came in.
  await expect(queue.getByRole('row').nth(21).getByRole('checkbox')).toBeFocused();
  await expect(page.getByRole('button', { name: 'Afficher les demandes suivantes' })).toHaveCount(0);

  await page.getByRole('checkbox', { name: 'Tout sélectionner' }).check();
  await expect(page.getByText(`${pending} demandes sélectionnées.`)).toBeVisible();
  await page.getByRole('button', { name: 'Accepter la sélection' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${pending} demandes acceptées (sélection).` })).toBeFocused();
  await expect(page.getByText('Aucune demande en attente ne correspond à ces filtres.')).toBeVisible();
});
