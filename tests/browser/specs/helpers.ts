/** Shared steps: the real sign-up form, the dev outbox, logging in. */
import AxeBuilder from '@axe-core/playwright';
import { type APIRequestContext, type APIResponse, type Locator, type Page, type PlaywrightWorkerArgs, expect } from '@playwright/test';

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

// ---- the family space: the agent's side through the API, the dev clock, checks ----

export const DEMO_AGENT = { email: 'agent.demo@villebois.example', password: 'Mairie2026' };

/**
 * The portal's clock for the family and planning specs: a Monday of
 * January 2027, the February holidays ahead (set before logging in:
 * sessions are dated on it).
 */
export const FAMILY_NOW = '2027-01-18T09:00:00+01:00';

/** An API client logged in as `who`, sending the portal's Origin (CSRF). */
export async function apiLogin(playwright: PlaywrightWorkerArgs['playwright'], baseURL: string, who: { email: string; password: string }): Promise<APIRequestContext> {
  const api = await playwright.request.newContext({
    baseURL,
    storageState: { cookies: [], origins: [] },
    extraHTTPHeaders: { Origin: new URL(baseURL).origin },
  });
  const resp = await api.post('/api/session', { data: who });
  expect(resp.status(), `log in as ${who.email}: ${await resp.text()}`).toBe(200);
  return api;
}

/** Sets the portal's clock (`--dev`). */
export async function setPortalClock(request: APIRequestContext, now: string): Promise<void> {
  const resp = await request.post('/api/dev/clock', { data: { now } });
  expect(resp.status(), `POST /api/dev/clock ${now}`).toBe(200);
}

/** The JSON answer of an API call, failing with its body when the status is not one of `ok`. */
export async function json<T>(resp: APIResponse, what: string, ok: number[] = [200, 201, 202]): Promise<T> {
  const text = await resp.text();
  expect(ok, `${what}: ${resp.status()} ${text}`).toContain(resp.status());
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface AgentFamily {
  id: string;
  label: string;
  subscriber_code: string;
  guardians: { id: string; first_name: string; last_name: string; mobile: string; personal_code: string }[];
  children: { id: string; first_name: string; last_name: string }[];
}

/** A family as the commune records it (`POST /api/agent/families`). */
export async function agentCreateFamily(agent: APIRequestContext, lastName: string, children: { first_name: string; birth_date?: string; sex?: 'M' | 'F' }[] = [{ first_name: 'Léo' }]): Promise<AgentFamily> {
  return json<AgentFamily>(
    await agent.post('/api/agent/families', {
      data: {
        guardians: [
          {
            civility: 'Mme',
            last_name: lastName,
            first_name: 'Claire',
            email: `claire.${lastName.toLowerCase()}@exemple.fr`,
            mobile: '0611223344',
            quality: 'mother',
            address: { line1: '3 place de la Mairie', line2: '', postal_code: '91000', city: 'Villebois' },
          },
        ],
        children: children.map((c) => ({ last_name: lastName, birth_date: '2018-05-04', sex: 'M', ...c })),
      },
    }),
    'POST /api/agent/families',
  );
}

/** An activity of the school year 2026-2027 (`POST /api/agent/activities`). */
export async function agentCreateActivity(agent: APIRequestContext, data: Record<string, unknown>): Promise<{ id: string; name: string }> {
  return json(
    await agent.post('/api/agent/activities', {
      data: {
        establishment: 'Ecole Lux',
        weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
        period: { from: '2026-09-01', to: '2027-07-03' },
        closures: [],
        validation: 'manual',
        // The suite's commune is in zone C; these activities set their own
        // closures and leave the school calendar aside unless asked.
        school_holidays: 'ignored',
        ...data,
      },
    }),
    'POST /api/agent/activities',
  );
}

export async function agentEnrol(agent: APIRequestContext, childId: string, activityId: string, from = '2026-09-01', to = '2027-07-03'): Promise<void> {
  await json(await agent.post('/api/agent/enrolments', { data: { child_id: childId, activity_id: activityId, from, to } }), 'POST /api/agent/enrolments');
}

export interface QueueItem {
  id: string;
  kind: string;
  state: string;
  date: string | null;
  family_id: string;
  description: string;
}

/** The pending requests of one family, oldest first. */
export async function agentPending(agent: APIRequestContext, familyId: string, kind?: string): Promise<QueueItem[]> {
  const q = new URLSearchParams({ state: 'pending', family_id: familyId });
  if (kind) q.set('kind', kind);
  const items: QueueItem[] = [];
  let page: string | null = null;
  do {
    if (page) q.set('page', page);
    const answer: { items: QueueItem[]; next_page?: string | null } = await json(await agent.get(`/api/agent/requests?${q}`), 'GET /api/agent/requests');
    items.push(...answer.items.filter((i) => i.family_id === familyId));
    page = answer.next_page ?? null;
  } while (page);
  return items;
}

export async function agentDecide(agent: APIRequestContext, id: string, decision: 'accepted' | 'refused', message?: string): Promise<void> {
  await json(await agent.post(`/api/agent/requests/${id}/decision`, { data: message ? { decision, message } : { decision } }), `decide ${id}`);
}

/** The axe scan (WCAG 2.0/2.1 A and AA) and the page checks of the browser suite, on the page as it is. */
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

/** The field's error: its own text, tied by aria-describedby, and aria-invalid. */
export async function expectInvalid(page: Page, field: Locator, message: string | RegExp): Promise<void> {
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  const ids = (await field.getAttribute('aria-describedby'))?.split(/\s+/) ?? [];
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).innerText()));
  expect(texts.join(' | ')).toMatch(message);
}

/** A small real PNG image (for the photo upload). */
export function pngImage(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGOQ9+vBihiGlgQAN/A+QZpjhUoAAAAASUVORK5CYII=',
    'base64',
  );
}

/** A small real PDF saying `text` (no script, no embedded file). */
export function pdfFile(text: string): Buffer {
  const stream = `BT /F1 24 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
