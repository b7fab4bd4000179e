import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// What `gha-agent api|worker|…` load in production must come from `dependencies` (the image installs only those,
// `npm ci --omit=dev`) and never from dev tooling: the sandboxes, the dev stack, the bench, the drill, the tests
// (docs/architecture.md "Code map"). `dev` is the one command that may, and main.ts loads it only on demand.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PRODUCTION_COMMANDS = ['api', 'worker', 'setup', 'doctor', 'github', 'jobs', 'config', 'render', 'bundle'];
const DEV_ONLY = ['src/sandbox/', 'src/dev/', 'bench/', 'drill/', 'test/', 'scripts/'];
const packageJson = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Module specifiers a file loads at run time: static imports and re-exports (not `import type`), literal `import()` and `require()`. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    // `import { type A }` still loads its module (verbatimModuleSyntax keeps `import {} from`); `import type` does not.
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every file of ours and every package the given entry files load, following relative imports. */
function graphOf(entries: string[]): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.')) {
        queue.push(resolve(dirname(file), specifier));
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
        if (!packages.has(name)) packages.set(name, relative(ROOT, file));
      }
    }
  }
  return { files, packages };
}

describe('production import boundary', () => {
  // Loaded by path rather than imported: the workflow code (bundled by the worker) and the failure converter.
  const byPath = ['src/workflows/index.ts', 'src/codec/encoded-failure-converter.cts'];
  const graph = graphOf([
    ...PRODUCTION_COMMANDS.map((command) => resolve(ROOT, `src/cli/${command}-command.ts`)),
    ...byPath.map((file) => resolve(ROOT, file)),
  ]);

  it('follows the commands into most of src/', () => {
    // A sanity check of the walk itself: it reaches the workflow, the API and the activities.
    const reached = [...graph.files].map((file) => relative(ROOT, file));
    for (const expected of [
      'src/workflows/job-workflow.ts',
      'src/api/build-app.ts',
      'src/activities/create-activities.ts',
      'src/ctrlplane/ctrlplane-poller.ts',
    ]) {
      expect(reached).toContain(expected);
    }
  });

  it('never reaches the sandboxes, the dev stack, the bench or the tests', () => {
    const devFiles = [...graph.files].map((file) => relative(ROOT, file)).filter((file) => DEV_ONLY.some((prefix) => file.startsWith(prefix)));
    expect(devFiles).toEqual([]);
  });

  it('loads only packages listed in dependencies', () => {
    const missing = [...graph.packages].filter(([name]) => !(name in packageJson.dependencies)).map(([name, from]) => `${name} (imported by ${from})`);
    expect(missing).toEqual([]);
  });

  it('lists no dependency that production never loads', () => {
    // The worker's bundler loads webpack's loaders from @temporalio/worker; everything else must be imported.
    const unused = Object.keys(packageJson.dependencies).filter((name) => !graph.packages.has(name));
    expect(unused).toEqual([]);
  });
});

describe('workflow code boundary', () => {
  // Every workflow the worker's cache does not hold evaluates the bundle's modules again when it next has work
  // (docs/performance.md, "10,000 waiting jobs"), so the workflow code loads no package it can do without: zod
  // alone cost more per workflow than everything else together.
  it('loads only the Temporal SDK and the regular expression engine of the template functions', () => {
    const { packages } = graphOf([resolve(ROOT, 'src/workflows/index.ts')]);
    expect([...packages.keys()].sort()).toEqual(['@temporalio/common', '@temporalio/workflow', 're2js']);
  });
});
