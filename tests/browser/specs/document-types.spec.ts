/**
 * The back-office page of supporting documents (`/agent/pieces-justificatives`):
 * an agent adds "Attestation d'assurance extra-scolaire" (each child, school
 * year, mandatory for the demo's canteen) and "Justificatif de domicile"
 * (the family, 3 months); an empty name and 0 months are refused at their
 * fields, with a summary that takes the focus; the agent edits one, withdraws
 * it (no longer asked for the parents) and restores it; a third is valid
 * until a fixed date (an impossible date refused), then made permanent.
 * The demo parent's table (`GET /api/documents`) then holds the rows, the
 * canteen children's ones mandatory, beside the three the demo asks for.
 */
import { type Page, type PlaywrightWorkerArgs, expect, test } from '@playwright/test';

import { apiWith, DEMO_PARENT, ensureShared, expectFieldError, sharedState } from './agent-helpers';
import { json } from './helpers';

test.describe.configure({ mode: 'serial' });
test.use({ storageState: sharedState('agent') });
test.beforeAll(async ({ playwright, baseURL }) => {
  await ensureShared(playwright, baseURL as string, 'agent');
  await ensureShared(playwright, baseURL as string, 'parent');
});
// The types made here are withdrawn at the end: the insurance is mandatory
// for the demo's canteen, whose reservations it would refuse to the specs
// after this one.
test.afterAll(async ({ playwright, baseURL }) => {
  const agent = await apiWith(playwright, baseURL as string, sharedState('agent'));
  const types = await json<{ items: { id: string; name: string; active: boolean }[] }>(await agent.get('/api/agent/document-types'), 'GET /api/agent/document-types');
  for (const t of types.items.filter((t) => t.active && [INSURANCE, HOME, HOME_EDITED, CAF].includes(t.name))) {
    await json(await agent.patch(`/api/agent/document-types/${t.id}`, { data: { active: false } }), `withdraw ${t.name}`);
  }
  await agent.dispose();
});

const PAGE = '/agent/pieces-justificatives';
const INSURANCE = "Attestation d'assurance extra-scolaire";
const HOME = 'Justificatif de domicile';
const HOME_EDITED = 'Justificatif de domicile de moins de 3 mois';
const CAF = 'Attestation CAF / quotient familial';
/** The demo's canteen, where Maéva and Timéo MARTIN are enrolled. */
const CANTEEN = '2/Repas Écoles';

interface Row {
  type_id: string;
  name: string;
  child: string | null;
  child_id: string | null;
  validity: string;
  mandatory: boolean;
  state: string;
  help: string;
}

