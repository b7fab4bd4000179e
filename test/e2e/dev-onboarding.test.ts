import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
