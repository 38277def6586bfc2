/**
 * Back-office: invoices and payments from the finance software's CSV files,
 * uploaded to the portal's storage, checked, then imported in the
 * background. A broken file lists every error with its line and column and
 * imports nothing; a good one is checked, imported while the page shows the
 * progress, and the counts shown once done; the same file again leaves
 * everything unchanged; the "Derniers imports" table keeps how it ended
 * after a reload. Axe at 1280 and 375 px.
 */
import { expect, test } from '@playwright/test';

import { apiWith, createFamily, ensureShared, expectAccessible, type Family, sharedState } from './agent-helpers';

const INVOICES = 'famille;famille_id;numero;date;echeance;service;emetteur;code_emission;reference;libelle;enfant;quantite;montant';
const PAYMENTS = 'numero;date;facture;mode;libelle;montant';

const csv = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf-8') });

// Numbers this spec owns (the suite's server is shared by every spec).
const run = Date.now().toString(36).toUpperCase();
const num = (n: number) => `IMP-${run}-${n}`;
let family: Family;

test.use({ storageState: sharedState('agent') });
test.beforeAll(async ({ playwright, baseURL }) => {
  const state = await ensureShared(playwright, baseURL as string, 'agent');
  const agent = await apiWith(playwright, baseURL as string, state);
  family = await createFamily(agent, 'FACTUREIMPORT', 'Inès');
  await agent.dispose();
});

function goodInvoices(): string {
  return `\u{feff}${INVOICES}
;${family.id};${num(1)};31/10/2026;30/11/2026;Périscolaire;Mairie de Villebois;;;Garderie du soir;Léo;12;30,00
;${family.id};${num(1)};31/10/2026;30/11/2026;Périscolaire;Mairie de Villebois;;;Restauration scolaire;Léo;10;42,00
${family.subscriber_code};;${num(2)};2026-10-31;2026-12-15;Centre de loisirs;Mairie de Villebois;;;Mercredis;Léo;2;6,50
`;
}

