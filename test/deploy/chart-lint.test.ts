import { beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesValidator, type KubernetesValidator } from './create-kubernetes-validator.ts';
import { ensureTool, TOOL_INSTALL_TIMEOUT_MS } from './ensure-tool.ts';
import { CHART_DIR, KUBERNETES_VERSION, renderChart, runHelm, VALUES_DIR, type Manifest } from './render-chart.ts';

const VALUES_FILES = ['inline.yaml', 'value-from.yaml', 'ingress-plain.yaml', 'encryption.yaml'];

let helm: string;
let validateManifest: KubernetesValidator;

beforeAll(async () => {
  helm = await ensureTool('ensure-helm');
  validateManifest = await createKubernetesValidator(await ensureTool('ensure-kubernetes-schemas'));
}, TOOL_INSTALL_TIMEOUT_MS);

describe('helm lint', () => {
  it.each(['(defaults)', ...VALUES_FILES])('passes --strict with %s', async (file) => {
    const args = ['lint', CHART_DIR, '--strict', '--kube-version', KUBERNETES_VERSION];
    if (file !== '(defaults)') args.push('--values', `${VALUES_DIR}/${file}`);
    const result = await runHelm(helm, args);
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.code).toBe(0);
  });
});

describe(`rendered manifests against the Kubernetes ${KUBERNETES_VERSION} schemas`, () => {
  it.each(['(defaults)', ...VALUES_FILES])('are valid with values %s', async (file) => {
    const manifests = await renderChart(helm, { valuesFiles: file === '(defaults)' ? [] : [file] });
    const builtIn = manifests.filter((manifest) => manifest.apiVersion !== 'monitoring.coreos.com/v1');
    expect(builtIn.map((manifest) => manifest.kind)).toEqual(expect.arrayContaining(['Deployment', 'Service', 'ServiceAccount']));
    expect(builtIn.flatMap(validateManifest)).toEqual([]);
  });

  it('rejects a manifest with an unknown field or a wrong type (the validator is strict)', async () => {
    const [deployment] = (await renderChart(helm)).filter((manifest) => manifest.kind === 'Deployment');
    const spec = (deployment as Manifest & { spec: Record<string, unknown> }).spec;
    expect(validateManifest({ ...(deployment as Manifest), spec: { ...spec, replica: 2 } })).not.toEqual([]);
    expect(validateManifest({ ...(deployment as Manifest), spec: { ...spec, replicas: '2' } })).not.toEqual([]);
  });

  it('renders ServiceMonitors (a custom resource) whose endpoints name ports of the selected Services', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['value-from.yaml'] });
    const monitors = manifests.filter((manifest) => manifest.kind === 'ServiceMonitor');
    expect(monitors).toHaveLength(2);
    for (const monitor of monitors as Array<Manifest & { spec: ServiceMonitorSpec }>) {
      expect(monitor.metadata.labels?.release).toBe('prometheus');
      const services = manifests.filter(
        (manifest): manifest is Manifest & { spec: ServiceSpec } =>
          manifest.kind === 'Service' && Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => manifest.metadata.labels?.[key] === value),
      );
      expect(services).toHaveLength(1);
      const portNames = services[0]?.spec.ports.map((port) => port.name);
      for (const endpoint of monitor.spec.endpoints) {
        expect(portNames).toContain(endpoint.port);
        expect(endpoint.path).toBe('/metrics');
      }
    }
  });
});

interface ServiceMonitorSpec {
  selector: { matchLabels: Record<string, string> };
  endpoints: Array<{ port: string; path: string }>;
}
interface ServiceSpec {
  ports: Array<{ name: string }>;
}
