#!/usr/bin/env node
// Runs the built CLI the way the image does (`node dist/cli/main.js`), so CI checks what ships, not only the
// TypeScript sources the tests load: the help text, a workflow bundle built from dist/, the failure converter.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gha-agent-smoke-'));
try {
  const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  if (help.status !== 0 || !`${help.stdout}${help.stderr}`.includes('usage: gha-agent'))
    throw new Error(`dist/cli/main.js --help failed:\n${help.stdout}${help.stderr}`);
  const out = join(dir, 'workflow-bundle.js');
  const bundle = spawnSync(process.execPath, [cli, 'bundle', '--out', out], { encoding: 'utf8' });
  if (bundle.status !== 0 || statSync(out).size < 100_000) throw new Error(`dist/cli/main.js bundle failed:\n${bundle.stdout}${bundle.stderr}`);
  // Every command module loads under Node's own ESM loader (not only through tsx/vitest): a named import that a
  // CommonJS package does not provide fails here, not at a user's start-up.
  for (const command of ['api', 'worker', 'setup', 'doctor', 'github', 'jobs', 'config', 'render', 'bundle']) await import(`../dist/cli/${command}-command.js`);
  // With payload encryption on, the SDK require()s the failure converter by path: it must be in dist/ and load.
  const { dataConverterFor } = await import('../dist/codec/data-converter.js');
  const { createRequire } = await import('node:module');
  const { failureConverterPath } = dataConverterFor([{ encode: async (p) => p, decode: async (p) => p }]);
  const converter = createRequire(import.meta.url)(failureConverterPath).failureConverter;
  if (!failureConverterPath.endsWith('.cjs') || typeof converter?.errorToFailure !== 'function')
    throw new Error(`dist failure converter not loadable: ${failureConverterPath}`);
  console.log('smoke: dist/cli/main.js --help and bundle ok; every production command module loads; dist failure converter loads');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
