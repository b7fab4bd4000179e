import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeclarativeConfig, DeploymentDefinition } from '../config/declarative-config.ts';
import { describeLockedKeysChanged } from '../config/configured-deployment-lock.ts';
import { type DispatchRule, describeRefusedTarget, isDispatchAllowed } from '../config/dispatch-allowlist.ts';
import type { JobWorkflowInput } from '../domain/job.ts';
import type { RenderOutcome } from '../domain/render-job-agent-config.ts';
import { callerJobOrigin, mayReadJob } from './api-key-auth.ts';
import { HttpError } from './http-error.ts';
import { bodyTooLargeMessage, fieldTooLargeMessage, JOB_INPUT_LIMITS, oversizedJobAgentConfig, oversizedJobField } from '../domain/job-input-limits.ts';
import {
  cancelResponse,
  type CreateJobBody,
  createJobBody,
  errorResponse,
  jobIdParams,
  jobResponse,
  jobStatusReceipt,
  listJobsQuery,
  listJobsResponse,
  updateJobBody,
} from './job-schemas.ts';
import type { JobService } from './job-service.ts';
import { toJobResponse } from './job-views.ts';
import type { RenderPool } from './render-pool.ts';
import { missingTargetSettings } from '../domain/job-agent-config.ts';

export interface JobsRoutesOptions {
  jobs: JobService;
  config: DeclarativeConfig;
  /** DISPATCH_ALLOWLIST: a job whose config renders to another target is refused (403) before it starts. */
  dispatchAllowlist?: readonly DispatchRule[];
  /** Where configs are rendered (off the event loop). */
  renders: RenderPool;
}

/** 413 for a config (as given or as rendered) over JOB_INPUT_LIMITS.fieldBytes, before it reaches the workflow's history; `/api/v1/jobs` and `/api/v1/render` alike. */
function refuseOversizedConfig(what: string, value: unknown): void {
  const problem = oversizedJobAgentConfig(what, value);
  if (problem) throw new HttpError(413, 'payload_too_large', problem);
}

/**
 * Every part of a job is bounded where it enters (JOB_INPUT_LIMITS): the body as a whole (Fastify refuses it from
 * its content-length, before reading it) and each context field, so no job's input nears Temporal's payload limit.
 */
function refuseOversizedFields(body: CreateJobBody): void {
  const oversized = oversizedJobField(body);
  if (oversized) throw new HttpError(413, 'payload_too_large', fieldTooLargeMessage(`body.${oversized.field}`, oversized.bytes));
}

/** Fastify's own 413 for the create and preview routes, said with the limit. */
export function createErrorHandler(error: FastifyError): never {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new HttpError(413, 'payload_too_large', bodyTooLargeMessage(JOB_INPUT_LIMITS.bodyBytes, 'a job'));
  throw error;
}

const TAGS = ['jobs'];
const SECURITY: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse, 413: errorResponse, 503: errorResponse };

/**
 * The workflow input for a create request. A deployment given by name takes its jobAgentConfig from CONFIG_FILE;
 * keys the request sends in its own jobAgentConfig override the configured ones, and its variables the Deployment's,
 * but a locked key (every key but the Deployment's `overridable` ones) must render as the Deployment's own setting
 * renders: 403 otherwise (`configured-deployment-lock.ts`, docs/architecture.md "Configured Deployments").
 */
export function workflowInput(body: CreateJobBody, config: DeclarativeConfig): { input: JobWorkflowInput; configured?: DeploymentDefinition } {
  let { deployment } = body;
  let jobAgentConfig = body.jobAgentConfig;
  let variables = body.variables ?? {};
  const bringsTarget = jobAgentConfig !== undefined && missingTargetSettings(jobAgentConfig).length === 0;
  if (typeof deployment === 'string' && !config.deployments.has(deployment) && bringsTarget) {
    // Not a configured Deployment, but the request names its whole target itself: the string is just the deployment's
    // name (what `gha-agent jobs create --deployment NAME --config …` sends without a CONFIG_FILE). A partial config
    // (an override of ref, say) with an unknown name is still refused: most likely a misspelt Deployment.
    deployment = { name: deployment };
  }
  // A configured Deployment's name given as an object is that Deployment too: its lock holds however it is named.
  const named = typeof deployment === 'string' ? deployment : config.deployments.has(deployment.name) ? deployment.name : undefined;
  let configured: DeploymentDefinition | undefined;
  if (named !== undefined) {
    configured = config.deployments.get(named);
    if (!configured) {
      const known = [...config.deployments.keys()];
      throw new HttpError(
        400,
        'validation_error',
        `body.deployment: "${named}" is not a configured Deployment (${known.length ? `configured: ${known.join(', ')}` : 'no CONFIG_FILE deployments are loaded'})`,
        [{ field: 'body.deployment', message: 'unknown deployment' }],
      );
    }
    deployment = { name: configured.name, slug: configured.slug ?? configured.name, ...(configured.id ? { id: configured.id } : {}) };
    jobAgentConfig = { ...configured.jobAgentConfig, ...body.jobAgentConfig };
    variables = { ...configured.variables, ...body.variables };
  }
  if (!jobAgentConfig || typeof deployment === 'string') {
    throw new HttpError(400, 'validation_error', 'body.jobAgentConfig: required unless deployment names a configured Deployment', [
      { field: 'body.jobAgentConfig', message: 'required' },
    ]);
  }
  const input: JobWorkflowInput = {
    id: body.id ?? randomUUID(),
    jobAgentConfig,
    deployment,
    environment: body.environment,
    resource: body.resource,
    version: body.version,
    variables,
    release: body.release,
    inputs: body.inputs,
    createdAt: new Date().toISOString(),
  };
  return { input, configured };
}

