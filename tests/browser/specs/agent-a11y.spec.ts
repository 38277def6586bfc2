/**
 * Accessibility floor of the back-office: an axe scan (WCAG 2.0/2.1 A and
 * AA, zero violations) of every agent page and state (lists, details,
 * forms with their errors, dialogs, results), at 1280 px and at 375 px,
 * with one `<h1>`, a title, French, the landmarks and no sideways
 * scrolling on a phone; and at 640 px (200 % zoom) no sideways scrolling.
 * Data of its own: a family whose new parent changed the dossier and asked
 * for reservations in an activity of its own.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

import { type APIRequestContext, type Page, expect, test } from '@playwright/test';

import { apiAs, apiWith, ensureShared, expectAccessible, sharedState, statePath } from './agent-helpers';
import { signUpAndActivate, uniqueEmail } from './helpers';

interface Data {
  activity: string;
  familyId: string;
  day: string;
  reservation: string;
  change: string;
  decided: string;
}

const data: Data = { activity: '', familyId: '', day: '', reservation: '', change: '', decided: '' };

interface Screen {
  /** With {activity}, {familyId}, {day}, {reservation}, {change}, {decided} from the data made in beforeAll. */
  path: string;
  h1: string | RegExp;
  name?: string;
  /** Waits for the page to be ready, then puts it in the state to scan. */
  act?: (page: Page) => Promise<void>;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** The next Wednesdays from four weeks on (outside any deadline). */
function wednesdays(n: number): string[] {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 28);
  while (d.getUTCDay() !== 3) d.setUTCDate(d.getUTCDate() + 1);
  return Array.from({ length: n }, (_, i) => iso(new Date(d.getTime() + i * 7 * 86_400_000)));
}

const BROKEN_CSV = 'famille;role;nom;prenom;date_naissance;sexe\nX1;enfant;Seul;Léo;31/02/2020;M\nX2;parent;A;B;;\n';
const GOOD_CSV = 'famille;role;nom;prenom;date_naissance;sexe\nX3;responsable;Vidal;Anne;;\n';
const file = (text: string) => ({ name: 'familles.csv', mimeType: 'text/csv', buffer: Buffer.from(text, 'utf-8') });

const summaryFocused = (id = 'erreurs') => async (page: Page) => expect(page.locator(`#${id}`)).toBeFocused();

