/**
 * Back-office: a family's file as the commune sees it (full IBAN, health
 * data), its subscriber code renewed and revoked through confirmation
 * dialogs, an invoice recorded; the form's errors.
 */
import { type APIRequestContext, expect, test } from '@playwright/test';

import { apiWith, ensureShared, expectFieldError, sharedState } from './agent-helpers';

let agent: APIRequestContext;
let familyId = '';

test.use({ storageState: sharedState('agent') });
test.beforeAll(async ({ playwright, baseURL }) => {
  agent = await apiWith(playwright, baseURL as string, await ensureShared(playwright, baseURL as string, 'agent'));
  const resp = await agent.post('/api/agent/families', {
    data: {
      guardians: [
        {
          civility: 'Mme',
          last_name: 'Garnier',
          first_name: 'Claire',
          email: 'claire.garnier@exemple.fr',
          mobile: '0611223344',
          quality: 'mother',
          family_situation: 'married',
          address: { line1: '5 place de la Mairie', line2: '', postal_code: '92100', city: 'Villebois' },
          bank: { holder: 'Claire GARNIER', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP' },
        },
      ],
      children: [
        {
          first_name: 'Inès',
          last_name: 'Garnier',
          birth_date: '2017-02-03',
          sex: 'F',
          health: { diet: 'vegetarian', allergies: ['Arachide'], special_care: false, vaccines: [{ name: 'Hépatite B', date: '2017-06-01' }] },
        },
      ],
    },
  });
  expect(resp.status(), await resp.text()).toBe(201);
  familyId = ((await resp.json()) as { id: string }).id;
});

test.afterAll(async () => {
  await agent.dispose();
});

test('the family page shows the whole file, found by name', async ({ page }) => {
  await page.goto('/agent/familles');
  await page.getByRole('searchbox', { name: 'Nom de la famille' }).fill('Garn');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await expect(page.getByRole('status')).toHaveText('1 famille affichée.');
  await page.getByRole('link', { name: 'Famille GARNIER' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Famille GARNIER');

  const claire = page.getByRole('article', { name: 'Claire Garnier (Mère)' });
  await expect(claire).toContainText('Marié(e)');
  await expect(claire).toContainText('5 place de la Mairie, 92100 Villebois');
  await expect(claire).toContainText('Claire GARNIER');
  await expect(claire.getByText(/^FR76\s?3000\s?6000\s?0112\s?3456\s?7890\s?189$/)).toBeVisible();
  await expect(claire).toContainText('AGRIFRPP');
  const ines = page.getByRole('article', { name: 'Inès Garnier' });
  await expect(ines).toContainText('03/02/2017');
  await expect(ines).toContainText('Végétarien');
  await expect(ines).toContainText('Arachide');
  await expect(ines.getByRole('table', { name: 'Vaccins de Inès' }).getByRole('row', { name: 'Hépatite B 01/06/2017' })).toBeVisible();
  await expect(page.getByText("Aucun compte citoyen n'est relié à ce dossier.")).toBeVisible();
});

test('the subscriber code is renewed, then revoked, each after a confirmation', async ({ page }) => {
  await page.goto(`/agent/familles/${familyId}`);
  const code = page.locator('#code-abonne');
  const before = (await code.innerText()).trim();

  // Renew, but cancel with Échap: nothing changes, the focus comes back.
  const renew = page.getByRole('button', { name: 'Renouveler le code' });
  await renew.click();
  const dialog = page.getByRole('dialog', { name: 'Renouveler le code abonné ?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Renouveler le code' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(renew).toBeFocused();
  await expect(code).toHaveText(before);

  await renew.click();
  await dialog.getByRole('button', { name: 'Renouveler le code' }).click();
  const renewed = page.getByRole('status').filter({ hasText: 'Nouveau code abonné' });
  await expect(renewed).toBeFocused();
  const after = (await code.innerText()).trim();
  expect(after).not.toBe(before);
  await expect(renewed).toContainText(`Nouveau code abonné : ${after}. L'ancien code ne fonctionne plus.`);

  await page.getByRole('button', { name: 'Révoquer le code' }).click();
  const revoke = page.getByRole('dialog', { name: 'Révoquer le code abonné ?' });
  await revoke.getByRole('button', { name: 'Révoquer le code' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Le code abonné est révoqué' })).toBeFocused();
  await expect(code).toHaveCount(0);
  await expect(page.getByText('Aucun code abonné')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Révoquer le code' })).toHaveCount(0);
  const dossier = (await (await agent.get(`/api/agent/families/${familyId}`)).json()) as { subscriber_code?: string | null };
  expect(dossier.subscriber_code ?? null).toBeNull();
});

test('an invoice is recorded, after the form said what was missing', async ({ page }) => {
  await page.goto(`/agent/familles/${familyId}`);
  const form = page.getByRole('region', { name: 'Enregistrer une facture' });
  await form.getByRole('button', { name: 'Enregistrer la facture' }).click();
  const summary = page.locator('#erreurs');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link')).toHaveText([
    'Le champ « Code émission » est obligatoire.',
    'Le champ « Référence » est obligatoire.',
    "Le montant doit être un nombre d'euros positif (exemple : 43,50).",
    "Le champ « Date d'émission » est obligatoire.",
    'Le champ « Échéance » est obligatoire.',
  ]);
  await expect(page).toHaveTitle(/^Erreur\s: /);
  await expectFieldError(page, 'Code émission', 'Le champ « Code émission » est obligatoire.');
  await summary.getByRole('link', { name: 'Le champ « Référence » est obligatoire.' }).click();
  await expect(form.getByRole('textbox', { name: 'Référence de la facture' })).toBeFocused();

  // The destination is the only guardian, chosen already.
  await expect(form.getByRole('combobox', { name: 'Destinataire' })).toHaveValue(/.+/);
  await form.getByRole('textbox', { name: 'Code émission' }).fill('2027-01');
  await form.getByRole('textbox', { name: 'Référence de la facture' }).fill('F-0001');
  await form.getByRole('textbox', { name: 'Montant (en euros)' }).fill('43,50');
  await form.getByLabel("Date d'émission").fill('2027-01-05');
  await form.getByLabel('Échéance').fill('2027-02-05');
  await form.getByRole('button', { name: 'Enregistrer la facture' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Facture F-0001 de 43,50\s€ enregistrée\./ })).toBeFocused();
  await expect(summary).toHaveCount(0);

  // The same references twice: the server's conflict.
  await form.getByRole('textbox', { name: 'Code émission' }).fill('2027-01');
  await form.getByRole('textbox', { name: 'Référence de la facture' }).fill('F-0001');
  await form.getByRole('textbox', { name: 'Montant (en euros)' }).fill('10');
  await form.getByLabel("Date d'émission").fill('2027-01-05');
  await form.getByLabel('Échéance').fill('2027-02-05');
  await form.getByRole('button', { name: 'Enregistrer la facture' }).click();
  await expect(summary).toBeFocused();
  await expect(summary).toContainText('Une facture porte déjà ce code émission et cette référence.');
});
