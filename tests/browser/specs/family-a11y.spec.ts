/**
 * Accessibility floor of the family space: an axe scan (WCAG 2.0/2.1 A and
 * AA, zero violations) of every page and state (errors, dialogs, pending
 * values, each planning view), at 1280 px and 375 px, with one `<h1>`,
 * a title, landmarks, and no sideways scrolling at 375 px and 640 px (200 %
 * zoom). The family is made through the API with something in every
 * state: pending changes, decided requests with messages, a waiting list.
 */
import { type APIRequestContext, type BrowserContext, type Page, expect, test } from '@playwright/test';

import {
  type AgentFamily,
  DEMO_AGENT,
  FAMILY_NOW,
  agentCreateActivity,
  agentCreateFamily,
  agentDecide,
  agentEnrol,
  agentPending,
  apiLogin,
  errorSummary,
  expectAccessible,
  field,
  json,
  pngImage,
  setPortalClock,
  signUpAndActivate,
  uniqueEmail,
} from './helpers';

type State = Awaited<ReturnType<BrowserContext['storageState']>>;

interface Screen {
  path: () => string;
  h1: string | RegExp;
  name?: string;
  /** Who looks: the parent with a family (default), or one without. */
  who?: 'family' | 'none';
  /** Something to do on the ready page before the scan. */
  act?: (page: Page) => Promise<void>;
}

const withFamily = { email: uniqueEmail('lucie.moreau'), password: 'Moreau2027' };
const withoutFamily = { email: uniqueEmail('marc.sansdossier'), password: 'Dossier2027' };
const states: Partial<Record<'family' | 'none', State>> = {};
let family: AgentFamily;
let soir: { id: string };
let matin: { id: string };
const ids = { change: '', absence: '' };

const emma = () => (family.children[0] as { id: string }).id;
const cell = (page: Page, day: string, activity: string) => page.locator(`[id="case-${day}-${emma()}-${activity}"]`);

