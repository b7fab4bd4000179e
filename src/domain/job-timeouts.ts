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
  /**
   * History events after which a job waiting for its run continues as new (all its state carried), so no job's
   * history nears Temporal's 10,240-event warning whatever its run or its webhooks do. Temporal's own
   * "continue-as-new suggested" (history size) triggers it too.
   */
  historyEventLimit?: number;
  /**
   * The backstop: Temporal ends the job's workflow this long after the job's own deadlines (`jobTimeout` plus
   * `discoveryTimeout`) have passed, should anything keep it from ending by itself; the job then reads `failure`.
   * Long, because Ctrlplane reports are retried through a Ctrlplane outage.
   */
  backstopMargin?: Duration;
}

export const DEFAULT_JOB_TIMEOUTS: JobTimeouts = {
  quietPeriod: '2m',
  pollInterval: '1m',
  discoveryTimeout: '10m',
  jobTimeout: '24h',
  historyEventLimit: 2000,
  backstopMargin: '7 days',
};
