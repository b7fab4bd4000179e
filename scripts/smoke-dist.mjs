#!/usr/bin/env node
// Runs the built CLI the way the image does (`node dist/cli/main.js`), so CI checks what ships, not only the
// TypeScript sources the tests load: the help text and a workflow bundle built from dist/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gha-agent-smoke-'));
try {
  const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  if (help.status !== 0 || !`${help.stdout}${help.stderr}`.includes('usage: gha-agent')) throw new Error(`dist/cli/main.js --help failed:\n${help.stdout}${help.stderr}`);
  const out = join(dir, 'workflow-bundle.js');
  const bundle = spawnSync(process.execPath, [cli, 'bundle', '--out', out], { encoding: 'utf8' });
  if (bundle.status !== 0 || statSync(out).size < 100_000) throw new Error(`dist/cli/main.js bundle failed:\n${bundle.stdout}${bundle.stderr}`);
  console.log('smoke: dist/cli/main.js --help and bundle ok');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