test.beforeAll(async ({ browser, playwright, baseURL }) => {
  test.setTimeout(120_000);
  const base = baseURL as string;
  const dev = await playwright.request.newContext({ baseURL: base });
  await setPortalClock(dev, FAMILY_NOW);
  await dev.dispose();

  const agent = await apiLogin(playwright, base, DEMO_AGENT);
  family = await agentCreateFamily(agent, 'MOREAU', [
    { first_name: 'Emma', sex: 'F', birth_date: '2016-10-01' },
    { first_name: 'Léon', birth_date: '2019-01-20' },
  ]);
  soir = await agentCreateActivity(agent, { name: '4/Péri SOIR', start: '16:30', end: '18:30', closures: [{ from: '2027-02-13', to: '2027-02-28', label: "Vacances d'hiver" }] });
  const repas = await agentCreateActivity(agent, { name: '2/Repas Ecoles', start: '12:00', end: '13:30', weekdays: ['mon', 'tue', 'thu', 'fri'], capacity: 1, validation: 'automatic' });
  // Booked a week ahead: the days of the current week are past their deadline.
  matin = await agentCreateActivity(agent, { name: '1/Péri MATIN', start: '07:30', end: '08:30', booking_deadline: 'J-7 09:30', cancel_deadline: 'J-2 18:00' });
  await agentEnrol(agent, emma(), soir.id);
  await agentEnrol(agent, emma(), matin.id);
  await agentEnrol(agent, emma(), repas.id);
  await agentEnrol(agent, (family.children[1] as { id: string }).id, repas.id);
  // A document the commune asks for (mandatory for nothing: it blocks no reservation).
  await json(await agent.post('/api/agent/document-types', { data: { name: 'Certificat médical', scope: 'child', validity: 'year', mandatory_for: [], help: 'Daté de moins de 3 mois.' } }), 'document type', [201]);

  // Two parents through the real sign-up form: one to be linked, one not.
  const page = await browser.newPage({ baseURL: base });
  await signUpAndActivate(page, { civility: 'Madame', lastName: 'Moreau', firstName: 'Lucie', email: withFamily.email, password: withFamily.password });
  await signUpAndActivate(page, { civility: 'Monsieur', lastName: 'Sansdossier', firstName: 'Marc', email: withoutFamily.email, password: withoutFamily.password });
  await page.close();

  const parent = await apiLogin(playwright, base, withFamily);
  await json(await parent.post('/api/subscriptions', { data: { subscriber_code: family.subscriber_code } }), 'subscribe', [201]);
  const guardian = family.guardians[0] as { id: string };

  // Planning requests in every state.
  const ask = (body: Record<string, unknown>) => parent.post('/api/requests', { data: { kind: 'reservation', child_id: emma(), activity_id: soir.id, ...body } });
  await json(await ask({ from: '2027-02-01', to: '2027-02-12', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] }), 'reservations', [201]);
  const pending = await agentPending(agent, family.id, 'reservation');
  for (const r of pending) {
    if (r.date === '2027-02-08') await agentDecide(agent, r.id, 'refused', 'Plus de place ce jour-là, désolés.');
    else if (r.date && r.date < '2027-02-08') await agentDecide(agent, r.id, 'accepted');
  }
  await json(await ask({ kind: 'absence', dates: ['2027-02-02'], reason: 'Malade' }), 'absence', [201]);
  await json(await ask({ activity_id: repas.id, dates: ['2027-02-04'] }), 'canteen', [201]);
  await json(await ask({ child_id: (family.children[1] as { id: string }).id, activity_id: repas.id, dates: ['2027-02-04'], waiting_list: true }), 'waiting list', [201]);

  // Dossier changes: one decided with a message, others pending.
  await json(await parent.patch(`/api/family/guardians/${guardian.id}`, { data: { phone: '01 23 45 67 89' } }), 'phone');
  const change = (await agentPending(agent, family.id, 'dossier_change'))[0] as { id: string };
  await agentDecide(agent, change.id, 'accepted', 'Téléphone enregistré, merci.');
  ids.change = change.id;
  await json(
    await parent.patch(`/api/family/guardians/${guardian.id}`, {
      data: { mobile: '07 11 22 33 44', accepts_sms: true, address: { line1: '8 rue des Lilas', line2: '', postal_code: '91000', city: 'Villebois' }, bank: { holder: 'Lucie MOREAU', iban: 'FR14 2004 1010 0505 0001 3M02 606', bic: 'AGRIFRPP' } },
    }),
    'guardian changes',
  );
  await json(await parent.patch('/api/family', { data: { fiscal: { regime: 'caf', allocataire_number: '1234567', quotient_familial: 650 } } }), 'fiscal');
  await json(
    await parent.patch(`/api/family/children/${emma()}`, {
      data: {
        appliances: { glasses: true, dental: false, hearing: false },
        authorizations: { sport: true, photo: false, leave_alone: false, school_outings: true, hospitalization: true },
        health: { diet: 'vegetarian', allergies: ['Alimentaires gluten'], special_care: false, vaccines: [{ name: 'Hépatite B', date: '2017-04-05', booster_date: null }] },
        contacts: [{ full_name: 'LOUVOIS Anne', mobile: '06 55 44 33 22', phone: '', relationship: 'uncle_aunt', emergency_call: true, may_pick_up: true }],
      },
    }),
    'child changes',
  );
  const list: { items: { id: string; kind: string }[] } = await json(await parent.get('/api/requests?kind=absence'), 'absences');
  ids.absence = (list.items[0] as { id: string }).id;
  states.family = await parent.storageState();
  await parent.dispose();
  await agent.dispose();

  const lonely = await apiLogin(playwright, base, withoutFamily);
  states.none = await lonely.storageState();
  await lonely.dispose();
});

test.afterAll(async ({ playwright, baseURL }) => {
  const dev = await playwright.request.newContext({ baseURL });
  await setPortalClock(dev, new Date().toISOString());
  await dev.dispose();
});

