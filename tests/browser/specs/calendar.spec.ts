/**
 * Closures by default (issue 12): the suite's commune is in school zone C
 * (`--school-zone C`). A canteen created with the back-office defaults
 * (closed during school holidays and on public holidays) shows, over the
 * Christmas holidays, "Vacances de Noël" and "Jour de l'an" instead of
 * slots, and New Year's Day cannot be booked.
 */
import { type APIRequestContext, expect, test } from '@playwright/test';

import { DEMO_AGENT, agentCreateActivity, agentCreateFamily, agentEnrol, apiLogin, json, logIn, setPortalClock, signUpAndActivate, uniqueEmail } from './helpers';

test.describe.configure({ mode: 'serial' });

/** The machine's day when this was written: before the holidays. */
const NOW = '2026-12-07T09:00:00+01:00';

let agent: APIRequestContext;

test.afterAll(async ({ playwright, baseURL }) => {
  await agent?.dispose();
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, new Date().toISOString());
  await dev.dispose();
});

test('over Christmas the planning names the holidays and offers no slot', async ({ page, playwright, baseURL }) => {
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, NOW);
  await dev.dispose();
  agent = await apiLogin(playwright, baseURL as string, DEMO_AGENT);
  const family = await agentCreateFamily(agent, 'NOEL', [{ first_name: 'Lina', sex: 'F', birth_date: '2018-05-02' }]);
  const lina = (family.children[0] as { id: string }).id;
  // The back-office defaults, as the form sends them.
  const canteen = await agentCreateActivity(agent, { name: '2/Repas Ecoles', start: '12:00', end: '13:30', school_holidays: 'closed', open_on_public_holidays: false });
  await agentEnrol(agent, lina, canteen.id);

  const parent = { email: uniqueEmail('claire.noel'), password: 'Calendrier2027' };
  await signUpAndActivate(page, { civility: 'Madame', lastName: 'Noel', firstName: 'Claire', email: parent.email, password: parent.password });
  await logIn(page, parent.email, parent.password);
  await json(await page.request.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code }, headers: { Origin: baseURL as string } }), 'subscribe', [201]);

  // The week of New Year: four days of holidays, then the public holiday.
  await page.goto('/planning?vue=semaine5&date=2026-12-28');
  const week = page.getByRole('table', { name: /Planning de la semaine/ });
  const row = week.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /2\/Repas Ecoles/ }) });
  await expect(row.getByRole('cell')).toHaveText([...Array(4).fill('Fermé (Vacances de Noël)'), "Fermé (Jour de l'an)"]);

  // The last school week before them: every day has its slot.
  await page.goto('/planning?vue=semaine5&date=2026-12-14');
  await expect(page.getByRole('table', { name: /Planning de la semaine/ }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: /2\/Repas Ecoles/ }) }).getByRole('cell')).toHaveText(Array(5).fill(/Non réservé/));

  // The month view names them too.
  await page.goto('/planning?vue=mois&date=2027-01-01');
  await expect(page.getByText("2/Repas Ecoles : fermé (Jour de l'an)")).toHaveCount(1);

  // Asked anyway (through the API), New Year's Day is refused as closed.
  const refused = await page.request.post('/api/requests', {
    data: { kind: 'reservation', child_id: lina, activity_id: canteen.id, dates: ['2027-01-01'] },
    headers: { Origin: baseURL as string },
  });
  expect(refused.status()).toBe(422);
  const problem = (await refused.json()) as { code: string; errors: { message: string }[] };
  expect(problem.code).toBe('closed');
  expect(problem.errors[0]?.message).toBe("L'activité est fermée le 01/01/2027 (Jour de l'an).");
});
