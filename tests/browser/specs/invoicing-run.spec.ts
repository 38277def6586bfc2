/**
 * « Facturation du mois » on the demo (`--dev --demo`): the demo's régie
 * « Accueil périscolaire » (code PERI) bills last month's evening care of
 * Timéo Martin, seeded with the demo's tariffs and quotients. The agent
 * simulates the month (the totals, the family's lines), issues it after
 * the confirmation and sees the numbers; the demo parent then finds the
 * invoice with its lines in Mes factures and pays it through the payment
 * sandbox. Axe on the page at 1280 px and 375 px.
 *
 * It adds an invoice to the demo family: billing.spec.ts, which counts
 * them, runs before it (the suite runs its files in order).
 */
import { type Page, expect, test } from '@playwright/test';

import { DEMO_AGENT, DEMO_PARENT, apiLogin, expectAccessible, field, logIn, setPortalClock } from './helpers';

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

async function accessibleAtBothWidths(page: Page, what: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await expectAccessible(page, `${what} (1280 px)`, false);
  await page.setViewportSize({ width: 375, height: 812 });
  await expectAccessible(page, `${what} (375 px)`, true);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** The login form, as the demo agent: the back-office's home. */
async function agentLogIn(page: Page): Promise<void> {
  await page.goto('/connexion');
  await field(page, 'Identifiant').fill(DEMO_AGENT.email);
  await field(page, 'Mot de passe').fill(DEMO_AGENT.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/agent$/);
}

test('an agent simulates and issues last month; the parent sees the invoice with its lines and pays it online', async ({ page, playwright, baseURL }) => {
  // The demo was seeded with today's dates; other specs move the portal's
  // clock: back to today, so that last month is over (and sessions fresh).
  const now = new Date();
  const api = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  await setPortalClock(api, now.toISOString());
  await api.dispose();
  const last = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  const month = `${last.getFullYear()}-${String(last.getMonth() + 1).padStart(2, '0')}`;
  const monthName = `${MONTHS[last.getMonth()]} ${last.getFullYear()}`;

  await agentLogIn(page);
  await page.getByRole('link', { name: 'Facturation du mois' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Facturation du mois');
  await page.getByLabel('Régie').selectOption({ label: 'Accueil périscolaire (PERI)' });
  await expect(page.getByLabel('Mois facturé')).toHaveValue(month);

  // The dry run: the totals, the Martin family's lines; nothing issued.
  await page.getByRole('button', { name: 'Simuler' }).click();
  await expect(page.getByRole('heading', { name: `Simulation de ${monthName}, Accueil périscolaire` })).toBeVisible();
  await expect(page.getByText('Simulation terminée.')).toBeVisible();
  await expect(page.getByText(/famille à facturer, pour un total de/)).toBeVisible();
  const lines = page.getByRole('table', { name: /Lignes de Famille MARTIN/ });
  await expect(lines).toContainText('Timéo');
  await expect(lines).toContainText('4/Péri SOIR');
  await expect(lines).toContainText('demi-journées');
  await expect(lines).toContainText(/2,10\s€/);
  await accessibleAtBothWidths(page, 'la simulation de la facturation du mois');

  // Issued, after the confirmation: the numbers.
  await page.getByRole('button', { name: 'Émettre les factures' }).click();
  const dialog = page.getByRole('dialog', { name: `Émettre les factures de ${monthName}\u00a0?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Oui, émettre les factures' }).click();
  const issued = page.getByText(/1 facture émise, du numéro FAC-\d{4}-PERI-\d{6} au numéro FAC-\d{4}-PERI-\d{6}/);
  await expect(issued).toBeVisible();
  const number = (/FAC-\d{4}-PERI-\d{6}/.exec((await issued.textContent()) ?? '') ?? [''])[0];
  expect(number).not.toBe('');
  await expect(page.getByText(`Facture ${number} émise.`)).toBeVisible();
  await accessibleAtBothWidths(page, "le résultat de l'émission des factures");

  // The parent: the invoice and its lines in Mes factures, paid online.
  await page.context().clearCookies();
  await logIn(page, DEMO_PARENT.email, DEMO_PARENT.password);
  await page.goto('/espace-facturation');
  const rows = page.getByRole('table', { name: /Mes factures/ }).locator('tbody tr');
  const row = rows.filter({ hasText: number });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Accueil périscolaire');
  await row.getByRole('link', { name: /Voir le détail/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Facture n° ${number}`);
  const detail = page.getByRole('table', { name: /Lignes de la facture/ });
  await expect(detail).toContainText('Timéo');
  await expect(detail).toContainText('4/Péri SOIR');
  await expect(detail).toContainText(/2,10\s€/);

  await page.goto('/espace-facturation');
  await page.getByRole('button', { name: `Payer en ligne la facture n° ${number}` }).click();
  await expect(page).toHaveURL(/\/api\/dev\/payfip\?idop=/);
  await expect(page.getByText(`Facture ${number}`)).toBeVisible();
  await page.getByRole('button', { name: 'Payer', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Votre paiement a été accepté' })).toBeVisible();
  await page.goto('/espace-facturation');
  await expect(rows.filter({ hasText: number })).toContainText('Payée');
});
