import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The code map of docs/architecture.md is the rule: each folder's row says which folders of ours its files may import,
// at run time or as types only. This test reads the table itself, so the map and the code cannot drift apart.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MAP_FILE = 'docs/architecture.md';
const MAP_HEADING = '## Code map';

/** What a row of the map allows its folder to import. */
interface Allowance {
  anything: boolean;
  runtime: Set<string>;
  typesOnly: Set<string>;
  /** The cell as written, for messages. */
  text: string;
}

/** The rows of the code map table: folder → what it may import. */
function readCodeMap(markdown: string): Map<string, Allowance> {
  const section = markdown.slice(markdown.indexOf(MAP_HEADING));
  if (!section.startsWith(MAP_HEADING)) throw new Error(`${MAP_FILE} has no "${MAP_HEADING}" section`);
  const lines = section.split('\n').slice(1);
  const tableStart = lines.findIndex((line) => line.startsWith('|'));
  const table = lines.slice(
    tableStart,
    lines.findIndex((line, index) => index > tableStart && !line.startsWith('|')),
  );
  const header = cells(table[0] as string);
  const folderColumn = header.indexOf('folder');
  const importColumn = header.indexOf('may import');
  if (folderColumn < 0 || importColumn < 0) throw new Error(`the code map's header lacks "folder" or "may import": ${table[0]}`);
  const map = new Map<string, Allowance>();
  for (const line of table.slice(2)) {
    const row = cells(line);
    const folder = /^`([^`]+)`$/.exec(row[folderColumn] as string)?.[1];
    if (!folder) throw new Error(`a code map row names no folder as \`path\`: ${line}`);
    if (map.has(folder)) throw new Error(`the code map has two rows for ${folder}`);
    map.set(folder, readAllowance(row[importColumn] as string));
  }
  return map;
}

function cells(line: string): string[] {
  return line
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

/** "nothing", "anything", "—", or a list of `folder` items, each possibly followed by "(types only…)". */
function readAllowance(text: string): Allowance {
  const allowance: Allowance = { anything: text === 'anything', runtime: new Set(), typesOnly: new Set(), text };
  if (['anything', 'nothing', '—'].includes(text)) return allowance;
  // Commas inside parentheses belong to an item's remark.
  for (const item of text.split(/,(?![^(]*\))/).map((part) => part.trim())) {
    const match = /^`([^`]+)`(?:\s*\((types only)?[^)]*\))?$/.exec(item);
    if (!match) throw new Error(`cannot read "${item}" in the code map's "may import" cell: ${text}`);
    (match[2] ? allowance.typesOnly : allowance.runtime).add(match[1] as string);
  }
  return allowance;
}

/** An import of one file: what it names, and whether it loads anything at run time. */
interface ImportOf {
  specifier: string;
  typeOnly: boolean;
}

/** Every import, re-export, `import()`, `require()` and `import('…')` type of a file. */
function importsOf(file: string): ImportOf[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: ImportOf[] = [];
  const visit = (node: ts.Node) => {
    // Only `import type`/`export type` leave nothing to load: `import { type A }` keeps `import {} from` (verbatimModuleSyntax).
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: !!node.importClause?.isTypeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The code map's name of the folder a path of the repository is in: `src/<folder>`, or the top-level folder. */
function mapFolderOf(path: string): string {
  const parts = relative(ROOT, path).split(sep);
  return parts[0] === 'src' ? `src/${parts[1]}` : (parts[0] as string);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.[cm]?ts$/.test(name) ? [path] : [];
  });
}

/**
 * Each file's imports of folders its row does not allow, said so that the fix is plain. An import allowed as types
 * only is a violation when it loads the file at run time.
 */
