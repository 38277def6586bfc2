/**
 * Back-office steps: logging in once per file (logins are rate-limited per
 * account), the families' side through the API (a parent's cookie and the
 * portal's Origin), the dev clock, and the fixed school year the planning
 * specs run in.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import AxeBuilder from '@axe-core/playwright';
import { type APIRequestContext, type Page, type PlaywrightWorkerArgs, expect } from '@playwright/test';

import { COMMUNE, DEMO_PARENT } from './helpers';

export const AGENT = { email: 'agent.demo@villebois.example', password: 'Mairie2026' };
export { DEMO_PARENT };

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

/**
 * The school year the planning specs live in: the portal's clock is set
 * to a Monday of January 2027, the February holidays are ahead.
 */
export const YEAR = {
  now: '2027-01-11T10:00:00+01:00',
  from: '2026-09-01',
  to: '2027-07-03',
  winter: { from: '2027-02-13', to: '2027-02-28', label: "Vacances d'hiver" },
};

export interface Credentials {
  email: string;
  password: string;
}

/** An API client logged in as `who`, sending the portal's Origin (CSRF). */
export async function apiAs(playwright: PlaywrightWorkerArgs['playwright'], baseURL: string, who: Credentials): Promise<APIRequestContext> {
  const api = await playwright.request.newContext({
    baseURL,
    storageState: { cookies: [], origins: [] },
    extraHTTPHeaders: { Origin: new URL(baseURL).origin },
  });
  const resp = await api.post('/api/session', { data: who });
  expect(resp.status(), `log in as ${who.email}`).toBe(200);
  return api;
}

/** Logs in through the API and writes the browser state for `test.use({ storageState })`. */
export async function saveLogin(playwright: PlaywrightWorkerArgs['playwright'], baseURL: string, who: Credentials, name: string): Promise<string> {
  const path = statePath(name);
  const api = await apiAs(playwright, baseURL, who);
  await api.storageState({ path });
  await api.dispose();
  return path;
}

export const statePath = (name: string) => join(RESULTS, `${name}.json`);

/**
 * The state file of one login of the agent (or the demo parent) for the
 * whole run (one server, one port): logins are rate-limited per account and
 * per address, so the spec files share it. A spec that moves the clock by
 * weeks logs in afresh instead (sessions expire).
 */
export function sharedState(who: 'agent' | 'parent'): string {
  return statePath(`${who}-${process.env.MARELLE_PORT ?? 'run'}`);
}

/**
 * The shared login, made when missing, and made again when the portal no
 * longer knows it: a spec that moved the clock by weeks may have let it
 * expire, and the spec files after it would then get 401.
 */
export async function ensureShared(playwright: PlaywrightWorkerArgs['playwright'], baseURL: string, who: 'agent' | 'parent'): Promise<string> {
  const path = sharedState(who);
  if (existsSync(path)) {
    const api = await apiWith(playwright, baseURL, path);
    const status = (await api.get('/api/me')).status();
    await api.dispose();
    if (status === 200) return path;
  }
  await saveLogin(playwright, baseURL, who === 'agent' ? AGENT : DEMO_PARENT, `${who}-${process.env.MARELLE_PORT ?? 'run'}`);
  return path;
}

/** An API client on a saved login, sending the portal's Origin. */
export async function apiWith(playwright: PlaywrightWorkerArgs['playwright'], baseURL: string, state: string): Promise<APIRequestContext> {
  return playwright.request.newContext({ baseURL, storageState: state, extraHTTPHeaders: { Origin: new URL(baseURL).origin } });
}

/** Sets the portal's clock (`--dev`). */
export async function setClock(api: APIRequestContext, now: string): Promise<void> {
  const resp = await api.post('/api/dev/clock', { data: { now } });
  expect(resp.status(), `POST /api/dev/clock ${now}`).toBe(200);
}

/** Gives the portal its real time back. */
export const resetClock = (api: APIRequestContext) => setClock(api, new Date().toISOString());

async function ok<T>(resp: Awaited<ReturnType<APIRequestContext['get']>>, what: string, status = [200, 201, 202]): Promise<T> {
  const body = await resp.text();
  expect(status, `${what}: ${resp.status()} ${body}`).toContain(resp.status());
  return (body ? JSON.parse(body) : undefined) as T;
}

