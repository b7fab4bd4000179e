import { beforeAll, describe, expect, it } from 'vitest';
import { settingDefault } from '../../src/config/settings.ts';
import { AGENT_ENV_VARS, NODE_RUNTIME_ENV_VARS } from './agent-env-vars.ts';
import { ensureTool, TOOL_INSTALL_TIMEOUT_MS } from './ensure-tool.ts';
import { CHART_DIR, findManifest, renderChart, renderNotes, runHelm, type Manifest } from './render-chart.ts';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  args: string[];
  env: EnvVar[];
  ports?: Array<{ name: string; containerPort: number }>;
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  volumeMounts: Array<{ name: string; mountPath: string }>;
  securityContext: Record<string, unknown>;
}
interface PodSpec {
  containers: Container[];
  volumes: Array<{ name: string; secret?: { secretName: string }; configMap?: { name: string } }>;
  securityContext: Record<string, unknown>;
}
type Workload = Manifest & { spec: { replicas?: number; template: { spec: PodSpec } } };
type SecretManifest = Manifest & { data: Record<string, string> };

let helm: string;

beforeAll(async () => {
  helm = await ensureTool('ensure-helm');
}, TOOL_INSTALL_TIMEOUT_MS);

function container(manifests: Manifest[], kind: string, suffix: string): Container {
  const workload = findManifest(manifests, kind, suffix) as Workload;
  const [first] = workload.spec.template.spec.containers;
  if (!first) throw new Error(`${suffix} has no container`);
  return first;
}

function env(target: Container, name: string): EnvVar | undefined {
  return target.env.find((entry) => entry.name === name);
}

function secretData(manifests: Manifest[]): Record<string, string> {
  const secret = manifests.find((manifest): manifest is SecretManifest => manifest.kind === 'Secret');
  return Object.fromEntries(Object.entries(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

describe('GitHub settings given as valueFrom', () => {
  it('become secretKeyRefs on the GitHub env vars of the worker, and never reach the API, which does not call GitHub', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['value-from.yaml'] });
    const expected: Record<string, string> = {
      GITHUB_BOT_NAME: 'name',
      GITHUB_BOT_APP_ID: 'app-id',
      GITHUB_BOT_CLIENT_ID: 'client-id',
      GITHUB_BOT_CLIENT_SECRET: 'client-secret',
      GITHUB_BOT_PRIVATE_KEY: 'private-key',
    };
    const worker = container(manifests, 'Deployment', '-worker');
    const api = container(manifests, 'Deployment', '-api');
    for (const [name, key] of Object.entries(expected)) {
      expect(env(worker, name), `${name} in the worker`).toEqual({ name, valueFrom: { secretKeyRef: { name: 'github-app', key } } });
      expect(env(api, name), `${name} in the API`).toBeUndefined();
    }
    expect(env(container(manifests, 'Deployment', '-api'), 'GITHUB_WEBHOOK_SECRET')).toEqual({
      name: 'GITHUB_WEBHOOK_SECRET',
      valueFrom: { secretKeyRef: { name: 'github-app', key: 'webhook-secret' } },
    });
    expect(env(container(manifests, 'Deployment', '-api'), 'API_KEYS')?.valueFrom?.secretKeyRef).toEqual({ name: 'agent-api', key: 'keys' });
  });

  it('creates no chart Secret when nothing is inline', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['value-from.yaml'] });
    expect(manifests.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
  });
});

