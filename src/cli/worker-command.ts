import { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivities } from '../activities/create-activities.ts';
import { createCtrlplaneActivities } from '../activities/create-ctrlplane-activities.ts';
import { createGithubClientFactory } from '../activities/github-client-factory.ts';
import { InstallationBudget } from '../activities/installation-budget.ts';
import { createPayloadCodecs } from '../codec/create-payload-codecs.ts';
import { loadConfig } from '../config/env.ts';
import { loadDeclarativeConfigFromEnv } from '../config/load-declarative-config-from-env.ts';
import { startRedeliveryFromEnv } from '../doctor/redelivery-loop.ts';
import { type CtrlplaneConnection, createCtrlplaneClient, createCtrlplaneConnection } from '../ctrlplane/start-ctrlplane-connection.ts';
import { createLogger } from '../logging/create-logger.ts';
import { createCtrlplaneMetrics } from '../metrics/ctrlplane-metrics.ts';
import { createWorkerMetrics } from '../metrics/worker-metrics.ts';
import { findFreePort } from '../temporal/free-port.ts';
import { temporalConnectConfig } from '../temporal/connection-options.ts';
import { activityMetricsInterceptor } from '../worker/activity-metrics-interceptor.ts';
import { createCtrlplaneActivityWorker } from '../worker/create-ctrlplane-activity-worker.ts';
import { createJobWorker } from '../worker/create-job-worker.ts';
import { installRuntimeLogger } from '../worker/install-runtime-logger.ts';
import { startWorkerMetricsServer } from '../worker/worker-metrics-server.ts';
import { jobTimeoutsFromEnv } from './job-timeouts-from-env.ts';
import { onShutdownSignal } from './shutdown.ts';
import { dataConverterFor } from '../codec/data-converter.ts';

/** `gha-agent worker`: runs job workflows and their GitHub activities; any number of replicas. */
export async function workerCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.env.LOG_LEVEL, name: 'gha-agent-worker' });
  // The SDK's exporter stays on loopback; our server on WORKER_METRICS_PORT serves both sets of metrics.
  const sdkMetricsPort = await findFreePort();
  installRuntimeLogger(logger, { prometheusBindAddress: `127.0.0.1:${sdkMetricsPort}` });
  if (!config.githubApp) logger.warn('GITHUB_BOT_APP_ID / GITHUB_BOT_PRIVATE_KEY not set: every job will end invalid_integration "GitHub bot not configured"');
  // CONFIG_FILE's Deployments: a job of one dispatches only what the Deployment locks (checked by the API too).
  const declarative = await loadDeclarativeConfigFromEnv(config.env.CONFIG_FILE, logger);
  const temporal = temporalConnectConfig();
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  const payloadCodecs = createPayloadCodecs(config.env.PAYLOAD_ENCRYPTION_KEYS);
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter: dataConverterFor(payloadCodecs) });
  const githubBudget = new InstallationBudget(config.env.GITHUB_REQUEST_BUDGET);
  const metrics = createWorkerMetrics({ jobCounts: { client, taskQueue: config.env.TEMPORAL_TASK_QUEUE }, githubBudget });
  const ctrlplaneMetrics = createCtrlplaneMetrics(metrics.registry);
  let worker: Worker | undefined;
  const metricsServer = await startWorkerMetricsServer({
    metrics,
    sdkMetricsUrl: `http://127.0.0.1:${sdkMetricsPort}/metrics`,
    worker: () => worker,
    host: config.env.HOST,
    port: config.env.WORKER_METRICS_PORT,
    logger,
  });
  const github = createGithubClientFactory({
    apiUrl: config.githubApiUrl,
    app: config.githubApp,
    mutationIntervalMs: config.env.GITHUB_MUTATION_INTERVAL_MS,
    budget: githubBudget,
    logger,
    onRateLimitRemaining: (resource, remaining) => metrics.githubRateLimitRemaining.set({ resource }, remaining),
  });
  worker = await createJobWorker({
    connection,
    namespace: temporal.namespace,
    taskQueue: config.env.TEMPORAL_TASK_QUEUE,
    activities: createActivities(github, {
      jobTokenSecrets: config.jobTokenSecrets,
      dispatchAllowlist: config.env.DISPATCH_ALLOWLIST,
      configuredDeployments: declarative.deployments,
    }),
    workflowBundlePath: config.env.WORKFLOW_BUNDLE_PATH,
    maxCachedWorkflows: config.env.WORKER_MAX_CACHED_WORKFLOWS,
    payloadCodecs,
    activityInterceptors: [activityMetricsInterceptor(metrics)],
  });
  const ctrlplaneWorker = await createCtrlplaneActivityWorker({
    connection,
    namespace: temporal.namespace,
    taskQueue: config.env.TEMPORAL_TASK_QUEUE,
    activities: createCtrlplaneActivities(config.ctrlplane && createCtrlplaneClient(config.ctrlplane), ctrlplaneMetrics),
    payloadCodecs,
    activityInterceptors: [activityMetricsInterceptor(metrics)],
  });
  // Off unless GITHUB_REDELIVER_INTERVAL is set: replays webhook deliveries that failed while the API was down.
  const redelivery = startRedeliveryFromEnv({ env: process.env, apiUrl: config.githubApiUrl, app: config.githubApp, logger });
  const started = worker;
  const running = Promise.all([started.run(), ctrlplaneWorker.run()]);
  // Shutdown drains: polling stops (its request in flight aborted), in-flight activities finish (or hit their
  // timeout) before the process exits.
  let stopping: Promise<void> | undefined;
  let ctrlplane: CtrlplaneConnection | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await ctrlplane?.stop();
      // The SDK also starts draining every worker on SIGTERM: shut down only what still runs.
      for (const running of [started, ctrlplaneWorker]) if (running.getState() === 'RUNNING') running.shutdown();
      await redelivery?.stop();
      await running;
      await metricsServer.close();
      await connection.close();
    })());
  // Whatever Ctrlplane answers (a key refused, an agent of another type, garbage) is logged and retried with
  // backoff while the worker runs jobs: only the worker's own settings (loadConfig above) stop it.
  const connecting = config.ctrlplane
    ? createCtrlplaneConnection({
        settings: config.ctrlplane,
        temporal: client,
        taskQueue: config.env.TEMPORAL_TASK_QUEUE,
        timeouts: jobTimeoutsFromEnv(config.env),
        metrics: ctrlplaneMetrics,
        logger,
      })
    : undefined;
  ctrlplane = connecting;
  onShutdownSignal(logger, stop);
  await connecting?.start();
  logger.info(
    {
      taskQueue: config.env.TEMPORAL_TASK_QUEUE,
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
  await running;
}
