// The API's types, generated from the contract the server serves
// (openapi.json, a copy of GET /api/openapi.json) into src/api/schema.d.ts.
//
//   node scripts/api-types.mjs          writes src/api/schema.d.ts
//   node scripts/api-types.mjs --check  fails when it is not what openapi.json gives
//
// With --check before `tsc` in `npm run build`, a contract change the web app
// does not follow fails the build: the types change, then the pages do not compile.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import openapiTS from 'openapi-typescript';

const root = new URL('..', import.meta.url);
const contract = new URL('openapi.json', root);
const target = new URL('src/api/schema.d.ts', root);

const document = JSON.parse(await readFile(contract, 'utf8'));
const generated = await openapiTS(document);

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => null);
  if (current !== generated) {
    console.error(
      `${fileURLToPath(target)} is not what ${fileURLToPath(contract)} generates.\n` +
        'Run `npm run api:types`, then make the pages follow the new types.',
    );
    process.exit(1);
  }
} else {
  await writeFile(target, generated);
}
