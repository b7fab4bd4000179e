import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { ApiKeyEntry } from '../auth/api-keys.ts';
import { type DeclarativeConfig, EMPTY_DECLARATIVE_CONFIG } from '../config/declarative-config.ts';
import type { DispatchRule } from '../config/dispatch-allowlist.ts';
import { type ApiMetrics, createApiMetrics } from '../metrics/api-metrics.ts';
import type { JobTimeouts } from '../domain/job-timeouts.ts';
import { type JobTokenAuthOptions, requireApiKey } from './api-key-auth.ts';
import { CODEC_PREFIX, codecRoutes } from './codec-routes.ts';
import { installErrorHandler } from './error-handler.ts';
import { healthRoutes } from './health-routes.ts';
import { JobService } from './job-service.ts';
import { jobsRoutes } from './jobs-routes.ts';
import { metricsPlugin } from './metrics-plugin.ts';
import { normalizeApiPath } from './normalize-api-path.ts';
import { registerOpenApi } from './openapi.ts';
import { RenderPool } from './render-pool.ts';
import { renderRoutes } from './render-routes.ts';
import { webhookRoute } from './webhook-route.ts';
import { workspaceRoutes } from './workspace-routes.ts';

export interface BuildAppOptions {
  client: Client;
  taskQueue: string;
  /** API_KEYS: a bare string may do everything, `{key, scopes}` only those scopes. */
  apiKeys: readonly ApiKeyEntry[];
  /**
   * JOB_TOKEN_SECRET (every secret verifies): accept per-job tokens on the routes that allow them. Absent → a
   * job token is just an unknown key (401).
   */
  jobTokenSecrets?: readonly string[];
  /** How long a job token still works after its job ended (JOB_TOKEN_GRACE_PERIOD; its default when absent). */
  jobTokenGracePeriodMs?: number;
  webhookSecret?: string;
  /** DISPATCH_ALLOWLIST rules; unset = any target. */
  dispatchAllowlist?: readonly DispatchRule[];
  /** WEBHOOK_BODY_LIMIT in bytes (its default when absent). */
  webhookBodyLimit?: number;
  jobTimeouts?: Partial<JobTimeouts>;
  logger: Logger;
  /** Prometheus metrics; a fresh registry when absent. */
  metrics?: ApiMetrics;
  /** The client's payload codecs; when any is set, `POST /codec/encode|decode` serve them (behind the API key). */
  payloadCodecs?: PayloadCodec[];
  /** Browser origins (the Temporal UI) allowed to call the codec endpoint. */
  codecCorsOrigins?: string[];
  /** JobAgent and Deployment documents from CONFIG_FILE (named deployments for POST /api/v1/jobs). */
  config?: DeclarativeConfig;
  /** Serve `GET /metrics` here (default true); false when API_METRICS_PORT serves it elsewhere or turns it off. */
  metricsRoute?: boolean;
  /** Serve `/docs` and `/api/openapi.json` (API_DOCS; default true). */
  docs?: boolean;
  /** Sees every route as it is added (tests list the routes and the scopes they declare). */
  onRoute?: (route: RouteOptions) => void;
}

/** The API, configured but not listening (tests call `inject()`, the CLI calls `listen()`). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    // get-job-inputs' base_url may or may not end in /api (normalize-api-path.ts).
    rewriteUrl: (request) => normalizeApiPath(request.url ?? '/'),
  });
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  const metrics = options.metrics ?? createApiMetrics();
  await app.register(metricsPlugin, { metrics, serveRoute: options.metricsRoute ?? true });

  const jobs = new JobService({
    client: options.client,
    taskQueue: options.taskQueue,
    timeouts: options.jobTimeouts,
    logger: options.logger,
    onWebhookTemporalCall: (call) => metrics.webhookTemporalCalls.inc({ call }),
  });

  // Renders of job agent configs run on threads of their own, so a long one never holds the event loop.
  const renders = new RenderPool();
  app.addHook('onClose', async () => renders.close());

  if (options.docs ?? true) await registerOpenApi(app);
  await app.register(healthRoutes, { client: options.client });
  await app.register(webhookRoute, { secret: options.webhookSecret, jobs, bodyLimit: options.webhookBodyLimit });
  const jobTokens: JobTokenAuthOptions | undefined = options.jobTokenSecrets?.length
    ? { secrets: options.jobTokenSecrets, gracePeriodMs: options.jobTokenGracePeriodMs, lookupJob: (jobId, origin) => jobs.get(jobId, origin) }
    : undefined;
  await app.register(async (v1) => {
    // Every route here declares the scope it needs (config.scope); requireApiKey refuses to start otherwise.
    requireApiKey(v1, { apiKeys: options.apiKeys, jobTokens });
    await v1.register(jobsRoutes, { jobs, config: options.config ?? EMPTY_DECLARATIVE_CONFIG, dispatchAllowlist: options.dispatchAllowlist, renders });
    await v1.register(workspaceRoutes, { jobs });
    await v1.register(renderRoutes, { config: options.config ?? EMPTY_DECLARATIVE_CONFIG, renders });
  });
  if (options.payloadCodecs?.length) {
    await app.register(codecRoutes, {
      prefix: CODEC_PREFIX,
      codecs: options.payloadCodecs,
      apiKeys: options.apiKeys,
      jobTokens,
      corsOrigins: options.codecCorsOrigins ?? [],
    });
  }
  return app;
}
