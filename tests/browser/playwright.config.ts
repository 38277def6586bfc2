/**
 * The browser suite: the built web app (web/dist) served by a real
 * `marelle serve --dev --demo` on 127.0.0.1, a free port and a fresh data
 * folder, in school zone C (Villebois is in Île-de-France), driven by
 * Debian's Chromium.
 *
 *   MARELLE_BIN   the binary (default: <repo>/target/debug/marelle)
 *   MARELLE_WEB   the built web app (default: <repo>/web/dist)
 *   CHROMIUM      the browser (default: /usr/bin/chromium)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { defineConfig } from '@playwright/test';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const bin = resolve(repo, process.env.MARELLE_BIN ?? 'target/debug/marelle');
const web = resolve(repo, process.env.MARELLE_WEB ?? join('web', 'dist'));
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';

for (const [path, hint] of [
  [bin, 'build it with `cargo build -p marelle-local`, or set MARELLE_BIN'],
  [join(web, 'index.html'), 'build the web app with `npm run build` in web/'],
  [chromium, 'install it with `apt-get install -y chromium`, or set CHROMIUM'],
] as const) {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${hint}.`);
}

// Chosen once, in the runner; the workers inherit them through the environment.
if (!process.env.MARELLE_PORT) {
  process.env.MARELLE_PORT = execFileSync(process.execPath, [
    '-e',
    "const s = require('net').createServer().listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); });",
  ]).toString();
}
if (!process.env.MARELLE_DATA) {
  process.env.MARELLE_DATA = mkdtempSync(join(tmpdir(), 'marelle-browser-'));
}
// The suite signs up more accounts from 127.0.0.1 than a commune allows
// one address in an hour (10): every limit is raised for it, or the run
// would pass or fail with the hour it starts at. errors.spec.ts reads the
// factor to reach the login limit.
if (!process.env.MARELLE_RATE_LIMIT_FACTOR) process.env.MARELLE_RATE_LIMIT_FACTOR = '4';
const addr = `127.0.0.1:${process.env.MARELLE_PORT}`;
const baseURL = `http://${addr}`;

export default defineConfig({
  testDir: './specs',
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  globalTeardown: './teardown.ts',
  use: {
    baseURL,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: `"${bin}" serve --dev --demo --school-zone C --addr ${addr} --data "${process.env.MARELLE_DATA}" --web "${web}"`,
    cwd: repo,
    url: `${baseURL}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    env: { RUST_LOG: process.env.RUST_LOG ?? 'warn', MARELLE_RATE_LIMIT_FACTOR: process.env.MARELLE_RATE_LIMIT_FACTOR },
  },
});
