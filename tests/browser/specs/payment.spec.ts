/**
 * Online payment through the portal's payment sandbox (`--dev --demo`
 * without PayFiP). The commune (API) records three invoices for a new
 * family, so that the demo family's invoices, which billing.spec.ts counts,
 * stay as they are; a new parent pays one ("Payer"): it is paid in Mes
 * factures, Mes opérations and Mes règlements, with the receipt e-mail in
 * the outbox; a refused and an abandoned payment leave the others to pay.
 * Axe on the sandbox's page and the outcome page at 1280 px and 375 px.
 * A payment taken after a cheque settled its invoice is not recorded: the
 * parent is told the commune refunds or applies it, the agent sees it
 * counted on the back-office home, marks it refunded, and the count goes;
 * one taken after a cancellation is applied to another open invoice.
 */
import { type Page, expect, test } from '@playwright/test';

import { DEMO_AGENT, agentCreateFamily, apiLogin, expectAccessible, json, logIn, mailTo, signUpAndActivate, uniqueEmail } from './helpers';

const invoiceRows = (page: Page) => page.getByRole('table', { name: /Mes factures/ }).locator('tbody tr');
const payButton = (page: Page, number: string) => page.getByRole('button', { name: `Payer en ligne la facture n° ${number}` });

/** Checks a page with axe at 1280 px, then at 375 px (back to 1280 after). */
async function accessibleAtBothWidths(page: Page, what: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await expectAccessible(page, `${what} (1280 px)`, false);
  await page.setViewportSize({ width: 375, height: 812 });
  await expectAccessible(page, `${what} (375 px)`, true);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** From Mes factures to the sandbox's page for `number`. */
async function startPayment(page: Page, number: string, amount: RegExp): Promise<void> {
  await page.goto('/espace-facturation');
  await expect(invoiceRows(page).first()).toBeVisible();
  await payButton(page, number).click();
  await expect(page).toHaveURL(/\/api\/dev\/payfip\?idop=/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Payer en ligne');
  await expect(page.getByText(amount)).toBeVisible();
  await expect(page.getByText(`Facture ${number}`)).toBeVisible();
}

test('a parent pays an invoice online through the sandbox; refused and abandoned ones stay to pay', async ({ page, playwright, baseURL }) => {
  const agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  const family = await agentCreateFamily(agent, 'PAIEMENT');
  const guardian = (family.guardians[0] as { id: string }).id;
  const suffix = family.id.slice(-6);
  const numbers = [1, 2, 3].map((n) => `PAY-${suffix}-${n}`);
  const amounts = [2350, 1800, 1200];
  for (const [n, number] of numbers.entries()) {
    await json(
      await agent.post('/api/agent/invoices', {
        data: {
          family_id: family.id,
          guardian_id: guardian,
          emission_code: 'PAYONLINE',
          reference: number,
          number,
          amount_cents: amounts[n],
          issued_on: `2026-11-0${n + 1}`,
          due_on: '2026-12-15',
          service: 'Restauration scolaire',
        },
      }),
      'POST /api/agent/invoices',
      [201],
    );
  }
  await agent.dispose();
  const parent = { email: uniqueEmail('lea.paiement'), password: 'Paiement2026' };
  await signUpAndActivate(page, { civility: 'Madame', lastName: 'Paiement', firstName: 'Léa', email: parent.email, password: parent.password });
  await logIn(page, parent.email, parent.password);
  await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);

  // Paid: the sandbox's page, "Payer", back on the outcome page.
  await startPayment(page, numbers[0], /23,50\s€/);
  await accessibleAtBothWidths(page, 'la page du bac à sable de paiement');
  await page.getByRole('button', { name: 'Payer', exact: true }).click();
  await expect(page).toHaveURL(/\/espace-facturation\/paiement\/[^/]+$/);
  await expect(page.getByRole('heading', { name: 'Votre paiement a été accepté' })).toBeVisible();
  await expect(page.getByText(`n° ${numbers[0]}`)).toBeVisible();
  await accessibleAtBothWidths(page, 'le résultat du paiement en ligne');

  // Paid in Mes factures (no more "Payer en ligne" on it), Mes opérations, Mes règlements.
  await page.getByRole('link', { name: 'Retour à mes factures' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes factures');
  await expect(payButton(page, numbers[0])).toHaveCount(0);
  await expect(payButton(page, numbers[1])).toBeVisible();
  await expect(invoiceRows(page).getByText('Payée', { exact: true })).toHaveCount(1);
  await expect(page.getByText('Total restant à payer')).toContainText(/30,00\s€/);
  await page.getByRole('link', { name: 'Mes opérations' }).click();
  const ops = page.getByRole('table', { name: /Mes opérations/ });
  await expect(ops.locator('tbody tr', { hasText: 'Règlement en ligne - Transaction n°' })).toContainText(/23,50\s€/);
  await page.getByRole('link', { name: 'Mes règlements' }).click();
  const payments = page.getByRole('table', { name: /Mes règlements/ });
  await expect(payments.locator('tbody tr')).toHaveCount(1);
  await expect(payments).toContainText('Règlement en ligne - Transaction n°');
  await expect(payments).toContainText('Paiement en ligne');

  // The receipt e-mail.
  const receipt = await mailTo(page.request, parent.email, /Confirmation de votre paiement en ligne/);
  expect(receipt.text).toContain(numbers[0]);
  expect(receipt.text).toMatch(/23,50\s€/);
  expect(receipt.text).toContain('/espace-facturation/reglements');

  // Refused: the invoice stays to pay, and can be paid again.
  await startPayment(page, numbers[1], /18,00\s€/);
  await page.getByRole('button', { name: 'Refuser' }).click();
  await expect(page.getByRole('heading', { name: 'Votre paiement a été refusé' })).toBeVisible();
  await accessibleAtBothWidths(page, 'un paiement refusé');

  // Abandoned: the same.
  await startPayment(page, numbers[2], /12,00\s€/);
  await page.getByRole('button', { name: 'Abandonner' }).click();
  await expect(page.getByRole('heading', { name: 'Votre paiement a été abandonné' })).toBeVisible();

  await page.goto('/espace-facturation');
  await expect(invoiceRows(page)).toHaveCount(3);
  await expect(invoiceRows(page).getByText('À payer', { exact: true })).toHaveCount(2);
  await expect(payButton(page, numbers[1])).toBeVisible();
  await expect(payButton(page, numbers[2])).toBeVisible();
  await expect(page.getByText('Total restant à payer')).toContainText(/30,00\s€/);
  await page.goto('/espace-facturation/reglements');
  await expect(page.getByRole('table', { name: /Mes règlements/ }).locator('tbody tr')).toHaveCount(1);
});

test('a second start while a payment is in progress is refused in French', async ({ page, playwright, baseURL }) => {
  const agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  const family = await agentCreateFamily(agent, 'ENCOURS');
  const guardian = (family.guardians[0] as { id: string }).id;
  const number = `WAIT-${family.id.slice(-6)}`;
  await json(
    await agent.post('/api/agent/invoices', {
      data: { family_id: family.id, guardian_id: guardian, emission_code: 'PAYWAIT', reference: number, number, amount_cents: 990, issued_on: '2026-11-03', due_on: '2026-12-15', service: 'Accueil périscolaire' },
    }),
    'POST /api/agent/invoices',
    [201],
  );
  await agent.dispose();
  const parent = { email: uniqueEmail('noe.encours'), password: 'Paiement2026' };
  await signUpAndActivate(page, { civility: 'Monsieur', lastName: 'Encours', firstName: 'Noé', email: parent.email, password: parent.password });
  await logIn(page, parent.email, parent.password);
  await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);

  // A first payment left on the sandbox's page.
  await startPayment(page, number, /9,90\s€/);
  await page.goto('/espace-facturation');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes factures');
  await payButton(page, number).click();
  await expect(page.getByRole('alert')).toContainText('déjà en cours');
});

test('a payment taken after a cheque settled the invoice is told to the parent, counted for the agent and marked refunded', async ({ page, browser, playwright, baseURL }) => {
  const agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  const family = await agentCreateFamily(agent, 'REGULARISATION');
  const guardian = (family.guardians[0] as { id: string }).id;
  const number = `REG-${family.id.slice(-6)}`;
  await json(
    await agent.post('/api/agent/invoices', {
      data: { family_id: family.id, guardian_id: guardian, emission_code: 'PAYREVIEW', reference: number, number, amount_cents: 1500, issued_on: '2026-11-04', due_on: '2026-12-15', service: 'Restauration scolaire' },
    }),
    'POST /api/agent/invoices',
    [201],
  );
  const parent = { email: uniqueEmail('ines.regul'), password: 'Paiement2026' };
  await signUpAndActivate(page, { civility: 'Madame', lastName: 'Regularisation', firstName: 'Inès', email: parent.email, password: parent.password });
  await logIn(page, parent.email, parent.password);
  await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);

  // The parent is on the payment page when a cheque at the town hall settles the invoice.
  await startPayment(page, number, /15,00\s€/);
  const invoices: { items: { id: string; number: string }[] } = await json(await agent.get(`/api/agent/families/${family.id}/invoices`), 'GET invoices');
  const invoiceId = invoices.items.find((i) => i.number === number)?.id;
  await json(
    await agent.post('/api/agent/payments', { data: { invoice_id: invoiceId, method: 'cheque', number: 'CHQ-4521', date: '2026-11-20', amount_cents: 1500 } }),
    'POST /api/agent/payments',
    [201],
  );
  await page.getByRole('button', { name: 'Payer', exact: true }).click();
  await expect(page).toHaveURL(/\/espace-facturation\/paiement\/[^/]+$/);
  await expect(page.getByRole('heading', { name: 'Votre paiement a été reçu' })).toBeVisible();
  await expect(page.getByText(/la mairie vous remboursera, ou l'affectera à une autre de vos factures/)).toBeVisible();
  await accessibleAtBothWidths(page, 'un paiement en ligne reçu mais non enregistré');

  // The agent, in another window (their login of this test): the count on the home, the page, "Remboursé".
  const context = await browser.newContext({ baseURL, storageState: await agent.storageState(), locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  await agent.dispose();
  const bo = await context.newPage();
  await bo.goto('/agent');
  const count = bo.getByRole('link', { name: '1 paiement en ligne à régulariser' });
  await expect(count).toBeVisible();
  await accessibleAtBothWidths(bo, "l'accueil du back-office avec un paiement à régulariser");
  // The family's page says so too, above its invoices.
  await bo.goto(`/agent/familles/${family.id}`);
  const notice = bo.getByRole('region', { name: '1 paiement en ligne à régulariser' });
  await expect(notice).toContainText(`pour la facture n° ${number} (la facture était déjà réglée)`);
  await accessibleAtBothWidths(bo, 'une famille avec un paiement à régulariser');
  await bo.goto('/agent');
  await count.click();
  await expect(bo).toHaveURL(/\/agent\/paiements-en-ligne$/);
  await expect(bo.getByRole('heading', { level: 1 })).toHaveText('Paiements en ligne à régulariser');
  const table = bo.getByRole('table', { name: /Paiements en ligne à régulariser/ });
  const row = table.getByRole('row', { name: new RegExp(number) });
  await expect(row).toContainText('La facture était déjà réglée');
  await expect(row).toContainText(/15,00\s€/);
  await accessibleAtBothWidths(bo, 'les paiements en ligne à régulariser');

  await row.getByRole('button', { name: new RegExp(`^Régulariser le paiement de 15,00\\s€ de la facture n° ${number}$`) }).click();
  await expect(bo.getByRole('heading', { name: /^Régulariser le paiement de 15,00/ })).toBeFocused();
  await bo.getByRole('radio', { name: 'Remboursé à la famille (hors du portail)' }).check();
  // The refund's reference is required.
  await bo.getByRole('button', { name: 'Enregistrer la régularisation' }).click();
  await expect(bo.getByRole('textbox', { name: 'Référence du remboursement' })).toHaveAttribute('aria-invalid', 'true');
  await accessibleAtBothWidths(bo, 'le formulaire de régularisation avec une erreur');
  await bo.getByRole('textbox', { name: 'Référence du remboursement' }).fill('Mandat 2026-118');
  await bo.getByRole('button', { name: 'Enregistrer la régularisation' }).click();
  const done = bo.getByRole('status').filter({ hasText: 'noté comme remboursé' });
  await expect(done).toBeVisible();
  await expect(done).toBeFocused();
  await expect(bo.getByText("Aucun paiement en ligne n'est à régulariser.")).toBeVisible();

  // Its history: settled, refunded, with the reference.
  await bo.getByRole('button', { name: 'Déjà régularisés' }).click();
  const settled = bo.getByRole('table', { name: /Paiements en ligne régularisés/ }).getByRole('row', { name: new RegExp(number) });
  await expect(settled).toContainText('Remboursé par');
  await expect(settled).toContainText('Mandat 2026-118');
  await accessibleAtBothWidths(bo, 'les paiements en ligne régularisés');

  // The count is gone.
  await bo.goto('/agent');
  await expect(bo.getByRole('heading', { name: 'Demandes en attente' })).toBeVisible();
  await expect(bo.getByRole('link', { name: /^(Plus de )?\d+ paiements? en ligne à régulariser$/ })).toHaveCount(0);
  await context.close();
});

test('an agent applies a payment taken after a cancellation to another open invoice of the family', async ({ page, browser, playwright, baseURL }) => {
  const agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  const family = await agentCreateFamily(agent, 'AFFECTATION');
  const guardian = (family.guardians[0] as { id: string }).id;
  const [cancelled, open] = [1, 2].map((n) => `AFF-${family.id.slice(-6)}-${n}`);
  const ids: string[] = [];
  for (const [number, cents] of [
    [cancelled, 1500],
    [open, 4000],
  ] as const) {
    const created: { id: string } = await json(
      await agent.post('/api/agent/invoices', {
        data: { family_id: family.id, guardian_id: guardian, emission_code: 'PAYAPPLY', reference: number, number, amount_cents: cents, issued_on: '2026-11-05', due_on: '2026-12-15', service: 'Accueil périscolaire' },
      }),
      'POST /api/agent/invoices',
      [201],
    );
    ids.push(created.id);
  }
  const parent = { email: uniqueEmail('hugo.affect'), password: 'Paiement2026' };
  await signUpAndActivate(page, { civility: 'Monsieur', lastName: 'Affectation', firstName: 'Hugo', email: parent.email, password: parent.password });
  await logIn(page, parent.email, parent.password);
  await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);

  // The invoice is cancelled while the parent is on the payment page.
  await startPayment(page, cancelled, /15,00\s€/);
  await json(await agent.post(`/api/agent/invoices/${ids[0]}/cancel`, { data: { reason: 'Facturée deux fois' } }), 'cancel', [200]);
  await page.getByRole('button', { name: 'Payer', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Votre paiement a été reçu' })).toBeVisible();

  const context = await browser.newContext({ baseURL, storageState: await agent.storageState(), locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  await agent.dispose();
  const bo = await context.newPage();
  await bo.goto('/agent/paiements-en-ligne');
  const row = bo.getByRole('table', { name: /Paiements en ligne à régulariser/ }).getByRole('row', { name: new RegExp(cancelled) });
  await expect(row).toContainText('La facture avait été annulée');
  await row.getByRole('button', { name: new RegExp(`de la facture n° ${cancelled}$`) }).click();
  await bo.getByRole('radio', { name: 'Affecté à une autre facture de la famille' }).check();
  const select = bo.getByRole('combobox', { name: 'Facture' });
  await expect(select.locator('option')).toHaveCount(2);
  await select.selectOption({ label: `n° ${open}, Accueil périscolaire, reste à payer 40,00\u00a0€` });
  await accessibleAtBothWidths(bo, "l'affectation d'un paiement à une autre facture");
  await bo.getByRole('button', { name: 'Enregistrer la régularisation' }).click();
  const done = bo.getByRole('status').filter({ hasText: `affecté à la facture n° ${open}` });
  await expect(done).toBeFocused();
  await expect(done).toContainText(/Reste à payer\s:\s25,00\s€/);
  await expect(bo.getByRole('table', { name: /Paiements en ligne à régulariser/ }).getByRole('row', { name: new RegExp(cancelled) })).toHaveCount(0);

  // The family's invoice is partly paid by it.
  await bo.goto(`/agent/familles/${family.id}`);
  const invoiceRow = bo.getByRole('table', { name: /Factures de la famille/ }).getByRole('row', { name: new RegExp(open) });
  await expect(invoiceRow).toContainText('Partiellement payée');
  await expect(invoiceRow).toContainText(/25,00\s€/);
  await expect(bo.getByRole('region', { name: /paiements? en ligne à régulariser$/ })).toHaveCount(0);
  await context.close();
});
