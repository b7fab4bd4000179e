import { ActivityFailure } from '@temporalio/workflow';

/** The message of what an activity failed with (its cause), for the job's message and logs. */
export function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(error);
}
