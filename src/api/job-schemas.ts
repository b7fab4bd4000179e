import { z } from 'zod';
import {
  deploymentSchema,
  environmentSchema,
  resourceSchema,
  versionSchema,
} from '../shared/dispatch-context.ts';
import { JOB_STATUSES, parseJobStatus } from '../shared/job-status.ts';

export const jobIdParams = z.object({ jobId: z.uuid({ message: 'jobId must be a UUID' }) });

/** `POST /api/v1/jobs`: the dispatch context at the top level (DESIGN §5). */
export const createJobBody = z.strictObject({
  id: z.uuid({ message: 'id must be a UUID' }).optional(),
  jobAgentConfig: z.record(z.string(), z.unknown()).optional(),
  /** An object, or the name of a Deployment from CONFIG_FILE whose jobAgentConfig is then used. */
  deployment: z.union([deploymentSchema, z.string().min(1)]),
  environment: environmentSchema,
  resource: resourceSchema,
  version: versionSchema,
  variables: z.record(z.string(), z.unknown()).optional(),
  release: z.record(z.string(), z.unknown()).optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
});
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
export const updateJobBody = z.object({
  status: jobStatusInput,
  message: z.string().max(10_000).optional(),
  externalId: z.string().max(1000).optional(),
});
