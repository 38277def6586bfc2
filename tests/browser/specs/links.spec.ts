/**
 * The links between accounts and family files, ended from both sides: a
 * parent linked to two families leaves one from "Mes abonnements" (after a
 * confirmation; the family chosen for the tab is forgotten), then the
 * commune removes the other link with a reason (required: the dialog says
 * so). The parent then sees no family, and the commune sees both in the
 * families' history. Axe scans of the new states at 1280 px and 375 px.
 * One story, in order: each test starts where the previous one stopped.
 */
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';

import { type Family, apiAs, apiWith, createFamily, ensureShared, expectAccessible, sharedState } from './agent-helpers';
import { expectInvalid, logIn, mailTo, outbox, signUpAndActivate, uniqueEmail } from './helpers';

test.describe.configure({ mode: 'serial' });

const parentOf = { civility: 'Madame' as const, lastName: 'Delorme', firstName: 'Sophie', email: uniqueEmail('sophie.delorme'), password: 'Delorme2027' };
const REASON = 'Compte ouvert par erreur : la famille nous a demandé de le retirer.';
const WIDTHS = [
  [1280, 800],
  [375, 812],
] as const;

let agent: APIRequestContext;
/** Stays linked until the commune removes the link. */
let kept: Family;
/** Left by the parent. */
let left: Family;

test.use({ storageState: sharedState('agent') });

test.beforeAll(async ({ playwright, baseURL, browser }) => {
  test.setTimeout(60_000);
  const base = baseURL as string;
  agent = await apiWith(playwright, base, await ensureShared(playwright, base, 'agent'));
  kept = await createFamily(agent, 'Delorme', 'Sophie');
  left = await createFamily(agent, 'Fabre', 'Sophie');

  const ctx = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  await signUpAndActivate(await ctx.newPage(), parentOf);
  await ctx.close();
  const parent = await apiAs(playwright, base, { email: parentOf.email, password: parentOf.password });
  for (const f of [kept, left]) {
    const resp = await parent.post('/api/subscriptions', { data: { subscriber_code: f.subscriber_code } });
    expect(resp.status(), await resp.text()).toBe(201);
  }
  await parent.dispose();
});

test.afterAll(async () => {
  await agent.dispose();
});

const unlinkButton = (page: Page) => page.getByRole('button', { name: `Retirer le lien avec ${parentOf.email}` });
const unlinkDialog = (page: Page) => page.getByRole('dialog', { name: `Retirer le lien avec ${parentOf.email} ?` });

