import { z } from 'zod';
import { CTRLPLANE_JOB_STATUSES } from './ctrlplane-status.ts';

export { CTRLPLANE_JOB_STATUSES, type CtrlplaneJobStatus, isFinalCtrlplaneStatus, toCtrlplaneStatus } from './ctrlplane-status.ts';

const jsonObject = z.record(z.string(), z.unknown());

/**
 * `dispatchContext` of a Ctrlplane job: what is deployed where, with the field names of our own jobs API
 * (`deployment.slug`, `version.tag`, `resource.config`). Loose: Ctrlplane sends more than we name.
 */
export const ctrlplaneDispatchContextSchema = z.looseObject({
  jobAgent: jsonObject.optional(),
  jobAgentConfig: jsonObject.optional(),
  release: jsonObject.optional(),
  deployment: jsonObject.optional(),
  environment: jsonObject.optional(),
  resource: jsonObject.optional(),
  version: jsonObject.optional(),
  variables: jsonObject.optional(),
  inputs: jsonObject.optional(),
});
export type CtrlplaneDispatchContext = z.infer<typeof ctrlplaneDispatchContextSchema>;

/** A job as Ctrlplane's API returns it (list items, claim, read). */
export const ctrlplaneJobSchema = z.looseObject({
  id: z.string().min(1),
  releaseId: z.string().nullable().optional(),
  jobAgentId: z.string().nullable().optional(),
  jobAgentConfig: jsonObject.default({}),
  status: z.enum(CTRLPLANE_JOB_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  externalId: z.string().nullable().optional(),
  message: z.string().nullable().optional(),
  startedAt: z.string().nullable().optional(),
  completedAt: z.string().nullable().optional(),
  dispatchContext: ctrlplaneDispatchContextSchema.nullable().optional(),
});
export type CtrlplaneJob = z.infer<typeof ctrlplaneJobSchema>;

/** `GET …/job-agents/{agentId}/jobs`: offset paging, newest first. */
export const ctrlplaneJobPageSchema = z.object({
  items: z.array(ctrlplaneJobSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type CtrlplaneJobPage = z.infer<typeof ctrlplaneJobPageSchema>;

/** A job agent as registered in a workspace. */
export const ctrlplaneJobAgentSchema = z.looseObject({
  id: z.string(),
  workspaceId: z.string().optional(),
  name: z.string(),
  type: z.string(),
  config: jsonObject.optional(),
});
export type CtrlplaneJobAgent = z.infer<typeof ctrlplaneJobAgentSchema>;

/** The agent type Ctrlplane leaves jobs `queued` for, to be pulled. */
export const HTTP_PULL_AGENT_TYPE = 'http-pull';
