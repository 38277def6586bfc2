/**
 * The billing space of the demo parent (the Martin family, seeded by
 * `--demo` when the suite's server starts): five invoices of the last
 * months, one paid by cheque, one partly paid by transfer, one cancelled,
 * one to pay, and the latest paid online through the payment sandbox. Mes factures and its filters, an invoice's detail, Mes
 * opérations, Mes règlements; axe on each at 1280 px and 375 px.
 */
import { type Page, expect, test } from '@playwright/test';

import { DEMO_AGENT, DEMO_PARENT, agentCreateFamily, apiLogin, expectAccessible, json, logIn, signUpAndActivate, uniqueEmail } from './helpers';

// 51,80 € + 65,50 € (115,50 € less the 50,00 € transfer); the 47,60 € of the latest are paid online.
const TO_PAY = /117,30\s€/;

const invoiceRows = (page: Page) => page.getByRole('table', { name: /Mes factures/ }).locator('tbody tr');

async function openInvoices(page: Page): Promise<void> {
  await page.goto('/espace-facturation');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes factures');
  await expect(invoiceRows(page).first()).toBeVisible();
}

test.describe('the demo parent’s billing space', () => {
  test('invoices, their filters and detail, operations and payments', async ({ page }) => {
    await logIn(page, DEMO_PARENT.email, DEMO_PARENT.password);
    await page.getByRole('navigation', { name: /principal|Menu/i }).getByRole('link', { name: 'Espace facturation' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes factures');
    await expect(page.getByText('Total restant à payer')).toContainText(TO_PAY);
    await expect(invoiceRows(page)).toHaveCount(5);
    for (const state of ['À payer', 'Partiellement payée', 'Payée', 'Annulée']) {
      await expect(invoiceRows(page).getByText(state, { exact: true }).first()).toBeVisible();
    }
    // Online payment (the demo's sandbox) on the two invoices left to pay; every invoice downloads as a PDF.
    await expect(page.getByRole('button', { name: /Payer en ligne/ })).toHaveCount(2);
    await expect(page.getByRole('link', { name: /Payer en ligne/ })).toHaveCount(0);
    await expect(invoiceRows(page).getByRole('link', { name: /^Télécharger la facture n° FAC-/ })).toHaveCount(5);

    // Nature "Payées": the one paid by cheque, the one paid online.
    await page.getByLabel('Nature').selectOption({ label: 'Payées' });
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(page).toHaveURL(/nature=paid/);
    await expect(invoiceRows(page)).toHaveCount(2);
    await expect(invoiceRows(page).first()).toContainText('Payée');
    await expect(invoiceRows(page).last()).toContainText('Payée');
    await expect(invoiceRows(page).last()).toContainText('Restauration scolaire');
    // The total to pay does not depend on the filters.
    await expect(page.getByText('Total restant à payer')).toContainText(TO_PAY);

    // Année: the newest year of the answer; every row is of that year.
    await page.getByLabel('Nature').selectOption({ label: 'Toutes' });
    const year = (await page.getByLabel('Année').locator('option').nth(1).textContent()) ?? '';
    expect(year).toMatch(/^\d{4}$/);
    await page.getByLabel('Année').selectOption(year);
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(page).toHaveURL(new RegExp(`annee=${year}`));
    const rows = invoiceRows(page);
    await expect(rows.first()).toBeVisible();
    for (const date of await rows.locator('td[data-label="Date"]').allTextContents()) expect(date).toMatch(new RegExp(`/${year}$`));

    // The oldest paid invoice's detail: Maéva's and Timéo's meals, the cheque.
    await page.goto('/espace-facturation?nature=paid');
    await invoiceRows(page).last().getByRole('link', { name: /Voir le détail/ }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Facture n° FAC-/);
    const lines = page.getByRole('table', { name: /Lignes de la facture/ });
    await expect(lines.locator('tbody tr')).toHaveCount(2);
    await expect(lines).toContainText('Maéva');
    await expect(lines).toContainText('Timéo');
    await expect(lines).toContainText('Repas');
    await expect(lines).toContainText(/3,85\s€/);
    const paid = page.getByRole('table', { name: /Règlements de la facture/ });
    await expect(paid).toContainText('Chèque');
    await expect(paid).toContainText('4587123');
    await expect(page.getByText('Reste à payer')).toBeVisible();

    // The cancelled invoice: its credit note.
    await page.goto('/espace-facturation?nature=cancelled');
    await invoiceRows(page).first().getByRole('link', { name: /Voir le détail/ }).click();
    await expect(page.getByRole('heading', { name: /Facture annulée par l'avoir n° AV-/ })).toBeVisible();
    await expect(page.getByText('Erreur de tarif')).toBeVisible();

    // An unknown invoice (or another family's): said, with the way back.
    await page.goto('/espace-facturation/factures/inconnue');
    await expect(page.getByRole('alert')).toBeVisible();
    await page.getByRole('alert').getByRole('link', { name: 'Retour à mes factures' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes factures');

    // Mes opérations: invoices in credit, payments and the credit note in debit.
    await page.getByRole('link', { name: 'Mes opérations' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes opérations');
    const ops = page.getByRole('table', { name: /Mes opérations/ });
    await expect(ops.locator('tbody tr')).toHaveCount(9);
    await expect(ops).toContainText('4587123');
    await expect(page.getByText('Total restant à payer')).toContainText(TO_PAY);
    await page.getByLabel('Nature').selectOption({ label: 'Règlements' });
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(page).toHaveURL(/\/espace-facturation\/operations\?nature=payment/);
    await expect(ops.locator('tbody tr')).toHaveCount(3);

    // Mes règlements: the cheque, the transfer and the online payment.
    await page.getByRole('link', { name: 'Mes règlements' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes règlements');
    const payments = page.getByRole('table', { name: /Mes règlements/ });
    await expect(payments.locator('tbody tr')).toHaveCount(3);
    await expect(payments.locator('tbody tr', { hasText: 'Règlement en ligne - Transaction n°' })).toContainText(/47,60\s€/);
    const cheque = payments.locator('tbody tr', { hasText: 'Chèque' });
    await expect(cheque).toContainText('4587123');
    await expect(cheque).toContainText(/115,50\s€/);
    await expect(payments.locator('tbody tr', { hasText: 'Virement' })).toContainText(/50,00\s€/);
  });

  for (const [width, height] of [
    [1280, 800],
    [375, 812],
  ] as const) {
    test(`every view has no accessibility violation at ${width} px`, async ({ page }) => {
      await page.setViewportSize({ width, height });
      const narrow = width < 600;
      await logIn(page, DEMO_PARENT.email, DEMO_PARENT.password);
      await openInvoices(page);
      await expectAccessible(page, 'Mes factures', narrow);
      await page.goto('/espace-facturation?nature=cancelled');
      await invoiceRows(page).first().getByRole('link', { name: /Voir le détail/ }).click();
      await expect(page.getByRole('table', { name: /Lignes de la facture/ })).toBeVisible();
      await expectAccessible(page, 'le détail d’une facture annulée', narrow);
      await page.goto('/espace-facturation/operations');
      await expect(page.getByRole('table', { name: /Mes opérations/ })).toBeVisible();
      await expectAccessible(page, 'Mes opérations', narrow);
      await page.goto('/espace-facturation/reglements');
      await expect(page.getByRole('table', { name: /Mes règlements/ })).toBeVisible();
      await expectAccessible(page, 'Mes règlements', narrow);
    });
  }

  test('a family with 21 invoices: two pages of Mes factures, the focus on the count', async ({ page, playwright, baseURL }) => {
    const agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
    const family = await agentCreateFamily(agent, 'FACTURE');
    const guardian = (family.guardians[0] as { id: string }).id;
    for (let n = 0; n < 21; n += 1) {
      const day = new Date(Date.UTC(2026, 0, 5 + 7 * n)).toISOString().slice(0, 10);
      const number = `PAGE-${family.id.slice(-6)}-${n + 1}`;
      await json(
        await agent.post('/api/agent/invoices', {
          data: { family_id: family.id, guardian_id: guardian, emission_code: 'PAGES', reference: number, number, amount_cents: 1000 + n, issued_on: day, due_on: day, service: 'Restauration scolaire' },
        }),
        'POST /api/agent/invoices',
        [200, 201],
      );
    }
    await agent.dispose();
    const parent = { email: uniqueEmail('claire.facture'), password: 'Factures2026' };
    await signUpAndActivate(page, { civility: 'Madame', lastName: 'Facture', firstName: 'Claire', email: parent.email, password: parent.password });
    await logIn(page, parent.email, parent.password);
    await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);

    await openInvoices(page);
    await expect(page.getByRole('status').filter({ hasText: 'Page 1' })).toHaveText('Page 1 : factures 1 à 20');
    await expect(invoiceRows(page)).toHaveCount(20);
    await page.getByRole('button', { name: 'Page suivante' }).click();
    const count = page.locator('.result-count');
    await expect(count).toHaveText('21 résultats');
    await expect(count).toBeFocused();
    await expect(invoiceRows(page)).toHaveCount(1);
    await expect(invoiceRows(page).first()).toContainText('05/01/2026');
    await page.getByRole('button', { name: 'Page précédente' }).click();
    await expect(invoiceRows(page)).toHaveCount(20);
  });
});
