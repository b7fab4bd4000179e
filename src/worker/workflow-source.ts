import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The workflow entry file: TypeScript in a checkout, JavaScript in a build (`dist/`). */
export function workflowsPath(): string {
  for (const name of ['index.ts', 'index.js']) {
    const path = fileURLToPath(new URL(`../workflows/${name}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('workflow code not found next to the worker (src/workflows or dist/workflows)');
}
