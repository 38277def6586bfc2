/**
 * Accessibility floor: an axe scan (WCAG 2.0/2.1 A and AA) of every page,
 * logged out and logged in, at desktop width and at 375 px, with zero
 * violations; plus one `<h1>`, a page title, French, and no horizontal
 * scrolling on narrow screens (375 px, and 640 px as at 200 % zoom).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';

import { COMMUNE, DEMO_PARENT, errorSummary, field, solveCaptcha } from './helpers';

interface Screen {
  path: string;
  /** The `<h1>` once the page is ready. */
  h1: string;
  /** Something to do before the scan (show errors…), on the ready page. */
  act?: (page: Page) => Promise<void>;
  name?: string;
}

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

const PUBLIC: Screen[] = [
  { path: '/conditions', h1: "Conditions d'utilisation et données personnelles" },
  { path: '/nous-contacter', h1: 'Nous contacter' },
  { path: '/inscription', h1: 'Créer un compte' },
  {
    path: '/inscription',
    h1: 'Créer un compte',
    name: 'with its errors and a verified captcha',
    act: async (page) => {
      await field(page, 'Mot de passe').fill('court');
      await solveCaptcha(page);
      await page.getByRole('button', { name: "S'inscrire" }).click();
      await expect(errorSummary(page)).toBeFocused();
    },
  },
  { path: '/inscription/confirmation', h1: 'Vérifiez votre messagerie' },
  { path: '/activation?token=jeton-inconnu', h1: 'Activation impossible' },
  { path: '/activation', h1: 'Activation impossible', name: 'without a token' },
  { path: '/nouveau-lien-activation', h1: "Recevoir un nouveau lien d'activation" },
  {
    path: '/nouveau-lien-activation',
    h1: "Recevoir un nouveau lien d'activation",
    name: 'sent',
    act: async (page) => {
      await field(page, 'E-mail (identifiant)').fill('personne@exemple.fr');
      await page.getByRole('button', { name: 'Envoyer un nouveau lien' }).click();
      await expect(page.getByRole('status').filter({ hasText: "nouveau lien d'activation" })).toBeFocused();
    },
  },
  { path: '/mot-de-passe-oublie', h1: 'Mot de passe oublié' },
  {
    path: '/mot-de-passe-oublie',
    h1: 'Mot de passe oublié',
    name: 'with an invalid address',
    act: async (page) => {
      await field(page, 'E-mail (identifiant)').fill('pas-une-adresse');
      await page.getByRole('button', { name: 'Recevoir un lien' }).click();
      await expect(errorSummary(page)).toBeFocused();
    },
  },
  { path: '/nouveau-mot-de-passe?token=jeton-inconnu', h1: 'Choisir un nouveau mot de passe' },
  {
    path: '/nouveau-mot-de-passe?token=jeton-inconnu',
    h1: 'Choisir un nouveau mot de passe',
    name: 'with errors',
    act: async (page) => {
      await field(page, 'Nouveau mot de passe').fill('faible');
      await field(page, 'Confirmation du mot de passe').fill('autre');
      await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
      await expect(errorSummary(page)).toBeFocused();
    },
  },
  { path: '/une-page-inconnue', h1: 'Page introuvable' },
];

const LOGGED_OUT: Screen[] = [
  { path: '/', h1: 'Bienvenue sur le Portail Citoyen' },
  { path: '/connexion', h1: 'Connectez-vous au Portail Citoyen' },
  {
    path: '/connexion',
    h1: 'Connectez-vous au Portail Citoyen',
    name: 'with wrong credentials',
    act: async (page) => {
      await field(page, 'Identifiant').fill('inconnu@exemple.fr');
      await field(page, 'Mot de passe').fill('Inconnu2026');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await expect(errorSummary(page)).toBeFocused();
    },
  },
  // Pages for logged-in people lead to the login page.
  { path: '/mon-espace', h1: 'Connectez-vous au Portail Citoyen', name: 'leads to login' },
  { path: '/espace-famille', h1: 'Connectez-vous au Portail Citoyen', name: 'leads to login' },
  { path: '/espace-facturation', h1: 'Connectez-vous au Portail Citoyen', name: 'leads to login' },
  { path: '/pieces-justificatives', h1: 'Connectez-vous au Portail Citoyen', name: 'leads to login' },
  { path: '/creche', h1: 'Connectez-vous au Portail Citoyen', name: 'leads to login' },
  ...PUBLIC,
];

