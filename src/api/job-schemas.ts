import { z } from 'zod';
import { deploymentSchema, environmentSchema, resourceSchema, versionSchema } from '../domain/dispatch-context.ts';
import { JOB_STATUSES, type JobStatus, parseJobStatus } from '../domain/job-status.ts';

const jsonObject = z.record(z.string(), z.unknown());

export const jobIdParams = z.object({ jobId: z.uuid({ message: 'jobId must be a UUID' }).describe('The job ID (a UUID)') });

/** `POST /api/v1/jobs`: the dispatch context at the top level (docs/jobs-api.md). */
export const createJobBody = z
  .strictObject({
    id: z.uuid({ message: 'id must be a UUID' }).optional().describe('Job ID; creating the same ID twice returns the existing job'),
    jobAgentConfig: jsonObject
      .optional()
      .describe('installationId, owner, repo, workflowId, ref (Go templates allowed); required unless deployment names a configured Deployment'),
    deployment: z
      .union([deploymentSchema, z.string().min(1)], {
        error: (issue) =>
          issue.input === undefined
            ? 'required: the deployment, an object with at least name (or the name of a configured Deployment)'
            : 'must be an object with at least name, or the name of a configured Deployment',
      })
      .describe('The deployment, or the name of a Deployment from CONFIG_FILE whose jobAgentConfig is then used'),
    environment: environmentSchema,
    resource: resourceSchema,
    version: versionSchema,
    variables: jsonObject.optional(),
    release: jsonObject.optional(),
    inputs: jsonObject.optional(),
  })
  .meta({ id: 'CreateJobRequest' });
export type CreateJobBody = z.infer<typeof createJobBody>;

/** A status in snake_case or camelCase (`inProgress`), normalised to snake_case. */
export const jobStatusInput = z.string().transform((value, context) => {
  const status = parseJobStatus(value);
  if (!status) {
    context.addIssue({ code: 'custom', message: `unknown status "${value}"; expected one of ${JOB_STATUSES.join(', ')}` });
    return z.NEVER;
  }
  return status;
});

/** `PATCH /api/v1/jobs/{jobId}`. */
export const updateJobBody = z
  .object({
    status: jobStatusInput.describe(`One of ${JOB_STATUSES.join(', ')} (camelCase accepted)`),
    message: z.string().max(10_000).optional(),
    externalId: z.string().max(1000).optional(),
  })
  .meta({ id: 'UpdateJobRequest' });

export const jobStatusSchema = z.enum(JOB_STATUSES).meta({ id: 'JobStatus' });

/** Fields of a job apart from its dispatch context. Loose: the serializer must never drop what the workflow reports. */
const jobCoreShape = {
  id: z.uuid(),
  /** The job ID again, so get-job-inputs' flattening yields the `job_id` output (docs/jobs-api.md). */
  job_id: z.uuid().describe('Same as id; present so the get-job-inputs action emits the job_id output'),
  status: jobStatusSchema,
  message: z.string().optional(),
  externalId: z.string().optional().describe('The GitHub run ID'),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
  links: z.looseObject({ run: z.string().optional(), workflow: z.string().optional() }),
  jobAgentConfig: jsonObject.describe('As given, templates unrendered'),
  renderedJobAgentConfig: jsonObject.optional().describe('After rendering and validation'),
  run: z
    .object({
      id: z.number(),
      status: z.string().optional(),
      conclusion: z.string().nullable().optional(),
      attempt: z.number().optional(),
      updatedAt: z.string().optional(),
      htmlUrl: z.string().optional(),
    })
    .optional()
    .describe('The GitHub run, as last seen'),
};

/** The deployment as the action reads it: `variables` holds the job's variables (→ `deployment_variables`). */
const deploymentOutput = deploymentSchema.partial().extend({ variables: jsonObject.optional() });

/**
 * The dispatch context as responses carry it, at the top level or under `dispatchContext`. Every field may be
 * absent: a job pulled from Ctrlplane carries the context Ctrlplane gave it, which need not name everything our
 * own `POST /api/v1/jobs` requires.
 */
