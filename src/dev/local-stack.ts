import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createActivities } from '../activities/create-activities.ts';
import { createCtrlplaneActivities } from '../activities/create-ctrlplane-activities.ts';
import { createGithubClientFactory } from '../activities/github-client-factory.ts';
import { InstallationBudget } from '../activities/installation-budget.ts';
import { buildApp } from '../api/build-app.ts';
import { type ApiMetricsServer, startApiMetricsServer } from '../api/metrics-server.ts';
import type { ApiKeyEntry } from '../auth/api-keys.ts';
import { createApiMetrics } from '../metrics/api-metrics.ts';
import type { DeclarativeConfig } from '../config/declarative-config.ts';
import type { DispatchRule } from '../config/dispatch-allowlist.ts';
import type { CtrlplaneSettings, GithubAppCredentials } from '../config/env.ts';
import { type CtrlplaneConnection, createCtrlplaneClient, startCtrlplaneConnection } from '../ctrlplane/start-ctrlplane-connection.ts';
import type { CtrlplaneMetrics } from '../metrics/ctrlplane-metrics.ts';
import { createCtrlplaneActivityWorker } from '../worker/create-ctrlplane-activity-worker.ts';
import { createJobWorker } from '../worker/create-job-worker.ts';
import type { JobTimeouts } from '../domain/job-timeouts.ts';
import { dataConverterFor } from '../codec/data-converter.ts';
import { createCtrlplaneMetrics } from '../metrics/ctrlplane-metrics.ts';
import { createWorkerMetrics } from '../metrics/worker-metrics.ts';
import { activityMetricsInterceptor } from '../worker/activity-metrics-interceptor.ts';
import { startWorkerMetricsServer, type WorkerMetricsServer } from '../worker/worker-metrics-server.ts';

export interface LocalStackOptions {
  temporal: { address: string; namespace: string };
  taskQueue: string;
  githubApiUrl: string;
  githubApp?: GithubAppCredentials;
  /** Gap between mutating GitHub requests per installation (default 1000 ms, GitHub's guidance). */
  githubMutationIntervalMs?: number;
  /** GITHUB_REQUEST_BUDGET of the in-process worker: the share of each installation's rate limit it may spend. */
  githubRequestBudget?: number;
  webhookSecret?: string;
  /** A bare string may do everything; `{key, scopes}` only those scopes. */
  apiKeys: ApiKeyEntry[];
  /** JOB_TOKEN_SECRET for worker (signs) and API (verifies); absent → no job tokens. */
  jobTokenSecrets?: string[];
  /** How long a job token works after its job ended (JOB_TOKEN_GRACE_PERIOD's default when absent). */
  jobTokenGracePeriodMs?: number;
  /** API_METRICS_PORT: absent → /metrics on the API's port; a port (0 = free) → its own listener; 'off' → none. */
  metricsPort?: number | 'off';
  /** API_DOCS: serve /docs and /api/openapi.json (default true). */
  docs?: boolean;
  /** WEBHOOK_BODY_LIMIT: largest webhook body in bytes (the API's default when absent). */
  webhookBodyLimit?: number;
  /** WORKER_MAX_CACHED_WORKFLOWS of the in-process worker (the SDK's default when absent). */
  maxCachedWorkflows?: number;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  jobTimeouts?: Partial<JobTimeouts>;
  workflowBundlePath?: string;
  /** Run the worker in this process (default true); tests of a worker elsewhere turn it off. */
  startWorker?: boolean;
  /** Payload codecs (encryption) shared by client and worker; the API then serves /codec/encode|decode. */
  payloadCodecs?: PayloadCodec[];
  codecCorsOrigins?: string[];
  /** JobAgent and Deployment documents (CONFIG_FILE). */
  config?: DeclarativeConfig;
  /** DISPATCH_ALLOWLIST rules for API and worker; unset = any target. */
  dispatchAllowlist?: DispatchRule[];
  /** Pull jobs from this Ctrlplane (needs the worker). */
  ctrlplane?: CtrlplaneSettings;
  ctrlplaneMetrics?: CtrlplaneMetrics;
  /**
   * Serve the worker's /metrics and /healthz as `gha-agent worker` does (its families, Ctrlplane's and, with
   * `sdkMetricsUrl`, the SDK's), on this port (0 = a free one). Absent: no worker metrics server.
   */
  workerMetrics?: { port: number; sdkMetricsUrl?: string };
  logger: Logger;
}

export interface LocalStack {
  apiUrl: string;
  /** Present when `metricsPort` is a number: where the API's /metrics is served. */
  metricsUrl?: string;
  /** Present with the `workerMetrics` option: where the worker's /metrics is served. */
  workerMetricsUrl?: string;
  taskQueue: string;
  app: FastifyInstance;
  client: Client;
  worker?: Worker;
  ctrlplane?: CtrlplaneConnection;
  stop(): Promise<void>;
}