test('removing a link needs a reason: the dialog says so, its summary takes the focus, Échap gives up', async ({ page }) => {
  await page.goto(`/agent/familles/${kept.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(kept.label);
  await expect(page.getByRole('heading', { name: 'Historique' })).toBeVisible();
  await expect(page.getByText('Aucun événement.')).toBeVisible();

  const open = unlinkButton(page);
  await open.click();
  const dialog = unlinkDialog(page);
  await expect(dialog).toBeVisible();
  const reason = dialog.getByRole('textbox', { name: 'Motif', exact: true });
  await expect(reason).toBeFocused();
  await expect(reason).toHaveAttribute('maxlength', '500');

  await reason.fill('   ');
  await dialog.getByRole('button', { name: 'Retirer le lien', exact: true }).click();
  const summary = dialog.locator('#erreurs-lien');
  await expect(summary).toBeFocused();
  await expect(summary).toContainText('Le champ « Motif » est obligatoire.');
  await expectInvalid(page, reason, 'Le champ « Motif » est obligatoire.');
  await summary.getByRole('link', { name: 'Le champ « Motif » est obligatoire.' }).click();
  await expect(reason).toBeFocused();

  for (const [width, height] of WIDTHS) {
    await page.setViewportSize({ width, height });
    await expectAccessible(page, `unlink dialog with its error at ${width} px`, width < 600);
  }

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(open).toBeFocused();
  await expect(page.getByRole('region', { name: 'Comptes citoyens reliés au dossier' })).toContainText(parentOf.email);

  // Opened again, it starts afresh.
  await open.click();
  await expect(reason).toHaveValue('');
  await expect(summary).toHaveCount(0);
  for (const [width, height] of WIDTHS) {
    await page.setViewportSize({ width, height });
    await expectAccessible(page, `unlink dialog at ${width} px`, width < 600);
  }
  await dialog.getByRole('button', { name: 'Annuler' }).click();
  await expect(dialog).toBeHidden();
});

test.describe('the parent', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('leaves a family from Mes abonnements after a confirmation; the family chosen is forgotten', async ({ page }) => {
    await logIn(page, parentOf.email, parentOf.password);
    // The family left is the one chosen for the tab.
    await page.goto('/espace-famille');
    const chooser = page.getByRole('combobox', { name: 'Famille affichée' });
    await chooser.selectOption({ label: left.label });
    await page.getByRole('button', { name: 'Afficher cette famille' }).click();
    await expect.poll(() => page.evaluate(() => sessionStorage.getItem('marelle.famille'))).toBe(left.id);

    await page.goto('/mon-espace/abonnements');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes abonnements');
    const table = page.getByRole('table', { name: /Dossiers famille reliés à votre compte/ });
    await expect(table.getByRole('row')).toHaveCount(3);
    const leave = page.getByRole('button', { name: `Quitter ce dossier « ${left.label} »` });

    // Asked, then given up: nothing changes, the focus comes back.
    await leave.click();
    const confirm = page.getByRole('group', { name: `Quitter le dossier « ${left.label} » ?` });
    await expect(confirm.getByRole('heading')).toBeFocused();
    await expect(confirm).toContainText('Vous ne verrez plus ce dossier famille ni le planning de ses enfants. Confirmer ?');
    for (const [width, height] of WIDTHS) {
      await page.setViewportSize({ width, height });
      await expectAccessible(page, `Mes abonnements, leaving confirmation at ${width} px`, width < 600);
    }
    await confirm.getByRole('button', { name: 'Annuler' }).click();
    await expect(confirm).toHaveCount(0);
    await expect(leave).toBeFocused();

    await leave.click();
    await confirm.getByRole('button', { name: 'Confirmer' }).click();
    const status = page.getByRole('status').filter({ hasText: `Vous avez quitté le dossier « ${left.label} ».` });
    await expect(status).toBeFocused();
    await expect(table.getByRole('row')).toHaveCount(2);
    await expect(table).toContainText(kept.label);
    await expect(table).not.toContainText(left.label);
    expect(await page.evaluate(() => sessionStorage.getItem('marelle.famille'))).toBeNull();
    for (const [width, height] of WIDTHS) {
      await page.setViewportSize({ width, height });
      await expectAccessible(page, `Mes abonnements, family left at ${width} px`, width < 600);
    }

    // The family space shows the one left, with no chooser.
    await page.goto('/espace-famille/ma-famille');
    await expect(page.getByRole('main')).toContainText(/Léo DELORME/i);
    await expect(page.getByRole('combobox', { name: 'Famille affichée' })).toHaveCount(0);
  });
});

test('the commune sees the family that left in its history', async ({ page }) => {
  await page.goto(`/agent/familles/${left.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(left.label);
  await expect(page.getByText("Aucun compte citoyen n'est relié à ce dossier.")).toBeVisible();
  const history = page.getByRole('table', { name: /^Historique du dossier/ });
  const row = history.getByRole('row').filter({ hasText: 'Compte retiré par la famille' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(parentOf.email);
  await expect(row).toContainText('Aucun');
});

test('an agent removes the link with a reason: the account is told, the history keeps it', async ({ page }) => {
  const mailsBefore = (await outbox(page.request)).filter((m) => m.to.toLowerCase().includes(parentOf.email)).length;
  await page.goto(`/agent/familles/${kept.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(kept.label);
  await unlinkButton(page).click();
  const dialog = unlinkDialog(page);
  await dialog.getByRole('textbox', { name: 'Motif', exact: true }).fill(REASON);
  await expect(dialog).toContainText(`(${REASON.length} / 500)`);
  await dialog.getByRole('button', { name: 'Retirer le lien', exact: true }).click();

  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `Le compte ${parentOf.email} n'est plus relié à ce dossier.` })).toBeFocused();
  await expect(unlinkButton(page)).toHaveCount(0);
  await expect(page.getByText("Aucun compte citoyen n'est relié à ce dossier.")).toBeVisible();

  const dossier = (await (await agent.get(`/api/agent/families/${kept.id}`)).json()) as { history: { kind: string; by_name: string }[] };
  const event = dossier.history.find((e) => e.kind === 'account_unlinked');
  expect(event, 'the unlinking in the history').toBeTruthy();
  const row = page.getByRole('table', { name: /^Historique du dossier/ }).getByRole('row').filter({ hasText: 'Lien retiré par la commune' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(parentOf.email);
  await expect(row).toContainText(event?.by_name as string);
  await expect(row).toContainText(REASON);

  const mail = await mailTo(page.request, parentOf.email, /./, mailsBefore);
  expect(mail.text).toContain(REASON);

  for (const [width, height] of WIDTHS) {
    await page.setViewportSize({ width, height });
    await expectAccessible(page, `family page with its history at ${width} px`, width < 600);
  }
});

test.describe('the parent, unlinked', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('sees no family any more, and Mes abonnements is empty', async ({ page }) => {
    await logIn(page, parentOf.email, parentOf.password);
    await page.goto('/espace-famille');
    await expect(page.getByRole('heading', { name: "Votre compte n'est relié à aucun dossier famille" })).toBeVisible();
    await page.goto('/pieces-justificatives');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pièces justificatives');
    await expect(page.getByRole('heading', { name: "Votre compte n'est relié à aucun dossier famille" })).toBeVisible();
    await expect(page.getByRole('table')).toHaveCount(0);
    await page.goto('/creche');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Crèche');
    await expect(page.getByRole('heading', { name: "Votre compte n'est relié à aucun dossier famille" })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Préinscrire votre enfant en crèche' })).toHaveCount(0);
    await page.goto('/mon-espace/abonnements');
    await expect(page.getByText("Aucun abonnement : votre compte n'est relié à aucun dossier famille.")).toBeVisible();
    await expect(page.getByRole('button', { name: /^Quitter ce dossier/ })).toHaveCount(0);
  });
});
