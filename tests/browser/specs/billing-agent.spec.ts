/**
 * The back-office's billing: on a family's page the agent records a cheque
 * on one invoice (a payment above the balance is refused next to the
 * amount) and cancels another (a reason, a confirmation); on the Régies
 * page they add, edit and deactivate a régie, and give the commune's logo
 * (a GIF is refused), which the demo parent's invoice PDF then carries;
 * the logo is removed at the end. The demo parent downloads an invoice's
 * PDF from Mes factures. Axe at 1280 px and 375 px on the agent
 * pages. The invoices are this spec's own (a family it creates), so the
 * demo ones billing.spec.ts counts stay as they are. The commune's PDF is
 * sent in two steps (an upload address, then a confirmation): a refused
 * file shows the same message as before.
 */
import { readFileSync } from 'node:fs';

import { type APIRequestContext, type Browser, type Page, type PlaywrightWorkerArgs, expect, test } from '@playwright/test';

import { apiWith, createFamily, ensureShared, expectAccessible, sharedState } from './agent-helpers';
import { json } from './helpers';

test.use({ storageState: sharedState('agent') });
test.beforeAll(async ({ playwright, baseURL }) => {
  await ensureShared(playwright, baseURL as string, 'agent');
});

const stamp = () => `${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1000)}`;

async function invoice(agent: APIRequestContext, familyId: string, guardianId: string, number: string, cents: number): Promise<void> {
  await json(
    await agent.post('/api/agent/invoices', {
      data: {
        family_id: familyId,
        guardian_id: guardianId,
        emission_code: 'PW',
        reference: number,
        number,
        amount_cents: cents,
        issued_on: '2026-11-02',
        due_on: '2026-12-02',
        service: 'Restauration scolaire',
        issuer: 'Mairie de Villebois',
      },
    }),
    'POST /api/agent/invoices',
  );
}

const invoiceRow = (page: Page, number: string) => page.getByRole('table', { name: /Factures de la famille/ }).getByRole('row', { name: new RegExp(number) });

