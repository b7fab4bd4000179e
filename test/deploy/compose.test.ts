import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { settingDefault } from '../../src/config/settings.ts';
import { ensureTool, REPO_ROOT, TOOL_INSTALL_TIMEOUT_MS } from './ensure-tool.ts';

interface Service {
  image?: string;
  entrypoint?: string[];
  configs?: Array<{ source: string; target: string }>;
  build?: { context: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  configs?: Record<string, { file?: string; content?: string }>;
}

let composeConfig: string;
let validateCompose: ValidateFunction;
let composeText: string;
let compose: ComposeFile;
let envExample: string;

beforeAll(async () => {
  composeConfig = await ensureTool('ensure-compose-config');
  const { stdout: schema } = await promisify(execFile)(composeConfig, ['--schema'], { maxBuffer: 4 * 1024 * 1024 });
  validateCompose = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(schema));
  composeText = await readFile(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  // Compose resolves YAML merge keys (<<) before validating, so the test does too.
  compose = parse(composeText, { merge: true }) as ComposeFile;
  envExample = await readFile(path.join(REPO_ROOT, '.env.example'), 'utf8');
}, TOOL_INSTALL_TIMEOUT_MS);

/** Loads docker-compose.yml as `docker compose config` would, with `.env.example` changed by `overrides` as the .env. */
async function loadWithEnv(overrides: Record<string, string>): Promise<{ project?: ComposeFile; error?: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'compose-env-'));
  try {
    let env = envExample;
    for (const [key, value] of Object.entries(overrides)) env = env.replace(new RegExp(`^${key}=.*$`, 'm'), `${key}=${value}`);
    await writeFile(path.join(dir, '.env'), env);
    const { stdout } = await promisify(execFile)(composeConfig, [path.join(REPO_ROOT, 'docker-compose.yml'), path.join(dir, '.env')], {
      maxBuffer: 4 * 1024 * 1024,
    });
    return { project: JSON.parse(stdout) as ComposeFile };
  } catch (error) {
    return { error: (error as { stderr?: string }).stderr ?? String(error) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification schema', () => {
    expect(validateCompose(compose) ? [] : validateCompose.errors).toEqual([]);
  });

  it('is rejected by the schema when a service has an unknown key (the check is not vacuous)', () => {
    const broken = structuredClone(compose);
    (broken.services.api as Service & { restart_policy?: string }).restart_policy = 'always';
    expect(validateCompose(broken)).toBe(false);
  });

  it('loads as Docker Compose loads it once .env has API keys, with the values of .env in the containers', async () => {
    const { project, error } = await loadWithEnv({ API_KEYS: 'k1,k2', GITHUB_BOT_APP_ID: '42', API_PORT: '9000' });
    expect(error).toBeUndefined();
    const api = project?.services.api as Service & { ports: Array<{ target: number; published: string }> };
    expect(api.environment).toMatchObject({ API_KEYS: 'k1,k2', TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(api.environment).not.toHaveProperty('GITHUB_BOT_APP_ID');
    expect(api.ports).toEqual([expect.objectContaining({ target: 8080, published: '9000' })]);
    expect(project?.services.worker?.environment).toMatchObject({ GITHUB_BOT_APP_ID: '42' });
  });

  it('refuses to start without API keys, saying which variable to set', async () => {
    const { error } = await loadWithEnv({});
    expect(error).toContain('API_KEYS');
  });

  it('runs PostgreSQL, Temporal, its UI, the one-shot setup, the API and the worker', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'setup', 'api', 'worker']));
    expect(service('temporal').image).toMatch(/^temporalio\/server:/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
  });

  it('builds api, worker and setup from the project Dockerfile as one image, each with its command', () => {
    for (const [name, command] of [
      ['api', 'api'],
      ['worker', 'worker'],
      ['setup', 'setup'],
    ] as const) {
      expect(service(name).build?.context).toBe('.');
      expect(service(name).image).toBe(service('api').image);
      expect(service(name).command).toEqual([command]);
    }
  });

  it('starts each service only once what it needs is healthy or done', () => {
    expect(service('temporal').depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(service('temporal-schema').depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(service('setup').depends_on?.['temporal-namespace']?.condition).toBe('service_completed_successfully');
    expect(service('temporal-namespace').depends_on?.temporal?.condition).toBe('service_healthy');
    for (const name of ['api', 'worker']) expect(service(name).depends_on?.setup?.condition).toBe('service_completed_successfully');
    for (const name of ['postgresql', 'temporal', 'api', 'worker']) expect(service(name).healthcheck?.test, name).toBeDefined();
  });

  it('checks API readiness and worker health on the endpoints the processes serve', () => {
    expect(service('api').healthcheck?.test?.join(' ')).toContain(`:${service('api').environment?.PORT}/readyz`);
    expect(service('worker').environment).not.toHaveProperty('WORKER_METRICS_PORT');
    expect(service('worker').healthcheck?.test?.join(' ')).toContain(`:${settingDefault('WORKER_METRICS_PORT')}/healthz`);
  });

  it('passes the GitHub settings to the processes that read them (src/config/settings.ts), the App credentials to the worker only', () => {
    for (const name of ['api', 'worker']) {
      for (const variable of ['GITHUB_URL', 'TEMPORAL_ADDRESS', 'PAYLOAD_ENCRYPTION_KEYS']) {
        expect(Object.keys(service(name).environment ?? {}), `${variable} in ${name}`).toContain(variable);
      }
    }
    for (const variable of ['GITHUB_BOT_APP_ID', 'GITHUB_BOT_PRIVATE_KEY', 'GITHUB_BOT_CLIENT_SECRET']) {
      expect(Object.keys(service('worker').environment ?? {}), variable).toContain(variable);
      expect(Object.keys(service('api').environment ?? {}), variable).not.toContain(variable);
    }
    expect(service('api').environment?.GITHUB_WEBHOOK_SECRET).toBe('${GITHUB_WEBHOOK_SECRET:-}');
    expect(service('api').environment?.API_KEYS).toMatch(/^\$\{API_KEYS/);
    expect(service('worker').environment).not.toHaveProperty('API_KEYS');
  });

  it('gives the job token secret to both the API (verifies) and the worker (signs), and the metrics and docs settings to the API', () => {
    for (const name of ['api', 'worker']) expect(service(name).environment?.JOB_TOKEN_SECRET, name).toBe('${JOB_TOKEN_SECRET:-}');
    for (const variable of ['JOB_TOKEN_GRACE_PERIOD', 'API_METRICS_PORT', 'API_DOCS']) {
      expect(Object.keys(service('api').environment ?? {}), variable).toContain(variable);
      expect(Object.keys(service('worker').environment ?? {}), variable).not.toContain(variable);
    }
  });

  it('gives the job deadlines to both the API and the worker (whose Ctrlplane poller starts jobs too), from the same .env values', async () => {
    const deadlines = ['JOB_WEBHOOK_QUIET_PERIOD', 'JOB_POLL_INTERVAL', 'JOB_RUN_DISCOVERY_TIMEOUT', 'JOB_TIMEOUT'];
    for (const name of ['api', 'worker']) {
      for (const variable of deadlines) expect(service(name).environment?.[variable], `${variable} in ${name}`).toBe(`\${${variable}:-}`);
    }
    const values = { JOB_WEBHOOK_QUIET_PERIOD: '45s', JOB_POLL_INTERVAL: '2m', JOB_RUN_DISCOVERY_TIMEOUT: '15m', JOB_TIMEOUT: '6h' };
    const { project, error } = await loadWithEnv({ API_KEYS: 'k1', ...values });
    expect(error).toBeUndefined();
    for (const name of ['api', 'worker']) expect(project?.services[name]?.environment, name).toMatchObject(values);
  });
});

describe('the Temporal configuration compose shares with the drill (deploy/temporal)', () => {
  /** The file a service mounts at `target`, as a path in the repository. */
  function mounted(name: string, target: string): string | undefined {
    const source = service(name).configs?.find((config) => config.target === target)?.source;
    const file = source ? compose.configs?.[source]?.file : undefined;
    return file ? path.normalize(file) : undefined;
  }

  it('starts the server from deploy/temporal/server.yaml and its dynamic config, the files the drill runs', () => {
    const environment = service('temporal').environment ?? {};
    expect(mounted('temporal', environment.TEMPORAL_SERVER_CONFIG_FILE_PATH ?? '')).toBe(path.normalize('deploy/temporal/server.yaml'));
    expect(mounted('temporal', environment.DYNAMIC_CONFIG_FILE_PATH ?? '')).toBe(path.normalize('deploy/temporal/dynamicconfig.yaml'));
    expect(mounted('temporal-schema', service('temporal-schema').entrypoint?.at(-1) ?? '')).toBe(path.normalize('deploy/temporal/setup-schema.sh'));
    expect(mounted('temporal-namespace', service('temporal-namespace').entrypoint?.at(-1) ?? '')).toBe(path.normalize('deploy/temporal/create-namespace.sh'));
  });

  it('sets only variables the server config and the scripts read (no misspelt names)', async () => {
    const read = async (file: string) => readFile(path.join(REPO_ROOT, 'deploy', 'temporal', file), 'utf8');
    const serverConfig = await read('server.yaml');
    expect(serverConfig.slice(0, 1024)).toContain('# enable-template');
    const readByServer = new Set([...serverConfig.matchAll(/env "([A-Z_]+)"/g)].map((match) => match[1]));
    // The image's own variables: its entrypoint reads BIND_ON_IP, the server binary TEMPORAL_SERVER_CONFIG_FILE_PATH.
    for (const variable of Object.keys(service('temporal').environment ?? {}).filter((name) => name !== 'TEMPORAL_SERVER_CONFIG_FILE_PATH')) {
      expect(readByServer, variable).toContain(variable);
    }
    const readsVariable = (script: string, variable: string) => new RegExp(`\\$\\{?${variable}\\b`).test(script);
    const setupSchema = await read('setup-schema.sh');
    for (const variable of Object.keys(service('temporal-schema').environment ?? {})) expect(readsVariable(setupSchema, variable), variable).toBe(true);
    const createNamespace = await read('create-namespace.sh');
    for (const variable of Object.keys(service('temporal-namespace').environment ?? {})) expect(readsVariable(createNamespace, variable), variable).toBe(true);
    expect(readsVariable(setupSchema, 'SQL_PASSWORDS')).toBe(false);
  });

  it('keeps history and visibility on PostgreSQL (SQL visibility, no Elasticsearch)', async () => {
    const serverConfig = await readFile(path.join(REPO_ROOT, 'deploy', 'temporal', 'server.yaml'), 'utf8');
    expect(serverConfig.match(/pluginName: postgres12/g)).toHaveLength(2);
    expect(serverConfig).toMatch(/visibilityStore: visibility/);
    expect(serverConfig).not.toMatch(/^\s*elasticsearch:/m);
  });
});

describe('.env.example', () => {
  function documented(variable: string): boolean {
    return new RegExp(`^#?\\s*${variable}=`, 'm').test(envExample);
  }

  it('documents every variable docker-compose.yml reads', () => {
    const used = [...composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1] as string);
    expect(used.length).toBeGreaterThan(10);
    expect([...new Set(used)].filter((variable) => !documented(variable))).toEqual([]);
  });
});