test('a broken invoices file shows every error with its line and column, and nothing is imported', async ({ page }) => {
  await page.goto('/agent');
  await page.getByRole('link', { name: 'Importer des factures ou des règlements' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Importer des factures ou des règlements');
  await expectAccessible(page, 'the billing import page', false);

  const broken = `${INVOICES}
;${family.id};${num(10)};32/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;Léo;1;6,50
;${family.id};${num(11)};31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;Léo;1;six euros
INCONNUE-${run};;${num(12)};31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;Léo;1;6,50
`;
  await page.getByLabel('Fichier CSV').setInputFiles(csv('factures-erreurs.csv', broken));
  await page.getByRole('button', { name: 'Vérifier' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'erreurs dans le fichier' });
  await expect(alert).toBeFocused();
  await expect(alert.getByRole('heading')).toHaveText("2 erreurs dans le fichier : rien n'a été importé");
  const table = page.getByRole('table', { name: /Erreurs du fichier, ligne par ligne/ });
  await expect(table.getByRole('columnheader')).toHaveText(['Ligne', 'Colonne', 'Message']);
  const rows = table.getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toHaveText(/^2date.*32\/10\/2026.*JJ\/MM\/AAAA/);
  await expect(rows.nth(2)).toHaveText(/^3montant.*six euros/);
  await expect(page.getByRole('button', { name: 'Importer', exact: true })).toHaveCount(0);
  await expectAccessible(page, 'the billing import errors', false);

  // Once the fields are right, the unknown family is named.
  const unknown = `${INVOICES}
INCONNUE-${run};;${num(12)};31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;Léo;1;6,50
`;
  await page.getByLabel('Fichier CSV').setInputFiles(csv('factures-inconnue.csv', unknown));
  await page.getByRole('button', { name: 'Vérifier' }).click();
  await expect(page.getByRole('table', { name: /Erreurs du fichier/ }).getByRole('row').nth(1)).toHaveText(
    new RegExp(`^2famille.*INCONNUE-${run}`),
  );
  const invoices = await page.request.get(`/api/agent/families/${family.id}/invoices`);
  expect(((await invoices.json()) as { items: unknown[] }).items).toEqual([]);
});

test('a good invoices file is checked, imported with its counts, and a second import changes nothing', async ({ page }) => {
  await page.goto('/agent/import-factures');
  await page.getByLabel('Fichier CSV').setInputFiles(csv('factures.csv', goodInvoices()));
  await page.getByRole('button', { name: 'Vérifier' }).click();
  const checked = page.getByRole('status').filter({ hasText: 'Le fichier est valide.' });
  await expect(checked).toBeFocused();
  await expect(checked.getByRole('listitem')).toHaveText([
    '2 factures à créer',
    '3 lignes de facture',
    '1 famille concernée',
    '0 facture déjà importée, inchangée',
  ]);
  await checked.getByRole('button', { name: 'Importer' }).click();
  // The import runs on the server; the page follows it.
  const imported = page.getByRole('status').filter({ hasText: 'Import terminé' });
  await expect(imported).toBeFocused();
  await expect(imported.getByRole('listitem').first()).toHaveText('2 factures créées');
  await expect(imported).toContainText('3 lignes de facture');
  await expect(imported).toContainText('1 famille concernée');
  const progress = page.getByRole('progressbar', { name: /Progression de l'import/ });
  await expect(progress).toHaveAttribute('value', '3');
  await expect(progress).toHaveAttribute('aria-valuetext', '3 lignes sur 3');
  await expectAccessible(page, 'the billing import done', false);

  // Back later: the last imports say how it ended.
  await page.reload();
  const last = page.getByRole('table', { name: /Les 20 derniers imports/ });
  await expect(last.getByRole('columnheader')).toHaveText(['Lancé le', 'Contenu', 'État', 'Lignes', 'Créés', 'Inchangés', 'Terminé le']);
  await expect(last.getByRole('row').nth(1)).toContainText('Factures');
  await expect(last.getByRole('row').nth(1)).toContainText('Terminé');
  await expect(last.getByRole('row').nth(1)).toContainText('3 lignes sur 3');
  await expectAccessible(page, 'the last billing imports', false);

  const list = await page.request.get(`/api/agent/families/${family.id}/invoices`);
  const items = ((await list.json()) as { items: { number: string; amount_cents: number }[] }).items;
  expect(items.map((i) => i.number).sort()).toEqual([num(1), num(2)]);

  // The same file again: nothing to create.
  await page.goto('/agent/import-factures');
  await page.getByLabel('Fichier CSV').setInputFiles(csv('factures.csv', goodInvoices()));
  await page.getByRole('button', { name: 'Vérifier' }).click();
  const again = page.getByRole('status').filter({ hasText: 'Le fichier est valide.' });
  await expect(again.getByRole('listitem')).toHaveText(['0 facture à créer', '2 factures déjà importées, inchangées']);
  await expect(again.getByRole('button', { name: 'Importer' })).toHaveCount(0);

  // Payments of those invoices, methods in French.
  await page.getByRole('radio', { name: /Règlements/ }).check();
  const payments = `${PAYMENTS}
CHQ-${run};02/11/2026;${num(1)};chèque;;72,00
ESP-${run};03/11/2026;${num(2)};especes;;1,50
`;
  await page.getByLabel('Fichier CSV').setInputFiles(csv('reglements.csv', payments));
  await page.getByRole('button', { name: 'Vérifier' }).click();
  const paid = page.getByRole('status').filter({ hasText: 'Le fichier est valide.' });
  await expect(paid.getByRole('listitem').first()).toHaveText('2 règlements à enregistrer');
  await paid.getByRole('button', { name: 'Importer' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Import terminé' }).getByRole('listitem').first()).toHaveText(
    '2 règlements enregistrés',
  );
});

test('the billing import page at 375 px', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto('/agent/import-factures');
  await expectAccessible(page, 'the billing import page (375 px)', true);
  const broken = `${INVOICES}\n;${family.id};${num(20)};31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;Léo;1;abc\n`;
  await page.getByLabel('Fichier CSV').setInputFiles(csv('factures-erreurs.csv', broken));
  await page.getByRole('button', { name: 'Vérifier' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'erreur dans le fichier' })).toBeFocused();
  await expectAccessible(page, 'the billing import errors (375 px)', true);
});
