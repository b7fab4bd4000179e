import type { Duration } from '@temporalio/common';

/**
 * How long a job waits for GitHub. Passed in the workflow input (so each job records the values it ran with);
 * the API fills them from env vars, these are the defaults.
 */
export interface JobTimeouts {
  /** No event for this long → ask GitHub about the run (a webhook may have been lost). */
  quietPeriod: Duration;
  /** Between API lookups while the run is still active and events stay away. */
  pollInterval: Duration;
  /** A run must be found within this long after dispatch, else `external_run_not_found`. */
  discoveryTimeout: Duration;
  /** Overall limit from dispatch to a final status, else `failure`. */
  jobTimeout: Duration;
}

export const DEFAULT_JOB_TIMEOUTS: JobTimeouts = {
  quietPeriod: '2 minutes',
  pollInterval: '1 minute',
  discoveryTimeout: '10 minutes',
  jobTimeout: '24 hours',
};
