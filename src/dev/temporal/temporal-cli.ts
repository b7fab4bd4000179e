import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The newest CLI tag that still builds with `go install` (later tags carry replace directives). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const PROJECT_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
/** Git-ignored; built once, reused by every later run. */
export const TOOLS_BIN_DIR = join(PROJECT_ROOT, '.tools', 'bin');

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, name)))) return join(dir, name);
  }
  return undefined;
}

/**
 * Finds the Temporal CLI: `TEMPORAL_CLI_PATH`, then `temporal` on PATH, then our tools folder; builds it there
 * with `go install` when `build` is set. Throws a message that says how to install it when nothing works.
 */
export async function findTemporalCli(options: { build?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return fromEnv;
    throw new Error(`TEMPORAL_CLI_PATH is set to ${fromEnv}, which is not an executable file`);
  }
  const onPath = await findOnPath('temporal');
  if (onPath) return onPath;
  const cached = join(TOOLS_BIN_DIR, 'temporal');
  if (await isExecutable(cached)) return cached;
  if (!options.build) {
    throw new Error('Temporal CLI not found: run `npm run dev` or `npm test` once (they build it), or set TEMPORAL_CLI_PATH');
  }
  const go = await findOnPath('go');
  if (!go) {
    throw new Error(
      'Temporal CLI not found and Go is not installed to build it. Install the Temporal CLI ' +
        '(https://docs.temporal.io/cli#install) and put `temporal` on PATH or set TEMPORAL_CLI_PATH, ' +
        `or install Go so that \`go install github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}\` can build it.`,
    );
  }
  await mkdir(TOOLS_BIN_DIR, { recursive: true });
  const started = Date.now();
  options.log?.(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first run only, a few minutes)...`);
  try {
    await run(go, ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: TOOLS_BIN_DIR, GOFLAGS: [process.env.GOFLAGS, '-buildvcs=false'].filter(Boolean).join(' ') },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`go install of the Temporal CLI failed:\n${stderr.slice(-4000)}`, { cause: error });
  }
  options.log?.(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s: ${cached}`);
  return cached;
}

// `tsx src/dev/dev/temporal/temporal-cli.ts --build` is how scripts/ensure-setup.mjs makes sure the CLI exists.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  findTemporalCli({ build: process.argv.includes('--build'), log: (line) => console.error(line) }).then(
    (path) => console.log(path),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
