/**
 * Back-office, issue 3: the agent creates a family and hands its code; a
 * new parent subscribes with it and changes a phone number; the agent
 * finds the change in the queue, sees old and new side by side, accepts
 * it with a message; the parent's dossier shows the new number.
 */
import { type APIRequestContext, expect, test } from '@playwright/test';

import { apiAs, ensureShared, sharedState } from './agent-helpers';
import { signUpAndActivate, uniqueEmail } from './helpers';

test.use({ storageState: sharedState('agent') });
test.beforeAll(async ({ playwright, baseURL }) => {
  await ensureShared(playwright, baseURL as string, 'agent');
});

test('a family created in the back-office subscribes with its code, and its phone change is accepted from the queue', async ({
  page,
  browser,
  playwright,
  baseURL,
}) => {
  const h1 = page.getByRole('heading', { level: 1 });

  // The agent creates the family in the form.
  await page.goto('/agent/familles');
  await page.getByRole('link', { name: 'Créer une famille' }).click();
  await expect(h1).toHaveText('Créer une famille');
  await expect(h1).toBeFocused();
  const guardian = page.getByRole('group', { name: 'Responsable 1' });
  await guardian.getByRole('radio', { name: 'Madame' }).check();
  await guardian.getByRole('textbox', { name: 'Nom', exact: true }).fill('Lemoine');
  await guardian.getByRole('textbox', { name: 'Prénom', exact: true }).fill('Sarah');
  await guardian.getByRole('combobox', { name: 'Qualité' }).selectOption({ label: 'Mère' });
  await guardian.getByRole('textbox', { name: 'E-mail' }).fill('sarah.lemoine@exemple.fr');
  await guardian.getByRole('textbox', { name: 'Téléphone portable' }).fill('06 11 22 33 44');
  await page.getByRole('button', { name: 'Ajouter un enfant' }).click();
  const child = page.getByRole('group', { name: 'Enfant 1' });
  await expect(child.getByRole('textbox', { name: 'Nom', exact: true })).toBeFocused();
  await expect(child.getByRole('textbox', { name: 'Nom', exact: true })).toHaveValue('Lemoine');
  await child.getByRole('textbox', { name: 'Prénom', exact: true }).fill('Jules');
  await child.getByLabel('Date de naissance').fill('2018-04-12');
  await child.getByRole('radio', { name: 'Masculin' }).check();
  await page.getByRole('button', { name: 'Créer la famille' }).click();

  // The code to give the family, and the guardian's personal code.
  await expect(h1).toHaveText('Famille créée : Famille LEMOINE');
  await expect(page.getByRole('status').filter({ hasText: 'Le dossier « Famille LEMOINE » est créé.' })).toBeFocused();
  const code = (await page.locator('#code-abonne').innerText()).trim();
  expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
  const codes = page.getByRole('table', { name: 'Codes personnels des responsables' });
  await expect(codes.getByRole('row', { name: /Sarah Lemoine Mère [A-Z0-9]{6}/ })).toBeVisible();

  // A new parent signs up, subscribes with the code and changes the mobile number (API).
  const person = { civility: 'Madame' as const, lastName: 'Lemoine', firstName: 'Sarah', email: uniqueEmail('sarah.lemoine'), password: 'Lemoine2026' };
  const parentContext = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  await signUpAndActivate(await parentContext.newPage(), person);
  await parentContext.close();
  const parent: APIRequestContext = await apiAs(playwright, baseURL as string, { email: person.email, password: person.password });
  const subscribed = await parent.post('/api/subscriptions', { data: { subscriber_code: code } });
  expect(subscribed.status()).toBe(201);
  const { family_id: familyId } = (await subscribed.json()) as { family_id: string };
  const dossier = (await (await parent.get(`/api/family?family_id=${familyId}`)).json()) as { guardians: { id: string; mobile: string }[] };
  const guardianId = dossier.guardians[0]?.id as string;
  const patched = await parent.patch(`/api/family/guardians/${guardianId}`, { data: { mobile: '06 99 88 77 66' } });
  expect(patched.status()).toBe(202);
  const { request_id: requestId } = (await patched.json()) as { request_id: string };

  // The agent filters the queue on the family and finds the change.
  await page.goto('/agent');
  await page.getByRole('link', { name: 'Demandes à traiter' }).click();
  await expect(h1).toHaveText('Demandes en attente');
  const filters = page.getByRole('search', { name: 'Filtrer les demandes' });
  await filters.getByRole('textbox', { name: 'Famille' }).fill('Lemoine');
  await filters.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(new RegExp(`famille=${familyId}`));
  const queue = page.getByRole('table', { name: "Demandes en attente, les plus anciennes d'abord" });
  const line = queue.getByRole('row').filter({ hasText: 'Modification du responsable Sarah Lemoine' });
  await expect(line).toHaveCount(1);
  await expect(line.getByRole('cell').nth(3)).toHaveText('Sans objet');
  await expect(line.getByRole('cell').nth(5)).toHaveText('Modification du dossier');
  await expect(queue.getByRole('row')).toHaveCount(2);

  // A second tab on the same request, to decide it after the first one.
  const late = await page.context().newPage();
  await late.goto(`/agent/demandes/${requestId}`);

  await line.getByRole('link', { name: /Modification du responsable Sarah Lemoine/ }).click();
  await expect(page).toHaveURL(new RegExp(`/agent/demandes/${requestId}$`));
  await expect(h1).toHaveText('Modification du responsable Sarah Lemoine');
  const changes = page.getByRole('table', { name: 'Modifications demandées' });
  await expect(changes.getByRole('columnheader')).toHaveText(['Champ', 'Valeur actuelle', 'Valeur demandée']);
  await expect(changes.getByRole('row', { name: 'Téléphone portable 06 11 22 33 44 06 99 88 77 66' })).toBeVisible();

  await page.getByRole('textbox', { name: 'Message à la famille (facultatif)' }).fill('Numéro mis à jour, merci.');
  await page.getByRole('button', { name: 'Accepter', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Demande acceptée.' })).toBeFocused();
  await expect(page.getByText('Cette demande est acceptée')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Accepter', exact: true })).toHaveCount(0);
  const history = page.getByRole('region', { name: 'Historique de la demande' });
  await expect(history.getByRole('listitem').last()).toContainText('Demande acceptée par la collectivité');
  await expect(history.getByRole('listitem').last()).toContainText('Numéro mis à jour, merci.');

  // The other tab still offers the decision: the server's 409 is said.
  await late.getByRole('button', { name: 'Refuser', exact: true }).click();
  await expect(late.getByRole('alert')).toContainText('Cette demande a déjà été traitée (état : acceptée).');
  await expect(late.getByText('Cette demande est acceptée')).toBeVisible();
  await late.close();

  // The parent's dossier holds the new number, with nothing pending, and the message.
  const after = (await (await parent.get(`/api/family?family_id=${familyId}`)).json()) as { guardians: { mobile: string }[]; pending: unknown[] };
  expect(after.guardians[0]?.mobile).toBe('06 99 88 77 66');
  expect(after.pending).toEqual([]);
  const detail = (await (await parent.get(`/api/requests/${requestId}`)).json()) as { state: string; history: { event: string; message: string | null }[] };
  expect(detail.state).toBe('accepted');
  expect(detail.history.find((h) => h.event === 'accepted')?.message).toBe('Numéro mis à jour, merci.');

  // The family page lists the linked account and no pending change.
  await page.goto(`/agent/familles/${familyId}`);
  await expect(h1).toHaveText('Famille LEMOINE');
  await expect(page.getByRole('region', { name: 'Comptes reliés' }).getByRole('cell', { name: person.email, exact: true })).toBeVisible();
  await expect(page.getByText('Aucune modification en attente.')).toBeVisible();
  await parent.dispose();
});
