/** The accounts journeys, through the real forms, captcha and e-mails. */
import { expect, test } from '@playwright/test';

import { COMMUNE, DEMO_PARENT, errorSummary, field, fillSignUp, linkIn, logIn, mailTo, signUpAndActivate, uniqueEmail } from './helpers';

test('a parent signs up, activates the account from the e-mail, logs in and logs out', async ({ page, baseURL }) => {
  const email = uniqueEmail('lea.durand');
  const password = 'Marelle2026';

  // Home, logged out: the guide's two blocks and three tiles.
  await page.goto('/');
  await expect(page).toHaveTitle(`Accueil – Portail Citoyen – ${COMMUNE}`);
  await expect(page.getByRole('heading', { name: 'Connectez-vous au Portail Citoyen' })).toBeVisible();
  await expect(page.getByRole('heading', { name: "Vous n'avez pas encore de compte citoyen ?" })).toBeVisible();
  for (const tile of ['Espace facturation', 'Nous contacter', 'Espace famille']) {
    await expect(page.getByRole('heading', { level: 3, name: tile })).toBeVisible();
  }

  // "Créer un compte" leads to the form; the page title takes the focus.
  await page.getByRole('main').getByRole('link', { name: 'Créer un compte' }).click();
  await expect(page).toHaveURL(/\/inscription$/);
  const h1 = page.getByRole('heading', { level: 1 });
  await expect(h1).toHaveText('Créer un compte');
  await expect(h1).toBeFocused();
  await expect(page).toHaveTitle(`Créer un compte – Portail Citoyen – ${COMMUNE}`);
  for (const section of ['Votre contact', 'Vos accès au Portail', 'Code abonné Famille']) {
    await expect(page.getByRole('heading', { level: 2, name: section })).toBeVisible();
  }
  await expect(page.getByText('Le mot de passe doit contenir au moins 8 caractères, dont au moins 1 chiffre, 1 minuscule et 1 majuscule.')).toBeVisible();

  await fillSignUp(page, { civility: 'Madame', lastName: 'Durand', firstName: 'Léa', email, password });
  await page.getByRole('button', { name: "S'inscrire" }).click();

  await expect(h1).toHaveText('Vérifiez votre messagerie');
  await expect(h1).toBeFocused();
  await expect(page.getByText('Un e-mail de confirmation vous a été envoyé')).toBeVisible();

  // The activation e-mail, as the dev outbox holds it.
  const mail = await mailTo(page.request, email, /confirmation de création de compte/);
  expect(mail.text).toContain('Mme Léa Durand');
  const link = linkIn(mail, '/activation');
  expect(link.origin).toBe(new URL(baseURL as string).origin);

  // The link opens the activation page, which activates the account.
  await page.goto(link.href);
  await expect(page.getByText('Votre compte est activé')).toBeVisible();
  await page.getByRole('main').getByRole('link', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/connexion$/);
  await expect(h1).toHaveText('Connectez-vous au Portail Citoyen');

  // The same link a second time: the server's French refusal is shown.
  const again = await page.context().newPage();
  await again.goto(link.href);
  await expect(again.getByRole('alert')).toContainText("Ce lien d'activation a déjà été utilisé.");
  await again.close();

  // Log in.
  await field(page, 'Identifiant').fill(email);
  await field(page, 'Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/mon-espace$/);
  await expect(h1).toHaveText('Mon espace citoyen');
  await expect(page).toHaveTitle(`Mon espace citoyen – Portail Citoyen – ${COMMUNE}`);
  const facts = page.locator('dl.facts');
  await expect(facts).toContainText('Madame');
  await expect(facts).toContainText('Durand');
  await expect(facts).toContainText('Léa');
  await expect(facts).toContainText(email);
  await expect(facts).toContainText('Parent (compte citoyen)');
  await expect(page.getByText('Aucun abonnement. Vous pourrez renseigner votre code abonné dans « Mes abonnements ».')).toBeVisible();
  // The header says who is logged in, on every page.
  const header = page.getByRole('banner');
  await expect(header).toContainText('Mme Léa Durand');
  await page.getByRole('link', { name: 'Nous contacter' }).first().click();
  await expect(header).toContainText('Mme Léa Durand');
  await expect(header.getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
  // A reload keeps the session (cookie), a deep link works.
  await page.goto('/mon-espace');
  await expect(h1).toHaveText('Mon espace citoyen');

  // Log out.
  await page.getByRole('main').getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('status')).toContainText('Vous êtes déconnectée.');
  await expect(page.getByRole('status')).toBeFocused();
  await expect(header.getByRole('link', { name: 'Se connecter' })).toBeVisible();
  await expect(header).not.toContainText('Léa Durand');
  expect((await page.request.get('/api/me')).status()).toBe(401);

  // Logged out, "Mon espace citoyen" sends to the login page, then back.
  await page.goto('/mon-espace');
  await expect(page).toHaveURL(/\/connexion\?retour=%2Fmon-espace$/);
  await expect(page.getByText('Connectez-vous pour accéder à cette page.')).toBeVisible();
  await field(page, 'Identifiant').fill(email);
  await field(page, 'Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/mon-espace$/);
  await expect(page.getByRole('banner')).toContainText('Mme Léa Durand');
});

test('a parent who forgot the password chooses a new one from the e-mailed link', async ({ page }) => {
  const email = uniqueEmail('hugo.petit');
  await signUpAndActivate(page, { civility: 'Monsieur', lastName: 'Petit', firstName: 'Hugo', email, password: 'Ancien2026' });

  await page.goto('/connexion');
  await page.getByRole('main').getByRole('link', { name: 'Mot de passe oublié ?' }).first().click();
  const h1 = page.getByRole('heading', { level: 1 });
  await expect(h1).toHaveText('Mot de passe oublié');
  await expect(h1).toBeFocused();
  await field(page, 'E-mail (identifiant)').fill(email);
  await page.getByRole('button', { name: 'Recevoir un lien' }).click();
  const done = page.getByRole('status').filter({ hasText: 'Si un compte existe avec cette adresse' });
  await expect(done).toBeFocused();

  const mail = await mailTo(page.request, email, /réinitialisation/);
  await page.goto(linkIn(mail, '/nouveau-mot-de-passe').href);
  await expect(h1).toHaveText('Choisir un nouveau mot de passe');
  await expect(page.getByText('Le mot de passe doit contenir au moins 8 caractères, dont au moins 1 chiffre, 1 minuscule et 1 majuscule.')).toBeVisible();

  // The rule applies here too.
  await field(page, 'Nouveau mot de passe').fill('NOUVEAU2026');
  await field(page, 'Confirmation du mot de passe').fill('NOUVEAU2026');
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
  await expect(errorSummary(page)).toBeFocused();
  await expect(errorSummary(page)).toContainText('Il manque : 1 minuscule.');

  await field(page, 'Nouveau mot de passe').fill('Nouveau2026');
  await field(page, 'Confirmation du mot de passe').fill('Nouveau2026');
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
  await expect(page.getByRole('status').filter({ hasText: /mot de passe/i })).toBeFocused();

  // The old password no longer works, the new one does.
  await page.goto('/connexion');
  await field(page, 'Identifiant').fill(email);
  await field(page, 'Mot de passe').fill('Ancien2026');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(errorSummary(page)).toContainText('Identifiant ou mot de passe incorrect.');
  await logIn(page, email, 'Nouveau2026');
  await expect(page.locator('dl.facts')).toContainText('Monsieur');
});

test('Mon espace citoyen lists the families the account is linked to', async ({ page }) => {
  await logIn(page, DEMO_PARENT.email, DEMO_PARENT.password);
  const me = (await (await page.request.get('/api/me')).json()) as { families: { family_id: string; label: string }[] };
  const section = page.getByRole('region', { name: 'Mes abonnements' });
  if (me.families.length === 0) {
    await expect(section).toContainText('Aucun abonnement.');
  } else {
    await expect(section.getByRole('listitem')).toHaveText(me.families.map((f) => f.label));
  }
});

test('logging in from a page for logged-in people comes back to that page', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('main').getByRole('link', { name: 'Espace famille' }).click();
  await expect(page).toHaveURL(/\/connexion\?retour=%2Fespace-famille$/);
  await field(page, 'Identifiant').fill(DEMO_PARENT.email);
  await field(page, 'Mot de passe').fill(DEMO_PARENT.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/espace-famille$/);
  const h1 = page.getByRole('heading', { level: 1 });
  await expect(h1).toHaveText('Espace famille');
  await expect(h1).toBeFocused();
  await expect(page.getByRole('heading', { level: 2, name: 'Dossier famille' })).toBeVisible();
  // Logged in, the login page leads to Mon espace citoyen.
  await page.goto('/connexion');
  await expect(page).toHaveURL(/\/mon-espace$/);
});
