import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeclarativeConfig } from '../config/declarative-config.ts';
import { createJobBody, errorResponse } from './job-schemas.ts';
import { JOB_INPUT_LIMITS } from '../domain/job-input-limits.ts';
import { createErrorHandler, renderRequestedJob } from './jobs-routes.ts';
import type { RenderPool } from './render-pool.ts';

const renderResponse = z
  .object({
    valid: z.boolean().describe('Whether a job with this body would get past rendering and validation'),
    rendered: z.unknown().optional().describe('The job agent config after templating, before validation'),
    config: z.record(z.string(), z.unknown()).optional().describe('The validated config the job would dispatch with'),
    message: z.string().optional().describe('Why the job would end invalid_job_agent'),
    warnings: z.array(z.string()).optional().describe('What a job would run with but probably should not: keys no job reads (a typo such as reff)'),
  })
  .meta({ id: 'RenderResponse' });

/**
 * `POST /api/v1/render`: what a job created with this body would dispatch, without creating it. The same code
 * path as the workflow's render step, so the preview and the job never disagree; and the same size cap as a job's config
 * (413), as given and as rendered.
 */
export async function renderRoutes(parent: FastifyInstance, { config, renders }: { config: DeclarativeConfig; renders: RenderPool }): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/api/v1/render',
    {
      config: { scope: 'jobs:create' },
      // Bounded as a create is: a preview renders the same job.
      bodyLimit: JOB_INPUT_LIMITS.bodyBytes,
      errorHandler: createErrorHandler,
      schema: {
        tags: ['jobs'],
        summary: 'Preview a job agent config',
        description:
          'Renders the Go templates of the job agent config against the dispatch context and validates the result. Creates nothing. Scope: jobs:create.',
        security: [{ apiKey: [] }, { bearer: [] }],
        body: createJobBody,
        response: { 200: renderResponse, 400: errorResponse, 401: errorResponse, 403: errorResponse, 413: errorResponse, 503: errorResponse },
      },
    },
    async (request) => {
      const { rendered: outcome } = await renderRequestedJob(request.body, config, renders);
      const warnings = outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {};
      return outcome.ok
        ? { valid: true, rendered: outcome.rendered, config: outcome.config, ...warnings }
        : { valid: false, rendered: outcome.rendered, message: outcome.message, ...warnings };
    },
  );
}