const SCREENS: Screen[] = [
  { path: '/agent', h1: 'Back-office', act: async (p) => expect(p.getByText(/en attente de traitement/)).toBeVisible() },
  { path: '/agent/demandes', h1: 'Demandes en attente', act: async (p) => expect(p.getByRole('table')).toBeVisible() },
  {
    path: '/agent/demandes',
    h1: 'Demandes en attente',
    name: 'nothing selected',
    act: async (p) => {
      await p.getByRole('button', { name: 'Accepter la sélection' }).click();
      await summaryFocused()(p);
    },
  },
  {
    path: '/agent/demandes',
    h1: 'Demandes en attente',
    name: 'family not found',
    act: async (p) => {
      await p.getByRole('textbox', { name: 'Famille', exact: true }).fill('Zzzz');
      await p.getByRole('button', { name: 'Filtrer' }).click();
      await expect(p.getByRole('textbox', { name: 'Famille', exact: true })).toHaveAttribute('aria-invalid', 'true');
    },
  },
  {
    path: '/agent/demandes?activite={activity}&jour={day}',
    h1: 'Demandes en attente',
    name: 'day dialog',
    act: async (p) => {
      await p.getByRole('button', { name: 'Tout refuser pour cette activité et ce jour' }).click();
      await expect(p.getByRole('dialog')).toBeVisible();
    },
  },
  { path: '/agent/demandes?famille={familyId}&type=dossier_change', h1: 'Demandes en attente', name: 'filtered', act: async (p) => expect(p.getByRole('table')).toBeVisible() },
  { path: '/agent/demandes/{reservation}', h1: 'Ajout de réservation', act: async (p) => expect(p.getByText('Anouk Vasseur')).toBeVisible() },
  { path: '/agent/demandes/{change}', h1: /^Modification du responsable/, act: async (p) => expect(p.getByRole('table')).toBeVisible() },
  {
    path: '/agent/demandes/{change}',
    h1: /^Modification du responsable/,
    name: 'empty message',
    act: async (p) => {
      await p.getByRole('button', { name: 'Envoyer un message' }).click();
      await summaryFocused()(p);
    },
  },
  { path: '/agent/demandes/{decided}', h1: 'Ajout de réservation', name: 'decided', act: async (p) => expect(p.getByText(/Cette demande est acceptée/)).toBeVisible() },
  { path: '/agent/demandes/01J00000000000000000000000', h1: 'Demande', name: 'unknown', act: async (p) => expect(p.getByRole('alert')).toBeVisible() },
  { path: '/agent/familles', h1: 'Familles', act: async (p) => expect(p.getByRole('region', { name: 'Toutes les familles' }).getByRole('link').first()).toBeVisible() },
  { path: '/agent/familles?q=zzzz', h1: 'Familles', name: 'no result', act: async (p) => expect(p.getByText('Aucune famille ne commence')).toBeVisible() },
  { path: '/agent/familles/nouvelle', h1: 'Créer une famille' },
  {
    path: '/agent/familles/nouvelle',
    h1: 'Créer une famille',
    name: 'with errors',
    act: async (p) => {
      await p.getByRole('button', { name: 'Ajouter un responsable' }).click();
      await p.getByRole('button', { name: 'Ajouter un enfant' }).click();
      await p.getByRole('group', { name: 'Enfant 1' }).getByRole('radio', { name: 'Féminin' }).check();
      await p.getByRole('group', { name: 'Enfant 1' }).getByLabel('Date de naissance').fill('2018-01-01');
      await p.getByRole('group', { name: 'Responsable 1' }).getByRole('textbox', { name: 'E-mail' }).fill('pas-un-email');
      await p.getByRole('group', { name: 'Responsable 1' }).getByRole('textbox', { name: 'Code postal' }).fill('12');
      await p.getByRole('button', { name: 'Créer la famille' }).click();
      await summaryFocused()(p);
    },
  },
  {
    path: '/agent/familles/nouvelle',
    h1: 'Créer une famille',
    name: 'created',
    act: async (p) => {
      const g = p.getByRole('group', { name: 'Responsable 1' });
      await g.getByRole('textbox', { name: 'Nom', exact: true }).fill('Accessible');
      await g.getByRole('textbox', { name: 'Prénom', exact: true }).fill('Alix');
      await p.getByRole('button', { name: 'Créer la famille' }).click();
      await expect(p.getByRole('heading', { level: 1 })).toHaveText('Famille créée : Famille ACCESSIBLE');
    },
  },
  { path: '/agent/familles/importer', h1: 'Importer un fichier CSV' },
  {
    path: '/agent/familles/importer',
    h1: 'Importer un fichier CSV',
    name: 'file with errors, format open',
    act: async (p) => {
      await p.getByText('Format du fichier').click();
      await p.getByLabel('Fichier CSV').setInputFiles(file(BROKEN_CSV));
      await p.getByRole('button', { name: 'Vérifier' }).click();
      await expect(p.getByRole('table')).toBeVisible();
    },
  },
  {
    path: '/agent/familles/importer',
    h1: 'Importer un fichier CSV',
    name: 'file checked',
    act: async (p) => {
      await p.getByLabel('Fichier CSV').setInputFiles(file(GOOD_CSV));
      await p.getByRole('button', { name: 'Vérifier' }).click();
      await expect(p.getByText('Le fichier est valide.')).toBeVisible();
    },
  },
  { path: '/agent/familles/{familyId}', h1: 'Famille VASSEUR', act: async (p) => expect(p.locator('#code-abonne')).toBeVisible() },
  {
    path: '/agent/familles/{familyId}',
    h1: 'Famille VASSEUR',
    name: 'revoke dialog',
    act: async (p) => {
      await p.getByRole('button', { name: 'Révoquer le code' }).click();
      await expect(p.getByRole('dialog')).toBeVisible();
    },
  },
  {
    path: '/agent/familles/{familyId}',
    h1: 'Famille VASSEUR',
    name: 'unlink dialog',
    act: async (p) => {
      await p.getByRole('button', { name: /^Retirer le lien avec / }).click();
      await expect(p.getByRole('dialog').getByRole('textbox', { name: 'Motif', exact: true })).toBeFocused();
    },
  },
  {
    path: '/agent/familles/{familyId}',
    h1: 'Famille VASSEUR',
    name: 'unlink reason missing',
    act: async (p) => {
      await p.getByRole('button', { name: /^Retirer le lien avec / }).click();
      await p.getByRole('dialog').getByRole('button', { name: 'Retirer le lien', exact: true }).click();
      await summaryFocused('erreurs-lien')(p);
    },
  },
  {
    path: '/agent/familles/{familyId}',
    h1: 'Famille VASSEUR',
    name: 'invoice errors',
    act: async (p) => {
      await p.getByRole('button', { name: 'Enregistrer la facture' }).click();
      await summaryFocused()(p);
    },
  },
  { path: '/agent/activites', h1: 'Activités', act: async (p) => expect(p.getByRole('table')).toBeVisible() },
  { path: '/agent/regies', h1: 'Régies', act: async (p) => expect(p.getByRole('table')).toBeVisible() },
  { path: '/agent/paiements-en-ligne', h1: 'Paiements en ligne à régulariser', act: async (p) => expect(p.getByRole('button', { name: 'À régulariser' })).toBeVisible() },
  { path: '/agent/creche', h1: 'Préinscriptions en crèche', act: async (p) => expect(p.getByRole('button', { name: 'Filtrer' })).toBeVisible() },
  {
    path: '/agent/creches',
    h1: 'Crèches',
    name: 'with errors',
    act: async (p) => {
      await p.getByRole('button', { name: 'Ajouter la crèche' }).click();
      await summaryFocused('creche-erreurs')(p);
    },
  },
  {
    path: '/agent/pieces-justificatives',
    h1: 'Pièces justificatives',
    act: async (p) => expect(p.getByRole('heading', { name: 'Ajouter une pièce justificative' })).toBeVisible(),
  },
  {
    path: '/agent/pieces-justificatives',
    h1: 'Pièces justificatives',
    name: 'with errors',
    act: async (p) => {
      await p.getByRole('combobox', { name: 'Validité' }).selectOption('months');
      await p.getByRole('textbox', { name: 'Nombre de mois' }).fill('0');
      await p.getByRole('button', { name: 'Ajouter la pièce' }).click();
      await summaryFocused('piece-erreurs')(p);
    },
  },
  { path: '/agent/activites/nouvelle', h1: 'Créer une activité' },
  {
    path: '/agent/activites/nouvelle',
    h1: 'Créer une activité',
    name: 'with errors',
    act: async (p) => {
      await p.getByRole('textbox', { name: 'Délai de réservation' }).fill('J+2');
      await p.getByRole('button', { name: 'Ajouter une fermeture' }).click();
      await p.getByRole('button', { name: "Créer l'activité" }).click();
      await summaryFocused()(p);
    },
  },
  { path: '/agent/activites/{activity}', h1: '5/ALSH Mercredi', act: async (p) => expect(p.getByText('Anouk Vasseur')).toBeVisible() },
  {
    path: '/agent/activites/{activity}',
    h1: '5/ALSH Mercredi',
    name: 'closure dialog',
    act: async (p) => {
      const form = p.getByRole('form', { name: 'Déclarer une fermeture' });
      await form.getByLabel('Du').fill(data.day);
      await form.getByLabel('Au').fill(data.day);
      await form.getByRole('textbox', { name: 'Libellé' }).fill('Sortie');
      await form.getByRole('button', { name: 'Déclarer la fermeture' }).click();
      await expect(p.getByRole('dialog')).toBeVisible();
    },
  },
  {
    path: '/agent/activites/{activity}',
    h1: '5/ALSH Mercredi',
    name: 'closure and enrolment errors',
    act: async (p) => {
      await p.getByRole('button', { name: 'Déclarer la fermeture' }).click();
      await summaryFocused('erreurs-fermeture')(p);
      await p.getByRole('searchbox', { name: "Famille de l'enfant" }).fill('Vasseur');
      await p.getByRole('button', { name: 'Rechercher' }).click();
      await expect(p.getByRole('radio', { name: 'Famille VASSEUR' })).toBeChecked();
      await p.getByRole('button', { name: "Inscrire l'enfant" }).click();
      await summaryFocused('erreurs-inscription')(p);
    },
  },
];

