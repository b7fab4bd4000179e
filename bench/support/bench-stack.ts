import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { startLocalStack, type LocalStack } from '../../src/dev/local-stack.ts';
import { loadConfig } from '../../src/config/env.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { startGithubSandbox, type GithubSandbox, type SandboxWorkflowSpec } from '../../src/sandbox/github-sandbox.ts';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/dev/temporal/dev-server.ts';
import { jobBody, REPO, type SandboxInstallation, sandboxInstallations } from '../../drill/support/example-job.ts';
import { workflowBundleOptions } from '../../src/worker/workflow-source.ts';
import type { JobTimeouts } from '../../src/domain/job-timeouts.ts';

export { INSTALLATION_ID, OWNER, REPO } from '../../drill/support/example-job.ts';
export const API_KEY = 'bench-api-key';
/** Workflow ids in the bench repository. */
export const WORKFLOW = { quick: 101, hold: 103 } as const;

export interface BenchStackOptions {
  /** Run the worker in the API process (default true); false when a bench spawns `gha-agent worker`. */
  startWorker?: boolean;
  /** GITHUB_MUTATION_INTERVAL_MS of the worker; default production's (one dispatch or cancel a second per installation). */
  githubMutationIntervalMs?: number;
  /**
   * Installations (organizations) the stack's jobs are spread over, round-robin (default 1): a load of more jobs a
   * second than one installation dispatches under the production spacing is many organizations' load.
   */
  installations?: number;
  jobTimeouts?: Partial<JobTimeouts>;
  stepDelayMs?: number;
}

export interface BenchStack {
  temporal: TemporalDevServer;
  sandbox: GithubSandbox;
  stack: LocalStack;
  webhookSecret: string;
  workflowBundlePath: string;
  /** The installations the jobs are spread over. */
  installations: SandboxInstallation[];
  /** A job body like Ctrlplane sends; `workflowId` picks the sandbox workflow; each goes to the next installation. */
  jobBody(workflowId: number, id?: string): Record<string, unknown>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** A headless in-memory Temporal dev server, the GitHub sandbox and API (+ worker) over loopback, as the e2e tests run them. */
export async function startBenchStack(options: BenchStackOptions = {}): Promise<BenchStack> {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // Installed earlier in this process.
    }
  }
  const temporal = await startTemporalDevServer({ ui: false });
  const bundleDir = await mkdtemp(join(tmpdir(), 'gha-agent-bench-'));
  const workflowBundlePath = join(bundleDir, 'workflow-bundle.js');
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quiet });
  await writeFile(workflowBundlePath, code);
  const webhookSecret = `bench-${randomUUID()}`;
  const installations = sandboxInstallations(options.installations);
  let next = 0;
  const workflows: SandboxWorkflowSpec[] = [
    { id: WORKFLOW.quick, path: '.github/workflows/deploy.yml', name: 'Deploy', conclusion: 'success' },
    { id: WORKFLOW.hold, path: '.github/workflows/deploy-held.yml', name: 'Deploy (held)', hold: true },
  ];
  const sandbox = await startGithubSandbox({
    webhookSecret,
    installations: installations.map(({ id, owner }) => ({ id, account: owner })),
    repos: installations.map(({ owner }) => ({ owner, name: REPO, workflows })),
    stepDelayMs: options.stepDelayMs ?? 50,
  });
  // The settings an operator would give `gha-agent api` and `worker`, with the listeners on loopback at free ports.
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    WORKER_METRICS_PORT: '0',
    TEMPORAL_TASK_QUEUE: `bench-${randomUUID()}`,
    GITHUB_API_URL: sandbox.url,
    GITHUB_BOT_APP_ID: String(sandbox.appId),
    GITHUB_BOT_PRIVATE_KEY: sandbox.privateKey,
    GITHUB_MUTATION_INTERVAL_MS: options.githubMutationIntervalMs?.toString(),
    GITHUB_WEBHOOK_SECRET: webhookSecret,
    API_KEYS: API_KEY,
    WORKFLOW_BUNDLE_PATH: workflowBundlePath,
  });
  const stack = await startLocalStack({
    config,
    temporal: { connectionOptions: { address: temporal.address }, namespace: temporal.namespace },
    jobTimeouts: { quietPeriod: '2 minutes', pollInterval: '1 minute', discoveryTimeout: '10 minutes', jobTimeout: '1 hour', ...options.jobTimeouts },
    startWorker: options.startWorker,
    temporalRuntime: 'installed',
    logger: createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }),
  });
  sandbox.setWebhookUrl(`${stack.apiUrl}/api/github/webhook`);
  return {
    temporal,
    sandbox,
    stack,
    webhookSecret,
    workflowBundlePath,
    installations,
    jobBody: (workflowId, id) => jobBody(workflowId, id, installations[next++ % installations.length]),
    async stop() {
      await sandbox.close();
      await stack.stop();
      await temporal.stop();
      await rm(bundleDir, { recursive: true, force: true });
    },
  };
}

/** `fetch` against the stack's API with the bench API key. */
export async function apiRequest(stack: BenchStack, path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> {
  return fetch(`${stack.stack.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'x-api-key': API_KEY, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
}

/** Creates a job through the API on workflow `workflowId` of the bench repository; returns its ID. */
export async function createJob(stack: BenchStack, workflowId: number, id: string = randomUUID()): Promise<string> {
  const response = await apiRequest(stack, '/api/v1/jobs', { method: 'POST', json: stack.jobBody(workflowId, id) });
  if (response.status !== 201) throw new Error(`create job: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
  return id;
}

/** Polls until `done()` is true, or throws after `timeoutMs`. */
export async function waitUntil(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
