// Installs Ctrlplane's real REST API once into .tools/ctrlplane-api, from the pinned source that ../shared/ctrlplane-api
// carries (its README says how it runs), for the contract suite (`test/ctrlplane-api`). Everything is written under
// .tools/; the shared folder is only read.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { installOnce, REPO_ROOT, TOOLS_DIR } from './tools-dir.mjs';

/** The folder with Ctrlplane's pinned source and its start script: CTRLPLANE_API_HOME, or `shared/ctrlplane-api` beside the clone. */
export const CTRLPLANE_API_HOME = process.env.CTRLPLANE_API_HOME ?? path.resolve(REPO_ROOT, '..', 'shared', 'ctrlplane-api');
export const CTRLPLANE_API_SCRIPT = path.join(CTRLPLANE_API_HOME, 'ctrlplane-api.sh');
/**
 * Where it is installed: `.tools/ctrlplane-api`, unless the script runs as root in a folder the `postgres` user cannot
 * reach (PostgreSQL runs as that user and keeps its data there): then a folder of the system's temporary directory.
 */
export const CTRLPLANE_API_DIR = postgresCanReach(TOOLS_DIR) ? path.join(TOOLS_DIR, 'ctrlplane-api') : path.join(tmpdir(), 'gha-agent-ctrlplane-api');

/** @param {string} dir */
function postgresCanReach(dir) {
  if (process.getuid?.() !== 0) return true;
  // The nearest folder that exists: .tools/ may not be made yet.
  let existing = dir;
  while (!existsSync(existing)) existing = path.dirname(existing);
  return spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', existing]).status === 0;
}

/**
 * Runs `ctrlplane-api.sh <command> .tools/ctrlplane-api` with the given ports; throws with its output on failure.
 * @param {string} command
 * @param {{ pgPort?: number; apiPort?: number }} [ports]
 * @returns {string} what the script printed
 */
export function ctrlplaneApiScript(command, ports = {}) {
  const env = { ...process.env };
  if (ports.pgPort) env.CTRLPLANE_PG_PORT = String(ports.pgPort);
  if (ports.apiPort) env.CTRLPLANE_API_PORT = String(ports.apiPort);
  // Output goes to a file, not a pipe: `start` leaves a shell in the background that keeps its stdout open while the
  // API runs, and a pipe would never close.
  const dir = mkdtempSync(path.join(tmpdir(), 'ctrlplane-api-'));
  const file = path.join(dir, 'output');
  const fd = openSync(file, 'w');
  try {
    const result = spawnSync('bash', [CTRLPLANE_API_SCRIPT, command, CTRLPLANE_API_DIR], { env, stdio: ['ignore', fd, fd] });
    const output = readFileSync(file, 'utf8').trim();
    if (result.error || result.status !== 0)
      throw new Error(`ctrlplane-api.sh ${command} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`);
    return output;
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function ensureCtrlplaneApi() {
  const tarball = path.join(CTRLPLANE_API_HOME, 'ctrlplane-src.tar.gz');
  if (!existsSync(tarball)) {
    throw new Error(
      `Ctrlplane's API source is not at ${CTRLPLANE_API_HOME}: the contract suite runs the real Ctrlplane API. ` +
        'Put the shared folder beside this clone, or set CTRLPLANE_API_HOME to the folder holding ctrlplane-api.sh.',
    );
  }
  // The install follows the pinned source and the script: a new pin or script installs again.
  const pin = createHash('sha256').update(readFileSync(tarball)).update(readFileSync(CTRLPLANE_API_SCRIPT)).digest('hex').slice(0, 16);
  await installOnce(
    'ctrlplane-api',
    pin,
    [path.join(CTRLPLANE_API_DIR, 'src', 'apps', 'api', 'src', 'index.ts'), path.join(CTRLPLANE_API_DIR, 'pg', 'data', 'PG_VERSION')],
    async () => {
      ctrlplaneApiScript('setup');
      // setup leaves PostgreSQL running; the suite starts it again on ports of its own.
      ctrlplaneApiScript('stop');
    },
    'about 2 minutes',
  );
}