const LOGGED_IN: Screen[] = [
  { path: '/', h1: 'Bienvenue sur le Portail Citoyen' },
  { path: '/mon-espace', h1: 'Mon espace citoyen' },
  { path: '/espace-famille', h1: 'Espace famille' },
  { path: '/espace-facturation', h1: 'Mes factures' },
  { path: '/pieces-justificatives', h1: 'Pièces justificatives' },
  { path: '/creche', h1: 'Crèche' },
  { path: '/creche/preinscription', h1: 'Préinscrire votre enfant en crèche' },
  { path: '/connexion', h1: 'Mon espace citoyen', name: 'leads to my space' },
  ...PUBLIC,
];

async function open(page: Page, s: Screen): Promise<void> {
  await page.goto(s.path);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(s.h1);
  // Pages that wait for the server: the captcha, the activation.
  if (s.path.startsWith('/inscription') && !s.path.includes('confirmation')) {
    await expect(page.locator('altcha-widget input[type="checkbox"]')).toBeVisible();
  }
  if (s.path.startsWith('/activation')) await expect(page.getByRole('alert')).toBeVisible();
  if (s.act) await s.act(page);
}

async function checkPage(page: Page, s: Screen, narrow: boolean): Promise<void> {
  await open(page, s);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const report = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
  expect(report, `axe violations on ${s.path}`).toEqual([]);
  // At least one rule of each kind ran: the scan saw a real page.
  expect(results.passes.length).toBeGreaterThan(10);

  await expect(page.locator('h1')).toHaveCount(1);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page).toHaveTitle(new RegExp(` – ${COMMUNE}$`));
  for (const landmark of ['banner', 'navigation', 'main', 'contentinfo'] as const) {
    await expect(page.getByRole(landmark).first()).toBeAttached();
  }
  if (narrow) {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `horizontal scrolling on ${s.path}`).toBeLessThanOrEqual(0);
  }
}

const label = (s: Screen) => `${s.path}${s.name ? ` (${s.name})` : ''}`;

for (const [width, height] of [
  [1280, 800],
  [375, 812],
] as const) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height } });

    test.describe('logged out', () => {
      for (const s of LOGGED_OUT) {
        test(`${label(s)} has no accessibility violation`, async ({ page }) => {
          await checkPage(page, s, width < 600);
        });
      }
    });

    test.describe('logged in', () => {
      // One login for the whole group (logins are rate-limited per address).
      const state = join(RESULTS, `demo-parent-${width}.json`);
      test.use({ storageState: state });
      test.beforeAll(async ({ playwright, baseURL }) => {
        const api = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
        const resp = await api.post('/api/session', { data: DEMO_PARENT });
        expect(resp.status()).toBe(200);
        await api.storageState({ path: state });
        await api.dispose();
      });
      for (const s of LOGGED_IN) {
        test(`${label(s)} has no accessibility violation`, async ({ page }) => {
          await checkPage(page, s, width < 600);
          // On a phone the user zone is in the menu, folded behind its button.
          if (width < 600) await page.getByRole('banner').getByRole('button', { name: 'Menu' }).click();
          await expect(page.getByRole('banner').getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
        });
      }
    });
  });
}

test.describe('at 200 % zoom (640 px of a 1280 px window)', () => {
  test.use({ viewport: { width: 640, height: 400 } });

  test('no page scrolls sideways', async ({ page }) => {
    for (const s of LOGGED_OUT) {
      await open(page, s);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal scrolling on ${label(s)}`).toBeLessThanOrEqual(0);
    }
  });
});

test('the skip link is the first stop and leads to the content', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Aller au contenu' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();
});
