import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Job } from '../domain/job.ts';
import type { JobStatus } from '../domain/job-status.ts';

/** Default task queue shared by API (starting jobs) and worker (running them). */
export const DEFAULT_TASK_QUEUE = 'github-actions-agent';

/** The workflow type of every job (the exported function's name in src/workflows). */
export const JOB_WORKFLOW_TYPE = 'jobWorkflow';

/**
 * Ctrlplane activities run on a task queue of their own, so a slow or unreachable Ctrlplane can hold only their
 * slots and never delays a GitHub dispatch (docs/architecture.md "Ctrlplane connection").
 */
export function ctrlplaneTaskQueue(jobTaskQueue: string): string {
  return `${jobTaskQueue}.ctrlplane`;
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
  /** `owner/repo` of the run. */
  repository?: string;
  /** The App installation the delivery was for. */
  installationId?: number;
  /** What started the run (`workflow_run.event`): ours are `workflow_dispatch`. */
  triggerEvent?: string;
  /** `workflow_run.workflow_id` and `workflow_run.path` (`.github/workflows/deploy.yml`). */
  workflowId?: number;
  workflowPath?: string;
  createdAt?: string;
}

/** A manual status report (`PATCH /api/v1/jobs/{id}`). */
export interface ManualStatusChange {
  status: JobStatus;
  message?: string;
  externalId?: string;
}

export const workflowRunEventSignal = defineSignal<[WorkflowRunEvent]>('workflowRunEvent');
export const jobQuery = defineQuery<Job>('job');
/** What a manual status change changed: small, because an update's result is kept in the job's history. */
export type StatusChangeResult = Pick<Job, 'status' | 'message' | 'externalId' | 'updatedAt' | 'startedAt' | 'completedAt'>;

/** An update, not a signal, so the caller learns at once whether the change was accepted (409 otherwise). */
export const setStatusUpdate = defineUpdate<StatusChangeResult, [ManualStatusChange]>('setStatus');

/** Failure types raised by activities; the workflow branches on these, never on message text. */
export const FailureType = {
  InvalidIntegration: 'InvalidIntegration',
  RunNotFound: 'RunNotFound',
  /** Retryable, after GitHub's `retry-after` (the failure carries it as `nextRetryDelay`). */
  RateLimited: 'GithubRateLimited',
  /** Ctrlplane did not answer, or not yet usefully (down, 5xx, 401): retried until it does. */
  CtrlplaneUnavailable: 'CtrlplaneUnavailable',
  /** Ctrlplane refused the request itself (400/422): final. */
  CtrlplaneRejected: 'CtrlplaneRejected',
} as const;
