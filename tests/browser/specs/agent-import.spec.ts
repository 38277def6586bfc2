/**
 * Back-office: families from a CSV file. A broken file lists every error
 * with its line and imports nothing; a good one is checked, then
 * imported; importing it again skips the families already there.
 */
import { expect, test } from '@playwright/test';

import { ensureShared, sharedState } from './agent-helpers';

const HEADER = 'famille;role;civilite;nom;prenom;date_naissance;sexe;email;telephone;portable;adresse;code_postal;ville;qualite';

const BROKEN = `${HEADER}
R001;responsable;Mme;Roussel;Léa;;;pas-un-email;;;;;;mere
R001;enfant;;Roussel;Ludovic;31/02/2015;M;;;;;;;
R002;enfant;;Seul;Enfant;01/01/2020;X;;;;;;;
R003;parent;;A;B;;;;;;;;;
R004;responsable;Mme;Petit;Anne;;;;;123;;;;
`;

const GOOD = `\u{feff}${HEADER}
N001;responsable;Mme;Nguyen;Linh;;;linh.nguyen@exemple.fr;;06 07 08 09 10;3 rue des Lilas;92100;Villebois;mere
N001;responsable;M.;Nguyen;Minh;;;;;;;;;pere
N001;enfant;;Nguyen;Hoa;23/11/2015;F;;;;;;;
N002;responsable;M.;Roussel;Paul;;;;;;;;;pere
N002;enfant;;Roussel;Lou;2019-06-01;F;;;;;;;
`;

const csv = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf-8') });

test.use({ storageState: sharedState('agent') });
test.beforeAll(async ({ playwright, baseURL }) => {
  await ensureShared(playwright, baseURL as string, 'agent');
});

test('a CSV file with broken rows shows every error with its line, and nothing is imported', async ({ page }) => {
  await page.goto('/agent/familles');
  await page.getByRole('link', { name: 'Importer un fichier CSV' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Importer un fichier CSV');

  // No file yet: the summary says so and leads to the field.
  await page.getByRole('button', { name: 'Vérifier' }).click();
  const summary = page.locator('#erreurs');
  await expect(summary).toBeFocused();
  await summary.getByRole('link', { name: 'Choisissez le fichier CSV à importer.' }).click();
  await expect(page.getByLabel('Fichier CSV')).toBeFocused();

  await page.getByLabel('Fichier CSV').setInputFiles(csv('familles-erreurs.csv', BROKEN));
  await page.getByRole('button', { name: 'Vérifier' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'erreurs dans le fichier' });
  await expect(alert).toBeFocused();
  await expect(alert.getByRole('heading')).toHaveText("5 erreurs dans le fichier : rien n'a été importé");
  await expect(page).toHaveTitle(/^Erreur\s: Importer un fichier CSV/);
  const table = page.getByRole('table', { name: /Erreurs du fichier, ligne par ligne/ });
  await expect(table.getByRole('columnheader')).toHaveText(['Ligne', 'Colonne', 'Message']);
  const rows = table.getByRole('row');
  await expect(rows).toHaveCount(6);
  await expect(rows.nth(1)).toHaveText(/^2email.*adresse e-mail/);
  await expect(rows.nth(2)).toHaveText(/^3date_naissance.*JJ\/MM\/AAAA/);
  await expect(rows.nth(3)).toHaveText(/^4sexe.*M ou F/);
  await expect(rows.nth(4)).toHaveText(/^5role.*Rôle\s«\sparent\s»\sinconnu/);
  await expect(rows.nth(5)).toHaveText(/^6portable/);
  // Nothing was written.
  const none = await page.request.get('/api/agent/families?q=Famille%20ROUSSEL');
  expect(((await none.json()) as { items: unknown[] }).items).toEqual([]);
  await expect(page.getByRole('button', { name: 'Importer', exact: true })).toHaveCount(0);
});

test('a good CSV file is checked, imported, and imported again without duplicates', async ({ page }) => {
  await page.goto('/agent/familles/importer');
  const file = page.getByLabel('Fichier CSV');
  await file.setInputFiles(csv('familles.csv', GOOD));
  await page.getByRole('button', { name: 'Vérifier' }).click();
  const checked = page.getByRole('status').filter({ hasText: 'Le fichier est valide.' });
  await expect(checked).toBeFocused();
  await expect(checked.getByRole('listitem')).toHaveText(['2 familles', '3 responsables', '2 enfants']);
  await checked.getByRole('button', { name: 'Importer' }).click();
  const imported = page.getByRole('status').filter({ hasText: 'Import terminé' });
  await expect(imported).toBeFocused();
  await expect(imported).toContainText('Import terminé : 2 familles importées.');

  // The families are there, found by name.
  await imported.getByRole('link', { name: 'Voir les familles' }).click();
  await page.getByRole('searchbox', { name: 'Nom de la famille' }).fill('nguyen');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await expect(page).toHaveURL(/\/agent\/familles\?q=nguyen$/);
  await page.getByRole('link', { name: 'Famille NGUYEN' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Famille NGUYEN');
  await expect(page.getByRole('heading', { level: 3, name: 'Linh Nguyen (Mère)' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 3, name: 'Hoa Nguyen' })).toBeVisible();
  await expect(page.locator('#code-abonne')).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}$/);

  // The same file again: both families are skipped.
  await page.goto('/agent/familles/importer');
  await page.getByLabel('Fichier CSV').setInputFiles(csv('familles.csv', GOOD));
  await page.getByRole('button', { name: 'Vérifier' }).click();
  await page.getByRole('status').filter({ hasText: 'Le fichier est valide.' }).getByRole('button', { name: 'Importer' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Import terminé' })).toContainText(
    'Import terminé : aucune nouvelle famille, 2 familles ignorées (déjà importées).',
  );
  const list = await page.request.get('/api/agent/families?q=Famille%20NGUYEN');
  expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(1);
});

test('the families list comes in pages of 20, the next ones on demand', async ({ page }) => {
  const rows = Array.from({ length: 22 }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return `P0${n};responsable;M.;Paginé${n};Jean;;;;;;;;;pere`;
  });
  await page.goto('/agent/familles/importer');
  await page.getByLabel('Fichier CSV').setInputFiles(csv('pages.csv', `${HEADER}\n${rows.join('\n')}\n`));
  await page.getByRole('button', { name: 'Vérifier' }).click();
  await page.getByRole('status').filter({ hasText: 'Le fichier est valide.' }).getByRole('button', { name: 'Importer' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Import terminé' })).toContainText('22 familles importées');

  await page.goto('/agent/familles?q=pagin%C3%A9');
  const list = page.getByRole('region', { name: /Familles dont le nom commence par/ }).getByRole('listitem');
  await expect(list).toHaveCount(20);
  await expect(page.getByRole('status')).toHaveText("20 familles affichées ; d'autres suivent.");
  await page.getByRole('button', { name: 'Afficher plus de familles' }).click();
  await expect(list).toHaveCount(22);
  await expect(page.getByRole('link', { name: 'Famille PAGINÉ21' })).toBeFocused();
  await expect(page.getByRole('button', { name: 'Afficher plus de familles' })).toHaveCount(0);
});
