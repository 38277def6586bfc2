/**
 * Tariffs and quotients familiaux in the back-office: on an activity's
 * "Tarification" page an agent chooses the régie and defines a grid of 3
 * quotient familial brackets; a gap between two brackets is refused next
 * to the bracket's field; fixed, the grid is saved and is there after a
 * reload. On a family's page the agent adds a quotient familial and sets
 * the family outside the commune. Axe at 1280 px and 375 px. The activity,
 * the régie and the family are this spec's own (it assumes nothing of the
 * demo's tariffs).
 */
import { type Page, expect, test } from '@playwright/test';

import { apiWith, createActivity, createFamily, ensureShared, expectAccessible, expectFieldError, sharedState } from './agent-helpers';
import { json } from './helpers';

test.use({ storageState: sharedState('agent') });
test.beforeAll(async ({ playwright, baseURL }) => {
  await ensureShared(playwright, baseURL as string, 'agent');
});

const stamp = () => `${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1000)}`;

async function bothWidths(page: Page, what: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await expectAccessible(page, `${what} (1280 px)`, false);
  await page.setViewportSize({ width: 375, height: 800 });
  await expectAccessible(page, `${what} (375 px)`, true);
  await page.setViewportSize({ width: 1280, height: 900 });
}

const box = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });

test('an agent defines a grid of quotient familial brackets for an activity', async ({ page, playwright, baseURL }) => {
  const agent = await apiWith(playwright, baseURL as string, sharedState('agent'));
  const s = stamp();
  const activity = await createActivity(agent, `Cantine ${s}`);
  const regie = `Restauration ${s}`;
  await json(await agent.post('/api/agent/regies', { data: { name: regie } }), 'POST /api/agent/regies');

  await page.goto(`/agent/activites/${activity.id}`);
  await page.getByRole('link', { name: /^Tarification/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Tarification`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(activity.name);
  await bothWidths(page, 'the tariff page, empty');

  await page.getByRole('combobox', { name: 'Régie' }).selectOption({ label: regie });
  await page.getByRole('radio', { name: 'Les jours de présence' }).check();
  await box(page, 'Pénalité pour une absence non justifiée (en euros)').fill('2,00');
  await page.getByLabel("S'applique à partir du").fill('2026-09-01');
  await page.getByRole('button', { name: 'Ajouter une tranche à la version 1' }).click();
  await page.getByRole('button', { name: 'Ajouter une tranche à la version 1' }).click();
  await expect(page.locator('.tarif-tranche')).toHaveCount(3);
  await expect(page.locator('.tarif-tranche').last()).toContainText('et plus');
  await box(page, 'Tranche 1 : QF de fin (exclu), en euros').fill('500');
  await box(page, 'Tranche 1 : prix par repas, en euros').fill('1,20');
  // A gap: the second bracket starts at 600 € instead of 500 €.
  await box(page, 'Tranche 2 : QF de début, en euros').fill('600');
  await box(page, 'Tranche 2 : QF de fin (exclu), en euros').fill('1000');
  await box(page, 'Tranche 2 : prix par repas, en euros').fill('2,50');
  await box(page, 'Tranche 3 : QF de début, en euros').fill('1000');
  await box(page, 'Tranche 3 : prix par repas, en euros').fill('3,80');
  await page.getByRole('combobox', { name: 'Réduction à partir du deuxième enfant' }).selectOption('percent');
  await box(page, 'Réduction (en %)').fill('10');
  await box(page, 'Prix hors commune (en euros, par repas)').fill('5,00');
  await box(page, 'Prix si le QF est inconnu (en euros, par repas)').fill('4,50');
  await page.getByRole('button', { name: 'Enregistrer la tarification' }).click();

  const summary = page.getByRole('alert');
  await expect(summary).toBeFocused();
  await expect(summary).toContainText('Les tranches laissent un trou');
  await expectFieldError(page, 'Tranche 2 : QF de début, en euros', /de 500\u00a0€ à 600\u00a0€ aucun tarif/);
  await bothWidths(page, 'the tariff page with an error');
  // The summary's link leads to the field.
  await summary.getByRole('link', { name: /trou/ }).click();
  await expect(box(page, 'Tranche 2 : QF de début, en euros')).toBeFocused();

  await box(page, 'Tranche 2 : QF de début, en euros').fill('500');
  await page.getByRole('button', { name: 'Enregistrer la tarification' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Tarification enregistrée.' })).toBeFocused();
  await expect(box(page, 'Tranche 2 : QF de début, en euros')).not.toHaveAttribute('aria-invalid', 'true');

  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Régie' })).toHaveValue(/.+/);
  await expect(page.getByRole('combobox', { name: 'Régie' }).locator('option:checked')).toHaveText(regie);
  await expect(page.getByRole('radio', { name: 'Les jours de présence' })).toBeChecked();
  await expect(box(page, 'Pénalité pour une absence non justifiée (en euros)')).toHaveValue('2,00');
  await expect(page.locator('.tarif-tranche')).toHaveCount(3);
  await expect(box(page, 'Tranche 1 : QF de fin (exclu), en euros')).toHaveValue('500');
  await expect(box(page, 'Tranche 2 : QF de début, en euros')).toHaveValue('500');
  await expect(box(page, 'Tranche 2 : prix par repas, en euros')).toHaveValue('2,50');
  await expect(box(page, 'Tranche 3 : prix par repas, en euros')).toHaveValue('3,80');
  await expect(box(page, 'Réduction (en %)')).toHaveValue('10');
  await expect(box(page, 'Prix si le QF est inconnu (en euros, par repas)')).toHaveValue('4,50');
  await bothWidths(page, 'the tariff page, saved');

  // The API holds the same grid.
  const saved = await json<{ settings: { versions: { brackets: { from_euros: number; to_euros: number | null; cents: number }[] }[] } }>(
    await agent.get(`/api/agent/activities/${activity.id}/billing`),
    'GET billing',
  );
  expect(saved.settings.versions[0]?.brackets).toEqual([
    { from_euros: 0, to_euros: 500, cents: 120 },
    { from_euros: 500, to_euros: 1000, cents: 250 },
    { from_euros: 1000, to_euros: null, cents: 380 },
  ]);
  await agent.dispose();
});

test("an agent sets a family's quotient familial and residence", async ({ page, playwright, baseURL }) => {
  const agent = await apiWith(playwright, baseURL as string, sharedState('agent'));
  const family = await createFamily(agent, `Quotient${stamp().replace(/\d/g, '')}`);
  await page.goto(`/agent/familles/${family.id}`);
  const section = page.getByRole('region', { name: 'Quotient familial' });
  await expect(section).toContainText('Aucun quotient familial');

  // A validity ending before its date is refused next to the field.
  await section.getByRole('textbox', { name: 'Quotient familial (en euros)' }).fill('650');
  await section.getByLabel('Du').fill('2026-09-01');
  await section.getByLabel('Au (inclus)').fill('2026-08-31');
  await section.getByRole('button', { name: 'Ajouter le quotient' }).click();
  await expect(section.getByRole('alert')).toBeFocused();
  await expect(section.getByLabel('Au (inclus)')).toHaveAttribute('aria-invalid', 'true');

  await section.getByLabel('Au (inclus)').fill('2027-08-31');
  await section.getByRole('button', { name: 'Ajouter le quotient' }).click();
  await expect(section.getByRole('status')).toContainText('Quotient familial de 650\u00a0€ ajouté.');
  const table = section.getByRole('table', { name: /Quotients familiaux/ });
  await expect(table.getByRole('row', { name: /650/ })).toContainText('Agent');
  await expect(table.getByRole('row', { name: /650/ })).toContainText('01/09/2026');

  await section.getByRole('radio', { name: 'Hors commune' }).check();
  await section.getByRole('button', { name: 'Enregistrer la résidence' }).click();
  await expect(section.getByRole('status')).toContainText('Résidence enregistrée.');

  await page.reload();
  await expect(page.getByRole('region', { name: 'Quotient familial' }).getByRole('radio', { name: 'Hors commune' })).toBeChecked();
  await expect(page.getByRole('table', { name: /Quotients familiaux/ }).getByRole('row', { name: /650/ })).toBeVisible();
  await bothWidths(page, 'the family page with its quotients');

  // Removed, it is gone.
  await page.getByRole('button', { name: /Retirer le quotient de 650/ }).click();
  await expect(page.getByRole('region', { name: 'Quotient familial' })).toContainText('Aucun quotient familial');
  await agent.dispose();
});