const label = (s: Screen) => `${s.path}${s.name ? ` (${s.name})` : ''}`;
const url = (s: Screen) => s.path.replace(/\{(\w+)\}/g, (_, k: keyof Data) => data[k]);

async function open(page: Page, s: Screen): Promise<void> {
  await page.goto(url(s));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(s.h1);
  if (s.act) await s.act(page);
}

test.use({ storageState: sharedState('agent') });

/**
 * Made once per run (one server, one port) and kept in a file: a worker
 * started again after a failure finds it instead of making it twice.
 */
const DATA_FILE = statePath(`agent-a11y-data-${process.env.MARELLE_PORT ?? 'run'}`);

test.beforeAll(async ({ playwright, baseURL, browser }) => {
  test.setTimeout(60_000);
  if (existsSync(DATA_FILE)) {
    Object.assign(data, JSON.parse(readFileSync(DATA_FILE, 'utf-8')) as Data);
    return;
  }
  const agent: APIRequestContext = await apiWith(playwright, baseURL as string, await ensureShared(playwright, baseURL as string, 'agent'));
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const resp = await agent.post(path, { data: body });
    expect(resp.ok(), `${path}: ${await resp.text()}`).toBe(true);
    return (await resp.json()) as T;
  };
  const days = wednesdays(3);
  const first = days[0] as string;
  const today = iso(new Date());
  const end = iso(new Date(Date.now() + 300 * 86_400_000));
  const activity = await post<{ id: string }>('/api/agent/activities', {
    name: '5/ALSH Mercredi',
    establishment: 'Centre de loisirs',
    start: '08:00',
    end: '12:00',
    weekdays: ['wed'],
    period: { from: today, to: end },
    closures: [{ from: days[2], to: days[2], label: 'Sortie au musée' }],
    capacity: 24,
    validation: 'manual',
    booking_deadline: 'J-2 ouvrés 12:00',
  });
  const family = await post<{ id: string; subscriber_code: string; children: { id: string }[] }>('/api/agent/families', {
    guardians: [{ civility: 'Mme', last_name: 'Vasseur', first_name: 'Nina', email: 'nina.vasseur@exemple.fr', mobile: '0612345678', quality: 'mother' }],
    children: [{ first_name: 'Anouk', last_name: 'Vasseur', birth_date: '2017-09-09', sex: 'F' }],
  });
  await post('/api/agent/enrolments', { child_id: family.children[0]?.id, activity_id: activity.id, from: today, to: end });

  // A parent of that family: sign-up, code, a dossier change, reservations.
  const person = { civility: 'Madame' as const, lastName: 'Vasseur', firstName: 'Nina', email: uniqueEmail('nina.vasseur'), password: 'Vasseur2026' };
  const ctx = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  await signUpAndActivate(await ctx.newPage(), person);
  await ctx.close();
  const parent = await apiAs(playwright, baseURL as string, { email: person.email, password: person.password });
  expect((await parent.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code } })).status()).toBe(201);
  const dossier = (await (await parent.get(`/api/family?family_id=${family.id}`)).json()) as { guardians: { id: string }[] };
  const change = await parent.patch(`/api/family/guardians/${dossier.guardians[0]?.id}`, {
    data: { mobile: '0699887766', address: { line1: '8 rue du Parc', line2: '', postal_code: '92100', city: 'Villebois' } },
  });
  expect(change.status()).toBe(202);
  const asked = await parent.post('/api/requests', {
    data: { kind: 'reservation', child_id: family.children[0]?.id, activity_id: activity.id, dates: [days[0], days[1]] },
  });
  expect(asked.status(), await asked.text()).toBe(201);
  const requests = ((await asked.json()) as { requests: { id: string }[] }).requests;
  await post(`/api/agent/requests/${requests[1]?.id}/decision`, { decision: 'accepted', message: 'À mercredi !' });
  Object.assign(data, {
    activity: activity.id,
    familyId: family.id,
    day: first,
    reservation: requests[0]?.id,
    change: ((await change.json()) as { request_id: string }).request_id,
    decided: requests[1]?.id,
  });
  writeFileSync(DATA_FILE, JSON.stringify(data));
  await parent.dispose();
  await agent.dispose();
});

