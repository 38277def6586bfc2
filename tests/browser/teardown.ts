/** Removes the data folder the suite's server used. */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

export default function teardown(): void {
  const dir = process.env.MARELLE_DATA;
  // Only the folder made by playwright.config.ts, under the temp dir.
  if (dir && dir.startsWith(tmpdir()) && dir.includes('marelle-browser-')) {
    rmSync(dir, { recursive: true, force: true });
  }
}
