import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { apiKeyScopes, API_SCOPES } from '../auth/api-keys.ts';
import { createPayloadCodecs } from '../codec/create-payload-codecs.ts';
import { dataConverterFor } from '../codec/data-converter.ts';
import type { DeclarativeConfig } from '../config/declarative-config.ts';
import type { AppConfig } from '../config/env.ts';
import { jobTimeoutsFromEnv } from '../config/job-timeouts-from-env.ts';
import { loadDeclarativeConfigFromEnv } from '../config/load-declarative-config-from-env.ts';
import { createApiMetrics } from '../metrics/api-metrics.ts';
import { type TemporalConnectConfig, temporalConnectConfig } from '../temporal/connection-options.ts';
import type { JobTimeouts } from '../domain/job-timeouts.ts';
import { buildApp } from './build-app.ts';
import { type ApiMetricsServer, startApiMetricsServer } from './metrics-server.ts';

export interface ApiProcessOptions {
  /** The validated settings (`loadConfig`): everything `gha-agent api` reads comes from here. */
  config: AppConfig;
  logger: Logger;
  /** The Temporal server and namespace; default: the TEMPORAL_* variables of this process (`temporalConnectConfig`). */
  temporal?: TemporalConnectConfig;
  /** CONFIG_FILE's documents when the caller holds them already; default: read from `config.env.CONFIG_FILE`. */
  declarative?: DeclarativeConfig;
  /**
   * Deadlines over the JOB_* settings, for the jobs the API starts. Tests shorten them and set the two no variable
   * sets (`historyEventLimit`, `backstopMargin`).
   */
  jobTimeouts?: Partial<JobTimeouts>;
}

export interface ApiProcess {
  /** `http://HOST:port` of the API, the port the listener got (PORT=0 picks a free one). */
  url: string;
  /** Present when API_METRICS_PORT is a port: where the API's /metrics is served. */
  metricsUrl?: string;
  app: FastifyInstance;
  client: Client;
  /** Closes the listener (requests in flight finish), the metrics server and the Temporal connection. */
  stop(): Promise<void>;
}

/** Splits CODEC_CORS_ORIGINS (comma-separated) into origins. */
function corsOrigins(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/**
 * `gha-agent api`, built from its settings: the Fastify app on HOST:PORT, its Temporal client, and /metrics where
 * API_METRICS_PORT says. `gha-agent dev` and the e2e tests start the same process through here.
 */
export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const { config, logger } = options;
  const { env } = config;
  if (!env.GITHUB_WEBHOOK_SECRET) logger.warn('GITHUB_WEBHOOK_SECRET is not set: POST /api/github/webhook answers 503 until it is');
  if (config.apiKeys.length === 0 && !config.jobTokenSecrets) logger.warn('API_KEYS is empty: every /api/v1 request will be refused with 401');
  const unscoped = config.apiKeys.filter((entry) => apiKeyScopes(entry).length === API_SCOPES.length).length;
  // Counts only: keys are never logged.
  logger.info({ apiKeys: config.apiKeys.length, unscopedApiKeys: unscoped, jobTokens: Boolean(config.jobTokenSecrets) }, 'API credentials loaded');
  const declarative = options.declarative ?? (await loadDeclarativeConfigFromEnv(env.CONFIG_FILE, logger));
  const temporal = options.temporal ?? temporalConnectConfig();
  // Lazy: the API starts (and answers /healthz, /readyz=503) even while Temporal is still coming up.
  const connection = Connection.lazy(temporal.connectionOptions as ConnectionOptions);
  const payloadCodecs = createPayloadCodecs(env.PAYLOAD_ENCRYPTION_KEYS);
  if (payloadCodecs.length) logger.info('payload encryption on: /codec/encode and /codec/decode serve the Temporal UI and CLI');
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter: dataConverterFor(payloadCodecs) });
  const metrics = createApiMetrics();
  const metricsPort = env.API_METRICS_PORT;
  const app = await buildApp({
    client,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    apiKeys: config.apiKeys,
    jobTokenSecrets: config.jobTokenSecrets,
    jobTokenGracePeriodMs: env.JOB_TOKEN_GRACE_PERIOD,
    metrics,
    metricsRoute: metricsPort === undefined,
    docs: env.API_DOCS,
    webhookSecret: env.GITHUB_WEBHOOK_SECRET,
    webhookBodyLimit: env.WEBHOOK_BODY_LIMIT,
    dispatchAllowlist: env.DISPATCH_ALLOWLIST,
    jobTimeouts: { ...jobTimeoutsFromEnv(env), ...options.jobTimeouts },
    logger,
    config: declarative,
    payloadCodecs,
    codecCorsOrigins: corsOrigins(env.CODEC_CORS_ORIGINS),
  });
  await app.listen({ host: env.HOST, port: env.PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  let metricsServer: ApiMetricsServer | undefined;
  if (typeof metricsPort === 'number') {
    metricsServer = await startApiMetricsServer({ metrics, host: env.HOST, port: metricsPort, logger });
    logger.info({ metrics: `${metricsServer.url}/metrics` }, 'metrics served on their own port (API_METRICS_PORT)');
  } else if (metricsPort === 'off') {
    logger.info('metrics off (API_METRICS_PORT=off)');
  }
  return {
    url: `http://${urlHost(env.HOST)}:${port}`,
    metricsUrl: metricsServer?.url,
    app,
    client,
    async stop() {
      await app.close();
      await metricsServer?.close();
      await connection.close();
    },
  };
}

/** The host part of a URL to reach a listener on `host`: a wildcard address is reached on loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
