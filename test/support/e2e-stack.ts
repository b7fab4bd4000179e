import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { vi } from 'vitest';
import type { ApiKeyEntry } from '../../src/auth/api-keys.ts';
import type { DeclarativeConfig } from '../../src/config/declarative-config.ts';
import type { LocalStack } from '../../src/dev/local-stack.ts';
import type { WorkerProcess } from '../../src/worker/start-worker-process.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import type { Job } from '../../src/domain/job.ts';
import type { JobStatus } from '../../src/domain/job-status.ts';
import { type GithubSandbox, type GithubSandboxOptions, startGithubSandbox } from '../../src/sandbox/github-sandbox.ts';
import { startWebhookFaultRelay, type WebhookFaultRelay } from '../../src/sandbox/webhook-fault-relay.ts';
import type { JobTimeouts } from '../../src/domain/job-timeouts.ts';
import { ctrlplaneApiBaseUrl, type CtrlplaneSettings } from '../../src/config/env.ts';
import { type CtrlplaneSandbox, startCtrlplaneSandbox } from '../../src/sandbox/ctrlplane/ctrlplane-sandbox.ts';
import type { Registry } from 'prom-client';
import { startTestStack, startTestWorker, TEST_JOB_TIMEOUTS, type TestStackOptions } from './test-stack.ts';

export const INSTALLATION_ID = 4242;
export const OWNER = 'acme';
export const REPO = 'deploy-demo';
export const API_KEY = 'test-api-key';
export const CTRLPLANE_API_KEY = 'cp_test.e2e-secret';
export const CTRLPLANE_WORKSPACE_ID = '0d6f1f0e-5c2b-4b8e-9a51-2f3c4d5e6f70';
export const CTRLPLANE_AGENT_NAME = 'github-actions-agent';

/** The repos most tests use: one workflow that succeeds, one that fails, one that runs until told to stop. */
export const defaultSandboxRepos: GithubSandboxOptions['repos'] = [
  {
    owner: OWNER,
    name: REPO,
    defaultBranch: 'main',
    branches: ['main', 'release'],
    workflows: [
      { id: 101, path: '.github/workflows/deploy.yml', name: 'Deploy', conclusion: 'success' },
      { id: 102, path: '.github/workflows/deploy-broken.yml', name: 'Deploy (broken)', conclusion: 'failure' },
      { id: 103, path: '.github/workflows/deploy-slow.yml', name: 'Deploy (slow)', hold: true },
      { id: 104, path: '.github/workflows/ci.yml', name: 'CI', dispatchable: false },
    ],
  },
];

export interface E2eStack {
  sandbox: GithubSandbox;
  /** Present with the `ctrlplane` option: the Ctrlplane the worker pulls from. */
  ctrlplane?: CtrlplaneSandbox;
  /** The Ctrlplane settings the worker runs with (for extra replicas). */
  ctrlplaneSettings?: CtrlplaneSettings;
  /** The same as CTRLPLANE_* env vars (the poll interval aside: the stack polls faster than env vars may say). */
  ctrlplaneEnv?: Record<string, string>;
  /** With `ctrlplane`: the in-process worker's metrics, Ctrlplane's included (Prometheus text via `metrics()`). */
  ctrlplaneMetrics?: Registry;
  /** Between the sandbox and the API: set its mode to drop, duplicate, delay or reorder deliveries. */
  relay: WebhookFaultRelay;
  stack: LocalStack;
  /** `gha-agent worker` with the stack's settings, for a stack started without one (jobs that wait for a worker). */
  startWorker(): Promise<WorkerProcess>;
  api(path: string, init?: RequestInit & { json?: unknown; apiKey?: string | null }): Promise<Response>;
  createJob(overrides?: Record<string, unknown>): Promise<Job>;
  getJob(id: string): Promise<Job>;
  waitForStatus(id: string, statuses: JobStatus | JobStatus[], timeoutMs?: number): Promise<Job>;
  stop(): Promise<void>;
}

