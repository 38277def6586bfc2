/**
 * Back-office access: a parent gets the refusal page on every /agent
 * address, without a single back-office call; a visitor logs in first and
 * comes back; an agent is at home, with the back-office in the menu.
 */
import { expect, test } from '@playwright/test';

import { AGENT, ensureShared, sharedState } from './agent-helpers';
import { field } from './helpers';

test.describe('a parent', () => {
  test.use({ storageState: sharedState('parent') });
  test.beforeAll(async ({ playwright, baseURL }) => {
    await ensureShared(playwright, baseURL as string, 'parent');
  });

  test('gets the refusal page on every back-office address, and no data', async ({ page }) => {
    const me = (await (await page.request.get('/api/me')).json()) as { families: { family_id: string }[] };
    const familyId = me.families[0]?.family_id as string;
    const calls: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/agent')) calls.push(r.url());
    });
    for (const path of [
      '/agent',
      '/agent/demandes',
      '/agent/demandes?type=reservation',
      '/agent/demandes/01J00000000000000000000000',
      '/agent/familles',
      `/agent/familles/${familyId}`,
      '/agent/familles/nouvelle',
      '/agent/familles/importer',
      '/agent/activites',
      '/agent/activites/nouvelle',
      '/agent/activites/01J00000000000000000000000',
      '/agent/regies',
      '/agent/paiements-en-ligne',
      '/agent/pieces-justificatives',
      '/agent/creche',
      '/agent/creche/01J00000000000000000000000',
      '/agent/creches',
    ]) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 }), path).toHaveText('Accès réservé aux agents');
      await expect(page.getByRole('main')).toContainText('Cette page est réservée aux agents de la mairie de Villebois.');
      await expect(page.getByRole('main').getByRole('link', { name: 'Mon espace citoyen' })).toBeVisible();
      await expect(page.getByRole('main')).not.toContainText('Code abonné');
    }
    expect(calls, 'back-office calls made for a parent').toEqual([]);

    // The server refuses anyway.
    const resp = await page.request.get('/api/agent/requests');
    expect(resp.status()).toBe(403);
    expect(((await resp.json()) as { code: string }).code).toBe('agents_only');
  });
});

test('a visitor is sent to the login page and comes back to the back-office as an agent', async ({ page }) => {
  await page.goto('/agent/demandes?type=absence');
  await expect(page).toHaveURL(/\/connexion\?retour=%2Fagent%2Fdemandes%3Ftype%3Dabsence$/);
  await expect(page.getByText('Connectez-vous pour accéder à cette page.')).toBeVisible();
  await field(page, 'Identifiant').fill(AGENT.email);
  await field(page, 'Mot de passe').fill(AGENT.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/agent\/demandes\?type=absence$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Demandes en attente');
  await expect(page.getByRole('combobox', { name: 'Type de demande' })).toHaveValue('absence');

  // Agents have the back-office in the main menu.
  const menu = page.getByRole('navigation', { name: 'Menu principal' });
  await expect(menu.getByRole('link', { name: 'Back-office' })).toHaveAttribute('aria-current', 'true');

  // An address under /agent that is no page.
  await page.goto('/agent/inconnu');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page introuvable');

  // Logging in from the login page itself lands an agent on the back-office.
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page.getByText('Vous êtes déconnecté')).toBeVisible();
  await expect(menu.getByRole('link', { name: 'Back-office' })).toHaveCount(0);
  await page.goto('/connexion');
  await field(page, 'Identifiant').fill(AGENT.email);
  await field(page, 'Mot de passe').fill(AGENT.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/agent$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Back-office');
  await expect(menu.getByRole('link', { name: 'Back-office' })).toHaveAttribute('aria-current', 'page');
});