describe('GitHub settings given inline', () => {
  it('go through the chart Secret, never as plain env values', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['inline.yaml'], releaseName: 'inline' });
    const data = secretData(manifests);
    expect(data.GITHUB_BOT_APP_ID).toBe('1234567');
    expect(data.GITHUB_BOT_PRIVATE_KEY).toContain('-----BEGIN RSA PRIVATE KEY-----\n');
    expect(data.GITHUB_WEBHOOK_SECRET).toBe('webhook-secret-value');
    expect(data.API_KEYS).toBe('key-one,key-two');
    expect(data.TEMPORAL_API_KEY).toBe('temporal-api-key-value');
    const secretName = findManifest(manifests, 'Secret').metadata.name;
    for (const suffix of ['-api', '-worker']) {
      const target = container(manifests, 'Deployment', suffix);
      const names =
        suffix === '-worker' ? ['GITHUB_BOT_APP_ID', 'GITHUB_BOT_PRIVATE_KEY', 'GITHUB_BOT_CLIENT_SECRET', 'TEMPORAL_API_KEY'] : ['TEMPORAL_API_KEY'];
      for (const name of names) {
        expect(env(target, name), `${name} in ${suffix}`).toEqual({ name, valueFrom: { secretKeyRef: { name: secretName, key: name } } });
      }
      const literals = target.env.filter((entry) => entry.value !== undefined).map((entry) => entry.value);
      for (const secret of Object.values(data)) expect(literals).not.toContain(secret);
    }
  });

  it('passes the GitHub URL and the Temporal connection as plain values', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['inline.yaml'] });
    for (const suffix of ['-api', '-worker']) {
      const target = container(manifests, 'Deployment', suffix);
      expect(env(target, 'GITHUB_URL')?.value).toBe('https://github.example.com');
      expect(env(target, 'TEMPORAL_ADDRESS')?.value).toBe('temporal-frontend.temporal.svc:7233');
      expect(env(target, 'TEMPORAL_NAMESPACE')?.value).toBe('deployments');
    }
  });

  it('keeps the webhook secret and API keys out of the worker', async () => {
    const worker = container(await renderChart(helm, { valuesFiles: ['inline.yaml'] }), 'Deployment', '-worker');
    expect(env(worker, 'GITHUB_WEBHOOK_SECRET')).toBeUndefined();
    expect(env(worker, 'API_KEYS')).toBeUndefined();
  });

  it('rolls the pods when a secret value changes', async () => {
    const annotation = async (secret: string) => {
      const manifests = await renderChart(helm, { valuesFiles: ['inline.yaml'], set: { 'global.integrations.github.bot.webhookSecret': secret } });
      return (findManifest(manifests, 'Deployment', '-api') as Workload & { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec
        .template.metadata.annotations['checksum/secret'];
    };
    expect(await annotation('one')).not.toBe(await annotation('two'));
  });
});

describe('env var names', () => {
  it.each(['inline.yaml', 'value-from.yaml', 'encryption.yaml'])('are all ones the agent reads, with %s', async (file) => {
    const manifests = await renderChart(helm, { valuesFiles: [file] });
    const pods = manifests.filter((manifest) => ['Deployment', 'Job'].includes(manifest.kind)) as Workload[];
    const names = pods.flatMap((pod) => pod.spec.template.spec.containers.flatMap((target) => target.env.map((entry) => entry.name)));
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !AGENT_ENV_VARS.includes(name) && !NODE_RUNTIME_ENV_VARS.includes(name))).toEqual([]);
  });
});

describe('job deadlines', () => {
  const DEADLINE_VARS = ['JOB_WEBHOOK_QUIET_PERIOD', 'JOB_POLL_INTERVAL', 'JOB_RUN_DISCOVERY_TIMEOUT', 'JOB_TIMEOUT'];

  /** The job-deadline env entries of a container, name → value. */
  function deadlines(target: Container): Record<string, string | undefined> {
    return Object.fromEntries(target.env.filter((entry) => DEADLINE_VARS.includes(entry.name)).map((entry) => [entry.name, entry.value]));
  }

  // Both processes start job workflows: the API for jobs created through it, the worker's Ctrlplane poller for pulled jobs.
  it('reach the API and the worker alike, only the ones that are set', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['ingress-plain.yaml'] });
    for (const suffix of ['-api', '-worker']) {
      expect(deadlines(container(manifests, 'Deployment', suffix)), suffix).toEqual({ JOB_WEBHOOK_QUIET_PERIOD: '30s', JOB_TIMEOUT: '2h' });
    }
  });

  it('give the API and the worker the same four values when all are set', async () => {
    const manifests = await renderChart(helm, {
      set: { 'jobs.webhookQuietPeriod': '45s', 'jobs.pollInterval': '2m', 'jobs.runDiscoveryTimeout': '15 minutes', 'jobs.timeout': '6h' },
    });
    const expected = { JOB_WEBHOOK_QUIET_PERIOD: '45s', JOB_POLL_INTERVAL: '2m', JOB_RUN_DISCOVERY_TIMEOUT: '15 minutes', JOB_TIMEOUT: '6h' };
    for (const suffix of ['-api', '-worker']) expect(deadlines(container(manifests, 'Deployment', suffix)), suffix).toEqual(expected);
  });

  it('are left out of both when none is set (the agent defaults apply)', async () => {
    const manifests = await renderChart(helm);
    for (const suffix of ['-api', '-worker']) expect(deadlines(container(manifests, 'Deployment', suffix)), suffix).toEqual({});
  });
});

