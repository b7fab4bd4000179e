// Builds the real Temporal server and its SQL schema tool once into .tools/, at the version docker-compose.yml
// pins, for `npm run drill:cluster` (and `BENCH_TARGET=cluster`). Both are `go install`ed from Go modules; the
// PostgreSQL schema files come from the same module, so the schema always matches the server.
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GO_BUILD_LOCK, installOnce, REPO_ROOT, TOOLS_DIR, withLock } from './tools-dir.mjs';

/**
 * The server version docker-compose.yml runs (`temporalio/server:${TEMPORAL_VERSION:-x.y.z}`): one pin for both.
 * @returns {Promise<string>}
 */
export async function composeTemporalVersion() {
  const compose = await readFile(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  const match = /temporalio\/server:\$\{TEMPORAL_VERSION:-(\d+\.\d+\.\d+)\}/.exec(compose);
  if (!match?.[1]) throw new Error('docker-compose.yml does not pin temporalio/server:${TEMPORAL_VERSION:-x.y.z}');
  return match[1];
}

/** @param {string[]} args @param {Record<string, string>} [env] */
function go(args, env = {}) {
  const result = spawnSync('go', args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    throw new Error(
      `\`go ${args.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`}); it needs Go (https://go.dev/doc/install)\n${(result.stderr ?? '').slice(-4000)}`,
    );
  }
  return result.stdout.trim();
}

/**
 * @returns {Promise<{ version: string; server: string; sqlTool: string; schemaDir: string }>} `server` is the
 * `temporal-server` binary, `sqlTool` is `temporal-sql-tool`, `schemaDir` holds `postgresql/v12/...`.
 */
export async function ensureTemporalServer() {
  const version = await composeTemporalVersion();
  const home = path.join(TOOLS_DIR, 'temporal-server');
  const bin = path.join(home, 'bin');
  const server = path.join(bin, 'temporal-server');
  const sqlTool = path.join(bin, 'temporal-sql-tool');
  const schemaDir = path.join(home, 'schema');
  await installOnce(
    'temporal-server',
    version,
    [server, sqlTool, path.join(schemaDir, 'postgresql', 'v12', 'temporal', 'versioned')],
    () =>
      withLock(GO_BUILD_LOCK, async () => {
        await rm(home, { recursive: true, force: true });
        await mkdir(bin, { recursive: true });
        const build = path.join(home, 'build');
        const env = { GOBIN: build, GOFLAGS: [process.env.GOFLAGS, '-buildvcs=false'].filter(Boolean).join(' ') };
        go(['install', `go.temporal.io/server/cmd/server@v${version}`, `go.temporal.io/server/cmd/tools/sql@v${version}`], env);
        await cp(path.join(build, 'server'), server);
        await cp(path.join(build, 'sql'), sqlTool);
        await rm(build, { recursive: true, force: true });
        const moduleDir = go(['mod', 'download', '-json', `go.temporal.io/server@v${version}`]);
        const { Dir } = /** @type {{ Dir: string }} */ (JSON.parse(moduleDir));
        await cp(path.join(Dir, 'schema'), schemaDir, { recursive: true });
        // The module cache is read-only; the copy must stay removable by the next install.
        spawnSync('chmod', ['-R', 'u+w', schemaDir]);
      }),
    'about 3 minutes with Go',
  );
  return { version, server, sqlTool, schemaDir };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await ensureTemporalServer(), null, 2));
}
