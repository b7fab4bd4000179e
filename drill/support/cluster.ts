import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { deriveCtrlplaneAgentId } from '../../src/ctrlplane/agent-id.ts';
import { startCtrlplaneSandbox, type CtrlplaneSandbox } from '../../src/sandbox/ctrlplane/ctrlplane-sandbox.ts';
import { startGithubSandbox, type GithubSandbox } from '../../src/sandbox/github-sandbox.ts';
import { findFreePort } from '../../src/temporal/free-port.ts';
import { ensureNodeLts } from '../../scripts/ensure-node-lts.mjs';
import { type ChartDefaults, chartDefaults } from './chart-defaults.ts';
import { REPO, type SandboxInstallation, sandboxInstallations } from './example-job.ts';
import { startLoadBalancer, type LoadBalancer } from './load-balancer.ts';
import { ManagedProcess } from './managed-process.ts';
import { startPostgres, type Postgres } from './postgres.ts';
import { REPO_ROOT } from './repo-root.ts';
import { startDevTemporalServer } from './dev-temporal-server.ts';
import { startTemporalServer, type TemporalServer } from './temporal-server.ts';

const run = promisify(execFile);

export const API_KEY = 'drill-api-key';
/** Sandbox workflows: `quick` runs to success by itself; `held` stays in progress until the drill completes it. */
export const WORKFLOW = { quick: 101, held: 103 } as const;
const WORKSPACE_ID = '7d1c4b8e-2f3a-4e5b-9c6d-0a1b2c3d4e5f';
const MAIN_JS = join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** Which Temporal the replicas use: the real server on PostgreSQL (the drills), or the CLI dev server (bench comparison). */
export type TemporalBackend = 'postgres' | 'dev';

export interface Cluster {
  backend: TemporalBackend;
  /** Absent on the dev-server backend. */
  postgres?: Postgres;
  temporal: TemporalServer;
  github: GithubSandbox;
  ctrlplane: CtrlplaneSandbox;
  ctrlplaneAgentId: string;
  /** The installations (organizations) jobs are spread over: one for the drills. */
  installations: SandboxInstallation[];
  /** The installation the next job goes to, round-robin. */
  nextInstallation(): SandboxInstallation;
  chart: ChartDefaults;
  /** The Node binary the agent processes run on, and its version. */
  node: { path: string; version: string };
  apis: ManagedProcess[];
  workers: ManagedProcess[];
  /** The load balancer's URL: GitHub's webhooks and the drill's API calls go through it. */
  apiUrl: string;
  lb: LoadBalancer;
  client: Client;
  workflowBundlePath: string;
  /** A worker replica with its own name, on another workflow bundle if given (a rolling deploy); not started. */
  workerProcess(name: string, workflowBundlePath?: string): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

/**
 * The production topology, natively: PostgreSQL, the Temporal server on it, `gha-agent setup`, the chart's number
 * of API and worker replicas running the built `dist/` on the image's Node release (not tsx), a load balancer in
 * front of the APIs, and the GitHub and Ctrlplane sandboxes.
 */
export async function startCluster(
  log: (line: string) => void,
  backend: TemporalBackend = 'postgres',
  options: { installations?: number } = {},
): Promise<Cluster> {
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const chart = await chartDefaults();
    const nodePath = process.env.DRILL_NODE ?? (await ensureNodeLts());
    const nodeVersion = (await run(nodePath, ['--version'])).stdout.trim();
    const workDir = await mkdtemp(join(tmpdir(), 'gha-drill-'));
    stops.push(() => rm(workDir, { recursive: true, force: true }));

    let postgres: Postgres | undefined;
    let temporal: TemporalServer;
    if (backend === 'postgres') {
      const started = await startPostgres();
      postgres = started;
      stops.push(() => started.stop());
      log(`PostgreSQL ${started.version} on ${started.host}:${started.port}`);
      temporal = await startTemporalServer(started);
      log(`Temporal server ${temporal.version} on ${temporal.address} (PostgreSQL persistence and visibility)`);
    } else {
      temporal = await startDevTemporalServer();
      log(`Temporal ${temporal.version} on ${temporal.address}`);
    }
    stops.push(() => temporal.process.stop());

    const workflowBundlePath = join(workDir, 'workflow-bundle.js');
    await run(nodePath, [MAIN_JS, 'bundle', '--out', workflowBundlePath], { cwd: REPO_ROOT });
    const baseEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
    };
    const setup = await run(nodePath, [MAIN_JS, 'setup'], { env: baseEnv, cwd: REPO_ROOT });
    log(`gha-agent setup: ${setup.stdout.trim().split('\n').length - 1} search attributes on PostgreSQL visibility`);

