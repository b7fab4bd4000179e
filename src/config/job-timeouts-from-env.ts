import type { Env } from './env.ts';
import type { JobTimeouts } from '../domain/job-timeouts.ts';

/** The job deadlines set by env (JOB_*, validated at start-up), in milliseconds; unset ones keep their defaults. */
export function jobTimeoutsFromEnv(env: Env): Partial<JobTimeouts> {
  const timeouts: Partial<JobTimeouts> = {
    quietPeriod: env.JOB_WEBHOOK_QUIET_PERIOD,
    pollInterval: env.JOB_POLL_INTERVAL,
    discoveryTimeout: env.JOB_RUN_DISCOVERY_TIMEOUT,
    jobTimeout: env.JOB_TIMEOUT,
  };
  return Object.fromEntries(Object.entries(timeouts).filter(([, value]) => value !== undefined));
}
