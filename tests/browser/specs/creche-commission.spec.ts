/**
 * A crèche commission session (issue 15). A parent has three applications
 * for children expected, all for a crèche of this run; the agent studies two
 * and puts the third on the waiting list. On « Nouvelle commission », reached
 * from the crèche applications, the agent filters by the crèche, includes the
 * three, forgets a decision (said at its row, the error summary focused),
 * then records one offer, one waiting, one refusal in one go; the session's
 * page lists the decisions, « Envoyer les propositions (1) » sends the offer
 * e-mail (in the outbox) and reads « Propositions envoyées le … ». The parent
 * reads the offer on /creche/{id}. Axe on each page at 1280 px and 375 px.
 */
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';

import { AGENT, expectAccessible as expectAgentAccessible, saveLogin, statePath } from './agent-helpers';
import { type AgentFamily, DEMO_AGENT, agentCreateFamily, apiLogin, json, logIn, mailTo, signUpAndActivate, uniqueEmail } from './helpers';

test.describe.configure({ mode: 'serial' });

const RUN = Date.now().toString(36).slice(-5);
const CRECHE = `Les Coccinelles ${RUN}`;
const NAMES = ['Capucine', 'Anatole', 'Philémon'] as const;
const child = (name: string) => `Enfant à naître (${name})`;
const REFUSAL = 'Vous ne résidez plus dans la commune.';

let agent: APIRequestContext;
let family: AgentFamily;
let structure = '';
const ids: string[] = [];
const parent = { email: uniqueEmail('margaux.commission'), password: 'Parcours2027' };
const AGENT_STATE = statePath('commission-agent');
const PARENT_STATE = statePath('commission-parent');

const WIDTHS = [
  [1280, 800],
  [375, 812],
] as const;

