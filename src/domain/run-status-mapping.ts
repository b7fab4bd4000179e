import type { JobStatus } from './job-status.ts';

/** What a workflow_run event or a run lookup tells us, reduced to what decides the job status. */
export interface RunState {
  status?: string | null;
  conclusion?: string | null;
}

const BY_CONCLUSION: Readonly<Record<string, JobStatus>> = {
  success: 'successful',
  failure: 'failure',
  cancelled: 'cancelled',
  action_required: 'action_required',
  skipped: 'skipped',
  neutral: 'skipped',
  timed_out: 'failure',
  startup_failure: 'failure',
  stale: 'failure',
};

const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['queued', 'requested', 'waiting', 'pending', 'in_progress']);

/**
 * GitHub run → job status (docs/job-lifecycle.md, "Statuses"). A conclusion, when present, decides; otherwise an active status means
 * in_progress. `completed` without a conclusion (GitHub sends such events) is not a completion: undefined.
 */
export function mapRunToJobStatus(run: RunState): JobStatus | undefined {
  if (run.conclusion) return BY_CONCLUSION[run.conclusion] ?? 'failure';
  if (run.status && ACTIVE_STATUSES.has(run.status)) return 'in_progress';
  return undefined;
}
