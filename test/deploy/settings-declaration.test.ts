import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART_ONLY_VALUES } from '../../scripts/settings-docs/chart-only-values.ts';
import { SETTINGS, type Setting, type SettingName, type SettingReader } from '../../src/config/settings.ts';
import { NODE_RUNTIME_ENV_VARS } from './agent-env-vars.ts';
import { ensureTool, REPO_ROOT, TOOL_INSTALL_TIMEOUT_MS } from './ensure-tool.ts';
import { CHART_DIR, renderChart, type Manifest } from './render-chart.ts';

// The Helm chart, docker-compose.yml and .env.example held to src/config/settings.ts: every variable they set is
// declared, reaches exactly the processes that read it, and carries the declared default.

const DECLARED: readonly Setting[] = SETTINGS;
const declared = new Map(DECLARED.map((setting) => [setting.name, setting]));

/** The processes reading `setting` that a deployment runs. */
function readersAmong(setting: Setting, present: readonly SettingReader[]): SettingReader[] {
  return setting.readBy.filter((reader) => present.includes(reader));
}

/** Every (variable, process) pair: the variable is declared, and the process is one that reads it. */
function misplaced(given: Record<SettingReader, readonly string[]>): string[] {
  return Object.entries(given).flatMap(([process, names]) =>
    names
      .filter((name) => !NODE_RUNTIME_ENV_VARS.includes(name))
      .filter((name) => !declared.get(name)?.readBy.includes(process as SettingReader))
      .map((name) => `${name} given to ${process}, ${declared.has(name) ? `read by ${declared.get(name)?.readBy.join(', ')} only` : 'which no process reads'}`),
  );
}

/** Every variable given to some of the processes that read it but not to all (one set, the other left to its default). */
function partial(given: Record<SettingReader, readonly string[]>): string[] {
  const present = Object.keys(given) as SettingReader[];
  return DECLARED.flatMap((setting) => {
    const holders = present.filter((process) => given[process].includes(setting.name));
    const missing = readersAmong(setting, present).filter((reader) => !holders.includes(reader));
    return holders.length === 0 || missing.length === 0 ? [] : [`${setting.name} given to ${holders.join(', ')}, not to ${missing.join(', ')}, which reads it`];
  });
}

