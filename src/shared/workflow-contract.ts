import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Job } from './job.ts';
import type { JobStatus } from './job-status.ts';

/** Default task queue shared by API (starting jobs) and worker (running them). */
export const DEFAULT_TASK_QUEUE = 'github-actions-agent';

const WORKFLOW_ID_PREFIX = 'job-';

/** One workflow per job, so the job ID alone finds it. */
export function jobWorkflowId(jobId: string): string {
  return `${WORKFLOW_ID_PREFIX}${jobId}`;
}

/** The part of a `workflow_run` delivery the workflow needs; never the whole payload. */
export interface WorkflowRunEvent {
  deliveryId: string;
  action: string;
  runId: number;
  runAttempt?: number;
  status?: string | null;
  conclusion?: string | null;
  htmlUrl?: string;
  workflowUrl?: string;
  updatedAt?: string;
  repository?: string;
}

/** A manual status report (`PATCH /api/v1/jobs/{id}`). */
export interface ManualStatusChange {
  status: JobStatus;
  message?: string;
  externalId?: string;
}

export const workflowRunEventSignal = defineSignal<[WorkflowRunEvent]>('workflowRunEvent');
export const jobQuery = defineQuery<Job>('job');
/** An update, not a signal, so the caller learns at once whether the change was accepted (409 otherwise). */
export const setStatusUpdate = defineUpdate<Job, [ManualStatusChange]>('setStatus');

/** Failure types raised by activities; the workflow branches on these, never on message text. */
export const FailureType = {
  InvalidIntegration: 'InvalidIntegration',
  RunNotFound: 'RunNotFound',
  /** Retryable, after GitHub's `retry-after` (the failure carries it as `nextRetryDelay`). */
  RateLimited: 'GithubRateLimited',
} as const;
