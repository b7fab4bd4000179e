// Shared by the conformance tests: loads the corpus and golden file and renders cases with our engine.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseJson, type RenderBudget } from '../../src/template/index.ts';
import type { Case, Golden } from './render-conformance-case.ts';

export { fixedNow, renderCase, type Case, type Golden } from './render-conformance-case.ts';

export const conformanceDir = fileURLToPath(new URL('../conformance/', import.meta.url));

interface RawCase {
  name: string;
  template: string;
  data?: unknown;
  dataRef?: string;
  templateName?: string;
}

/** Reads cases/*.json keeping each case's data as JSON text, so number literals survive. */
export function loadCases(dir = join(conformanceDir, 'cases')): Case[] {
  const out: Case[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    const group = file.slice(0, -'.json'.length);
    const raw = parseJson(text) as RawCase[];
    // The data must be re-read as text: parseJson gave JsonNumber leaves, which stringify back
    // to their literal through toJSON only approximately, so slice the original text instead.
    const dataTexts = extractDataTexts(text);
    raw.forEach((c, i) => {
      let dataText = dataTexts[i];
      if (c.dataRef) dataText = readFileSync(join(conformanceDir, 'data', `${c.dataRef}.json`), 'utf8');
      out.push({
        id: `${group}/${c.name}`,
        template: c.template,
        ...(dataText !== undefined ? { dataText } : {}),
        ...(c.templateName ? { templateName: c.templateName } : {}),
      });
    });
  }
  return out;
}

/** The raw JSON text of each case's "data" member, by case index (undefined when absent). */
function extractDataTexts(text: string): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let i = text.indexOf('[') + 1;
  const skipWs = (): void => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const skipValue = (): void => {
    skipWs();
    const c = text[i];
    if (c === '"') {
      i++;
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      return;
    }
    if (c === '{' || c === '[') {
      let depth = 0;
      do {
        const d = text[i];
        if (d === '"') {
          skipValue();
          continue;
        }
        if (d === '{' || d === '[') depth++;
        if (d === '}' || d === ']') depth--;
        i++;
      } while (depth > 0);
      return;
    }
    while (i < text.length && !/[,\]}\s]/.test(text[i]!)) i++;
  };
  for (;;) {
    skipWs();
    if (text[i] !== '{') break;
    i++;
    let data: string | undefined;
    for (;;) {
      skipWs();
      if (text[i] === '}') {
        i++;
        break;
      }
      const keyStart = i;
      skipValue();
      const key = JSON.parse(text.slice(keyStart, i)) as string;
      skipWs();
      i++; // colon
      skipWs();
      const valStart = i;
      skipValue();
      if (key === 'data') data = text.slice(valStart, i);
      skipWs();
      if (text[i] === ',') i++;
    }
    out.push(data);
    skipWs();
    if (text[i] === ',') i++;
  }
  return out;
}

export function loadGolden(): Golden[] {
  return JSON.parse(readFileSync(join(conformanceDir, 'golden.json'), 'utf8')) as Golden[];
}

/**
 * Go's limits: none, except the depth of nested {{template}} calls (100000 on 64-bit platforms). The
 * render budget is this engine's own addition, so conformance is measured without it (renderCasesAsGo);
 * the test checks separately that the default budget changes nothing but budget errors.
 */
export const GO_LIMITS: RenderBudget = {
  maxSteps: Infinity,
  maxOutputBytes: Infinity,
  maxStringBytes: Infinity,
  maxCollectionItems: Infinity,
  maxDepth: 100_000,
  maxTemplateBytes: Infinity,
};

/**
 * Renders every case with Go's limits in a worker thread whose stack (512 MiB) is deep enough for Go's
 * 100000 nested template calls, which the default stack of a test process is not.
 */
export function renderCasesAsGo(cases: Case[]): Promise<Golden[]> {
  const require = createRequire(import.meta.url);
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const { register } = await import(workerData.tsx);
      register();
      const h = await import(workerData.harness);
      parentPort.postMessage(workerData.cases.map((c) => h.renderCase(c, h.GO_LIMITS)));
    })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
  `;
  const worker = new Worker(code, {
    eval: true,
    resourceLimits: { stackSizeMb: 512 },
    workerData: {
      cases,
      // tsx's ESM API (the package resolves its CommonJS build for require).
      tsx: pathToFileURL(require.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href,
      harness: import.meta.url,
    },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: Golden[] | { error: string }) => {
      void worker.terminate();
      if ('error' in m) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}