for (const [width, height] of [
  [1280, 800],
  [375, 812],
] as const) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height } });
    for (const s of SCREENS) {
      test(`${label(s)} has no accessibility violation`, async ({ page }) => {
        await open(page, s);
        await expectAccessible(page, label(s), width < 600);
      });
    }
  });
}

test.describe('a parent', () => {
  test.use({ storageState: sharedState('parent') });
  test.beforeAll(async ({ playwright, baseURL }) => {
    await ensureShared(playwright, baseURL as string, 'parent');
  });
  for (const [width, height] of [
    [1280, 800],
    [375, 812],
  ] as const) {
    test(`the refusal page at ${width} px has no accessibility violation`, async ({ page }) => {
      await page.setViewportSize({ width, height });
      await page.goto('/agent/familles');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accès réservé aux agents');
      await expectAccessible(page, 'refusal page', width < 600);
    });
  }
});

test.describe('at 200 % zoom (640 px of a 1280 px window)', () => {
  test.use({ viewport: { width: 640, height: 400 } });

  test('no back-office page scrolls sideways', async ({ page }) => {
    test.setTimeout(120_000);
    for (const s of SCREENS) {
      await open(page, s);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal scrolling on ${label(s)}`).toBeLessThanOrEqual(0);
    }
  });
});

test('the queue works with the keyboard alone: select a line, accept it, hear the result', async ({ page }) => {
  await page.goto(`/agent/demandes?famille=${data.familyId}&type=reservation`);
  const box = page.getByRole('checkbox', { name: /^Sélectionner\s: Ajout de réservation, Famille VASSEUR/ });
  await expect(box).toHaveCount(1);
  await box.focus();
  await page.keyboard.press('Space');
  await expect(box).toBeChecked();
  const accept = page.getByRole('button', { name: 'Accepter la sélection' });
  // Tab from the box reaches the action (through the links of its line and the message).
  for (let i = 0; i < 12 && !(await accept.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(accept).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: '1 demande acceptée (sélection).' })).toBeFocused();
});
