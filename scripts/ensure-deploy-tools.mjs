// Everything test/deploy needs, fetched or built once into .tools/ (helm, hadolint, Kubernetes schemas, a Compose loader).
import { pathToFileURL } from 'node:url';
import { ensureComposeConfig } from './ensure-compose-config.mjs';
import { ensureHadolint } from './ensure-hadolint.mjs';
import { ensureHelm } from './ensure-helm.mjs';
import { ensureKubernetesSchemas } from './ensure-kubernetes-schemas.mjs';

/** @returns {Promise<{ helm: string; hadolint: string; kubernetesSchemas: string; composeConfig: string }>} */
export async function ensureDeployTools() {
  // One after the other: the helm build already uses both cores.
  const helm = await ensureHelm();
  const hadolint = await ensureHadolint();
  const kubernetesSchemas = await ensureKubernetesSchemas();
  const composeConfig = await ensureComposeConfig();
  return { helm, hadolint, kubernetesSchemas, composeConfig };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await ensureDeployTools(), null, 2));
}
