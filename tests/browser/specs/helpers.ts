/** Shared steps: the real sign-up form, the dev outbox, logging in. */
import { type APIRequestContext, type Page, expect } from '@playwright/test';

export const DEMO_PARENT = { email: 'parent.demo@villebois.example', password: 'Famille2026' };
export const COMMUNE = 'Mairie de Villebois';

export interface Mail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  sent_at: string;
}

let counter = 0;

/** An address no other test uses. */
export function uniqueEmail(who: string): string {
  counter += 1;
  return `${who}.${Date.now().toString(36)}${counter}@exemple.fr`;
}

export async function outbox(request: APIRequestContext): Promise<Mail[]> {
  const resp = await request.get('/api/dev/outbox');
  expect(resp.status(), 'GET /api/dev/outbox').toBe(200);
  return (await resp.json()) as Mail[];
}

/** The newest e-mail to `to` whose subject matches, waiting for it. */
export async function mailTo(request: APIRequestContext, to: string, subject: RegExp, after = 0): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      async () => {
        const mails = (await outbox(request)).filter((m) => m.to.toLowerCase().includes(to.toLowerCase()) && subject.test(m.subject));
        found = mails.length > after ? mails[mails.length - 1] : undefined;
        return found !== undefined;
      },
      { message: `an e-mail to ${to} with the subject ${subject}`, timeout: 10_000 },
    )
    .toBe(true);
  return found as Mail;
}

/** The link to `path` (with its token) in an e-mail's text part. */
export function linkIn(mail: Mail, path: string): URL {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = mail.text.match(new RegExp(`https?://[^\\s<>"]+${escaped}\\?token=[^\\s<>"]+`));
  expect(match, `a link to ${path} in "${mail.subject}"`).not.toBeNull();
  return new URL((match as RegExpMatchArray)[0]);
}

/** A text or password field by its accessible name (the "*" of required fields is not part of it). */
export const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });

/** The error summary at the top of a form. */
export const errorSummary = (page: Page) => page.locator('#erreurs');

/** Ticks "Je ne suis pas un robot" with the keyboard and waits for the proof of work. */
export async function solveCaptcha(page: Page): Promise<void> {
  const box = page.getByRole('checkbox', { name: 'Je ne suis pas un robot' });
  await box.focus();
  await page.keyboard.press('Space');
  await expect(page.getByRole('checkbox', { name: 'Vérifié' })).toBeChecked();
}

export interface Person {
  civility: 'Monsieur' | 'Madame';
  lastName: string;
  firstName: string;
  email: string;
  password: string;
  confirmation?: string;
}

/** Fills the sign-up form as a parent would (the page must be /inscription). */
export async function fillSignUp(page: Page, p: Person, opts: { captcha?: boolean; terms?: boolean } = {}): Promise<void> {
  await page.getByRole('radio', { name: p.civility }).check();
  await field(page, 'Nom').fill(p.lastName);
  await field(page, 'Prénom').fill(p.firstName);
  await field(page, 'E-mail (identifiant)').fill(p.email);
  await field(page, 'Mot de passe').fill(p.password);
  await field(page, 'Confirmation du mot de passe').fill(p.confirmation ?? p.password);
  if (opts.terms !== false) {
    await page.getByRole('checkbox', { name: "J'ai lu et j'accepte les Conditions d'utilisation" }).check();
  }
  if (opts.captcha !== false) await solveCaptcha(page);
}

/** Signs up through the form and opens the activation link of the e-mail. */
export async function signUpAndActivate(page: Page, p: Person): Promise<void> {
  await page.goto('/inscription');
  await fillSignUp(page, p);
  await page.getByRole('button', { name: "S'inscrire" }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vérifiez votre messagerie');
  const mail = await mailTo(page.request, p.email, /confirmation de création de compte/);
  await page.goto(linkIn(mail, '/activation').href);
  await expect(page.getByText('Votre compte est activé')).toBeVisible();
}

/** Logs in through the /connexion page. */
export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/connexion');
  await field(page, 'Identifiant').fill(email);
  await field(page, 'Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/mon-espace$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon espace citoyen');
}
