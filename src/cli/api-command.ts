import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { buildApp } from '../api/build-app.ts';
import { type ApiMetricsServer, startApiMetricsServer } from '../api/metrics-server.ts';
import { apiKeyScopes, API_SCOPES } from '../auth/api-keys.ts';
import { createPayloadCodecs } from '../codec/create-payload-codecs.ts';
import { loadDeclarativeConfigFromEnv } from '../config/load-declarative-config-from-env.ts';
import { loadConfig } from '../config/env.ts';
import { createLogger } from '../logging/create-logger.ts';
import { createApiMetrics } from '../metrics/api-metrics.ts';
import { temporalConnectConfig } from '../temporal/connection-options.ts';
import { jobTimeoutsFromEnv } from './job-timeouts-from-env.ts';
import { onShutdownSignal } from './shutdown.ts';
import { dataConverterFor } from '../codec/data-converter.ts';

/** `gha-agent api`: the HTTP API, configured by env vars only; any number of replicas. */
export async function apiCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.env.LOG_LEVEL, name: 'gha-agent-api' });
  if (!config.env.GITHUB_WEBHOOK_SECRET) logger.warn('GITHUB_WEBHOOK_SECRET is not set: POST /api/github/webhook answers 503 until it is');
  if (config.apiKeys.length === 0 && !config.jobTokenSecrets) logger.warn('API_KEYS is empty: every /api/v1 request will be refused with 401');
  const unscoped = config.apiKeys.filter((entry) => apiKeyScopes(entry).length === API_SCOPES.length).length;
  // Counts only: keys are never logged.
  logger.info({ apiKeys: config.apiKeys.length, unscopedApiKeys: unscoped, jobTokens: Boolean(config.jobTokenSecrets) }, 'API credentials loaded');
  const declarative = await loadDeclarativeConfigFromEnv(config.env.CONFIG_FILE, logger);
  const temporal = temporalConnectConfig();
  // Lazy: the API starts (and answers /healthz, /readyz=503) even while Temporal is still coming up.
  const connection = Connection.lazy(temporal.connectionOptions as ConnectionOptions);
  const payloadCodecs = createPayloadCodecs(config.env.PAYLOAD_ENCRYPTION_KEYS);
  if (payloadCodecs.length) logger.info('payload encryption on: /codec/encode and /codec/decode serve the Temporal UI and CLI');
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter: dataConverterFor(payloadCodecs) });
  const metrics = createApiMetrics();
  const metricsPort = config.env.API_METRICS_PORT;
  const app = await buildApp({
    client,
    taskQueue: config.env.TEMPORAL_TASK_QUEUE,
    apiKeys: config.apiKeys,
    jobTokenSecrets: config.jobTokenSecrets,
    jobTokenGracePeriodMs: config.env.JOB_TOKEN_GRACE_PERIOD,
    metrics,
    metricsRoute: metricsPort === undefined,
    docs: config.env.API_DOCS,
    webhookSecret: config.env.GITHUB_WEBHOOK_SECRET,
    webhookBodyLimit: config.env.WEBHOOK_BODY_LIMIT,
    dispatchAllowlist: config.env.DISPATCH_ALLOWLIST,
    jobTimeouts: jobTimeoutsFromEnv(config.env),
    logger,
    config: declarative,
    payloadCodecs,
    codecCorsOrigins: (config.env.CODEC_CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  });
  await app.listen({ host: config.env.HOST, port: config.env.PORT });
  let metricsServer: ApiMetricsServer | undefined;
  if (typeof metricsPort === 'number') {
    metricsServer = await startApiMetricsServer({ metrics, host: config.env.HOST, port: metricsPort, logger });
    logger.info({ metrics: `${metricsServer.url}/metrics` }, 'metrics served on their own port (API_METRICS_PORT)');
  } else if (metricsPort === 'off') {
    logger.info('metrics off (API_METRICS_PORT=off)');
  }
  onShutdownSignal(logger, async () => {
    await app.close();
    await metricsServer?.close();
    await connection.close();
  });
}