const dispatchContextShape = {
  deployment: deploymentOutput,
  environment: environmentSchema.partial(),
  resource: resourceSchema.partial(),
  version: versionSchema.partial(),
  variables: jsonObject,
  release: jsonObject.optional(),
  inputs: jsonObject.optional(),
};

/** `GET /api/v1/jobs/{jobId}`: the context at the top level (first generation of get-job-inputs). */
export const jobResponse = z.looseObject({ ...jobCoreShape, ...dispatchContextShape }).meta({ id: 'Job' });

/** `GET /api/v1/workspaces/{workspaceId}/jobs/{jobId}`: the context under `dispatchContext` (current generation). */
export const workspaceJobResponse = z
  .looseObject({
    ...jobCoreShape,
    workspaceId: z.string(),
    dispatchContext: z.object(dispatchContextShape),
  })
  .meta({ id: 'WorkspaceJob' });

/** What a status report answers a caller that may not read the job (a key with jobs:report only): what it set. */
export const jobStatusReceipt = z.strictObject({ id: z.uuid(), status: jobStatusSchema }).meta({ id: 'JobStatusReceipt' });

export const cancelResponse = z
  .object({ ok: z.literal(true), message: z.string(), job: jobResponse.optional().describe('The job, for a key that may also read it (jobs:read)') })
  .meta({ id: 'CancelJobResponse' });

/** Comma-separated list of statuses, each snake_case or camelCase. */
const statusFilter = z.string().transform((value, context) => {
  const statuses: JobStatus[] = [];
  for (const part of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const status = parseJobStatus(part);
    if (!status) {
      context.addIssue({ code: 'custom', message: `unknown status "${part}"; expected one of ${JOB_STATUSES.join(', ')}` });
      return z.NEVER;
    }
    statuses.push(status);
  }
  return statuses;
});

/** `GET /api/v1/jobs` query. Filters match the search attributes exactly. */
export const listJobsQuery = z.strictObject({
  status: statusFilter.optional().describe('Status or comma-separated statuses'),
  deployment: z.string().min(1).max(500).optional().describe('Deployment name'),
  environment: z.string().min(1).max(500).optional().describe('Environment name'),
  resource: z.string().min(1).max(500).optional().describe('Resource identifier'),
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Page size (1-100)'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'cursor must be a value returned as nextCursor')
    .max(4096)
    .optional()
    .describe('nextCursor of the previous page'),
});
export type ListJobsQuery = z.output<typeof listJobsQuery>;

/** One row of the job list, from Temporal visibility (no query of the workflow, so closed jobs cost nothing). */
export const jobSummary = z
  .object({
    id: z.uuid(),
    status: jobStatusSchema,
    deployment: z.string().optional(),
    environment: z.string().optional(),
    resource: z.string().optional(),
    repository: z.string().optional().describe('owner/repo'),
    externalId: z.string().optional().describe('The GitHub run ID'),
    createdAt: z.string().optional(),
    completedAt: z.string().optional(),
  })
  .meta({ id: 'JobSummary' });
export type JobSummary = z.infer<typeof jobSummary>;

export const listJobsResponse = z
  .object({
    jobs: z.array(jobSummary),
    nextCursor: z.string().optional().describe('Pass as cursor for the next page; absent on the last page'),
  })
  .meta({ id: 'JobList' });

export const workspaceSchema = z.object({ id: z.string(), name: z.string(), slug: z.string(), createdAt: z.string() }).meta({ id: 'Workspace' });

export const workspacesResponse = z.object({ workspaces: z.array(workspaceSchema), total: z.number().int() }).meta({ id: 'WorkspaceList' });

export const workspaceJobParams = z.object({
  workspaceId: z.string().min(1).max(200),
  jobId: z.uuid({ message: 'jobId must be a UUID' }),
});

/** Every error body (docs/jobs-api.md). */
export const errorResponse = z
  .object({
    error: z.string().describe('Machine-readable code: unauthorized, not_found, validation_error, conflict, ...'),
    message: z.string(),
    details: z.unknown().optional(),
  })
  .meta({ id: 'Error' });
