import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DeclarativeConfig } from '../config/declarative-config.ts';
import { type DispatchRule, describeRefusedTarget, isDispatchAllowed } from '../config/dispatch-allowlist.ts';
import type { JobWorkflowInput } from '../shared/job.ts';
import { HttpError } from './http-error.ts';
import {
  cancelResponse,
  type CreateJobBody,
  createJobBody,
  errorResponse,
  jobIdParams,
  jobResponse,
  listJobsQuery,
  listJobsResponse,
  updateJobBody,
} from './job-schemas.ts';
import type { JobService } from './job-service.ts';
import { toJobResponse } from './job-views.ts';
import type { RenderPool } from './render-pool.ts';
import { missingTargetSettings } from '../shared/job-agent-config.ts';

export interface JobsRoutesOptions {
  jobs: JobService;
  config: DeclarativeConfig;
  /** DISPATCH_ALLOWLIST: a job whose config renders to another target is refused (403) before it starts. */
  dispatchAllowlist?: readonly DispatchRule[];
  /** Where configs are rendered (off the event loop). */
  renders: RenderPool;
}

/**
 * A job agent config, as given or as rendered, is a handful of short fields; past this it is refused when the job is
 * created (413), before it reaches the workflow's history.
 */
export const MAX_JOB_AGENT_CONFIG_BYTES = 64 * 1024;

/** 413 for a config (as given, or as rendered) over MAX_JOB_AGENT_CONFIG_BYTES; `/api/v1/jobs` and `/api/v1/render` alike. */
export function refuseOversizedConfig(what: string, value: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes > MAX_JOB_AGENT_CONFIG_BYTES) {
    throw new HttpError(413, 'payload_too_large', `${what} is ${bytes} bytes; the limit is ${MAX_JOB_AGENT_CONFIG_BYTES} bytes (64 KiB)`);
  }
}

/** The keys that say where a job dispatches: a configured Deployment's cannot be changed by a request. */
const TARGET_KEYS = ['installationId', 'owner', 'organizationId', 'repo', 'workflowId'] as const;

const TAGS = ['jobs'];
const SECURITY: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 413: errorResponse, 503: errorResponse };

/**
 * The workflow input for a create request. A deployment given by name takes its jobAgentConfig from CONFIG_FILE;
 * keys the request sends in its own jobAgentConfig override the configured ones, except the target (installation,
 * owner, repository, workflow), which only CONFIG_FILE sets: 403 otherwise.
 */
export function workflowInput(body: CreateJobBody, config: DeclarativeConfig): JobWorkflowInput {
  let { deployment } = body;
  let jobAgentConfig = body.jobAgentConfig;
  const bringsTarget = jobAgentConfig !== undefined && missingTargetSettings(jobAgentConfig).length === 0;
  if (typeof deployment === 'string' && !config.deployments.has(deployment) && bringsTarget) {
    // Not a configured Deployment, but the request names its whole target itself: the string is just the deployment's
    // name (what `gha-agent jobs create --deployment NAME --config …` sends without a CONFIG_FILE). A partial config
    // (an override of ref, say) with an unknown name is still refused: most likely a misspelt Deployment.
    deployment = { name: deployment };
  }
  if (typeof deployment === 'string') {
    const configured = config.deployments.get(deployment);
    if (!configured) {
      const known = [...config.deployments.keys()];
      throw new HttpError(
        400,
        'validation_error',
        `body.deployment: "${deployment}" is not a configured Deployment (${known.length ? `configured: ${known.join(', ')}` : 'no CONFIG_FILE deployments are loaded'})`,
        [{ field: 'body.deployment', message: 'unknown deployment' }],
      );
    }
    deployment = { name: configured.name, slug: configured.slug ?? configured.name, ...(configured.id ? { id: configured.id } : {}) };
    const overridden = TARGET_KEYS.filter((key) => body.jobAgentConfig?.[key] !== undefined && body.jobAgentConfig[key] !== configured.jobAgentConfig[key]);
    if (overridden.length) {
      throw new HttpError(
        403,
        'forbidden',
        `body.jobAgentConfig: ${overridden.join(', ')} of the configured Deployment "${configured.name}" cannot be changed by a request`,
      );
    }
    jobAgentConfig = { ...configured.jobAgentConfig, ...body.jobAgentConfig };
  }
  if (!jobAgentConfig) {
    throw new HttpError(400, 'validation_error', 'body.jobAgentConfig: required unless deployment names a configured Deployment', [
      { field: 'body.jobAgentConfig', message: 'required' },
    ]);
  }
  return {
    id: body.id ?? randomUUID(),
    jobAgentConfig,
    deployment,
    environment: body.environment,
    resource: body.resource,
    version: body.version,
    variables: body.variables ?? {},
    release: body.release,
    inputs: body.inputs,
    createdAt: new Date().toISOString(),
  };
}