    const webhookSecret = randomBytes(16).toString('hex');
    const installations = sandboxInstallations(options.installations);
    let next = 0;
    const github = await startGithubSandbox({
      webhookSecret,
      installations: installations.map(({ id, owner }) => ({ id, account: owner })),
      repos: installations.map(({ owner }) => ({
        owner,
        name: REPO,
        workflows: [
          { id: WORKFLOW.quick, path: '.github/workflows/deploy.yml', name: 'Deploy', conclusion: 'success', stepDelayMs: 300 },
          { id: WORKFLOW.held, path: '.github/workflows/deploy-held.yml', name: 'Deploy (held)', hold: true },
        ],
      })),
    });
    stops.push(() => github.close());
    const ctrlplaneKey = `drill.${randomBytes(16).toString('hex')}`;
    const ctrlplane = await startCtrlplaneSandbox({ apiKeys: [ctrlplaneKey], workspaces: [{ id: WORKSPACE_ID, name: 'Drill', slug: 'drill' }] });
    stops.push(() => ctrlplane.close());
    const agentName = 'github-actions-agent';
    const ctrlplaneAgentId = deriveCtrlplaneAgentId(WORKSPACE_ID, agentName);

    // Polls off in effect: a job can only end through a webhook, so a delivery answered 2xx and then lost would
    // leave its job waiting and fail the drill. Failed deliveries come back through the worker's redelivery loop.
    const jobEnv = { JOB_POLL_INTERVAL: '1h', JOB_WEBHOOK_QUIET_PERIOD: '1h', JOB_RUN_DISCOVERY_TIMEOUT: '10m', JOB_TIMEOUT: '1h' };
    const apiProcess = async (name: string) => {
      const port = await findFreePort();
      return new ManagedProcess({
        name,
        command: nodePath,
        args: [MAIN_JS, 'api'],
        cwd: REPO_ROOT,
        env: { ...baseEnv, ...jobEnv, PORT: String(port), HOST: '127.0.0.1', API_KEYS: API_KEY, GITHUB_WEBHOOK_SECRET: webhookSecret, LOG_LEVEL: 'warn' },
        ready: async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok,
        stopTimeoutMs: 30_000,
      });
    };
    const workerProcess = async (name: string, bundle = workflowBundlePath) => {
      const metricsPort = await findFreePort();
      return new ManagedProcess({
        name,
        command: nodePath,
        args: [MAIN_JS, 'worker'],
        cwd: REPO_ROOT,
        env: {
          ...baseEnv,
          ...jobEnv,
          HOST: '127.0.0.1',
          WORKER_METRICS_PORT: String(metricsPort),
          WORKFLOW_BUNDLE_PATH: bundle,
          WORKER_MAX_CACHED_WORKFLOWS: String(chart.maxCachedWorkflows),
          GITHUB_API_URL: github.url,
          GITHUB_BOT_APP_ID: String(github.appId),
          GITHUB_BOT_PRIVATE_KEY: github.privateKey,
          GITHUB_REDELIVER_INTERVAL: '10s',
          CTRLPLANE_URL: ctrlplane.url,
          CTRLPLANE_API_KEY: ctrlplaneKey,
          CTRLPLANE_WORKSPACE_ID: WORKSPACE_ID,
          CTRLPLANE_AGENT_NAME: agentName,
          CTRLPLANE_POLL_INTERVAL: '1s',
          LOG_LEVEL: 'warn',
        },
        ready: async () => (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).ok,
        stopTimeoutMs: chart.workerGraceSeconds * 1000,
      });
    };

    const apis: ManagedProcess[] = [];
    for (let i = 1; i <= chart.apiReplicas; i++) apis.push(await apiProcess(`api-${i}`));
    const workers: ManagedProcess[] = [];
    for (let i = 1; i <= chart.workerReplicas; i++) workers.push(await workerProcess(`worker-${i}`));
    for (const replica of [...apis, ...workers]) {
      await replica.start();
      stops.push(() => replica.stop());
    }
    const upstreams = apis.map((api) => `http://127.0.0.1:${api.spec.env.PORT}`);
    const lb = await startLoadBalancer(() => upstreams);
    stops.push(() => lb.close());
    github.setWebhookUrl(`${lb.url}/api/github/webhook`);
    log(`${apis.length} API and ${workers.length} worker replicas (dist/, Node ${nodeVersion}) behind a load balancer at ${lb.url}`);

    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: temporal.namespace });
    return {
      backend,
      postgres,
      temporal,
      github,
      ctrlplane,
      ctrlplaneAgentId,
      installations,
      nextInstallation: () => installations[next++ % installations.length] as SandboxInstallation,
      chart,
      node: { path: nodePath, version: nodeVersion },
      apis,
      workers,
      apiUrl: lb.url,
      lb,
      client,
      workflowBundlePath,
      async workerProcess(name, bundle) {
        const replica = await workerProcess(name, bundle);
        stops.push(() => replica.stop());
        return replica;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Ctrlplane's workspace the workers pull from. */
export const CTRLPLANE_WORKSPACE_ID = WORKSPACE_ID;

export { INSTALLATION_ID, jobBody, OWNER, REPO } from './example-job.ts';
