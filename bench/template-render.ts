// Rendering a typical job agent config (5 templated fields, 10 actions) once its templates are parsed:
// repo 1, ref 1, image 2, namespace 2, target 4.
import { prepareData, renderConfig } from '../src/template/index.ts';
import type { BenchRow } from './bench-row.ts';

const config = {
  installationId: 12345,
  owner: 'acme',
  repo: '{{ .deployment.slug }}-deploy',
  workflowId: 'deploy.yml',
  ref: '{{ .variables.ref | default "main" }}',
  inputs: {
    image: '{{ .variables.image }}:{{ .version.tag | trimPrefix "v" }}',
    namespace: '{{ .resource.config.namespace }}-{{ .environment.name }}',
    target: '{{ .environment.name }}/{{ .resource.name }}-{{ .version.tag }}-{{ .resource.config.replicas }}',
    replicas: 3,
  },
};

const context = {
  deployment: { id: '0b6f3c1e-2d4a-4f7e-9b1a-5c6d7e8f9a0b', name: 'API Service', slug: 'api-service' },
  environment: { id: '8e7d6c5b-4a39-4281-8f7e-6d5c4b3a2910', name: 'production' },
  resource: {
    id: '4c3b2a19-0807-4605-9403-02f1e0d9c8b7',
    identifier: 'cluster-1/payments',
    name: 'cluster-1',
    kind: 'KubernetesCluster',
    version: 'v1',
    config: { namespace: 'payments', replicas: 3, region: 'eu-west-1' },
    metadata: { env: 'prod' },
  },
  version: { id: '9a8b7c6d', tag: 'v1.2.3', name: 'Release 1.2.3', config: {}, metadata: {} },
  variables: { image: 'ghcr.io/acme/api', replicas: 3, debug: false },
};

/** Median µs per call over several batches (the machine is shared, so single runs are noisy). */
function measure(batch: number, fn: () => void): number {
  for (let i = 0; i < batch; i++) fn(); // warm up (and fill the parse cache)
  const samples: number[] = [];
  for (let b = 0; b < 15; b++) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) fn();
    samples.push(((performance.now() - start) * 1000) / batch);
  }
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)]!;
}

export async function run(): Promise<BenchRow[]> {
  const prepared = prepareData(context);
  const perRender = measure(2_000, () => renderConfig(config, prepared));
  const withData = measure(2_000, () => renderConfig(config, context));
  return [
    {
      name: 'template render (job agent config, 5 fields, 10 actions, parsed)',
      metric: 'time per render',
      value: Number(perRender.toFixed(2)),
      unit: 'µs',
      target: '< 20 µs',
      met: perRender < 20,
    },
    {
      name: 'template render incl. converting the dispatch context',
      metric: 'time per render',
      value: Number(withData.toFixed(2)),
      unit: 'µs',
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await run());
}
