import type { Client } from '@temporalio/client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { JobTimeouts } from '../workflows/job-timeouts.ts';
import { requireApiKey } from './api-key-auth.ts';
import { installErrorHandler } from './error-handler.ts';
import { healthRoutes } from './health-routes.ts';
import { JobService } from './job-service.ts';
import { jobsRoutes } from './jobs-routes.ts';
import { webhookRoute } from './webhook-route.ts';

export interface BuildAppOptions {
  client: Client;
  taskQueue: string;
  apiKeys: readonly string[];
  webhookSecret?: string;
  jobTimeouts?: Partial<JobTimeouts>;
  logger: Logger;
}

/** The API, configured but not listening (tests call `inject()`, the CLI calls `listen()`). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  const jobs = new JobService({ client: options.client, taskQueue: options.taskQueue, timeouts: options.jobTimeouts, logger: options.logger });

  await app.register(healthRoutes, { client: options.client });
  await app.register(webhookRoute, { secret: options.webhookSecret, jobs });
  await app.register(async (v1) => {
    requireApiKey(v1, options.apiKeys);
    await v1.register(jobsRoutes, { jobs });
  });
  return app;
}