export interface Family {
  id: string;
  label: string;
  subscriber_code: string;
  guardians: { id: string; first_name: string; last_name: string; mobile: string; personal_code: string }[];
  children: { id: string; first_name: string; last_name: string }[];
}

export async function demoFamily(agent: APIRequestContext): Promise<Family> {
  const list = await ok<{ items: { id: string; label: string }[] }>(await agent.get('/api/agent/families?q=Famille%20MARTIN'), 'families');
  const martin = list.items.find((f) => f.label === 'Famille MARTIN');
  expect(martin, 'the demo family').toBeTruthy();
  return ok<Family>(await agent.get(`/api/agent/families/${martin?.id}`), 'demo family');
}

export async function createFamily(agent: APIRequestContext, lastName: string, firstName = 'Alice'): Promise<Family> {
  return ok<Family>(
    await agent.post('/api/agent/families', {
      data: {
        guardians: [{ civility: 'Mme', last_name: lastName, first_name: firstName, email: `${firstName}.${lastName}@exemple.fr`.toLowerCase(), mobile: '0611223344', quality: 'mother' }],
        children: [{ first_name: 'Léo', last_name: lastName, birth_date: '2019-05-04', sex: 'M' }],
      },
    }),
    'create family',
  );
}

export interface Activity {
  id: string;
  name: string;
}

export async function createActivity(agent: APIRequestContext, name: string, extra: Record<string, unknown> = {}): Promise<Activity> {
  return ok<Activity>(
    await agent.post('/api/agent/activities', {
      data: {
        name,
        establishment: 'Ecole Lux',
        start: '16:30',
        end: '18:30',
        weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
        period: { from: YEAR.from, to: YEAR.to },
        closures: [YEAR.winter],
        validation: 'manual',
        // The suite's commune is in zone C; these activities set their own
        // closures and leave the school calendar aside unless asked.
        school_holidays: 'ignored',
        ...extra,
      },
    }),
    'create activity',
  );
}

export async function enrol(agent: APIRequestContext, childId: string, activityId: string): Promise<void> {
  await ok(await agent.post('/api/agent/enrolments', { data: { child_id: childId, activity_id: activityId, from: YEAR.from, to: YEAR.to } }), 'enrol');
}

export interface Submitted {
  requests: { id: string; date: string; state: string }[];
  refused: unknown[];
}

/** A parent's reservations over a period, for some weekdays (`POST /api/requests`). */
export async function askReservations(
  parent: APIRequestContext,
  body: { child_id: string; activity_id: string; from: string; to: string; weekdays: string[] },
): Promise<Submitted> {
  return ok<Submitted>(await parent.post('/api/requests', { data: { kind: 'reservation', ...body } }), 'POST /api/requests', [201]);
}

export const queueLocator = (page: Page) => page.getByRole('table', { name: "Demandes en attente, les plus anciennes d'abord" });

/** The axe scan and the page checks of the browser suite, on the page as it is. */
export async function expectAccessible(page: Page, what: string, narrow: boolean): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const report = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
  expect(report, `axe violations on ${what}`).toEqual([]);
  expect(results.passes.length).toBeGreaterThan(10);
  await expect(page.locator('h1')).toHaveCount(1);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page).toHaveTitle(new RegExp(` – ${COMMUNE}$`));
  for (const landmark of ['banner', 'navigation', 'main', 'contentinfo'] as const) {
    await expect(page.getByRole(landmark).first()).toBeAttached();
  }
  if (narrow) {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `horizontal scrolling on ${what}`).toBeLessThanOrEqual(0);
  }
}

/** The field's error: its own text, tied by aria-describedby and aria-invalid. */
export async function expectFieldError(page: Page, name: string, message: string | RegExp, role: 'textbox' | 'combobox' = 'textbox'): Promise<void> {
  const field = page.getByRole(role, { name, exact: true });
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  const ids = (await field.getAttribute('aria-describedby'))?.split(/\s+/) ?? [];
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).innerText()));
  expect(texts.join(' | ')).toMatch(message);
}
