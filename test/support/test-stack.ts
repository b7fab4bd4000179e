import type { Logger } from 'pino';
import { inject } from 'vitest';
import type { DeclarativeConfig } from '../../src/config/declarative-config.ts';
import { type AppConfig, loadConfig } from '../../src/config/env.ts';
import { type LocalStack, startLocalStack } from '../../src/dev/local-stack.ts';
import type { GithubSandbox } from '../../src/sandbox/github-sandbox.ts';
import { temporalConnectConfig } from '../../src/temporal/connection-options.ts';
import { startWorkerProcess, type WorkerProcess } from '../../src/worker/start-worker-process.ts';
import type { JobTimeouts } from '../../src/domain/job-timeouts.ts';
import { installQuietTemporalRuntime } from './quiet-temporal-runtime.ts';

/** Deadlines most tests run their jobs with: a lost webhook is noticed within seconds, not minutes. */
export const TEST_JOB_TIMEOUTS: Partial<JobTimeouts> = {
  quietPeriod: '5 seconds',
  pollInterval: '2 seconds',
  discoveryTimeout: '20 seconds',
  jobTimeout: '2 minutes',
};

export interface TestStackOptions {
  /**
   * Env vars as an operator sets them for `gha-agent api` and `worker`. Unset ones take the suite's: listeners on
   * 127.0.0.1 at free ports (HOST, PORT, WORKER_METRICS_PORT), its Temporal server (TEMPORAL_ADDRESS,
   * TEMPORAL_NAMESPACE) and workflow bundle (WORKFLOW_BUNDLE_PATH).
   */
  env: Record<string, string | undefined>;
  /** Deadlines over the JOB_* settings: shorter ones, and the two no variable sets (history limit, backstop). */
  jobTimeouts?: Partial<JobTimeouts>;
  /** Run the worker in this process (default true). */
  startWorker?: boolean;
  /** CONFIG_FILE's documents, given as objects instead of a file. */
  declarative?: DeclarativeConfig;
  /** Ctrlplane poll interval in ms, below the 1 s floor CTRLPLANE_POLL_INTERVAL has: tests see jobs sooner. */
  ctrlplanePollIntervalMs?: number;
  /**
   * `installed` (default): the test process's quiet Temporal runtime, shared by its stacks. `install`: the worker
   * installs it as `gha-agent worker` does (the SDK's logs through `logger`, its metrics merged into /metrics); once
   * per process, so only for a file whose one stack runs the worker.
   */
  temporalRuntime?: 'install' | 'installed';
  logger: Logger;
}

/** The GitHub App settings of a sandbox: its API URL, App ID and private key. */
export function sandboxGithubEnv(sandbox: GithubSandbox): Record<string, string> {
  return { GITHUB_API_URL: sandbox.url, GITHUB_BOT_APP_ID: String(sandbox.appId), GITHUB_BOT_PRIVATE_KEY: sandbox.privateKey };
}

/** The settings `loadConfig` makes of `options.env` over the suite's defaults, with the explicit test overrides. */
export function testStackConfig(options: Pick<TestStackOptions, 'env' | 'ctrlplanePollIntervalMs'>): { config: AppConfig; env: Record<string, string> } {
  const defined = Object.fromEntries(Object.entries(options.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    WORKER_METRICS_PORT: '0',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    ...defined,
  };
  const config = loadConfig(env);
  if (config.ctrlplane && options.ctrlplanePollIntervalMs !== undefined) {
    return { env, config: { ...config, ctrlplane: { ...config.ctrlplane, pollIntervalMs: options.ctrlplanePollIntervalMs } } };
  }
  return { env, config };
}

/**
 * `gha-agent worker` and `api` in the test process, built by their production factories from env vars
 * (src/dev/local-stack.ts), against the suite's Temporal server unless the env names another.
 */
export function startTestStack(options: TestStackOptions): Promise<LocalStack> {
  const temporalRuntime = options.temporalRuntime ?? 'installed';
  if (temporalRuntime === 'installed') installQuietTemporalRuntime();
  const { config, env } = testStackConfig(options);
  return startLocalStack({
    config,
    temporal: temporalConnectConfig(env),
    logger: options.logger,
    declarative: options.declarative,
    jobTimeouts: options.jobTimeouts,
    startWorker: options.startWorker,
    temporalRuntime,
  });
}

/** `gha-agent worker` alone, in the test process, from the same settings as `startTestStack` (e.g. a worker that comes late). */
export function startTestWorker(options: Omit<TestStackOptions, 'startWorker' | 'temporalRuntime'>): Promise<WorkerProcess> {
  installQuietTemporalRuntime();
  const { config, env } = testStackConfig(options);
  return startWorkerProcess({
    config,
    temporal: temporalConnectConfig(env),
    logger: options.logger,
    declarative: options.declarative,
    jobTimeouts: options.jobTimeouts,
    temporalRuntime: 'installed',
  });
}
