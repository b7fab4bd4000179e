import { z } from 'zod';
import { CTRLPLANE_JOB_STATUSES } from '../domain/ctrlplane-status.ts';

export { CTRLPLANE_JOB_STATUSES, type CtrlplaneJobStatus, isFinalCtrlplaneStatus, toCtrlplaneStatus } from '../domain/ctrlplane-status.ts';

const jsonObject = z.record(z.string(), z.unknown());

/**
 * `dispatchContext` of a Ctrlplane job: what is deployed where, with the field names of our own jobs API
 * (`deployment.slug`, `version.tag`, `resource.config`). Loose: Ctrlplane sends more than we name.
 */
/** Ctrlplane may send `null` where a context object is absent. */
const optionalObject = jsonObject.nullish();

export const ctrlplaneDispatchContextSchema = z.looseObject({
  jobAgent: optionalObject,
  jobAgentConfig: optionalObject,
  release: optionalObject,
  deployment: optionalObject,
  environment: optionalObject,
  resource: optionalObject,
  version: optionalObject,
  variables: optionalObject,
  inputs: optionalObject,
});
export type CtrlplaneDispatchContext = z.infer<typeof ctrlplaneDispatchContextSchema>;

/** A job as Ctrlplane's API returns it (list items, claim, read). */
export const ctrlplaneJobSchema = z.looseObject({
  id: z.string().min(1),
  releaseId: z.string().nullable().optional(),
  jobAgentId: z.string().nullable().optional(),
  jobAgentConfig: jsonObject.nullish().transform((value) => value ?? {}),
  status: z.enum(CTRLPLANE_JOB_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  externalId: z.string().nullable().optional(),
  message: z.string().nullable().optional(),
  startedAt: z.string().nullable().optional(),
  completedAt: z.string().nullable().optional(),
  dispatchContext: ctrlplaneDispatchContextSchema.nullable().optional(),
});
export type CtrlplaneJob = z.infer<typeof ctrlplaneJobSchema>;

/**
 * `GET …/job-agents/{agentId}/jobs`: offset paging, newest first. Items are checked one by one (a malformed job
 * must not hide the others), so the envelope takes them as they come.
 */
export const ctrlplaneJobPageSchema = z.object({
  items: z.array(z.unknown()),
  total: z.number().int(),
  limit: z.number().int().optional(),
  offset: z.number().int().optional(),
});

/** A listed job that does not parse, or is over a cap: its ID when it has one, and why (a sentence naming the job). */
export interface MalformedCtrlplaneJob {
  id?: string;
  problem: string;
}

export interface CtrlplaneJobPage {
  items: CtrlplaneJob[];
  malformed: MalformedCtrlplaneJob[];
  total: number;
}

/** A job agent as registered in a workspace. */
export const ctrlplaneJobAgentSchema = z.looseObject({
  id: z.string(),
  workspaceId: z.string().optional(),
  name: z.string(),
  type: z.string(),
  config: jsonObject.optional(),
});
export type CtrlplaneJobAgent = z.infer<typeof ctrlplaneJobAgentSchema>;

/** `GET /v1/workspaces/{ws}/job-agents`. */
export const ctrlplaneJobAgentPageSchema = z.looseObject({ items: z.array(ctrlplaneJobAgentSchema) });

/** A workspace the key's user is a member of. */
export const ctrlplaneWorkspaceSchema = z.looseObject({ id: z.string(), name: z.string().optional(), slug: z.string().optional() });
export type CtrlplaneWorkspace = z.infer<typeof ctrlplaneWorkspaceSchema>;

/**
 * A job that belongs to no release (Ctrlplane's workflows make them): listed with `releaseId: ""` and claimable, but
 * Ctrlplane's read and status routes find jobs through their release, so nothing could ever be reported for it.
 */
export function belongsToNoRelease(job: Pick<CtrlplaneJob, 'releaseId'>): boolean {
  return job.releaseId === '' || job.releaseId === null;
}

/** The agent type Ctrlplane leaves jobs `queued` for, to be pulled. */
export const HTTP_PULL_AGENT_TYPE = 'http-pull';