/**
 * A create (or preview) request as the job it would start, rendered on the render pool as the workflow will render it:
 * 413 for a context field over its limit, or a config over its limit as given or as rendered, 403 for a configured Deployment's locked key rendered
 * differently (`configured-deployment-lock.ts`). Nothing is rendered on the API's event loop.
 */
export async function renderRequestedJob(
  body: CreateJobBody,
  config: DeclarativeConfig,
  renders: RenderPool,
): Promise<{ input: JobWorkflowInput; rendered: RenderOutcome }> {
  refuseOversizedFields(body);
  const { input, configured } = workflowInput(body, config);
  refuseOversizedConfig('jobAgentConfig', input.jobAgentConfig);
  const { outcome, lockedKeysChanged } = await renders.render(input, configured);
  if (configured && lockedKeysChanged.length) {
    throw new HttpError(403, 'forbidden', `body.jobAgentConfig: ${describeLockedKeysChanged(configured, lockedKeysChanged)}`);
  }
  if (outcome.rendered !== undefined) refuseOversizedConfig('rendered jobAgentConfig', outcome.rendered);
  return { input, rendered: outcome };
}

/** The jobs API under /api/v1 (docs/jobs-api.md); the caller registers it behind the API-key check, each route names its scope. */
export async function jobsRoutes(parent: FastifyInstance, { jobs, config, dispatchAllowlist, renders }: JobsRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/api/v1/jobs',
    {
      config: { scope: 'jobs:create' },
      bodyLimit: JOB_INPUT_LIMITS.bodyBytes,
      errorHandler: createErrorHandler,
      schema: {
        tags: TAGS,
        summary: 'Create a job (idempotent on id)',
        description:
          'Starts one Temporal workflow per job. The same id twice is one job: 201 the first time, 200 with the existing job after (409 without it for a key that lacks jobs:read). An id a Ctrlplane job holds is 409. Bodies over 256 KiB, and any context field over 64 KiB, are 413. Scope: jobs:create.',
        security: SECURITY,
        body: createJobBody,
        response: { 200: jobResponse, 201: z.union([jobResponse, jobStatusReceipt]), ...errors },
      },
    },
    async (request, reply) => {
      // A target outside the allow-list never starts (the worker checks again before dispatching; a config that does
      // not render starts and ends invalid_job_agent with the reason). An owner given as a numeric organizationId is
      // known only once the job looks it up: here any owner matches.
      const { input, rendered } = await renderRequestedJob(request.body, config, renders);
      if (rendered.ok && !isDispatchAllowed(dispatchAllowlist, rendered.config)) {
        throw new HttpError(403, 'forbidden', describeRefusedTarget(rendered.config));
      }
      const { job, created } = await jobs.create(input, rendered);
      // The same ID again answers with the existing job only to a caller that may read it: job IDs are public (run names).
      // A caller that may not read jobs is told the ID and status of the job it created, no more: a configured
      // Deployment's settings and variables are the operator's.
      if (!mayReadJob(request.caller, job.id)) {
        if (!created) throw new HttpError(409, 'conflict', `job ${job.id} already exists`);
        return reply.code(201).send({ id: job.id, status: job.status });
      }
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
    async (request) => toJobResponse(await jobs.require(request.params.jobId, callerJobOrigin(request.caller))),
  );

  app.patch(
    '/api/v1/jobs/:jobId',
    {
      config: { scope: 'jobs:report', jobToken: true },
      schema: {
        tags: TAGS,
        summary: 'Report a job status by hand',
        description:
          "For workflows that report their own status. A finished job never changes: 409. Answers with the job to a caller that may read it (jobs:read, or the job's token), else with its id and status only. Scope: jobs:report, or the job's own job token.",
        security: SECURITY,
        params: jobIdParams,
        body: updateJobBody,
        response: { 200: z.union([jobResponse, jobStatusReceipt]), ...errors },
      },
    },
    async (request) => {
      const { jobId } = request.params;
      const job = await jobs.setStatus(jobId, request.body, callerJobOrigin(request.caller));
      return mayReadJob(request.caller, jobId) ? toJobResponse(job) : { id: job.id, status: job.status };
    },
  );

  app.post(
    '/api/v1/jobs/:jobId/cancel',
    {
      config: { scope: 'jobs:cancel' },
      schema: {
        tags: TAGS,
        summary: 'Cancel a job',
        description:
          'Cancels the job and its GitHub run; the job ends cancelled shortly after. The answer carries the job only for a key that may also read it (jobs:read). Scope: jobs:cancel.',
        security: SECURITY,
        params: jobIdParams,
        response: { 202: cancelResponse, ...errors },
      },
    },
    async (request, reply) => {
      const job = await jobs.cancel(request.params.jobId);
      const message = `cancellation of job ${job.id} requested`;
      return reply.code(202).send({ ok: true as const, message, ...(mayReadJob(request.caller, job.id) ? { job: toJobResponse(job) } : {}) });
    },
  );
}