test('an agent records a cheque on an invoice and cancels another', async ({ page, playwright, baseURL }) => {
  const agent = await apiWith(playwright, baseURL as string, sharedState('agent'));
  const family = await createFamily(agent, `Facturation${stamp().replace(/\d/g, '')}`);
  const guardian = family.guardians[0]?.id ?? '';
  const paid = `PW-${stamp()}-1`;
  const cancelled = `PW-${stamp()}-2`;
  await invoice(agent, family.id, guardian, paid, 1250);
  await invoice(agent, family.id, guardian, cancelled, 3000);

  await page.goto(`/agent/familles/${family.id}`);
  await expect(invoiceRow(page, paid)).toContainText('À payer');
  await expectAccessible(page, 'a family page with its invoices', false);

  // A cheque: the amount defaults to the balance; more than that is refused at the amount.
  await invoiceRow(page, paid).getByRole('button', { name: `Enregistrer un règlement sur la facture n° ${paid}` }).click();
  const form = page.getByRole('region', { name: `Enregistrer un règlement sur la facture n° ${paid}` });
  await expect(form.getByRole('heading', { level: 3 })).toBeFocused();
  await expect(form.getByRole('textbox', { name: /Montant/ })).toHaveValue('12,50');
  await form.getByRole('combobox', { name: /Mode de règlement/ }).selectOption({ label: 'Chèque' });
  await form.getByRole('textbox', { name: /Numéro/ }).fill('7788991');
  await form.getByRole('textbox', { name: /Montant/ }).fill('20');
  await form.getByRole('button', { name: 'Enregistrer le règlement' }).click();
  await expect(form.locator('#reglement-montant-erreur')).toContainText('dépasse le reste à payer');
  await expect(form.getByRole('textbox', { name: /Montant/ })).toHaveAttribute('aria-invalid', 'true');
  await form.getByRole('textbox', { name: /Montant/ }).fill('12,50');
  await form.getByRole('button', { name: 'Enregistrer le règlement' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Règlement de 12,50 € enregistré sur la facture n° ${paid}` })).toBeVisible();
  await expect(invoiceRow(page, paid)).toContainText('Payée');

  // The other one is cancelled, with a reason and a confirmation.
  await invoiceRow(page, cancelled).getByRole('button', { name: `Annuler la facture n° ${cancelled}` }).click();
  const cancel = page.getByRole('region', { name: `Annuler la facture n° ${cancelled}` });
  await cancel.getByRole('button', { name: 'Annuler la facture', exact: true }).click();
  await expect(cancel.locator('#annulation-motif-erreur')).toBeVisible();
  await cancel.getByRole('textbox', { name: /Motif/ }).fill('Facture en double.');
  await cancel.getByRole('button', { name: 'Annuler la facture', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Annuler la facture n° ${cancelled} ?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Oui, annuler la facture' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Facture n° ${cancelled} annulée par l'avoir n° AV-${cancelled}` })).toBeVisible();
  await expect(invoiceRow(page, cancelled)).toContainText('Annulée');
  await expect(invoiceRow(page, cancelled).getByRole('button', { name: /Annuler la facture/ })).toHaveCount(0);

  // The commune's own PDF: refused when it is not one, then taken.
  await invoiceRow(page, paid).getByRole('button', { name: `Déposer le PDF de la facture n° ${paid}` }).click();
  const pdf = page.getByRole('region', { name: `Déposer le PDF de la facture n° ${paid}` });
  await pdf.getByLabel(/Fichier PDF/).setInputFiles({ name: 'facture.pdf', mimeType: 'application/pdf', buffer: Buffer.from('pas un pdf') });
  await pdf.getByRole('button', { name: 'Déposer le PDF' }).click();
  await expect(pdf.locator('#pdf-fichier-erreur')).toContainText("Le fichier n'est pas un PDF.");
  await pdf.getByLabel(/Fichier PDF/).setInputFiles({ name: 'facture.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% la facture de la commune\n%%EOF\n') });
  await pdf.getByRole('button', { name: 'Déposer le PDF' }).click();
  await expect(page.getByRole('status').filter({ hasText: `PDF de la facture n° ${paid} déposé` })).toBeVisible();
  await invoiceRow(page, paid).getByRole('button', { name: `Déposer le PDF de la facture n° ${paid}` }).click();
  await page.setViewportSize({ width: 375, height: 800 });
  await expectAccessible(page, 'a family page with its invoices and a panel open, on a phone', true);
  await agent.dispose();
});

test('an agent adds, edits and deactivates a régie', async ({ page }) => {
  const name = `Régie PW ${stamp()}`;
  await page.goto('/agent');
  await page.getByRole('link', { name: 'Régies' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Régies');
  await expectAccessible(page, 'the régies page', false);

  const form = page.getByRole('region', { name: 'Ajouter une régie' });
  await form.getByRole('textbox', { name: /Nom de la régie/ }).fill(name);
  await form.getByRole('textbox', { name: /numcli/ }).fill('12');
  await form.getByRole('button', { name: 'Ajouter la régie' }).click();
  await expect(form.locator('#regie-numcli-erreur')).toContainText('6 chiffres');
  await form.getByRole('textbox', { name: /numcli/ }).fill('123456');
  await form.getByRole('textbox', { name: /E-mail/ }).fill('pw@villebois.fr');
  await form.getByRole('button', { name: 'Ajouter la régie' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Régie « ${name} » ajoutée.` })).toBeVisible();
  const row = page.getByRole('table', { name: /Régies de la commune/ }).getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('123456');
  await expect(row).toContainText('Active');

  // The same name again is refused at the name.
  await form.getByRole('textbox', { name: /Nom de la régie/ }).fill(name.toUpperCase());
  await form.getByRole('button', { name: 'Ajouter la régie' }).click();
  await expect(form.locator('#regie-nom-erreur')).toContainText('Une régie porte déjà ce nom.');

  await row.getByRole('button', { name: `Modifier la régie ${name}` }).click();
  const edit = page.getByRole('region', { name: `Modifier la régie « ${name} »` });
  await edit.getByRole('textbox', { name: /E-mail/ }).fill('cantine@villebois.fr');
  await edit.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Régie « ${name} » modifiée.` })).toBeVisible();
  await expect(row).toContainText('cantine@villebois.fr');

  await row.getByRole('button', { name: `Désactiver la régie ${name}` }).click();
  await expect(row).toContainText('Désactivée');
  await page.setViewportSize({ width: 375, height: 800 });
  await expectAccessible(page, 'the régies page, on a phone', true);
});

test('the demo parent downloads an invoice’s PDF from Mes factures', async ({ browser, playwright, baseURL }) => {
  const state = await ensureShared(playwright, baseURL as string, 'parent');
  const context = await browser.newContext({ storageState: state });
  const page = await context.newPage();
  await page.goto('/espace-facturation');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes factures');
  const link = page.getByRole('table', { name: /Mes factures/ }).getByRole('link', { name: /^Télécharger la facture n° FAC-/ }).first();
  const name = (await link.textContent()) ?? '';
  const number = /FAC-\d{4}-\d{4}/.exec(name)?.[0] ?? '';
  expect(number).not.toBe('');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe(`facture-${number}.pdf`);
  const path = await download.path();
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(bytes.toString('latin1')).toContain(number);
  await context.close();
});

/** A 24×12 PNG, half transparent. */
const LOGO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABgAAAAMCAYAAAB4MH11AAAAKElEQVR4nGOQjpv9Hw0zoGGK5Ck2YGRYQFUD0eVHLSDKgqGfioa2BQDzPMYACJq5VwAAAABJRU5ErkJggg==',
  'base64',
);

