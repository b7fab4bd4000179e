import { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createActivities } from '../activities/create-activities.ts';
import { createCtrlplaneActivities } from '../activities/create-ctrlplane-activities.ts';
import { createGithubClientFactory } from '../activities/github-client-factory.ts';
import { InstallationBudget } from '../activities/installation-budget.ts';
import { createPayloadCodecs } from '../codec/create-payload-codecs.ts';
import { dataConverterFor } from '../codec/data-converter.ts';
import type { DeclarativeConfig } from '../config/declarative-config.ts';
import type { AppConfig } from '../config/env.ts';
import { jobTimeoutsFromEnv } from '../config/job-timeouts-from-env.ts';
import { loadDeclarativeConfigFromEnv } from '../config/load-declarative-config-from-env.ts';
import { type CtrlplaneConnection, createCtrlplaneClient, createCtrlplaneConnection } from '../ctrlplane/start-ctrlplane-connection.ts';
import { createCtrlplaneMetrics } from '../metrics/ctrlplane-metrics.ts';
import { createWorkerMetrics } from '../metrics/worker-metrics.ts';
import { type TemporalConnectConfig, temporalConnectConfig } from '../temporal/connection-options.ts';
import { findFreePort } from '../temporal/free-port.ts';
import type { JobTimeouts } from '../domain/job-timeouts.ts';
import { activityMetricsInterceptor } from './activity-metrics-interceptor.ts';
import { createCtrlplaneActivityWorker } from './create-ctrlplane-activity-worker.ts';
import { createJobWorker } from './create-job-worker.ts';
import { installRuntimeLogger } from './install-runtime-logger.ts';
import { startConfiguredRedelivery } from './webhook-redelivery-loop.ts';
import { startWorkerMetricsServer } from './worker-metrics-server.ts';

export interface WorkerProcessOptions {
  /** The validated settings (`loadConfig`): everything `gha-agent worker` reads comes from here. */
  config: AppConfig;
  logger: Logger;
  /** The Temporal server and namespace; default: the TEMPORAL_* variables of this process (`temporalConnectConfig`). */
  temporal?: TemporalConnectConfig;
  /** CONFIG_FILE's documents when the caller holds them already; default: read from `config.env.CONFIG_FILE`. */
  declarative?: DeclarativeConfig;
  /**
   * Deadlines over the JOB_* settings, for the jobs the Ctrlplane poller starts. Tests shorten them and set the two
   * no variable sets (`historyEventLimit`, `backstopMargin`).
   */
  jobTimeouts?: Partial<JobTimeouts>;
  /**
   * `install` (default): install Temporal's runtime for this process, its logs through `logger` and its metrics on a
   * loopback port that the worker's /metrics merges in. `installed`: the process installed one already (a test
   * runner holds one runtime for all its stacks), and /metrics serves ours only.
   */
  temporalRuntime?: 'install' | 'installed';
  /**
   * Called with `stop` as soon as it can drain the process, before the Ctrlplane registration attempt (which lasts
   * as long as Ctrlplane takes to answer): `gha-agent worker` wires its signals here, so SIGTERM drains even then.
   */
  onStopReady?: (stop: () => Promise<void>) => void;
}

export interface WorkerProcess {
  /** The job worker (workflows and GitHub activities). */
  worker: Worker;
  /** Present when CTRLPLANE_URL is set. */
  ctrlplane?: CtrlplaneConnection;
  /** The worker's own metrics, Ctrlplane's included: what its /metrics serves besides the SDK's. */
  metricsRegistry: Registry;
  /** Where /metrics and /healthz are served (WORKER_METRICS_PORT on HOST). */
  metricsUrl: string;
  /** Settles when both workers have stopped; rejects when one failed. */
  running: Promise<void>;
  /** Drains: polling stops (the request in flight aborted), in-flight activities finish or hit their timeout. */
  stop(): Promise<void>;
}

