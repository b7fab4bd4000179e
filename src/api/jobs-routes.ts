import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { HttpError } from './http-error.ts';
import { createJobBody, jobIdParams, updateJobBody } from './job-schemas.ts';
import type { JobService } from './job-service.ts';

export interface JobsRoutesOptions {
  jobs: JobService;
}

/** The jobs API under /api/v1 (DESIGN §5); the caller registers it behind the API-key check. */
export async function jobsRoutes(parent: FastifyInstance, { jobs }: JobsRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.post('/api/v1/jobs', { schema: { body: createJobBody } }, async (request, reply) => {
    const body = request.body;
    if (typeof body.deployment === 'string') {
      throw new HttpError(400, 'validation_error', `deployment "${body.deployment}" is not a configured Deployment (CONFIG_FILE)`, [
        { field: 'body.deployment', message: 'unknown deployment' },
      ]);
    }
    if (!body.jobAgentConfig) {
      throw new HttpError(400, 'validation_error', 'body.jobAgentConfig: required unless deployment names a configured Deployment', [
        { field: 'body.jobAgentConfig', message: 'required' },
      ]);
    }
    const { job, created } = await jobs.create({
      id: body.id ?? randomUUID(),
      jobAgentConfig: body.jobAgentConfig,
      deployment: body.deployment,
      environment: body.environment,
      resource: body.resource,
      version: body.version,
      variables: body.variables ?? {},
      release: body.release,
      inputs: body.inputs,
      createdAt: new Date().toISOString(),
    });
    return reply.code(created ? 201 : 200).send(job);
  });

  app.get('/api/v1/jobs/:jobId', { schema: { params: jobIdParams } }, async (request) => jobs.require(request.params.jobId));

  app.patch('/api/v1/jobs/:jobId', { schema: { params: jobIdParams, body: updateJobBody } }, async (request) =>
    jobs.setStatus(request.params.jobId, request.body),
  );

  app.post('/api/v1/jobs/:jobId/cancel', { schema: { params: jobIdParams } }, async (request, reply) => {
    const job = await jobs.cancel(request.params.jobId);
    return reply.code(202).send({ ok: true, message: `cancellation of job ${job.id} requested`, job });
  });
}
