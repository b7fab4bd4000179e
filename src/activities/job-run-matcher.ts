import { jobIdsInRunTitle } from '../domain/job-id.ts';

/**
 * Whether a GitHub run belongs to this job: its run-name (`display_title`) or name carries the job UUID among the
 * first MAX_JOB_IDS_PER_RUN IDs it names, as the webhook route reads it.
 */
export function runMatchesJob(run: { display_title?: string | null; name?: string | null }, jobId: string): boolean {
  const id = jobId.toLowerCase();
  return jobIdsInRunTitle([run.display_title, run.name]).some((named) => named.toLowerCase() === id);
}