const SCREENS: Screen[] = [
  { path: () => '/espace-famille', h1: 'Espace famille', who: 'none', name: 'without a family' },
  { path: () => '/planning', h1: 'Planning', who: 'none', name: 'without a family' },
  { path: () => '/mon-espace/abonnements', h1: 'Mes abonnements', who: 'none', name: 'without a subscription' },
  {
    path: () => '/mon-espace/abonnements',
    h1: 'Mes abonnements',
    who: 'none',
    name: 'form with errors',
    act: async (page) => {
      await page.getByRole('button', { name: "M'abonner" }).click();
      await field(page, 'Montant de la facture').fill('six euros');
      await page.getByRole('button', { name: 'Rechercher avec la facture' }).click();
      await expect(errorSummary(page)).toBeFocused();
    },
  },
  {
    path: () => '/mon-espace/abonnements',
    h1: 'Mes abonnements',
    who: 'none',
    name: 'wrong subscriber code',
    act: async (page) => {
      await page.getByRole('button', { name: "M'abonner" }).click();
      await field(page, 'Code Abonné').fill('AAAA-BBBB-CC');
      await page.getByRole('button', { name: 'Rechercher avec le code abonné' }).click();
      await expect(errorSummary(page)).toContainText('Aucun dossier famille ne correspond');
    },
  },
  { path: () => '/mon-espace', h1: 'Mon espace citoyen' },
  { path: () => '/mon-espace/abonnements', h1: 'Mes abonnements' },
  {
    path: () => '/mon-espace/abonnements',
    h1: 'Mes abonnements',
    name: 'leaving confirmation',
    act: async (page) => {
      await page.getByRole('button', { name: /^Quitter ce dossier/ }).click();
      await expect(page.getByRole('group', { name: /^Quitter le dossier/ }).getByRole('heading')).toBeFocused();
    },
  },
  { path: () => '/espace-famille', h1: 'Espace famille' },
  { path: () => '/espace-famille/ma-famille', h1: 'Ma famille', name: 'with pending changes' },
  {
    path: () => '/espace-famille/ma-famille/responsables',
    h1: 'Responsables',
    name: 'with pending values',
    act: async (page) => {
      await expect(page.getByText('Certains champs sont en demande de modification.')).toBeVisible();
      await expect(page.locator('#portable-attente')).toBeVisible();
    },
  },
  {
    path: () => '/espace-famille/ma-famille/responsables',
    h1: 'Responsables',
    name: 'with errors',
    act: async (page) => {
      await field(page, 'E-mail').fill('pas-une-adresse');
      await field(page, 'Code postal').fill('9');
      await field(page, 'IBAN').fill('FR14 2004 1010 0505 0001 3M02 607');
      await page.getByRole('button', { name: 'Soumettre la modification' }).last().click();
      await expect(errorSummary(page)).toBeFocused();
    },
  },
  {
    path: () => '/espace-famille/ma-famille/enfants',
    h1: 'Enfants',
    name: 'with pending values',
    act: async (page) => {
      await expect(page.locator('#regime-alimentaire-attente')).toBeVisible();
    },
  },
  {
    path: () => '/espace-famille/ma-famille/enfants',
    h1: 'Enfants',
    name: 'with the sub-forms open and their errors',
    act: async (page) => {
      await page.getByRole('button', { name: 'Ajouter un vaccin' }).click();
      await page.getByRole('button', { name: 'Ajouter un adulte' }).click();
      await page.getByRole('button', { name: 'Ajouter à la liste' }).first().click();
      await page.getByRole('button', { name: 'Ajouter à la liste' }).last().click();
      await expect(page.getByText('Le champ « Nom complet » est obligatoire.')).toBeVisible();
    },
  },
  {
    path: () => '/espace-famille/ma-famille/enfants',
    h1: 'Enfants',
    name: 'with server errors',
    act: async (page) => {
      await field(page, 'Date de naissance').fill('01/01/2031');
      await field(page, 'Prénom').fill('');
      await page.getByRole('button', { name: 'Soumettre la modification' }).click();
      await expect(errorSummary(page)).toBeFocused();
    },
  },
  { path: () => '/pieces-justificatives', h1: 'Pièces justificatives', who: 'none', name: 'without a family' },
  { path: () => '/pieces-justificatives', h1: 'Pièces justificatives' },
  {
    path: () => '/pieces-justificatives',
    h1: 'Pièces justificatives',
    name: 'with a file refused',
    act: async (page) => {
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: /^Ajouter le document «\sCertificat médical\s» d'Emma$/ }).click();
      await (await chooser).setFiles({ name: 'certificat.pdf', mimeType: 'application/pdf', buffer: pngImage() });
      await expect(page.getByRole('alert')).toBeFocused();
      await expect(page.getByRole('alert')).toContainText('Le fichier annoncé comme un PDF est en fait une image PNG.');
    },
  },
  { path: () => '/creche', h1: 'Crèche', who: 'none', name: 'without a family' },
  { path: () => '/creche', h1: 'Crèche' },
  { path: () => '/creche/preinscription', h1: 'Préinscrire votre enfant en crèche' },
  { path: () => '/mes-demandes', h1: 'Mes demandes' },
  { path: () => '/mes-demandes?type=reservation&etat=pending', h1: 'Mes demandes', name: 'filtered' },
  { path: () => `/mes-demandes/${ids.change}`, h1: /^Détail de ma demande/, name: 'a dossier change with a message' },
  { path: () => `/mes-demandes/${ids.absence}`, h1: 'Détail de ma demande : Emma', name: 'an absence' },
  { path: () => '/planning?vue=mois&date=2027-02-01', h1: 'Planning', name: 'month' },
  { path: () => '/planning?vue=semaine&date=2027-02-01', h1: 'Planning', name: 'week of 7 days' },
  { path: () => '/planning?vue=semaine5&date=2027-02-01', h1: 'Planning', name: 'week of 5 days' },
  {
    path: () => '/planning?vue=semaine5&date=2027-02-01',
    h1: 'Planning',
    name: 'with the confirmation open',
    act: async (page) => {
      await cell(page, '2027-02-03', soir.id).click();
      await expect(page.getByRole('dialog', { name: 'Déclarer une absence' })).toBeVisible();
    },
  },
  {
    path: () => '/planning?vue=semaine5&date=2027-01-25',
    h1: 'Planning',
    name: 'with a refusal in the confirmation',
    act: async (page) => {
      await cell(page, '2027-01-25', matin.id).click();
      const dialog = page.getByRole('dialog', { name: 'Demander une réservation' });
      await expect(dialog).toContainText('Réservable jusqu\'au lundi 18 à 09:30');
      // The deadline passes while the dialog is open: the server refuses.
      await setPortalClock(page.request, '2027-01-18T09:31:00+01:00');
      try {
        await dialog.getByRole('button', { name: 'Confirmer la demande' }).click();
        await expect(dialog.getByRole('alert')).toBeFocused();
        await expect(dialog.getByRole('alert')).toContainText('La date limite pour cette demande était le lundi 18 janvier 2027 à 09:30.');
      } finally {
        await setPortalClock(page.request, FAMILY_NOW);
      }
    },
  },
  { path: () => '/planning?vue=semaine5&date=2027-01-18', h1: 'Planning', name: 'days past their deadline' },
  { path: () => '/planning?vue=mois&date=2027-01-01', h1: 'Planning', name: 'month with past days' },
  {
    path: () => '/planning?vue=semaine5&date=2027-01-11',
    h1: 'Planning',
    name: 'a past day in the confirmation',
    act: async (page) => {
      await cell(page, '2027-01-14', soir.id).click();
      const dialog = page.getByRole('dialog', { name: 'Aucune demande possible ce jour' });
      await expect(dialog).toContainText("Ce jour est passé : aucune demande n'est plus possible.");
    },
  },
  {
    path: () => '/planning?vue=semaine5&date=2027-01-18',
    h1: 'Planning',
    name: 'a day past its deadline in the confirmation',
    act: async (page) => {
      await cell(page, '2027-01-20', matin.id).click();
      const dialog = page.getByRole('dialog', { name: 'Aucune demande possible ce jour' });
      await expect(dialog).toContainText('Délai de réservation dépassé depuis le mercredi 13 à 09:30');
      await expect(dialog).toHaveAccessibleDescription(/Délai de réservation dépassé depuis le mercredi 13 à 09:30$/);
      await expect(dialog.getByRole('button', { name: 'Confirmer la demande' })).toHaveCount(0);
    },
  },
  {
    path: () => '/planning?vue=semaine5&date=2027-02-01',
    h1: 'Planning',
    name: 'a bookable day with its deadline in the confirmation',
    act: async (page) => {
      await cell(page, '2027-02-01', matin.id).click();
      const dialog = page.getByRole('dialog', { name: 'Demander une réservation' });
      await expect(dialog).toContainText('Réservable jusqu\'au lundi 25 janvier à 09:30');
    },
  },
  {
    path: () => '/planning/demande?type=reservation',
    h1: "Réservation d'activité",
    name: 'filled in',
    act: async (page) => {
      await page.getByRole('radio', { name: 'MOREAU Emma' }).check();
      await page.getByRole('radio', { name: '4/Péri SOIR (Ecole Lux)' }).check();
      await expect(page.locator('#contraintes')).toBeVisible();
    },
  },
  {
    path: () => '/planning/demande?type=reservation',
    h1: "Réservation d'activité",
    name: 'with refused days',
    act: async (page) => {
      await page.getByRole('radio', { name: 'MOREAU Emma' }).check();
      await page.getByRole('radio', { name: '4/Péri SOIR (Ecole Lux)' }).check();
      await field(page, 'Du').fill('01/02/2027');
      await field(page, 'Au').fill('12/03/2027');
      await page.getByRole('checkbox', { name: 'lundi (16:30 - 18:30)' }).check();
      await page.getByRole('button', { name: 'Demander' }).click();
      await expect(errorSummary(page).getByRole('button', { name: 'Enregistrer seulement les jours possibles' })).toBeVisible();
    },
  },
  {
    path: () => '/planning/demande?type=reservation',
    h1: "Réservation d'activité",
    name: 'with no possible day',
    act: async (page) => {
      await page.getByRole('radio', { name: 'MOREAU Emma' }).check();
      await page.getByRole('radio', { name: '4/Péri SOIR (Ecole Lux)' }).check();
      await field(page, 'Du').fill('01/02/2027');
      await field(page, 'Au').fill('05/02/2027');
      await page.getByRole('checkbox', { name: 'lundi (16:30 - 18:30)' }).check();
      await page.getByRole('checkbox', { name: 'mercredi (16:30 - 18:30)' }).check();
      await page.getByRole('button', { name: 'Demander' }).click();
      await expect(errorSummary(page)).toContainText('Aucun jour de cette période ne peut être demandé');
      await expect(page.getByRole('button', { name: 'Enregistrer seulement les jours possibles' })).toHaveCount(0);
    },
  },
  {
    path: () => '/planning/demande?type=absence',
    h1: "Déclaration d'absence",
    name: 'with missing fields',
    act: async (page) => {
      await page.getByRole('button', { name: 'Demander' }).click();
      await expect(errorSummary(page)).toBeFocused();
    },
  },
  { path: () => '/planning/liste', h1: 'Liste de mes demandes' },
];