describe('processes, probes and security', () => {
  it('runs `api` and `worker` from the one image with their own probes and ports', async () => {
    const manifests = await renderChart(helm);
    const api = container(manifests, 'Deployment', '-api');
    const worker = container(manifests, 'Deployment', '-worker');
    expect(api.args).toEqual(['api']);
    expect(worker.args).toEqual(['worker']);
    expect(api.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(api.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(worker.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(worker.ports).toEqual([{ name: 'metrics', containerPort: Number(settingDefault('WORKER_METRICS_PORT')), protocol: 'TCP' }]);
    for (const name of ['WORKER_METRICS_PORT', 'GITHUB_MUTATION_INTERVAL_MS', 'GITHUB_REQUEST_BUDGET'] as const) {
      expect(env(worker, name)?.value, name).toBe(settingDefault(name));
    }
    expect(env(api, 'PORT')?.value).toBe(settingDefault('PORT'));
  });

  it('scales api and worker separately', async () => {
    const manifests = await renderChart(helm, { set: { 'api.replicas': '3', 'worker.replicas': '5' } });
    expect((findManifest(manifests, 'Deployment', '-api') as Workload).spec.replicas).toBe(3);
    expect((findManifest(manifests, 'Deployment', '-worker') as Workload).spec.replicas).toBe(5);
  });

  it('runs every pod as non-root with a read-only root filesystem and no capabilities', async () => {
    const manifests = await renderChart(helm);
    const pods = manifests.filter((manifest) => ['Deployment', 'Job'].includes(manifest.kind)) as Workload[];
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      for (const target of pod.spec.template.spec.containers) {
        expect(target.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        expect(target.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      }
    }
  });

  it('has PodDisruptionBudgets only for components with more than one replica', async () => {
    const two = await renderChart(helm);
    expect(two.filter((manifest) => manifest.kind === 'PodDisruptionBudget').map((manifest) => manifest.metadata.name)).toEqual([
      'agent-github-actions-agent-api',
      'agent-github-actions-agent-worker',
    ]);
    const one = await renderChart(helm, { valuesFiles: ['ingress-plain.yaml'] });
    expect(one.filter((manifest) => manifest.kind === 'PodDisruptionBudget')).toEqual([]);
  });
});

describe('setup Job', () => {
  it('is a post-install/post-upgrade hook that runs `setup` with the Temporal settings only', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['encryption.yaml'] });
    const job = findManifest(manifests, 'Job', '-setup');
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('post-install,post-upgrade');
    const setup = container(manifests, 'Job', '-setup');
    expect(setup.args).toEqual(['setup']);
    expect(env(setup, 'TEMPORAL_NAMESPACE')?.value).toBe('my-ns.a1b2c');
    expect(env(setup, 'TEMPORAL_API_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'temporal-cloud', key: 'api-key' });
    expect(env(setup, 'GITHUB_BOT_PRIVATE_KEY')).toBeUndefined();
  });

  it('can be turned off', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['ingress-plain.yaml'] });
    expect(manifests.filter((manifest) => manifest.kind === 'Job')).toEqual([]);
  });
});

