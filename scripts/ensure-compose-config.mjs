// Builds test/deploy/compose-config (compose-go, the library Docker Compose loads files with) once into .tools/bin.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GO_BUILD_LOCK, installOnce, REPO_ROOT, TOOLS_BIN, withLock } from './tools-dir.mjs';

const SOURCE_DIR = path.join(REPO_ROOT, 'test', 'deploy', 'compose-config');

/**
 * Returns the path of the compose-config binary, rebuilt whenever its Go sources change.
 * @returns {Promise<string>}
 */
export async function ensureComposeConfig() {
  const target = path.join(TOOLS_BIN, 'compose-config');
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(await readFile(path.join(SOURCE_DIR, file)));
  await installOnce(
    'compose-config',
    hash.digest('hex'),
    [target],
    async () => {
      const build = await withLock(GO_BUILD_LOCK, async () =>
        spawnSync('go', ['build', '-buildvcs=false', '-trimpath', '-o', target, '.'], {
          cwd: SOURCE_DIR,
          env: { ...process.env, CGO_ENABLED: '0' },
          stdio: ['ignore', 'inherit', 'inherit'],
        }),
      );
      if (build.error || build.status !== 0) {
        throw new Error(`building compose-config failed (${build.error?.message ?? `exit ${build.status}`}); it needs Go (https://go.dev/doc/install)`);
      }
    },
    'about a minute with Go',
  );
  return target;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await ensureComposeConfig());
}
