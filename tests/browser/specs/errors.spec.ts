/** What a parent sees when something is wrong: French messages, focus, links. */
import { type Locator, type Page, expect, test } from '@playwright/test';

import { DEMO_PARENT, errorSummary, field, fillSignUp, linkIn, mailTo, outbox, uniqueEmail } from './helpers';

/** The field's error: its own text, tied by aria-describedby and aria-invalid. */
async function expectFieldError(page: Page, field: Locator, message: string | RegExp): Promise<void> {
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  const ids = (await field.getAttribute('aria-describedby'))?.split(/\s+/) ?? [];
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).innerText()));
  expect(texts.join(' | ')).toMatch(message);
}

test.describe('sign-up form', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/inscription');
    await expect(page.getByRole('checkbox', { name: 'Je ne suis pas un robot' })).toBeVisible();
  });

  test('a weak password is refused with what it lacks, and the summary takes the focus', async ({ page }) => {
    const email = uniqueEmail('faible');
    await fillSignUp(page, { civility: 'Monsieur', lastName: 'Martin', firstName: 'Paul', email, password: 'motdepasse' });
    await page.getByRole('button', { name: "S'inscrire" }).click();

    const summary = errorSummary(page);
    await expect(summary).toBeFocused();
    await expect(summary).toHaveAttribute('role', 'alert');
    const rule = 'Le mot de passe doit contenir au moins 8 caractères, dont au moins 1 chiffre, 1 minuscule et 1 majuscule. Il manque : 1 chiffre et 1 majuscule.';
    await expect(summary).toContainText(rule);
    await expect(page).toHaveTitle(/^Erreur\s: Créer un compte/);
    const password = field(page, 'Mot de passe');
    await expectFieldError(page, password, rule);
    // Only the password is wrong.
    await expect(field(page, 'Nom')).not.toHaveAttribute('aria-invalid', 'true');
    await expect(field(page, 'Confirmation du mot de passe')).not.toHaveAttribute('aria-invalid', 'true');

    // The summary's link leads to the field.
    await summary.getByRole('link', { name: rule }).click();
    await expect(password).toBeFocused();

    // Corrected, the form goes through with the same verification (the
    // server checks the fields before spending the captcha).
    await password.fill('Motdepasse1');
    await field(page, 'Confirmation du mot de passe').fill('Motdepasse1');
    await page.getByRole('button', { name: "S'inscrire" }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vérifiez votre messagerie');
  });

  test('a confirmation that differs is shown next to the confirmation field', async ({ page }) => {
    await fillSignUp(
      page,
      { civility: 'Madame', lastName: 'Bernard', firstName: 'Inès', email: uniqueEmail('ines'), password: 'Valide2026', confirmation: 'Valide2027' },
      { captcha: false },
    );
    await page.getByRole('button', { name: "S'inscrire" }).click();

    const summary = errorSummary(page);
    await expect(summary).toBeFocused();
    await expect(summary).toContainText('La confirmation ne correspond pas au mot de passe.');
    await expectFieldError(page, field(page, 'Confirmation du mot de passe'), 'La confirmation ne correspond pas au mot de passe.');
    await expect(field(page, 'Mot de passe')).not.toHaveAttribute('aria-invalid', 'true');
    // The captcha was not ticked: said too, next to it.
    await expect(summary).toContainText('Cochez « Je ne suis pas un robot »');
    await summary.getByRole('link', { name: /Je ne suis pas un robot/ }).click();
    await expect(page.getByRole('checkbox', { name: 'Je ne suis pas un robot' })).toBeFocused();
  });

  test('an empty form lists every missing field in the order of the form', async ({ page }) => {
    await page.getByRole('button', { name: "S'inscrire" }).click();
    const summary = errorSummary(page);
    await expect(summary).toBeFocused();
    await expect(summary.getByRole('listitem')).toHaveText([
      'La civilité est obligatoire.',
      'Le champ « Nom » est obligatoire.',
      'Le champ « Prénom » est obligatoire.',
      "L'e-mail est obligatoire.",
      'Le mot de passe est obligatoire.',
      'La confirmation du mot de passe est obligatoire.',
      "Vous devez lire et accepter les conditions d'utilisation.",
      'Cochez « Je ne suis pas un robot » et attendez la vérification.',
    ]);
    await expect(page.getByRole('radio', { name: 'Monsieur' })).toHaveAttribute('aria-invalid', 'true');
    await expectFieldError(page, page.getByRole('checkbox', { name: "J'ai lu et j'accepte les Conditions d'utilisation" }), "Vous devez lire et accepter les conditions d'utilisation.");
    await summary.getByRole('link', { name: 'La civilité est obligatoire.' }).click();
    await expect(page.getByRole('radio', { name: 'Monsieur' })).toBeFocused();
  });
});

