import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { DEFAULT_WORKSPACE, isDefaultWorkspace } from './default-workspace.ts';
import { callerJobOrigin } from './api-key-auth.ts';
import { HttpError } from './http-error.ts';
import { errorResponse, workspaceJobParams, workspaceJobResponse, workspacesResponse } from './job-schemas.ts';
import type { JobService } from './job-service.ts';
import { toWorkspaceJob } from './job-views.ts';

const TAGS = ['workspaces'];
const SECURITY: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];

/**
 * What the current generation of ctrlplanedev/get-job-inputs calls: it lists the workspaces, then asks each
 * for the job until one has it. There is one workspace (see default-workspace.ts).
 */
export async function workspaceRoutes(parent: FastifyInstance, { jobs }: { jobs: JobService }): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/v1/workspaces',
    {
      // Job tokens too: get-job-inputs lists the workspaces before it asks for the job (the list is a constant).
      config: { scope: 'jobs:read', jobToken: true },
      schema: {
        tags: TAGS,
        summary: 'List workspaces',
        description: 'Always the one default workspace: every API key with jobs:read sees every job of this agent. Scope: jobs:read, or any live job token.',
        security: SECURITY,
        response: { 200: workspacesResponse, 401: errorResponse, 403: errorResponse },
      },
    },
    async () => ({ workspaces: [{ ...DEFAULT_WORKSPACE }], total: 1 }),
  );

  app.get(
    '/api/v1/workspaces/:workspaceId/jobs/:jobId',
    {
      config: { scope: 'jobs:read', jobToken: true },
      schema: {
        tags: TAGS,
        summary: 'Get a job of a workspace',
        description:
          "The job with its context under dispatchContext, as the current generation of get-job-inputs reads it. Scope: jobs:read, or the job's own job token.",
        security: SECURITY,
        params: workspaceJobParams,
        response: { 200: workspaceJobResponse, 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 503: errorResponse },
      },
    },
    async (request) => {
      const { workspaceId, jobId } = request.params;
      if (!isDefaultWorkspace(workspaceId)) throw new HttpError(404, 'not_found', `workspace ${workspaceId} not found`);
      return toWorkspaceJob(await jobs.require(jobId, callerJobOrigin(request.caller)), DEFAULT_WORKSPACE.id);
    },
  );
}
