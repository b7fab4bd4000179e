import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { startApiProcess } from '../api/start-api-process.ts';
import type { DeclarativeConfig } from '../config/declarative-config.ts';
import type { AppConfig } from '../config/env.ts';
import type { CtrlplaneConnection } from '../ctrlplane/start-ctrlplane-connection.ts';
import type { TemporalConnectConfig } from '../temporal/connection-options.ts';
import { startWorkerProcess, type WorkerProcess } from '../worker/start-worker-process.ts';
import type { JobTimeouts } from '../domain/job-timeouts.ts';

export interface LocalStackOptions {
  /** The settings of both processes, as `loadConfig` gives them: HOST, PORT and the metrics ports included. */
  config: AppConfig;
  /** The Temporal server both connect to (the dev server `dev` runs, or the test suite's). */
  temporal: TemporalConnectConfig;
  logger: Logger;
  /** CONFIG_FILE's documents when the caller holds them already; default: read from `config.env.CONFIG_FILE`. */
  declarative?: DeclarativeConfig;
  /** Deadlines over the JOB_* settings (tests: shorter ones, and the two no variable sets). */
  jobTimeouts?: Partial<JobTimeouts>;
  /** Run the worker in this process (default true); tests of a worker elsewhere turn it off. */
  startWorker?: boolean;
  /** `installed` when the process holds a Temporal runtime already (a test runner's); default: the worker installs it. */
  temporalRuntime?: 'install' | 'installed';
}

export interface LocalStack {
  apiUrl: string;
  /** Present when API_METRICS_PORT is a port: where the API's /metrics is served. */
  metricsUrl?: string;
  /** Present with the worker: where its /metrics and /healthz are served (WORKER_METRICS_PORT). */
  workerMetricsUrl?: string;
  /** Present with the worker: its metrics, Ctrlplane's included. */
  workerMetricsRegistry?: Registry;
  taskQueue: string;
  app: FastifyInstance;
  client: Client;
  worker?: Worker;
  ctrlplane?: CtrlplaneConnection;
  stop(): Promise<void>;
}

/**
 * `gha-agent worker` and `gha-agent api` in one process, each built by the factory its command uses, against a
 * given Temporal server: what `gha-agent dev` and the e2e tests run.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { config, logger, temporal, declarative, jobTimeouts } = options;
  const worker: WorkerProcess | undefined =
    options.startWorker === false
      ? undefined
      : await startWorkerProcess({ config, logger, temporal, declarative, jobTimeouts, temporalRuntime: options.temporalRuntime });
  // A worker that fails is logged when it does.
  worker?.running.catch((error: unknown) => logger.error({ err: error }, 'worker stopped with an error'));
  const api = await startApiProcess({ config, logger: logger.child({ component: 'api' }), temporal, declarative, jobTimeouts });
  return {
    apiUrl: api.url,
    metricsUrl: api.metricsUrl,
    workerMetricsUrl: worker?.metricsUrl,
    workerMetricsRegistry: worker?.metricsRegistry,
    taskQueue: config.env.TEMPORAL_TASK_QUEUE,
    app: api.app,
    client: api.client,
    worker: worker?.worker,
    ctrlplane: worker?.ctrlplane,
    async stop() {
      await api.stop();
      // Its failure, if any, was logged when it happened.
      await worker?.stop().catch(() => undefined);
    },
  };
}