const label = (s: Screen) => `${s.path().replace(/[0-9A-Z]{26}/, '{id}')}${s.name ? ` (${s.name})` : ''}`;

async function open(page: Page, s: Screen): Promise<void> {
  await page.goto(s.path());
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(s.h1);
  // The page has its data (no "Chargement…" left).
  await expect(page.getByRole('main').getByText(/^Chargement/)).toHaveCount(0);
  if (s.act) await s.act(page);
}

for (const who of ['family', 'none'] as const) {
  test.describe(who === 'family' ? 'a parent with a family' : 'a parent without a family', () => {
    test.use({
      storageState: async ({}, use) => {
        await use(states[who] ?? { cookies: [], origins: [] });
      },
    });
    const screens = SCREENS.filter((s) => (s.who ?? 'family') === who);

    for (const [width, height] of [
      [1280, 800],
      [375, 812],
    ] as const) {
      test.describe(`at ${width} px`, () => {
        test.use({ viewport: { width, height } });
        for (const s of screens) {
          test(`${label(s)} has no accessibility violation`, async ({ page }) => {
            await open(page, s);
            await expectAccessible(page, label(s), width < 600);
          });
        }
      });
    }

    test.describe('at 200 % zoom (640 px of a 1280 px window)', () => {
      test.use({ viewport: { width: 640, height: 400 } });
      test('no page scrolls sideways', async ({ page }) => {
        for (const s of screens) {
          await open(page, s);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow, `horizontal scrolling on ${label(s)}`).toBeLessThanOrEqual(0);
        }
      });
    });
  });
}
