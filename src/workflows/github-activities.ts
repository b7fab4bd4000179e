import { ActivityFailure, ApplicationFailure, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities.ts';
import { FailureType } from '../contract/workflow-contract.ts';

/**
 * Mutations (dispatch, cancel) wait for their installation's turn inside the activity, heartbeating (GitHub asks for
 * one mutating request per second per installation; a burst of 200 jobs queues for minutes): the heartbeat timeout,
 * not the queue, bounds how long a worker that died mid-request holds the job up; an hour bounds the queue.
 */
const mutationTimeouts = { startToCloseTimeout: '1 hour', heartbeatTimeout: '30 seconds' } satisfies ActivityOptions;

/**
 * Network errors, 5xx and rate limits are retried (rate limits after GitHub's `retry-after`, the rest with backoff)
 * for up to ten attempts; InvalidIntegration (401/403/404/422, no credentials) is final.
 */
const githubRetry = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 10,
  nonRetryableErrorTypes: [FailureType.InvalidIntegration],
} satisfies ActivityOptions['retry'];

/** Dispatch: retried as above; each retry checks for an existing run first. */
export const dispatchOptions: ActivityOptions = { ...mutationTimeouts, retry: githubRetry };
export const { dispatchWorkflowRun } = proxyActivities<Activities>(dispatchOptions);

/**
 * A numeric organizationId (Ctrlplane's reading) → the organization's login, once per job, before the dispatch: its
 * result is in history, so a retried dispatch never asks again. Retried like the dispatch; a 404 is final.
 */
export const { resolveGithubOrganizationLogin } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: githubRetry });

/** Lookups while waiting: a failed poll is retried a little, then left to the next poll. */
export const { lookUpWorkflowRun, findWorkflowRun } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3, nonRetryableErrorTypes: [FailureType.InvalidIntegration] },
});

/** Cancelling the GitHub run is worth insisting on: a run left going deploys after the job said cancelled. */
export const { cancelWorkflowRun } = proxyActivities<Activities>({
  ...mutationTimeouts,
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: [FailureType.InvalidIntegration] },
});

/** Whether GitHub refused the job's integration (credentials, permissions, an unknown repository or workflow). */
export function isInvalidIntegration(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && cause.type === FailureType.InvalidIntegration;
}
