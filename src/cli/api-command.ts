import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { buildApp } from '../api/build-app.ts';
import { createPayloadCodecs } from '../codec/create-payload-codecs.ts';
import { loadDeclarativeConfigFromEnv } from '../config/load-declarative-config-from-env.ts';
import { loadConfig } from '../config/env.ts';
import { createLogger } from '../logging/create-logger.ts';
import { temporalConnectConfig } from '../temporal/connection-options.ts';
import { jobTimeoutsFromEnv } from './job-timeouts-from-env.ts';
import { onShutdownSignal } from './shutdown.ts';

/** `gha-agent api`: the HTTP API, configured by env vars only; any number of replicas. */
export async function apiCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.env.LOG_LEVEL, name: 'gha-agent-api' });
  if (!config.env.GITHUB_WEBHOOK_SECRET) logger.warn('GITHUB_WEBHOOK_SECRET is not set: POST /api/github/webhook answers 503 until it is');
  if (config.apiKeys.length === 0) logger.warn('API_KEYS is empty: every /api/v1 request will be refused with 401');
  const declarative = await loadDeclarativeConfigFromEnv(config.env.CONFIG_FILE, logger);
  const temporal = temporalConnectConfig();
  // Lazy: the API starts (and answers /healthz, /readyz=503) even while Temporal is still coming up.
  const connection = Connection.lazy(temporal.connectionOptions as ConnectionOptions);
  const payloadCodecs = createPayloadCodecs(config.env.PAYLOAD_ENCRYPTION_KEYS);
  if (payloadCodecs.length) logger.info('payload encryption on: /codec/encode and /codec/decode serve the Temporal UI and CLI');
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter: { payloadCodecs } });
  const app = await buildApp({
    client,
    taskQueue: config.env.TEMPORAL_TASK_QUEUE,
    apiKeys: config.apiKeys,
    webhookSecret: config.env.GITHUB_WEBHOOK_SECRET,
    jobTimeouts: jobTimeoutsFromEnv(),
    logger,
    config: declarative,
    payloadCodecs,
    codecCorsOrigins: (config.env.CODEC_CORS_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter(Boolean),
  });
  await app.listen({ host: config.env.HOST, port: config.env.PORT });
  onShutdownSignal(logger, async () => {
    await app.close();
    await connection.close();
  });
}