test.describe('login', () => {
  test('wrong credentials are refused in French, focus on the summary', async ({ page }) => {
    await page.goto('/connexion');
    await field(page, 'Identifiant').fill(DEMO_PARENT.email);
    await field(page, 'Mot de passe').fill('PasLeBon2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();

    const summary = errorSummary(page);
    await expect(summary).toBeFocused();
    await expect(summary).toContainText('Identifiant ou mot de passe incorrect.');
    await expect(page).toHaveURL(/\/connexion$/);
    await expect(page).toHaveTitle(/^Erreur\s: Connexion – /);
    await expect(field(page, 'Mot de passe')).toHaveValue('');
    await expect(page.getByRole('banner').getByRole('link', { name: 'Se connecter' })).toBeVisible();
    expect((await page.request.get('/api/me')).status()).toBe(401);
  });

  test('an account not yet activated is told so, and can get a new link', async ({ page }) => {
    const email = uniqueEmail('pas.active');
    await page.goto('/inscription');
    await fillSignUp(page, { civility: 'Madame', lastName: 'Roux', firstName: 'Emma', email, password: 'Attente2026' });
    await page.getByRole('button', { name: "S'inscrire" }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vérifiez votre messagerie');
    const before = (await outbox(page.request)).filter((m) => m.to.includes(email)).length;

    await page.goto('/connexion');
    await field(page, 'Identifiant').fill(email);
    await field(page, 'Mot de passe').fill('Attente2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const summary = errorSummary(page);
    await expect(summary).toBeFocused();
    await expect(summary).toContainText("Votre compte n'est pas encore activé");

    await summary.getByRole('link', { name: "Recevoir un nouveau lien d'activation" }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText("Recevoir un nouveau lien d'activation");
    await field(page, 'E-mail (identifiant)').fill(email);
    await page.getByRole('button', { name: 'Envoyer un nouveau lien' }).click();
    await expect(page.getByRole('status').filter({ hasText: "nouveau lien d'activation" })).toBeFocused();

    // The new link activates the account.
    const mail = await mailTo(page.request, email, /confirmation de création de compte/, before);
    await page.goto(linkIn(mail, '/activation').href);
    await expect(page.getByText('Votre compte est activé')).toBeVisible();
  });

  test('too many attempts are refused with how long to wait', async ({ page }) => {
    const email = uniqueEmail('insistant');
    // As many wrong attempts for one address as the limit per account (10,
    // times the suite's factor: playwright.config.ts)…
    const limit = 10 * Number(process.env.MARELLE_RATE_LIMIT_FACTOR ?? '1');
    for (let i = 0; i < limit; i++) {
      const resp = await page.request.post('/api/session', { data: { email, password: `Essai${i}abc` } });
      expect(resp.status()).toBe(401);
    }
    // …and the eleventh, in the browser.
    await page.goto('/connexion');
    await field(page, 'Identifiant').fill(email);
    await field(page, 'Mot de passe').fill('Encore2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const summary = errorSummary(page);
    await expect(summary).toBeFocused();
    await expect(summary).toContainText(/Trop de tentatives\. Pour votre sécurité, patientez \d+ (secondes?|minutes?) avant de réessayer \(à partir de \d\d:\d\d\)\./);
  });
});

test.describe('links from e-mails', () => {
  test('an unknown activation link shows the server message and what to do', async ({ page }) => {
    await page.goto('/activation?token=jeton-inconnu');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText("Ce lien d'activation n'est pas valide.");
    await expect(alert.getByRole('link', { name: "demandez un nouveau lien d'activation" })).toBeVisible();
    await expect(page).toHaveTitle(/^Erreur\s: Activation impossible/);
  });

  test('a reset link without its token says it is incomplete', async ({ page }) => {
    await page.goto('/nouveau-mot-de-passe');
    await field(page, 'Nouveau mot de passe').fill('Valide2026');
    await field(page, 'Confirmation du mot de passe').fill('Valide2026');
    await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
    await expect(errorSummary(page)).toBeFocused();
    await expect(errorSummary(page)).toContainText('Le lien est incomplet.');
    await expect(errorSummary(page).getByRole('link', { name: 'Demander un nouveau lien' })).toBeVisible();
  });

  test('an unknown page says so', async ({ page }) => {
    await page.goto('/cette-page-n-existe-pas');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page introuvable');
  });
});