const table = (page: Page) => page.getByRole('table', { name: 'Pièces justificatives demandées, par nom' });
const row = (page: Page, name: string) => table(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
const success = (page: Page) => page.getByRole('status').filter({ hasText: /^Pièce\s/ });

async function parentRows(playwright: PlaywrightWorkerArgs['playwright'], baseURL: string): Promise<Row[]> {
  const parent = await apiWith(playwright, baseURL, sharedState('parent'));
  const table = await json<{ items: Row[] }>(await parent.get('/api/documents'), `GET /api/documents as ${DEMO_PARENT.email}`);
  await parent.dispose();
  return table.items;
}

test('an agent is refused an empty name and 0 months, at the fields', async ({ page }) => {
  await page.goto('/agent');
  await page.getByRole('link', { name: 'Pièces justificatives', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${PAGE}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pièces justificatives');
  const form = page.getByRole('region', { name: 'Ajouter une pièce justificative' });
  // The demo commune asks for three documents already.
  await expect(table(page).getByRole('row')).toHaveCount(4);
  await expect(form.getByRole('textbox', { name: 'Nombre de mois' })).toHaveCount(0);
  await form.getByRole('combobox', { name: 'Validité' }).selectOption('months');
  await form.getByRole('textbox', { name: 'Nombre de mois' }).fill('0');
  await form.getByRole('button', { name: 'Ajouter la pièce' }).click();

  const summary = page.locator('#piece-erreurs');
  await expect(summary).toBeFocused();
  await expect(summary).toContainText('Le champ « Nom du document » est obligatoire.');
  await expect(summary).toContainText('Le champ « Concerne » est obligatoire.');
  await expect(summary).toContainText('Indiquez un nombre de mois de 1 à 60.');
  await expectFieldError(page, 'Nom du document', /Le champ «\s*Nom du document\s*» est obligatoire\./);
  await expectFieldError(page, 'Nombre de mois', 'Indiquez un nombre de mois de 1 à 60.');
  // The summary's link leads to the field.
  await summary.getByRole('link', { name: 'Indiquez un nombre de mois de 1 à 60.' }).click();
  await expect(form.getByRole('textbox', { name: 'Nombre de mois' })).toBeFocused();
  await expect(table(page).getByRole('row'), 'nothing added').toHaveCount(4);
});

test('an agent adds two documents, one mandatory for the canteen', async ({ page }) => {
  await page.goto(PAGE);
  const form = page.getByRole('region', { name: 'Ajouter une pièce justificative' });
  await form.getByRole('textbox', { name: 'Nom du document' }).fill(INSURANCE);
  await form.getByRole('radio', { name: 'Chaque enfant' }).check();
  await form.getByRole('combobox', { name: 'Validité' }).selectOption('school_year');
  await expect(form.getByRole('textbox', { name: 'Nombre de mois' })).toHaveCount(0);
  await form.getByRole('group', { name: 'Obligatoire pour' }).getByRole('checkbox', { name: CANTEEN }).check();
  await form.getByRole('textbox', { name: 'Aide' }).fill("L'attestation de l'assureur pour l'année scolaire en cours.");
  await form.getByRole('button', { name: 'Ajouter la pièce' }).click();

  await expect(success(page)).toHaveText(`Pièce « ${INSURANCE} » ajoutée.`);
  await expect(success(page)).toBeFocused();
  const insurance = row(page, INSURANCE);
  await expect(insurance.getByRole('cell')).toHaveText(['Chaque enfant', 'Année scolaire', CANTEEN, 'Non exigée', "L'attestation de l'assureur pour l'année scolaire en cours.", /Active$/, /Modifier/]);
  // The form is empty again, for the next one.
  await expect(form.getByRole('textbox', { name: 'Nom du document' })).toHaveValue('');

  await form.getByRole('textbox', { name: 'Nom du document' }).fill(HOME);
  await form.getByRole('radio', { name: 'La famille' }).check();
  await form.getByRole('combobox', { name: 'Validité' }).selectOption('months');
  await form.getByRole('textbox', { name: 'Nombre de mois' }).fill('3');
  await form.getByRole('button', { name: 'Ajouter la pièce' }).click();

  await expect(success(page)).toHaveText(`Pièce « ${HOME} » ajoutée.`);
  await expect(row(page, HOME).getByRole('cell')).toHaveText(['La famille', '3 mois', 'Aucune activité', 'Non exigée', 'Aucune', /Active$/, /Modifier/]);
});

test('an agent edits a document, withdraws it and restores it', async ({ page, playwright, baseURL }) => {
  await page.goto(PAGE);
  await page.getByRole('button', { name: `Modifier la pièce ${HOME}`, exact: true }).click();
  const heading = page.getByRole('heading', { name: `Modifier la pièce « ${HOME} »` });
  await expect(heading).toBeFocused();
  const form = page.getByRole('region', { name: `Modifier la pièce « ${HOME} »` });
  await expect(form.getByRole('radio', { name: 'La famille' })).toBeChecked();
  await expect(form.getByRole('combobox', { name: 'Validité' })).toHaveValue('months');
  await expect(form.getByRole('textbox', { name: 'Nombre de mois' })).toHaveValue('3');
  await form.getByRole('textbox', { name: 'Nom du document' }).fill(HOME_EDITED);
  await form.getByRole('textbox', { name: 'Aide' }).fill("Facture d'énergie, de téléphone ou avis d'imposition.");
  await form.getByRole('button', { name: 'Enregistrer' }).click();

  await expect(success(page)).toHaveText(`Pièce « ${HOME_EDITED} » modifiée.`);
  await expect(success(page)).toBeFocused();
  await expect(row(page, HOME)).toHaveCount(0);
  await expect(row(page, HOME_EDITED).getByRole('cell')).toHaveText(['La famille', '3 mois', 'Aucune activité', 'Non exigée', "Facture d'énergie, de téléphone ou avis d'imposition.", /Active$/, /Modifier/]);
  await expect(page.getByRole('heading', { name: 'Ajouter une pièce justificative' })).toBeVisible();

  await row(page, HOME_EDITED).getByRole('button', { name: `Retirer la pièce ${HOME_EDITED}` }).click();
  await expect(success(page)).toHaveText(`Pièce « ${HOME_EDITED} » retirée : elle n'est plus demandée aux familles.`);
  await expect(row(page, HOME_EDITED).getByRole('cell').nth(5)).toHaveText(/Retirée/);
  expect((await parentRows(playwright, baseURL as string)).filter((r) => r.name === HOME_EDITED), 'a withdrawn document is not asked for').toEqual([]);

  await row(page, HOME_EDITED).getByRole('button', { name: `Rétablir la pièce ${HOME_EDITED}` }).click();
  await expect(success(page)).toHaveText(`Pièce « ${HOME_EDITED} » rétablie : elle est de nouveau demandée aux familles.`);
  await expect(row(page, HOME_EDITED).getByRole('cell').nth(5)).toHaveText(/Active/);
});

test('a document valid until a fixed date shows it, and the form gives it back', async ({ page }) => {
  await page.goto(PAGE);
  const form = page.getByRole('region', { name: 'Ajouter une pièce justificative' });
  await form.getByRole('textbox', { name: 'Nom du document' }).fill(CAF);
  await form.getByRole('radio', { name: 'La famille' }).check();
  await form.getByRole('combobox', { name: 'Validité' }).selectOption('until');
  await form.getByRole('textbox', { name: "Valable jusqu'au" }).fill('31/02/2027');
  await form.getByRole('button', { name: 'Ajouter la pièce' }).click();
  await expect(page.locator('#piece-erreurs')).toBeFocused();
  await expectFieldError(page, "Valable jusqu'au", 'Indiquez la date de fin de validité au format JJ/MM/AAAA.');

  await form.getByRole('textbox', { name: "Valable jusqu'au" }).fill('31/08/2027');
  await form.getByRole('button', { name: 'Ajouter la pièce' }).click();
  await expect(success(page)).toHaveText(`Pièce « ${CAF} » ajoutée.`);
  await expect(row(page, CAF).getByRole('cell').nth(1)).toHaveText("Jusqu'au 31/08/2027");

  await page.getByRole('button', { name: `Modifier la pièce ${CAF}`, exact: true }).click();
  const edit = page.getByRole('region', { name: `Modifier la pièce « ${CAF} »` });
  await expect(edit.getByRole('combobox', { name: 'Validité' })).toHaveValue('until');
  await expect(edit.getByRole('textbox', { name: "Valable jusqu'au" })).toHaveValue('31/08/2027');
  await edit.getByRole('combobox', { name: 'Validité' }).selectOption('permanent');
  await expect(edit.getByRole('textbox', { name: "Valable jusqu'au" })).toHaveCount(0);
  await edit.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(success(page)).toHaveText(`Pièce « ${CAF} » modifiée.`);
  await expect(row(page, CAF).getByRole('cell').nth(1)).toHaveText('Permanente');
});

test("the demo parent's table holds the documents, the canteen children's mandatory", async ({ playwright, baseURL }) => {
  const rows = await parentRows(playwright, baseURL as string);
  const insurance = rows.filter((r) => r.name === INSURANCE);
  expect(insurance.map((r) => [r.child, r.validity, r.mandatory, r.state]).sort()).toEqual([
    ['Maéva', 'school_year', true, 'missing'],
    ['Timéo', 'school_year', true, 'missing'],
  ]);
  const home = rows.filter((r) => r.name === HOME_EDITED);
  expect(home.map((r) => [r.child, r.validity, r.mandatory, r.state, r.help])).toEqual([[null, 'months:3', false, 'missing', "Facture d'énergie, de téléphone ou avis d'imposition."]]);
});