export interface E2eStackOptions {
  sandbox?: Partial<GithubSandboxOptions>;
  jobTimeouts?: Partial<JobTimeouts>;
  /** Leave the worker without GitHub App credentials. */
  withoutGithubApp?: boolean;
  /** API base the worker uses, from the sandbox URL (e.g. a GHES-style `${url}/api/v3`). */
  githubApiUrl?: (sandboxUrl: string) => string;
  /** Private key the worker signs its JWTs with (default: the sandbox App's own). */
  privateKey?: string;
  /**
   * GITHUB_MUTATION_INTERVAL_MS of the in-process worker; default production's (one mutating request per second per
   * installation), as for every other limit. Only for a test about the spacing itself, never to make one faster.
   */
  githubMutationIntervalMs?: number;
  /** Start the in-process worker (default true). */
  startWorker?: boolean;
  /** JobAgent and Deployment documents, as CONFIG_FILE would give them. */
  config?: DeclarativeConfig;
  /** DISPATCH_ALLOWLIST as an operator would write it. */
  dispatchAllowlist?: string;
  /** Start the Ctrlplane sandbox and connect the worker to it (poll interval default 500 ms). */
  ctrlplane?: boolean | { pollIntervalMs?: number };
  /** API_KEYS (default: the one unscoped API_KEY, which `api()` sends unless told otherwise). */
  apiKeys?: ApiKeyEntry[];
  /** JOB_TOKEN_SECRET of worker and API; unset → no job tokens. */
  jobTokenSecret?: string;
  /** JOB_TOKEN_GRACE_PERIOD (its default when absent). */
  jobTokenGracePeriodMs?: number;
  /** API_METRICS_PORT / API_DOCS, as in the local stack. */
  metricsPort?: number | 'off';
  docs?: boolean;
  /** Where API and worker log (default: silent unless TEST_LOG_LEVEL). */
  logger?: Logger;
  /** Further env vars of worker and API, as an operator sets them (e.g. GITHUB_REDELIVER_INTERVAL). */
  env?: Record<string, string>;
}

/** An API_KEYS entry as an operator writes it: a bare key, or `scope+scope=key`. */
function apiKeysEntryText(entry: ApiKeyEntry): string {
  return typeof entry === 'string' ? entry : `${entry.scopes.join('+')}=${entry.key}`;
}

/** A job body like Ctrlplane sends, with templates in the config. */
export function jobBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    jobAgentConfig: {
      installationId: INSTALLATION_ID,
      owner: '{{.variables.github_org}}',
      repo: REPO,
      workflowId: 101,
      ref: 'main',
    },
    deployment: { id: randomUUID(), name: 'api-service', slug: 'api-service' },
    environment: { id: randomUUID(), name: 'production' },
    resource: { id: randomUUID(), identifier: 'cluster-1', name: 'cluster-1', kind: 'Kubernetes', config: { namespace: 'prod' } },
    version: { id: randomUUID(), tag: 'v1.2.3', name: 'Release 1.2.3' },
    variables: { github_org: OWNER },
    ...overrides,
  };
}