/** The demo parent's first invoice PDF, downloaded from Mes factures. */
async function parentPdf(browser: Browser, playwright: PlaywrightWorkerArgs['playwright'], baseURL: string): Promise<string> {
  const state = await ensureShared(playwright, baseURL, 'parent');
  const context = await browser.newContext({ storageState: state });
  const page = await context.newPage();
  await page.goto('/espace-facturation');
  const link = page.getByRole('table', { name: /Mes factures/ }).getByRole('link', { name: /^Télécharger la facture n° FAC-/ }).first();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const bytes = readFileSync(await download.path()).toString('latin1');
  await context.close();
  return bytes;
}

test('an agent gives the commune’s logo, which the invoices then carry', async ({ page, browser, playwright, baseURL }) => {
  await page.goto('/agent/regies');
  const section = page.getByRole('region', { name: 'Logo des factures' });
  await expect(section).toContainText('PNG ou JPEG, 512 Ko au plus');
  // Not a PNG nor a JPEG: refused at the field.
  await section.locator('#logo-fichier').setInputFiles({ name: 'logo.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a') });
  await section.getByRole('button', { name: /Enregistrer le logo|Remplacer/ }).click();
  await expect(section.locator('#logo-fichier-erreur')).toContainText('Le logo doit être une image PNG ou JPEG.');
  // An HTML page named .png: the server reads the bytes.
  await section.locator('#logo-fichier').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('<!doctype html><p>logo</p>') });
  await section.getByRole('button', { name: /Enregistrer le logo|Remplacer/ }).click();
  await expect(section.locator('#logo-fichier-erreur')).toContainText('Le logo doit être une image PNG ou JPEG.');

  await section.locator('#logo-fichier').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: LOGO });
  await section.getByRole('button', { name: /Enregistrer le logo|Remplacer/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Logo enregistré : il apparaît en haut des factures PDF.' })).toBeVisible();
  const img = section.getByRole('img', { name: 'Logo actuel de la commune' });
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => (i.complete ? i.naturalWidth : -1))).toBe(24);
  await expect(section.getByRole('button', { name: 'Remplacer' })).toBeVisible();
  await expectAccessible(page, 'the régies page with the logo', false);

  const pdf = await parentPdf(browser, playwright, baseURL as string);
  expect(pdf.startsWith('%PDF-')).toBe(true);
  expect(pdf).toContain('/Image');

  // Removed, after a confirmation: the invoices go back to the name alone.
  await section.getByRole('button', { name: 'Supprimer le logo' }).click();
  const dialog = page.getByRole('dialog', { name: 'Supprimer le logo ?' });
  await dialog.getByRole('button', { name: 'Oui, supprimer le logo' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Logo supprimé' })).toBeVisible();
  await expect(section).toContainText('Aucun logo');
  await expect(img).toHaveCount(0);
  const plain = await parentPdf(browser, playwright, baseURL as string);
  expect(plain.startsWith('%PDF-')).toBe(true);
  expect(plain).not.toContain('/Image');
});