/** API and worker in one process against a given Temporal server: what `gha-agent dev` and the e2e tests run. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { logger } = options;
  const nativeConnection = await NativeConnection.connect({ address: options.temporal.address });
  const connection = await Connection.connect({ address: options.temporal.address });
  const client = new Client({ connection, namespace: options.temporal.namespace, dataConverter: dataConverterFor(options.payloadCodecs) });
  const githubBudget = new InstallationBudget(options.githubRequestBudget);
  const workerMetrics =
    options.workerMetrics && options.startWorker !== false
      ? createWorkerMetrics({ jobCounts: { client, taskQueue: options.taskQueue }, githubBudget })
      : undefined;
  const ctrlplaneMetrics = options.ctrlplaneMetrics ?? (workerMetrics ? createCtrlplaneMetrics(workerMetrics.registry) : undefined);
  const activityInterceptors = workerMetrics ? [activityMetricsInterceptor(workerMetrics)] : [];
  const github = createGithubClientFactory({
    apiUrl: options.githubApiUrl,
    app: options.githubApp,
    mutationIntervalMs: options.githubMutationIntervalMs,
    budget: githubBudget,
    logger,
    onRateLimitRemaining: workerMetrics && ((resource, remaining) => workerMetrics.githubRateLimitRemaining.set({ resource }, remaining)),
  });
  const worker =
    options.startWorker === false
      ? undefined
      : await createJobWorker({
          connection: nativeConnection,
          namespace: options.temporal.namespace,
          taskQueue: options.taskQueue,
          activities: createActivities(github, {
            jobTokenSecrets: options.jobTokenSecrets,
            dispatchAllowlist: options.dispatchAllowlist,
            configuredDeployments: options.config?.deployments,
          }),
          workflowBundlePath: options.workflowBundlePath,
          maxCachedWorkflows: options.maxCachedWorkflows,
          payloadCodecs: options.payloadCodecs,
          activityInterceptors,
        });
  const ctrlplaneWorker =
    options.startWorker === false
      ? undefined
      : await createCtrlplaneActivityWorker({
          connection: nativeConnection,
          namespace: options.temporal.namespace,
          taskQueue: options.taskQueue,
          activities: createCtrlplaneActivities(options.ctrlplane && createCtrlplaneClient(options.ctrlplane), ctrlplaneMetrics),
          payloadCodecs: options.payloadCodecs,
          activityInterceptors,
        });
  const running = worker && Promise.all([worker.run(), ctrlplaneWorker?.run()]);
  running?.catch((error) => logger.error({ err: error }, 'worker stopped with an error'));

  let workerMetricsServer: WorkerMetricsServer | undefined;
  if (workerMetrics && options.workerMetrics) {
    workerMetricsServer = await startWorkerMetricsServer({
      metrics: workerMetrics,
      sdkMetricsUrl: options.workerMetrics.sdkMetricsUrl,
      worker: () => worker,
      host: options.host ?? '127.0.0.1',
      port: options.workerMetrics.port,
      logger,
    });
  }
  const ctrlplane =
    options.ctrlplane && worker
      ? await startCtrlplaneConnection({
          settings: options.ctrlplane,
          temporal: client,
          taskQueue: options.taskQueue,
          timeouts: options.jobTimeouts,
          metrics: ctrlplaneMetrics,
          logger,
        })
      : undefined;
  const metrics = createApiMetrics();
  const app = await buildApp({
    client,
    taskQueue: options.taskQueue,
    apiKeys: options.apiKeys,
    jobTokenSecrets: options.jobTokenSecrets,
    jobTokenGracePeriodMs: options.jobTokenGracePeriodMs,
    metrics,
    metricsRoute: options.metricsPort === undefined,
    docs: options.docs,
    webhookSecret: options.webhookSecret,
    webhookBodyLimit: options.webhookBodyLimit,
    dispatchAllowlist: options.dispatchAllowlist,
    jobTimeouts: options.jobTimeouts,
    payloadCodecs: options.payloadCodecs,
    codecCorsOrigins: options.codecCorsOrigins,
    config: options.config,
    logger: logger.child({ component: 'api' }),
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  let metricsServer: ApiMetricsServer | undefined;
  if (typeof options.metricsPort === 'number') {
    metricsServer = await startApiMetricsServer({ metrics, host, port: options.metricsPort, logger });
  }

  return {
    apiUrl: `http://${host}:${port}`,
    metricsUrl: metricsServer?.url,
    workerMetricsUrl: workerMetricsServer?.url,
    taskQueue: options.taskQueue,
    app,
    client,
    worker,
    ctrlplane,
    async stop() {
      await ctrlplane?.stop();
      await app.close();
      await metricsServer?.close();
      await workerMetricsServer?.close();
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      if (ctrlplaneWorker?.getState() === 'RUNNING') ctrlplaneWorker.shutdown();
      await running?.catch(() => undefined);
      await connection.close();
      await nativeConnection.close();
    },
  };
}