describe('ingress', () => {
  it('is off by default', async () => {
    expect((await renderChart(helm)).filter((manifest) => manifest.kind === 'Ingress')).toEqual([]);
  });

  it('publishes the webhook and the jobs API GitHub runners call when on, with TLS, and nothing else', async () => {
    const ingress = findManifest(await renderChart(helm, { valuesFiles: ['value-from.yaml'] }), 'Ingress') as Manifest & {
      spec: { ingressClassName: string; tls: unknown[]; rules: Array<{ host: string; http: { paths: Array<{ path: string; pathType: string }> } }> };
    };
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ secretName: 'agent-tls', hosts: ['agent.example.com'] }]);
    expect(ingress.spec.rules[0]?.host).toBe('agent.example.com');
    expect(ingress.spec.rules[0]?.http.paths.map(({ path, pathType }) => ({ path, pathType }))).toEqual([
      { path: '/api/github/webhook', pathType: 'Exact' },
      { path: '/api/v1', pathType: 'Prefix' },
    ]);
  });

  it('takes another list of paths from a values file or --set, as the schema allows', async () => {
    const result = await runHelm(helm, [
      'template',
      'x',
      CHART_DIR,
      '--set',
      'ingress.enabled=true',
      '--set',
      'ingress.host=a.example.com',
      '--set',
      'ingress.paths[0].path=/api/github/webhook',
      '--set',
      'ingress.paths[0].pathType=Exact',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('path: /api/github/webhook');
    expect(result.stdout).not.toContain('path: /api/v1');
  });

  it('fails to render without a host', async () => {
    const result = await runHelm(helm, ['template', 'x', CHART_DIR, '--set', 'ingress.enabled=true']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ingress.host is required');
  });
});

describe('Temporal TLS, encryption and declarative config', () => {
  it('mounts the client certificate Secret and points the TLS env vars at it', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['value-from.yaml'] });
    const worker = findManifest(manifests, 'Deployment', '-worker') as Workload;
    const target = container(manifests, 'Deployment', '-worker');
    expect(worker.spec.template.spec.volumes).toContainEqual({ name: 'temporal-tls', secret: { secretName: 'temporal-client-cert' } });
    expect(env(target, 'TEMPORAL_TLS')?.value).toBe('true');
    expect(env(target, 'TEMPORAL_TLS_CLIENT_CERT_PATH')?.value).toBe('/etc/temporal-tls/tls.crt');
    expect(env(target, 'TEMPORAL_TLS_CLIENT_KEY_PATH')?.value).toBe('/etc/temporal-tls/tls.key');
    expect(env(target, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH')?.value).toBe('/etc/temporal-tls/ca.crt');
  });

  it('passes the encryption keys to api and worker through the chart Secret', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['encryption.yaml'] });
    expect(secretData(manifests).PAYLOAD_ENCRYPTION_KEYS).toMatch(/^k2:[^,]+,k1:/);
    for (const suffix of ['-api', '-worker']) {
      expect(env(container(manifests, 'Deployment', suffix), 'PAYLOAD_ENCRYPTION_KEYS')?.valueFrom?.secretKeyRef?.key).toBe('PAYLOAD_ENCRYPTION_KEYS');
    }
  });

  it('allows the Temporal UI origin to call the codec endpoint of the API', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['encryption.yaml'] });
    expect(env(container(manifests, 'Deployment', '-api'), 'CODEC_CORS_ORIGINS')?.value).toBe('https://temporal-ui.example.com');
    expect(env(container(manifests, 'Deployment', '-worker'), 'CODEC_CORS_ORIGINS')).toBeUndefined();
  });

  it('stores inline declarative config in a ConfigMap mounted at CONFIG_FILE', async () => {
    const manifests = await renderChart(helm, { valuesFiles: ['encryption.yaml'] });
    const configMap = findManifest(manifests, 'ConfigMap') as Manifest & { data: Record<string, string> };
    expect(configMap.data['config.yaml']).toContain('agentType: github-app');
    const api = container(manifests, 'Deployment', '-api');
    expect(env(api, 'CONFIG_FILE')?.value).toBe('/etc/github-actions-agent/config.yaml');
    expect(api.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/github-actions-agent', readOnly: true });
  });
});