async function bothWidths(page: Page, what: string): Promise<void> {
  for (const [width, height] of WIDTHS) {
    await page.setViewportSize({ width, height });
    await expectAgentAccessible(page, `${what} at ${width} px`, width < 600);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${what}: no page overflow at ${width} px`).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test.beforeAll(async ({ playwright, baseURL }) => {
  agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  await saveLogin(playwright, baseURL as string, AGENT, 'commission-agent');
  family = await agentCreateFamily(agent, 'COMMISSION', []);
  const created = await json<{ id: string }>(
    await agent.post('/api/agent/creche/structures', { data: { name: CRECHE, address: '4 place de la Mairie, Villebois' } }),
    'POST /api/agent/creche/structures',
    [201],
  );
  structure = created.id;
});

test.afterAll(async () => {
  await agent?.dispose();
});

test('the parent applies three times', async ({ page, baseURL }) => {
  await signUpAndActivate(page, { civility: 'Madame', lastName: 'Commission', firstName: 'Margaux', email: parent.email, password: parent.password });
  await logIn(page, parent.email, parent.password);
  const origin = { Origin: baseURL as string };
  await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: origin }), 'subscribe', [201]);
  await page.context().storageState({ path: PARENT_STATE });
  for (const [i, name] of NAMES.entries()) {
    const created = await json<{ id: string }>(
      await page.request.post(`/api/creche/applications?family_id=${family.id}`, {
        headers: origin,
        data: {
          expected: { due_date: `2027-0${i + 3}-15`, first_name: name },
          start_date: '2027-09-01',
          schedule: [{ weekday: 'mon', start: '08:30', end: '17:30' }],
          structures: [structure],
        },
      }),
      'POST /api/creche/applications',
      [201],
    );
    ids.push(created.id);
    const status = i === 2 ? 'waiting' : 'under_review';
    await json(await agent.post(`/api/agent/creche/applications/${created.id}/status`, { data: { status } }), `set ${status}`);
  }
});

test.describe('the agent', () => {
  test.use({ storageState: AGENT_STATE });

  test('records a session: one offer, one waiting, one refusal; then sends the offer', async ({ page }) => {
    await page.goto('/agent/creche');
    await page.getByRole('link', { name: 'Nouvelle commission' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nouvelle commission');
    await page.getByRole('combobox', { name: 'Crèche choisie par la famille' }).selectOption({ label: CRECHE });
    const rows = page.locator('.commission-row');
    await expect(rows).toHaveCount(3);
    const row = (name: string) => page.getByRole('group', { name: new RegExp(`^${child(name).replace(/[()]/g, '\\$&')}`) });
    for (const name of NAMES) await row(name).getByRole('checkbox', { name: 'Inclure dans la commission' }).check();
    await row(NAMES[0]).getByRole('combobox', { name: 'Décision' }).selectOption({ label: 'Proposer une place' });
    await expect(row(NAMES[0]).getByRole('combobox', { name: 'Crèche proposée' })).toHaveValue(structure);
    await expect(row(NAMES[0]).getByRole('textbox', { name: "Date d'entrée" })).toHaveValue('01/09/2027');
    await row(NAMES[1]).getByRole('combobox', { name: 'Décision' }).selectOption({ label: "Liste d'attente" });
    await expect(page.getByText('3 préinscriptions incluses, toutes crèches confondues.')).toBeVisible();
    // The refusal's decision forgotten: said at its row, the summary focused.
    await page.getByRole('button', { name: 'Enregistrer les décisions' }).click();
    const summary = page.locator('#commission-erreurs');
    await expect(summary).toBeFocused();
    await expect(summary).toContainText(`${child(NAMES[2])}\u00a0: choisissez la décision.`);
    await expect(row(NAMES[2]).getByRole('combobox', { name: 'Décision' })).toHaveAttribute('aria-invalid', 'true');
    await bothWidths(page, 'a new commission with an error');

    await row(NAMES[2]).getByRole('combobox', { name: 'Décision' }).selectOption({ label: 'Refuser' });
    await row(NAMES[2]).getByRole('textbox', { name: 'Message à la famille' }).fill(REFUSAL);
    await page.getByRole('button', { name: 'Enregistrer les décisions' }).click();

    await expect(page).toHaveURL(/\/agent\/creche\/commissions\/[^/]+$/);
    const table = page.getByRole('table', { name: 'Décisions de la commission' });
    await expect(table.getByRole('row')).toHaveCount(4);
    await expect(table.getByRole('row').filter({ hasText: child(NAMES[0]) })).toContainText(`Proposer une place${CRECHE}01/09/2027AppliquéeÀ envoyer`);
    await expect(table.getByRole('row').filter({ hasText: child(NAMES[1]) })).toContainText("Liste d'attente");
    await expect(table.getByRole('row').filter({ hasText: child(NAMES[2]) })).toContainText('Refuser——Appliquée—');
    await expect(page.getByText('Pas encore envoyées')).toBeVisible();
    await bothWidths(page, 'a commission session');

    await page.getByRole('button', { name: 'Envoyer les propositions (1)' }).click();
    await expect(page.getByRole('status').filter({ hasText: /propositions? envoyées?/ })).toHaveText('1 proposition envoyée par e-mail.');
    await expect(page.getByText(/^Propositions envoyées le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}$/)).toBeVisible();
    await expect(page.getByRole('button', { name: /Envoyer les propositions/ })).toHaveCount(0);
    const mail = await mailTo(page.request, parent.email, /place en crèche vous est proposée/);
    expect(mail.text).toContain(CRECHE);

    // The sessions' list, from the crèche applications.
    await page.goto('/agent/creche');
    await page.getByRole('link', { name: 'Commissions', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Commissions');
    const sessions = page.getByRole('table', { name: "Commissions, les plus récentes d'abord" });
    await expect(sessions.getByRole('row').nth(1)).toContainText('Envoyées le');
    await bothWidths(page, 'the commissions');
  });
});

test.describe('the parent', () => {
  test.use({ storageState: PARENT_STATE });

  test('reads the offer, the waiting list and the refusal', async ({ page }) => {
    await page.goto(`/creche/${ids[0]}`);
    const offer = page.getByRole('region', { name: 'Place proposée' });
    await expect(offer).toContainText(CRECHE);
    await expect(offer).toContainText('01/09/2027');
    await page.goto(`/creche/${ids[1]}`);
    await expect(page.locator('.creche-status')).toHaveText("État de la demande\u00a0: En liste d'attente");
    await page.goto(`/creche/${ids[2]}`);
    await expect(page.getByText(REFUSAL)).toBeVisible();
  });
});
