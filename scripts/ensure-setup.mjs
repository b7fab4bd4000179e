#!/usr/bin/env node
// Makes a fresh clone runnable: installs npm dependencies when they are missing or stale, then makes sure the
// Temporal CLI exists (PATH, TEMPORAL_CLI_PATH, or built once into .tools/bin with `go install`).
// `ensure-setup.mjs test` also prepares what the test suite needs: the deployment-validation tools (helm,
// hadolint, Kubernetes and Compose schemas, into .tools/), Chromium for the Temporal UI browser test, Temporal's
// time-skipping test server for the workflow tests (Maven and Java), and for the
// cluster drill the Temporal server with its SQL tool (Go) and the image's Node release, and Ctrlplane's real API.
// Plain Node on purpose: it runs before any dependency is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args, { quiet = false } = {}) {
  const stdio = quiet ? ['inherit', 'ignore', 'inherit'] : 'inherit';
  const result = spawnSync(command, args, { cwd: root, stdio, env: process.env });
  if (result.status !== 0) {
    console.error(`setup: \`${command} ${args.join(' ')}\` failed`);
    process.exit(result.status ?? 1);
  }
}

function installedIsCurrent() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs;
}

const started = Date.now();
if (!installedIsCurrent()) {
  console.error('setup: installing npm dependencies (npm ci)...');
  run(npm, ['ci', '--no-audit', '--no-fund']);
}
run(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'src', 'dev', 'temporal', 'temporal-cli.ts'), '--build'], {
  quiet: true,
});
if (process.argv.includes('test')) {
  const { ensureDeployTools } = await import('./ensure-deploy-tools.mjs');
  await ensureDeployTools();
  const { ensureChromium } = await import('./ensure-chromium.mjs');
  ensureChromium();
  // The workflow tests' time-skipping Temporal test server (Maven, run on Java).
  const { ensureTemporalTestServer } = await import('./ensure-temporal-test-server.mjs');
  await ensureTemporalTestServer();
  // The production-topology drill (npm test runs it last): the real Temporal server and the image's Node release.
  const { ensureTemporalServer } = await import('./ensure-temporal-server.mjs');
  await ensureTemporalServer();
  const { ensureNodeLts } = await import('./ensure-node-lts.mjs');
  await ensureNodeLts();
  // The contract suite runs against Ctrlplane's real API, from the pinned source beside the clone.
  const { ensureCtrlplaneApi } = await import('./ensure-ctrlplane-api.mjs');
  await ensureCtrlplaneApi();
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (Number(seconds) > 5) console.error(`setup: ready in ${seconds} s`);
