// Temporal's time-skipping test server, for the workflow tests that wait hours in milliseconds
// (`TestWorkflowEnvironment.createTimeSkipping`). The SDK would download it from Temporal's CDN; the same server is
// published on Maven Central (io.temporal:temporal-test-server), so it is fetched from there once into .tools/ with
// Maven (scripts/temporal-test-server/pom.xml pins the version) and started by a small launcher that runs it on Java.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installOnce, REPO_ROOT, TOOLS_DIR } from './tools-dir.mjs';

const POM = path.join(REPO_ROOT, 'scripts', 'temporal-test-server', 'pom.xml');

/** The server's main class; its one argument is the port to listen on. */
const MAIN_CLASS = 'io.temporal.testserver.TestServer';

/**
 * The launcher the SDK runs (`server.executable: { type: 'existing-path' }`) with the port as its argument.
 * `exec`, so the SDK's stop signal reaches the Java process itself.
 */
const LAUNCHER = `#!/bin/sh
# Temporal's time-skipping test server (scripts/ensure-temporal-test-server.mjs); the first argument is the port.
here=$(cd "$(dirname "$0")" && pwd)
exec java -cp "$here/../lib/*" ${MAIN_CLASS} "$@"
`;

/** The version scripts/temporal-test-server/pom.xml pins. @returns {Promise<string>} */
export async function pinnedTestServerVersion() {
  const pom = await readFile(POM, 'utf8');
  const match = /<temporal\.test\.server\.version>([^<]+)<\/temporal\.test\.server\.version>/.exec(pom);
  if (!match?.[1]) throw new Error(`${POM} does not pin temporal.test.server.version`);
  return match[1];
}

/** @param {string} command @param {string[]} args @param {string} needs what to install when the command is missing */
function run(command, args, needs) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`}); it needs ${needs}\n${(result.stdout ?? '').slice(-2000)}${(result.stderr ?? '').slice(-2000)}`,
    );
  }
}

/**
 * Returns the launcher of the time-skipping test server: `TEMPORAL_TEST_SERVER_PATH` if set, else
 * `.tools/temporal-test-server/bin/temporal-test-server`, fetched with Maven on first use. Running it needs Java 17+.
 * @returns {Promise<string>}
 */
export async function ensureTemporalTestServer() {
  if (process.env.TEMPORAL_TEST_SERVER_PATH) return process.env.TEMPORAL_TEST_SERVER_PATH;
  const version = await pinnedTestServerVersion();
  const home = path.join(TOOLS_DIR, 'temporal-test-server');
  const lib = path.join(home, 'lib');
  const launcher = path.join(home, 'bin', 'temporal-test-server');
  await installOnce(
    'temporal-test-server',
    version,
    [launcher, path.join(lib, `temporal-test-server-${version}.jar`)],
    async () => {
      await rm(home, { recursive: true, force: true });
      await mkdir(path.dirname(launcher), { recursive: true });
      run('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`], 'Maven (https://maven.apache.org/install.html)');
      run('java', ['-version'], 'Java 17 or later (https://adoptium.net)');
      await writeFile(launcher, LAUNCHER);
      await chmod(launcher, 0o755);
    },
    'about 10 seconds with Maven',
  );
  return launcher;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await ensureTemporalTestServer());
}