describe('the Helm chart', () => {
  interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }
  type Pod = Manifest & { spec: { template: { spec: { containers: Array<{ env: EnvVar[] }> } } } };

  /**
   * A value for each setting the chart maps, and the variable it must become (the value itself unless said). The
   * chart's schema must accept each.
   */
  const EXAMPLES: Partial<Record<SettingName, { value: unknown; env?: string }>> = {
    GITHUB_BOT_APP_ID: { value: 1234567, env: '1234567' },
    GITHUB_BOT_PRIVATE_KEY: { value: '-----BEGIN RSA PRIVATE KEY-----\nexample\n-----END RSA PRIVATE KEY-----\n' },
    GITHUB_WEBHOOK_SECRET: { value: 'webhook-secret-value' },
    GITHUB_BOT_NAME: { value: 'example-bot' },
    GITHUB_BOT_CLIENT_ID: { value: 'Iv1.example' },
    GITHUB_BOT_CLIENT_SECRET: { value: 'client-secret-value' },
    GITHUB_URL: { value: 'https://github.example.com' },
    GITHUB_API_URL: { value: 'https://github.example.com/api/v3' },
    GITHUB_MUTATION_INTERVAL_MS: { value: 500, env: '500' },
    GITHUB_REQUEST_BUDGET: { value: 0.5, env: '0.5' },
    GITHUB_REDELIVER_INTERVAL: { value: '5m' },
    API_KEYS: { value: 'key-one,key-two' },
    JOB_TOKEN_SECRET: { value: 'job-token-secret-value-0123456789abcdef' },
    JOB_TOKEN_GRACE_PERIOD: { value: '5m' },
    PORT: { value: 8081, env: '8081' },
    API_METRICS_PORT: { value: 9465, env: '9465' },
    API_DOCS: { value: false, env: 'off' },
    CODEC_CORS_ORIGINS: { value: 'https://temporal-ui.example.com' },
    CONFIG_FILE: { value: 'type: JobAgent\nname: github\nagentType: github-app\n', env: '/etc/github-actions-agent/config.yaml' },
    DISPATCH_ALLOWLIST: { value: 'acme/deploy-*:deploy.yml@main,acme/web' },
    JOB_WEBHOOK_QUIET_PERIOD: { value: '45s' },
    JOB_POLL_INTERVAL: { value: '2m' },
    JOB_RUN_DISCOVERY_TIMEOUT: { value: '15 minutes' },
    JOB_TIMEOUT: { value: '6h' },
    TEMPORAL_ADDRESS: { value: 'temporal.example.com:7233' },
    TEMPORAL_NAMESPACE: { value: 'deployments' },
    TEMPORAL_API_KEY: { value: 'temporal-api-key-value' },
    TEMPORAL_TLS: { value: true, env: 'true' },
    TEMPORAL_TLS_SERVER_NAME: { value: 'temporal.example.com' },
    TEMPORAL_TASK_QUEUE: { value: 'deploy-queue' },
    PAYLOAD_ENCRYPTION_KEYS: { value: 'k1:Zmlyc3Qta2V5LTMyLWJ5dGVzLWxvbmcteHh4eHh4eHg=' },
    WORKER_METRICS_PORT: { value: 9465, env: '9465' },
    WORKER_MAX_CACHED_WORKFLOWS: { value: 100, env: '100' },
    LOG_LEVEL: { value: 'debug' },
    CTRLPLANE_URL: { value: 'https://ctrlplane.example.com' },
    CTRLPLANE_API_KEY: { value: 'abc.secret' },
    CTRLPLANE_WORKSPACE_ID: { value: '0d6f1f0e-5c2b-4b8e-9a51-2f3c4d5e6f70' },
    CTRLPLANE_AGENT_NAME: { value: 'example-agent' },
    CTRLPLANE_AGENT_ID: { value: '1e7f2f1f-6d3c-4c9f-8b62-3f4d5e6f7081' },
    CTRLPLANE_POLL_INTERVAL: { value: '30s' },
  };
  /** Chart values that set variables no single value maps (the TLS files of temporal.tls.existingSecret). */
  const MOUNTED_TLS = { temporal: { tls: { existingSecret: 'temporal-client-cert', caKey: 'ca.crt' } } };

  const mapped = DECLARED.filter((setting) => setting.chart !== undefined);

  function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
    const keys = dotted.split('.');
    let node = target;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1) as string] = value;
  }

  function getPath(source: unknown, dotted: string): unknown {
    return dotted.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], source);
  }

  /** Every value of `node` as a dotted path: a scalar, null, a list or an empty map, what a user sets as a whole. */
  function leafPaths(node: unknown, prefix = ''): string[] {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || Object.keys(node).length === 0) return [prefix];
    return Object.entries(node).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
  }

  /** Whether `value` is the path `documented` or lies under it. */
  const within = (value: string, documented: string): boolean => value === documented || value.startsWith(`${documented}.`);

  let valuesYaml: unknown;
  /** Each process's env of the chart rendered with every mapped value set. */
  let given: Record<SettingReader, EnvVar[]>;
  let secretData: Record<string, string>;

  beforeAll(async () => {
    const helm = await ensureTool('ensure-helm');
    valuesYaml = parse(await readFile(path.join(CHART_DIR, 'values.yaml'), 'utf8'));
    const values: Record<string, unknown> = structuredClone(MOUNTED_TLS);
    for (const setting of mapped) {
      const example = EXAMPLES[setting.name as SettingName];
      if (example && setting.chart) setPath(values, setting.chart.value, example.value);
    }
    const manifests = await renderChart(helm, { values });
    const pod = (kind: string, suffix: string) => {
      const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name.endsWith(suffix)) as Pod | undefined;
      return found?.spec.template.spec.containers.flatMap((container) => container.env) ?? [];
    };
    given = { api: pod('Deployment', '-api'), worker: pod('Deployment', '-worker'), setup: pod('Job', '-setup') };
    const secret = manifests.find((manifest) => manifest.kind === 'Secret') as (Manifest & { data: Record<string, string> }) | undefined;
    secretData = Object.fromEntries(Object.entries(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
  }, TOOL_INSTALL_TIMEOUT_MS);

  const names = (): Record<SettingReader, string[]> => ({
    api: given.api.map((entry) => entry.name),
    worker: given.worker.map((entry) => entry.name),
    setup: given.setup.map((entry) => entry.name),
  });

  it('maps to a setting, or lists in scripts/settings-docs/chart-only-values.ts, every value of values.yaml', () => {
    const documented = [...mapped.map((setting) => setting.chart?.value as string), ...CHART_ONLY_VALUES.flatMap((row) => row.covers)];
    expect(leafPaths(valuesYaml).filter((value) => !documented.some((path) => within(value, path)))).toEqual([]);
  });

  it('lists as chart-only values that values.yaml holds and no setting maps', () => {
    const listed = CHART_ONLY_VALUES.flatMap((row) => row.covers);
    expect({
      absent: listed.filter((path) => getPath(valuesYaml, path) === undefined),
      mapped: listed.filter((path) => mapped.some((setting) => within(setting.chart?.value as string, path) || within(path, setting.chart?.value as string))),
    }).toEqual({ absent: [], mapped: [] });
  });

  it('has an example value here for every setting it maps', () => {
    expect(mapped.filter((setting) => !EXAMPLES[setting.name as SettingName]).map((setting) => setting.name)).toEqual([]);
  });

  it("holds each mapped setting's default in values.yaml, or leaves the value empty so the agent's default applies", () => {
    const wrong = mapped.flatMap((setting) => {
      const chart = setting.chart as NonNullable<Setting['chart']>;
      const inValues = getPath(valuesYaml, chart.value);
      const expected = chart.default ?? setting.default;
      const empty = inValues === null || inValues === undefined || inValues === '';
      if (empty && chart.default === undefined) return [];
      return String(inValues) === expected
        ? []
        : [`${chart.value}: ${JSON.stringify(inValues)} in values.yaml, ${expected ?? 'unset'} declared for ${setting.name}`];
    });
    expect(wrong).toEqual([]);
  });

  it('turns each mapped value into its variable, a secret through a Secret', () => {
    const wrong = mapped.flatMap((setting) => {
      const example = EXAMPLES[setting.name as SettingName];
      const entry = setting.readBy.map((reader) => given[reader].find((candidate) => candidate.name === setting.name)).find(Boolean);
      if (!example || !entry) return [`${setting.name}: ${setting.chart?.value} reaches none of ${setting.readBy.join(', ')}`];
      if (setting.secret && entry.value !== undefined) return [`${setting.name}: a secret given as a literal`];
      const value = entry.value ?? secretData[entry.valueFrom?.secretKeyRef?.key ?? ''];
      const expected = example.env ?? String(example.value);
      return value === expected ? [] : [`${setting.name}: ${JSON.stringify(value)}, expected ${JSON.stringify(expected)}`];
    });
    expect(wrong).toEqual([]);
  });

  it('gives each variable only to processes that read it', () => {
    expect(misplaced(names())).toEqual([]);
  });

  it('gives each variable it sets to every process that reads it', () => {
    expect(partial(names())).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  interface Service {
    environment?: Record<string, string>;
  }
  let composeText: string;
  let services: Record<string, Service>;

  beforeAll(async () => {
    composeText = await readFile(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    // Compose resolves YAML merge keys (<<) before it reads a service.
    services = (parse(composeText, { merge: true }) as { services: Record<string, Service> }).services;
  });

  const names = (): Record<SettingReader, string[]> => ({
    api: Object.keys(services.api?.environment ?? {}),
    worker: Object.keys(services.worker?.environment ?? {}),
    setup: Object.keys(services.setup?.environment ?? {}),
  });

  it('gives each variable only to processes that read it', () => {
    expect(misplaced(names())).toEqual([]);
  });

  it('gives each variable it sets to every process that reads it', () => {
    expect(partial(names())).toEqual([]);
  });

  it("falls back to the declared default, or to empty so the agent's default applies", () => {
    const fallbacks = [...composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*):-([^}]*)\}/g)].map(([, name, fallback]) => ({ name: name as string, fallback }));
    expect(fallbacks.length).toBeGreaterThan(10);
    const wrong = fallbacks.filter(({ name, fallback }) => declared.has(name) && fallback !== '' && fallback !== declared.get(name)?.default);
    expect(wrong.map(({ name, fallback }) => `${name}: ${fallback}, declared ${declared.get(name)?.default ?? 'unset'}`)).toEqual([]);
  });
});

describe('.env.example', () => {
  let lines: Map<string, string>;

  beforeAll(async () => {
    const text = await readFile(path.join(REPO_ROOT, '.env.example'), 'utf8');
    lines = new Map([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, name, value]) => [name as string, value as string]));
  });

  it('lists every declared variable', () => {
    expect(DECLARED.filter((setting) => !lines.has(setting.name)).map((setting) => setting.name)).toEqual([]);
  });

  it('shows each with its declared default, or empty', () => {
    const wrong = DECLARED.filter((setting) => {
      const value = lines.get(setting.name);
      return value !== undefined && value !== '' && value !== setting.default;
    });
    expect(wrong.map((setting) => `${setting.name}=${lines.get(setting.name)}, declared ${setting.default ?? 'unset'}`)).toEqual([]);
  });

  it('holds no secret value', () => {
    expect(DECLARED.filter((setting) => setting.secret && lines.get(setting.name) !== '').map((setting) => setting.name)).toEqual([]);
  });
});