describe('job tokens, metrics and docs (docs/security.md)', () => {
  it('pass JOB_TOKEN_SECRET to api and worker (which signs), inline through the chart Secret or as your reference', async () => {
    const inline = await renderChart(helm, { valuesFiles: ['inline.yaml'], releaseName: 'inline' });
    expect(secretData(inline).JOB_TOKEN_SECRET).toBe('job-token-secret-value-0123456789abcdef');
    const secretName = findManifest(inline, 'Secret').metadata.name;
    for (const suffix of ['-api', '-worker']) {
      expect(env(container(inline, 'Deployment', suffix), 'JOB_TOKEN_SECRET')).toEqual({
        name: 'JOB_TOKEN_SECRET',
        valueFrom: { secretKeyRef: { name: secretName, key: 'JOB_TOKEN_SECRET' } },
      });
    }
    expect(env(container(inline, 'Deployment', '-api'), 'JOB_TOKEN_GRACE_PERIOD')?.value).toBe('5m');
    expect(env(container(inline, 'Deployment', '-worker'), 'JOB_TOKEN_GRACE_PERIOD')).toBeUndefined();

    const referenced = await renderChart(helm, { valuesFiles: ['value-from.yaml'] });
    for (const suffix of ['-api', '-worker']) {
      expect(env(container(referenced, 'Deployment', suffix), 'JOB_TOKEN_SECRET')?.valueFrom?.secretKeyRef).toEqual({
        name: 'agent-api',
        key: 'job-token-secret',
      });
    }
    const none = await renderChart(helm);
    for (const suffix of ['-api', '-worker']) expect(env(container(none, 'Deployment', suffix), 'JOB_TOKEN_SECRET')).toBeUndefined();
  });

  it('keep /metrics on the API port by default, move it to a port of its own (Service and ServiceMonitor follow), or turn it off', async () => {
    type Ports = Manifest & { spec: { ports: Array<{ name: string; port: number }>; endpoints?: Array<{ port: string }> } };
    const monitorPort = (manifests: Manifest[]) =>
      (manifests.find((m) => m.kind === 'ServiceMonitor' && m.metadata.name.endsWith('-api')) as Ports | undefined)?.spec.endpoints?.[0]?.port;
    const monitor = { 'metrics.serviceMonitor.enabled': 'true' };

    const defaults = await renderChart(helm, { set: monitor });
    expect(env(container(defaults, 'Deployment', '-api'), 'API_METRICS_PORT')).toBeUndefined();
    expect(env(container(defaults, 'Deployment', '-api'), 'API_DOCS')).toBeUndefined();
    expect(monitorPort(defaults)).toBe('http');

    const own = await renderChart(helm, { set: { ...monitor, 'api.metricsPort': '9465', 'api.docs': 'false' } });
    const api = container(own, 'Deployment', '-api');
    expect(env(api, 'API_METRICS_PORT')?.value).toBe('9465');
    expect(env(api, 'API_DOCS')?.value).toBe('off');
    expect(api.ports).toContainEqual({ name: 'metrics', containerPort: 9465, protocol: 'TCP' });
    const service = own.find((m) => m.kind === 'Service' && m.metadata.name === 'agent-github-actions-agent') as Ports;
    expect(service.spec.ports.map((port) => port.name)).toEqual(['http', 'metrics']);
    expect(monitorPort(own)).toBe('metrics');
    // The Ingress still routes to the API port only.
    const ingress = await renderChart(helm, { valuesFiles: ['value-from.yaml'], set: { 'api.metricsPort': '9465' } });
    expect(JSON.stringify(findManifest(ingress, 'Ingress'))).not.toContain('metrics');

    const off = await renderChart(helm, { set: { ...monitor, 'api.metricsPort': 'off' } });
    expect(env(container(off, 'Deployment', '-api'), 'API_METRICS_PORT')?.value).toBe('off');
    expect(monitorPort(off)).toBeUndefined();
    expect(off.filter((m) => m.kind === 'ServiceMonitor').map((m) => m.metadata.name)).toEqual(['agent-github-actions-agent-worker']);
  });
});