/** Sandbox GitHub + worker + API on a task queue of its own, against the suite's Temporal dev server. */
export async function startE2eStack(options: E2eStackOptions = {}): Promise<E2eStack> {
  const logger = options.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const webhookSecret = `secret-${randomUUID()}`;
  const sandbox = await startGithubSandbox({
    webhookSecret,
    installations: [{ id: INSTALLATION_ID, account: OWNER }],
    repos: defaultSandboxRepos,
    stepDelayMs: 30,
    ...options.sandbox,
  });
  const ctrlplane = options.ctrlplane
    ? await startCtrlplaneSandbox({ apiKeys: [CTRLPLANE_API_KEY], workspaces: [{ id: CTRLPLANE_WORKSPACE_ID, name: 'Acme', slug: 'acme' }] })
    : undefined;
  const ctrlplaneSettings: CtrlplaneSettings | undefined = ctrlplane && {
    apiUrl: ctrlplaneApiBaseUrl(ctrlplane.url),
    apiKey: CTRLPLANE_API_KEY,
    workspaceId: CTRLPLANE_WORKSPACE_ID,
    agentName: CTRLPLANE_AGENT_NAME,
    pollIntervalMs: (typeof options.ctrlplane === 'object' ? options.ctrlplane.pollIntervalMs : undefined) ?? 500,
  };
  const ctrlplaneEnv = ctrlplane && {
    CTRLPLANE_URL: ctrlplane.url,
    CTRLPLANE_API_KEY: CTRLPLANE_API_KEY,
    CTRLPLANE_WORKSPACE_ID: CTRLPLANE_WORKSPACE_ID,
    CTRLPLANE_AGENT_NAME: CTRLPLANE_AGENT_NAME,
  };
  const stackOptions: TestStackOptions = {
    env: {
      TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
      GITHUB_API_URL: options.githubApiUrl?.(sandbox.url) ?? sandbox.url,
      ...(options.withoutGithubApp ? {} : { GITHUB_BOT_APP_ID: String(sandbox.appId), GITHUB_BOT_PRIVATE_KEY: options.privateKey ?? sandbox.privateKey }),
      GITHUB_WEBHOOK_SECRET: webhookSecret,
      GITHUB_MUTATION_INTERVAL_MS: options.githubMutationIntervalMs?.toString(),
      API_KEYS: (options.apiKeys ?? [API_KEY]).map(apiKeysEntryText).join(','),
      JOB_TOKEN_SECRET: options.jobTokenSecret,
      JOB_TOKEN_GRACE_PERIOD: options.jobTokenGracePeriodMs === undefined ? undefined : `${options.jobTokenGracePeriodMs}ms`,
      API_METRICS_PORT: options.metricsPort?.toString(),
      API_DOCS: options.docs === undefined ? undefined : options.docs ? 'on' : 'off',
      DISPATCH_ALLOWLIST: options.dispatchAllowlist,
      ...ctrlplaneEnv,
      ...options.env,
    },
    ctrlplanePollIntervalMs: ctrlplaneSettings?.pollIntervalMs,
    startWorker: options.startWorker,
    jobTimeouts: { ...TEST_JOB_TIMEOUTS, ...options.jobTimeouts },
    declarative: options.config,
    logger,
  };
  const stack = await startTestStack(stackOptions);
  const relay = await startWebhookFaultRelay(`${stack.apiUrl}/api/github/webhook`);
  sandbox.setWebhookUrl(relay.url);

  const api: E2eStack['api'] = (path, init = {}) => {
    const { json, apiKey, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (apiKey !== null) headers.set('x-api-key', apiKey ?? API_KEY);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${stack.apiUrl}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
  };
  const getJob = async (id: string) => {
    const response = await api(`/api/v1/jobs/${id}`);
    if (response.status !== 200) throw new Error(`GET job ${id}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Job;
  };
  return {
    sandbox,
    ctrlplane,
    ctrlplaneSettings,
    ctrlplaneEnv,
    ctrlplaneMetrics: ctrlplane ? stack.workerMetricsRegistry : undefined,
    relay,
    stack,
    startWorker: () => startTestWorker(stackOptions),
    api,
    getJob,
    async createJob(overrides = {}) {
      const response = await api('/api/v1/jobs', { method: 'POST', json: jobBody(overrides) });
      if (response.status !== 201) throw new Error(`create job: ${response.status} ${await response.text()}`);
      return (await response.json()) as Job;
    },
    async waitForStatus(id, statuses, timeoutMs = 60_000) {
      const wanted = Array.isArray(statuses) ? statuses : [statuses];
      // vi.waitFor calls again while the callback throws, and rejects with its last error when time is up.
      const outcome = await vi.waitFor(
        async () => {
          let job: Job | undefined;
          try {
            // 404 until the job exists: a job pulled from Ctrlplane appears with the next poll.
            const response = await api(`/api/v1/jobs/${id}`);
            if (response.status !== 200 && response.status !== 404) throw new Error(`GET job ${id}: ${response.status} ${await response.text()}`);
            job = response.status === 200 ? ((await response.json()) as Job) : undefined;
          } catch (error) {
            // Any other failure ends the wait at once, not at the deadline: returned, so it is not retried.
            return { error };
          }
          if (job && wanted.includes(job.status)) return { job };
          throw new Error(`job ${id} did not reach ${wanted.join('|')} in ${timeoutMs} ms; last: ${JSON.stringify(job)}`);
        },
        { timeout: timeoutMs, interval: 100 },
      );
      if ('error' in outcome) throw outcome.error;
      return outcome.job;
    },
    async stop() {
      await sandbox.close();
      await relay.close();
      await stack.stop();
      await ctrlplane?.close();
    },
  };
}
