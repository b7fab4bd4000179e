import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CliProcess, runCli, startCli } from '../support/run-cli.ts';

// A newcomer's path, as the README tells it: `npm run dev` in one shell; in another, source the dev.env it writes
// and run the CLI and the doctor against that stack (its GitHub sandbox included), nothing else configured.
const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));
let dataDir: string;
let busy: Server;
let busyPort: number;
let dev: CliProcess;

/** dev.env as a shell would read it after `set -a; . dev.env`. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^([A-Z_][A-Z0-9_]*)='((?:[^']|'\\'')*)'$/gms)) env[match[1] as string] = (match[2] as string).replaceAll(`'\\''`, `'`);
  return env;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gha-agent-dev-'));
  // Something else already listens where the API wants to be.
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
  dev = startCli(['dev'], { PORT: String(busyPort), GHA_AGENT_DEV_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  await dev.waitFor(/Ctrl-C stops everything/, 180_000);
}, 200_000);

afterAll(async () => {
  dev?.child.kill('SIGTERM');
  await dev?.exited;
  busy?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm run dev, then the CLI in another shell', () => {
  it('says loudly that the API moved off a busy port, and tells the CLI where it is', async () => {
    expect(dev.output()).toContain(`port ${busyPort} is busy: the API listens on`);
    const env = parseEnvFile(await readFile(join(dataDir, 'dev.env'), 'utf8'));
    expect(env.GHA_AGENT_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.GHA_AGENT_API_URL).not.toContain(`:${busyPort}`);
    expect(dev.output()).toContain(`set -a; . `);
  });

  it("runs the docs' `jobs create --deployment api-service` example to successful", async () => {
    const env = parseEnvFile(await readFile(join(dataDir, 'dev.env'), 'utf8'));
    const args = ['jobs', 'create', '--deployment', 'api-service', '--environment', 'production', '--resource', 'cluster-1', '--version', 'v1.2.3'];
    const result = await runCli([...args, '--var', 'github_org=acme', '--watch'], env, 120_000);
    expect(result.stderr + result.stdout).toMatch(/successful/);
    expect(result.code).toBe(0);
  });

  it('runs a job from flags alone, no CONFIG_FILE Deployment needed', async () => {
    const env = parseEnvFile(await readFile(join(dataDir, 'dev.env'), 'utf8'));
    const context = ['--deployment', 'web', '--environment', 'staging', '--resource', 'cluster-2', '--version', 'v2.0.0'];
    const target = ['--config', 'installationId=1', '--config', 'owner=acme', '--config', 'repo=deploy-demo', '--config', 'workflowId=deploy.yml'];
    const result = await runCli(['jobs', 'create', ...context, ...target, '--watch'], env, 120_000);
    expect(result.stderr + result.stdout).toMatch(/successful/);
    expect(result.code).toBe(0);
  });

  it('runs the shipped examples/job.json to successful', async () => {
    const env = parseEnvFile(await readFile(join(dataDir, 'dev.env'), 'utf8'));
    const result = await runCli(['jobs', 'create', '--file', join(CHECKOUT, 'examples/job.json'), '--watch'], env, 120_000);
    expect(result.stderr + result.stdout).toMatch(/successful/);
    expect(result.code).toBe(0);
  });

  it('serves the worker metrics as `gha-agent worker` does, besides the API ones', async () => {
    const worker = /Metrics +\S+ \(API\) +(\S+)\/metrics \(worker\)/.exec(dev.output())?.[1];
    expect(worker).toBeDefined();
    const text = await (await fetch(`${worker}/metrics`)).text();
    for (const family of ['gha_agent_activity_executions_total', 'gha_agent_jobs', 'gha_agent_ctrlplane_polls_total', 'temporal_'])
      expect(text).toContain(family);
    expect((await fetch(`${worker}/healthz`)).status).toBe(200);
  });

  it('lets the doctor check the sandbox App, its installation and the example Deployments', async () => {
    const env = parseEnvFile(await readFile(join(dataDir, 'dev.env'), 'utf8'));
    const result = await runCli(['doctor'], env, 120_000);
    const report = result.stdout + result.stderr;
    expect(report).toMatch(/acme\/deploy-demo/);
    expect(report).not.toMatch(/api\.github\.com/);
    expect(result.code, report).toBe(0);
  });
});

// `dev` reads the settings production reads: an operator trying them out locally gets what production would do.
describe('npm run dev with the settings production reads', () => {
  const marker = `plaintext-${randomUUID()}`;
  let dir: string;
  let hardened: CliProcess;
  let env: Record<string, string>;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${env.GHA_AGENT_API_URL}${path}`, {
      ...init,
      headers: { 'x-api-key': env.GHA_AGENT_API_KEY as string, 'content-type': 'application/json', ...init.headers },
    });
  const exampleJob = async (change: (job: Record<string, Record<string, unknown>>) => void = () => {}) => {
    const job = JSON.parse(await readFile(join(CHECKOUT, 'examples/job.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    change(job);
    return { id: randomUUID(), ...job };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gha-agent-dev-hardened-'));
    hardened = startCli(['dev'], {
      GHA_AGENT_DEV_DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      DISPATCH_ALLOWLIST: '1:acme/deploy-demo:deploy.yml@main',
      PAYLOAD_ENCRYPTION_KEYS: `dev1:${randomBytes(32).toString('base64')}`,
      API_DOCS: 'off',
      API_METRICS_PORT: 'off',
      WEBHOOK_BODY_LIMIT: '65536',
    });
    await hardened.waitFor(/Ctrl-C stops everything/, 180_000);
    env = parseEnvFile(await readFile(join(dir, 'dev.env'), 'utf8'));
  }, 200_000);

  afterAll(async () => {
    hardened?.child.kill('SIGTERM');
    await hardened?.exited;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a target outside DISPATCH_ALLOWLIST with 403, and runs one inside it', async () => {
    // A deployment CONFIG_FILE does not configure (a configured one would refuse another ref itself).
    const elsewhere = (change: (config: Record<string, unknown>) => void) =>
      exampleJob((job) => {
        job.deployment = { name: 'web' };
        change(job.jobAgentConfig!);
      });
    const evilRef = await api('/api/v1/jobs', { method: 'POST', body: JSON.stringify(await elsewhere((config) => (config.ref = 'evil'))) });
    expect(evilRef.status).toBe(403);
    expect(((await evilRef.json()) as { message: string }).message).toBe(
      'dispatching acme/deploy-demo workflow deploy.yml at evil (installation 1) is not allowed by DISPATCH_ALLOWLIST',
    );
    const broken = await elsewhere((config) => (config.workflowId = 'deploy-broken.yml'));
    expect((await api('/api/v1/jobs', { method: 'POST', body: JSON.stringify(broken) })).status).toBe(403);
    const result = await runCli(['jobs', 'create', '--file', join(CHECKOUT, 'examples/job.json'), '--watch'], env, 120_000);
    expect(result.stderr + result.stdout).toMatch(/successful/);
    expect(result.code).toBe(0);
  });

  it('writes ciphertext to Temporal history with PAYLOAD_ENCRYPTION_KEYS', async () => {
    const job = await exampleJob((body) => (body.variables = { ...body.variables, marker }));
    expect((await api('/api/v1/jobs', { method: 'POST', body: JSON.stringify(job) })).status).toBe(201);
    await vi.waitFor(async () => expect(((await (await api(`/api/v1/jobs/${job.id}`)).json()) as { status: string }).status).toBe('successful'), {
      timeout: 60_000,
      interval: 250,
    });
    // Read as whoever reaches Temporal directly would: no codec.
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS as string });
    try {
      const history = await new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }).workflow.getHandle(`job-${job.id}`).fetchHistory();
      // The raw history, every event (search attributes, which Temporal must read to index, are not payloads of ours).
      const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
      expect(raw.includes(marker)).toBe(false);
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
      expect(input.map((payload) => Buffer.from(payload.metadata?.encoding ?? []).toString('utf8'))).toEqual(['binary/encrypted']);
    } finally {
      await connection.close();
    }
  });

  it('serves neither docs nor metrics when told not to, and refuses a webhook body past WEBHOOK_BODY_LIMIT', async () => {
    expect((await fetch(`${env.GHA_AGENT_API_URL}/api/openapi.json`)).status).toBe(404);
    expect((await fetch(`${env.GHA_AGENT_API_URL}/metrics`)).status).toBe(404);
    const webhook = await fetch(`${env.GHA_AGENT_API_URL}/api/github/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'workflow_run', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      body: JSON.stringify({ padding: 'x'.repeat(128 * 1024) }),
    });
    expect(webhook.status).toBe(413);
  });
});
