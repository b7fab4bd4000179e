import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CONFIGURATION_DOC, withGeneratedTables } from '../../../scripts/settings-docs/configuration-tables.ts';

it(`${CONFIGURATION_DOC} holds the tables src/config/settings.ts gives`, async () => {
  const doc = await readFile(path.join(import.meta.dirname, '..', '..', '..', CONFIGURATION_DOC), 'utf8');
  expect(doc === withGeneratedTables(doc), `${CONFIGURATION_DOC} is out of date: run \`npm run docs:settings\``).toBe(true);
});
