/**
 * The first ten minutes, from `marelle serve --demo` alone: a portal of its
 * own (fresh data folder, its own port, stopped afterwards), walked as a new
 * parent and then a new agent would, by visible text.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, test } from '@playwright/test';

import { DEMO_AGENT, DEMO_PARENT, expectAccessible, field } from './helpers';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const bin = resolve(repo, process.env.MARELLE_BIN ?? 'target/debug/marelle');
const web = resolve(repo, process.env.MARELLE_WEB ?? join('web', 'dist'));

const port = execFileSync(process.execPath, [
  '-e',
  "const s = require('net').createServer().listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); });",
]).toString();
const base = `http://127.0.0.1:${port}`;

test.use({ baseURL: base });

let server: ChildProcess | undefined;
let data = '';

test.beforeAll(async () => {
  data = mkdtempSync(join(tmpdir(), 'marelle-demo-'));
  server = spawn(bin, ['serve', '--demo', '--school-zone', 'C', '--no-schedule', '--addr', `127.0.0.1:${port}`, '--data', data, '--web', web], {
    stdio: 'ignore',
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/api/openapi.json`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('marelle --demo did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
});

test.afterAll(() => {
  server?.kill('SIGKILL');
  if (data) rmSync(data, { recursive: true, force: true });
});

async function logIn(page: import('@playwright/test').Page, who: { email: string; password: string }) {
  await page.goto('/connexion');
  await field(page, 'Identifiant').fill(who.email);
  await field(page, 'Mot de passe').fill(who.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).not.toHaveURL(/\/connexion/);
}

for (const [label, width, height] of [
  ['wide', 1280, 900],
  ['phone', 375, 812],
] as const) {
  test(`a new parent finds a planning full of states and a refusal with its message (${label})`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await logIn(page, DEMO_PARENT);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon espace citoyen');
    await page.goto('/planning');
    const slots = page.locator('button.slot');
    await expect(slots.first()).toBeVisible();
    // The first screen of the planning: reserved, pending, refused and free days.
    for (const state of [/Réservé/, /Réservation en attente/, /Réservation refusée/, /Non réservé/]) {
      await expect(slots.filter({ hasText: state }).first(), `${state}`).toBeAttached();
    }
    await expect(page.getByText('Vos enfants ne sont inscrits à aucune activité')).toHaveCount(0);
    await expectAccessible(page, `the demo's planning (${label})`, label === 'phone');
    // Mes demandes, the refused ones: each with its detail.
    await page.goto('/mes-demandes?etat=refused');
    await expect(page.getByRole('link', { name: /Voir le détail/ }).first()).toBeVisible();
    await expectAccessible(page, `the demo's refused requests (${label})`, label === 'phone');
  });
}

test('a refusal carries the commune message in Mes demandes', async ({ page }) => {
  await logIn(page, DEMO_PARENT);
  await page.goto('/mes-demandes?etat=refused');
  const details = page.getByRole('link', { name: /Voir le détail/ });
  await expect(details.first()).toBeVisible();
  expect(await details.count()).toBeGreaterThanOrEqual(2);
  await details.first().click();
  await expect(page.locator('.history__message').first()).toContainText(/accueil du soir|groupe du soir est complet|l'absence ne peut pas être enregistrée|ne couvre que le temps scolaire/);
});

test('a new agent sees the queue, previews the coming processing e-mail and reads the outbox', async ({ page }) => {
  await logIn(page, DEMO_AGENT);
  await page.goto('/agent');
  await expect(page.getByText(/demandes? en attente de traitement/)).toBeVisible();
  await page.getByRole('link', { name: "Voir l'accusé de traitement de la prochaine fenêtre" }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accusé de traitement de la prochaine fenêtre');
  await expect(page.getByText(/Envoi prévu le/)).toBeVisible();
  const mail = page.getByRole('region', { name: /Texte du courriel/ }).first();
  await expect(mail).toContainText('de vos demandes ont été traitées');
  await expect(mail).toContainText('Timéo');
  await expectAccessible(page, 'the digest preview', false);
  await page.getByRole('link', { name: "Voir la boîte d'envoi de la démo" }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Boîte d'envoi de la démo");
  await expect(page.getByRole('heading', { name: /Accusé d'enregistrement électronique/ }).first()).toBeVisible();
  await expectAccessible(page, "the demo's outbox", false);
  await page.setViewportSize({ width: 375, height: 812 });
  await expectAccessible(page, "the demo's outbox on a phone", true);
});