/** The jobs API under /api/v1 (DESIGN §5); the caller registers it behind the API-key check, each route names its scope. */
export async function jobsRoutes(parent: FastifyInstance, { jobs, config, dispatchAllowlist, renders }: JobsRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/api/v1/jobs',
    {
      config: { scope: 'jobs:create' },
      schema: {
        tags: TAGS,
        summary: 'Create a job (idempotent on id)',
        description:
          'Starts one Temporal workflow per job. The same id twice is one job: 201 the first time, 200 with the existing job after. Scope: jobs:create.',
        security: SECURITY,
        body: createJobBody,
        response: { 200: jobResponse, 201: jobResponse, ...errors },
      },
    },
    async (request, reply) => {
      const input = workflowInput(request.body, config);
      refuseOversizedConfig('jobAgentConfig', input.jobAgentConfig);
      // Rendered as the workflow will render it: a target outside the allow-list never starts (the worker checks
      // again before dispatching; a config that does not render starts and ends invalid_job_agent with the reason).
      // An owner given as a numeric organizationId is known only once the job looks it up: here any owner matches.
      const rendered = await renders.render(input);
      if (rendered.rendered !== undefined) refuseOversizedConfig('rendered jobAgentConfig', rendered.rendered);
      if (rendered.ok && !isDispatchAllowed(dispatchAllowlist, rendered.config)) {
        throw new HttpError(403, 'forbidden', describeRefusedTarget(rendered.config));
      }
      const { job, created } = await jobs.create(input, rendered);
      return reply.code(created ? 201 : 200).send(toJobResponse(job));
    },
  );

  app.get(
    '/api/v1/jobs',
    {
      config: { scope: 'jobs:read' },
      schema: {
        tags: TAGS,
        summary: 'List jobs',
        description:
          'Newest first, from Temporal visibility (search attributes CtrlplaneJobStatus, CtrlplaneDeployment, CtrlplaneEnvironment, CtrlplaneResource). Visibility is eventually consistent: a change may take a moment to show. Scope: jobs:read.',
        security: SECURITY,
        querystring: listJobsQuery,
        response: { 200: listJobsResponse, ...errors },
      },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      return jobs.list(filters, { limit, cursor });
    },
  );

  app.get(
    '/api/v1/jobs/:jobId',
    {
      config: { scope: 'jobs:read', jobToken: true },
      schema: {
        tags: TAGS,
        summary: 'Get a job',
        description:
          "The job with its dispatch context at the top level, as the first generation of get-job-inputs reads it. Scope: jobs:read, or the job's own job token.",
        security: SECURITY,
        params: jobIdParams,
        response: { 200: jobResponse, ...errors },
      },
    },
    async (request) => toJobResponse(await jobs.require(request.params.jobId)),
  );

  app.patch(
    '/api/v1/jobs/:jobId',
    {
      config: { scope: 'jobs:report', jobToken: true },
      schema: {
        tags: TAGS,
        summary: 'Report a job status by hand',
        description: "For workflows that report their own status. A finished job never changes: 409. Scope: jobs:report, or the job's own job token.",
        security: SECURITY,
        params: jobIdParams,
        body: updateJobBody,
        response: { 200: jobResponse, ...errors },
      },
    },
    async (request) => toJobResponse(await jobs.setStatus(request.params.jobId, request.body)),
  );

  app.post(
    '/api/v1/jobs/:jobId/cancel',
    {
      config: { scope: 'jobs:cancel' },
      schema: {
        tags: TAGS,
        summary: 'Cancel a job',
        description: 'Cancels the job and its GitHub run; the job ends cancelled shortly after. Scope: jobs:cancel.',
        security: SECURITY,
        params: jobIdParams,
        response: { 202: cancelResponse, ...errors },
      },
    },
    async (request, reply) => {
      const job = await jobs.cancel(request.params.jobId);
      return reply.code(202).send({ ok: true as const, message: `cancellation of job ${job.id} requested`, job: toJobResponse(job) });
    },
  );
}
