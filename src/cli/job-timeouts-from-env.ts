import type { JobTimeouts } from '../workflows/job-timeouts.ts';

/** Optional overrides of the job deadlines (durations like `90s`, `10 minutes`, `24h`). */
export function jobTimeoutsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<JobTimeouts> {
  const pick = (name: string) => (env[name]?.trim() ? (env[name]!.trim() as JobTimeouts['quietPeriod']) : undefined);
  const timeouts: Partial<JobTimeouts> = {
    quietPeriod: pick('JOB_WEBHOOK_QUIET_PERIOD'),
    pollInterval: pick('JOB_POLL_INTERVAL'),
    discoveryTimeout: pick('JOB_RUN_DISCOVERY_TIMEOUT'),
    jobTimeout: pick('JOB_TIMEOUT'),
  };
  return Object.fromEntries(Object.entries(timeouts).filter(([, value]) => value !== undefined));
}