function violationsOf(map: ReadonlyMap<string, Allowance>, files: readonly string[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const from = mapFolderOf(file);
    const allowance = map.get(from);
    if (!allowance || allowance.anything) continue;
    for (const { specifier, typeOnly } of importsOf(file)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      const to = mapFolderOf(target);
      if (to === from || allowance.runtime.has(to) || (typeOnly && allowance.typesOnly.has(to))) continue;
      const how = typeOnly ? 'as a type' : 'at run time';
      const rule = allowance.typesOnly.has(to) ? `may import ${to} as types only` : `may not import ${to}`;
      violations.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)} ${how}, but ${from} ${rule} (${MAP_FILE}: ${allowance.text})`);
    }
  }
  return violations;
}

const codeMap = readCodeMap(readFileSync(resolve(ROOT, MAP_FILE), 'utf8'));
const srcFiles = sourceFiles(resolve(ROOT, 'src'));

describe('the code map of docs/architecture.md', () => {
  it('has one row for every folder of src/', () => {
    // Folders that hold files: git keeps no empty folder, so a checkout has none.
    const folders = readdirSync(resolve(ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && readdirSync(resolve(ROOT, 'src', entry.name), { recursive: true }).length > 0)
      .map((entry) => `src/${entry.name}`);
    expect(folders.filter((folder) => !codeMap.has(folder))).toEqual([]);
  });

  it('names only folders that exist, and lets them import only folders that exist', () => {
    const named = [...codeMap].flatMap(([folder, allowance]) => [folder, ...allowance.runtime, ...allowance.typesOnly]);
    expect([...new Set(named)].filter((folder) => !existsSync(resolve(ROOT, folder)) || !statSync(resolve(ROOT, folder)).isDirectory())).toEqual([]);
  });

  it('is kept: every file of src/ imports only what its folder may import', () => {
    expect(violationsOf(codeMap, srcFiles)).toEqual([]);
  });

  it('is read as written: a planted import of a folder a row does not allow is caught', () => {
    // The check itself, on a map of one row that leaves out a folder the client's real code imports.
    const planted = readCodeMap(
      [MAP_HEADING, '', '| folder | may import |', '| --- | --- |', '| `src/client` | `src/domain`, `src/workflows` (types only: typed calls) |', ''].join(
        '\n',
      ),
    );
    expect(planted.get('src/client')).toMatchObject({ runtime: new Set(['src/domain']), typesOnly: new Set(['src/workflows']) });
    expect(violationsOf(planted, [resolve(ROOT, 'src/client/start-job-workflow.ts')]).join('\n')).toMatch(
      /^src\/client\/start-job-workflow\.ts imports src\/contract\/workflow-contract\.ts at run time, but src\/client may not import src\/contract /m,
    );
  });
});

describe('code the workflow sandbox runs (docs/architecture.md "Code map")', () => {
  // The worker bundles these folders' code into Temporal's workflow sandbox, which has no Node API.
  const SANDBOXED = ['src/domain', 'src/template', 'src/contract', 'src/workflows'];
  // The domain and the template engine are the job's rules alone: not even the Temporal SDK.
  const TEMPORAL_FREE = ['src/domain', 'src/template'];
  const NODE_GLOBALS = new Set(['Buffer', 'process', 'require', '__dirname', '__filename', 'setImmediate']);
  const sandboxed = srcFiles.filter((file) => SANDBOXED.includes(mapFolderOf(file)));

  it('loads no Node module, and the domain and the template engine no Temporal code', () => {
    const refused = sandboxed.flatMap((file) =>
      importsOf(file)
        .filter(({ specifier, typeOnly }) => {
          if (typeOnly) return false;
          if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return true;
          return specifier.startsWith('@temporalio/') && TEMPORAL_FREE.includes(mapFolderOf(file));
        })
        .map(({ specifier }) => `${relative(ROOT, file)} loads ${specifier}`),
    );
    expect(refused).toEqual([]);
  });

  it("uses none of Node's globals", () => {
    const used: string[] = [];
    for (const file of sandboxed) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        const isReference =
          ts.isIdentifier(node) && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) && !ts.isPropertyAssignment(node.parent);
        if (isReference && NODE_GLOBALS.has(node.text)) used.push(`${relative(ROOT, file)} uses ${node.text}`);
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(used).toEqual([]);
  });
});
