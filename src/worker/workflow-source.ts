import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A source file next to the worker: TypeScript in a checkout, JavaScript in a build (`dist/`). */
function sourceFile(directory: string, base: string): string {
  for (const name of [`${base}.ts`, `${base}.js`]) {
    const path = fileURLToPath(new URL(`../${directory}/${name}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`${directory}/${base} not found next to the worker (src/ or dist/)`);
}

/** The workflow entry file. */
function workflowsPath(): string {
  return sourceFile('workflows', 'index');
}

/**
 * How the workflow code is bundled, for every bundle we make (worker start, `gha-agent bundle`, tests, bench).
 *
 * `preloadModules`: modules evaluated once per worker and shared by every workflow, instead of once for each workflow
 * the cache does not hold, every time it next has work (docs/performance.md, "10,000 waiting jobs"). Only the template
 * engine and its regular expressions (re2js) qualify: they keep no per-workflow state (a render is synchronous and
 * resets its budget meter; their caches map a pattern or a source to the same parse for every workflow). The SDK
 * freezes their exports, so none may be assigned to later; test/e2e/template-functions.test.ts runs them in a worker.
 */
export function workflowBundleOptions(): { workflowsPath: string; preloadModules: string[] } {
  return { workflowsPath: workflowsPath(), preloadModules: [sourceFile('template', 'index')] };
}