describe('values.schema.json', () => {
  it.each([
    ['a private key reference without a key', ['--set', 'global.integrations.github.bot.privateKey.valueFrom.secretKeyRef.name=s'], 'privateKey'],
    ['an App ID that is not a number', ['--set-string', 'global.integrations.github.bot.appId=my-app'], 'appId'],
    ['an unknown bot setting', ['--set', 'global.integrations.github.bot.appName=x'], 'appName'],
    ['a Temporal address without a port', ['--set', 'temporal.address=temporal'], 'address'],
    ['a malformed encryption key list', ['--set', 'encryption.keys=not-a-key'], 'keys'],
    ['a job timeout that is not a duration', ['--set', 'jobs.timeout=soon'], 'timeout'],
    ['a job token secret shorter than 32 characters', ['--set', 'jobTokens.secret=short'], 'secret'],
    ['an API metrics port that is neither a port nor off', ['--set', 'api.metricsPort=sometimes'], 'metricsPort'],
    ['an unknown jobTokens setting', ['--set', 'jobTokens.ttl=1h'], 'ttl'],
  ])('rejects %s', async (_label, args, field) => {
    const result = await runHelm(helm, ['template', 'x', CHART_DIR, ...args]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('schema');
    expect(result.stderr).toContain(field);
  });
});

describe('NOTES.txt', () => {
  it('prints the webhook URL to paste into the GitHub App', async () => {
    const notes = await renderNotes(helm, { valuesFiles: ['value-from.yaml'] });
    expect(notes).toContain('https://agent.example.com/api/github/webhook');
    expect(notes).not.toContain('WARNING');
  });

  it('warns about missing GitHub settings and API keys', async () => {
    const notes = await renderNotes(helm);
    expect(notes).toContain('https://<public-host>/api/github/webhook');
    expect(notes).toContain('webhookSecret is not set');
    expect(notes).toContain('GitHub bot not configured');
    expect(notes).toContain('apiKeys is empty');
  });
});

describe('the Ctrlplane connection', () => {
  const WS = '0d6f1f0e-5c2b-4b8e-9a51-2f3c4d5e6f70';
  const base = { 'ctrlplane.url': 'https://ctrlplane.example.com', 'ctrlplane.workspaceId': WS };

  it('reaches the worker only, with the API key inline (in the chart Secret) or from a Secret of yours', async () => {
    const inline = await renderChart(helm, { set: { ...base, 'ctrlplane.apiKey': 'abc.secret', 'ctrlplane.pollInterval': '30s' } });
    const worker = container(inline, 'Deployment', '-worker');
    expect(
      Object.fromEntries(
        ['CTRLPLANE_URL', 'CTRLPLANE_WORKSPACE_ID', 'CTRLPLANE_AGENT_NAME', 'CTRLPLANE_POLL_INTERVAL'].map((name) => [name, env(worker, name)?.value]),
      ),
    ).toEqual({
      CTRLPLANE_URL: 'https://ctrlplane.example.com',
      CTRLPLANE_WORKSPACE_ID: WS,
      CTRLPLANE_AGENT_NAME: 'github-actions-agent',
      CTRLPLANE_POLL_INTERVAL: '30s',
    });
    expect(env(worker, 'CTRLPLANE_API_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'agent-github-actions-agent', key: 'CTRLPLANE_API_KEY' });
    expect(secretData(inline).CTRLPLANE_API_KEY).toBe('abc.secret');
    expect(container(inline, 'Deployment', '-api').env.some((entry) => entry.name.startsWith('CTRLPLANE_'))).toBe(false);

    const referenced = await renderChart(helm, {
      set: { ...base, 'ctrlplane.apiKey.valueFrom.secretKeyRef.name': 'ctrlplane', 'ctrlplane.apiKey.valueFrom.secretKeyRef.key': 'api-key' },
    });
    expect(env(container(referenced, 'Deployment', '-worker'), 'CTRLPLANE_API_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'ctrlplane', key: 'api-key' });
    expect(secretData(referenced).CTRLPLANE_API_KEY).toBeUndefined();
  });

  it('sets nothing without a URL, and refuses a URL without workspace or key, a slug, or a bad interval', async () => {
    expect(container(await renderChart(helm), 'Deployment', '-worker').env.some((entry) => entry.name.startsWith('CTRLPLANE_'))).toBe(false);
    const refused = async (set: Record<string, string>) => {
      const args = ['template', 'x', CHART_DIR, ...Object.entries(set).flatMap(([key, value]) => ['--set', `${key}=${value}`])];
      const result = await runHelm(helm, args);
      expect(result.code, JSON.stringify(set)).not.toBe(0);
      return result.stderr;
    };
    expect(await refused({ 'ctrlplane.url': 'https://ctrlplane.example.com', 'ctrlplane.apiKey': 'a.b' })).toMatch(/workspaceId/);
    expect(await refused({ ...base })).toMatch(/apiKey/);
    expect(await refused({ ...base, 'ctrlplane.apiKey': 'a.b', 'ctrlplane.workspaceId': 'acme' })).toMatch(/workspaceId/);
    expect(await refused({ ...base, 'ctrlplane.apiKey': 'a.b', 'ctrlplane.pollInterval': '10' })).toMatch(/pollInterval/);
  });
});

describe('the dispatch allow-list', () => {
  it('reaches the API and the worker, and a malformed one is refused', async () => {
    const rules = '12345678:acme/deploy-*:deploy.yml@main,acme/infra:101@release/*,acme/web';
    const manifests = await renderChart(helm, { set: { dispatchAllowlist: rules.replace(/,/g, '\\,') } });
    for (const suffix of ['-api', '-worker']) expect(env(container(manifests, 'Deployment', suffix), 'DISPATCH_ALLOWLIST')?.value, suffix).toBe(rules);
    expect(container(await renderChart(helm), 'Deployment', '-api').env.some((entry) => entry.name === 'DISPATCH_ALLOWLIST')).toBe(false);
    const refused = await runHelm(helm, ['template', 'x', CHART_DIR, '--set', 'dispatchAllowlist=acme']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/dispatchAllowlist/);
  });
});