/**
 * `gha-agent worker`, built from its settings: the job worker and the Ctrlplane activity worker on one Temporal
 * connection, the Ctrlplane poller, the webhook redelivery loop, and the metrics server. Resolves once the workers
 * run and the Ctrlplane connection made its first registration attempt (whatever Ctrlplane answered: nothing it
 * answers stops the worker). `gha-agent dev` and the e2e tests start the same process through here.
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const { config, logger } = options;
  const { env } = config;
  let sdkMetricsUrl: string | undefined;
  if ((options.temporalRuntime ?? 'install') === 'install') {
    // The SDK's exporter stays on loopback; our server on WORKER_METRICS_PORT serves both sets of metrics.
    const sdkMetricsPort = await findFreePort();
    installRuntimeLogger(logger, { prometheusBindAddress: `127.0.0.1:${sdkMetricsPort}` });
    sdkMetricsUrl = `http://127.0.0.1:${sdkMetricsPort}/metrics`;
  }
  if (!config.githubApp) logger.warn('GITHUB_BOT_APP_ID / GITHUB_BOT_PRIVATE_KEY not set: every job will end invalid_integration "GitHub bot not configured"');
  // CONFIG_FILE's Deployments: a job of one dispatches only what the Deployment locks (checked by the API too).
  const declarative = options.declarative ?? (await loadDeclarativeConfigFromEnv(env.CONFIG_FILE, logger));
  const temporal = options.temporal ?? temporalConnectConfig();
  const jobTimeouts = { ...jobTimeoutsFromEnv(env), ...options.jobTimeouts };
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  const payloadCodecs = createPayloadCodecs(env.PAYLOAD_ENCRYPTION_KEYS);
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter: dataConverterFor(payloadCodecs) });
  const githubBudget = new InstallationBudget(env.GITHUB_REQUEST_BUDGET);
  const metrics = createWorkerMetrics({ jobCounts: { client, taskQueue: env.TEMPORAL_TASK_QUEUE }, githubBudget });
  const ctrlplaneMetrics = createCtrlplaneMetrics(metrics.registry);
  let worker: Worker | undefined;
  const metricsServer = await startWorkerMetricsServer({ metrics, sdkMetricsUrl, worker: () => worker, host: env.HOST, port: env.WORKER_METRICS_PORT, logger });
  const github = createGithubClientFactory({
    apiUrl: config.githubApiUrl,
    app: config.githubApp,
    mutationIntervalMs: env.GITHUB_MUTATION_INTERVAL_MS,
    budget: githubBudget,
    logger,
    onRateLimitRemaining: (resource, remaining) => metrics.githubRateLimitRemaining.set({ resource }, remaining),
  });
  const jobWorker = await createJobWorker({
    connection,
    namespace: temporal.namespace,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    activities: createActivities(github, {
      jobTokenSecrets: config.jobTokenSecrets,
      dispatchAllowlist: env.DISPATCH_ALLOWLIST,
      configuredDeployments: declarative.deployments,
    }),
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
    maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    payloadCodecs,
    activityInterceptors: [activityMetricsInterceptor(metrics)],
  });
  worker = jobWorker;
  const ctrlplaneWorker = await createCtrlplaneActivityWorker({
    connection,
    namespace: temporal.namespace,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    activities: createCtrlplaneActivities(config.ctrlplane && createCtrlplaneClient(config.ctrlplane), ctrlplaneMetrics),
    payloadCodecs,
    activityInterceptors: [activityMetricsInterceptor(metrics)],
  });
  // Off unless GITHUB_REDELIVER_INTERVAL is set: replays webhook deliveries that failed while the API was down.
  const redelivery = startConfiguredRedelivery({ intervalMs: env.GITHUB_REDELIVER_INTERVAL, apiUrl: config.githubApiUrl, app: config.githubApp, logger });
  const running = Promise.all([jobWorker.run(), ctrlplaneWorker.run()]).then(() => undefined);
  // Whatever Ctrlplane answers (a key refused, an agent of another type, garbage) is logged and retried with
  // backoff while the worker runs jobs: only the worker's own settings stop it.
  const ctrlplane = config.ctrlplane
    ? createCtrlplaneConnection({
        settings: config.ctrlplane,
        temporal: client,
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        timeouts: jobTimeouts,
        metrics: ctrlplaneMetrics,
        logger,
      })
    : undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await ctrlplane?.stop();
      // The SDK also starts draining every worker on SIGTERM: shut down only what still runs.
      for (const each of [jobWorker, ctrlplaneWorker]) if (each.getState() === 'RUNNING') each.shutdown();
      await redelivery?.stop();
      try {
        await running;
      } finally {
        await metricsServer.close();
        await connection.close();
      }
    })());
  options.onStopReady?.(stop);
  await ctrlplane?.start();
  logger.info(
    {
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      namespace: temporal.namespace,
      githubApiUrl: config.githubApiUrl,
      metrics: `${metricsServer.url}/metrics`,
      payloadEncryption: payloadCodecs.length > 0,
      jobTokens: config.jobTokenSecrets ? 'on' : 'off (JOB_TOKEN_SECRET unset: jobs with jobTokenInput end invalid_integration)',
      ctrlplane: ctrlplane
        ? { apiUrl: config.ctrlplane?.apiUrl, workspaceId: ctrlplane.origin.workspaceId, agentId: ctrlplane.origin.agentId }
        : 'not configured',
    },
    'worker started',
  );
  return { worker: jobWorker, ctrlplane, metricsRegistry: metrics.registry, metricsUrl: metricsServer.url, running, stop };
}
