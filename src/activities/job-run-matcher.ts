/** Whether a GitHub run belongs to this job: its run-name (`display_title`) or name carries the job UUID. */
export function runMatchesJob(run: { display_title?: string | null; name?: string | null }, jobId: string): boolean {
  const id = jobId.toLowerCase();
  return [run.display_title, run.name].some((text) => typeof text === 'string' && text.toLowerCase().includes(id));
}
