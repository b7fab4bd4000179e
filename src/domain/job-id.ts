const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Job IDs are UUIDs (ours and Ctrlplane's); anything else cannot be a job of this service. */
export function isJobId(id: string): boolean {
  return UUID.test(id);
}

/**
 * Where a job came from: our jobs API, or Ctrlplane (pulled by the poller). The origin is part of the job's workflow
 * ID, so a job of one origin can never take the ID of another's (docs/architecture.md "Job IDs and origins"): an API
 * caller that learnt a queued Ctrlplane job's ID cannot start that job first.
 */
export type JobOrigin = 'api' | 'ctrlplane';

/** Ctrlplane first: a public ID both hold (an API job that took a Ctrlplane job's ID first) reads as Ctrlplane's. */
export const JOB_ORIGINS: readonly JobOrigin[] = ['ctrlplane', 'api'];

const WORKFLOW_ID_PREFIXES: Record<JobOrigin, string> = { api: 'job-', ctrlplane: 'ctrlplane-job-' };

/** The origin of a job's input: a Ctrlplane origin marks the poller's jobs; everything else came through the API. */
export function jobOriginOf(input: { ctrlplane?: unknown }): JobOrigin {
  return input.ctrlplane ? 'ctrlplane' : 'api';
}

/** One workflow per job and origin: `job-<id>` for API jobs, `ctrlplane-job-<id>` for Ctrlplane's. */
export function jobWorkflowId(jobId: string, origin: JobOrigin = 'api'): string {
  return `${WORKFLOW_ID_PREFIXES[origin]}${jobId}`;
}

/** The job ID and origin in a job's workflow ID, or undefined for a workflow ID that is not a job's. */
export function parseJobWorkflowId(workflowId: string): { jobId: string; origin: JobOrigin } | undefined {
  for (const origin of JOB_ORIGINS) {
    const prefix = WORKFLOW_ID_PREFIXES[origin];
    if (workflowId.startsWith(prefix)) return { jobId: workflowId.slice(prefix.length), origin };
  }
  return undefined;
}

/** The job ID in a job's workflow ID (`job-<id>`, `ctrlplane-job-<id>` → `<id>`); other workflow IDs come back as they are. */
export function jobIdOfWorkflowId(workflowId: string): string {
  return parseJobWorkflowId(workflowId)?.jobId ?? workflowId;
}

/**
 * How many job IDs a run's title and name are searched for (docs/architecture.md "Webhook path"): a run serves one
 * job, so a title naming more is taken at its first ones and the rest are ignored. Each ID costs a delivery a look-up
 * of the job in Temporal (two when written in upper case), so this bounds what one signed delivery can cost.
 */
export const MAX_JOB_IDS_PER_RUN = 3;

/**
 * The job IDs a GitHub run names, as written, in the order they appear (run-name first, then the workflow's name),
 * at most MAX_JOB_IDS_PER_RUN of them (distinct whatever their case).
 */
export function jobIdsInRunTitle(texts: ReadonlyArray<string | null | undefined>): string[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    for (const [id] of text.matchAll(UUID_IN_TEXT)) {
      if (seen.has(id.toLowerCase())) continue;
      seen.add(id.toLowerCase());
      ids.push(id);
      if (ids.length === MAX_JOB_IDS_PER_RUN) return ids;
    }
  }
  return ids;
}
