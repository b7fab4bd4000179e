// `npm run docs:settings`: writes the env-var and chart-values tables of docs/configuration.md from
// src/config/settings.ts. test/unit/config/configuration-doc.test.ts fails when the file differs.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CONFIGURATION_DOC, withGeneratedTables } from './settings-docs/configuration-tables.ts';

const file = path.join(import.meta.dirname, '..', CONFIGURATION_DOC);
await writeFile(file, withGeneratedTables(await readFile(file, 'utf8')));
process.stdout.write(`wrote ${CONFIGURATION_DOC}\n`);
